//! The skb context converted classic programs read, and the helpers behind their ancillary
//! loads.
//!
//! The kernel translates `ld [SKF_AD_OFF + n]` into loads from `struct sk_buff` or calls of
//! internal functions. Hive's user-space stand-in for the `sk_buff` is a small little-endian
//! record ([`SIZE`] bytes, field offsets below) that the embedder fills and registers as the
//! context region; the packet itself is declared with [`crate::Memory::set_packet`].
//! Multi-byte fields are in host order except `protocol` and `vlan_proto`, which are in
//! network order as in the kernel.

use hive_isa::{AluOp, Cond, EndianOp, Insn, Reg, Size, Source, Width};

use super::{A, CTX, Out, TMP, X, alu32, ldx, mov64};
use crate::helpers::{Flow, HelperError, Helpers};
use crate::memory::Memory;

/// `skb->len` (u32): linear plus paged bytes.
pub const LEN: i16 = 0;
/// `skb->protocol` (u16, network order).
pub const PROTOCOL: i16 = 4;
/// `skb->vlan_proto` (u16, network order).
pub const VLAN_PROTO: i16 = 6;
/// `skb->pkt_type` (u8, low 3 bits).
pub const PKT_TYPE: i16 = 8;
/// Whether a VLAN tag is present (u8, 0 or 1).
pub const VLAN_PRESENT: i16 = 9;
/// `skb->queue_mapping` (u16).
pub const QUEUE_MAPPING: i16 = 10;
/// `skb->mark` (u32).
pub const MARK: i16 = 12;
/// `skb->hash` (u32).
pub const HASH: i16 = 16;
/// `skb->vlan_tci` (u16).
pub const VLAN_TCI: i16 = 20;
/// Whether `skb->dev` is set (u8, 0 or 1): without a device, `ifindex` and `hatype` loads
/// end the program returning `A`, as in the kernel.
pub const DEV_PRESENT: i16 = 22;
/// `skb->dev->ifindex` (u32).
pub const IFINDEX: i16 = 24;
/// `skb->dev->type` (u16).
pub const HATYPE: i16 = 28;
/// Size of the record.
pub const SIZE: usize = 32;

/// Helper id Hive uses for `SKF_AD_PAY_OFFSET` (no UAPI id exists; negative ids are Hive's).
pub const HELPER_PAY_OFFSET: i32 = -1;
/// Helper id for `SKF_AD_NLATTR` (`r1` = ctx, `r2` = A, `r3` = X).
pub const HELPER_NLATTR: i32 = -2;
/// Helper id for `SKF_AD_NLATTR_NEST`.
pub const HELPER_NLATTR_NEST: i32 = -3;
/// `BPF_FUNC_get_prandom_u32`, behind `SKF_AD_RANDOM`.
pub const HELPER_PRANDOM_U32: i32 = 7;
/// `BPF_FUNC_get_smp_processor_id`, behind `SKF_AD_CPU`.
pub const HELPER_SMP_PROCESSOR_ID: i32 = 8;

/// The ancillary loads (`SKF_AD_*`, the value is `n` in `SKF_AD_OFF + n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Ancillary {
    Protocol = 0,
    PktType = 4,
    Ifindex = 8,
    Nlattr = 12,
    NlattrNest = 16,
    Mark = 20,
    Queue = 24,
    Hatype = 28,
    RxHash = 32,
    Cpu = 36,
    AluXorX = 40,
    VlanTag = 44,
    VlanTagPresent = 48,
    PayOffset = 52,
    Random = 56,
    VlanTpid = 60,
}

/// The ancillary load `ld [k]` names, if `k` is `SKF_AD_OFF + n` for a known `n`.
pub fn ancillary(k: u32) -> Option<Ancillary> {
    use Ancillary::*;
    let n = (k as i32).checked_sub(super::SKF_AD_OFF)?;
    Some(match n {
        0 => Protocol,
        4 => PktType,
        8 => Ifindex,
        12 => Nlattr,
        16 => NlattrNest,
        20 => Mark,
        24 => Queue,
        28 => Hatype,
        32 => RxHash,
        36 => Cpu,
        40 => AluXorX,
        44 => VlanTag,
        48 => VlanTagPresent,
        52 => PayOffset,
        56 => Random,
        60 => VlanTpid,
        _ => return None,
    })
}

fn call(id: i32) -> Out {
    Out::Insn(Insn::Call(hive_isa::CallTarget::Helper(id)))
}

fn be16(dst: Reg) -> Out {
    Out::Insn(Insn::Endian { op: EndianOp::ToBe, bits: 16, dst })
}

fn skip_if(cond: Cond, reg: Reg, imm: i32, off: i16) -> Out {
    Out::Insn(Insn::Jump { width: Width::W64, cond, dst: reg, src: Source::Imm(imm), off })
}

/// Appends the eBPF for one ancillary load (result in `A`).
pub(super) fn lower_ancillary(ad: Ancillary, out: &mut Vec<Out>) {
    use Ancillary::*;
    match ad {
        Protocol => out.extend([ldx(Size::H, A, CTX, PROTOCOL), be16(A)]),
        VlanTpid => out.extend([ldx(Size::H, A, CTX, VLAN_PROTO), be16(A)]),
        PktType => out.extend([ldx(Size::B, A, CTX, PKT_TYPE), alu32(AluOp::And, A, Source::Imm(7))]),
        Mark => out.push(ldx(Size::W, A, CTX, MARK)),
        Queue => out.push(ldx(Size::H, A, CTX, QUEUE_MAPPING)),
        RxHash => out.push(ldx(Size::W, A, CTX, HASH)),
        VlanTag => out.push(ldx(Size::H, A, CTX, VLAN_TCI)),
        VlanTagPresent => out.extend([
            ldx(Size::B, A, CTX, VLAN_PRESENT),
            skip_if(Cond::Eq, A, 0, 1),
            alu32(AluOp::Mov, A, Source::Imm(1)),
        ]),
        Ifindex | Hatype => {
            out.extend([ldx(Size::B, TMP, CTX, DEV_PRESENT), skip_if(Cond::Ne, TMP, 0, 1), Out::Insn(Insn::Exit)]);
            out.push(if ad == Ifindex { ldx(Size::W, A, CTX, IFINDEX) } else { ldx(Size::H, A, CTX, HATYPE) });
        }
        AluXorX => out.push(alu32(AluOp::Xor, A, Source::Reg(X))),
        Nlattr | NlattrNest | PayOffset | Cpu | Random => {
            out.extend([mov64(Reg::R1, CTX), mov64(Reg::R2, A), mov64(Reg::R3, X)]);
            out.push(call(match ad {
                Nlattr => HELPER_NLATTR,
                NlattrNest => HELPER_NLATTR_NEST,
                PayOffset => HELPER_PAY_OFFSET,
                Cpu => HELPER_SMP_PROCESSOR_ID,
                _ => HELPER_PRANDOM_U32,
            }));
        }
    }
}

/// The helpers converted classic programs call, delegating every other id to `inner`.
#[derive(Debug)]
pub struct ClassicHelpers<H> {
    /// What `SKF_AD_CPU` reports.
    pub cpu: u32,
    /// State of the `SKF_AD_RANDOM` generator (xorshift32; never 0).
    pub random_state: u32,
    /// Helpers for every other id.
    pub inner: H,
}

impl<H> ClassicHelpers<H> {
    /// CPU 0, a fixed random seed, and `inner` for the rest.
    pub fn new(inner: H) -> Self {
        ClassicHelpers { cpu: 0, random_state: 0x2545_f491, inner }
    }
}

fn read_u16(mem: &Memory<'_>, addr: u64) -> Result<u16, HelperError> {
    let b = mem.read(addr, 2)?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

/// The packet's linear bytes, or `None` when it has fragments (the kernel's nlattr helpers
/// return 0 for non-linear skbs).
fn linear<'m>(mem: &'m Memory<'_>) -> Result<Option<&'m [u8]>, HelperError> {
    let Some(p) = mem.packet() else { return Err(HelperError::Failed("no packet".into())) };
    if !p.frags.is_empty() {
        return Ok(None);
    }
    Ok(Some(mem.read(p.head.wrapping_add(p.data as u64), p.headlen)?))
}

/// `nla_find`: the offset (within `data`) of the first attribute of type `ty` in
/// `data[start..]`.
fn nla_find(data: &[u8], start: usize, len: usize, ty: u32) -> Option<usize> {
    let (mut pos, mut rem) = (start, len as i64);
    loop {
        if rem < 4 {
            return None;
        }
        let nla_len = u16::from_le_bytes([data[pos], data[pos + 1]]) as i64;
        let nla_type = u16::from_le_bytes([data[pos + 2], data[pos + 3]]) as u32;
        if nla_len < 4 || nla_len > rem {
            return None;
        }
        if nla_type & 0x3fff == ty {
            return Some(pos);
        }
        let total = (nla_len + 3) & !3;
        rem -= total;
        pos += total as usize;
    }
}

/// `bpf_skb_get_nlattr` / `bpf_skb_get_nlattr_nest`.
fn nlattr(data: &[u8], a: u32, x: u32, nested: bool) -> u64 {
    let len = data.len();
    if len < 4 || a as usize > len - 4 {
        return 0;
    }
    let a = a as usize;
    let found = if nested {
        let nla_len = u16::from_le_bytes([data[a], data[a + 1]]) as usize;
        if nla_len < 4 || nla_len > len - a {
            return 0;
        }
        nla_find(data, a + 4, nla_len - 4, x)
    } else {
        nla_find(data, a, len - a, x)
    };
    found.map_or(0, |off| off as u64)
}

/// `skb_get_poff`: the payload offset found by the flow dissector (IPv4 and IPv6 without
/// extension headers), 0 when dissection fails.
fn pay_offset(mem: &Memory<'_>, ctx: u64) -> Result<u64, HelperError> {
    let Some(p) = mem.packet() else { return Err(HelperError::Failed("no packet".into())) };
    let vlan = mem.read(ctx.wrapping_add(VLAN_PRESENT as u64), 1)?[0] != 0;
    let field = if vlan { VLAN_PROTO } else { PROTOCOL };
    let proto = u16::from_be(read_u16(mem, ctx.wrapping_add(field as u64))?);
    let bytes = |off: usize, out: &mut [u8]| p.copy_bits(mem, off, out);
    let nhoff = p.network_header.saturating_sub(p.data);
    let (thoff, ip_proto, later_fragment) = match proto {
        0x0800 => {
            let mut iph = [0u8; 20];
            if !bytes(nhoff, &mut iph)? || iph[0] & 0xf < 5 {
                return Ok(0);
            }
            let frag = u16::from_be_bytes([iph[6], iph[7]]);
            (nhoff + (iph[0] & 0xf) as usize * 4, iph[9], frag & 0x1fff != 0)
        }
        0x86dd => {
            let mut ip6 = [0u8; 40];
            if !bytes(nhoff, &mut ip6)? {
                return Ok(0);
            }
            (nhoff + 40, ip6[6], false)
        }
        _ => return Ok(0),
    };
    let mut poff = thoff.min(p.len()) as u64;
    if later_fragment {
        return Ok(poff);
    }
    poff += match ip_proto {
        6 => {
            let mut doff = [0u8; 1];
            if !bytes(poff as usize + 12, &mut doff)? {
                return Ok(poff);
            }
            20.max(((doff[0] & 0xf0) >> 2) as u64)
        }
        17 | 136 => 8,      // UDP, UDP-Lite
        1 | 58 | 2 => 8,    // ICMP, ICMPv6, IGMP
        33 => 16,           // DCCP
        132 => 12,          // SCTP
        _ => 0,
    };
    Ok(poff)
}

impl<H: Helpers> Helpers for ClassicHelpers<H> {
    fn call_helper(&mut self, id: i32, args: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        let v = match id {
            HELPER_SMP_PROCESSOR_ID => self.cpu as u64,
            HELPER_PRANDOM_U32 => {
                let mut s = self.random_state.max(1);
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                self.random_state = s;
                s as u64
            }
            HELPER_NLATTR | HELPER_NLATTR_NEST => match linear(mem)? {
                Some(data) => nlattr(data, args[1] as u32, args[2] as u32, id == HELPER_NLATTR_NEST),
                None => 0,
            },
            HELPER_PAY_OFFSET => pay_offset(mem, args[0])?,
            _ => return self.inner.call_helper(id, args, mem),
        };
        Ok(Flow::Return(v))
    }

    fn call_kfunc(&mut self, btf_id: i32, module: i16, args: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        self.inner.call_kfunc(btf_id, module, args, mem)
    }
}
