//! bpf-to-bpf calls: call sites and the subprograms they call.
//!
//! While a function is generated, `call` carries the callee's *subprogram index* in its `imm`;
//! [`super::layout`] replaces it with the relative offset once every function has its place.
//! A subprogram may only call subprograms with a higher index, so the call graph has no cycle
//! (the verifier rejects recursion) and its depth is bounded by the subprogram count.
//!
//! Register discipline, as the verifier sees it: the caller passes `r1`-`r5` (all initialised
//! before each call), the callee starts with only those initialised, its own `r0` and `r6`-`r9`
//! uninitialised, and its own stack frame. After the return `r1`-`r5` are uninitialised in the
//! caller, `r0` holds the result and `r6`-`r9` are preserved, which the main epilogue makes
//! observable by dumping them.

use hive_isa::{AluOp, CallTarget, Insn, Reg, Size, Source, Width};

use super::{FnGen, RegSet, Stats, alu};
use crate::generator::GenConfig;
use crate::rng::Rng;

/// `r1`..`r5`.
pub(crate) const ARGS: RegSet = RegSet(0b11_1110);

/// `call <subprogram k>` with every argument register initialised first.
pub(crate) fn call_site(g: &mut FnGen<'_>, out: &mut Vec<Insn>) {
    let k = g.rng.range(g.callees.start, g.callees.end - 1);
    g.ensure_init(ARGS, out);
    out.push(Insn::Call(CallTarget::Local(k as i32)));
    g.init = g.init.minus(RegSet::CALLER_SAVED).with(Reg::R0);
    g.calls_left -= 1;
    g.called |= 1 << k;
    g.stats.calls += 1;
}

/// Helpers every program type may call, taking no argument (`bpf_get_prandom_u32`,
/// `bpf_ktime_get_ns`, `bpf_get_smp_processor_id`).
const HELPERS: [i32; 3] = [7, 5, 8];

/// `call <helper>` with every argument register initialised first, so that an engine that
/// records the call sees defined `r1`-`r5` (see [`crate::RecordingHelpers`]).
pub(crate) fn helper_call(g: &mut FnGen<'_>, out: &mut Vec<Insn>) {
    g.ensure_init(ARGS, out);
    let id = g.rng.pick(&HELPERS);
    out.push(Insn::Call(CallTarget::Helper(id)));
    g.init = g.init.minus(RegSet::CALLER_SAVED).with(Reg::R0);
    g.helpers_left -= 1;
    g.stats.helper_calls += 1;
}

/// An extra `call` of subprogram `k`, for subprograms no random call site reached.
pub(crate) fn forced_call(g: &mut FnGen<'_>, k: usize, out: &mut Vec<Insn>) {
    g.calls_left += 1;
    g.callees = k..k + 1;
    call_site(g, out);
}

/// Subprogram `k` of `count`: prologue (stack and register initialisation), a random body, and
/// an epilogue that folds its registers and stack into `r0` so that they influence the result.
///
/// Returns the code, its statistics and the mask of subprograms it calls.
pub(crate) fn subprogram(rng: &mut Rng, cfg: &GenConfig, k: usize, count: usize) -> (Vec<Insn>, Stats, u64) {
    let stack = cfg.subprog_stack_bytes.clamp(8, 64) as i16 & !7;
    let mut g = FnGen {
        rng,
        cfg,
        init: ARGS,
        locked: RegSet::NONE,
        stack_lo: -stack,
        stack_len: stack,
        callees: k + 1..count,
        branches_left: cfg.max_branches / 2,
        loops_left: cfg.max_loops.min(1),
        calls_left: 1,
        helpers_left: cfg.max_helper_calls,
        called: 0,
        stats: Stats::default(),
    };
    let mut out = Vec::new();
    for off in (-stack..0).step_by(8) {
        let src = if g.rng.chance(50) { Source::Reg(g.init_reg()) } else { Source::Imm(alu::imm32(g.rng)) };
        out.push(Insn::Store { size: Size::DW, dst: Reg::FP, off, src });
    }
    for r in [Reg::R0, Reg::R6, Reg::R7, Reg::R8, Reg::R9] {
        if g.rng.chance(40) {
            let src = g.init_reg();
            out.push(Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: r, src: Source::Reg(src) });
            g.init = g.init.with(r);
        } else {
            alu::mov_const(&mut g, r, &mut out);
        }
    }
    g.block(cfg.subprog_len, 0, &mut out);
    g.ensure_init(RegSet::NONE.with(Reg::R0), &mut out);
    // Fold what the body computed into r0.
    let fold = [AluOp::Xor, AluOp::Add, AluOp::Sub];
    for r in g.init.without(Reg::R0).regs().collect::<Vec<_>>() {
        let op = g.rng.pick(&fold);
        out.push(Insn::Alu { width: Width::W64, op, dst: Reg::R0, src: Source::Reg(r) });
    }
    let tmp = g.writable_reg();
    let tmp = if tmp == Reg::R0 { Reg::R1 } else { tmp };
    for off in (-stack..0).step_by(8) {
        out.push(Insn::Load { size: Size::DW, signed: false, dst: tmp, src: Reg::FP, off });
        let op = g.rng.pick(&fold);
        out.push(Insn::Alu { width: Width::W64, op, dst: Reg::R0, src: Source::Reg(tmp) });
    }
    out.push(Insn::Exit);
    (out, g.stats, g.called)
}
