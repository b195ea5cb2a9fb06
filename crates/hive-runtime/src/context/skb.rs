//! `struct __sk_buff` and the socket buffer.
//!
//! The runtime layout keeps the UAPI struct's 192 bytes at the same offsets behind the guard
//! (so `len`, `mark`, `cb[]`, `tstamp` and every narrow load need only a shifted offset) and
//! adds the three packet pointers as 64-bit slots after it, plus private fields for helpers:
//!
//! | offset | field |
//! |---|---|
//! | 192 + off | the UAPI field at `off` |
//! | 384 | `u64 data` (UAPI 76) |
//! | 392 | `u64 data_end` (UAPI 80) |
//! | 400 | `u64 data_meta` (UAPI 140) |
//! | 408 | private `u64 head`: the first byte of the buffer |
//! | 416 | private `u64 end`: one past the last byte of the buffer |
//!
//! The packet is built as the kernel's `bpf_prog_test_run_skb` builds it: `NET_SKB_PAD` (64)
//! bytes of headroom, the data, then tailroom; `eth_type_trans` against the loopback device
//! sets `protocol` and `pkt_type` and pulls the Ethernet header, which tc programs see pushed
//! back (they run at layer 2) and socket filters do not.

use hive_isa::Size;

/// `sizeof(struct __sk_buff)`, also the guard.
pub const GUARD: usize = 192;
/// Bytes of the runtime structure.
pub const LEN: usize = 192 + 40;
/// `data`.
pub const DATA: usize = GUARD + 192;
/// `data_end`.
pub const DATA_END: usize = GUARD + 200;
/// `data_meta`.
pub const DATA_META: usize = GUARD + 208;
/// Private: start of the buffer.
pub const HEAD: usize = GUARD + 216;
/// Private: end of the buffer.
pub const END: usize = GUARD + 224;

/// UAPI offsets of the fields the runtime fills or reads back.
pub mod uapi {
    /// `len`.
    pub const LEN: usize = 0;
    /// `pkt_type`.
    pub const PKT_TYPE: usize = 4;
    /// `mark`.
    pub const MARK: usize = 8;
    /// `queue_mapping`.
    pub const QUEUE_MAPPING: usize = 12;
    /// `protocol`.
    pub const PROTOCOL: usize = 16;
    /// `priority`.
    pub const PRIORITY: usize = 32;
    /// `ingress_ifindex`.
    pub const INGRESS_IFINDEX: usize = 36;
    /// `ifindex`.
    pub const IFINDEX: usize = 40;
    /// `cb[5]`.
    pub const CB: usize = 48;
    /// `data`.
    pub const DATA: usize = 76;
    /// `data_end`.
    pub const DATA_END: usize = 80;
    /// `data_meta`.
    pub const DATA_META: usize = 140;
    /// `tstamp`.
    pub const TSTAMP: usize = 152;
    /// `wire_len`.
    pub const WIRE_LEN: usize = 160;
    /// `gso_segs`.
    pub const GSO_SEGS: usize = 164;
    /// `gso_size`.
    pub const GSO_SIZE: usize = 176;
    /// `hwtstamp`.
    pub const HWTSTAMP: usize = 184;
}

/// `NET_SKB_PAD` on x86-64 (`max(32, L1_CACHE_BYTES)`).
pub const NET_SKB_PAD: usize = 64;
/// `ETH_HLEN`.
pub const ETH_HLEN: usize = 14;
/// Tailroom (`SKB_DATA_ALIGN(sizeof(struct skb_shared_info))`).
pub const TAILROOM: usize = 320;
/// Largest `data_in` (`PAGE_SIZE - headroom - tailroom`).
pub const MAX_DATA: usize = 4096 - NET_SKB_PAD - TAILROOM;

/// `convert_ctx_access` for `__sk_buff`.
pub fn rewrite(off: i16, size: Size) -> (i16, Size) {
    match off as usize {
        uapi::DATA => (DATA as i16, Size::DW),
        uapi::DATA_END => (DATA_END as i16, Size::DW),
        uapi::DATA_META => (DATA_META as i16, Size::DW),
        _ => (off + GUARD as i16, size),
    }
}
