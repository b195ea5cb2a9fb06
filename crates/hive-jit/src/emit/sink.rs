//! Moves in front of a conditional jump, placed on the edges that need them.
//!
//! clang often assigns right before a test what only one way out uses: the result a loop
//! returns when it exits early (`r0 = r2; if r4 != r3 goto out`), the value returned when
//! the loop ends (`r0 = 0; if r2 != 0 goto head`), a copy made only to be compared
//! (`r4 = r2; if r4 != r3 goto ...`). In a loop, each such move costs an instruction per
//! iteration. Given which of its registers each way out reads ([`crate::liveness`]), a move
//! is emitted:
//! - before the jump if the jump reads its register or both ways might;
//! - nowhere if neither way reads it;
//! - after the jump (on the fall-through only) if only the fall-through reads it;
//! - on the taken edge only, in an out-of-line stub that then jumps to the target, if only
//!   the target reads it and the jump leaves a loop (taken once, so the extra `jmp` is paid
//!   once);
//! - not at all when it is a copy `rT = rS` the jump compares and neither way reads `rT`:
//!   the jump compares `rS`.

use dynasmrt::{DynamicLabel, DynasmApi};
use hive_isa::{AluOp, Insn, Reg, Source, Width};

use crate::compiler::{Compiler, asm};
use crate::emit::jump;
use crate::liveness::dead_from;

/// Most moves in front of one jump.
const MAX_MOVES: usize = 4;
/// Most instructions between a loop-leaving jump and the loop's back edge.
const MAX_LOOP_SCAN: usize = 64;

/// Where a move goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Before,
    Nowhere,
    FallThrough,
    Taken,
    /// Replaced in the jump by its source.
    Substituted,
}

/// A stub of the taken edge: its label, the slots of its moves, the jump's target.
pub(crate) type EdgeStub = (DynamicLabel, Vec<usize>, DynamicLabel);

/// `rA = x; ...; if ... goto`: the moves (at most [`MAX_MOVES`], independent of each other,
/// nothing jumping between them) and the jump, with each move where it is needed. Returns the
/// number of slots emitted, 0 if no move would go anywhere but before the jump.
pub(crate) fn moves_at_jump(c: &mut Compiler<'_>, pc: usize, end: usize) -> usize {
    let mut run = [(Reg::R0, Source::Imm(0), Width::W64); MAX_MOVES];
    let (mut n, mut at) = (0, pc);
    while let Some(&Insn::Alu { op: AluOp::Mov, width, dst, src }) = c.code.get(at) {
        if n == MAX_MOVES || (at != pc && c.targets[at]) {
            return 0;
        }
        run[n] = (dst, src, width);
        (n, at) = (n + 1, at + 1);
    }
    let moves = &run[..n];
    let j = at;
    let Some(&Insn::Jump { width, cond, dst, src, off }) = c.code.get(j) else { return 0 };
    // The jump stays alone where it has a better translation of its own: a table lookup, or
    // one inverted jump over a `goto`.
    let over_goto = off == 1 && matches!(c.code.get(j + 1), Some(Insn::Ja { .. }));
    if moves.is_empty() || j >= end || c.targets[j] || over_goto || c.switch_root(j) {
        return 0;
    }
    // Independent moves: none reads or writes what another writes, so any order is theirs.
    let writes = |r: Reg| moves.iter().filter(|m| m.0 == r).count();
    if moves.iter().any(|m| writes(m.0) > 1 || matches!(m.1, Source::Reg(s) if writes(s) > 0)) {
        return 0;
    }
    let (fall, taken) = (j + 1, (j as i64 + 1 + off as i64) as usize);
    let reads_jump = |r: Reg| dst == r || src == Source::Reg(r);
    let mut places = [Place::Before; MAX_MOVES];
    let (mut jdst, mut jsrc) = (dst, src);
    for (k, &(r, x, w)) in moves.iter().enumerate() {
        let (live_f, live_t) = (!dead_from(c.code, fall, r, end), !dead_from(c.code, taken, r, end));
        let place = if reads_jump(r) {
            match x {
                // The jump compares the copy's source instead (in its width: a 32-bit copy
                // holds the source's low half, all a 32-bit comparison reads).
                Source::Reg(s) if !live_f && !live_t && (w == Width::W64 || width == Width::W32) => {
                    if jdst == r {
                        jdst = s;
                    }
                    if jsrc == Source::Reg(r) {
                        jsrc = Source::Reg(s);
                    }
                    Place::Substituted
                }
                _ => Place::Before,
            }
        } else {
            match (live_f, live_t) {
                (true, true) => Place::Before,
                (false, false) => Place::Nowhere,
                (true, false) => Place::FallThrough,
                (false, true) if leaves_loop(c, j, taken) => Place::Taken,
                (false, true) => Place::Before,
            }
        };
        places[k] = place;
    }
    let places = &places[..n];
    if places.iter().all(|&p| p == Place::Before) {
        return 0;
    }
    // The known bits at the jump (every move applied) settle it: the plain path does better.
    let mut facts = c.facts;
    for q in pc..j {
        if let Some(insn) = c.code.get(q) {
            facts.step(q, insn);
        }
    }
    if facts.decide(width, cond, jdst, jsrc).is_some() {
        return 0;
    }
    let start = c.ops.offset().0 as u32;
    let emit_at = |c: &mut Compiler<'_>, place: Place| {
        for (k, &p) in places.iter().enumerate() {
            if p == place {
                emit_move(c, pc + k);
            }
        }
    };
    emit_at(c, Place::Before);
    for q in pc + 1..=j {
        c.note_offset(q, start);
    }
    c.prev_flags = None;
    let taken_moves: Vec<usize> = (0..moves.len()).filter(|&k| places[k] == Place::Taken).map(|k| pc + k).collect();
    let after = places.contains(&Place::FallThrough);
    if taken_moves.is_empty() && (off < 0 || !after) {
        jump::cond(c, j, width, cond, jdst, jsrc, off);
    } else {
        jump::compare(c, width, cond, jdst, jsrc);
        let target = c.target(j, off as i64);
        if taken_moves.is_empty() {
            // The moves emitted after the jump are not in the size bounds of the slots
            // between it and the target: the 32-bit form.
            jump::jump_to_label(c, cond, target);
        } else {
            let stub = c.ops.new_dynamic_label();
            jump::jump_to_label(c, cond, stub);
            c.edge_stubs.push((stub, taken_moves, target));
        }
    }
    emit_at(c, Place::FallThrough);
    c.flags = None;
    j + 1 - pc
}

/// Whether the conditional jump at `j` to `taken` (forward) leaves a loop: a backward jump
/// between them goes back to `j` or before it.
fn leaves_loop(c: &Compiler<'_>, j: usize, taken: usize) -> bool {
    taken > j
        && (j + 1..taken).take(MAX_LOOP_SCAN).any(|q| match c.code.get(q) {
            Some(insn @ (Insn::Ja { .. } | Insn::Jump { .. })) => {
                insn.branch_delta().is_some_and(|d| d < 0 && q as i64 + 1 + d <= j as i64)
            }
            _ => false,
        })
}

/// The move at slot `pc`, as the compiler emits it on its own.
fn emit_move(c: &mut Compiler<'_>, pc: usize) {
    if let Some(Insn::Alu { width, op, dst, src }) = c.code.get(pc).copied() {
        crate::emit::alu::alu(c, width, op, dst, src);
    }
}

/// The taken-edge stubs of the current subprogram: their moves, then the jump's target.
pub(crate) fn edge_stubs(c: &mut Compiler<'_>) {
    for (stub, slots, target) in std::mem::take(&mut c.edge_stubs) {
        asm!(c.ops, ; =>stub);
        for q in slots {
            emit_move(c, q);
        }
        asm!(c.ops, ; jmp =>target);
    }
}
