//! Prototypes of socket-level and cgroup helpers (`net/core/filter.c`, `net/core/sock_map.c`,
//! `net/core/bpf_sk_storage.c`, `kernel/bpf/cgroup.c`, `net/ipv4/bpf_tcp_ca.c`,
//! `drivers/media/rc/bpf-lirc.c`): sock_ops, sk_msg, sockmap updates and redirects, socket
//! options, sysctl, return values of cgroup hooks, socket storage, infrared decoders.

use super::{HelperId as H, HelperProto as P, ProtoFlags};
use crate::types::{Arg as A, RetType as R};

const SETSOCKOPT_TAIL: [A; 4] = [A::ANYTHING, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE];
const GETSOCKOPT_TAIL: [A; 4] = [A::ANYTHING, A::ANYTHING, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE];
const CTX: &[A] = &[A::PTR_TO_CTX];
const CTX_ANY: &[A] = &[A::PTR_TO_CTX, A::ANYTHING];
const CTX_ANY3: &[A] = &[A::PTR_TO_CTX, A::ANYTHING, A::ANYTHING, A::ANYTHING];

/// `bpf_setsockopt` on a BTF socket (tracing, struct_ops, cgroup sockopt with the lock held).
pub const SK_SETSOCKOPT: P = P::new(H::SETSOCKOPT, "bpf_sk_setsockopt_proto").args(&[
    A::PTR_TO_BTF_ID_SOCK_COMMON,
    SETSOCKOPT_TAIL[0],
    SETSOCKOPT_TAIL[1],
    SETSOCKOPT_TAIL[2],
    SETSOCKOPT_TAIL[3],
]);
/// `bpf_setsockopt` from cgroup sockopt hooks (socket not locked).
pub const UNLOCKED_SK_SETSOCKOPT: P = P::new(H::SETSOCKOPT, "bpf_unlocked_sk_setsockopt_proto").args(&[
    A::PTR_TO_BTF_ID_SOCK_COMMON,
    SETSOCKOPT_TAIL[0],
    SETSOCKOPT_TAIL[1],
    SETSOCKOPT_TAIL[2],
    SETSOCKOPT_TAIL[3],
]);
/// `bpf_setsockopt` from sock_addr hooks (on the context).
pub const SOCK_ADDR_SETSOCKOPT: P = P::new(H::SETSOCKOPT, "bpf_sock_addr_setsockopt_proto").args(&[
    A::PTR_TO_CTX,
    SETSOCKOPT_TAIL[0],
    SETSOCKOPT_TAIL[1],
    SETSOCKOPT_TAIL[2],
    SETSOCKOPT_TAIL[3],
]);
/// `bpf_setsockopt` from sock_ops (on the context).
pub const SOCK_OPS_SETSOCKOPT: P = P::new(H::SETSOCKOPT, "bpf_sock_ops_setsockopt_proto").args(&[
    A::PTR_TO_CTX,
    SETSOCKOPT_TAIL[0],
    SETSOCKOPT_TAIL[1],
    SETSOCKOPT_TAIL[2],
    SETSOCKOPT_TAIL[3],
]);
/// `bpf_getsockopt` on a BTF socket.
pub const SK_GETSOCKOPT: P = P::new(H::GETSOCKOPT, "bpf_sk_getsockopt_proto").args(&[
    A::PTR_TO_BTF_ID_SOCK_COMMON,
    GETSOCKOPT_TAIL[0],
    GETSOCKOPT_TAIL[1],
    GETSOCKOPT_TAIL[2],
    GETSOCKOPT_TAIL[3],
]);
/// `bpf_getsockopt` from cgroup sockopt hooks.
pub const UNLOCKED_SK_GETSOCKOPT: P = P::new(H::GETSOCKOPT, "bpf_unlocked_sk_getsockopt_proto").args(&[
    A::PTR_TO_BTF_ID_SOCK_COMMON,
    GETSOCKOPT_TAIL[0],
    GETSOCKOPT_TAIL[1],
    GETSOCKOPT_TAIL[2],
    GETSOCKOPT_TAIL[3],
]);
/// `bpf_getsockopt` from sock_addr hooks.
pub const SOCK_ADDR_GETSOCKOPT: P = P::new(H::GETSOCKOPT, "bpf_sock_addr_getsockopt_proto").args(&[
    A::PTR_TO_CTX,
    GETSOCKOPT_TAIL[0],
    GETSOCKOPT_TAIL[1],
    GETSOCKOPT_TAIL[2],
    GETSOCKOPT_TAIL[3],
]);
/// `bpf_getsockopt` from sock_ops.
pub const SOCK_OPS_GETSOCKOPT: P = P::new(H::GETSOCKOPT, "bpf_sock_ops_getsockopt_proto").args(&[
    A::PTR_TO_CTX,
    GETSOCKOPT_TAIL[0],
    GETSOCKOPT_TAIL[1],
    GETSOCKOPT_TAIL[2],
    GETSOCKOPT_TAIL[3],
]);
/// `bpf_sock_ops_cb_flags_set`.
pub const SOCK_OPS_CB_FLAGS_SET: P = P::new(H::SOCK_OPS_CB_FLAGS_SET, "bpf_sock_ops_cb_flags_set_proto").args(CTX_ANY);
/// `bpf_sock_map_update` (sock_ops).
pub const SOCK_MAP_UPDATE: P = P::new(H::SOCK_MAP_UPDATE, "bpf_sock_map_update_proto")
    .args(&[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::PTR_TO_MAP_KEY, A::ANYTHING])
    .pkt_access();
/// `bpf_sock_hash_update` (sock_ops).
pub const SOCK_HASH_UPDATE: P = P::new(H::SOCK_HASH_UPDATE, "bpf_sock_hash_update_proto")
    .args(&[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::PTR_TO_MAP_KEY, A::ANYTHING])
    .pkt_access();
/// `bpf_sk_redirect_map` (sk_skb).
pub const SK_REDIRECT_MAP: P = P::new(H::SK_REDIRECT_MAP, "bpf_sk_redirect_map_proto")
    .args(&[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::ANYTHING, A::ANYTHING]);
/// `bpf_sk_redirect_hash` (sk_skb).
pub const SK_REDIRECT_HASH: P = P::new(H::SK_REDIRECT_HASH, "bpf_sk_redirect_hash_proto")
    .args(&[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::PTR_TO_MAP_KEY, A::ANYTHING]);
/// `bpf_msg_redirect_map` (sk_msg).
pub const MSG_REDIRECT_MAP: P = P::new(H::MSG_REDIRECT_MAP, "bpf_msg_redirect_map_proto")
    .args(&[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::ANYTHING, A::ANYTHING]);
/// `bpf_msg_redirect_hash` (sk_msg).
pub const MSG_REDIRECT_HASH: P = P::new(H::MSG_REDIRECT_HASH, "bpf_msg_redirect_hash_proto")
    .args(&[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::PTR_TO_MAP_KEY, A::ANYTHING]);
/// `bpf_msg_apply_bytes`.
pub const MSG_APPLY_BYTES: P = P::new(H::MSG_APPLY_BYTES, "bpf_msg_apply_bytes_proto").args(CTX_ANY);
/// `bpf_msg_cork_bytes`.
pub const MSG_CORK_BYTES: P = P::new(H::MSG_CORK_BYTES, "bpf_msg_cork_bytes_proto").args(CTX_ANY);
/// `bpf_msg_pull_data`.
pub const MSG_PULL_DATA: P = P::new(H::MSG_PULL_DATA, "bpf_msg_pull_data_proto").args(CTX_ANY3);
/// `bpf_msg_push_data`.
pub const MSG_PUSH_DATA: P = P::new(H::MSG_PUSH_DATA, "bpf_msg_push_data_proto").args(CTX_ANY3);
/// `bpf_msg_pop_data`.
pub const MSG_POP_DATA: P = P::new(H::MSG_POP_DATA, "bpf_msg_pop_data_proto").args(CTX_ANY3);
/// `bpf_bind` (connect hooks).
pub const BIND: P = P::new(H::BIND, "bpf_bind_proto").args(&[A::PTR_TO_CTX, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_load_hdr_opt` (sock_ops).
pub const SOCK_OPS_LOAD_HDR_OPT: P = P::new(H::LOAD_HDR_OPT, "bpf_sock_ops_load_hdr_opt_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_WRITE_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_store_hdr_opt` (sock_ops).
pub const SOCK_OPS_STORE_HDR_OPT: P = P::new(H::STORE_HDR_OPT, "bpf_sock_ops_store_hdr_opt_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_reserve_hdr_opt` (sock_ops).
pub const SOCK_OPS_RESERVE_HDR_OPT: P =
    P::new(H::RESERVE_HDR_OPT, "bpf_sock_ops_reserve_hdr_opt_proto").args(&[A::PTR_TO_CTX, A::ANYTHING, A::ANYTHING]);
/// `bpf_get_socket_cookie` from sock_addr hooks.
pub const GET_SOCKET_COOKIE_SOCK_ADDR: P =
    P::new(H::GET_SOCKET_COOKIE, "bpf_get_socket_cookie_sock_addr_proto").args(CTX);
/// `bpf_get_socket_cookie` from sock_ops.
pub const GET_SOCKET_COOKIE_SOCK_OPS: P = P::new(H::GET_SOCKET_COOKIE, "bpf_get_socket_cookie_sock_ops_proto").args(CTX);
/// `bpf_get_socket_cookie` from cgroup sock hooks.
pub const GET_SOCKET_COOKIE_SOCK: P = P::new(H::GET_SOCKET_COOKIE, "bpf_get_socket_cookie_sock_proto").args(CTX);
/// `bpf_get_netns_cookie` of an skb (NULL context: the init namespace).
pub const GET_NETNS_COOKIE: P =
    P::new(H::GET_NETNS_COOKIE, "bpf_get_netns_cookie_proto").args(&[A::PTR_TO_CTX_OR_NULL]);
/// `bpf_get_netns_cookie` from cgroup sock hooks.
pub const GET_NETNS_COOKIE_SOCK: P =
    P::new(H::GET_NETNS_COOKIE, "bpf_get_netns_cookie_sock_proto").args(&[A::PTR_TO_CTX_OR_NULL]);
/// `bpf_get_netns_cookie` from sock_addr hooks.
pub const GET_NETNS_COOKIE_SOCK_ADDR: P =
    P::new(H::GET_NETNS_COOKIE, "bpf_get_netns_cookie_sock_addr_proto").args(&[A::PTR_TO_CTX_OR_NULL]);
/// `bpf_get_netns_cookie` from sock_ops.
pub const GET_NETNS_COOKIE_SOCK_OPS: P =
    P::new(H::GET_NETNS_COOKIE, "bpf_get_netns_cookie_sock_ops_proto").args(&[A::PTR_TO_CTX_OR_NULL]);
/// `bpf_get_netns_cookie` from sk_msg.
pub const GET_NETNS_COOKIE_SK_MSG: P =
    P::new(H::GET_NETNS_COOKIE, "bpf_get_netns_cookie_sk_msg_proto").args(&[A::PTR_TO_CTX_OR_NULL]);
/// `bpf_get_netns_cookie` from cgroup sockopt hooks.
pub const GET_NETNS_COOKIE_SOCKOPT: P =
    P::new(H::GET_NETNS_COOKIE, "bpf_get_netns_cookie_sockopt_proto").args(&[A::PTR_TO_CTX_OR_NULL]);
/// `bpf_sk_storage_get`.
pub const SK_STORAGE_GET: P = P::new(H::SK_STORAGE_GET, "bpf_sk_storage_get_proto")
    .ret(R::PTR_TO_MAP_VALUE_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_SOCK_COMMON, A::PTR_TO_MAP_VALUE_OR_NULL, A::ANYTHING]);
/// `bpf_sk_storage_get` for cgroup sock hooks (the context is the socket).
pub const SK_STORAGE_GET_CG_SOCK: P = P::new(H::SK_STORAGE_GET, "bpf_sk_storage_get_cg_sock_proto")
    .ret(R::PTR_TO_MAP_VALUE_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_CTX, A::PTR_TO_MAP_VALUE_OR_NULL, A::ANYTHING]);
/// `bpf_sk_storage_get` for tracing (allow-listed attach points only).
pub const SK_STORAGE_GET_TRACING: P = P::new(H::SK_STORAGE_GET, "bpf_sk_storage_get_tracing_proto")
    .ret(R::PTR_TO_MAP_VALUE_OR_NULL)
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("sock"), A::PTR_TO_MAP_VALUE_OR_NULL, A::ANYTHING])
    .flag(ProtoFlags::RESTRICTED);
/// `bpf_sk_storage_delete`.
pub const SK_STORAGE_DELETE: P = P::new(H::SK_STORAGE_DELETE, "bpf_sk_storage_delete_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_SOCK_COMMON]);
/// `bpf_sk_storage_delete` for tracing (allow-listed attach points only).
pub const SK_STORAGE_DELETE_TRACING: P = P::new(H::SK_STORAGE_DELETE, "bpf_sk_storage_delete_tracing_proto")
    .args(&[A::CONST_MAP_PTR, A::PTR_TO_BTF_ID_OR_NULL.btf("sock")])
    .flag(ProtoFlags::RESTRICTED);
/// `bpf_perf_event_output` from socket-level and cgroup programs (`bpf_event_output_data`).
pub const EVENT_OUTPUT_DATA: P = P::new(H::PERF_EVENT_OUTPUT, "bpf_event_output_data_proto").gpl().args(&[
    A::PTR_TO_CTX,
    A::CONST_MAP_PTR,
    A::ANYTHING,
    A::PTR_TO_RDONLY_MEM,
    A::CONST_SIZE_OR_ZERO,
]);
/// `bpf_sysctl_get_name`.
pub const SYSCTL_GET_NAME: P = P::new(H::SYSCTL_GET_NAME, "bpf_sysctl_get_name_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_WRITE_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_sysctl_get_current_value`.
pub const SYSCTL_GET_CURRENT_VALUE: P = P::new(H::SYSCTL_GET_CURRENT_VALUE, "bpf_sysctl_get_current_value_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE]);
/// `bpf_sysctl_get_new_value`.
pub const SYSCTL_GET_NEW_VALUE: P = P::new(H::SYSCTL_GET_NEW_VALUE, "bpf_sysctl_get_new_value_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE]);
/// `bpf_sysctl_set_new_value`.
pub const SYSCTL_SET_NEW_VALUE: P = P::new(H::SYSCTL_SET_NEW_VALUE, "bpf_sysctl_set_new_value_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_get_retval` (cgroup hooks).
pub const GET_RETVAL: P = P::new(H::GET_RETVAL, "bpf_get_retval_proto");
/// `bpf_set_retval` (cgroup hooks).
pub const SET_RETVAL: P = P::new(H::SET_RETVAL, "bpf_set_retval_proto").args(&[A::ANYTHING]);
/// `bpf_tcp_send_ack` (TCP congestion-control struct_ops).
pub const TCP_SEND_ACK: P =
    P::new(H::TCP_SEND_ACK, "bpf_tcp_send_ack_proto").args(&[A::PTR_TO_BTF_ID.btf("tcp_sock"), A::ANYTHING]);
/// `bpf_rc_repeat` (lirc_mode2).
pub const RC_REPEAT: P = P::new(H::RC_REPEAT, "rc_repeat_proto").gpl().args(CTX);
/// `bpf_rc_keydown` (lirc_mode2).
pub const RC_KEYDOWN: P = P::new(H::RC_KEYDOWN, "rc_keydown_proto").gpl().args(CTX_ANY3);
/// `bpf_rc_pointer_rel` (lirc_mode2).
pub const RC_POINTER_REL: P =
    P::new(H::RC_POINTER_REL, "rc_pointer_rel_proto").gpl().args(&[A::PTR_TO_CTX, A::ANYTHING, A::ANYTHING]);

/// Every prototype of this file, default variants first.
pub static ALL: &[&P] = &[
    &SOCK_OPS_SETSOCKOPT,
    &SK_SETSOCKOPT,
    &UNLOCKED_SK_SETSOCKOPT,
    &SOCK_ADDR_SETSOCKOPT,
    &SOCK_OPS_GETSOCKOPT,
    &SK_GETSOCKOPT,
    &UNLOCKED_SK_GETSOCKOPT,
    &SOCK_ADDR_GETSOCKOPT,
    &SOCK_OPS_CB_FLAGS_SET,
    &SOCK_MAP_UPDATE,
    &SOCK_HASH_UPDATE,
    &SK_REDIRECT_MAP,
    &SK_REDIRECT_HASH,
    &MSG_REDIRECT_MAP,
    &MSG_REDIRECT_HASH,
    &MSG_APPLY_BYTES,
    &MSG_CORK_BYTES,
    &MSG_PULL_DATA,
    &MSG_PUSH_DATA,
    &MSG_POP_DATA,
    &BIND,
    &SOCK_OPS_LOAD_HDR_OPT,
    &SOCK_OPS_STORE_HDR_OPT,
    &SOCK_OPS_RESERVE_HDR_OPT,
    &GET_SOCKET_COOKIE_SOCK_ADDR,
    &GET_SOCKET_COOKIE_SOCK_OPS,
    &GET_SOCKET_COOKIE_SOCK,
    &GET_NETNS_COOKIE,
    &GET_NETNS_COOKIE_SOCK,
    &GET_NETNS_COOKIE_SOCK_ADDR,
    &GET_NETNS_COOKIE_SOCK_OPS,
    &GET_NETNS_COOKIE_SK_MSG,
    &GET_NETNS_COOKIE_SOCKOPT,
    &SK_STORAGE_GET,
    &SK_STORAGE_GET_CG_SOCK,
    &SK_STORAGE_GET_TRACING,
    &SK_STORAGE_DELETE,
    &SK_STORAGE_DELETE_TRACING,
    &EVENT_OUTPUT_DATA,
    &SYSCTL_GET_NAME,
    &SYSCTL_GET_CURRENT_VALUE,
    &SYSCTL_GET_NEW_VALUE,
    &SYSCTL_SET_NEW_VALUE,
    &GET_RETVAL,
    &SET_RETVAL,
    &TCP_SEND_ACK,
    &RC_REPEAT,
    &RC_KEYDOWN,
    &RC_POINTER_REL,
];
