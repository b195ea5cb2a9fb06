//! Structured control flow: if-then, if-then-else and bounded counted loops.
//!
//! Every conditional jump of `jmp` and `jmp32`, with an immediate or a register operand, guards
//! a nested block, and `ja` / `gotol` skips the else-branch. Jumps only go forward, except the
//! back edge of a loop whose counter is a constant the body cannot write, so every program
//! terminates and the verifier can prove it. Blocks nest properly, so every instruction is
//! reachable (the kernel rejects unreachable code) and the set of initialised registers after
//! a join is the intersection of the sets on the incoming edges.

use hive_isa::{AluOp, Cond, Insn, Reg, Source, Width};

use super::{FnGen, RegSet, alu};

/// Slots taken by a run of instructions (`lddw` takes two).
pub(crate) fn slots(insns: &[Insn]) -> usize {
    insns.iter().map(Insn::slots).sum()
}

/// A conditional jump with random width, condition and operands read from initialised
/// registers; `off` is patched by the caller.
fn cond_jump(g: &mut FnGen<'_>) -> Insn {
    let width = if g.rng.chance(50) { Width::W64 } else { Width::W32 };
    let cond = g.rng.pick(&Cond::ALL);
    let dst = g.init_reg();
    let src = if g.rng.chance(50) { Source::Reg(g.init_reg()) } else { Source::Imm(alu::imm32(g.rng)) };
    Insn::Jump { width, cond, dst, src, off: 0 }
}

fn set_off(jump: &mut Insn, to: usize) {
    if let Insn::Jump { off, .. } = jump {
        *off = i16::try_from(to).expect("blocks are far smaller than 32K slots");
    }
}

fn sub_budget(g: &mut FnGen<'_>, left: usize) -> usize {
    g.rng.range(1, (left - 1).clamp(1, 12))
}

/// `if cond goto +n; <then>`.
pub(crate) fn if_then(g: &mut FnGen<'_>, left: usize, depth: usize, out: &mut Vec<Insn>) {
    g.branches_left -= 1;
    g.stats.jumps += 1;
    let mut jump = cond_jump(g);
    let before = g.init;
    let mut then = Vec::new();
    let budget = sub_budget(g, left);
    g.block(budget, depth + 1, &mut then);
    set_off(&mut jump, slots(&then));
    out.push(jump);
    out.extend(then);
    g.init = g.init.and(before);
}

/// `if cond goto else; <then>; ja end; else: <else>; end:` (`gotol` for a third of them).
pub(crate) fn if_else(g: &mut FnGen<'_>, left: usize, depth: usize, out: &mut Vec<Insn>) {
    g.branches_left -= 1;
    g.stats.jumps += 1;
    let mut jump = cond_jump(g);
    let before = g.init;
    let (mut then, mut other) = (Vec::new(), Vec::new());
    let budget = sub_budget(g, left);
    g.block(budget.div_ceil(2), depth + 1, &mut then);
    let after_then = g.init;
    g.init = before;
    g.block(budget / 2 + 1, depth + 1, &mut other);
    set_off(&mut jump, slots(&then) + 1);
    out.push(jump);
    out.extend(then);
    out.push(Insn::Ja { off: slots(&other) as i32, long: g.rng.chance(33) });
    out.extend(other);
    g.init = g.init.and(after_then);
}

/// `c = n; loop: <body>; c -= 1; if c != 0 goto loop` with `n` in 1..=4 and `c` one of
/// `r6`..`r9` (callee-saved, so calls in the body keep it), locked while the body runs.
pub(crate) fn counted_loop(g: &mut FnGen<'_>, left: usize, depth: usize, out: &mut Vec<Insn>) {
    let free: Vec<Reg> = RegSet(0b11_1100_0000).minus(g.locked).regs().collect();
    let counter = g.rng.pick(&free);
    g.loops_left -= 1;
    g.stats.loops += 1;
    let n = g.rng.range(1, 4) as i32;
    out.push(Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: counter, src: Source::Imm(n) });
    g.init = g.init.with(counter);
    g.locked = g.locked.with(counter);
    let entry = g.init;
    let mut body = Vec::new();
    let budget = sub_budget(g, left);
    g.block(budget, depth + 1, &mut body);
    // The back edge must see at least what the loop entry saw.
    g.ensure_init(entry, &mut body);
    let (op, imm) = if g.rng.chance(50) { (AluOp::Add, -1) } else { (AluOp::Sub, 1) };
    body.push(Insn::Alu { width: Width::W64, op, dst: counter, src: Source::Imm(imm) });
    let (width, cond) = g.rng.pick(&[
        (Width::W64, Cond::Ne),
        (Width::W64, Cond::Sgt),
        (Width::W64, Cond::Gt),
        (Width::W32, Cond::Ne),
        (Width::W32, Cond::Sgt),
    ]);
    let back = -(slots(&body) as i64 + 1);
    let off = i16::try_from(back).expect("loop bodies are small");
    body.push(Insn::Jump { width, cond, dst: counter, src: Source::Imm(0), off });
    out.extend(body);
    g.locked = g.locked.without(counter);
}
