//! Attach types (`enum bpf_attach_type`, 0-57 as the 6.18 kernel knows them).

use super::AttachType;

impl AttachType {
    /// `BPF_CGROUP_INET_INGRESS` (0).
    #[doc(alias = "BPF_CGROUP_INET_INGRESS")]
    pub const CGROUP_INET_INGRESS: AttachType = AttachType(0);
    /// `BPF_CGROUP_INET_EGRESS` (1).
    #[doc(alias = "BPF_CGROUP_INET_EGRESS")]
    pub const CGROUP_INET_EGRESS: AttachType = AttachType(1);
    /// `BPF_CGROUP_INET_SOCK_CREATE` (2).
    #[doc(alias = "BPF_CGROUP_INET_SOCK_CREATE")]
    pub const CGROUP_INET_SOCK_CREATE: AttachType = AttachType(2);
    /// `BPF_CGROUP_SOCK_OPS` (3).
    #[doc(alias = "BPF_CGROUP_SOCK_OPS")]
    pub const CGROUP_SOCK_OPS: AttachType = AttachType(3);
    /// `BPF_SK_SKB_STREAM_PARSER` (4).
    #[doc(alias = "BPF_SK_SKB_STREAM_PARSER")]
    pub const SK_SKB_STREAM_PARSER: AttachType = AttachType(4);
    /// `BPF_SK_SKB_STREAM_VERDICT` (5).
    #[doc(alias = "BPF_SK_SKB_STREAM_VERDICT")]
    pub const SK_SKB_STREAM_VERDICT: AttachType = AttachType(5);
    /// `BPF_CGROUP_DEVICE` (6).
    #[doc(alias = "BPF_CGROUP_DEVICE")]
    pub const CGROUP_DEVICE: AttachType = AttachType(6);
    /// `BPF_SK_MSG_VERDICT` (7).
    #[doc(alias = "BPF_SK_MSG_VERDICT")]
    pub const SK_MSG_VERDICT: AttachType = AttachType(7);
    /// `BPF_CGROUP_INET4_BIND` (8).
    #[doc(alias = "BPF_CGROUP_INET4_BIND")]
    pub const CGROUP_INET4_BIND: AttachType = AttachType(8);
    /// `BPF_CGROUP_INET6_BIND` (9).
    #[doc(alias = "BPF_CGROUP_INET6_BIND")]
    pub const CGROUP_INET6_BIND: AttachType = AttachType(9);
    /// `BPF_CGROUP_INET4_CONNECT` (10).
    #[doc(alias = "BPF_CGROUP_INET4_CONNECT")]
    pub const CGROUP_INET4_CONNECT: AttachType = AttachType(10);
    /// `BPF_CGROUP_INET6_CONNECT` (11).
    #[doc(alias = "BPF_CGROUP_INET6_CONNECT")]
    pub const CGROUP_INET6_CONNECT: AttachType = AttachType(11);
    /// `BPF_CGROUP_INET4_POST_BIND` (12).
    #[doc(alias = "BPF_CGROUP_INET4_POST_BIND")]
    pub const CGROUP_INET4_POST_BIND: AttachType = AttachType(12);
    /// `BPF_CGROUP_INET6_POST_BIND` (13).
    #[doc(alias = "BPF_CGROUP_INET6_POST_BIND")]
    pub const CGROUP_INET6_POST_BIND: AttachType = AttachType(13);
    /// `BPF_CGROUP_UDP4_SENDMSG` (14).
    #[doc(alias = "BPF_CGROUP_UDP4_SENDMSG")]
    pub const CGROUP_UDP4_SENDMSG: AttachType = AttachType(14);
    /// `BPF_CGROUP_UDP6_SENDMSG` (15).
    #[doc(alias = "BPF_CGROUP_UDP6_SENDMSG")]
    pub const CGROUP_UDP6_SENDMSG: AttachType = AttachType(15);
    /// `BPF_LIRC_MODE2` (16).
    #[doc(alias = "BPF_LIRC_MODE2")]
    pub const LIRC_MODE2: AttachType = AttachType(16);
    /// `BPF_FLOW_DISSECTOR` (17).
    #[doc(alias = "BPF_FLOW_DISSECTOR")]
    pub const FLOW_DISSECTOR: AttachType = AttachType(17);
    /// `BPF_CGROUP_SYSCTL` (18).
    #[doc(alias = "BPF_CGROUP_SYSCTL")]
    pub const CGROUP_SYSCTL: AttachType = AttachType(18);
    /// `BPF_CGROUP_UDP4_RECVMSG` (19).
    #[doc(alias = "BPF_CGROUP_UDP4_RECVMSG")]
    pub const CGROUP_UDP4_RECVMSG: AttachType = AttachType(19);
    /// `BPF_CGROUP_UDP6_RECVMSG` (20).
    #[doc(alias = "BPF_CGROUP_UDP6_RECVMSG")]
    pub const CGROUP_UDP6_RECVMSG: AttachType = AttachType(20);
    /// `BPF_CGROUP_GETSOCKOPT` (21).
    #[doc(alias = "BPF_CGROUP_GETSOCKOPT")]
    pub const CGROUP_GETSOCKOPT: AttachType = AttachType(21);
    /// `BPF_CGROUP_SETSOCKOPT` (22).
    #[doc(alias = "BPF_CGROUP_SETSOCKOPT")]
    pub const CGROUP_SETSOCKOPT: AttachType = AttachType(22);
    /// `BPF_TRACE_RAW_TP` (23).
    #[doc(alias = "BPF_TRACE_RAW_TP")]
    pub const TRACE_RAW_TP: AttachType = AttachType(23);
    /// `BPF_TRACE_FENTRY` (24).
    #[doc(alias = "BPF_TRACE_FENTRY")]
    pub const TRACE_FENTRY: AttachType = AttachType(24);
    /// `BPF_TRACE_FEXIT` (25).
    #[doc(alias = "BPF_TRACE_FEXIT")]
    pub const TRACE_FEXIT: AttachType = AttachType(25);
    /// `BPF_MODIFY_RETURN` (26).
    #[doc(alias = "BPF_MODIFY_RETURN")]
    pub const MODIFY_RETURN: AttachType = AttachType(26);
    /// `BPF_LSM_MAC` (27).
    #[doc(alias = "BPF_LSM_MAC")]
    pub const LSM_MAC: AttachType = AttachType(27);
    /// `BPF_TRACE_ITER` (28).
    #[doc(alias = "BPF_TRACE_ITER")]
    pub const TRACE_ITER: AttachType = AttachType(28);
    /// `BPF_CGROUP_INET4_GETPEERNAME` (29).
    #[doc(alias = "BPF_CGROUP_INET4_GETPEERNAME")]
    pub const CGROUP_INET4_GETPEERNAME: AttachType = AttachType(29);
    /// `BPF_CGROUP_INET6_GETPEERNAME` (30).
    #[doc(alias = "BPF_CGROUP_INET6_GETPEERNAME")]
    pub const CGROUP_INET6_GETPEERNAME: AttachType = AttachType(30);
    /// `BPF_CGROUP_INET4_GETSOCKNAME` (31).
    #[doc(alias = "BPF_CGROUP_INET4_GETSOCKNAME")]
    pub const CGROUP_INET4_GETSOCKNAME: AttachType = AttachType(31);
    /// `BPF_CGROUP_INET6_GETSOCKNAME` (32).
    #[doc(alias = "BPF_CGROUP_INET6_GETSOCKNAME")]
    pub const CGROUP_INET6_GETSOCKNAME: AttachType = AttachType(32);
    /// `BPF_XDP_DEVMAP` (33).
    #[doc(alias = "BPF_XDP_DEVMAP")]
    pub const XDP_DEVMAP: AttachType = AttachType(33);
    /// `BPF_CGROUP_INET_SOCK_RELEASE` (34).
    #[doc(alias = "BPF_CGROUP_INET_SOCK_RELEASE")]
    pub const CGROUP_INET_SOCK_RELEASE: AttachType = AttachType(34);
    /// `BPF_XDP_CPUMAP` (35).
    #[doc(alias = "BPF_XDP_CPUMAP")]
    pub const XDP_CPUMAP: AttachType = AttachType(35);
    /// `BPF_SK_LOOKUP` (36).
    #[doc(alias = "BPF_SK_LOOKUP")]
    pub const SK_LOOKUP: AttachType = AttachType(36);
    /// `BPF_XDP` (37).
    #[doc(alias = "BPF_XDP")]
    pub const XDP: AttachType = AttachType(37);
    /// `BPF_SK_SKB_VERDICT` (38).
    #[doc(alias = "BPF_SK_SKB_VERDICT")]
    pub const SK_SKB_VERDICT: AttachType = AttachType(38);
    /// `BPF_SK_REUSEPORT_SELECT` (39).
    #[doc(alias = "BPF_SK_REUSEPORT_SELECT")]
    pub const SK_REUSEPORT_SELECT: AttachType = AttachType(39);
    /// `BPF_SK_REUSEPORT_SELECT_OR_MIGRATE` (40).
    #[doc(alias = "BPF_SK_REUSEPORT_SELECT_OR_MIGRATE")]
    pub const SK_REUSEPORT_SELECT_OR_MIGRATE: AttachType = AttachType(40);
    /// `BPF_PERF_EVENT` (41).
    #[doc(alias = "BPF_PERF_EVENT")]
    pub const PERF_EVENT: AttachType = AttachType(41);
    /// `BPF_TRACE_KPROBE_MULTI` (42).
    #[doc(alias = "BPF_TRACE_KPROBE_MULTI")]
    pub const TRACE_KPROBE_MULTI: AttachType = AttachType(42);
    /// `BPF_LSM_CGROUP` (43).
    #[doc(alias = "BPF_LSM_CGROUP")]
    pub const LSM_CGROUP: AttachType = AttachType(43);
    /// `BPF_STRUCT_OPS` (44).
    #[doc(alias = "BPF_STRUCT_OPS")]
    pub const STRUCT_OPS: AttachType = AttachType(44);
    /// `BPF_NETFILTER` (45).
    #[doc(alias = "BPF_NETFILTER")]
    pub const NETFILTER: AttachType = AttachType(45);
    /// `BPF_TCX_INGRESS` (46).
    #[doc(alias = "BPF_TCX_INGRESS")]
    pub const TCX_INGRESS: AttachType = AttachType(46);
    /// `BPF_TCX_EGRESS` (47).
    #[doc(alias = "BPF_TCX_EGRESS")]
    pub const TCX_EGRESS: AttachType = AttachType(47);
    /// `BPF_TRACE_UPROBE_MULTI` (48).
    #[doc(alias = "BPF_TRACE_UPROBE_MULTI")]
    pub const TRACE_UPROBE_MULTI: AttachType = AttachType(48);
    /// `BPF_CGROUP_UNIX_CONNECT` (49).
    #[doc(alias = "BPF_CGROUP_UNIX_CONNECT")]
    pub const CGROUP_UNIX_CONNECT: AttachType = AttachType(49);
    /// `BPF_CGROUP_UNIX_SENDMSG` (50).
    #[doc(alias = "BPF_CGROUP_UNIX_SENDMSG")]
    pub const CGROUP_UNIX_SENDMSG: AttachType = AttachType(50);
    /// `BPF_CGROUP_UNIX_RECVMSG` (51).
    #[doc(alias = "BPF_CGROUP_UNIX_RECVMSG")]
    pub const CGROUP_UNIX_RECVMSG: AttachType = AttachType(51);
    /// `BPF_CGROUP_UNIX_GETPEERNAME` (52).
    #[doc(alias = "BPF_CGROUP_UNIX_GETPEERNAME")]
    pub const CGROUP_UNIX_GETPEERNAME: AttachType = AttachType(52);
    /// `BPF_CGROUP_UNIX_GETSOCKNAME` (53).
    #[doc(alias = "BPF_CGROUP_UNIX_GETSOCKNAME")]
    pub const CGROUP_UNIX_GETSOCKNAME: AttachType = AttachType(53);
    /// `BPF_NETKIT_PRIMARY` (54).
    #[doc(alias = "BPF_NETKIT_PRIMARY")]
    pub const NETKIT_PRIMARY: AttachType = AttachType(54);
    /// `BPF_NETKIT_PEER` (55).
    #[doc(alias = "BPF_NETKIT_PEER")]
    pub const NETKIT_PEER: AttachType = AttachType(55);
    /// `BPF_TRACE_KPROBE_SESSION` (56).
    #[doc(alias = "BPF_TRACE_KPROBE_SESSION")]
    pub const TRACE_KPROBE_SESSION: AttachType = AttachType(56);
    /// `BPF_TRACE_UPROBE_SESSION` (57).
    #[doc(alias = "BPF_TRACE_UPROBE_SESSION")]
    pub const TRACE_UPROBE_SESSION: AttachType = AttachType(57);

    /// Number of attach types the kernel knows (`__MAX_BPF_ATTACH_TYPE`).
    pub const COUNT: u32 = 58;
}

/// Names without the `BPF_` prefix, indexed by value.
pub(super) const NAMES: [&str; AttachType::COUNT as usize] = [
    "CGROUP_INET_INGRESS",
    "CGROUP_INET_EGRESS",
    "CGROUP_INET_SOCK_CREATE",
    "CGROUP_SOCK_OPS",
    "SK_SKB_STREAM_PARSER",
    "SK_SKB_STREAM_VERDICT",
    "CGROUP_DEVICE",
    "SK_MSG_VERDICT",
    "CGROUP_INET4_BIND",
    "CGROUP_INET6_BIND",
    "CGROUP_INET4_CONNECT",
    "CGROUP_INET6_CONNECT",
    "CGROUP_INET4_POST_BIND",
    "CGROUP_INET6_POST_BIND",
    "CGROUP_UDP4_SENDMSG",
    "CGROUP_UDP6_SENDMSG",
    "LIRC_MODE2",
    "FLOW_DISSECTOR",
    "CGROUP_SYSCTL",
    "CGROUP_UDP4_RECVMSG",
    "CGROUP_UDP6_RECVMSG",
    "CGROUP_GETSOCKOPT",
    "CGROUP_SETSOCKOPT",
    "TRACE_RAW_TP",
    "TRACE_FENTRY",
    "TRACE_FEXIT",
    "MODIFY_RETURN",
    "LSM_MAC",
    "TRACE_ITER",
    "CGROUP_INET4_GETPEERNAME",
    "CGROUP_INET6_GETPEERNAME",
    "CGROUP_INET4_GETSOCKNAME",
    "CGROUP_INET6_GETSOCKNAME",
    "XDP_DEVMAP",
    "CGROUP_INET_SOCK_RELEASE",
    "XDP_CPUMAP",
    "SK_LOOKUP",
    "XDP",
    "SK_SKB_VERDICT",
    "SK_REUSEPORT_SELECT",
    "SK_REUSEPORT_SELECT_OR_MIGRATE",
    "PERF_EVENT",
    "TRACE_KPROBE_MULTI",
    "LSM_CGROUP",
    "STRUCT_OPS",
    "NETFILTER",
    "TCX_INGRESS",
    "TCX_EGRESS",
    "TRACE_UPROBE_MULTI",
    "CGROUP_UNIX_CONNECT",
    "CGROUP_UNIX_SENDMSG",
    "CGROUP_UNIX_RECVMSG",
    "CGROUP_UNIX_GETPEERNAME",
    "CGROUP_UNIX_GETSOCKNAME",
    "NETKIT_PRIMARY",
    "NETKIT_PEER",
    "TRACE_KPROBE_SESSION",
    "TRACE_UPROBE_SESSION",
];
