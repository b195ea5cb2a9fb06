//! Conditional jumps: deciding the branch (`is_branch_taken`), narrowing both edges
//! (`reg_set_min_max`, with every linked copy of a scalar), NULL checks of maybe-NULL
//! pointers (`mark_ptr_or_null_regs`) and packet bounds learnt from comparisons with
//! `data_end` (`try_match_pkt_pointers`, `find_good_pkt_pointers`).

use hive_isa::{Cond, Source, Width};

use super::{Next, Res, Verifier, fail};
use crate::scalar::{BranchOutcome, Scalar};
use crate::state::{PtrKind, Reg, State, flag};
use crate::verdict::RejectKind;

/// Most bytes a packet may have (`MAX_PACKET_OFF`).
const MAX_PACKET_OFF: u64 = 0xffff;

/// Sets register `r` to `v` and every scalar linked to it by id (`sync_linked_regs`): a copy
/// at another delta (`off`, see `alu`) gets `v` moved by the difference of the deltas.
fn set_scalar(st: &mut State, r: usize, v: Scalar) {
    let (id, off) = (st.reg(r).id, st.reg(r).off);
    st.reg_mut(r).var = v;
    if id != 0 {
        st.for_each_reg(|x| {
            if x.is_scalar() && x.id == id {
                x.var = if x.off == off {
                    v
                } else {
                    let delta = x.off as i64 - off as i64;
                    v.alu(hive_isa::AluOp::Add, Width::W64, Scalar::constant(delta as u64))
                };
            }
        });
    }
}

/// `reg_not_null`: pointer kinds that are never NULL.
fn never_null(r: &Reg) -> bool {
    !r.maybe_null()
        && matches!(
            r.kind(),
            Some(PtrKind::Sock | PtrKind::TcpSock | PtrKind::MapValue | PtrKind::MapKey | PtrKind::SockCommon | PtrKind::Mem)
        )
}

/// `mark_ptr_or_null_regs`: the copies of a maybe-NULL pointer become NULL or not.
fn mark_null(st: &mut State, id: u32, is_null: bool) {
    if id == 0 {
        return;
    }
    let mut released = 0;
    st.for_each_reg(|x| {
        if x.is_ptr() && x.maybe_null() && x.id == id {
            if is_null {
                if x.ref_obj_id != 0 {
                    released = x.ref_obj_id;
                }
                *x = Reg::constant(0);
            } else {
                x.flags &= !flag::MAYBE_NULL;
            }
        }
    });
    if is_null {
        if released != 0 {
            st.refs.retain(|r| r.0 != released);
        } else {
            st.refs.retain(|r| r.0 != id);
        }
    }
}

/// A packet pointer's `range` on an edge where it is known to be past the end of the packet
/// (`ptr > pkt_end`): the kernel's `BEYOND_PKT_END`. Negative ranges allow no access.
pub(crate) const BEYOND_PKT_END: i64 = -1;
/// ... or at least at the end (`ptr >= pkt_end`): `AT_PKT_END`.
pub(crate) const AT_PKT_END: i64 = -2;

/// `is_pkt_ptr_branch_taken`: a comparison of a packet pointer known to be at or beyond the
/// end with the end is decided.
fn pkt_end_outcome(width: Width, cond: Cond, d: &Reg, s: &Reg) -> BranchOutcome {
    if width != Width::W64 {
        return BranchOutcome::Unknown;
    }
    let (pkt, cond) = if s.kind() == Some(PtrKind::PacketEnd) && d.kind() == Some(PtrKind::Packet) {
        (d, cond)
    } else if d.kind() == Some(PtrKind::PacketEnd) && s.kind() == Some(PtrKind::Packet) {
        // `end OP pkt` is `pkt OP' end`.
        let swapped = match cond {
            Cond::Gt => Cond::Lt,
            Cond::Lt => Cond::Gt,
            Cond::Ge => Cond::Le,
            Cond::Le => Cond::Ge,
            c => c,
        };
        (s, swapped)
    } else {
        return BranchOutcome::Unknown;
    };
    let beyond = pkt.range == BEYOND_PKT_END;
    let at_least_at = beyond || pkt.range == AT_PKT_END;
    match cond {
        Cond::Gt if beyond => BranchOutcome::Always,
        Cond::Le if beyond => BranchOutcome::Never,
        Cond::Ge if at_least_at => BranchOutcome::Always,
        Cond::Lt if at_least_at => BranchOutcome::Never,
        _ => BranchOutcome::Unknown,
    }
}

/// `find_good_pkt_pointers`: `reg` (and its copies) has at least `reg.off` bytes (one more
/// when the comparison was strict) before the end.
fn good_pkt(st: &mut State, reg: &Reg, strict: bool) {
    if reg.off < 0 || (reg.off == 0 && strict) {
        return;
    }
    if reg.var.umax() > MAX_PACKET_OFF || reg.var.umax() + reg.off as u64 > MAX_PACKET_OFF {
        return;
    }
    let range = reg.off as i64 + strict as i64;
    let (kind, id) = (reg.kind(), reg.id);
    st.for_each_reg(|x| {
        if x.kind() == kind && x.id == id {
            x.range = x.range.max(range);
        }
    });
}

impl Verifier<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn cond_jump(
        &mut self,
        pc: usize,
        st: &mut State,
        parent: Option<usize>,
        width: Width,
        cond: Cond,
        dst: usize,
        src: Source,
        off: i16,
    ) -> Res<Next> {
        let d = self.read(pc, st, dst)?;
        let priv_ = self.privileged();
        let (s, src_reg) = match src {
            Source::Reg(r) => {
                let v = self.read(pc, st, r.idx())?;
                if v.is_ptr() && !priv_ {
                    return Err(fail(pc, RejectKind::PointerLeak, format!("R{} pointer comparison prohibited", r.idx())));
                }
                (v, Some(r.idx()))
            }
            Source::Imm(i) => (Reg::constant(i as i64 as u64), None),
        };
        let target = (pc as i64 + 1 + off as i64) as usize;
        let fall = pc + 1;
        // Decide the branch.
        let outcome = if let (Some(a), Some(b)) = (d.as_const(), s.as_const()) {
            if cond.holds(a, b, width) { BranchOutcome::Always } else { BranchOutcome::Never }
        } else if d.is_scalar() && s.is_scalar() {
            Scalar::branch_outcome(cond, width, d.var, s.var)
        } else if width == Width::W64
            && matches!(cond, Cond::Eq | Cond::Ne)
            && ((s.is_null() && never_null(&d)) || (d.is_null() && never_null(&s)))
        {
            if cond == Cond::Eq { BranchOutcome::Never } else { BranchOutcome::Always }
        } else {
            pkt_end_outcome(width, cond, &d, &s)
        };
        let decided = match outcome {
            BranchOutcome::Always => Some((target, fall)),
            BranchOutcome::Never => Some((fall, target)),
            BranchOutcome::Unknown => None,
        };
        if let Some((go, other)) = decided {
            // The outcome holds for these exact values (`mark_chain_precision` of both).
            let mut regs = 0u16;
            if d.is_scalar() {
                regs |= 1 << dst;
            }
            if let Some(sr) = src_reg
                && s.is_scalar()
            {
                regs |= 1 << sr;
            }
            if regs != 0 {
                self.mark_precise(st, regs);
            }
            if !priv_ {
                // Unprivileged: the other edge runs under speculation (`sanitize_speculative_path`)
                // with the compared registers unknown, and must be safe too.
                let mut spec = st.clone();
                *spec.reg_mut(dst) = Reg::unknown();
                if let Some(sr) = src_reg {
                    *spec.reg_mut(sr) = Reg::unknown();
                }
                self.push(other, pc, spec, parent);
            }
            return Ok(Next::Goto(go));
        }
        let mut taken = st.clone();
        if d.is_scalar() && s.is_scalar() {
            let e = Scalar::refine(cond, width, d.var, s.var);
            for (state, (a, b)) in [(&mut taken, e.taken), (&mut *st, e.not_taken)] {
                match src_reg {
                    Some(sr) if sr == dst || (d.id != 0 && d.id == s.id && d.off == s.off) => set_scalar(state, dst, a.meet(&b)),
                    Some(sr) => {
                        set_scalar(state, dst, a);
                        set_scalar(state, sr, b);
                    }
                    None => set_scalar(state, dst, a),
                }
            }
        } else if width == Width::W64
            && matches!(cond, Cond::Eq | Cond::Ne)
            && src_reg.is_none()
            && s.is_null()
            && d.maybe_null()
        {
            mark_null(&mut taken, d.id, cond == Cond::Eq);
            mark_null(st, d.id, cond == Cond::Ne);
        } else if !self.pkt_compare(width, cond, (dst, &d), (src_reg, &s), &mut taken, st) && d.is_ptr() && !priv_ {
            return Err(fail(pc, RejectKind::PointerLeak, format!("R{dst} pointer comparison prohibited")));
        }
        self.push(target, pc, taken, parent);
        Ok(Next::Goto(fall))
    }

    /// `try_match_pkt_pointers`: a packet pointer compared with the end (or `data_meta` with
    /// `data`) bounds the packet on one edge; on the other (`mark_pkt_end`) the pointer
    /// register is at or beyond the end.
    fn pkt_compare(
        &self,
        width: Width,
        cond: Cond,
        (dst, d): (usize, &Reg),
        (src, s): (Option<usize>, &Reg),
        taken: &mut State,
        fall: &mut State,
    ) -> bool {
        if width != Width::W64 {
            return false;
        }
        let is_end_of = |p: &Reg, e: &Reg| {
            (p.kind() == Some(PtrKind::Packet) && e.kind() == Some(PtrKind::PacketEnd))
                || (p.kind() == Some(PtrKind::PacketMeta)
                    && e.kind() == Some(PtrKind::Packet)
                    && e.off == 0
                    && e.var.as_const() == Some(0)
                    && e.range == 0)
        };
        // (pointer, its register, edge where pointer <= end holds, strict)
        let (p, regno, on_taken, strict) = if is_end_of(d, s) {
            match cond {
                Cond::Gt => (d, Some(dst), false, false),
                Cond::Lt => (d, Some(dst), true, true),
                Cond::Ge => (d, Some(dst), false, true),
                Cond::Le => (d, Some(dst), true, false),
                _ => return false,
            }
        } else if is_end_of(s, d) {
            match cond {
                Cond::Gt => (s, src, true, true),
                Cond::Lt => (s, src, false, false),
                Cond::Ge => (s, src, true, false),
                Cond::Le => (s, src, false, true),
                _ => return false,
            }
        } else {
            return false;
        };
        let (good, other) = if on_taken { (taken, fall) } else { (fall, taken) };
        good_pkt(good, p, strict);
        // Not `pointer <= end` is `pointer > end`; not `pointer < end` is `pointer >= end`.
        if let Some(r) = regno {
            other.reg_mut(r).range = if strict { AT_PKT_END } else { BEYOND_PKT_END };
        }
        true
    }
}
