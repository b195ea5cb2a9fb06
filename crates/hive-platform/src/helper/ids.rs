//! Helper ids and names, generated from `__BPF_FUNC_MAPPER` in `linux/bpf.h`.
//!
//! Ids 0-209 are those of the UAPI header on the build machine (Linux 6.1 headers); 210 and
//! 211 (`cgrp_storage_get`/`cgrp_storage_delete`, Linux 6.2) complete the list the 6.18 kernel
//! knows (`__BPF_FUNC_MAX_ID` = 212). The UAPI helper list is frozen: new functionality comes
//! as kfuncs. A test compares this table with the installed header.

use super::HelperId;

/// Helper names without the `bpf_` prefix, indexed by id (`BPF_FUNC_<name>`).
pub(crate) const NAMES: [&str; HelperId::COUNT as usize] = [
    "unspec", "map_lookup_elem", "map_update_elem", "map_delete_elem", "probe_read",
    "ktime_get_ns", "trace_printk", "get_prandom_u32", "get_smp_processor_id", "skb_store_bytes",
    "l3_csum_replace", "l4_csum_replace", "tail_call", "clone_redirect", "get_current_pid_tgid",
    "get_current_uid_gid", "get_current_comm", "get_cgroup_classid", "skb_vlan_push",
    "skb_vlan_pop", "skb_get_tunnel_key", "skb_set_tunnel_key", "perf_event_read", "redirect",
    "get_route_realm", "perf_event_output", "skb_load_bytes", "get_stackid", "csum_diff",
    "skb_get_tunnel_opt", "skb_set_tunnel_opt", "skb_change_proto", "skb_change_type",
    "skb_under_cgroup", "get_hash_recalc", "get_current_task", "probe_write_user",
    "current_task_under_cgroup", "skb_change_tail", "skb_pull_data", "csum_update",
    "set_hash_invalid", "get_numa_node_id", "skb_change_head", "xdp_adjust_head", "probe_read_str",
    "get_socket_cookie", "get_socket_uid", "set_hash", "setsockopt", "skb_adjust_room",
    "redirect_map", "sk_redirect_map", "sock_map_update", "xdp_adjust_meta",
    "perf_event_read_value", "perf_prog_read_value", "getsockopt", "override_return",
    "sock_ops_cb_flags_set", "msg_redirect_map", "msg_apply_bytes", "msg_cork_bytes",
    "msg_pull_data", "bind", "xdp_adjust_tail", "skb_get_xfrm_state", "get_stack",
    "skb_load_bytes_relative", "fib_lookup", "sock_hash_update", "msg_redirect_hash",
    "sk_redirect_hash", "lwt_push_encap", "lwt_seg6_store_bytes", "lwt_seg6_adjust_srh",
    "lwt_seg6_action", "rc_repeat", "rc_keydown", "skb_cgroup_id", "get_current_cgroup_id",
    "get_local_storage", "sk_select_reuseport", "skb_ancestor_cgroup_id", "sk_lookup_tcp",
    "sk_lookup_udp", "sk_release", "map_push_elem", "map_pop_elem", "map_peek_elem",
    "msg_push_data", "msg_pop_data", "rc_pointer_rel", "spin_lock", "spin_unlock", "sk_fullsock",
    "tcp_sock", "skb_ecn_set_ce", "get_listener_sock", "skc_lookup_tcp", "tcp_check_syncookie",
    "sysctl_get_name", "sysctl_get_current_value", "sysctl_get_new_value", "sysctl_set_new_value",
    "strtol", "strtoul", "sk_storage_get", "sk_storage_delete", "send_signal", "tcp_gen_syncookie",
    "skb_output", "probe_read_user", "probe_read_kernel", "probe_read_user_str",
    "probe_read_kernel_str", "tcp_send_ack", "send_signal_thread", "jiffies64",
    "read_branch_records", "get_ns_current_pid_tgid", "xdp_output", "get_netns_cookie",
    "get_current_ancestor_cgroup_id", "sk_assign", "ktime_get_boot_ns", "seq_printf", "seq_write",
    "sk_cgroup_id", "sk_ancestor_cgroup_id", "ringbuf_output", "ringbuf_reserve", "ringbuf_submit",
    "ringbuf_discard", "ringbuf_query", "csum_level", "skc_to_tcp6_sock", "skc_to_tcp_sock",
    "skc_to_tcp_timewait_sock", "skc_to_tcp_request_sock", "skc_to_udp6_sock", "get_task_stack",
    "load_hdr_opt", "store_hdr_opt", "reserve_hdr_opt", "inode_storage_get",
    "inode_storage_delete", "d_path", "copy_from_user", "snprintf_btf", "seq_printf_btf",
    "skb_cgroup_classid", "redirect_neigh", "per_cpu_ptr", "this_cpu_ptr", "redirect_peer",
    "task_storage_get", "task_storage_delete", "get_current_task_btf", "bprm_opts_set",
    "ktime_get_coarse_ns", "ima_inode_hash", "sock_from_file", "check_mtu", "for_each_map_elem",
    "snprintf", "sys_bpf", "btf_find_by_name_kind", "sys_close", "timer_init",
    "timer_set_callback", "timer_start", "timer_cancel", "get_func_ip", "get_attach_cookie",
    "task_pt_regs", "get_branch_snapshot", "trace_vprintk", "skc_to_unix_sock",
    "kallsyms_lookup_name", "find_vma", "loop", "strncmp", "get_func_arg", "get_func_ret",
    "get_func_arg_cnt", "get_retval", "set_retval", "xdp_get_buff_len", "xdp_load_bytes",
    "xdp_store_bytes", "copy_from_user_task", "skb_set_tstamp", "ima_file_hash", "kptr_xchg",
    "map_lookup_percpu_elem", "skc_to_mptcp_sock", "dynptr_from_mem", "ringbuf_reserve_dynptr",
    "ringbuf_submit_dynptr", "ringbuf_discard_dynptr", "dynptr_read", "dynptr_write",
    "dynptr_data", "tcp_raw_gen_syncookie_ipv4", "tcp_raw_gen_syncookie_ipv6",
    "tcp_raw_check_syncookie_ipv4", "tcp_raw_check_syncookie_ipv6", "ktime_get_tai_ns",
    "user_ringbuf_drain", "cgrp_storage_get", "cgrp_storage_delete",
];

impl HelperId {
    /// `BPF_FUNC_unspec` (0).
    #[doc(alias = "BPF_FUNC_unspec")]
    pub const UNSPEC: HelperId = HelperId(0);
    /// `BPF_FUNC_map_lookup_elem` (1): `void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)`
    #[doc(alias = "BPF_FUNC_map_lookup_elem")]
    pub const MAP_LOOKUP_ELEM: HelperId = HelperId(1);
    /// `BPF_FUNC_map_update_elem` (2).
    #[doc(alias = "BPF_FUNC_map_update_elem")]
    pub const MAP_UPDATE_ELEM: HelperId = HelperId(2);
    /// `BPF_FUNC_map_delete_elem` (3): `long bpf_map_delete_elem(struct bpf_map *map, const void *key)`
    #[doc(alias = "BPF_FUNC_map_delete_elem")]
    pub const MAP_DELETE_ELEM: HelperId = HelperId(3);
    /// `BPF_FUNC_probe_read` (4): `long bpf_probe_read(void *dst, u32 size, const void *unsafe_ptr)`
    #[doc(alias = "BPF_FUNC_probe_read")]
    pub const PROBE_READ: HelperId = HelperId(4);
    /// `BPF_FUNC_ktime_get_ns` (5): `u64 bpf_ktime_get_ns(void)`
    #[doc(alias = "BPF_FUNC_ktime_get_ns")]
    pub const KTIME_GET_NS: HelperId = HelperId(5);
    /// `BPF_FUNC_trace_printk` (6): `long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)`
    #[doc(alias = "BPF_FUNC_trace_printk")]
    pub const TRACE_PRINTK: HelperId = HelperId(6);
    /// `BPF_FUNC_get_prandom_u32` (7): `u32 bpf_get_prandom_u32(void)`
    #[doc(alias = "BPF_FUNC_get_prandom_u32")]
    pub const GET_PRANDOM_U32: HelperId = HelperId(7);
    /// `BPF_FUNC_get_smp_processor_id` (8): `u32 bpf_get_smp_processor_id(void)`
    #[doc(alias = "BPF_FUNC_get_smp_processor_id")]
    pub const GET_SMP_PROCESSOR_ID: HelperId = HelperId(8);
    /// `BPF_FUNC_skb_store_bytes` (9).
    #[doc(alias = "BPF_FUNC_skb_store_bytes")]
    pub const SKB_STORE_BYTES: HelperId = HelperId(9);
    /// `BPF_FUNC_l3_csum_replace` (10).
    #[doc(alias = "BPF_FUNC_l3_csum_replace")]
    pub const L3_CSUM_REPLACE: HelperId = HelperId(10);
    /// `BPF_FUNC_l4_csum_replace` (11).
    #[doc(alias = "BPF_FUNC_l4_csum_replace")]
    pub const L4_CSUM_REPLACE: HelperId = HelperId(11);
    /// `BPF_FUNC_tail_call` (12): `long bpf_tail_call(void *ctx, struct bpf_map *prog_array_map, u32 index)`
    #[doc(alias = "BPF_FUNC_tail_call")]
    pub const TAIL_CALL: HelperId = HelperId(12);
    /// `BPF_FUNC_clone_redirect` (13): `long bpf_clone_redirect(struct sk_buff *skb, u32 ifindex, u64 flags)`
    #[doc(alias = "BPF_FUNC_clone_redirect")]
    pub const CLONE_REDIRECT: HelperId = HelperId(13);
    /// `BPF_FUNC_get_current_pid_tgid` (14): `u64 bpf_get_current_pid_tgid(void)`
    #[doc(alias = "BPF_FUNC_get_current_pid_tgid")]
    pub const GET_CURRENT_PID_TGID: HelperId = HelperId(14);
    /// `BPF_FUNC_get_current_uid_gid` (15): `u64 bpf_get_current_uid_gid(void)`
    #[doc(alias = "BPF_FUNC_get_current_uid_gid")]
    pub const GET_CURRENT_UID_GID: HelperId = HelperId(15);
    /// `BPF_FUNC_get_current_comm` (16): `long bpf_get_current_comm(void *buf, u32 size_of_buf)`
    #[doc(alias = "BPF_FUNC_get_current_comm")]
    pub const GET_CURRENT_COMM: HelperId = HelperId(16);
    /// `BPF_FUNC_get_cgroup_classid` (17): `u32 bpf_get_cgroup_classid(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_get_cgroup_classid")]
    pub const GET_CGROUP_CLASSID: HelperId = HelperId(17);
    /// `BPF_FUNC_skb_vlan_push` (18): `long bpf_skb_vlan_push(struct sk_buff *skb, __be16 vlan_proto, u16 vlan_tci)`
    #[doc(alias = "BPF_FUNC_skb_vlan_push")]
    pub const SKB_VLAN_PUSH: HelperId = HelperId(18);
    /// `BPF_FUNC_skb_vlan_pop` (19): `long bpf_skb_vlan_pop(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_skb_vlan_pop")]
    pub const SKB_VLAN_POP: HelperId = HelperId(19);
    /// `BPF_FUNC_skb_get_tunnel_key` (20).
    #[doc(alias = "BPF_FUNC_skb_get_tunnel_key")]
    pub const SKB_GET_TUNNEL_KEY: HelperId = HelperId(20);
    /// `BPF_FUNC_skb_set_tunnel_key` (21).
    #[doc(alias = "BPF_FUNC_skb_set_tunnel_key")]
    pub const SKB_SET_TUNNEL_KEY: HelperId = HelperId(21);
    /// `BPF_FUNC_perf_event_read` (22): `u64 bpf_perf_event_read(struct bpf_map *map, u64 flags)`
    #[doc(alias = "BPF_FUNC_perf_event_read")]
    pub const PERF_EVENT_READ: HelperId = HelperId(22);
    /// `BPF_FUNC_redirect` (23): `long bpf_redirect(u32 ifindex, u64 flags)`
    #[doc(alias = "BPF_FUNC_redirect")]
    pub const REDIRECT: HelperId = HelperId(23);
    /// `BPF_FUNC_get_route_realm` (24): `u32 bpf_get_route_realm(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_get_route_realm")]
    pub const GET_ROUTE_REALM: HelperId = HelperId(24);
    /// `BPF_FUNC_perf_event_output` (25).
    #[doc(alias = "BPF_FUNC_perf_event_output")]
    pub const PERF_EVENT_OUTPUT: HelperId = HelperId(25);
    /// `BPF_FUNC_skb_load_bytes` (26): `long bpf_skb_load_bytes(const void *skb, u32 offset, void *to, u32 len)`
    #[doc(alias = "BPF_FUNC_skb_load_bytes")]
    pub const SKB_LOAD_BYTES: HelperId = HelperId(26);
    /// `BPF_FUNC_get_stackid` (27): `long bpf_get_stackid(void *ctx, struct bpf_map *map, u64 flags)`
    #[doc(alias = "BPF_FUNC_get_stackid")]
    pub const GET_STACKID: HelperId = HelperId(27);
    /// `BPF_FUNC_csum_diff` (28).
    #[doc(alias = "BPF_FUNC_csum_diff")]
    pub const CSUM_DIFF: HelperId = HelperId(28);
    /// `BPF_FUNC_skb_get_tunnel_opt` (29): `long bpf_skb_get_tunnel_opt(struct sk_buff *skb, void *opt, u32 size)`
    #[doc(alias = "BPF_FUNC_skb_get_tunnel_opt")]
    pub const SKB_GET_TUNNEL_OPT: HelperId = HelperId(29);
    /// `BPF_FUNC_skb_set_tunnel_opt` (30): `long bpf_skb_set_tunnel_opt(struct sk_buff *skb, void *opt, u32 size)`
    #[doc(alias = "BPF_FUNC_skb_set_tunnel_opt")]
    pub const SKB_SET_TUNNEL_OPT: HelperId = HelperId(30);
    /// `BPF_FUNC_skb_change_proto` (31): `long bpf_skb_change_proto(struct sk_buff *skb, __be16 proto, u64 flags)`
    #[doc(alias = "BPF_FUNC_skb_change_proto")]
    pub const SKB_CHANGE_PROTO: HelperId = HelperId(31);
    /// `BPF_FUNC_skb_change_type` (32): `long bpf_skb_change_type(struct sk_buff *skb, u32 type)`
    #[doc(alias = "BPF_FUNC_skb_change_type")]
    pub const SKB_CHANGE_TYPE: HelperId = HelperId(32);
    /// `BPF_FUNC_skb_under_cgroup` (33): `long bpf_skb_under_cgroup(struct sk_buff *skb, struct bpf_map *map, u32 index)`
    #[doc(alias = "BPF_FUNC_skb_under_cgroup")]
    pub const SKB_UNDER_CGROUP: HelperId = HelperId(33);
    /// `BPF_FUNC_get_hash_recalc` (34): `u32 bpf_get_hash_recalc(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_get_hash_recalc")]
    pub const GET_HASH_RECALC: HelperId = HelperId(34);
    /// `BPF_FUNC_get_current_task` (35): `u64 bpf_get_current_task(void)`
    #[doc(alias = "BPF_FUNC_get_current_task")]
    pub const GET_CURRENT_TASK: HelperId = HelperId(35);
    /// `BPF_FUNC_probe_write_user` (36): `long bpf_probe_write_user(void *dst, const void *src, u32 len)`
    #[doc(alias = "BPF_FUNC_probe_write_user")]
    pub const PROBE_WRITE_USER: HelperId = HelperId(36);
    /// `BPF_FUNC_current_task_under_cgroup` (37): `long bpf_current_task_under_cgroup(struct bpf_map *map, u32 index)`
    #[doc(alias = "BPF_FUNC_current_task_under_cgroup")]
    pub const CURRENT_TASK_UNDER_CGROUP: HelperId = HelperId(37);
    /// `BPF_FUNC_skb_change_tail` (38): `long bpf_skb_change_tail(struct sk_buff *skb, u32 len, u64 flags)`
    #[doc(alias = "BPF_FUNC_skb_change_tail")]
    pub const SKB_CHANGE_TAIL: HelperId = HelperId(38);
    /// `BPF_FUNC_skb_pull_data` (39): `long bpf_skb_pull_data(struct sk_buff *skb, u32 len)`
    #[doc(alias = "BPF_FUNC_skb_pull_data")]
    pub const SKB_PULL_DATA: HelperId = HelperId(39);
    /// `BPF_FUNC_csum_update` (40): `s64 bpf_csum_update(struct sk_buff *skb, __wsum csum)`
    #[doc(alias = "BPF_FUNC_csum_update")]
    pub const CSUM_UPDATE: HelperId = HelperId(40);
    /// `BPF_FUNC_set_hash_invalid` (41): `void bpf_set_hash_invalid(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_set_hash_invalid")]
    pub const SET_HASH_INVALID: HelperId = HelperId(41);
    /// `BPF_FUNC_get_numa_node_id` (42): `long bpf_get_numa_node_id(void)`
    #[doc(alias = "BPF_FUNC_get_numa_node_id")]
    pub const GET_NUMA_NODE_ID: HelperId = HelperId(42);
    /// `BPF_FUNC_skb_change_head` (43): `long bpf_skb_change_head(struct sk_buff *skb, u32 len, u64 flags)`
    #[doc(alias = "BPF_FUNC_skb_change_head")]
    pub const SKB_CHANGE_HEAD: HelperId = HelperId(43);
    /// `BPF_FUNC_xdp_adjust_head` (44): `long bpf_xdp_adjust_head(struct xdp_buff *xdp_md, int delta)`
    #[doc(alias = "BPF_FUNC_xdp_adjust_head")]
    pub const XDP_ADJUST_HEAD: HelperId = HelperId(44);
    /// `BPF_FUNC_probe_read_str` (45): `long bpf_probe_read_str(void *dst, u32 size, const void *unsafe_ptr)`
    #[doc(alias = "BPF_FUNC_probe_read_str")]
    pub const PROBE_READ_STR: HelperId = HelperId(45);
    /// `BPF_FUNC_get_socket_cookie` (46): `u64 bpf_get_socket_cookie(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_get_socket_cookie")]
    pub const GET_SOCKET_COOKIE: HelperId = HelperId(46);
    /// `BPF_FUNC_get_socket_uid` (47): `u32 bpf_get_socket_uid(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_get_socket_uid")]
    pub const GET_SOCKET_UID: HelperId = HelperId(47);
    /// `BPF_FUNC_set_hash` (48): `long bpf_set_hash(struct sk_buff *skb, u32 hash)`
    #[doc(alias = "BPF_FUNC_set_hash")]
    pub const SET_HASH: HelperId = HelperId(48);
    /// `BPF_FUNC_setsockopt` (49).
    #[doc(alias = "BPF_FUNC_setsockopt")]
    pub const SETSOCKOPT: HelperId = HelperId(49);
    /// `BPF_FUNC_skb_adjust_room` (50).
    #[doc(alias = "BPF_FUNC_skb_adjust_room")]
    pub const SKB_ADJUST_ROOM: HelperId = HelperId(50);
    /// `BPF_FUNC_redirect_map` (51): `long bpf_redirect_map(struct bpf_map *map, u32 key, u64 flags)`
    #[doc(alias = "BPF_FUNC_redirect_map")]
    pub const REDIRECT_MAP: HelperId = HelperId(51);
    /// `BPF_FUNC_sk_redirect_map` (52).
    #[doc(alias = "BPF_FUNC_sk_redirect_map")]
    pub const SK_REDIRECT_MAP: HelperId = HelperId(52);
    /// `BPF_FUNC_sock_map_update` (53).
    #[doc(alias = "BPF_FUNC_sock_map_update")]
    pub const SOCK_MAP_UPDATE: HelperId = HelperId(53);
    /// `BPF_FUNC_xdp_adjust_meta` (54): `long bpf_xdp_adjust_meta(struct xdp_buff *xdp_md, int delta)`
    #[doc(alias = "BPF_FUNC_xdp_adjust_meta")]
    pub const XDP_ADJUST_META: HelperId = HelperId(54);
    /// `BPF_FUNC_perf_event_read_value` (55).
    #[doc(alias = "BPF_FUNC_perf_event_read_value")]
    pub const PERF_EVENT_READ_VALUE: HelperId = HelperId(55);
    /// `BPF_FUNC_perf_prog_read_value` (56).
    #[doc(alias = "BPF_FUNC_perf_prog_read_value")]
    pub const PERF_PROG_READ_VALUE: HelperId = HelperId(56);
    /// `BPF_FUNC_getsockopt` (57).
    #[doc(alias = "BPF_FUNC_getsockopt")]
    pub const GETSOCKOPT: HelperId = HelperId(57);
    /// `BPF_FUNC_override_return` (58): `long bpf_override_return(struct pt_regs *regs, u64 rc)`
    #[doc(alias = "BPF_FUNC_override_return")]
    pub const OVERRIDE_RETURN: HelperId = HelperId(58);
    /// `BPF_FUNC_sock_ops_cb_flags_set` (59): `long bpf_sock_ops_cb_flags_set(struct bpf_sock_ops *bpf_sock, int argval)`
    #[doc(alias = "BPF_FUNC_sock_ops_cb_flags_set")]
    pub const SOCK_OPS_CB_FLAGS_SET: HelperId = HelperId(59);
    /// `BPF_FUNC_msg_redirect_map` (60).
    #[doc(alias = "BPF_FUNC_msg_redirect_map")]
    pub const MSG_REDIRECT_MAP: HelperId = HelperId(60);
    /// `BPF_FUNC_msg_apply_bytes` (61): `long bpf_msg_apply_bytes(struct sk_msg_buff *msg, u32 bytes)`
    #[doc(alias = "BPF_FUNC_msg_apply_bytes")]
    pub const MSG_APPLY_BYTES: HelperId = HelperId(61);
    /// `BPF_FUNC_msg_cork_bytes` (62): `long bpf_msg_cork_bytes(struct sk_msg_buff *msg, u32 bytes)`
    #[doc(alias = "BPF_FUNC_msg_cork_bytes")]
    pub const MSG_CORK_BYTES: HelperId = HelperId(62);
    /// `BPF_FUNC_msg_pull_data` (63): `long bpf_msg_pull_data(struct sk_msg_buff *msg, u32 start, u32 end, u64 flags)`
    #[doc(alias = "BPF_FUNC_msg_pull_data")]
    pub const MSG_PULL_DATA: HelperId = HelperId(63);
    /// `BPF_FUNC_bind` (64): `long bpf_bind(struct bpf_sock_addr *ctx, struct sockaddr *addr, int addr_len)`
    #[doc(alias = "BPF_FUNC_bind")]
    pub const BIND: HelperId = HelperId(64);
    /// `BPF_FUNC_xdp_adjust_tail` (65): `long bpf_xdp_adjust_tail(struct xdp_buff *xdp_md, int delta)`
    #[doc(alias = "BPF_FUNC_xdp_adjust_tail")]
    pub const XDP_ADJUST_TAIL: HelperId = HelperId(65);
    /// `BPF_FUNC_skb_get_xfrm_state` (66).
    #[doc(alias = "BPF_FUNC_skb_get_xfrm_state")]
    pub const SKB_GET_XFRM_STATE: HelperId = HelperId(66);
    /// `BPF_FUNC_get_stack` (67): `long bpf_get_stack(void *ctx, void *buf, u32 size, u64 flags)`
    #[doc(alias = "BPF_FUNC_get_stack")]
    pub const GET_STACK: HelperId = HelperId(67);
    /// `BPF_FUNC_skb_load_bytes_relative` (68).
    #[doc(alias = "BPF_FUNC_skb_load_bytes_relative")]
    pub const SKB_LOAD_BYTES_RELATIVE: HelperId = HelperId(68);
    /// `BPF_FUNC_fib_lookup` (69).
    #[doc(alias = "BPF_FUNC_fib_lookup")]
    pub const FIB_LOOKUP: HelperId = HelperId(69);
    /// `BPF_FUNC_sock_hash_update` (70).
    #[doc(alias = "BPF_FUNC_sock_hash_update")]
    pub const SOCK_HASH_UPDATE: HelperId = HelperId(70);
    /// `BPF_FUNC_msg_redirect_hash` (71).
    #[doc(alias = "BPF_FUNC_msg_redirect_hash")]
    pub const MSG_REDIRECT_HASH: HelperId = HelperId(71);
    /// `BPF_FUNC_sk_redirect_hash` (72).
    #[doc(alias = "BPF_FUNC_sk_redirect_hash")]
    pub const SK_REDIRECT_HASH: HelperId = HelperId(72);
    /// `BPF_FUNC_lwt_push_encap` (73): `long bpf_lwt_push_encap(struct sk_buff *skb, u32 type, void *hdr, u32 len)`
    #[doc(alias = "BPF_FUNC_lwt_push_encap")]
    pub const LWT_PUSH_ENCAP: HelperId = HelperId(73);
    /// `BPF_FUNC_lwt_seg6_store_bytes` (74).
    #[doc(alias = "BPF_FUNC_lwt_seg6_store_bytes")]
    pub const LWT_SEG6_STORE_BYTES: HelperId = HelperId(74);
    /// `BPF_FUNC_lwt_seg6_adjust_srh` (75): `long bpf_lwt_seg6_adjust_srh(struct sk_buff *skb, u32 offset, s32 delta)`
    #[doc(alias = "BPF_FUNC_lwt_seg6_adjust_srh")]
    pub const LWT_SEG6_ADJUST_SRH: HelperId = HelperId(75);
    /// `BPF_FUNC_lwt_seg6_action` (76).
    #[doc(alias = "BPF_FUNC_lwt_seg6_action")]
    pub const LWT_SEG6_ACTION: HelperId = HelperId(76);
    /// `BPF_FUNC_rc_repeat` (77): `long bpf_rc_repeat(void *ctx)`
    #[doc(alias = "BPF_FUNC_rc_repeat")]
    pub const RC_REPEAT: HelperId = HelperId(77);
    /// `BPF_FUNC_rc_keydown` (78): `long bpf_rc_keydown(void *ctx, u32 protocol, u64 scancode, u32 toggle)`
    #[doc(alias = "BPF_FUNC_rc_keydown")]
    pub const RC_KEYDOWN: HelperId = HelperId(78);
    /// `BPF_FUNC_skb_cgroup_id` (79): `u64 bpf_skb_cgroup_id(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_skb_cgroup_id")]
    pub const SKB_CGROUP_ID: HelperId = HelperId(79);
    /// `BPF_FUNC_get_current_cgroup_id` (80): `u64 bpf_get_current_cgroup_id(void)`
    #[doc(alias = "BPF_FUNC_get_current_cgroup_id")]
    pub const GET_CURRENT_CGROUP_ID: HelperId = HelperId(80);
    /// `BPF_FUNC_get_local_storage` (81): `void *bpf_get_local_storage(void *map, u64 flags)`
    #[doc(alias = "BPF_FUNC_get_local_storage")]
    pub const GET_LOCAL_STORAGE: HelperId = HelperId(81);
    /// `BPF_FUNC_sk_select_reuseport` (82).
    #[doc(alias = "BPF_FUNC_sk_select_reuseport")]
    pub const SK_SELECT_REUSEPORT: HelperId = HelperId(82);
    /// `BPF_FUNC_skb_ancestor_cgroup_id` (83): `u64 bpf_skb_ancestor_cgroup_id(struct sk_buff *skb, int ancestor_level)`
    #[doc(alias = "BPF_FUNC_skb_ancestor_cgroup_id")]
    pub const SKB_ANCESTOR_CGROUP_ID: HelperId = HelperId(83);
    /// `BPF_FUNC_sk_lookup_tcp` (84).
    #[doc(alias = "BPF_FUNC_sk_lookup_tcp")]
    pub const SK_LOOKUP_TCP: HelperId = HelperId(84);
    /// `BPF_FUNC_sk_lookup_udp` (85).
    #[doc(alias = "BPF_FUNC_sk_lookup_udp")]
    pub const SK_LOOKUP_UDP: HelperId = HelperId(85);
    /// `BPF_FUNC_sk_release` (86): `long bpf_sk_release(void *sock)`
    #[doc(alias = "BPF_FUNC_sk_release")]
    pub const SK_RELEASE: HelperId = HelperId(86);
    /// `BPF_FUNC_map_push_elem` (87): `long bpf_map_push_elem(struct bpf_map *map, const void *value, u64 flags)`
    #[doc(alias = "BPF_FUNC_map_push_elem")]
    pub const MAP_PUSH_ELEM: HelperId = HelperId(87);
    /// `BPF_FUNC_map_pop_elem` (88): `long bpf_map_pop_elem(struct bpf_map *map, void *value)`
    #[doc(alias = "BPF_FUNC_map_pop_elem")]
    pub const MAP_POP_ELEM: HelperId = HelperId(88);
    /// `BPF_FUNC_map_peek_elem` (89): `long bpf_map_peek_elem(struct bpf_map *map, void *value)`
    #[doc(alias = "BPF_FUNC_map_peek_elem")]
    pub const MAP_PEEK_ELEM: HelperId = HelperId(89);
    /// `BPF_FUNC_msg_push_data` (90): `long bpf_msg_push_data(struct sk_msg_buff *msg, u32 start, u32 len, u64 flags)`
    #[doc(alias = "BPF_FUNC_msg_push_data")]
    pub const MSG_PUSH_DATA: HelperId = HelperId(90);
    /// `BPF_FUNC_msg_pop_data` (91): `long bpf_msg_pop_data(struct sk_msg_buff *msg, u32 start, u32 len, u64 flags)`
    #[doc(alias = "BPF_FUNC_msg_pop_data")]
    pub const MSG_POP_DATA: HelperId = HelperId(91);
    /// `BPF_FUNC_rc_pointer_rel` (92): `long bpf_rc_pointer_rel(void *ctx, s32 rel_x, s32 rel_y)`
    #[doc(alias = "BPF_FUNC_rc_pointer_rel")]
    pub const RC_POINTER_REL: HelperId = HelperId(92);
    /// `BPF_FUNC_spin_lock` (93): `long bpf_spin_lock(struct bpf_spin_lock *lock)`
    #[doc(alias = "BPF_FUNC_spin_lock")]
    pub const SPIN_LOCK: HelperId = HelperId(93);
    /// `BPF_FUNC_spin_unlock` (94): `long bpf_spin_unlock(struct bpf_spin_lock *lock)`
    #[doc(alias = "BPF_FUNC_spin_unlock")]
    pub const SPIN_UNLOCK: HelperId = HelperId(94);
    /// `BPF_FUNC_sk_fullsock` (95): `struct bpf_sock *bpf_sk_fullsock(struct bpf_sock *sk)`
    #[doc(alias = "BPF_FUNC_sk_fullsock")]
    pub const SK_FULLSOCK: HelperId = HelperId(95);
    /// `BPF_FUNC_tcp_sock` (96): `struct bpf_tcp_sock *bpf_tcp_sock(struct bpf_sock *sk)`
    #[doc(alias = "BPF_FUNC_tcp_sock")]
    pub const TCP_SOCK: HelperId = HelperId(96);
    /// `BPF_FUNC_skb_ecn_set_ce` (97): `long bpf_skb_ecn_set_ce(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_skb_ecn_set_ce")]
    pub const SKB_ECN_SET_CE: HelperId = HelperId(97);
    /// `BPF_FUNC_get_listener_sock` (98): `struct bpf_sock *bpf_get_listener_sock(struct bpf_sock *sk)`
    #[doc(alias = "BPF_FUNC_get_listener_sock")]
    pub const GET_LISTENER_SOCK: HelperId = HelperId(98);
    /// `BPF_FUNC_skc_lookup_tcp` (99).
    #[doc(alias = "BPF_FUNC_skc_lookup_tcp")]
    pub const SKC_LOOKUP_TCP: HelperId = HelperId(99);
    /// `BPF_FUNC_tcp_check_syncookie` (100).
    #[doc(alias = "BPF_FUNC_tcp_check_syncookie")]
    pub const TCP_CHECK_SYNCOOKIE: HelperId = HelperId(100);
    /// `BPF_FUNC_sysctl_get_name` (101).
    #[doc(alias = "BPF_FUNC_sysctl_get_name")]
    pub const SYSCTL_GET_NAME: HelperId = HelperId(101);
    /// `BPF_FUNC_sysctl_get_current_value` (102).
    #[doc(alias = "BPF_FUNC_sysctl_get_current_value")]
    pub const SYSCTL_GET_CURRENT_VALUE: HelperId = HelperId(102);
    /// `BPF_FUNC_sysctl_get_new_value` (103).
    #[doc(alias = "BPF_FUNC_sysctl_get_new_value")]
    pub const SYSCTL_GET_NEW_VALUE: HelperId = HelperId(103);
    /// `BPF_FUNC_sysctl_set_new_value` (104).
    #[doc(alias = "BPF_FUNC_sysctl_set_new_value")]
    pub const SYSCTL_SET_NEW_VALUE: HelperId = HelperId(104);
    /// `BPF_FUNC_strtol` (105): `long bpf_strtol(const char *buf, size_t buf_len, u64 flags, long *res)`
    #[doc(alias = "BPF_FUNC_strtol")]
    pub const STRTOL: HelperId = HelperId(105);
    /// `BPF_FUNC_strtoul` (106).
    #[doc(alias = "BPF_FUNC_strtoul")]
    pub const STRTOUL: HelperId = HelperId(106);
    /// `BPF_FUNC_sk_storage_get` (107): `void *bpf_sk_storage_get(struct bpf_map *map, void *sk, void *value, u64 flags)`
    #[doc(alias = "BPF_FUNC_sk_storage_get")]
    pub const SK_STORAGE_GET: HelperId = HelperId(107);
    /// `BPF_FUNC_sk_storage_delete` (108): `long bpf_sk_storage_delete(struct bpf_map *map, void *sk)`
    #[doc(alias = "BPF_FUNC_sk_storage_delete")]
    pub const SK_STORAGE_DELETE: HelperId = HelperId(108);
    /// `BPF_FUNC_send_signal` (109): `long bpf_send_signal(u32 sig)`
    #[doc(alias = "BPF_FUNC_send_signal")]
    pub const SEND_SIGNAL: HelperId = HelperId(109);
    /// `BPF_FUNC_tcp_gen_syncookie` (110).
    #[doc(alias = "BPF_FUNC_tcp_gen_syncookie")]
    pub const TCP_GEN_SYNCOOKIE: HelperId = HelperId(110);
    /// `BPF_FUNC_skb_output` (111).
    #[doc(alias = "BPF_FUNC_skb_output")]
    pub const SKB_OUTPUT: HelperId = HelperId(111);
    /// `BPF_FUNC_probe_read_user` (112): `long bpf_probe_read_user(void *dst, u32 size, const void *unsafe_ptr)`
    #[doc(alias = "BPF_FUNC_probe_read_user")]
    pub const PROBE_READ_USER: HelperId = HelperId(112);
    /// `BPF_FUNC_probe_read_kernel` (113): `long bpf_probe_read_kernel(void *dst, u32 size, const void *unsafe_ptr)`
    #[doc(alias = "BPF_FUNC_probe_read_kernel")]
    pub const PROBE_READ_KERNEL: HelperId = HelperId(113);
    /// `BPF_FUNC_probe_read_user_str` (114): `long bpf_probe_read_user_str(void *dst, u32 size, const void *unsafe_ptr)`
    #[doc(alias = "BPF_FUNC_probe_read_user_str")]
    pub const PROBE_READ_USER_STR: HelperId = HelperId(114);
    /// `BPF_FUNC_probe_read_kernel_str` (115): `long bpf_probe_read_kernel_str(void *dst, u32 size, const void *unsafe_ptr)`
    #[doc(alias = "BPF_FUNC_probe_read_kernel_str")]
    pub const PROBE_READ_KERNEL_STR: HelperId = HelperId(115);
    /// `BPF_FUNC_tcp_send_ack` (116): `long bpf_tcp_send_ack(void *tp, u32 rcv_nxt)`
    #[doc(alias = "BPF_FUNC_tcp_send_ack")]
    pub const TCP_SEND_ACK: HelperId = HelperId(116);
    /// `BPF_FUNC_send_signal_thread` (117): `long bpf_send_signal_thread(u32 sig)`
    #[doc(alias = "BPF_FUNC_send_signal_thread")]
    pub const SEND_SIGNAL_THREAD: HelperId = HelperId(117);
    /// `BPF_FUNC_jiffies64` (118): `u64 bpf_jiffies64(void)`
    #[doc(alias = "BPF_FUNC_jiffies64")]
    pub const JIFFIES64: HelperId = HelperId(118);
    /// `BPF_FUNC_read_branch_records` (119).
    #[doc(alias = "BPF_FUNC_read_branch_records")]
    pub const READ_BRANCH_RECORDS: HelperId = HelperId(119);
    /// `BPF_FUNC_get_ns_current_pid_tgid` (120).
    #[doc(alias = "BPF_FUNC_get_ns_current_pid_tgid")]
    pub const GET_NS_CURRENT_PID_TGID: HelperId = HelperId(120);
    /// `BPF_FUNC_xdp_output` (121).
    #[doc(alias = "BPF_FUNC_xdp_output")]
    pub const XDP_OUTPUT: HelperId = HelperId(121);
    /// `BPF_FUNC_get_netns_cookie` (122): `u64 bpf_get_netns_cookie(void *ctx)`
    #[doc(alias = "BPF_FUNC_get_netns_cookie")]
    pub const GET_NETNS_COOKIE: HelperId = HelperId(122);
    /// `BPF_FUNC_get_current_ancestor_cgroup_id` (123): `u64 bpf_get_current_ancestor_cgroup_id(int ancestor_level)`
    #[doc(alias = "BPF_FUNC_get_current_ancestor_cgroup_id")]
    pub const GET_CURRENT_ANCESTOR_CGROUP_ID: HelperId = HelperId(123);
    /// `BPF_FUNC_sk_assign` (124): `long bpf_sk_assign(struct sk_buff *skb, void *sk, u64 flags)`
    #[doc(alias = "BPF_FUNC_sk_assign")]
    pub const SK_ASSIGN: HelperId = HelperId(124);
    /// `BPF_FUNC_ktime_get_boot_ns` (125): `u64 bpf_ktime_get_boot_ns(void)`
    #[doc(alias = "BPF_FUNC_ktime_get_boot_ns")]
    pub const KTIME_GET_BOOT_NS: HelperId = HelperId(125);
    /// `BPF_FUNC_seq_printf` (126).
    #[doc(alias = "BPF_FUNC_seq_printf")]
    pub const SEQ_PRINTF: HelperId = HelperId(126);
    /// `BPF_FUNC_seq_write` (127): `long bpf_seq_write(struct seq_file *m, const void *data, u32 len)`
    #[doc(alias = "BPF_FUNC_seq_write")]
    pub const SEQ_WRITE: HelperId = HelperId(127);
    /// `BPF_FUNC_sk_cgroup_id` (128): `u64 bpf_sk_cgroup_id(void *sk)`
    #[doc(alias = "BPF_FUNC_sk_cgroup_id")]
    pub const SK_CGROUP_ID: HelperId = HelperId(128);
    /// `BPF_FUNC_sk_ancestor_cgroup_id` (129): `u64 bpf_sk_ancestor_cgroup_id(void *sk, int ancestor_level)`
    #[doc(alias = "BPF_FUNC_sk_ancestor_cgroup_id")]
    pub const SK_ANCESTOR_CGROUP_ID: HelperId = HelperId(129);
    /// `BPF_FUNC_ringbuf_output` (130): `long bpf_ringbuf_output(void *ringbuf, void *data, u64 size, u64 flags)`
    #[doc(alias = "BPF_FUNC_ringbuf_output")]
    pub const RINGBUF_OUTPUT: HelperId = HelperId(130);
    /// `BPF_FUNC_ringbuf_reserve` (131): `void *bpf_ringbuf_reserve(void *ringbuf, u64 size, u64 flags)`
    #[doc(alias = "BPF_FUNC_ringbuf_reserve")]
    pub const RINGBUF_RESERVE: HelperId = HelperId(131);
    /// `BPF_FUNC_ringbuf_submit` (132): `void bpf_ringbuf_submit(void *data, u64 flags)`
    #[doc(alias = "BPF_FUNC_ringbuf_submit")]
    pub const RINGBUF_SUBMIT: HelperId = HelperId(132);
    /// `BPF_FUNC_ringbuf_discard` (133): `void bpf_ringbuf_discard(void *data, u64 flags)`
    #[doc(alias = "BPF_FUNC_ringbuf_discard")]
    pub const RINGBUF_DISCARD: HelperId = HelperId(133);
    /// `BPF_FUNC_ringbuf_query` (134): `u64 bpf_ringbuf_query(void *ringbuf, u64 flags)`
    #[doc(alias = "BPF_FUNC_ringbuf_query")]
    pub const RINGBUF_QUERY: HelperId = HelperId(134);
    /// `BPF_FUNC_csum_level` (135): `long bpf_csum_level(struct sk_buff *skb, u64 level)`
    #[doc(alias = "BPF_FUNC_csum_level")]
    pub const CSUM_LEVEL: HelperId = HelperId(135);
    /// `BPF_FUNC_skc_to_tcp6_sock` (136): `struct tcp6_sock *bpf_skc_to_tcp6_sock(void *sk)`
    #[doc(alias = "BPF_FUNC_skc_to_tcp6_sock")]
    pub const SKC_TO_TCP6_SOCK: HelperId = HelperId(136);
    /// `BPF_FUNC_skc_to_tcp_sock` (137): `struct tcp_sock *bpf_skc_to_tcp_sock(void *sk)`
    #[doc(alias = "BPF_FUNC_skc_to_tcp_sock")]
    pub const SKC_TO_TCP_SOCK: HelperId = HelperId(137);
    /// `BPF_FUNC_skc_to_tcp_timewait_sock` (138): `struct tcp_timewait_sock *bpf_skc_to_tcp_timewait_sock(void *sk)`
    #[doc(alias = "BPF_FUNC_skc_to_tcp_timewait_sock")]
    pub const SKC_TO_TCP_TIMEWAIT_SOCK: HelperId = HelperId(138);
    /// `BPF_FUNC_skc_to_tcp_request_sock` (139): `struct tcp_request_sock *bpf_skc_to_tcp_request_sock(void *sk)`
    #[doc(alias = "BPF_FUNC_skc_to_tcp_request_sock")]
    pub const SKC_TO_TCP_REQUEST_SOCK: HelperId = HelperId(139);
    /// `BPF_FUNC_skc_to_udp6_sock` (140): `struct udp6_sock *bpf_skc_to_udp6_sock(void *sk)`
    #[doc(alias = "BPF_FUNC_skc_to_udp6_sock")]
    pub const SKC_TO_UDP6_SOCK: HelperId = HelperId(140);
    /// `BPF_FUNC_get_task_stack` (141).
    #[doc(alias = "BPF_FUNC_get_task_stack")]
    pub const GET_TASK_STACK: HelperId = HelperId(141);
    /// `BPF_FUNC_load_hdr_opt` (142).
    #[doc(alias = "BPF_FUNC_load_hdr_opt")]
    pub const LOAD_HDR_OPT: HelperId = HelperId(142);
    /// `BPF_FUNC_store_hdr_opt` (143).
    #[doc(alias = "BPF_FUNC_store_hdr_opt")]
    pub const STORE_HDR_OPT: HelperId = HelperId(143);
    /// `BPF_FUNC_reserve_hdr_opt` (144): `long bpf_reserve_hdr_opt(struct bpf_sock_ops *skops, u32 len, u64 flags)`
    #[doc(alias = "BPF_FUNC_reserve_hdr_opt")]
    pub const RESERVE_HDR_OPT: HelperId = HelperId(144);
    /// `BPF_FUNC_inode_storage_get` (145).
    #[doc(alias = "BPF_FUNC_inode_storage_get")]
    pub const INODE_STORAGE_GET: HelperId = HelperId(145);
    /// `BPF_FUNC_inode_storage_delete` (146): `int bpf_inode_storage_delete(struct bpf_map *map, void *inode)`
    #[doc(alias = "BPF_FUNC_inode_storage_delete")]
    pub const INODE_STORAGE_DELETE: HelperId = HelperId(146);
    /// `BPF_FUNC_d_path` (147): `long bpf_d_path(struct path *path, char *buf, u32 sz)`
    #[doc(alias = "BPF_FUNC_d_path")]
    pub const D_PATH: HelperId = HelperId(147);
    /// `BPF_FUNC_copy_from_user` (148): `long bpf_copy_from_user(void *dst, u32 size, const void *user_ptr)`
    #[doc(alias = "BPF_FUNC_copy_from_user")]
    pub const COPY_FROM_USER: HelperId = HelperId(148);
    /// `BPF_FUNC_snprintf_btf` (149).
    #[doc(alias = "BPF_FUNC_snprintf_btf")]
    pub const SNPRINTF_BTF: HelperId = HelperId(149);
    /// `BPF_FUNC_seq_printf_btf` (150).
    #[doc(alias = "BPF_FUNC_seq_printf_btf")]
    pub const SEQ_PRINTF_BTF: HelperId = HelperId(150);
    /// `BPF_FUNC_skb_cgroup_classid` (151): `u64 bpf_skb_cgroup_classid(struct sk_buff *skb)`
    #[doc(alias = "BPF_FUNC_skb_cgroup_classid")]
    pub const SKB_CGROUP_CLASSID: HelperId = HelperId(151);
    /// `BPF_FUNC_redirect_neigh` (152).
    #[doc(alias = "BPF_FUNC_redirect_neigh")]
    pub const REDIRECT_NEIGH: HelperId = HelperId(152);
    /// `BPF_FUNC_per_cpu_ptr` (153): `void *bpf_per_cpu_ptr(const void *percpu_ptr, u32 cpu)`
    #[doc(alias = "BPF_FUNC_per_cpu_ptr")]
    pub const PER_CPU_PTR: HelperId = HelperId(153);
    /// `BPF_FUNC_this_cpu_ptr` (154): `void *bpf_this_cpu_ptr(const void *percpu_ptr)`
    #[doc(alias = "BPF_FUNC_this_cpu_ptr")]
    pub const THIS_CPU_PTR: HelperId = HelperId(154);
    /// `BPF_FUNC_redirect_peer` (155): `long bpf_redirect_peer(u32 ifindex, u64 flags)`
    #[doc(alias = "BPF_FUNC_redirect_peer")]
    pub const REDIRECT_PEER: HelperId = HelperId(155);
    /// `BPF_FUNC_task_storage_get` (156).
    #[doc(alias = "BPF_FUNC_task_storage_get")]
    pub const TASK_STORAGE_GET: HelperId = HelperId(156);
    /// `BPF_FUNC_task_storage_delete` (157): `long bpf_task_storage_delete(struct bpf_map *map, struct task_struct *task)`
    #[doc(alias = "BPF_FUNC_task_storage_delete")]
    pub const TASK_STORAGE_DELETE: HelperId = HelperId(157);
    /// `BPF_FUNC_get_current_task_btf` (158): `struct task_struct *bpf_get_current_task_btf(void)`
    #[doc(alias = "BPF_FUNC_get_current_task_btf")]
    pub const GET_CURRENT_TASK_BTF: HelperId = HelperId(158);
    /// `BPF_FUNC_bprm_opts_set` (159): `long bpf_bprm_opts_set(struct linux_binprm *bprm, u64 flags)`
    #[doc(alias = "BPF_FUNC_bprm_opts_set")]
    pub const BPRM_OPTS_SET: HelperId = HelperId(159);
    /// `BPF_FUNC_ktime_get_coarse_ns` (160): `u64 bpf_ktime_get_coarse_ns(void)`
    #[doc(alias = "BPF_FUNC_ktime_get_coarse_ns")]
    pub const KTIME_GET_COARSE_NS: HelperId = HelperId(160);
    /// `BPF_FUNC_ima_inode_hash` (161): `long bpf_ima_inode_hash(struct inode *inode, void *dst, u32 size)`
    #[doc(alias = "BPF_FUNC_ima_inode_hash")]
    pub const IMA_INODE_HASH: HelperId = HelperId(161);
    /// `BPF_FUNC_sock_from_file` (162): `struct socket *bpf_sock_from_file(struct file *file)`
    #[doc(alias = "BPF_FUNC_sock_from_file")]
    pub const SOCK_FROM_FILE: HelperId = HelperId(162);
    /// `BPF_FUNC_check_mtu` (163).
    #[doc(alias = "BPF_FUNC_check_mtu")]
    pub const CHECK_MTU: HelperId = HelperId(163);
    /// `BPF_FUNC_for_each_map_elem` (164).
    #[doc(alias = "BPF_FUNC_for_each_map_elem")]
    pub const FOR_EACH_MAP_ELEM: HelperId = HelperId(164);
    /// `BPF_FUNC_snprintf` (165).
    #[doc(alias = "BPF_FUNC_snprintf")]
    pub const SNPRINTF: HelperId = HelperId(165);
    /// `BPF_FUNC_sys_bpf` (166): `long bpf_sys_bpf(u32 cmd, void *attr, u32 attr_size)`
    #[doc(alias = "BPF_FUNC_sys_bpf")]
    pub const SYS_BPF: HelperId = HelperId(166);
    /// `BPF_FUNC_btf_find_by_name_kind` (167): `long bpf_btf_find_by_name_kind(char *name, int name_sz, u32 kind, int flags)`
    #[doc(alias = "BPF_FUNC_btf_find_by_name_kind")]
    pub const BTF_FIND_BY_NAME_KIND: HelperId = HelperId(167);
    /// `BPF_FUNC_sys_close` (168): `long bpf_sys_close(u32 fd)`
    #[doc(alias = "BPF_FUNC_sys_close")]
    pub const SYS_CLOSE: HelperId = HelperId(168);
    /// `BPF_FUNC_timer_init` (169): `long bpf_timer_init(struct bpf_timer *timer, struct bpf_map *map, u64 flags)`
    #[doc(alias = "BPF_FUNC_timer_init")]
    pub const TIMER_INIT: HelperId = HelperId(169);
    /// `BPF_FUNC_timer_set_callback` (170): `long bpf_timer_set_callback(struct bpf_timer *timer, void *callback_fn)`
    #[doc(alias = "BPF_FUNC_timer_set_callback")]
    pub const TIMER_SET_CALLBACK: HelperId = HelperId(170);
    /// `BPF_FUNC_timer_start` (171): `long bpf_timer_start(struct bpf_timer *timer, u64 nsecs, u64 flags)`
    #[doc(alias = "BPF_FUNC_timer_start")]
    pub const TIMER_START: HelperId = HelperId(171);
    /// `BPF_FUNC_timer_cancel` (172): `long bpf_timer_cancel(struct bpf_timer *timer)`
    #[doc(alias = "BPF_FUNC_timer_cancel")]
    pub const TIMER_CANCEL: HelperId = HelperId(172);
    /// `BPF_FUNC_get_func_ip` (173): `u64 bpf_get_func_ip(void *ctx)`
    #[doc(alias = "BPF_FUNC_get_func_ip")]
    pub const GET_FUNC_IP: HelperId = HelperId(173);
    /// `BPF_FUNC_get_attach_cookie` (174): `u64 bpf_get_attach_cookie(void *ctx)`
    #[doc(alias = "BPF_FUNC_get_attach_cookie")]
    pub const GET_ATTACH_COOKIE: HelperId = HelperId(174);
    /// `BPF_FUNC_task_pt_regs` (175): `long bpf_task_pt_regs(struct task_struct *task)`
    #[doc(alias = "BPF_FUNC_task_pt_regs")]
    pub const TASK_PT_REGS: HelperId = HelperId(175);
    /// `BPF_FUNC_get_branch_snapshot` (176): `long bpf_get_branch_snapshot(void *entries, u32 size, u64 flags)`
    #[doc(alias = "BPF_FUNC_get_branch_snapshot")]
    pub const GET_BRANCH_SNAPSHOT: HelperId = HelperId(176);
    /// `BPF_FUNC_trace_vprintk` (177).
    #[doc(alias = "BPF_FUNC_trace_vprintk")]
    pub const TRACE_VPRINTK: HelperId = HelperId(177);
    /// `BPF_FUNC_skc_to_unix_sock` (178): `struct unix_sock *bpf_skc_to_unix_sock(void *sk)`
    #[doc(alias = "BPF_FUNC_skc_to_unix_sock")]
    pub const SKC_TO_UNIX_SOCK: HelperId = HelperId(178);
    /// `BPF_FUNC_kallsyms_lookup_name` (179).
    #[doc(alias = "BPF_FUNC_kallsyms_lookup_name")]
    pub const KALLSYMS_LOOKUP_NAME: HelperId = HelperId(179);
    /// `BPF_FUNC_find_vma` (180).
    #[doc(alias = "BPF_FUNC_find_vma")]
    pub const FIND_VMA: HelperId = HelperId(180);
    /// `BPF_FUNC_loop` (181): `long bpf_loop(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags)`
    #[doc(alias = "BPF_FUNC_loop")]
    pub const LOOP: HelperId = HelperId(181);
    /// `BPF_FUNC_strncmp` (182): `long bpf_strncmp(const char *s1, u32 s1_sz, const char *s2)`
    #[doc(alias = "BPF_FUNC_strncmp")]
    pub const STRNCMP: HelperId = HelperId(182);
    /// `BPF_FUNC_get_func_arg` (183): `long bpf_get_func_arg(void *ctx, u32 n, u64 *value)`
    #[doc(alias = "BPF_FUNC_get_func_arg")]
    pub const GET_FUNC_ARG: HelperId = HelperId(183);
    /// `BPF_FUNC_get_func_ret` (184): `long bpf_get_func_ret(void *ctx, u64 *value)`
    #[doc(alias = "BPF_FUNC_get_func_ret")]
    pub const GET_FUNC_RET: HelperId = HelperId(184);
    /// `BPF_FUNC_get_func_arg_cnt` (185): `long bpf_get_func_arg_cnt(void *ctx)`
    #[doc(alias = "BPF_FUNC_get_func_arg_cnt")]
    pub const GET_FUNC_ARG_CNT: HelperId = HelperId(185);
    /// `BPF_FUNC_get_retval` (186): `int bpf_get_retval(void)`
    #[doc(alias = "BPF_FUNC_get_retval")]
    pub const GET_RETVAL: HelperId = HelperId(186);
    /// `BPF_FUNC_set_retval` (187): `int bpf_set_retval(int retval)`
    #[doc(alias = "BPF_FUNC_set_retval")]
    pub const SET_RETVAL: HelperId = HelperId(187);
    /// `BPF_FUNC_xdp_get_buff_len` (188): `u64 bpf_xdp_get_buff_len(struct xdp_buff *xdp_md)`
    #[doc(alias = "BPF_FUNC_xdp_get_buff_len")]
    pub const XDP_GET_BUFF_LEN: HelperId = HelperId(188);
    /// `BPF_FUNC_xdp_load_bytes` (189).
    #[doc(alias = "BPF_FUNC_xdp_load_bytes")]
    pub const XDP_LOAD_BYTES: HelperId = HelperId(189);
    /// `BPF_FUNC_xdp_store_bytes` (190).
    #[doc(alias = "BPF_FUNC_xdp_store_bytes")]
    pub const XDP_STORE_BYTES: HelperId = HelperId(190);
    /// `BPF_FUNC_copy_from_user_task` (191).
    #[doc(alias = "BPF_FUNC_copy_from_user_task")]
    pub const COPY_FROM_USER_TASK: HelperId = HelperId(191);
    /// `BPF_FUNC_skb_set_tstamp` (192): `long bpf_skb_set_tstamp(struct sk_buff *skb, u64 tstamp, u32 tstamp_type)`
    #[doc(alias = "BPF_FUNC_skb_set_tstamp")]
    pub const SKB_SET_TSTAMP: HelperId = HelperId(192);
    /// `BPF_FUNC_ima_file_hash` (193): `long bpf_ima_file_hash(struct file *file, void *dst, u32 size)`
    #[doc(alias = "BPF_FUNC_ima_file_hash")]
    pub const IMA_FILE_HASH: HelperId = HelperId(193);
    /// `BPF_FUNC_kptr_xchg` (194): `void *bpf_kptr_xchg(void *map_value, void *ptr)`
    #[doc(alias = "BPF_FUNC_kptr_xchg")]
    pub const KPTR_XCHG: HelperId = HelperId(194);
    /// `BPF_FUNC_map_lookup_percpu_elem` (195): `void *bpf_map_lookup_percpu_elem(struct bpf_map *map, const void *key, u32 cpu)`
    #[doc(alias = "BPF_FUNC_map_lookup_percpu_elem")]
    pub const MAP_LOOKUP_PERCPU_ELEM: HelperId = HelperId(195);
    /// `BPF_FUNC_skc_to_mptcp_sock` (196): `struct mptcp_sock *bpf_skc_to_mptcp_sock(void *sk)`
    #[doc(alias = "BPF_FUNC_skc_to_mptcp_sock")]
    pub const SKC_TO_MPTCP_SOCK: HelperId = HelperId(196);
    /// `BPF_FUNC_dynptr_from_mem` (197).
    #[doc(alias = "BPF_FUNC_dynptr_from_mem")]
    pub const DYNPTR_FROM_MEM: HelperId = HelperId(197);
    /// `BPF_FUNC_ringbuf_reserve_dynptr` (198).
    #[doc(alias = "BPF_FUNC_ringbuf_reserve_dynptr")]
    pub const RINGBUF_RESERVE_DYNPTR: HelperId = HelperId(198);
    /// `BPF_FUNC_ringbuf_submit_dynptr` (199): `void bpf_ringbuf_submit_dynptr(struct bpf_dynptr *ptr, u64 flags)`
    #[doc(alias = "BPF_FUNC_ringbuf_submit_dynptr")]
    pub const RINGBUF_SUBMIT_DYNPTR: HelperId = HelperId(199);
    /// `BPF_FUNC_ringbuf_discard_dynptr` (200): `void bpf_ringbuf_discard_dynptr(struct bpf_dynptr *ptr, u64 flags)`
    #[doc(alias = "BPF_FUNC_ringbuf_discard_dynptr")]
    pub const RINGBUF_DISCARD_DYNPTR: HelperId = HelperId(200);
    /// `BPF_FUNC_dynptr_read` (201).
    #[doc(alias = "BPF_FUNC_dynptr_read")]
    pub const DYNPTR_READ: HelperId = HelperId(201);
    /// `BPF_FUNC_dynptr_write` (202).
    #[doc(alias = "BPF_FUNC_dynptr_write")]
    pub const DYNPTR_WRITE: HelperId = HelperId(202);
    /// `BPF_FUNC_dynptr_data` (203): `void *bpf_dynptr_data(struct bpf_dynptr *ptr, u32 offset, u32 len)`
    #[doc(alias = "BPF_FUNC_dynptr_data")]
    pub const DYNPTR_DATA: HelperId = HelperId(203);
    /// `BPF_FUNC_tcp_raw_gen_syncookie_ipv4` (204).
    #[doc(alias = "BPF_FUNC_tcp_raw_gen_syncookie_ipv4")]
    pub const TCP_RAW_GEN_SYNCOOKIE_IPV4: HelperId = HelperId(204);
    /// `BPF_FUNC_tcp_raw_gen_syncookie_ipv6` (205).
    #[doc(alias = "BPF_FUNC_tcp_raw_gen_syncookie_ipv6")]
    pub const TCP_RAW_GEN_SYNCOOKIE_IPV6: HelperId = HelperId(205);
    /// `BPF_FUNC_tcp_raw_check_syncookie_ipv4` (206): `long bpf_tcp_raw_check_syncookie_ipv4(struct iphdr *iph, struct tcphdr *th)`
    #[doc(alias = "BPF_FUNC_tcp_raw_check_syncookie_ipv4")]
    pub const TCP_RAW_CHECK_SYNCOOKIE_IPV4: HelperId = HelperId(206);
    /// `BPF_FUNC_tcp_raw_check_syncookie_ipv6` (207): `long bpf_tcp_raw_check_syncookie_ipv6(struct ipv6hdr *iph, struct tcphdr *th)`
    #[doc(alias = "BPF_FUNC_tcp_raw_check_syncookie_ipv6")]
    pub const TCP_RAW_CHECK_SYNCOOKIE_IPV6: HelperId = HelperId(207);
    /// `BPF_FUNC_ktime_get_tai_ns` (208): `u64 bpf_ktime_get_tai_ns(void)`
    #[doc(alias = "BPF_FUNC_ktime_get_tai_ns")]
    pub const KTIME_GET_TAI_NS: HelperId = HelperId(208);
    /// `BPF_FUNC_user_ringbuf_drain` (209).
    #[doc(alias = "BPF_FUNC_user_ringbuf_drain")]
    pub const USER_RINGBUF_DRAIN: HelperId = HelperId(209);
    /// `BPF_FUNC_cgrp_storage_get` (210).
    #[doc(alias = "BPF_FUNC_cgrp_storage_get")]
    pub const CGRP_STORAGE_GET: HelperId = HelperId(210);
    /// `BPF_FUNC_cgrp_storage_delete` (211).
    #[doc(alias = "BPF_FUNC_cgrp_storage_delete")]
    pub const CGRP_STORAGE_DELETE: HelperId = HelperId(211);
}
