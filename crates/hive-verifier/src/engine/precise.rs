//! Precision marks (`mark_chain_precision`, `backtrack_insn`): which scalars of the states on
//! the current path the kernel would mark "precise", because an instruction further down the
//! path depended on their exact values: a branch decided by them, a pointer moved by them, a
//! helper's memory size.
//!
//! A request names registers at the current instruction. The path's instructions are walked
//! backwards from there ([`Segment`]s: the instructions between two checkpoints, kept as the
//! kernel keeps its jump history: the first instruction, every non-sequential step and every
//! spill or fill of the stack), moving the request from a register to the registers and stack
//! slots it was computed from, and every checkpoint passed on the way gets the marks of what
//! is still requested at its instruction. A register set from a constant, loaded from memory
//! other than a spill, or returned by a helper ends the walk for that register.
//!
//! Hive uses the marks where the kernel's `widen_imprecise_scalars` does: at the head of a
//! loop the runtime bounds (`may_goto`, iterators, callbacks) a scalar marked precise in the
//! previous iteration's state is not widened, so a loop counter that decides the exit keeps
//! its exact value and the loop is explored iteration by iteration, as the kernel does.
//! Pruning does not use them (Hive compares every scalar), so a missing or an extra mark costs
//! exploration, never soundness: where the walk meets what it does not model (callbacks,
//! legacy packet loads) it simply stops. Marks are only tracked in the exploration that
//! widens as the kernel does ([`Verifier::precision`]).

use std::rc::Rc;

use hive_isa::{AtomicOp, CallTarget, Code, Insn, Source};

use super::Verifier;
use crate::state::{MAX_CALL_FRAMES, Precise, State};

/// Instructions one request walks back at most. Every loop head holds a checkpoint, where a
/// walk stops once it meets marks it already left, so walks are short; only an exploration
/// that has stopped storing states at an instruction (`MAX_PENDING_PER_INSN`, a loop of
/// many iterations) makes long segments. There requests are not traced at all once the
/// current segment is this long: the checkpoints before it got their marks while it was
/// shorter, and a missing mark only costs exploration.
const WALK_BUDGET: usize = 1 << 12;

/// One entry of a path's history (`struct bpf_jmp_history_entry`): instruction `idx` was
/// reached from `prev` (which is not `idx - 1`), or accessed the stack slot `stack`
/// `(frame, slot)` as a spill or a fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hist {
    pub idx: u32,
    pub prev: u32,
    pub stack: Option<(u8, u8)>,
}

/// A history, newest entry first; paths that branched from one another share their past.
#[derive(Debug)]
pub(crate) struct HistNode {
    entry: Hist,
    older: Option<Rc<HistNode>>,
}

impl Drop for HistNode {
    /// Unlinks a long history iteratively (a recursive drop could exhaust the stack).
    fn drop(&mut self) {
        let mut next = self.older.take();
        while let Some(n) = next {
            match Rc::try_unwrap(n) {
                Ok(mut n) => next = n.older.take(),
                Err(_) => break,
            }
        }
    }
}

/// The instructions of a path from a checkpoint (`first`, where it starts) on: `len` of them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Segment {
    pub first: usize,
    pub hist: Option<Rc<HistNode>>,
    pub len: usize,
}

impl Segment {
    /// A segment starting at `first`.
    pub fn at(first: usize) -> Segment {
        Segment { first, hist: None, len: 0 }
    }

    fn push(&mut self, entry: Hist) {
        let older = self.hist.take();
        self.hist = Some(Rc::new(HistNode { entry, older }));
    }

    /// Drops the newest entry.
    pub fn pop(&mut self) {
        if let Some(n) = self.hist.take() {
            self.hist = n.older.clone();
        }
    }
}

/// What is still to be traced (`struct backtrack_state`): registers and stack slots per
/// frame, `frame` the innermost one at the instruction being walked.
#[derive(Clone, Copy, Debug, Default)]
struct Bt {
    frame: usize,
    regs: [u16; MAX_CALL_FRAMES],
    slots: [u64; MAX_CALL_FRAMES],
}

impl Bt {
    fn is_empty(&self) -> bool {
        self.regs.iter().all(|&r| r == 0) && self.slots.iter().all(|&s| s == 0)
    }
    fn has(&self, r: usize) -> bool {
        self.regs[self.frame] & (1 << r) != 0
    }
    fn set(&mut self, r: usize) {
        if r < 10 {
            self.regs[self.frame] |= 1 << r;
        }
    }
    fn clear(&mut self, r: usize) {
        self.regs[self.frame] &= !(1 << r);
    }
}

/// `backtrack_insn`: moves the request across instruction `i` (walking backwards), `subseq`
/// the instruction the path went to after it. `false` when the walk cannot go on.
fn backtrack_insn(code: &Code, i: usize, h: Option<&Hist>, subseq: Option<usize>, bt: &mut Bt) -> bool {
    const ARGS: u16 = 0b11_1110;
    let Some(insn) = code.get(i) else { return false };
    match *insn {
        Insn::Alu { op, dst, src, .. } => {
            let d = dst.idx();
            if !bt.has(d) {
                return true;
            }
            let is_mov = matches!(op, hive_isa::AluOp::Mov | hive_isa::AluOp::MovSx8 | hive_isa::AluOp::MovSx16 | hive_isa::AluOp::MovSx32);
            match src {
                Source::Reg(s) => {
                    // `d = s`: the request moves to `s`; `d op= s`: both are needed.
                    if is_mov {
                        bt.clear(d);
                    }
                    bt.set(s.idx());
                }
                // `d = K` is where the value came from; `d op= K` still needs `d`.
                Source::Imm(_) if is_mov => bt.clear(d),
                Source::Imm(_) => {}
            }
        }
        Insn::Neg { .. } | Insn::Endian { .. } | Insn::Ja { .. } | Insn::MayGoto { .. } => {}
        Insn::LdImm64 { dst, .. } => bt.clear(dst.idx()),
        Insn::Load { dst, .. } => {
            let d = dst.idx();
            if !bt.has(d) {
                return true;
            }
            bt.clear(d);
            // A fill restores what was spilled: the slot is needed. Other memory is the end.
            if let Some((fr, slot)) = h.and_then(|h| h.stack) {
                bt.slots[fr as usize] |= 1 << slot;
            }
        }
        Insn::Store { src, .. } => {
            if let Some((fr, slot)) = h.and_then(|h| h.stack) {
                let bit = 1u64 << slot;
                if bt.slots[fr as usize] & bit != 0 {
                    bt.slots[fr as usize] &= !bit;
                    if let Source::Reg(s) = src {
                        bt.set(s.idx());
                    }
                }
            }
        }
        Insn::Atomic { op, dst, src, .. } => {
            // Values an atomic loads into a register come from memory.
            match op {
                AtomicOp::LoadAcquire => bt.clear(dst.idx()),
                AtomicOp::Cmpxchg => bt.clear(0),
                AtomicOp::Xchg
                | AtomicOp::Add { fetch: true }
                | AtomicOp::Or { fetch: true }
                | AtomicOp::And { fetch: true }
                | AtomicOp::Xor { fetch: true } => bt.clear(src.idx()),
                _ => {}
            }
        }
        // `ld_abs`/`ld_ind` (the kernel gives up too).
        Insn::LoadPacket { .. } => return !bt.has(0),
        Insn::Jump { dst, src, .. } => {
            // `d cond s`: what decided about one holds only with the other exact too.
            if let Source::Reg(s) = src
                && (bt.has(dst.idx()) || bt.has(s.idx()))
            {
                bt.set(dst.idx());
                bt.set(s.idx());
            }
        }
        Insn::Call(CallTarget::Local(imm)) => {
            let callee = (i as i64 + 1 + imm as i64) as usize;
            if subseq != Some(callee) || bt.frame == 0 {
                return false;
            }
            // Back at the call from the callee's first instruction: only its arguments can
            // still be requested, and they are the caller's r1-r5.
            let f = bt.frame;
            if bt.regs[f] & !ARGS != 0 || bt.slots[f] != 0 {
                return false;
            }
            let args = bt.regs[f];
            bt.regs[f] = 0;
            bt.frame -= 1;
            bt.regs[f - 1] |= args;
        }
        Insn::Call(_) => {
            if subseq != Some(i + 1) {
                // Into a callback (or back at the call from its exit): not modelled.
                return false;
            }
            // A helper or kfunc sets r0 and clobbers r1-r5.
            bt.regs[bt.frame] &= !(ARGS | 1);
        }
        Insn::CallX { .. } => return false,
        Insn::Exit => {
            // Back into a callee from the instruction after its call.
            let from_call = subseq
                .and_then(|s| s.checked_sub(1))
                .is_some_and(|c| matches!(code.get(c), Some(Insn::Call(CallTarget::Local(_)))));
            if !from_call || bt.frame + 1 >= MAX_CALL_FRAMES || bt.regs[bt.frame] & ARGS != 0 {
                return false;
            }
            let r0 = bt.has(0);
            bt.clear(0);
            bt.frame += 1;
            bt.regs[bt.frame] = r0 as u16;
            bt.slots[bt.frame] = 0;
        }
    }
    true
}

/// Walks segment `seg` backwards from instruction `last` to its first (skipping `last` itself
/// when `skip_first`: an instruction not executed yet). `true` when the start was reached
/// with something still requested; `subseq` is then that first instruction.
fn walk(
    code: &Code,
    seg: &Segment,
    last: usize,
    mut skip_first: bool,
    subseq: &mut Option<usize>,
    bt: &mut Bt,
    budget: &mut usize,
) -> bool {
    let mut i = last;
    let mut rest = seg.hist.as_deref();
    loop {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let h = rest.filter(|n| n.entry.idx as usize == i).map(|n| n.entry);
        if skip_first {
            skip_first = false;
        } else if !backtrack_insn(code, i, h.as_ref(), *subseq, bt) || bt.is_empty() {
            return false;
        }
        *subseq = Some(i);
        if i == seg.first && rest.is_none_or(|n| h.is_some() && n.older.is_none()) {
            return true;
        }
        match h {
            Some(h) => {
                rest = rest.and_then(|n| n.older.as_deref());
                i = h.prev as usize;
            }
            None if i > 0 => i -= 1,
            None => return false,
        }
    }
}

/// Marks what is requested in the checkpoint `state` (`marks`); what is already marked there
/// (its origins were marked then) or is no scalar leaves the request.
fn mark(state: &State, marks: &mut Precise, bt: &mut Bt) {
    for fr in 0..MAX_CALL_FRAMES {
        let Some(frame) = state.frames.get(fr).filter(|_| fr <= bt.frame) else {
            bt.regs[fr] = 0;
            bt.slots[fr] = 0;
            continue;
        };
        for r in 0..10 {
            if bt.regs[fr] & (1 << r) == 0 {
                continue;
            }
            if !frame.regs[r].is_scalar() || marks.reg(fr, r) {
                bt.regs[fr] &= !(1 << r);
            } else {
                marks.set_reg(fr, r);
            }
        }
        for s in 0..64 {
            if bt.slots[fr] & (1 << s) == 0 {
                continue;
            }
            let spilled_scalar = frame.stack.get(s).is_some_and(|sl| sl.is_spill() && sl.spill.is_scalar());
            if !spilled_scalar || marks.slot(fr, s) {
                bt.slots[fr] &= !(1 << s);
            } else {
                marks.set_slot(fr, s);
            }
        }
    }
}

impl Verifier<'_> {
    /// Records the step to `pc` from `prev` in the path's history.
    pub(super) fn hist_enter(&mut self, pc: usize, prev: Option<usize>) {
        self.hist_entered = false;
        if !self.precision {
            return;
        }
        if let Some(p) = prev
            && pc != p + 1
        {
            self.seg.push(Hist { idx: pc as u32, prev: p as u32, stack: None });
            self.hist_entered = true;
        }
    }

    /// Records that the current instruction spilled to or filled from stack slot `slot` of
    /// frame `frame`.
    pub(crate) fn hist_stack(&mut self, frame: usize, slot: usize) {
        if !self.precision || frame >= MAX_CALL_FRAMES || slot >= 64 {
            return;
        }
        let stack = Some((frame as u8, slot as u8));
        let pc = self.pc as u32;
        // The step into this instruction, if recorded, is the newest entry: it takes the access.
        let mut entry = Hist { idx: pc, prev: self.prev_pc.map_or(pc.wrapping_sub(1), |p| p as u32), stack };
        if let Some(n) = self.seg.hist.as_deref()
            && n.entry.idx == pc
        {
            entry.prev = n.entry.prev;
            self.seg.pop();
        }
        self.seg.push(entry);
    }

    /// `mark_chain_precision`: registers `regs` of the innermost frame at the current
    /// instruction need their exact values.
    pub(crate) fn mark_precise(&mut self, st: &State, regs: u16) {
        let mut bt = Bt { frame: st.frames.len() - 1, ..Bt::default() };
        bt.regs[bt.frame] = regs & 0x3ff;
        self.backtrack(bt);
    }

    /// `propagate_precision`: the current path was pruned by checkpoint `old`, so what is
    /// precise there is needed here too.
    pub(super) fn propagate_precision(&mut self, old: usize, st: &State) {
        let marks = &self.cps[old].marks;
        let mut bt = Bt { frame: st.frames.len() - 1, ..Bt::default() };
        for fr in 0..st.frames.len().min(MAX_CALL_FRAMES) {
            let (regs, slots) = marks.frame(fr);
            bt.regs[fr] = regs;
            bt.slots[fr] = slots;
        }
        self.backtrack(bt);
    }

    fn backtrack(&mut self, mut bt: Bt) {
        if !self.precision || !self.privileged() || bt.is_empty() || bt.frame >= MAX_CALL_FRAMES || self.seg.len > WALK_BUDGET {
            return;
        }
        let mut subseq = None;
        let mut budget = WALK_BUDGET;
        if !walk(self.code, &self.seg, self.pc, true, &mut subseq, &mut bt, &mut budget) {
            return;
        }
        let mut p = self.cur_parent;
        while let Some(i) = p {
            let cp = &mut self.cps[i];
            if cp.dropped || cp.state.frames.len() != bt.frame + 1 {
                return;
            }
            mark(&cp.state, &mut cp.marks, &mut bt);
            if bt.is_empty() {
                return;
            }
            let cp = &self.cps[i];
            let Some(last) = cp.last else { return };
            subseq = Some(cp.pc);
            if !walk(self.code, &cp.seg, last, false, &mut subseq, &mut bt, &mut budget) {
                return;
            }
            p = cp.parent;
        }
    }
}
