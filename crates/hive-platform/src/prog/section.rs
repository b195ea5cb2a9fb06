//! ELF section names as libbpf reads them (`section_defs[]` in `tools/lib/bpf/libbpf.c`,
//! libbpf 1.x): `SEC("kprobe/do_unlinkat")` makes a kprobe program attached to
//! `do_unlinkat`, `SEC("?xdp")` an XDP program that is not loaded automatically.
//!
//! Matching follows libbpf: a definition ending in `+` matches its prefix exactly or followed by
//! `/` and an attach target; one ending in `/` matches any name with that prefix; any other
//! definition matches only itself. Definitions are tried in table order, so `tc/ingress` wins
//! over `tc`, and `sk_reuseport/migrate` over `sk_reuseport`.

use super::{AttachType as A, ProgType as T};

/// Flags of a section definition (libbpf's `SEC_*`, plus [`SecFlags::RETPROBE`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct SecFlags(u8);

impl SecFlags {
    /// No flag.
    pub const NONE: SecFlags = SecFlags(0);
    /// `SEC_SLEEPABLE`: loaded with `BPF_F_SLEEPABLE`.
    pub const SLEEPABLE: SecFlags = SecFlags(1);
    /// `SEC_ATTACH_BTF`: the target names a BTF function or type (fentry, lsm, iter, ...).
    pub const ATTACH_BTF: SecFlags = SecFlags(2);
    /// `SEC_ATTACHABLE`: the expected attach type is passed at load.
    pub const ATTACHABLE: SecFlags = SecFlags(4);
    /// `SEC_ATTACHABLE_OPT`: expected attach type passed only if the kernel needs it.
    pub const ATTACHABLE_OPT: SecFlags = SecFlags(8);
    /// `SEC_XDP_FRAGS`: loaded with `BPF_F_XDP_HAS_FRAGS`.
    pub const XDP_FRAGS: SecFlags = SecFlags(16);
    /// `SEC_USDT`: a USDT probe.
    pub const USDT: SecFlags = SecFlags(32);
    /// Not a libbpf flag: the section attaches to function return (`kretprobe`, `uretprobe`,
    /// `kretsyscall`, `*.multi` return variants).
    pub const RETPROBE: SecFlags = SecFlags(64);

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: SecFlags) -> bool {
        self.0 & other.0 == other.0
    }

    const fn with(self, other: SecFlags) -> SecFlags {
        SecFlags(self.0 | other.0)
    }
}

/// One entry of libbpf's section table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SecDef {
    /// The pattern (`"kprobe+"`, `"cgroup/connect4"`).
    pub sec: &'static str,
    /// Program type.
    pub prog_type: T,
    /// `expected_attach_type`.
    pub attach: A,
    /// Flags.
    pub flags: SecFlags,
}

const fn d(sec: &'static str, prog_type: T, attach: A, flags: SecFlags) -> SecDef {
    SecDef { sec, prog_type, attach, flags }
}

const NONE: SecFlags = SecFlags::NONE;
const SLEEP: SecFlags = SecFlags::SLEEPABLE;
const BTF: SecFlags = SecFlags::ATTACH_BTF;
const ATT: SecFlags = SecFlags::ATTACHABLE;
const OPT: SecFlags = SecFlags::ATTACHABLE_OPT;
const FRAGS: SecFlags = SecFlags::XDP_FRAGS;
const RET: SecFlags = SecFlags::RETPROBE;
const BTF_SLEEP: SecFlags = BTF.with(SLEEP);
const RET_SLEEP: SecFlags = RET.with(SLEEP);
const NO_ATTACH: A = A(0);

/// The table, in libbpf's order.
pub static SECTION_DEFS: &[SecDef] = &[
    d("socket", T::SocketFilter, NO_ATTACH, NONE),
    d("sk_reuseport/migrate", T::SkReuseport, A::SK_REUSEPORT_SELECT_OR_MIGRATE, ATT),
    d("sk_reuseport", T::SkReuseport, A::SK_REUSEPORT_SELECT, ATT),
    d("kprobe+", T::Kprobe, NO_ATTACH, NONE),
    d("uprobe+", T::Kprobe, NO_ATTACH, NONE),
    d("uprobe.s+", T::Kprobe, NO_ATTACH, SLEEP),
    d("kretprobe+", T::Kprobe, NO_ATTACH, RET),
    d("uretprobe+", T::Kprobe, NO_ATTACH, RET),
    d("uretprobe.s+", T::Kprobe, NO_ATTACH, RET_SLEEP),
    d("kprobe.multi+", T::Kprobe, A::TRACE_KPROBE_MULTI, NONE),
    d("kretprobe.multi+", T::Kprobe, A::TRACE_KPROBE_MULTI, RET),
    d("kprobe.session+", T::Kprobe, A::TRACE_KPROBE_SESSION, NONE),
    d("uprobe.multi+", T::Kprobe, A::TRACE_UPROBE_MULTI, NONE),
    d("uretprobe.multi+", T::Kprobe, A::TRACE_UPROBE_MULTI, RET),
    d("uprobe.session+", T::Kprobe, A::TRACE_UPROBE_SESSION, NONE),
    d("uprobe.multi.s+", T::Kprobe, A::TRACE_UPROBE_MULTI, SLEEP),
    d("uretprobe.multi.s+", T::Kprobe, A::TRACE_UPROBE_MULTI, RET_SLEEP),
    d("uprobe.session.s+", T::Kprobe, A::TRACE_UPROBE_SESSION, SLEEP),
    d("ksyscall+", T::Kprobe, NO_ATTACH, NONE),
    d("kretsyscall+", T::Kprobe, NO_ATTACH, RET),
    d("usdt+", T::Kprobe, NO_ATTACH, SecFlags::USDT),
    d("usdt.s+", T::Kprobe, NO_ATTACH, SecFlags::USDT.with(SLEEP)),
    d("tc/ingress", T::SchedCls, A::TCX_INGRESS, NONE),
    d("tc/egress", T::SchedCls, A::TCX_EGRESS, NONE),
    d("tcx/ingress", T::SchedCls, A::TCX_INGRESS, NONE),
    d("tcx/egress", T::SchedCls, A::TCX_EGRESS, NONE),
    d("tc", T::SchedCls, NO_ATTACH, NONE),
    d("classifier", T::SchedCls, NO_ATTACH, NONE),
    d("action", T::SchedAct, NO_ATTACH, NONE),
    d("netkit/primary", T::SchedCls, A::NETKIT_PRIMARY, NONE),
    d("netkit/peer", T::SchedCls, A::NETKIT_PEER, NONE),
    d("tracepoint+", T::Tracepoint, NO_ATTACH, NONE),
    d("tp+", T::Tracepoint, NO_ATTACH, NONE),
    d("raw_tracepoint+", T::RawTracepoint, NO_ATTACH, NONE),
    d("raw_tp+", T::RawTracepoint, NO_ATTACH, NONE),
    d("raw_tracepoint.w+", T::RawTracepointWritable, NO_ATTACH, NONE),
    d("raw_tp.w+", T::RawTracepointWritable, NO_ATTACH, NONE),
    d("tp_btf+", T::Tracing, A::TRACE_RAW_TP, BTF),
    d("fentry+", T::Tracing, A::TRACE_FENTRY, BTF),
    d("fmod_ret+", T::Tracing, A::MODIFY_RETURN, BTF),
    d("fexit+", T::Tracing, A::TRACE_FEXIT, BTF),
    d("fentry.s+", T::Tracing, A::TRACE_FENTRY, BTF_SLEEP),
    d("fmod_ret.s+", T::Tracing, A::MODIFY_RETURN, BTF_SLEEP),
    d("fexit.s+", T::Tracing, A::TRACE_FEXIT, BTF_SLEEP),
    d("freplace+", T::Ext, NO_ATTACH, BTF),
    d("lsm+", T::Lsm, A::LSM_MAC, BTF),
    d("lsm.s+", T::Lsm, A::LSM_MAC, BTF_SLEEP),
    d("lsm_cgroup+", T::Lsm, A::LSM_CGROUP, BTF),
    d("iter+", T::Tracing, A::TRACE_ITER, BTF),
    d("iter.s+", T::Tracing, A::TRACE_ITER, BTF_SLEEP),
    d("syscall", T::Syscall, NO_ATTACH, SLEEP),
    d("xdp.frags/devmap", T::Xdp, A::XDP_DEVMAP, FRAGS),
    d("xdp/devmap", T::Xdp, A::XDP_DEVMAP, ATT),
    d("xdp.frags/cpumap", T::Xdp, A::XDP_CPUMAP, FRAGS),
    d("xdp/cpumap", T::Xdp, A::XDP_CPUMAP, ATT),
    d("xdp.frags", T::Xdp, A::XDP, FRAGS),
    d("xdp", T::Xdp, A::XDP, OPT),
    d("perf_event", T::PerfEvent, NO_ATTACH, NONE),
    d("lwt_in", T::LwtIn, NO_ATTACH, NONE),
    d("lwt_out", T::LwtOut, NO_ATTACH, NONE),
    d("lwt_xmit", T::LwtXmit, NO_ATTACH, NONE),
    d("lwt_seg6local", T::LwtSeg6local, NO_ATTACH, NONE),
    d("sockops", T::SockOps, A::CGROUP_SOCK_OPS, OPT),
    d("sk_skb/stream_parser", T::SkSkb, A::SK_SKB_STREAM_PARSER, OPT),
    d("sk_skb/stream_verdict", T::SkSkb, A::SK_SKB_STREAM_VERDICT, OPT),
    d("sk_skb/verdict", T::SkSkb, A::SK_SKB_VERDICT, OPT),
    d("sk_skb", T::SkSkb, NO_ATTACH, NONE),
    d("sk_msg", T::SkMsg, A::SK_MSG_VERDICT, OPT),
    d("lirc_mode2", T::LircMode2, A::LIRC_MODE2, OPT),
    d("flow_dissector", T::FlowDissector, A::FLOW_DISSECTOR, OPT),
    d("cgroup_skb/ingress", T::CgroupSkb, A::CGROUP_INET_INGRESS, OPT),
    d("cgroup_skb/egress", T::CgroupSkb, A::CGROUP_INET_EGRESS, OPT),
    d("cgroup/skb", T::CgroupSkb, NO_ATTACH, NONE),
    d("cgroup/sock_create", T::CgroupSock, A::CGROUP_INET_SOCK_CREATE, ATT),
    d("cgroup/sock_release", T::CgroupSock, A::CGROUP_INET_SOCK_RELEASE, ATT),
    d("cgroup/sock", T::CgroupSock, A::CGROUP_INET_SOCK_CREATE, OPT),
    d("cgroup/post_bind4", T::CgroupSock, A::CGROUP_INET4_POST_BIND, ATT),
    d("cgroup/post_bind6", T::CgroupSock, A::CGROUP_INET6_POST_BIND, ATT),
    d("cgroup/bind4", T::CgroupSockAddr, A::CGROUP_INET4_BIND, ATT),
    d("cgroup/bind6", T::CgroupSockAddr, A::CGROUP_INET6_BIND, ATT),
    d("cgroup/connect4", T::CgroupSockAddr, A::CGROUP_INET4_CONNECT, ATT),
    d("cgroup/connect6", T::CgroupSockAddr, A::CGROUP_INET6_CONNECT, ATT),
    d("cgroup/connect_unix", T::CgroupSockAddr, A::CGROUP_UNIX_CONNECT, ATT),
    d("cgroup/sendmsg4", T::CgroupSockAddr, A::CGROUP_UDP4_SENDMSG, ATT),
    d("cgroup/sendmsg6", T::CgroupSockAddr, A::CGROUP_UDP6_SENDMSG, ATT),
    d("cgroup/sendmsg_unix", T::CgroupSockAddr, A::CGROUP_UNIX_SENDMSG, ATT),
    d("cgroup/recvmsg4", T::CgroupSockAddr, A::CGROUP_UDP4_RECVMSG, ATT),
    d("cgroup/recvmsg6", T::CgroupSockAddr, A::CGROUP_UDP6_RECVMSG, ATT),
    d("cgroup/recvmsg_unix", T::CgroupSockAddr, A::CGROUP_UNIX_RECVMSG, ATT),
    d("cgroup/getpeername4", T::CgroupSockAddr, A::CGROUP_INET4_GETPEERNAME, ATT),
    d("cgroup/getpeername6", T::CgroupSockAddr, A::CGROUP_INET6_GETPEERNAME, ATT),
    d("cgroup/getpeername_unix", T::CgroupSockAddr, A::CGROUP_UNIX_GETPEERNAME, ATT),
    d("cgroup/getsockname4", T::CgroupSockAddr, A::CGROUP_INET4_GETSOCKNAME, ATT),
    d("cgroup/getsockname6", T::CgroupSockAddr, A::CGROUP_INET6_GETSOCKNAME, ATT),
    d("cgroup/getsockname_unix", T::CgroupSockAddr, A::CGROUP_UNIX_GETSOCKNAME, ATT),
    d("cgroup/sysctl", T::CgroupSysctl, A::CGROUP_SYSCTL, ATT),
    d("cgroup/getsockopt", T::CgroupSockopt, A::CGROUP_GETSOCKOPT, ATT),
    d("cgroup/setsockopt", T::CgroupSockopt, A::CGROUP_SETSOCKOPT, ATT),
    d("cgroup/dev", T::CgroupDevice, A::CGROUP_DEVICE, OPT),
    d("struct_ops+", T::StructOps, NO_ATTACH, NONE),
    d("struct_ops.s+", T::StructOps, NO_ATTACH, SLEEP),
    d("sk_lookup", T::SkLookup, A::SK_LOOKUP, ATT),
    d("netfilter", T::Netfilter, A::NETFILTER, NONE),
];

/// What a section name means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionMatch<'a> {
    /// The matching definition.
    pub def: &'static SecDef,
    /// False when the name started with `?` (libbpf then does not load it unless asked).
    pub autoload: bool,
    /// The attach target after the `/` (`"do_unlinkat"`, `"syscalls/sys_enter_openat"`,
    /// `"/bin/bash:readline"`), when the definition takes one and the name has one.
    pub target: Option<&'a str>,
}

impl SectionMatch<'_> {
    /// Whether the program is loaded with `BPF_F_SLEEPABLE`.
    pub fn sleepable(&self) -> bool {
        self.def.flags.contains(SecFlags::SLEEPABLE)
    }

    /// Whether it attaches to a function's return.
    pub fn retprobe(&self) -> bool {
        self.def.flags.contains(SecFlags::RETPROBE)
    }
}

fn matches<'a>(def: &SecDef, name: &'a str) -> Option<Option<&'a str>> {
    if let Some(prefix) = def.sec.strip_suffix('+') {
        let rest = name.strip_prefix(prefix)?;
        if rest.is_empty() {
            return Some(None);
        }
        return rest.strip_prefix('/').map(|t| Some(t).filter(|t| !t.is_empty()));
    }
    if def.sec.ends_with('/') {
        return name.strip_prefix(def.sec).map(|t| Some(t).filter(|t| !t.is_empty()));
    }
    (name == def.sec).then_some(None)
}

/// The section definition a section name selects, as libbpf decides it; `None` for names
/// libbpf does not recognise (it then refuses to load the program unless told its type).
///
/// ```
/// use hive_platform::prog::{parse_section, ProgType, AttachType};
/// let m = parse_section("?kretprobe/do_unlinkat").unwrap();
/// assert_eq!(m.def.prog_type, ProgType::Kprobe);
/// assert!(!m.autoload && m.retprobe());
/// assert_eq!(m.target, Some("do_unlinkat"));
/// assert_eq!(parse_section("cgroup/connect4").unwrap().def.attach, AttachType::CGROUP_INET4_CONNECT);
/// assert!(parse_section("kprobex").is_none());
/// ```
pub fn parse_section(name: &str) -> Option<SectionMatch<'_>> {
    let (autoload, name) = match name.strip_prefix('?') {
        Some(rest) => (false, rest),
        None => (true, name),
    };
    SECTION_DEFS
        .iter()
        .find_map(|def| matches(def, name).map(|target| SectionMatch { def, autoload, target }))
}

/// The program type a pre-libbpf loader gave a section libbpf does not know, by prefix: the
/// rules of the kernel's old `samples/bpf/bpf_load.c` (which the objects built before
/// libbpf 1.0 were written for: `SEC("xdp1")`, `SEC("xdp_redirect_map")`,
/// `SEC("socket1")`, ...). libbpf 1.x refuses such names; verification tools use this to
/// check those objects the way they were loaded.
///
/// ```
/// use hive_platform::prog::ProgType;
/// use hive_platform::prog::section::legacy_prog_type;
/// assert_eq!(legacy_prog_type("xdp_ttl"), Some(ProgType::Xdp));
/// assert_eq!(legacy_prog_type("socket3"), Some(ProgType::SocketFilter));
/// assert_eq!(legacy_prog_type("tail-3"), None);
/// ```
pub fn legacy_prog_type(section: &str) -> Option<T> {
    const PREFIXES: &[(&str, T)] = &[
        ("socket", T::SocketFilter),
        ("kprobe/", T::Kprobe),
        ("kretprobe/", T::Kprobe),
        ("uprobe/", T::Kprobe),
        ("uretprobe/", T::Kprobe),
        ("tracepoint/", T::Tracepoint),
        ("raw_tracepoint/", T::RawTracepoint),
        ("xdp", T::Xdp),
        ("perf_event", T::PerfEvent),
        ("cgroup/skb", T::CgroupSkb),
        ("cgroup/sock", T::CgroupSock),
        ("sockops", T::SockOps),
        ("sk_skb", T::SkSkb),
        ("sk_msg", T::SkMsg),
        ("classifier", T::SchedCls),
        ("action", T::SchedAct),
        ("lwt_in", T::LwtIn),
        ("lwt_out", T::LwtOut),
        ("lwt_xmit", T::LwtXmit),
    ];
    PREFIXES.iter().find(|(p, _)| section.starts_with(p)).map(|&(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libbpf_examples() {
        let cases: &[(&str, T, A, Option<&str>)] = &[
            ("socket", T::SocketFilter, A(0), None),
            ("xdp", T::Xdp, A::XDP, None),
            ("xdp.frags", T::Xdp, A::XDP, None),
            ("xdp/devmap", T::Xdp, A::XDP_DEVMAP, None),
            ("tc", T::SchedCls, A(0), None),
            ("classifier", T::SchedCls, A(0), None),
            ("tc/ingress", T::SchedCls, A::TCX_INGRESS, None),
            ("tp/syscalls/sys_enter_openat", T::Tracepoint, A(0), Some("syscalls/sys_enter_openat")),
            ("tracepoint/sched/sched_switch", T::Tracepoint, A(0), Some("sched/sched_switch")),
            ("raw_tp/sched_switch", T::RawTracepoint, A(0), Some("sched_switch")),
            ("raw_tracepoint.w/bpf_test_finish", T::RawTracepointWritable, A(0), Some("bpf_test_finish")),
            ("kprobe/do_unlinkat", T::Kprobe, A(0), Some("do_unlinkat")),
            ("kprobe.multi/tcp_*", T::Kprobe, A::TRACE_KPROBE_MULTI, Some("tcp_*")),
            ("uprobe//bin/bash:readline", T::Kprobe, A(0), Some("/bin/bash:readline")),
            ("fentry/do_unlinkat", T::Tracing, A::TRACE_FENTRY, Some("do_unlinkat")),
            ("fexit.s/do_sys_open", T::Tracing, A::TRACE_FEXIT, Some("do_sys_open")),
            ("tp_btf/sched_switch", T::Tracing, A::TRACE_RAW_TP, Some("sched_switch")),
            ("lsm/file_open", T::Lsm, A::LSM_MAC, Some("file_open")),
            ("iter/task", T::Tracing, A::TRACE_ITER, Some("task")),
            ("struct_ops/ssthresh", T::StructOps, A(0), Some("ssthresh")),
            ("syscall", T::Syscall, A(0), None),
            ("perf_event", T::PerfEvent, A(0), None),
            ("cgroup_skb/egress", T::CgroupSkb, A::CGROUP_INET_EGRESS, None),
            ("sk_reuseport/migrate", T::SkReuseport, A::SK_REUSEPORT_SELECT_OR_MIGRATE, None),
            ("netfilter", T::Netfilter, A::NETFILTER, None),
        ];
        for &(name, t, a, target) in cases {
            let m = parse_section(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!((m.def.prog_type, m.def.attach, m.target), (t, a, target), "{name}");
            assert!(m.autoload);
        }
        assert!(parse_section("fentry.s/x").unwrap().sleepable());
        assert!(parse_section("syscall").unwrap().sleepable());
        for bad in ["", "kprobex", "xdp/foo", "tc/other", "socket/x", "?"] {
            assert!(parse_section(bad).is_none(), "{bad}");
        }
    }
}
