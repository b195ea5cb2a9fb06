//! Packet helpers: checksums, moving XDP packet boundaries, copying to and from an skb,
//! redirects. They reach the packet through the context the program passes (`r1`), reading
//! the runtime's context layout (`crate::context`).

use hive_interp::{Flow, HelperError, Memory};
use hive_isa::Size;
use hive_platform::prog::ProgType;

use super::{neg, ret};
use crate::context::{skb, xdp};
use crate::run::{Redirect, RunHelpers};

/// The x86-64 `csum_partial(buf, len, sum)`: 64-bit one's-complement addition of
/// little-endian words (a short tail zero-padded), folded to 32 bits with end-around carry.
pub fn csum_partial(buf: &[u8], seed: u32) -> u32 {
    let mut sum: u128 = seed as u128;
    for chunk in buf.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        sum += u64::from_le_bytes(w) as u128;
    }
    while sum >> 64 != 0 {
        sum = (sum & u64::MAX as u128) + (sum >> 64);
    }
    let t = sum as u64;
    (t.wrapping_add(t.rotate_right(32)) >> 32) as u32
}

/// `csum_add`: 32-bit one's-complement addition.
fn csum_add(a: u32, b: u32) -> u32 {
    let (s, c) = a.overflowing_add(b);
    s.wrapping_add(c as u32)
}

/// `csum_from32to16`: folds a 32-bit partial sum to 16 bits (not complemented).
pub fn csum_from32to16(sum: u32) -> u32 {
    sum.wrapping_add(sum.rotate_right(16)) >> 16
}

/// `bpf_csum_diff(from, from_size, to, to_size, seed)` as in 6.18, where it became
/// `csum_partial` of each buffer and a 16-bit fold: any sizes (the verifier bounds them by
/// the memory passed), always folded (even `seed` alone when both sizes are 0).
pub fn csum_diff(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let (from, from_size, to, to_size, seed) = (a[0], a[1] as u32 as usize, a[2], a[3] as u32 as usize, a[4] as u32);
    let mut f = vec![0u8; from_size];
    mem.read_into(from, &mut f)?;
    let mut t = vec![0u8; to_size];
    mem.read_into(to, &mut t)?;
    let v = match (from_size > 0, to_size > 0) {
        (true, true) => csum_from32to16(csum_add(csum_partial(&t, seed), !csum_partial(&f, 0))),
        (false, true) => csum_from32to16(csum_partial(&t, seed)),
        (true, false) => csum_from32to16(!csum_partial(&f, !seed)),
        (false, false) => csum_from32to16(seed),
    };
    ret(v as u64)
}

struct XdpBuff {
    ctx: u64,
    data: u64,
    data_end: u64,
    data_meta: u64,
    hard_start: u64,
    frame_sz: u64,
}

impl XdpBuff {
    fn read(mem: &Memory<'_>, ctx: u64) -> Result<XdpBuff, HelperError> {
        let f = |off: usize| mem.load(ctx.wrapping_add(off as u64), Size::DW);
        Ok(XdpBuff {
            ctx,
            data: f(xdp::DATA)?,
            data_end: f(xdp::DATA_END)?,
            data_meta: f(xdp::DATA_META)?,
            hard_start: f(xdp::HARD_START)?,
            frame_sz: f(xdp::FRAME_SZ)?,
        })
    }

    fn write(&self, mem: &mut Memory<'_>) -> Result<(), HelperError> {
        mem.store(self.ctx + xdp::DATA as u64, Size::DW, self.data)?;
        mem.store(self.ctx + xdp::DATA_END as u64, Size::DW, self.data_end)?;
        mem.store(self.ctx + xdp::DATA_META as u64, Size::DW, self.data_meta)?;
        Ok(())
    }

    fn frame_end(&self) -> u64 {
        self.hard_start + xdp::XDP_FRAME_SIZE as u64
    }
}

/// `xdp_metalen_invalid`: metadata must be a multiple of 4 and fit `skb_shared_info.meta_len`
/// (a `u8`: at most 255 bytes).
pub(crate) fn metalen_invalid(len: u64) -> bool {
    !len.is_multiple_of(4) || len > 255
}

/// `bpf_xdp_adjust_head(xdp_md, delta)`.
pub fn xdp_adjust_head(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let mut b = XdpBuff::read(mem, a[0])?;
    let off = a[1] as u32 as i32 as i64;
    let metalen = b.data - b.data_meta;
    let data_start = b.frame_end() + metalen;
    let data = b.data.wrapping_add(off as u64);
    if data < data_start || data > b.data_end.wrapping_sub(14) {
        return ret(neg(libc::EINVAL));
    }
    if metalen > 0 {
        let mut meta = vec![0u8; metalen as usize];
        mem.read_into(b.data_meta, &mut meta)?;
        mem.write(b.data_meta.wrapping_add(off as u64), &meta)?;
    }
    b.data_meta = b.data_meta.wrapping_add(off as u64);
    b.data = data;
    b.write(mem)?;
    ret(0)
}

/// `bpf_xdp_adjust_meta(xdp_md, delta)`.
pub fn xdp_adjust_meta(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let mut b = XdpBuff::read(mem, a[0])?;
    let off = a[1] as u32 as i32 as i64;
    let meta = b.data_meta.wrapping_add(off as u64);
    if meta < b.frame_end() || meta > b.data {
        return ret(neg(libc::EINVAL));
    }
    if metalen_invalid(b.data - meta) {
        return ret(neg(libc::EACCES));
    }
    b.data_meta = meta;
    b.write(mem)?;
    ret(0)
}

/// `bpf_xdp_adjust_tail(xdp_md, delta)`; growing zeroes the new bytes.
pub fn xdp_adjust_tail(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let mut b = XdpBuff::read(mem, a[0])?;
    let off = a[1] as u32 as i32 as i64;
    let hard_end = b.hard_start + b.frame_sz - xdp::TAILROOM as u64;
    let data_end = b.data_end.wrapping_add(off as u64);
    if data_end > hard_end || data_end < b.data + 14 {
        return ret(neg(libc::EINVAL));
    }
    if off > 0 {
        mem.write(b.data_end, &vec![0; off as usize])?;
    }
    b.data_end = data_end;
    b.write(mem)?;
    ret(0)
}

/// The skb's data pointer and length.
fn skb_data(mem: &Memory<'_>, ctx: u64) -> Result<(u64, u64), HelperError> {
    let data = mem.load(ctx + skb::DATA as u64, Size::DW)?;
    let len = mem.load(ctx + (skb::GUARD + skb::uapi::LEN) as u64, Size::W)?;
    Ok((data, len))
}

/// `bpf_skb_load_bytes(skb, offset, to, len)`.
pub fn skb_load_bytes(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let (off, to, len) = (a[1] as u32, a[2], a[3] as u32 as usize);
    let (data, skb_len) = skb_data(mem, a[0])?;
    let mut buf = vec![0u8; len];
    let ok = off <= i32::MAX as u32 && off as u64 + len as u64 <= skb_len;
    if ok {
        mem.read_into(data + off as u64, &mut buf)?;
    }
    mem.write(to, &buf)?;
    ret(if ok { 0 } else { neg(libc::EFAULT) })
}

/// `BPF_F_RECOMPUTE_CSUM`, `BPF_F_INVALIDATE_HASH`.
const STORE_FLAGS: u64 = 1 | 2;

/// `bpf_skb_store_bytes(skb, offset, from, len, flags)`.
pub fn skb_store_bytes(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let (off, from, len, flags) = (a[1] as u32, a[2], a[3] as u32 as usize, a[4]);
    if flags & !STORE_FLAGS != 0 {
        return ret(neg(libc::EINVAL));
    }
    if off > 0xffff {
        return ret(neg(libc::EFAULT));
    }
    let (data, skb_len) = skb_data(mem, a[0])?;
    if off as u64 + len as u64 > skb_len {
        return ret(neg(libc::EFAULT));
    }
    let mut buf = vec![0u8; len];
    mem.read_into(from, &mut buf)?;
    mem.write(data + off as u64, &buf)?;
    if flags & 2 != 0 {
        // skb_clear_hash
        mem.store(a[0] + (skb::GUARD + 68) as u64, Size::W, 0)?;
    }
    ret(0)
}

/// `BPF_F_INGRESS`.
pub const BPF_F_INGRESS: u64 = 1;

/// `bpf_redirect(ifindex, flags)`: `XDP_REDIRECT` / `TC_ACT_REDIRECT`, or `XDP_ABORTED` /
/// `TC_ACT_SHOT` for bad flags. The target is reported in the run's result.
pub(crate) fn redirect(h: &mut RunHelpers<'_>, a: [u64; 5]) -> Result<Flow, HelperError> {
    let (ifindex, flags) = (a[0] as u32, a[1]);
    if h.prog_type == ProgType::Xdp {
        if flags != 0 {
            return ret(0); // XDP_ABORTED
        }
        h.redirect = Some(Redirect { ifindex, flags });
        return ret(4); // XDP_REDIRECT
    }
    if flags & !BPF_F_INGRESS != 0 {
        return ret(2); // TC_ACT_SHOT
    }
    h.redirect = Some(Redirect { ifindex, flags });
    ret(7) // TC_ACT_REDIRECT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csum_partial_matches_a_16_bit_reference_after_folding() {
        // Folding the 32-bit partial sum to 16 bits must equal the RFC 1071 sum.
        let data: Vec<u8> = (0..100u32).map(|i| (i * 37 + 11) as u8).collect();
        for len in [0usize, 4, 8, 12, 20, 64, 100] {
            let s = csum_partial(&data[..len], 0);
            let mut f = (s >> 16) + (s & 0xffff);
            f = (f >> 16) + (f & 0xffff);
            let mut r: u32 = 0;
            for c in data[..len].chunks(2) {
                r += u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]) as u32;
            }
            while r >> 16 != 0 {
                r = (r >> 16) + (r & 0xffff);
            }
            assert_eq!(f, r, "len {len}");
        }
    }
}
