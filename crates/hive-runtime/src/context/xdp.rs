//! `struct xdp_md` and the XDP buffer.
//!
//! The runtime layout (offsets from the context pointer):
//!
//! | offset | field | UAPI source |
//! |---|---|---|
//! | 32 | `u64 data` | `xdp_md.data` (0) |
//! | 40 | `u64 data_end` | `xdp_md.data_end` (4) |
//! | 48 | `u64 data_meta` | `xdp_md.data_meta` (8) |
//! | 56 | `u32 ingress_ifindex` | 12 |
//! | 60 | `u32 rx_queue_index` | 16 |
//! | 64 | `u32 egress_ifindex` | 20 |
//! | 72 | `u64 data_hard_start` | private: the frame's first byte |
//! | 80 | `u64 frame_sz` | private: the frame's size |
//!
//! The frame is the kernel's test-run frame: 4096 bytes, `XDP_PACKET_HEADROOM` (256) bytes of
//! headroom before the data (less the metadata the caller supplies), the packet, and the
//! `skb_shared_info` tailroom (320 bytes) that `bpf_xdp_adjust_tail` may not grow into.

use hive_isa::Size;

/// Bytes before the runtime structure.
pub const GUARD: usize = 32;
/// Bytes of the runtime structure.
pub const LEN: usize = 56;

/// Runtime offsets (from the context pointer).
pub const DATA: usize = GUARD;
/// `data_end`.
pub const DATA_END: usize = GUARD + 8;
/// `data_meta`.
pub const DATA_META: usize = GUARD + 16;
/// `ingress_ifindex`.
pub const INGRESS_IFINDEX: usize = GUARD + 24;
/// `rx_queue_index`.
pub const RX_QUEUE_INDEX: usize = GUARD + 28;
/// `egress_ifindex`.
pub const EGRESS_IFINDEX: usize = GUARD + 32;
/// Private: `data_hard_start`.
pub const HARD_START: usize = GUARD + 40;
/// Private: `frame_sz`.
pub const FRAME_SZ: usize = GUARD + 48;

/// `XDP_PACKET_HEADROOM`.
pub const XDP_PACKET_HEADROOM: usize = 256;
/// The test-run frame size (a page).
pub const FRAME_SIZE: usize = 4096;
/// `SKB_DATA_ALIGN(sizeof(struct skb_shared_info))` on x86-64.
pub const TAILROOM: usize = 320;
/// `sizeof(struct xdp_frame)`: the bytes at the start of the headroom a program may not
/// reclaim with `bpf_xdp_adjust_head`/`_meta`.
pub const XDP_FRAME_SIZE: usize = 40;
/// `sizeof(struct xdp_md)`.
pub const MD_SIZE: usize = 24;

/// `convert_ctx_access` for `xdp_md`.
pub fn rewrite(off: i16, size: Size) -> (i16, Size) {
    let dw = |o: usize| (o as i16, Size::DW);
    match off {
        0 => dw(DATA),
        4 => dw(DATA_END),
        8 => dw(DATA_META),
        12 => (INGRESS_IFINDEX as i16, size),
        16 => (RX_QUEUE_INDEX as i16, size),
        20 => (EGRESS_IFINDEX as i16, size),
        _ => (off + GUARD as i16, size),
    }
}
