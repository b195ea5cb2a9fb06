//! The order between states that pruning relies on, and the widening of loop states.
//!
//! [`subsumes`] is the kernel's `states_equal(old, cur)` for an `old` state whose every path
//! has been verified: when everything `cur` may hold is something `old` may hold, the paths
//! from `cur` are among those already verified, so `cur` is pruned. Registers are compared with
//! `regsafe` (a register `old` never reads, [`RegType::NotInit`] or dead at this instruction,
//! matches anything; scalars by [`Scalar::is_subset`]; pointers by kind, fixed offset and
//! variable offset, a packet pointer needing at least `old`'s checked range), the stack byte by
//! byte with `stacksafe`, the held references pairwise. Identities only need to correspond:
//! an [`IdMap`] checks that `old`'s ids map to `cur`'s one to one, so copies linked in `old`
//! (a bound or a NULL check learnt on one holds for all) are linked in `cur` too.
//!
//! Scalars are always compared by inclusion, the sound reading of the kernel's rule that
//! compares only "precise" scalars: Hive has no precision tracking yet, so it prunes less
//! often than the kernel, never more.
//!
//! [`widen`] over-approximates two states of one loop head by one, for loops the runtime
//! bounds (`may_goto`, callbacks) where exploring every iteration would not end: every
//! scalar and pointer offset ([`Spare::Nothing`]), or, as the kernel's
//! `widen_imprecise_scalars`, only the scalars not marked precise in the previous iteration,
//! leaving pointers alone ([`Spare::Kernel`]).

use super::reg::{PtrKind, Reg, RegType};
use super::stack::{Byte, Slot};
use super::{Frame, Precise, State};

/// A partial one-to-one map between `old`'s ids and `cur`'s (`struct bpf_idmap`).
#[derive(Default, Debug)]
pub struct IdMap {
    pairs: Vec<(u32, u32)>,
    tmp: u32,
}

impl IdMap {
    /// Whether `old` and `cur` may correspond, recording the pair.
    pub fn check(&mut self, old: u32, cur: u32) -> bool {
        for &(o, c) in &self.pairs {
            if o == old || c == cur {
                return o == old && c == cur;
            }
        }
        self.pairs.push((old, cur));
        true
    }

    /// Scalar ids: an id-less `old` links nothing; an id-less `cur` gets a fresh id, so it
    /// may stand for at most one `old` id.
    pub fn check_scalar(&mut self, old: u32, cur: u32) -> bool {
        if old == 0 {
            return true;
        }
        let cur = if cur == 0 {
            self.tmp += 1;
            0x8000_0000 | self.tmp
        } else {
            cur
        };
        self.check(old, cur)
    }
}

/// `regsafe`: whether every value `cur` may hold is one `old` may hold.
pub fn reg_subsumes(old: &Reg, cur: &Reg, ids: &mut IdMap) -> bool {
    match (old.ty, cur.ty) {
        (RegType::NotInit, _) => true,
        (_, RegType::NotInit) => false,
        (RegType::Scalar, RegType::Scalar) => {
            // A link at a delta must be the same link in `cur` (`old.off` is 0 when unlinked).
            cur.var.is_subset(&old.var) && ids.check_scalar(old.id, cur.id) && (old.id == 0 || old.off == cur.off)
        }
        (RegType::Ptr(ko), RegType::Ptr(kc)) => {
            if ko != kc || old.flags != cur.flags || old.off != cur.off || old.map != cur.map || old.frame != cur.frame {
                return false;
            }
            if !cur.var.is_subset(&old.var) {
                return false;
            }
            match ko {
                // At or beyond the end (negative) decides branches: the same claim only.
                PtrKind::Packet | PtrKind::PacketMeta if (old.range < 0 || cur.range < 0) && old.range != cur.range => return false,
                PtrKind::Packet | PtrKind::PacketMeta if cur.range < old.range => return false,
                PtrKind::Mem if cur.range != old.range => return false,
                _ => {}
            }
            if (old.id == 0) != (cur.id == 0) || (old.id != 0 && !ids.check(old.id, cur.id)) {
                return false;
            }
            if (old.ref_obj_id == 0) != (cur.ref_obj_id == 0)
                || (old.ref_obj_id != 0 && !ids.check(old.ref_obj_id, cur.ref_obj_id))
            {
                return false;
            }
            true
        }
        _ => false,
    }
}

fn slot_subsumes(old: &Slot, cur: &Slot, privileged: bool, ids: &mut IdMap) -> bool {
    if old.is_spill() {
        return cur.is_spill()
            && cur.spill_size() == old.spill_size()
            && old.bytes[old.spill_size()..].iter().zip(&cur.bytes[cur.spill_size()..]).all(|(o, c)| byte_ok(*o, *c, false, privileged))
            && reg_subsumes(&old.spill, &cur.spill, ids);
    }
    let cur_scalar = !cur.is_spill() || cur.spill.is_scalar();
    old.bytes.iter().zip(&cur.bytes).all(|(o, c)| byte_ok(*o, *c, cur_scalar, privileged))
}

fn byte_ok(old: Byte, cur: Byte, cur_spill_scalar: bool, privileged: bool) -> bool {
    match old {
        Byte::Invalid => true,
        Byte::Misc => match cur {
            Byte::Misc | Byte::Zero => true,
            Byte::Spill => cur_spill_scalar,
            Byte::Invalid => privileged,
            Byte::Iter => false,
        },
        Byte::Zero => cur == Byte::Zero,
        Byte::Spill => cur == Byte::Spill,
        // Iterator bytes are only ever touched by the iterator kfuncs: both states must
        // hold one there (a state with other bytes could overwrite it and never end).
        Byte::Iter => cur == Byte::Iter,
    }
}

fn frame_subsumes(old: &Frame, cur: &Frame, live: Option<u16>, privileged: bool, ids: &mut IdMap) -> bool {
    if old.callsite != cur.callsite || old.kind != cur.kind || old.subprog != cur.subprog {
        return false;
    }
    for r in 0..11 {
        if let Some(mask) = live
            && mask & (1 << r) == 0
        {
            continue;
        }
        if !reg_subsumes(&old.regs[r], &cur.regs[r], ids) {
            return false;
        }
    }
    for (i, o) in old.stack.iter().enumerate() {
        let c = cur.stack.get(i).unwrap_or(&Slot::EMPTY);
        if !slot_subsumes(o, c, privileged, ids) {
            return false;
        }
    }
    true
}

/// `states_equal(old, cur)`: whether `cur` is subsumed by the verified `old`. `live` masks
/// the innermost frame's registers that may still be read.
pub fn subsumes(old: &State, cur: &State, live: Option<u16>, privileged: bool) -> bool {
    if old.frames.len() != cur.frames.len() || old.refs.len() != cur.refs.len() {
        return false;
    }
    let mut ids = IdMap::default();
    let n = old.frames.len();
    for (i, (o, c)) in old.frames.iter().zip(&cur.frames).enumerate() {
        let mask = if i + 1 == n { live } else { None };
        if !frame_subsumes(o, c, mask, privileged, &mut ids) {
            return false;
        }
    }
    old.refs.iter().zip(&cur.refs).all(|(o, c)| ids.check(o.0, c.0))
}

/// What [`widen`] leaves as the current iteration has it.
#[derive(Clone, Copy, Debug)]
pub enum Spare<'a> {
    /// Nothing: every bound that moved is widened, a pointer whose offset moved is dropped.
    Nothing,
    /// The scalars these marks name (found precise in the previous iteration) and every
    /// pointer, as the kernel does.
    Kernel(&'a Precise),
}

impl Spare<'_> {
    fn reg(&self, fr: usize, r: usize) -> (bool, bool) {
        match self {
            Spare::Nothing => (false, false),
            Spare::Kernel(p) => (p.reg(fr, r), true),
        }
    }
    fn slot(&self, fr: usize, s: usize) -> (bool, bool) {
        match self {
            Spare::Nothing => (false, false),
            Spare::Kernel(p) => (p.slot(fr, s), true),
        }
    }
}

/// `(precise, ptrs)`: the scalar is spared, pointers are spared.
fn widen_reg(old: &Reg, cur: &Reg, (precise, ptrs): (bool, bool)) -> Reg {
    if old == cur {
        return *cur;
    }
    match (old.ty, cur.ty) {
        (RegType::Scalar, RegType::Scalar) if precise => *cur,
        (RegType::Scalar, RegType::Scalar) => Reg::scalar(old.var.widen(&cur.var)),
        (RegType::Ptr(a), RegType::Ptr(b))
            if a == b
                && old.flags == cur.flags
                && old.off == cur.off
                && old.map == cur.map
                && old.frame == cur.frame
                && old.id == cur.id
                && old.ref_obj_id == cur.ref_obj_id
                && (a != PtrKind::Mem || old.range == cur.range) =>
        {
            let range = if (old.range < 0 || cur.range < 0) && old.range != cur.range { 0 } else { old.range.min(cur.range) };
            Reg { var: old.var.widen(&cur.var), range, ..*cur }
        }
        // A pointer stays as it is (another offset is another state to explore).
        (_, RegType::Ptr(_)) if ptrs => *cur,
        _ => Reg::NOT_INIT,
    }
}

fn widen_slot(old: &Slot, cur: &Slot, keep: (bool, bool)) -> Slot {
    if old == cur || old.iter_gen().is_some() && cur.iter_gen().is_some() {
        return *cur;
    }
    if old.is_spill() && cur.is_spill() && old.spill_size() == cur.spill_size() {
        let r = widen_reg(&old.spill, &cur.spill, keep);
        if r.ty != RegType::NotInit {
            let mut s = *cur;
            s.spill = r;
            for k in cur.spill_size()..8 {
                s.bytes[k] = widen_byte(old.bytes[k], cur.bytes[k]);
            }
            return s;
        }
    }
    let plain = |s: &Slot| {
        let mut t = *s;
        if t.is_spill() {
            let fill = if t.spill.is_scalar() { Byte::Misc } else { Byte::Invalid };
            for b in t.bytes.iter_mut() {
                if *b == Byte::Spill {
                    *b = fill;
                }
            }
            t.spill = Reg::NOT_INIT;
        }
        t
    };
    if keep.1 && cur.is_spill() && cur.spill.is_ptr() {
        return *cur;
    }
    let (o, c) = (plain(old), plain(cur));
    let mut out = Slot::EMPTY;
    for k in 0..8 {
        out.bytes[k] = widen_byte(o.bytes[k], c.bytes[k]);
    }
    out
}

fn widen_byte(a: Byte, b: Byte) -> Byte {
    match (a, b) {
        _ if a == b => a,
        (Byte::Invalid | Byte::Iter, _) | (_, Byte::Invalid | Byte::Iter) => Byte::Invalid,
        _ => Byte::Misc,
    }
}

/// A state containing both `old` and `cur` whose unstable bounds jump to their limits
/// ([`Scalar::widen`]), but for what `spare` names, which keeps `cur`'s values; `None` when
/// the two cannot be merged (other frames or references).
pub fn widen(old: &State, cur: &State, spare: Spare<'_>) -> Option<State> {
    if old.frames.len() != cur.frames.len() || old.refs != cur.refs {
        return None;
    }
    let mut out = cur.clone();
    for (fr, (fo, (o, c))) in out.frames.iter_mut().zip(old.frames.iter().zip(&cur.frames)).enumerate() {
        if o.callsite != c.callsite || o.kind != c.kind || o.subprog != c.subprog {
            return None;
        }
        for r in 0..11 {
            fo.regs[r] = widen_reg(&o.regs[r], &c.regs[r], spare.reg(fr, r));
        }
        let n = o.stack.len().max(c.stack.len());
        fo.stack = (0..n)
            .map(|i| {
                widen_slot(o.stack.get(i).unwrap_or(&Slot::EMPTY), c.stack.get(i).unwrap_or(&Slot::EMPTY), spare.slot(fr, i))
            })
            .collect();
    }
    Some(out)
}
