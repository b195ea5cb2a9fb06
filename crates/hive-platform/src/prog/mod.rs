//! Program types as data: kernel id, context layout and access rules, the return values the
//! verifier enforces, which helpers may be called, and the libbpf section names that select
//! them.
//!
//! [`ProgType::info`] gives a [`ProgTypeInfo`]; [`ProgTypeInfo::helper`] answers the question the
//! kernel's `get_func_proto` answers, for a [`LoadContext`] (attach type, sleepable, privilege,
//! lockdown), and [`context::ContextLayout::check`] answers `is_valid_access`.

mod attach;
pub mod context;
pub mod helpers;
pub mod section;

use std::fmt;

use crate::helper::{HelperId, HelperProto};
pub use context::{ContextLayout, CtxAccess, CtxField, CtxPtr};
pub use section::{SecDef, SectionMatch, parse_section};

/// A program type (`enum bpf_prog_type`); `as u32` is the kernel value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
#[allow(missing_docs)]
pub enum ProgType {
    #[doc(alias = "BPF_PROG_TYPE_UNSPEC")]
    Unspec = 0,
    #[doc(alias = "BPF_PROG_TYPE_SOCKET_FILTER")]
    SocketFilter,
    #[doc(alias = "BPF_PROG_TYPE_KPROBE")]
    Kprobe,
    #[doc(alias = "BPF_PROG_TYPE_SCHED_CLS")]
    SchedCls,
    #[doc(alias = "BPF_PROG_TYPE_SCHED_ACT")]
    SchedAct,
    #[doc(alias = "BPF_PROG_TYPE_TRACEPOINT")]
    Tracepoint,
    #[doc(alias = "BPF_PROG_TYPE_XDP")]
    Xdp,
    #[doc(alias = "BPF_PROG_TYPE_PERF_EVENT")]
    PerfEvent,
    #[doc(alias = "BPF_PROG_TYPE_CGROUP_SKB")]
    CgroupSkb,
    #[doc(alias = "BPF_PROG_TYPE_CGROUP_SOCK")]
    CgroupSock,
    #[doc(alias = "BPF_PROG_TYPE_LWT_IN")]
    LwtIn,
    #[doc(alias = "BPF_PROG_TYPE_LWT_OUT")]
    LwtOut,
    #[doc(alias = "BPF_PROG_TYPE_LWT_XMIT")]
    LwtXmit,
    #[doc(alias = "BPF_PROG_TYPE_SOCK_OPS")]
    SockOps,
    #[doc(alias = "BPF_PROG_TYPE_SK_SKB")]
    SkSkb,
    #[doc(alias = "BPF_PROG_TYPE_CGROUP_DEVICE")]
    CgroupDevice,
    #[doc(alias = "BPF_PROG_TYPE_SK_MSG")]
    SkMsg,
    #[doc(alias = "BPF_PROG_TYPE_RAW_TRACEPOINT")]
    RawTracepoint,
    #[doc(alias = "BPF_PROG_TYPE_CGROUP_SOCK_ADDR")]
    CgroupSockAddr,
    #[doc(alias = "BPF_PROG_TYPE_LWT_SEG6LOCAL")]
    LwtSeg6local,
    #[doc(alias = "BPF_PROG_TYPE_LIRC_MODE2")]
    LircMode2,
    #[doc(alias = "BPF_PROG_TYPE_SK_REUSEPORT")]
    SkReuseport,
    #[doc(alias = "BPF_PROG_TYPE_FLOW_DISSECTOR")]
    FlowDissector,
    #[doc(alias = "BPF_PROG_TYPE_CGROUP_SYSCTL")]
    CgroupSysctl,
    #[doc(alias = "BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE")]
    RawTracepointWritable,
    #[doc(alias = "BPF_PROG_TYPE_CGROUP_SOCKOPT")]
    CgroupSockopt,
    #[doc(alias = "BPF_PROG_TYPE_TRACING")]
    Tracing,
    #[doc(alias = "BPF_PROG_TYPE_STRUCT_OPS")]
    StructOps,
    #[doc(alias = "BPF_PROG_TYPE_EXT")]
    Ext,
    #[doc(alias = "BPF_PROG_TYPE_LSM")]
    Lsm,
    #[doc(alias = "BPF_PROG_TYPE_SK_LOOKUP")]
    SkLookup,
    #[doc(alias = "BPF_PROG_TYPE_SYSCALL")]
    Syscall,
    #[doc(alias = "BPF_PROG_TYPE_NETFILTER")]
    Netfilter,
}

const NAMES: [&str; 33] = [
    "unspec",
    "socket_filter",
    "kprobe",
    "sched_cls",
    "sched_act",
    "tracepoint",
    "xdp",
    "perf_event",
    "cgroup_skb",
    "cgroup_sock",
    "lwt_in",
    "lwt_out",
    "lwt_xmit",
    "sock_ops",
    "sk_skb",
    "cgroup_device",
    "sk_msg",
    "raw_tracepoint",
    "cgroup_sock_addr",
    "lwt_seg6local",
    "lirc_mode2",
    "sk_reuseport",
    "flow_dissector",
    "cgroup_sysctl",
    "raw_tracepoint_writable",
    "cgroup_sockopt",
    "tracing",
    "struct_ops",
    "ext",
    "lsm",
    "sk_lookup",
    "syscall",
    "netfilter",
];

impl ProgType {
    /// Every program type, `Unspec` included, in kernel order.
    pub const ALL: [ProgType; 33] = {
        use ProgType::*;
        [
            Unspec, SocketFilter, Kprobe, SchedCls, SchedAct, Tracepoint, Xdp, PerfEvent, CgroupSkb, CgroupSock,
            LwtIn, LwtOut, LwtXmit, SockOps, SkSkb, CgroupDevice, SkMsg, RawTracepoint, CgroupSockAddr, LwtSeg6local,
            LircMode2, SkReuseport, FlowDissector, CgroupSysctl, RawTracepointWritable, CgroupSockopt, Tracing,
            StructOps, Ext, Lsm, SkLookup, Syscall, Netfilter,
        ]
    };

    /// The `enum bpf_prog_type` value.
    pub const fn raw(self) -> u32 {
        self as u32
    }

    /// The type with this kernel value.
    pub fn from_raw(raw: u32) -> Option<ProgType> {
        Self::ALL.get(raw as usize).copied()
    }

    /// The name bpftool and libbpf print (`"sched_cls"`).
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// The type with this bpftool/libbpf name.
    pub fn from_name(name: &str) -> Option<ProgType> {
        NAMES.iter().position(|n| *n == name).map(|i| Self::ALL[i])
    }

    /// Everything known about this type.
    pub fn info(self) -> ProgTypeInfo {
        ProgTypeInfo { prog_type: self, helper_sets: helpers::sets(self) }
    }
}

impl fmt::Display for ProgType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An attach type (`enum bpf_attach_type`); also the `expected_attach_type` given at load.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AttachType(pub u32);

impl AttachType {
    /// The name without the `BPF_` prefix (`"CGROUP_INET_INGRESS"`).
    pub fn name(self) -> Option<&'static str> {
        attach::NAMES.get(self.0 as usize).copied()
    }

    /// The attach type with this name (with or without `BPF_`).
    pub fn from_name(name: &str) -> Option<AttachType> {
        let name = name.strip_prefix("BPF_").unwrap_or(name);
        attach::NAMES.iter().position(|n| *n == name).map(|i| AttachType(i as u32))
    }
}

impl fmt::Debug for AttachType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "BPF_{n}"),
            None => write!(f, "AttachType({})", self.0),
        }
    }
}

/// The capabilities a program is loaded with (`bpf_token_capable` tiers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    /// No capability: unprivileged BPF (socket filters and cgroup skb only).
    Unprivileged,
    /// `CAP_BPF`.
    Bpf,
    /// `CAP_BPF` and `CAP_PERFMON`.
    Perfmon,
    /// `CAP_SYS_ADMIN` (everything).
    SysAdmin,
}

/// Kernel lockdown mode (`/sys/kernel/security/lockdown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lockdown {
    /// Not locked down.
    None,
    /// `integrity`: no `bpf_probe_write_user`.
    Integrity,
    /// `confidentiality`: also no reading of kernel memory.
    Confidentiality,
}

/// What, besides the program type, decides which prototype a helper call gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LoadContext {
    /// `expected_attach_type`.
    pub attach_type: AttachType,
    /// Loaded with `BPF_F_SLEEPABLE`.
    pub sleepable: bool,
    /// Capabilities of the loader.
    pub privilege: Privilege,
    /// Lockdown mode of the kernel being modelled.
    pub lockdown: Lockdown,
    /// Whether `bpf_override_return` exists (`CONFIG_BPF_KPROBE_OVERRIDE`).
    pub kprobe_override: bool,
}

impl Default for LoadContext {
    /// Root, attach type 0, not sleepable, no lockdown, kprobe override built in.
    fn default() -> Self {
        LoadContext {
            attach_type: AttachType(0),
            sleepable: false,
            privilege: Privilege::SysAdmin,
            lockdown: Lockdown::None,
            kprobe_override: true,
        }
    }
}

/// A condition on a [`HelperEntry`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Requires {
    /// No condition (unprivileged programs included).
    Always,
    /// `CAP_BPF`.
    BpfCap,
    /// `CAP_PERFMON` (and `CAP_BPF`).
    Perfmon,
    /// `CAP_SYS_ADMIN` and no lockdown (`bpf_probe_write_user`).
    WriteUser,
    /// `CONFIG_BPF_KPROBE_OVERRIDE` (`bpf_override_return`).
    KprobeOverride,
    /// One of these expected attach types.
    AttachType(&'static [AttachType]),
}

impl Requires {
    /// Whether `ctx` satisfies it.
    pub fn holds(self, ctx: &LoadContext) -> bool {
        match self {
            Requires::Always => true,
            Requires::BpfCap => ctx.privilege >= Privilege::Bpf,
            Requires::Perfmon => ctx.privilege >= Privilege::Perfmon,
            Requires::WriteUser => ctx.privilege >= Privilege::SysAdmin && ctx.lockdown == Lockdown::None,
            Requires::KprobeOverride => ctx.kprobe_override,
            Requires::AttachType(list) => list.contains(&ctx.attach_type),
        }
    }
}

/// One `case BPF_FUNC_x: return &proto;` of a `*_func_proto` switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HelperEntry {
    /// The prototype returned.
    pub proto: &'static HelperProto,
    /// The condition under which it is returned.
    pub requires: Requires,
}

/// One `*_func_proto` function as data.
#[derive(Debug)]
pub struct HelperSet {
    /// Short name (`"tc"`).
    pub name: &'static str,
    /// The kernel function it models (`"tc_cls_act_func_proto"`).
    pub kernel: &'static str,
    /// Its cases, in order.
    pub entries: &'static [HelperEntry],
}

impl HelperSet {
    /// Whether this set has a case for `id` (whatever its condition).
    pub fn mentions(&self, id: HelperId) -> bool {
        self.entries.iter().any(|e| e.proto.id == id)
    }
}

/// The return value a program type must produce (`check_return_code`), both ends inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReturnRange {
    /// Smallest allowed value.
    pub min: i64,
    /// Largest allowed value.
    pub max: i64,
}

impl ReturnRange {
    const fn new(min: i64, max: i64) -> ReturnRange {
        ReturnRange { min, max }
    }
}

/// Whether a program type may or must be loaded sleepable (`BPF_F_SLEEPABLE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sleepable {
    /// Never.
    Never,
    /// For some attach points (uprobes, fentry/fexit/fmod_ret on allow-listed functions,
    /// iterators, LSM hooks, struct_ops members that allow it).
    Allowed,
    /// Always (syscall programs).
    Required,
}

/// Everything the platform knows about one program type.
#[derive(Clone, Copy, Debug)]
pub struct ProgTypeInfo {
    /// The type.
    pub prog_type: ProgType,
    /// Its helper sets, in lookup order.
    pub helper_sets: &'static [&'static HelperSet],
}

impl ProgTypeInfo {
    /// The prototype a call to `id` gets, or `None` when the kernel would say "program of this
    /// type cannot use helper". The first set that mentions `id` decides: its first entry whose
    /// condition holds wins, and when none holds the helper is unavailable (the kernel's
    /// `return cond ? &proto : NULL`).
    pub fn helper(&self, id: HelperId, ctx: &LoadContext) -> Option<&'static HelperProto> {
        for set in self.helper_sets {
            let mut mentioned = false;
            for entry in set.entries.iter().filter(|e| e.proto.id == id) {
                mentioned = true;
                if entry.requires.holds(ctx) {
                    return Some(entry.proto);
                }
            }
            if mentioned {
                return None;
            }
        }
        None
    }

    /// Every helper available under `ctx`, by id.
    pub fn helpers(&self, ctx: &LoadContext) -> Vec<&'static HelperProto> {
        HelperId::all().filter_map(|id| self.helper(id, ctx)).collect()
    }

    /// The context layout a program sees in `r1`, when it is a fixed structure.
    pub fn context(&self) -> Option<&'static ContextLayout> {
        context::layout(self.prog_type)
    }

    /// The range `r0` must be in at exit for this attach type; `None` when unchecked.
    pub fn return_range(&self, attach: AttachType) -> Option<ReturnRange> {
        use AttachType as A;
        use ProgType as T;
        let r = ReturnRange::new;
        match self.prog_type {
            T::CgroupSkb if attach == A::CGROUP_INET_EGRESS => Some(r(0, 3)),
            T::CgroupSockAddr => match attach {
                A::CGROUP_INET4_BIND | A::CGROUP_INET6_BIND => Some(r(0, 3)),
                A::CGROUP_UDP4_RECVMSG
                | A::CGROUP_UDP6_RECVMSG
                | A::CGROUP_UNIX_RECVMSG
                | A::CGROUP_INET4_GETPEERNAME
                | A::CGROUP_INET6_GETPEERNAME
                | A::CGROUP_INET4_GETSOCKNAME
                | A::CGROUP_INET6_GETSOCKNAME
                | A::CGROUP_UNIX_GETPEERNAME
                | A::CGROUP_UNIX_GETSOCKNAME => Some(r(1, 1)),
                _ => Some(r(0, 1)),
            },
            T::CgroupSkb
            | T::CgroupSock
            | T::SockOps
            | T::CgroupDevice
            | T::CgroupSysctl
            | T::CgroupSockopt
            | T::SkLookup
            | T::Netfilter => Some(r(0, 1)),
            T::Kprobe if attach == A::TRACE_KPROBE_SESSION || attach == A::TRACE_UPROBE_SESSION => Some(r(0, 1)),
            T::Tracing => match attach {
                A::TRACE_ITER => Some(r(0, 1)),
                A::TRACE_FENTRY | A::TRACE_FEXIT => Some(r(0, 0)),
                _ => None,
            },
            T::Lsm => match attach {
                A::LSM_CGROUP => Some(r(0, 1)),
                // int-returning hooks; void hooks are unchecked.
                _ => Some(r(-4095, 0)),
            },
            T::Xdp if attach == A::XDP_DEVMAP || attach == A::XDP_CPUMAP => Some(r(0, 2)),
            _ => None,
        }
    }

    /// Whether `BPF_F_SLEEPABLE` is allowed.
    pub fn sleepable(&self) -> Sleepable {
        match self.prog_type {
            ProgType::Syscall => Sleepable::Required,
            ProgType::Kprobe | ProgType::Tracing | ProgType::Lsm | ProgType::StructOps => Sleepable::Allowed,
            _ => Sleepable::Never,
        }
    }

    /// Whether `BPF_PROG_TEST_RUN` is implemented for the type.
    pub fn test_run(&self) -> bool {
        use ProgType as T;
        matches!(
            self.prog_type,
            T::SocketFilter
                | T::SchedCls
                | T::SchedAct
                | T::Xdp
                | T::CgroupSkb
                | T::LwtIn
                | T::LwtOut
                | T::LwtXmit
                | T::LwtSeg6local
                | T::FlowDissector
                | T::RawTracepoint
                | T::Tracing
                | T::StructOps
                | T::SkLookup
                | T::Syscall
                | T::Netfilter
        )
    }
}
