//! Which helpers each program type may call: the kernel's `*_func_proto` switches as data.
//!
//! Generated from layer definitions and checked against the 6.18 verifier of the probe host
//! (root, lockdown in integrity mode, no `CONFIG_BPF_KPROBE_OVERRIDE`) for every program type
//! and attach type it could load (39 configurations: all but fentry/fexit/fmod_ret, LSM, ext
//! and lirc_mode2) and each of the 212 helper ids: availability identical in all 39; the
//! `gpl_only` of the prototype each type gets identical in 3457 of 3457 (type, helper) pairs
//! (struct_ops only loads with a GPL license); the first argument a scalar zero fails
//! identical in 3537 of 3537. `tests/kernel_oracle.rs` repeats the check for the types
//! `hive-kernel` can load. Tiers (`BpfCap`, `Perfmon`) were probed by dropping capabilities.
//! A program type is an ordered list of [`HelperSet`]s; the first set that lists an id decides
//! (see [`super::ProgTypeInfo::helper`]), as a `switch` that falls through to a shared function does.

use super::{AttachType, HelperEntry, HelperSet, Requires};
use crate::helper::{core, net, sock, trace};

const KPROBE_MULTI_ATTACH: &[AttachType] = &[AttachType::TRACE_KPROBE_MULTI, AttachType::TRACE_KPROBE_SESSION];
const UPROBE_MULTI_ATTACH: &[AttachType] = &[AttachType::TRACE_UPROBE_MULTI, AttachType::TRACE_UPROBE_SESSION];
const ITER_ATTACH: &[AttachType] = &[AttachType::TRACE_ITER];
const TRAMPOLINE_ATTACH: &[AttachType] =
    &[AttachType::TRACE_FENTRY, AttachType::TRACE_FEXIT, AttachType::MODIFY_RETURN, AttachType::LSM_MAC, AttachType::LSM_CGROUP];
const COOKIE_TRACING_ATTACH: &[AttachType] = &[
    AttachType::TRACE_RAW_TP,
    AttachType::TRACE_FENTRY,
    AttachType::TRACE_FEXIT,
    AttachType::MODIFY_RETURN,
    AttachType::LSM_MAC,
    AttachType::LSM_CGROUP,
];
const CONNECT_ATTACH: &[AttachType] = &[AttachType::CGROUP_INET4_CONNECT, AttachType::CGROUP_INET6_CONNECT];
const SETSOCKOPT_ATTACH: &[AttachType] = &[AttachType::CGROUP_SETSOCKOPT];
const LSM_CGROUP_ATTACH: &[AttachType] = &[AttachType::LSM_CGROUP];

const fn e(proto: &'static crate::HelperProto, requires: Requires) -> HelperEntry {
    HelperEntry { proto, requires }
}

/// Helpers every program type may call (`bpf_base_func_proto`), by privilege tier.
pub const BASE: HelperSet = HelperSet {
    name: "base",
    kernel: "bpf_base_func_proto",
    entries: &[
        e(&core::MAP_LOOKUP_ELEM, Requires::Always),
        e(&core::MAP_UPDATE_ELEM, Requires::Always),
        e(&core::MAP_DELETE_ELEM, Requires::Always),
        e(&core::MAP_PUSH_ELEM, Requires::Always),
        e(&core::MAP_POP_ELEM, Requires::Always),
        e(&core::MAP_PEEK_ELEM, Requires::Always),
        e(&core::MAP_LOOKUP_PERCPU_ELEM, Requires::Always),
        e(&core::GET_PRANDOM_U32, Requires::Always),
        e(&core::GET_RAW_SMP_PROCESSOR_ID, Requires::Always),
        e(&core::GET_NUMA_NODE_ID, Requires::Always),
        e(&core::TAIL_CALL, Requires::Always),
        e(&core::KTIME_GET_NS, Requires::Always),
        e(&core::KTIME_GET_BOOT_NS, Requires::Always),
        e(&core::KTIME_GET_TAI_NS, Requires::Always),
        e(&core::RINGBUF_OUTPUT, Requires::Always),
        e(&core::RINGBUF_RESERVE, Requires::Always),
        e(&core::RINGBUF_SUBMIT, Requires::Always),
        e(&core::RINGBUF_DISCARD, Requires::Always),
        e(&core::RINGBUF_QUERY, Requires::Always),
        e(&core::STRNCMP, Requires::Always),
        e(&core::STRTOL, Requires::Always),
        e(&core::STRTOUL, Requires::Always),
        e(&core::GET_CURRENT_PID_TGID, Requires::Always),
        e(&core::GET_NS_CURRENT_PID_TGID, Requires::Always),
        e(&core::GET_CURRENT_UID_GID, Requires::BpfCap),
        e(&net::GET_CGROUP_CLASSID_CURR, Requires::BpfCap),
        e(&trace::CURRENT_TASK_UNDER_CGROUP, Requires::BpfCap),
        e(&core::GET_CURRENT_CGROUP_ID, Requires::BpfCap),
        e(&core::GET_CURRENT_ANCESTOR_CGROUP_ID, Requires::BpfCap),
        e(&core::SPIN_LOCK, Requires::BpfCap),
        e(&core::SPIN_UNLOCK, Requires::BpfCap),
        e(&core::JIFFIES64, Requires::BpfCap),
        e(&core::PER_CPU_PTR, Requires::BpfCap),
        e(&core::THIS_CPU_PTR, Requires::BpfCap),
        e(&core::TASK_STORAGE_GET, Requires::BpfCap),
        e(&core::TASK_STORAGE_DELETE, Requires::BpfCap),
        e(&core::FOR_EACH_MAP_ELEM, Requires::BpfCap),
        e(&core::TIMER_INIT, Requires::BpfCap),
        e(&core::TIMER_SET_CALLBACK, Requires::BpfCap),
        e(&core::TIMER_START, Requires::BpfCap),
        e(&core::TIMER_CANCEL, Requires::BpfCap),
        e(&core::LOOP, Requires::BpfCap),
        e(&core::KPTR_XCHG, Requires::BpfCap),
        e(&core::DYNPTR_FROM_MEM, Requires::BpfCap),
        e(&core::RINGBUF_RESERVE_DYNPTR, Requires::BpfCap),
        e(&core::RINGBUF_SUBMIT_DYNPTR, Requires::BpfCap),
        e(&core::RINGBUF_DISCARD_DYNPTR, Requires::BpfCap),
        e(&core::DYNPTR_READ, Requires::BpfCap),
        e(&core::DYNPTR_WRITE, Requires::BpfCap),
        e(&core::DYNPTR_DATA, Requires::BpfCap),
        e(&core::USER_RINGBUF_DRAIN, Requires::BpfCap),
        e(&core::CGRP_STORAGE_GET, Requires::BpfCap),
        e(&core::CGRP_STORAGE_DELETE, Requires::BpfCap),
        e(&trace::TRACE_PRINTK, Requires::Perfmon),
        e(&core::GET_CURRENT_COMM, Requires::Perfmon),
        e(&trace::PERF_EVENT_READ, Requires::Perfmon),
        e(&trace::GET_CURRENT_TASK, Requires::Perfmon),
        e(&trace::PERF_EVENT_READ_VALUE, Requires::Perfmon),
        e(&trace::SEND_SIGNAL, Requires::Perfmon),
        e(&trace::SEND_SIGNAL_THREAD, Requires::Perfmon),
        e(&trace::PROBE_READ_USER, Requires::Perfmon),
        e(&trace::PROBE_READ_KERNEL, Requires::Perfmon),
        e(&trace::PROBE_READ_USER_STR, Requires::Perfmon),
        e(&trace::PROBE_READ_KERNEL_STR, Requires::Perfmon),
        e(&trace::GET_TASK_STACK, Requires::Perfmon),
        e(&core::COPY_FROM_USER, Requires::Perfmon),
        e(&trace::SNPRINTF_BTF, Requires::Perfmon),
        e(&trace::GET_CURRENT_TASK_BTF, Requires::Perfmon),
        e(&core::SNPRINTF, Requires::Perfmon),
        e(&trace::TASK_PT_REGS, Requires::Perfmon),
        e(&trace::GET_BRANCH_SNAPSHOT, Requires::Perfmon),
        e(&trace::TRACE_VPRINTK, Requires::Perfmon),
        e(&trace::FIND_VMA, Requires::Perfmon),
        e(&core::COPY_FROM_USER_TASK, Requires::Perfmon),
    ],
};

/// Socket-level additions (`bpf_sk_base_func_proto`): socket casts and the coarse clock.
pub const SK_BASE: HelperSet = HelperSet {
    name: "sk_base",
    kernel: "bpf_sk_base_func_proto",
    entries: &[
        e(&net::SKC_TO_TCP6_SOCK, Requires::Perfmon),
        e(&net::SKC_TO_TCP_SOCK, Requires::Perfmon),
        e(&net::SKC_TO_TCP_TIMEWAIT_SOCK, Requires::Perfmon),
        e(&net::SKC_TO_TCP_REQUEST_SOCK, Requires::Perfmon),
        e(&net::SKC_TO_UDP6_SOCK, Requires::Perfmon),
        e(&net::SKC_TO_UNIX_SOCK, Requires::Perfmon),
        e(&net::SKC_TO_MPTCP_SOCK, Requires::Perfmon),
        e(&core::KTIME_GET_COARSE_NS, Requires::Always),
    ],
};

/// What `bpf_tracing_func_proto` adds for every tracing type.
pub const TRACING_COMMON: HelperSet = HelperSet {
    name: "tracing_common",
    kernel: "bpf_tracing_func_proto",
    entries: &[
        e(&trace::PROBE_READ, Requires::Always),
        e(&trace::PROBE_READ_STR, Requires::Always),
        e(&trace::PROBE_WRITE_USER, Requires::WriteUser),
        e(&trace::GET_FUNC_IP_TRACING, Requires::Always),
    ],
};

/// kprobe, kprobe.multi, kprobe.session, uprobe(.multi, .session).
pub const KPROBE: HelperSet = HelperSet {
    name: "kprobe",
    kernel: "kprobe_prog_func_proto",
    entries: &[
        e(&trace::PERF_EVENT_OUTPUT, Requires::Always),
        e(&trace::GET_STACKID, Requires::Always),
        e(&trace::GET_STACK, Requires::Always),
        e(&trace::OVERRIDE_RETURN, Requires::KprobeOverride),
        e(&trace::GET_FUNC_IP_KPROBE_MULTI, Requires::AttachType(KPROBE_MULTI_ATTACH)),
        e(&trace::GET_FUNC_IP_UPROBE_MULTI, Requires::AttachType(UPROBE_MULTI_ATTACH)),
        e(&trace::GET_FUNC_IP_KPROBE, Requires::Always),
        e(&trace::GET_ATTACH_COOKIE_KMULTI, Requires::AttachType(KPROBE_MULTI_ATTACH)),
        e(&trace::GET_ATTACH_COOKIE_UMULTI, Requires::AttachType(UPROBE_MULTI_ATTACH)),
        e(&trace::GET_ATTACH_COOKIE_TRACE, Requires::Always),
    ],
};

/// Tracepoints (context hides a `pt_regs *`).
pub const TP: HelperSet = HelperSet {
    name: "tp",
    kernel: "tp_prog_func_proto",
    entries: &[
        e(&trace::PERF_EVENT_OUTPUT_TP, Requires::Always),
        e(&trace::GET_STACKID_TP, Requires::Always),
        e(&trace::GET_STACK_TP, Requires::Always),
        e(&trace::GET_ATTACH_COOKIE_TRACE, Requires::Always),
    ],
};

/// Perf events.
pub const PE: HelperSet = HelperSet {
    name: "pe",
    kernel: "pe_prog_func_proto",
    entries: &[
        e(&trace::PERF_EVENT_OUTPUT_TP, Requires::Always),
        e(&trace::GET_STACKID_PE, Requires::Always),
        e(&trace::GET_STACK_PE, Requires::Always),
        e(&trace::PERF_PROG_READ_VALUE, Requires::Always),
        e(&trace::READ_BRANCH_RECORDS, Requires::Always),
        e(&trace::GET_ATTACH_COOKIE_PE, Requires::Always),
    ],
};

/// Raw tracepoints (and, beneath [`TRACING`], BTF tracing and syscall programs).
pub const RAW_TP: HelperSet = HelperSet {
    name: "raw_tp",
    kernel: "raw_tp_prog_func_proto",
    entries: &[
        e(&trace::PERF_EVENT_OUTPUT_RAW_TP, Requires::Always),
        e(&trace::GET_STACKID_RAW_TP, Requires::Always),
        e(&trace::GET_STACK_RAW_TP, Requires::Always),
        e(&trace::GET_ATTACH_COOKIE_TRACING, Requires::Always),
    ],
};

/// BTF tracing: tp_btf, fentry, fexit, fmod_ret, iterators (and syscall and LSM programs).
pub const TRACING: HelperSet = HelperSet {
    name: "tracing",
    kernel: "tracing_prog_func_proto",
    entries: &[
        e(&trace::SKB_OUTPUT, Requires::Always),
        e(&trace::XDP_OUTPUT, Requires::Always),
        e(&net::SKC_TO_TCP6_SOCK, Requires::Always),
        e(&net::SKC_TO_TCP_SOCK, Requires::Always),
        e(&net::SKC_TO_TCP_TIMEWAIT_SOCK, Requires::Always),
        e(&net::SKC_TO_TCP_REQUEST_SOCK, Requires::Always),
        e(&net::SKC_TO_UDP6_SOCK, Requires::Always),
        e(&net::SKC_TO_UNIX_SOCK, Requires::Always),
        e(&net::SKC_TO_MPTCP_SOCK, Requires::Always),
        e(&sock::SK_STORAGE_GET_TRACING, Requires::Always),
        e(&sock::SK_STORAGE_DELETE_TRACING, Requires::Always),
        e(&trace::SOCK_FROM_FILE, Requires::Always),
        e(&trace::GET_SOCKET_PTR_COOKIE, Requires::Always),
        e(&trace::XDP_GET_BUFF_LEN_TRACE, Requires::Always),
        e(&trace::D_PATH, Requires::Always),
        e(&trace::SEQ_PRINTF, Requires::AttachType(ITER_ATTACH)),
        e(&trace::SEQ_WRITE, Requires::AttachType(ITER_ATTACH)),
        e(&trace::SEQ_PRINTF_BTF, Requires::AttachType(ITER_ATTACH)),
        e(&trace::GET_FUNC_ARG, Requires::AttachType(TRAMPOLINE_ATTACH)),
        e(&trace::GET_FUNC_RET, Requires::AttachType(TRAMPOLINE_ATTACH)),
        e(&trace::GET_FUNC_ARG_CNT, Requires::AttachType(TRAMPOLINE_ATTACH)),
        e(&trace::GET_ATTACH_COOKIE_TRACING, Requires::AttachType(COOKIE_TRACING_ATTACH)),
    ],
};

/// Syscall programs.
pub const SYSCALL: HelperSet = HelperSet {
    name: "syscall",
    kernel: "syscall_prog_func_proto",
    entries: &[
        e(&core::SYS_BPF, Requires::Perfmon),
        e(&core::BTF_FIND_BY_NAME_KIND, Requires::Always),
        e(&core::SYS_CLOSE, Requires::Always),
        e(&core::KALLSYMS_LOOKUP_NAME, Requires::Always),
    ],
};

/// Socket filters.
pub const SOCKET_FILTER: HelperSet = HelperSet {
    name: "socket_filter",
    kernel: "sk_filter_func_proto",
    entries: &[
        e(&net::SKB_EVENT_OUTPUT, Requires::Always),
        e(&net::SKB_LOAD_BYTES, Requires::Always),
        e(&net::GET_SOCKET_COOKIE, Requires::Always),
        e(&net::GET_SOCKET_UID, Requires::Always),
        e(&net::SKB_LOAD_BYTES_RELATIVE, Requires::Always),
        e(&sock::GET_NETNS_COOKIE, Requires::Always),
    ],
};

/// tc classifiers and actions.
pub const TC: HelperSet = HelperSet {
    name: "tc",
    kernel: "tc_cls_act_func_proto",
    entries: &[
        e(&net::SKB_STORE_BYTES, Requires::Always),
        e(&net::L3_CSUM_REPLACE, Requires::Always),
        e(&net::L4_CSUM_REPLACE, Requires::Always),
        e(&net::CLONE_REDIRECT, Requires::Always),
        e(&net::GET_CGROUP_CLASSID, Requires::Always),
        e(&net::SKB_VLAN_PUSH, Requires::Always),
        e(&net::SKB_VLAN_POP, Requires::Always),
        e(&net::SKB_GET_TUNNEL_KEY, Requires::Always),
        e(&net::SKB_SET_TUNNEL_KEY, Requires::Always),
        e(&net::REDIRECT, Requires::Always),
        e(&net::GET_ROUTE_REALM, Requires::Always),
        e(&net::SKB_EVENT_OUTPUT, Requires::Always),
        e(&net::SKB_LOAD_BYTES, Requires::Always),
        e(&net::CSUM_DIFF, Requires::Always),
        e(&net::SKB_GET_TUNNEL_OPT, Requires::Always),
        e(&net::SKB_SET_TUNNEL_OPT, Requires::Always),
        e(&net::SKB_CHANGE_PROTO, Requires::Always),
        e(&net::SKB_CHANGE_TYPE, Requires::Always),
        e(&net::SKB_UNDER_CGROUP, Requires::Always),
        e(&net::GET_HASH_RECALC, Requires::Always),
        e(&net::SKB_CHANGE_TAIL, Requires::Always),
        e(&net::SKB_PULL_DATA, Requires::Always),
        e(&net::CSUM_UPDATE, Requires::Always),
        e(&net::SET_HASH_INVALID, Requires::Always),
        e(&net::SKB_CHANGE_HEAD, Requires::Always),
        e(&net::GET_SOCKET_COOKIE, Requires::Always),
        e(&net::GET_SOCKET_UID, Requires::Always),
        e(&net::SET_HASH, Requires::Always),
        e(&net::SKB_ADJUST_ROOM, Requires::Always),
        e(&net::SKB_GET_XFRM_STATE, Requires::Always),
        e(&net::SKB_LOAD_BYTES_RELATIVE, Requires::Always),
        e(&net::SKB_FIB_LOOKUP, Requires::Always),
        e(&net::SKB_CGROUP_ID, Requires::Always),
        e(&net::SKB_ANCESTOR_CGROUP_ID, Requires::Always),
        e(&net::SK_LOOKUP_TCP, Requires::Always),
        e(&net::SK_LOOKUP_UDP, Requires::Always),
        e(&net::SK_RELEASE, Requires::Always),
        e(&net::SK_FULLSOCK, Requires::Always),
        e(&net::TCP_SOCK, Requires::Always),
        e(&net::SKB_ECN_SET_CE, Requires::Always),
        e(&net::GET_LISTENER_SOCK, Requires::Always),
        e(&net::SKC_LOOKUP_TCP, Requires::Always),
        e(&net::TCP_CHECK_SYNCOOKIE, Requires::Always),
        e(&sock::SK_STORAGE_GET, Requires::Always),
        e(&sock::SK_STORAGE_DELETE, Requires::Always),
        e(&net::TCP_GEN_SYNCOOKIE, Requires::Always),
        e(&sock::GET_NETNS_COOKIE, Requires::Always),
        e(&net::SK_ASSIGN, Requires::Always),
        e(&net::CSUM_LEVEL, Requires::Always),
        e(&net::SKB_CGROUP_CLASSID, Requires::Always),
        e(&net::REDIRECT_NEIGH, Requires::Always),
        e(&net::REDIRECT_PEER, Requires::Always),
        e(&net::SKB_CHECK_MTU, Requires::Always),
        e(&net::SKB_SET_TSTAMP, Requires::Always),
        e(&net::TCP_RAW_GEN_SYNCOOKIE_IPV4, Requires::Always),
        e(&net::TCP_RAW_GEN_SYNCOOKIE_IPV6, Requires::Always),
        e(&net::TCP_RAW_CHECK_SYNCOOKIE_IPV4, Requires::Always),
        e(&net::TCP_RAW_CHECK_SYNCOOKIE_IPV6, Requires::Always),
    ],
};

/// XDP.
pub const XDP: HelperSet = HelperSet {
    name: "xdp",
    kernel: "xdp_func_proto",
    entries: &[
        e(&net::XDP_REDIRECT, Requires::Always),
        e(&net::XDP_EVENT_OUTPUT, Requires::Always),
        e(&net::CSUM_DIFF, Requires::Always),
        e(&net::XDP_ADJUST_HEAD, Requires::Always),
        e(&net::XDP_REDIRECT_MAP, Requires::Always),
        e(&net::XDP_ADJUST_META, Requires::Always),
        e(&net::XDP_ADJUST_TAIL, Requires::Always),
        e(&net::XDP_FIB_LOOKUP, Requires::Always),
        e(&net::XDP_SK_LOOKUP_TCP, Requires::Always),
        e(&net::XDP_SK_LOOKUP_UDP, Requires::Always),
        e(&net::SK_RELEASE, Requires::Always),
        e(&net::XDP_SKC_LOOKUP_TCP, Requires::Always),
        e(&net::TCP_CHECK_SYNCOOKIE, Requires::Always),
        e(&net::TCP_GEN_SYNCOOKIE, Requires::Always),
        e(&net::XDP_CHECK_MTU, Requires::Always),
        e(&net::XDP_GET_BUFF_LEN, Requires::Always),
        e(&net::XDP_LOAD_BYTES, Requires::Always),
        e(&net::XDP_STORE_BYTES, Requires::Always),
        e(&net::TCP_RAW_GEN_SYNCOOKIE_IPV4, Requires::Always),
        e(&net::TCP_RAW_GEN_SYNCOOKIE_IPV6, Requires::Always),
        e(&net::TCP_RAW_CHECK_SYNCOOKIE_IPV4, Requires::Always),
        e(&net::TCP_RAW_CHECK_SYNCOOKIE_IPV6, Requires::Always),
    ],
};

/// cgroup skb.
pub const CG_SKB: HelperSet = HelperSet {
    name: "cg_skb",
    kernel: "cg_skb_func_proto",
    entries: &[
        e(&net::SKB_EVENT_OUTPUT, Requires::Always),
        e(&net::SKB_LOAD_BYTES, Requires::Always),
        e(&net::GET_SOCKET_COOKIE, Requires::Always),
        e(&net::GET_SOCKET_UID, Requires::Always),
        e(&net::SKB_LOAD_BYTES_RELATIVE, Requires::Always),
        e(&net::SKB_CGROUP_ID, Requires::Always),
        e(&core::GET_LOCAL_STORAGE, Requires::Always),
        e(&net::SKB_ANCESTOR_CGROUP_ID, Requires::Always),
        e(&net::SK_LOOKUP_TCP, Requires::Always),
        e(&net::SK_LOOKUP_UDP, Requires::Always),
        e(&net::SK_RELEASE, Requires::Always),
        e(&net::SK_FULLSOCK, Requires::Always),
        e(&net::TCP_SOCK, Requires::Always),
        e(&net::SKB_ECN_SET_CE, Requires::Always),
        e(&net::GET_LISTENER_SOCK, Requires::Always),
        e(&net::SKC_LOOKUP_TCP, Requires::Always),
        e(&sock::SK_STORAGE_GET, Requires::Always),
        e(&sock::SK_STORAGE_DELETE, Requires::Always),
        e(&sock::GET_NETNS_COOKIE, Requires::Always),
        e(&net::SK_CGROUP_ID, Requires::Always),
        e(&net::SK_ANCESTOR_CGROUP_ID, Requires::Always),
    ],
};

/// cgroup sock (create, release, post_bind).
pub const CG_SOCK: HelperSet = HelperSet {
    name: "cg_sock",
    kernel: "sock_filter_func_proto",
    entries: &[
        e(&sock::EVENT_OUTPUT_DATA, Requires::Always),
        e(&sock::GET_SOCKET_COOKIE_SOCK, Requires::Always),
        e(&core::GET_LOCAL_STORAGE, Requires::Always),
        e(&sock::SK_STORAGE_GET_CG_SOCK, Requires::Always),
        e(&sock::GET_NETNS_COOKIE_SOCK, Requires::Always),
        e(&core::KTIME_GET_COARSE_NS, Requires::Always),
        e(&sock::GET_RETVAL, Requires::Always),
        e(&sock::SET_RETVAL, Requires::Always),
    ],
};

/// cgroup device.
pub const CG_DEVICE: HelperSet = HelperSet {
    name: "cg_device",
    kernel: "cgroup_dev_func_proto",
    entries: &[
        e(&sock::EVENT_OUTPUT_DATA, Requires::Always),
        e(&core::GET_LOCAL_STORAGE, Requires::Always),
        e(&sock::GET_RETVAL, Requires::Always),
        e(&sock::SET_RETVAL, Requires::Always),
    ],
};

/// sock_ops.
pub const SOCK_OPS: HelperSet = HelperSet {
    name: "sock_ops",
    kernel: "sock_ops_func_proto",
    entries: &[
        e(&sock::EVENT_OUTPUT_DATA, Requires::Always),
        e(&sock::GET_SOCKET_COOKIE_SOCK_OPS, Requires::Always),
        e(&sock::SOCK_OPS_SETSOCKOPT, Requires::Always),
        e(&sock::SOCK_MAP_UPDATE, Requires::Always),
        e(&sock::SOCK_OPS_GETSOCKOPT, Requires::Always),
        e(&sock::SOCK_OPS_CB_FLAGS_SET, Requires::Always),
        e(&sock::SOCK_HASH_UPDATE, Requires::Always),
        e(&core::GET_LOCAL_STORAGE, Requires::Always),
        e(&net::TCP_SOCK, Requires::Always),
        e(&sock::SK_STORAGE_GET, Requires::Always),
        e(&sock::SK_STORAGE_DELETE, Requires::Always),
        e(&sock::GET_NETNS_COOKIE_SOCK_OPS, Requires::Always),
        e(&sock::SOCK_OPS_LOAD_HDR_OPT, Requires::Always),
        e(&sock::SOCK_OPS_STORE_HDR_OPT, Requires::Always),
        e(&sock::SOCK_OPS_RESERVE_HDR_OPT, Requires::Always),
    ],
};

/// sk_skb (stream parser and verdict).
pub const SK_SKB: HelperSet = HelperSet {
    name: "sk_skb",
    kernel: "sk_skb_func_proto",
    entries: &[
        e(&net::SK_SKB_STORE_BYTES, Requires::Always),
        e(&net::SKB_EVENT_OUTPUT, Requires::Always),
        e(&net::SKB_LOAD_BYTES, Requires::Always),
        e(&net::SK_SKB_CHANGE_TAIL, Requires::Always),
        e(&net::SK_SKB_PULL_DATA, Requires::Always),
        e(&net::SK_SKB_CHANGE_HEAD, Requires::Always),
        e(&net::GET_SOCKET_COOKIE, Requires::Always),
        e(&net::GET_SOCKET_UID, Requires::Always),
        e(&net::SK_SKB_ADJUST_ROOM, Requires::Always),
        e(&sock::SK_REDIRECT_MAP, Requires::Always),
        e(&sock::SK_REDIRECT_HASH, Requires::Always),
        e(&net::SK_LOOKUP_TCP, Requires::Always),
        e(&net::SK_LOOKUP_UDP, Requires::Always),
        e(&net::SK_RELEASE, Requires::Always),
        e(&net::SKC_LOOKUP_TCP, Requires::Always),
    ],
};

/// sk_msg.
pub const SK_MSG: HelperSet = HelperSet {
    name: "sk_msg",
    kernel: "sk_msg_func_proto",
    entries: &[
        e(&sock::EVENT_OUTPUT_DATA, Requires::Always),
        e(&sock::MSG_REDIRECT_MAP, Requires::Always),
        e(&sock::MSG_APPLY_BYTES, Requires::Always),
        e(&sock::MSG_CORK_BYTES, Requires::Always),
        e(&sock::MSG_PULL_DATA, Requires::Always),
        e(&sock::MSG_REDIRECT_HASH, Requires::Always),
        e(&sock::MSG_PUSH_DATA, Requires::Always),
        e(&sock::MSG_POP_DATA, Requires::Always),
        e(&sock::SK_STORAGE_GET, Requires::Always),
        e(&sock::SK_STORAGE_DELETE, Requires::Always),
        e(&sock::GET_NETNS_COOKIE_SK_MSG, Requires::Always),
    ],
};

/// Light-weight tunnels, the part all lwt types share.
pub const LWT_OUT: HelperSet = HelperSet {
    name: "lwt_out",
    kernel: "lwt_out_func_proto",
    entries: &[
        e(&net::GET_CGROUP_CLASSID, Requires::Always),
        e(&net::GET_ROUTE_REALM, Requires::Always),
        e(&net::SKB_EVENT_OUTPUT, Requires::Always),
        e(&net::SKB_LOAD_BYTES, Requires::Always),
        e(&net::CSUM_DIFF, Requires::Always),
        e(&net::SKB_UNDER_CGROUP, Requires::Always),
        e(&net::GET_HASH_RECALC, Requires::Always),
        e(&net::SKB_PULL_DATA, Requires::Always),
    ],
};

/// lwt_in.
pub const LWT_IN: HelperSet = HelperSet {
    name: "lwt_in",
    kernel: "lwt_in_func_proto",
    entries: &[
        e(&net::LWT_IN_PUSH_ENCAP, Requires::Always),
    ],
};

/// lwt_xmit.
pub const LWT_XMIT: HelperSet = HelperSet {
    name: "lwt_xmit",
    kernel: "lwt_xmit_func_proto",
    entries: &[
        e(&net::SKB_STORE_BYTES, Requires::Always),
        e(&net::L3_CSUM_REPLACE, Requires::Always),
        e(&net::L4_CSUM_REPLACE, Requires::Always),
        e(&net::CLONE_REDIRECT, Requires::Always),
        e(&net::SKB_GET_TUNNEL_KEY, Requires::Always),
        e(&net::SKB_SET_TUNNEL_KEY, Requires::Always),
        e(&net::REDIRECT, Requires::Always),
        e(&net::SKB_GET_TUNNEL_OPT, Requires::Always),
        e(&net::SKB_SET_TUNNEL_OPT, Requires::Always),
        e(&net::SKB_CHANGE_TAIL, Requires::Always),
        e(&net::CSUM_UPDATE, Requires::Always),
        e(&net::SET_HASH_INVALID, Requires::Always),
        e(&net::SKB_CHANGE_HEAD, Requires::Always),
        e(&net::LWT_XMIT_PUSH_ENCAP, Requires::Always),
        e(&net::CSUM_LEVEL, Requires::Always),
    ],
};

/// lwt_seg6local.
pub const LWT_SEG6: HelperSet = HelperSet {
    name: "lwt_seg6",
    kernel: "lwt_seg6local_func_proto",
    entries: &[
        e(&net::LWT_SEG6_STORE_BYTES, Requires::Always),
        e(&net::LWT_SEG6_ADJUST_SRH, Requires::Always),
        e(&net::LWT_SEG6_ACTION, Requires::Always),
    ],
};

/// cgroup sock_addr (bind, connect, sendmsg, recvmsg, getpeername, getsockname).
pub const SOCK_ADDR: HelperSet = HelperSet {
    name: "sock_addr",
    kernel: "sock_addr_func_proto",
    entries: &[
        e(&sock::EVENT_OUTPUT_DATA, Requires::Always),
        e(&sock::GET_SOCKET_COOKIE_SOCK_ADDR, Requires::Always),
        e(&sock::SOCK_ADDR_SETSOCKOPT, Requires::Always),
        e(&sock::SOCK_ADDR_GETSOCKOPT, Requires::Always),
        e(&core::GET_LOCAL_STORAGE, Requires::Always),
        e(&net::SOCK_ADDR_SK_LOOKUP_TCP, Requires::Always),
        e(&net::SOCK_ADDR_SK_LOOKUP_UDP, Requires::Always),
        e(&net::SK_RELEASE, Requires::Always),
        e(&net::SOCK_ADDR_SKC_LOOKUP_TCP, Requires::Always),
        e(&sock::SK_STORAGE_GET, Requires::Always),
        e(&sock::SK_STORAGE_DELETE, Requires::Always),
        e(&sock::GET_NETNS_COOKIE_SOCK_ADDR, Requires::Always),
        e(&sock::GET_RETVAL, Requires::Always),
        e(&sock::SET_RETVAL, Requires::Always),
        e(&sock::BIND, Requires::AttachType(CONNECT_ATTACH)),
    ],
};

/// sk_reuseport.
pub const SK_REUSEPORT: HelperSet = HelperSet {
    name: "sk_reuseport",
    kernel: "sk_reuseport_func_proto",
    entries: &[
        e(&net::SK_REUSEPORT_LOAD_BYTES, Requires::Always),
        e(&trace::GET_SOCKET_PTR_COOKIE, Requires::Always),
        e(&net::SK_REUSEPORT_LOAD_BYTES_RELATIVE, Requires::Always),
        e(&net::SK_SELECT_REUSEPORT, Requires::Always),
        e(&core::KTIME_GET_COARSE_NS, Requires::Always),
    ],
};

/// Flow dissector.
pub const FLOW_DISSECTOR: HelperSet = HelperSet {
    name: "flow_dissector",
    kernel: "flow_dissector_func_proto",
    entries: &[
        e(&net::FLOW_DISSECTOR_LOAD_BYTES, Requires::Always),
    ],
};

/// cgroup sysctl.
pub const CG_SYSCTL: HelperSet = HelperSet {
    name: "cg_sysctl",
    kernel: "sysctl_func_proto",
    entries: &[
        e(&sock::EVENT_OUTPUT_DATA, Requires::Always),
        e(&core::GET_LOCAL_STORAGE, Requires::Always),
        e(&sock::SYSCTL_GET_NAME, Requires::Always),
        e(&sock::SYSCTL_GET_CURRENT_VALUE, Requires::Always),
        e(&sock::SYSCTL_GET_NEW_VALUE, Requires::Always),
        e(&sock::SYSCTL_SET_NEW_VALUE, Requires::Always),
        e(&core::KTIME_GET_COARSE_NS, Requires::Always),
        e(&sock::GET_RETVAL, Requires::Always),
        e(&sock::SET_RETVAL, Requires::Always),
    ],
};

/// cgroup getsockopt/setsockopt.
pub const CG_SOCKOPT: HelperSet = HelperSet {
    name: "cg_sockopt",
    kernel: "cg_sockopt_func_proto",
    entries: &[
        e(&sock::EVENT_OUTPUT_DATA, Requires::Always),
        e(&core::GET_LOCAL_STORAGE, Requires::Always),
        e(&net::TCP_SOCK, Requires::Always),
        e(&sock::SK_STORAGE_GET, Requires::Always),
        e(&sock::SK_STORAGE_DELETE, Requires::Always),
        e(&sock::GET_NETNS_COOKIE_SOCKOPT, Requires::Always),
        e(&sock::GET_RETVAL, Requires::Always),
        e(&sock::SET_RETVAL, Requires::Always),
        e(&sock::SK_SETSOCKOPT, Requires::AttachType(SETSOCKOPT_ATTACH)),
        e(&sock::SK_GETSOCKOPT, Requires::AttachType(SETSOCKOPT_ATTACH)),
    ],
};

/// struct_ops for `tcp_congestion_ops` (other struct_ops types add their own).
pub const TCP_CA: HelperSet = HelperSet {
    name: "tcp_ca",
    kernel: "bpf_tcp_ca_get_func_proto",
    entries: &[
        e(&sock::SK_SETSOCKOPT, Requires::Always),
        e(&sock::SK_GETSOCKOPT, Requires::Always),
        e(&sock::SK_STORAGE_GET, Requires::Always),
        e(&sock::SK_STORAGE_DELETE, Requires::Always),
        e(&sock::TCP_SEND_ACK, Requires::Always),
        e(&core::KTIME_GET_COARSE_NS, Requires::Always),
    ],
};

/// sk_lookup.
pub const SK_LOOKUP: HelperSet = HelperSet {
    name: "sk_lookup",
    kernel: "sk_lookup_func_proto",
    entries: &[
        e(&sock::EVENT_OUTPUT_DATA, Requires::Always),
        e(&net::SK_RELEASE, Requires::Always),
        e(&net::SK_LOOKUP_ASSIGN, Requires::Always),
    ],
};

/// LSM programs (from kernel sources; not loadable on the probe host).
pub const LSM: HelperSet = HelperSet {
    name: "lsm",
    kernel: "bpf_lsm_func_proto",
    entries: &[
        e(&core::INODE_STORAGE_GET, Requires::Always),
        e(&core::INODE_STORAGE_DELETE, Requires::Always),
        e(&sock::SK_STORAGE_GET, Requires::Always),
        e(&sock::SK_STORAGE_DELETE, Requires::Always),
        e(&trace::BPRM_OPTS_SET, Requires::Always),
        e(&trace::IMA_INODE_HASH, Requires::Always),
        e(&trace::IMA_FILE_HASH, Requires::Always),
        e(&core::GET_LOCAL_STORAGE, Requires::AttachType(LSM_CGROUP_ATTACH)),
        e(&sock::GET_RETVAL, Requires::AttachType(LSM_CGROUP_ATTACH)),
        e(&sock::SET_RETVAL, Requires::AttachType(LSM_CGROUP_ATTACH)),
        e(&sock::SK_SETSOCKOPT, Requires::AttachType(LSM_CGROUP_ATTACH)),
        e(&sock::SK_GETSOCKOPT, Requires::AttachType(LSM_CGROUP_ATTACH)),
    ],
};

/// lirc_mode2 (from kernel sources; not built into the probe host kernel).
pub const LIRC: HelperSet = HelperSet {
    name: "lirc",
    kernel: "lirc_mode2_func_proto",
    entries: &[
        e(&sock::RC_REPEAT, Requires::Always),
        e(&sock::RC_KEYDOWN, Requires::Always),
        e(&sock::RC_POINTER_REL, Requires::Always),
    ],
};

/// The sets of a program type, in lookup order (`ProgType` variant name as in the kernel).
pub(super) fn sets(t: super::ProgType) -> &'static [&'static HelperSet] {
    use super::ProgType as T;
    match t {
        T::Unspec => &[],
        T::SocketFilter => &[&SOCKET_FILTER, &SK_BASE, &BASE],
        T::Kprobe => &[&KPROBE, &TRACING_COMMON, &BASE],
        T::SchedCls => &[&TC, &SK_BASE, &BASE],
        T::SchedAct => &[&TC, &SK_BASE, &BASE],
        T::Tracepoint => &[&TP, &TRACING_COMMON, &BASE],
        T::Xdp => &[&XDP, &SK_BASE, &BASE],
        T::PerfEvent => &[&PE, &TRACING_COMMON, &BASE],
        T::CgroupSkb => &[&CG_SKB, &SK_BASE, &BASE],
        T::CgroupSock => &[&CG_SOCK, &BASE],
        T::LwtIn => &[&LWT_IN, &LWT_OUT, &SK_BASE, &BASE],
        T::LwtOut => &[&LWT_OUT, &SK_BASE, &BASE],
        T::LwtXmit => &[&LWT_XMIT, &LWT_IN, &LWT_OUT, &SK_BASE, &BASE],
        T::SockOps => &[&SOCK_OPS, &SK_BASE, &BASE],
        T::SkSkb => &[&SK_SKB, &SK_BASE, &BASE],
        T::CgroupDevice => &[&CG_DEVICE, &BASE],
        T::SkMsg => &[&SK_MSG, &SK_BASE, &BASE],
        T::RawTracepoint => &[&RAW_TP, &TRACING_COMMON, &BASE],
        T::CgroupSockAddr => &[&SOCK_ADDR, &SK_BASE, &BASE],
        T::LwtSeg6local => &[&LWT_SEG6, &LWT_OUT, &SK_BASE, &BASE],
        T::LircMode2 => &[&LIRC, &BASE],
        T::SkReuseport => &[&SK_REUSEPORT, &BASE],
        T::FlowDissector => &[&FLOW_DISSECTOR, &SK_BASE, &BASE],
        T::CgroupSysctl => &[&CG_SYSCTL, &BASE],
        T::RawTracepointWritable => &[&RAW_TP, &TRACING_COMMON, &BASE],
        T::CgroupSockopt => &[&CG_SOCKOPT, &BASE],
        T::Tracing => &[&TRACING, &RAW_TP, &TRACING_COMMON, &BASE],
        T::StructOps => &[&TCP_CA, &BASE],
        T::Ext => &[],
        T::Lsm => &[&LSM, &TRACING, &RAW_TP, &TRACING_COMMON, &BASE],
        T::SkLookup => &[&SK_LOOKUP, &SK_BASE, &BASE],
        T::Syscall => &[&SYSCALL, &TRACING, &RAW_TP, &TRACING_COMMON, &BASE],
        T::Netfilter => &[&BASE],
    }
}
