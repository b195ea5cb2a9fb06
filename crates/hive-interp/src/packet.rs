//! Legacy packet access (`LD_ABS`, `LD_IND`) with the kernel's semantics.
//!
//! In Linux these instructions only appear in socket-filter-like programs whose context is an
//! `sk_buff`, kept in `r6`. The verifier rewrites each into a call of
//! `bpf_skb_load_helper_{8,16,32}_no_cache(skb, offset)` followed by "if the result is
//! negative, return 0" (`bpf_gen_ld_abs` in `net/core/filter.c`). The interpreter performs
//! the same steps directly:
//!
//! - the offset is `imm` (`LD_ABS`) or `src + imm` (`LD_IND`), taken as a signed 32-bit `int`;
//! - a non-negative offset reads the linear data (`skb->data .. + headlen`) or, past it, the
//!   fragments (`skb_copy_bits`); it fails when `offset + size > skb->len`;
//! - a negative offset is `SKF_NET_OFF + n` (the network header plus `n`) or `SKF_LL_OFF + n`
//!   (the MAC header plus `n`, only when a MAC header is set), anything lower fails, and the
//!   bytes must lie between `skb->head` and the end of the linear data
//!   (`bpf_internal_load_pointer_neg_helper`);
//! - 16- and 32-bit values are read in network byte order; the value lands in `r0`;
//! - a failed load ends the whole program, which returns 0;
//! - like the call it stands for, the instruction clobbers `r1`-`r5`: the interpreter leaves
//!   `r1` = `r6` and `r2` = the 64-bit offset, as the rewritten code does.

use hive_isa::Size;

use crate::fault::AccessError;
use crate::memory::Memory;

/// `SKF_NET_OFF`: negative offsets from here on are relative to the network header.
pub const SKF_NET_OFF: i32 = -0x100000;
/// `SKF_LL_OFF`: negative offsets from here on are relative to the MAC header.
pub const SKF_LL_OFF: i32 = -0x200000;

/// Where the packet of an skb-like context lives, for `LD_ABS`/`LD_IND`.
///
/// Offsets are relative to `head`, the first byte of the linear buffer, which must lie in a
/// region registered in the same [`Memory`] (so the program may also reach it directly).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    /// Guest address of `skb->head`.
    pub head: u64,
    /// Offset of `skb->data` from `head`.
    pub data: usize,
    /// Linear bytes from `data` on (`skb_headlen`).
    pub headlen: usize,
    /// Paged data that follows the linear part (`skb_shinfo(skb)->frags`), reachable only
    /// through `LD_ABS`/`LD_IND`.
    pub frags: &'a [u8],
    /// Offset of the MAC header from `head`, `None` when unset.
    pub mac_header: Option<usize>,
    /// Offset of the network header from `head`.
    pub network_header: usize,
    /// The context pointer `r6` must hold at each access; `None` accepts any `r6`.
    pub ctx: Option<u64>,
}

impl<'a> Packet<'a> {
    /// A linear packet of `len` bytes at guest address `data` (`head == data`), with the MAC
    /// header at its start and the network header `network_header` bytes in.
    pub fn linear(data: u64, len: usize, network_header: usize) -> Self {
        Packet { head: data, data: 0, headlen: len, frags: &[], mac_header: Some(0), network_header, ctx: None }
    }

    /// `skb->len`: linear plus paged bytes.
    pub fn len(&self) -> usize {
        self.headlen.saturating_add(self.frags.len())
    }

    /// Whether the packet holds no byte at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies `out.len()` bytes starting `offset` bytes after `skb->data`, from the linear
    /// data and then the fragments, like `skb_copy_bits`; `Ok(false)` when they run past
    /// `skb->len`.
    pub fn copy_bits(&self, mem: &Memory<'_>, offset: usize, out: &mut [u8]) -> Result<bool, AccessError> {
        let n = out.len();
        if offset.checked_add(n).is_none_or(|end| end > self.len()) {
            return Ok(false);
        }
        let data = self.head.wrapping_add(self.data as u64);
        let linear = self.headlen.saturating_sub(offset).min(n);
        out[..linear].copy_from_slice(mem.read(data.wrapping_add(offset as u64), linear)?);
        let from = offset + linear - self.headlen.min(offset + linear);
        out[linear..].copy_from_slice(&self.frags[from..from + (n - linear)]);
        Ok(true)
    }

    /// Reads `size` bytes (1, 2 or 4) at offset `k` in network byte order, or `None` when the
    /// kernel helper would fail.
    pub fn load(&self, mem: &Memory<'_>, k: i32, size: Size) -> Result<Option<u32>, AccessError> {
        let n = size.bytes().min(4);
        let mut buf = [0u8; 4];
        let out = &mut buf[4 - n..];
        if k >= 0 {
            if !self.copy_bits(mem, k as usize, out)? {
                return Ok(None);
            }
        } else {
            let start = if k >= SKF_NET_OFF {
                (self.network_header as i64).saturating_add((k - SKF_NET_OFF) as i64)
            } else if k >= SKF_LL_OFF {
                match self.mac_header {
                    Some(mac) => (mac as i64).saturating_add((k - SKF_LL_OFF) as i64),
                    None => return Ok(None),
                }
            } else {
                return Ok(None);
            };
            let tail = self.data.saturating_add(self.headlen) as i64;
            if start < 0 || start.saturating_add(n as i64) > tail {
                return Ok(None);
            }
            out.copy_from_slice(mem.read(self.head.wrapping_add(start as u64), n)?);
        }
        Ok(Some(u32::from_be_bytes(buf)))
    }
}

/// One `LD_ABS`/`LD_IND` as every engine performs it: `ctx` is `r6`, `offset` the computed
/// `imm` or `src + imm`. `Ok(None)` when the kernel's helper would fail (the program then
/// returns 0 from the current function); `Err` for a packet that was never declared, an `r6`
/// that is not its context, or memory outside the regions.
pub fn ld_packet(mem: &Memory<'_>, ctx: u64, offset: u64, size: Size) -> Result<Option<u32>, crate::FaultKind> {
    let Some(packet) = mem.packet() else {
        return Err(crate::FaultKind::NoPacket);
    };
    if packet.ctx.is_some_and(|c| c != ctx) {
        return Err(crate::FaultKind::PacketContext { r6: ctx });
    }
    packet.load(mem, offset as u32 as i32, size).map_err(crate::FaultKind::Memory)
}
