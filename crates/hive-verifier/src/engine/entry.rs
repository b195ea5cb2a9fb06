//! Explicit entry states ([`crate::EntryState`]): registers, stack contents and a minimum
//! packet size given by the caller instead of the kernel's `r1 = ctx`.

use super::Verifier;
use crate::env::{EntryReg, EntryState};
use crate::state::stack::locate;
use crate::state::{Byte, PtrKind, Reg, Slot, State};

impl Verifier<'_> {
    pub(super) fn apply_entry(&mut self, st: &mut State, e: &EntryState) {
        let pkt_id = 0;
        for (i, r) in e.regs.iter().enumerate() {
            let reg = match r {
                EntryReg::Uninit => Reg::NOT_INIT,
                EntryReg::Scalar(s) => Reg::scalar(*s),
                EntryReg::Ctx { off } => Reg { off: *off, ..Reg::ptr(PtrKind::Ctx) },
                EntryReg::Stack { off } => Reg { off: *off, ..Reg::fp(0) },
                EntryReg::Packet { off } => {
                    let range = if off.as_const().is_some() { e.packet_min_size as i64 - off.as_const().unwrap_or(0) as i64 } else { 0 };
                    Reg { var: *off, id: if off.as_const().is_some() { pkt_id } else { self.new_id() }, range: range.max(0), ..Reg::ptr(PtrKind::Packet) }
                }
                EntryReg::PacketMeta => Reg::ptr(PtrKind::PacketMeta),
                EntryReg::PacketEnd => Reg::ptr(PtrKind::PacketEnd),
                EntryReg::Memory { size, off } => {
                    let slot = self.add_map(crate::env::MapMeta::new(hive_platform::map::MapType::Array, 4, *size, 1));
                    Reg { var: *off, map: slot, ..Reg::ptr(PtrKind::MapValue) }
                }
                EntryReg::Map(m) => {
                    let slot = self.add_map(m.clone());
                    Reg { map: slot, ..Reg::ptr(PtrKind::ConstMap) }
                }
            };
            st.frames[0].regs[i] = reg;
        }
        let fr = &mut st.frames[0];
        for (off, len, val) in &e.stack {
            let (off, len) = (*off as i64, *len as i64);
            if !(-512..0).contains(&off) || len <= 0 || off + len > 0 {
                continue;
            }
            let need = ((-off + 7) / 8) as usize;
            if fr.stack.len() < need {
                fr.stack.resize(need, Slot::EMPTY);
            }
            match val {
                Some(v) if len == 8 && off % 8 == 0 => {
                    let (s, _) = locate(off);
                    fr.stack[s] = Slot { bytes: [Byte::Spill; 8], spill: Reg::scalar(*v) };
                }
                _ => {
                    for a in off..off + len {
                        let (s, b) = locate(a);
                        fr.stack[s].scrub();
                        fr.stack[s].bytes[b] = Byte::Misc;
                    }
                }
            }
        }
    }
}
