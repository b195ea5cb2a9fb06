//! Helper prototypes as data (`struct bpf_func_proto`).
//!
//! Every helper id the kernel knows has a name ([`HelperId::name`]) and at least one
//! prototype. Some helpers have several prototypes, one per family of program types
//! (`bpf_get_stackid` is `bpf_get_stackid_proto` for kprobes, `..._proto_tp` for tracepoints,
//! `..._proto_raw_tp`, `..._proto_pe`; `bpf_perf_event_output` has six). Each prototype is a
//! `const` named after the kernel symbol, and [`crate::prog`] says which one a program type
//! gets. [`proto`] returns the *default* prototype of an id (the first listed), which is the
//! one to show in documentation or when no program type is known.
//!
//! Prototypes are grouped by where the kernel defines them: [`core`] (`kernel/bpf/helpers.c`,
//! `ringbuf.c`, storage maps, `syscall.c`), [`trace`] (`kernel/trace/bpf_trace.c`,
//! `stackmap.c`), [`net`] (`net/core/filter.c`: skb, xdp, lwt, flow dissector) and [`sock`]
//! (sockets, sockmap, sock_ops, cgroup hooks, sysctl, sockopt, LSM, lirc).

pub mod core;
mod ids;
pub mod net;
pub mod sock;
pub mod trace;

use std::fmt;
use std::sync::OnceLock;

use crate::types::{Arg, BtfRef, RetType};

/// A helper id: the `imm` of a `call` instruction with `src_reg = 0` (`enum bpf_func_id`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HelperId(pub u32);

impl HelperId {
    /// Number of ids the kernel knows (`__BPF_FUNC_MAX_ID`); valid ids are `0..COUNT`, and id 0
    /// (`unspec`) has no prototype.
    pub const COUNT: u32 = 212;

    /// The id with this name (`"map_lookup_elem"`, with or without the `bpf_` prefix).
    pub fn from_name(name: &str) -> Option<HelperId> {
        let name = name.strip_prefix("bpf_").unwrap_or(name);
        ids::NAMES.iter().position(|n| *n == name).map(|i| HelperId(i as u32))
    }

    /// The name without the `bpf_` prefix (`"map_lookup_elem"`), `None` past the last id.
    pub fn name(self) -> Option<&'static str> {
        ids::NAMES.get(self.0 as usize).copied()
    }

    /// Every id, `unspec` included.
    pub fn all() -> impl Iterator<Item = HelperId> {
        (0..Self::COUNT).map(HelperId)
    }

    /// Whether a call may move or resize the packet, so that every packet pointer the program
    /// holds becomes invalid (the kernel's `bpf_helper_changes_pkt_data`).
    pub const fn changes_pkt_data(self) -> bool {
        matches!(
            self,
            HelperId::SKB_STORE_BYTES
                | HelperId::SKB_CHANGE_HEAD
                | HelperId::SKB_CHANGE_TAIL
                | HelperId::SKB_PULL_DATA
                | HelperId::SKB_CHANGE_PROTO
                | HelperId::SKB_VLAN_PUSH
                | HelperId::SKB_VLAN_POP
                | HelperId::SKB_ADJUST_ROOM
                | HelperId::L3_CSUM_REPLACE
                | HelperId::L4_CSUM_REPLACE
                | HelperId::CLONE_REDIRECT
                | HelperId::XDP_ADJUST_HEAD
                | HelperId::XDP_ADJUST_META
                | HelperId::XDP_ADJUST_TAIL
                | HelperId::MSG_PULL_DATA
                | HelperId::MSG_PUSH_DATA
                | HelperId::MSG_POP_DATA
                | HelperId::LWT_PUSH_ENCAP
                | HelperId::LWT_SEG6_STORE_BYTES
                | HelperId::LWT_SEG6_ADJUST_SRH
                | HelperId::LWT_SEG6_ACTION
                | HelperId::STORE_HDR_OPT
        )
    }

    /// How a helper that takes a BPF function (`ARG_PTR_TO_FUNC`) calls it back.
    pub const fn callback(self) -> Option<Callback> {
        match self {
            HelperId::LOOP => Some(Callback::Sync { args: "u32 index, void *ctx" }),
            HelperId::FOR_EACH_MAP_ELEM => {
                Some(Callback::Sync { args: "struct bpf_map *map, void *key, void *value, void *ctx" })
            }
            HelperId::FIND_VMA => {
                Some(Callback::Sync { args: "struct task_struct *task, struct vm_area_struct *vma, void *ctx" })
            }
            HelperId::USER_RINGBUF_DRAIN => Some(Callback::Sync { args: "struct bpf_dynptr *dynptr, void *ctx" }),
            HelperId::TIMER_SET_CALLBACK => {
                Some(Callback::Async { args: "struct bpf_map *map, void *key, void *value" })
            }
            _ => None,
        }
    }
}

impl fmt::Debug for HelperId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "bpf_{name}#{}", self.0),
            None => write!(f, "helper#{}", self.0),
        }
    }
}

impl fmt::Display for HelperId {
    /// As the verifier log prints it: `bpf_map_lookup_elem#1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// How a callback-taking helper runs its callback (`is_sync_callback_calling_function`,
/// `is_async_callback_calling_function`). The callback returns 0 or 1 (continue/stop) for the
/// synchronous helpers and 0 for timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callback {
    /// Called zero or more times before the helper returns; `args` is its C signature.
    Sync {
        /// The callback's parameters.
        args: &'static str,
    },
    /// Called later, from another context (timers).
    Async {
        /// The callback's parameters.
        args: &'static str,
    },
}

/// Boolean properties of a prototype besides `gpl_only`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ProtoFlags(u8);

impl ProtoFlags {
    /// `pkt_access`: packet pointers may be passed as memory arguments.
    pub const PKT_ACCESS: ProtoFlags = ProtoFlags(1);
    /// `might_sleep`: only sleepable programs may call it ("helper call might sleep in a
    /// non-sleepable prog").
    pub const MIGHT_SLEEP: ProtoFlags = ProtoFlags(2);
    /// `allow_fastcall`: follows the `bpf_fastcall` contract (scratches only r0..rN).
    pub const ALLOW_FASTCALL: ProtoFlags = ProtoFlags(4);
    /// The prototype has an `allowed` callback: only some attach points may call it ("helper
    /// call is not allowed in probe"), e.g. `bpf_d_path` from an allow-list of functions.
    pub const RESTRICTED: ProtoFlags = ProtoFlags(8);

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: ProtoFlags) -> bool {
        self.0 & other.0 == other.0
    }

    const fn union(self, other: ProtoFlags) -> ProtoFlags {
        ProtoFlags(self.0 | other.0)
    }
}

impl fmt::Debug for ProtoFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Self::PKT_ACCESS, "pkt_access"),
            (Self::MIGHT_SLEEP, "might_sleep"),
            (Self::ALLOW_FASTCALL, "allow_fastcall"),
            (Self::RESTRICTED, "restricted"),
        ];
        f.debug_set().entries(names.iter().filter(|(fl, _)| self.contains(*fl)).map(|(_, n)| n)).finish()
    }
}

/// One helper prototype, as the kernel's `const struct bpf_func_proto`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HelperProto {
    /// The helper id this prototype answers for.
    pub id: HelperId,
    /// The kernel symbol of the prototype (`"bpf_get_stackid_proto_tp"`), for traceability.
    pub symbol: &'static str,
    /// `gpl_only`: callable only from programs with a GPL-compatible license
    /// ([`crate::is_gpl_compatible`]).
    pub gpl_only: bool,
    /// `ret_type`.
    pub ret: RetType,
    /// `ret_btf_id`, for BTF-typed results.
    pub ret_btf: Option<BtfRef>,
    /// `arg1_type` .. `arg5_type` (trailing `ARG_DONTCARE`s omitted).
    pub args: &'static [Arg],
    /// `pkt_access`, `might_sleep`, `allow_fastcall`, `allowed`.
    pub flags: ProtoFlags,
}

impl HelperProto {
    /// A prototype returning an integer, with no arguments and no flags, not GPL-only.
    pub const fn new(id: HelperId, symbol: &'static str) -> HelperProto {
        HelperProto {
            id,
            symbol,
            gpl_only: false,
            ret: RetType::INTEGER,
            ret_btf: None,
            args: &[],
            flags: ProtoFlags(0),
        }
    }

    /// Marks it GPL-only.
    pub const fn gpl(self) -> HelperProto {
        HelperProto { gpl_only: true, ..self }
    }

    /// Sets the return kind.
    pub const fn ret(self, ret: RetType) -> HelperProto {
        HelperProto { ret, ..self }
    }

    /// Sets the BTF struct of the result.
    pub const fn ret_btf(self, name: &'static str) -> HelperProto {
        HelperProto { ret_btf: Some(BtfRef::Struct(name)), ..self }
    }

    /// The BTF type of the result comes from the call site (`BPF_PTR_POISON`).
    pub const fn ret_btf_from_call_site(self) -> HelperProto {
        HelperProto { ret_btf: Some(BtfRef::FromCallSite), ..self }
    }

    /// Sets the arguments (at most five).
    pub const fn args(self, args: &'static [Arg]) -> HelperProto {
        assert!(args.len() <= 5, "a helper takes at most five arguments");
        HelperProto { args, ..self }
    }

    /// Adds flags.
    pub const fn flag(self, flag: ProtoFlags) -> HelperProto {
        HelperProto { flags: self.flags.union(flag), ..self }
    }

    /// Sets `pkt_access`.
    pub const fn pkt_access(self) -> HelperProto {
        self.flag(ProtoFlags::PKT_ACCESS)
    }

    /// Sets `might_sleep`.
    pub const fn might_sleep(self) -> HelperProto {
        self.flag(ProtoFlags::MIGHT_SLEEP)
    }

    /// The kind of argument `i` (0-based); `ARG_DONTCARE` past the last one.
    pub fn arg(&self, i: usize) -> Arg {
        self.args.get(i).copied().unwrap_or(Arg::DONTCARE)
    }

    /// The helper's name (`"map_lookup_elem"`).
    pub fn name(&self) -> &'static str {
        self.id.name().unwrap_or("?")
    }

    /// The 1-based register of the first argument that a scalar zero does not satisfy, with the
    /// register types the kernel then lists (`R3 type=scalar expected=map_value`); `None` when
    /// zeros in r1-r5 pass every argument check.
    pub fn first_non_scalar_arg(&self) -> Option<(usize, &'static str)> {
        self.args
            .iter()
            .position(|a| !a.ty.accepts_scalar_zero())
            .map(|i| (i + 1, self.args[i].ty.base.expected_reg_types()))
    }
}

impl fmt::Debug for HelperProto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:?}(", self.symbol, self.ret)?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a:?}")?;
        }
        f.write_str(")")?;
        if self.gpl_only {
            f.write_str(" gpl_only")?;
        }
        if self.flags != ProtoFlags::default() {
            write!(f, " {:?}", self.flags)?;
        }
        Ok(())
    }
}

/// Every prototype this crate knows, variants included, grouped by source file.
pub fn all_protos() -> impl Iterator<Item = &'static HelperProto> {
    core::ALL.iter().chain(trace::ALL).chain(net::ALL).chain(sock::ALL).chain(trace::LATE).copied()
}

/// The default prototype of `id` (the first variant listed), `None` for `unspec` and unknown
/// ids.
pub fn proto(id: HelperId) -> Option<&'static HelperProto> {
    static TABLE: OnceLock<Vec<Option<&'static HelperProto>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = vec![None; HelperId::COUNT as usize];
        for p in all_protos() {
            let slot = &mut t[p.id.0 as usize];
            if slot.is_none() {
                *slot = Some(p);
            }
        }
        t
    });
    table.get(id.0 as usize).copied().flatten()
}

/// Every variant of `id`'s prototype.
pub fn variants(id: HelperId) -> impl Iterator<Item = &'static HelperProto> {
    all_protos().filter(move |p| p.id == id)
}

/// The prototype with this kernel symbol (`"bpf_get_stackid_proto_pe"`).
pub fn by_symbol(symbol: &str) -> Option<&'static HelperProto> {
    all_protos().find(|p| p.symbol == symbol)
}
