//! Prototypes of the packet helpers in `net/core/filter.c`: `__sk_buff` programs (socket
//! filters, tc, cgroup skb, lwt, sk_skb, flow dissector, sk_reuseport) and XDP, plus the socket
//! lookups and conversions they share.

use super::{HelperId as H, HelperProto as P};
use crate::types::{Arg as A, RetType as R, TypeFlags as F};

const LOOKUP_ARGS: &[A] = &[A::PTR_TO_CTX, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::ANYTHING, A::ANYTHING];
const OUTPUT_ARGS: &[A] = &[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE_OR_ZERO];
const LOAD_ARGS: &[A] = &[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE];
const CTX: &[A] = &[A::PTR_TO_CTX];
const CTX_ANY: &[A] = &[A::PTR_TO_CTX, A::ANYTHING];
const CTX_ANY2: &[A] = &[A::PTR_TO_CTX, A::ANYTHING, A::ANYTHING];
const SYNCOOKIE_ARGS: &[A] =
    &[A::PTR_TO_BTF_ID_SOCK_COMMON, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE];
const MTU_ARGS: &[A] = &[
    A::PTR_TO_CTX,
    A::ANYTHING,
    A::PTR_TO_FIXED_SIZE_MEM.with(F::MEM_WRITE.union(F::MEM_ALIGNED)).size(4),
    A::ANYTHING,
    A::ANYTHING,
];
const FIB_ARGS: &[A] = &[A::PTR_TO_CTX, A::PTR_TO_WRITE_MEM, A::CONST_SIZE, A::ANYTHING];
const IPHDR: A = A::PTR_TO_FIXED_SIZE_MEM.size(20);
const IPV6HDR: A = A::PTR_TO_FIXED_SIZE_MEM.size(40);
const TCPHDR: A = A::PTR_TO_FIXED_SIZE_MEM.size(20);

/// `bpf_skb_store_bytes`.
pub const SKB_STORE_BYTES: P = P::new(H::SKB_STORE_BYTES, "bpf_skb_store_bytes_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_skb_store_bytes` for sk_skb programs.
pub const SK_SKB_STORE_BYTES: P = P::new(H::SKB_STORE_BYTES, "sk_skb_store_bytes_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_skb_load_bytes`.
pub const SKB_LOAD_BYTES: P = P::new(H::SKB_LOAD_BYTES, "bpf_skb_load_bytes_proto").args(LOAD_ARGS);
/// `bpf_skb_load_bytes` for the flow dissector.
pub const FLOW_DISSECTOR_LOAD_BYTES: P =
    P::new(H::SKB_LOAD_BYTES, "bpf_flow_dissector_load_bytes_proto").args(LOAD_ARGS);
/// `bpf_skb_load_bytes` for sk_reuseport programs.
pub const SK_REUSEPORT_LOAD_BYTES: P = P::new(H::SKB_LOAD_BYTES, "sk_reuseport_load_bytes_proto").args(LOAD_ARGS);
/// `bpf_skb_load_bytes_relative`.
pub const SKB_LOAD_BYTES_RELATIVE: P = P::new(H::SKB_LOAD_BYTES_RELATIVE, "bpf_skb_load_bytes_relative_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_skb_load_bytes_relative` for sk_reuseport programs.
pub const SK_REUSEPORT_LOAD_BYTES_RELATIVE: P = P::new(H::SKB_LOAD_BYTES_RELATIVE, "sk_reuseport_load_bytes_relative_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_l3_csum_replace`.
pub const L3_CSUM_REPLACE: P = P::new(H::L3_CSUM_REPLACE, "bpf_l3_csum_replace_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::ANYTHING, A::ANYTHING, A::ANYTHING]);
/// `bpf_l4_csum_replace`.
pub const L4_CSUM_REPLACE: P = P::new(H::L4_CSUM_REPLACE, "bpf_l4_csum_replace_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::ANYTHING, A::ANYTHING, A::ANYTHING]);
/// `bpf_csum_diff` (packet pointers allowed).
pub const CSUM_DIFF: P = P::new(H::CSUM_DIFF, "bpf_csum_diff_proto")
    .args(&[
        A::PTR_TO_RDONLY_MEM_OR_NULL,
        A::CONST_SIZE_OR_ZERO,
        A::PTR_TO_RDONLY_MEM_OR_NULL,
        A::CONST_SIZE_OR_ZERO,
        A::ANYTHING,
    ])
    .pkt_access();
/// `bpf_csum_update`.
pub const CSUM_UPDATE: P = P::new(H::CSUM_UPDATE, "bpf_csum_update_proto").args(CTX_ANY);
/// `bpf_csum_level`.
pub const CSUM_LEVEL: P = P::new(H::CSUM_LEVEL, "bpf_csum_level_proto").args(CTX_ANY);
/// `bpf_clone_redirect`.
pub const CLONE_REDIRECT: P = P::new(H::CLONE_REDIRECT, "bpf_clone_redirect_proto").args(CTX_ANY2);
/// `bpf_redirect` (tc).
pub const REDIRECT: P = P::new(H::REDIRECT, "bpf_redirect_proto").args(&[A::ANYTHING, A::ANYTHING]);
/// `bpf_redirect` (XDP).
pub const XDP_REDIRECT: P = P::new(H::REDIRECT, "bpf_xdp_redirect_proto").args(&[A::ANYTHING, A::ANYTHING]);
/// `bpf_redirect_map` (XDP: devmap, cpumap, xskmap).
pub const XDP_REDIRECT_MAP: P =
    P::new(H::REDIRECT_MAP, "bpf_xdp_redirect_map_proto").args(&[A::CONST_MAP_PTR, A::ANYTHING, A::ANYTHING]);
/// `bpf_redirect_neigh`.
pub const REDIRECT_NEIGH: P = P::new(H::REDIRECT_NEIGH, "bpf_redirect_neigh_proto").args(&[
    A::ANYTHING,
    A::PTR_TO_RDONLY_MEM_OR_NULL,
    A::CONST_SIZE_OR_ZERO,
    A::ANYTHING,
]);
/// `bpf_redirect_peer`.
pub const REDIRECT_PEER: P = P::new(H::REDIRECT_PEER, "bpf_redirect_peer_proto").args(&[A::ANYTHING, A::ANYTHING]);
/// `bpf_get_cgroup_classid` of the packet.
pub const GET_CGROUP_CLASSID: P = P::new(H::GET_CGROUP_CLASSID, "bpf_get_cgroup_classid_proto").args(CTX);
/// `bpf_get_cgroup_classid` of the current task (base set: no arguments).
pub const GET_CGROUP_CLASSID_CURR: P = P::new(H::GET_CGROUP_CLASSID, "bpf_get_cgroup_classid_curr_proto");
/// `bpf_skb_vlan_push`.
pub const SKB_VLAN_PUSH: P = P::new(H::SKB_VLAN_PUSH, "bpf_skb_vlan_push_proto").args(CTX_ANY2);
/// `bpf_skb_vlan_pop`.
pub const SKB_VLAN_POP: P = P::new(H::SKB_VLAN_POP, "bpf_skb_vlan_pop_proto").args(CTX);
/// `bpf_skb_get_tunnel_key`.
pub const SKB_GET_TUNNEL_KEY: P = P::new(H::SKB_GET_TUNNEL_KEY, "bpf_skb_get_tunnel_key_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_skb_set_tunnel_key`.
pub const SKB_SET_TUNNEL_KEY: P = P::new(H::SKB_SET_TUNNEL_KEY, "bpf_skb_set_tunnel_key_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_skb_get_tunnel_opt`.
pub const SKB_GET_TUNNEL_OPT: P = P::new(H::SKB_GET_TUNNEL_OPT, "bpf_skb_get_tunnel_opt_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE]);
/// `bpf_skb_set_tunnel_opt`.
pub const SKB_SET_TUNNEL_OPT: P = P::new(H::SKB_SET_TUNNEL_OPT, "bpf_skb_set_tunnel_opt_proto")
    .args(&[A::PTR_TO_CTX, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_get_route_realm`.
pub const GET_ROUTE_REALM: P = P::new(H::GET_ROUTE_REALM, "bpf_get_route_realm_proto").args(CTX);
/// `bpf_skb_change_proto`.
pub const SKB_CHANGE_PROTO: P = P::new(H::SKB_CHANGE_PROTO, "bpf_skb_change_proto_proto").args(CTX_ANY2);
/// `bpf_skb_change_type`.
pub const SKB_CHANGE_TYPE: P = P::new(H::SKB_CHANGE_TYPE, "bpf_skb_change_type_proto").args(CTX_ANY);
/// `bpf_skb_under_cgroup`.
pub const SKB_UNDER_CGROUP: P =
    P::new(H::SKB_UNDER_CGROUP, "bpf_skb_under_cgroup_proto").args(&[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::ANYTHING]);
/// `bpf_get_hash_recalc`.
pub const GET_HASH_RECALC: P = P::new(H::GET_HASH_RECALC, "bpf_get_hash_recalc_proto").args(CTX);
/// `bpf_set_hash_invalid`.
pub const SET_HASH_INVALID: P = P::new(H::SET_HASH_INVALID, "bpf_set_hash_invalid_proto").ret(R::VOID).args(CTX);
/// `bpf_set_hash`.
pub const SET_HASH: P = P::new(H::SET_HASH, "bpf_set_hash_proto").args(CTX_ANY);
/// `bpf_skb_change_tail`.
pub const SKB_CHANGE_TAIL: P = P::new(H::SKB_CHANGE_TAIL, "bpf_skb_change_tail_proto").args(CTX_ANY2);
/// `bpf_skb_change_tail` for sk_skb.
pub const SK_SKB_CHANGE_TAIL: P = P::new(H::SKB_CHANGE_TAIL, "sk_skb_change_tail_proto").args(CTX_ANY2);
/// `bpf_skb_change_head`.
pub const SKB_CHANGE_HEAD: P = P::new(H::SKB_CHANGE_HEAD, "bpf_skb_change_head_proto").args(CTX_ANY2);
/// `bpf_skb_change_head` for sk_skb.
pub const SK_SKB_CHANGE_HEAD: P = P::new(H::SKB_CHANGE_HEAD, "sk_skb_change_head_proto").args(CTX_ANY2);
/// `bpf_skb_pull_data`.
pub const SKB_PULL_DATA: P = P::new(H::SKB_PULL_DATA, "bpf_skb_pull_data_proto").args(CTX_ANY);
/// `bpf_skb_pull_data` for sk_skb.
pub const SK_SKB_PULL_DATA: P = P::new(H::SKB_PULL_DATA, "sk_skb_pull_data_proto").args(CTX_ANY);
/// `bpf_skb_adjust_room`.
pub const SKB_ADJUST_ROOM: P = P::new(H::SKB_ADJUST_ROOM, "bpf_skb_adjust_room_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::ANYTHING, A::ANYTHING]);
/// `bpf_skb_adjust_room` for sk_skb.
pub const SK_SKB_ADJUST_ROOM: P = P::new(H::SKB_ADJUST_ROOM, "sk_skb_adjust_room_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::ANYTHING, A::ANYTHING]);
/// `bpf_skb_get_xfrm_state`.
pub const SKB_GET_XFRM_STATE: P = P::new(H::SKB_GET_XFRM_STATE, "bpf_skb_get_xfrm_state_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_UNINIT_MEM, A::CONST_SIZE, A::ANYTHING]);
/// `bpf_fib_lookup` from tc.
pub const SKB_FIB_LOOKUP: P = P::new(H::FIB_LOOKUP, "bpf_skb_fib_lookup_proto").gpl().args(FIB_ARGS);
/// `bpf_fib_lookup` from XDP.
pub const XDP_FIB_LOOKUP: P = P::new(H::FIB_LOOKUP, "bpf_xdp_fib_lookup_proto").gpl().args(FIB_ARGS);
/// `bpf_skb_cgroup_id`.
pub const SKB_CGROUP_ID: P = P::new(H::SKB_CGROUP_ID, "bpf_skb_cgroup_id_proto").args(CTX);
/// `bpf_skb_ancestor_cgroup_id`.
pub const SKB_ANCESTOR_CGROUP_ID: P = P::new(H::SKB_ANCESTOR_CGROUP_ID, "bpf_skb_ancestor_cgroup_id_proto").args(CTX_ANY);
/// `bpf_skb_cgroup_classid`.
pub const SKB_CGROUP_CLASSID: P = P::new(H::SKB_CGROUP_CLASSID, "bpf_skb_cgroup_classid_proto").args(CTX);
/// `bpf_get_socket_uid`.
pub const GET_SOCKET_UID: P = P::new(H::GET_SOCKET_UID, "bpf_get_socket_uid_proto").args(CTX);
/// `bpf_get_socket_cookie` of an skb.
pub const GET_SOCKET_COOKIE: P = P::new(H::GET_SOCKET_COOKIE, "bpf_get_socket_cookie_proto").args(CTX);
/// `bpf_skb_ecn_set_ce`.
pub const SKB_ECN_SET_CE: P = P::new(H::SKB_ECN_SET_CE, "bpf_skb_ecn_set_ce_proto").args(CTX);
/// `bpf_skb_set_tstamp`.
pub const SKB_SET_TSTAMP: P = P::new(H::SKB_SET_TSTAMP, "bpf_skb_set_tstamp_proto").args(CTX_ANY2);
/// `bpf_check_mtu` from tc.
pub const SKB_CHECK_MTU: P = P::new(H::CHECK_MTU, "bpf_skb_check_mtu_proto").gpl().args(MTU_ARGS);
/// `bpf_check_mtu` from XDP.
pub const XDP_CHECK_MTU: P = P::new(H::CHECK_MTU, "bpf_xdp_check_mtu_proto").gpl().args(MTU_ARGS);
/// `bpf_perf_event_output` from skb programs (`bpf_skb_event_output`).
pub const SKB_EVENT_OUTPUT: P = P::new(H::PERF_EVENT_OUTPUT, "bpf_skb_event_output_proto").gpl().args(OUTPUT_ARGS);
/// `bpf_perf_event_output` from XDP.
pub const XDP_EVENT_OUTPUT: P = P::new(H::PERF_EVENT_OUTPUT, "bpf_xdp_event_output_proto").gpl().args(OUTPUT_ARGS);
/// `bpf_xdp_adjust_head`.
pub const XDP_ADJUST_HEAD: P = P::new(H::XDP_ADJUST_HEAD, "bpf_xdp_adjust_head_proto").args(CTX_ANY);
/// `bpf_xdp_adjust_meta`.
pub const XDP_ADJUST_META: P = P::new(H::XDP_ADJUST_META, "bpf_xdp_adjust_meta_proto").args(CTX_ANY);
/// `bpf_xdp_adjust_tail`.
pub const XDP_ADJUST_TAIL: P = P::new(H::XDP_ADJUST_TAIL, "bpf_xdp_adjust_tail_proto").args(CTX_ANY);
/// `bpf_xdp_get_buff_len`.
pub const XDP_GET_BUFF_LEN: P = P::new(H::XDP_GET_BUFF_LEN, "bpf_xdp_get_buff_len_proto").args(CTX);
/// `bpf_xdp_load_bytes`.
pub const XDP_LOAD_BYTES: P = P::new(H::XDP_LOAD_BYTES, "bpf_xdp_load_bytes_proto").args(LOAD_ARGS);
/// `bpf_xdp_store_bytes`.
pub const XDP_STORE_BYTES: P = P::new(H::XDP_STORE_BYTES, "bpf_xdp_store_bytes_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_sk_lookup_tcp` (tc, cgroup skb, sk_skb).
pub const SK_LOOKUP_TCP: P = P::new(H::SK_LOOKUP_TCP, "bpf_sk_lookup_tcp_proto")
    .ret(R::PTR_TO_SOCKET_OR_NULL)
    .args(LOOKUP_ARGS)
    .pkt_access();
/// `bpf_sk_lookup_udp`.
pub const SK_LOOKUP_UDP: P = P::new(H::SK_LOOKUP_UDP, "bpf_sk_lookup_udp_proto")
    .ret(R::PTR_TO_SOCKET_OR_NULL)
    .args(LOOKUP_ARGS)
    .pkt_access();
/// `bpf_skc_lookup_tcp`.
pub const SKC_LOOKUP_TCP: P = P::new(H::SKC_LOOKUP_TCP, "bpf_skc_lookup_tcp_proto")
    .ret(R::PTR_TO_SOCK_COMMON_OR_NULL)
    .args(LOOKUP_ARGS)
    .pkt_access();
/// `bpf_sk_lookup_tcp` from XDP.
pub const XDP_SK_LOOKUP_TCP: P = P::new(H::SK_LOOKUP_TCP, "bpf_xdp_sk_lookup_tcp_proto")
    .ret(R::PTR_TO_SOCKET_OR_NULL)
    .args(LOOKUP_ARGS)
    .pkt_access();
/// `bpf_sk_lookup_udp` from XDP.
pub const XDP_SK_LOOKUP_UDP: P = P::new(H::SK_LOOKUP_UDP, "bpf_xdp_sk_lookup_udp_proto")
    .ret(R::PTR_TO_SOCKET_OR_NULL)
    .args(LOOKUP_ARGS)
    .pkt_access();
/// `bpf_skc_lookup_tcp` from XDP.
pub const XDP_SKC_LOOKUP_TCP: P = P::new(H::SKC_LOOKUP_TCP, "bpf_xdp_skc_lookup_tcp_proto")
    .ret(R::PTR_TO_SOCK_COMMON_OR_NULL)
    .args(LOOKUP_ARGS)
    .pkt_access();
/// `bpf_sk_lookup_tcp` from cgroup sock_addr hooks.
pub const SOCK_ADDR_SK_LOOKUP_TCP: P = P::new(H::SK_LOOKUP_TCP, "bpf_sock_addr_sk_lookup_tcp_proto")
    .ret(R::PTR_TO_SOCKET_OR_NULL)
    .args(LOOKUP_ARGS);
/// `bpf_sk_lookup_udp` from cgroup sock_addr hooks.
pub const SOCK_ADDR_SK_LOOKUP_UDP: P = P::new(H::SK_LOOKUP_UDP, "bpf_sock_addr_sk_lookup_udp_proto")
    .ret(R::PTR_TO_SOCKET_OR_NULL)
    .args(LOOKUP_ARGS);
/// `bpf_skc_lookup_tcp` from cgroup sock_addr hooks.
pub const SOCK_ADDR_SKC_LOOKUP_TCP: P = P::new(H::SKC_LOOKUP_TCP, "bpf_sock_addr_skc_lookup_tcp_proto")
    .ret(R::PTR_TO_SOCK_COMMON_OR_NULL)
    .args(LOOKUP_ARGS);
/// `bpf_sk_release`: releases a socket reference.
pub const SK_RELEASE: P =
    P::new(H::SK_RELEASE, "bpf_sk_release_proto").args(&[A::PTR_TO_BTF_ID_SOCK_COMMON.with(F::OBJ_RELEASE)]);
/// `bpf_sk_fullsock`.
pub const SK_FULLSOCK: P =
    P::new(H::SK_FULLSOCK, "bpf_sk_fullsock_proto").ret(R::PTR_TO_SOCKET_OR_NULL).args(&[A::PTR_TO_SOCK_COMMON]);
/// `bpf_tcp_sock`.
pub const TCP_SOCK: P =
    P::new(H::TCP_SOCK, "bpf_tcp_sock_proto").ret(R::PTR_TO_TCP_SOCK_OR_NULL).args(&[A::PTR_TO_SOCK_COMMON]);
/// `bpf_get_listener_sock`.
pub const GET_LISTENER_SOCK: P = P::new(H::GET_LISTENER_SOCK, "bpf_get_listener_sock_proto")
    .ret(R::PTR_TO_SOCKET_OR_NULL)
    .args(&[A::PTR_TO_SOCK_COMMON]);
/// `bpf_tcp_check_syncookie`.
pub const TCP_CHECK_SYNCOOKIE: P =
    P::new(H::TCP_CHECK_SYNCOOKIE, "bpf_tcp_check_syncookie_proto").gpl().args(SYNCOOKIE_ARGS).pkt_access();
/// `bpf_tcp_gen_syncookie`.
pub const TCP_GEN_SYNCOOKIE: P =
    P::new(H::TCP_GEN_SYNCOOKIE, "bpf_tcp_gen_syncookie_proto").gpl().args(SYNCOOKIE_ARGS).pkt_access();
/// `bpf_tcp_raw_gen_syncookie_ipv4`.
pub const TCP_RAW_GEN_SYNCOOKIE_IPV4: P =
    P::new(H::TCP_RAW_GEN_SYNCOOKIE_IPV4, "bpf_tcp_raw_gen_syncookie_ipv4_proto")
        .gpl()
        .args(&[IPHDR, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE_OR_ZERO])
        .pkt_access();
/// `bpf_tcp_raw_gen_syncookie_ipv6`.
pub const TCP_RAW_GEN_SYNCOOKIE_IPV6: P =
    P::new(H::TCP_RAW_GEN_SYNCOOKIE_IPV6, "bpf_tcp_raw_gen_syncookie_ipv6_proto")
        .gpl()
        .args(&[IPV6HDR, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE_OR_ZERO])
        .pkt_access();
/// `bpf_tcp_raw_check_syncookie_ipv4`.
pub const TCP_RAW_CHECK_SYNCOOKIE_IPV4: P =
    P::new(H::TCP_RAW_CHECK_SYNCOOKIE_IPV4, "bpf_tcp_raw_check_syncookie_ipv4_proto")
        .gpl()
        .args(&[IPHDR, TCPHDR])
        .pkt_access();
/// `bpf_tcp_raw_check_syncookie_ipv6`.
pub const TCP_RAW_CHECK_SYNCOOKIE_IPV6: P =
    P::new(H::TCP_RAW_CHECK_SYNCOOKIE_IPV6, "bpf_tcp_raw_check_syncookie_ipv6_proto")
        .gpl()
        .args(&[IPV6HDR, TCPHDR])
        .pkt_access();
/// `bpf_sk_assign` from tc.
pub const SK_ASSIGN: P =
    P::new(H::SK_ASSIGN, "bpf_sk_assign_proto").args(&[A::PTR_TO_CTX, A::PTR_TO_BTF_ID_SOCK_COMMON, A::ANYTHING]);
/// `bpf_sk_assign` from sk_lookup programs.
pub const SK_LOOKUP_ASSIGN: P =
    P::new(H::SK_ASSIGN, "bpf_sk_lookup_assign_proto").args(&[A::PTR_TO_CTX, A::PTR_TO_SOCKET_OR_NULL, A::ANYTHING]);
/// `bpf_lwt_push_encap` from lwt_in.
pub const LWT_IN_PUSH_ENCAP: P = P::new(H::LWT_PUSH_ENCAP, "bpf_lwt_in_push_encap_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_lwt_push_encap` from lwt_xmit.
pub const LWT_XMIT_PUSH_ENCAP: P = P::new(H::LWT_PUSH_ENCAP, "bpf_lwt_xmit_push_encap_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_lwt_seg6_store_bytes`.
pub const LWT_SEG6_STORE_BYTES: P = P::new(H::LWT_SEG6_STORE_BYTES, "bpf_lwt_seg6_store_bytes_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_lwt_seg6_adjust_srh`.
pub const LWT_SEG6_ADJUST_SRH: P = P::new(H::LWT_SEG6_ADJUST_SRH, "bpf_lwt_seg6_adjust_srh_proto").args(CTX_ANY2);
/// `bpf_lwt_seg6_action`.
pub const LWT_SEG6_ACTION: P = P::new(H::LWT_SEG6_ACTION, "bpf_lwt_seg6_action_proto")
    .args(&[A::PTR_TO_CTX, A::ANYTHING, A::PTR_TO_RDONLY_MEM, A::CONST_SIZE]);
/// `bpf_sk_select_reuseport`.
pub const SK_SELECT_REUSEPORT: P = P::new(H::SK_SELECT_REUSEPORT, "sk_select_reuseport_proto")
    .args(&[A::PTR_TO_CTX, A::CONST_MAP_PTR, A::PTR_TO_MAP_KEY, A::ANYTHING]);
/// `bpf_sk_cgroup_id`.
pub const SK_CGROUP_ID: P = P::new(H::SK_CGROUP_ID, "bpf_sk_cgroup_id_proto").args(&[A::PTR_TO_BTF_ID_SOCK_COMMON]);
/// `bpf_sk_ancestor_cgroup_id`.
pub const SK_ANCESTOR_CGROUP_ID: P = P::new(H::SK_ANCESTOR_CGROUP_ID, "bpf_sk_ancestor_cgroup_id_proto")
    .args(&[A::PTR_TO_BTF_ID_SOCK_COMMON, A::ANYTHING]);

macro_rules! skc_to {
    ($($(#[$doc:meta])* $name:ident = $id:ident, $sym:literal, $ret:literal, $arg:ident;)*) => {
        $($(#[$doc])* pub const $name: P = P::new(H::$id, $sym)
            .ret(R::PTR_TO_BTF_ID_OR_NULL)
            .ret_btf($ret)
            .args(&[A::$arg]);)*
    };
}

skc_to! {
    /// `bpf_skc_to_tcp6_sock`.
    SKC_TO_TCP6_SOCK = SKC_TO_TCP6_SOCK, "bpf_skc_to_tcp6_sock_proto", "tcp6_sock", PTR_TO_BTF_ID_SOCK_COMMON;
    /// `bpf_skc_to_tcp_sock`.
    SKC_TO_TCP_SOCK = SKC_TO_TCP_SOCK, "bpf_skc_to_tcp_sock_proto", "tcp_sock", PTR_TO_BTF_ID_SOCK_COMMON;
    /// `bpf_skc_to_tcp_timewait_sock`.
    SKC_TO_TCP_TIMEWAIT_SOCK = SKC_TO_TCP_TIMEWAIT_SOCK, "bpf_skc_to_tcp_timewait_sock_proto", "tcp_timewait_sock", PTR_TO_BTF_ID_SOCK_COMMON;
    /// `bpf_skc_to_tcp_request_sock`.
    SKC_TO_TCP_REQUEST_SOCK = SKC_TO_TCP_REQUEST_SOCK, "bpf_skc_to_tcp_request_sock_proto", "tcp_request_sock", PTR_TO_BTF_ID_SOCK_COMMON;
    /// `bpf_skc_to_udp6_sock`.
    SKC_TO_UDP6_SOCK = SKC_TO_UDP6_SOCK, "bpf_skc_to_udp6_sock_proto", "udp6_sock", PTR_TO_BTF_ID_SOCK_COMMON;
    /// `bpf_skc_to_unix_sock`.
    SKC_TO_UNIX_SOCK = SKC_TO_UNIX_SOCK, "bpf_skc_to_unix_sock_proto", "unix_sock", PTR_TO_BTF_ID_SOCK_COMMON;
    /// `bpf_skc_to_mptcp_sock` (takes a verifier-tracked socket, not a BTF pointer).
    SKC_TO_MPTCP_SOCK = SKC_TO_MPTCP_SOCK, "bpf_skc_to_mptcp_sock_proto", "mptcp_sock", PTR_TO_SOCK_COMMON;
}

/// Every prototype of this file, default variants first.
pub static ALL: &[&P] = &[
    &SKB_STORE_BYTES,
    &SK_SKB_STORE_BYTES,
    &SKB_LOAD_BYTES,
    &FLOW_DISSECTOR_LOAD_BYTES,
    &SK_REUSEPORT_LOAD_BYTES,
    &SKB_LOAD_BYTES_RELATIVE,
    &SK_REUSEPORT_LOAD_BYTES_RELATIVE,
    &L3_CSUM_REPLACE,
    &L4_CSUM_REPLACE,
    &CSUM_DIFF,
    &CSUM_UPDATE,
    &CSUM_LEVEL,
    &CLONE_REDIRECT,
    &REDIRECT,
    &XDP_REDIRECT,
    &XDP_REDIRECT_MAP,
    &REDIRECT_NEIGH,
    &REDIRECT_PEER,
    &GET_CGROUP_CLASSID,
    &GET_CGROUP_CLASSID_CURR,
    &SKB_VLAN_PUSH,
    &SKB_VLAN_POP,
    &SKB_GET_TUNNEL_KEY,
    &SKB_SET_TUNNEL_KEY,
    &SKB_GET_TUNNEL_OPT,
    &SKB_SET_TUNNEL_OPT,
    &GET_ROUTE_REALM,
    &SKB_CHANGE_PROTO,
    &SKB_CHANGE_TYPE,
    &SKB_UNDER_CGROUP,
    &GET_HASH_RECALC,
    &SET_HASH_INVALID,
    &SET_HASH,
    &SKB_CHANGE_TAIL,
    &SK_SKB_CHANGE_TAIL,
    &SKB_CHANGE_HEAD,
    &SK_SKB_CHANGE_HEAD,
    &SKB_PULL_DATA,
    &SK_SKB_PULL_DATA,
    &SKB_ADJUST_ROOM,
    &SK_SKB_ADJUST_ROOM,
    &SKB_GET_XFRM_STATE,
    &SKB_FIB_LOOKUP,
    &XDP_FIB_LOOKUP,
    &SKB_CGROUP_ID,
    &SKB_ANCESTOR_CGROUP_ID,
    &SKB_CGROUP_CLASSID,
    &GET_SOCKET_UID,
    &GET_SOCKET_COOKIE,
    &SKB_ECN_SET_CE,
    &SKB_SET_TSTAMP,
    &SKB_CHECK_MTU,
    &XDP_CHECK_MTU,
    &SKB_EVENT_OUTPUT,
    &XDP_EVENT_OUTPUT,
    &XDP_ADJUST_HEAD,
    &XDP_ADJUST_META,
    &XDP_ADJUST_TAIL,
    &XDP_GET_BUFF_LEN,
    &XDP_LOAD_BYTES,
    &XDP_STORE_BYTES,
    &SK_LOOKUP_TCP,
    &SK_LOOKUP_UDP,
    &SKC_LOOKUP_TCP,
    &XDP_SK_LOOKUP_TCP,
    &XDP_SK_LOOKUP_UDP,
    &XDP_SKC_LOOKUP_TCP,
    &SOCK_ADDR_SK_LOOKUP_TCP,
    &SOCK_ADDR_SK_LOOKUP_UDP,
    &SOCK_ADDR_SKC_LOOKUP_TCP,
    &SK_RELEASE,
    &SK_FULLSOCK,
    &TCP_SOCK,
    &GET_LISTENER_SOCK,
    &TCP_CHECK_SYNCOOKIE,
    &TCP_GEN_SYNCOOKIE,
    &TCP_RAW_GEN_SYNCOOKIE_IPV4,
    &TCP_RAW_GEN_SYNCOOKIE_IPV6,
    &TCP_RAW_CHECK_SYNCOOKIE_IPV4,
    &TCP_RAW_CHECK_SYNCOOKIE_IPV6,
    &SK_ASSIGN,
    &SK_LOOKUP_ASSIGN,
    &LWT_IN_PUSH_ENCAP,
    &LWT_XMIT_PUSH_ENCAP,
    &LWT_SEG6_STORE_BYTES,
    &LWT_SEG6_ADJUST_SRH,
    &LWT_SEG6_ACTION,
    &SK_SELECT_REUSEPORT,
    &SK_CGROUP_ID,
    &SK_ANCESTOR_CGROUP_ID,
    &SKC_TO_TCP6_SOCK,
    &SKC_TO_TCP_SOCK,
    &SKC_TO_TCP_TIMEWAIT_SOCK,
    &SKC_TO_TCP_REQUEST_SOCK,
    &SKC_TO_UDP6_SOCK,
    &SKC_TO_UNIX_SOCK,
    &SKC_TO_MPTCP_SOCK,
];
