//! `LD_ABS`/`LD_IND` at run time: the packet read that compiled code calls into.
//!
//! This mirrors the interpreter step for step (`hive_interp::packet`): the packet must be
//! declared, `r6` must be its context, the offset is taken as a signed 32-bit `int`,
//! non-negative offsets read linear data then fragments, negative ones are `SKF_NET_OFF` /
//! `SKF_LL_OFF` relative and must stay inside the linear data, and values are big-endian.
//! The interpreter's own reader is crate-private, so the few lines are repeated here on top
//! of the public [`Packet`] fields and [`Packet::copy_bits`]; the differential tests hold the
//! two together.

use hive_interp::packet::{SKF_LL_OFF, SKF_NET_OFF};
use hive_interp::{FaultKind, Memory, Packet};
use hive_isa::Size;

/// `r0` for a load of `size` at `offset` (`imm` or `src + imm`) with `ctx` = `r6`:
/// `Ok(None)` when the kernel's helper would fail (the program then returns 0 from the
/// current function), `Err` for what the interpreter reports as a fault.
pub(crate) fn load(mem: &Memory<'_>, ctx: u64, offset: u64, size: Size) -> Result<Option<u32>, FaultKind> {
    let Some(packet) = mem.packet() else {
        return Err(FaultKind::NoPacket);
    };
    if packet.ctx.is_some_and(|c| c != ctx) {
        return Err(FaultKind::PacketContext { r6: ctx });
    }
    read(packet, mem, offset as u32 as i32, size).map_err(FaultKind::Memory)
}

fn read(p: &Packet<'_>, mem: &Memory<'_>, k: i32, size: Size) -> Result<Option<u32>, hive_interp::AccessError> {
    let n = size.bytes().min(4);
    let mut buf = [0u8; 4];
    let out = &mut buf[4 - n..];
    if k >= 0 {
        if !p.copy_bits(mem, k as usize, out)? {
            return Ok(None);
        }
    } else {
        let start = if k >= SKF_NET_OFF {
            (p.network_header as i64).saturating_add((k - SKF_NET_OFF) as i64)
        } else if k >= SKF_LL_OFF {
            match p.mac_header {
                Some(mac) => (mac as i64).saturating_add((k - SKF_LL_OFF) as i64),
                None => return Ok(None),
            }
        } else {
            return Ok(None);
        };
        let tail = p.data.saturating_add(p.headlen) as i64;
        if start < 0 || start.saturating_add(n as i64) > tail {
            return Ok(None);
        }
        out.copy_from_slice(mem.read(p.head.wrapping_add(start as u64), n)?);
    }
    Ok(Some(u32::from_be_bytes(buf)))
}
