//! Program contexts: what `r1` points to, per program type, and how the program's view of it
//! (the UAPI struct) maps onto the runtime's own layout.
//!
//! Like the kernel, Hive keeps its own structure behind the UAPI one and rewrites the
//! program's context accesses at load time (`convert_ctx_access`): pointers are 64-bit in
//! the runtime but 32-bit fields in `xdp_md` and `__sk_buff`. The runtime structure sits
//! behind a *guard*: the context pointer a program gets points `GUARD` bytes before it, at
//! bytes that belong to no region, so an access the load pipeline did not rewrite (a context
//! pointer it could not follow) faults instead of reading the wrong field.
//!
//! | program types | UAPI view | runtime layout (`ctx + GUARD + ...`) |
//! |---|---|---|
//! | XDP | `xdp_md` (24 bytes, 32-bit fields) | `data`, `data_end`, `data_meta` as u64, then the three u32 indices, then private fields for the helpers ([`xdp`]) |
//! | socket filter, tc, cgroup skb, lwt | `__sk_buff` (192 bytes) | the same 192 bytes at the same offsets (narrow loads work unchanged), then `data`, `data_end`, `data_meta` as u64 ([`skb`]) |
//! | kprobe, tracepoint, raw_tp, syscall, perf_event, others | the raw buffer | the raw buffer, no guard, no rewrite |

pub mod skb;
pub mod xdp;

use hive_isa::Size;
use hive_platform::prog::{ContextLayout, ProgType};

/// How a program type's context is laid out at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContextKind {
    /// `struct xdp_md`, rewritten.
    Xdp,
    /// `struct __sk_buff`, rewritten.
    Skb,
    /// A plain buffer the program reads (and for some types writes) as is.
    Raw,
}

impl ContextKind {
    /// The kind for a program type.
    pub fn of(t: ProgType) -> ContextKind {
        match t {
            ProgType::Xdp => ContextKind::Xdp,
            ProgType::SocketFilter
            | ProgType::SchedCls
            | ProgType::SchedAct
            | ProgType::CgroupSkb
            | ProgType::LwtIn
            | ProgType::LwtOut
            | ProgType::LwtXmit => ContextKind::Skb,
            _ => ContextKind::Raw,
        }
    }

    /// Bytes between the context pointer and the runtime structure (0 for raw contexts).
    pub fn guard(self) -> usize {
        match self {
            ContextKind::Xdp => xdp::GUARD,
            ContextKind::Skb => skb::GUARD,
            ContextKind::Raw => 0,
        }
    }

    /// Where a checked access of the UAPI view at `off` goes: the new offset and size.
    pub fn rewrite(self, off: i16, size: Size) -> (i16, Size) {
        match self {
            ContextKind::Xdp => xdp::rewrite(off, size),
            ContextKind::Skb => skb::rewrite(off, size),
            ContextKind::Raw => (off, size),
        }
    }
}

/// The access rules of a program type's context, where the platform describes them.
pub(crate) fn layout(t: ProgType) -> Option<&'static ContextLayout> {
    t.info().context()
}

/// Little-endian field helpers over a byte buffer.
pub(crate) fn put_u32(buf: &mut [u8], off: usize, v: u32) {
    buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_u64(buf: &mut [u8], off: usize, v: u64) {
    buf[off..off + 8].copy_from_slice(&v.to_le_bytes());
}

pub(crate) fn get_u32(buf: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(buf[off..off + 4].try_into().expect("4 bytes"))
}

pub(crate) fn get_u64(buf: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(buf[off..off + 8].try_into().expect("8 bytes"))
}
