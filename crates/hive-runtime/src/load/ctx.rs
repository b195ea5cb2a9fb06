//! Finding and rewriting context accesses (the kernel's `convert_ctx_access`), before any
//! verifier exists.
//!
//! The kernel knows which loads and stores go through the context pointer because its
//! verifier tracks register types. Until Hive's verifier exists, this module runs a small
//! forward dataflow analysis that tracks only what the rewrite needs: which registers and
//! 8-byte stack slots hold the context pointer, which hold stack addresses (`r10` plus a
//! constant, so that spills and fills through copies of `r10` are followed) and which hold
//! subprogram addresses (`lddw rX, func`, so that a context passed to a `bpf_loop` or
//! `bpf_for_each_map_elem` callback is followed into the callback). Subprograms are entered
//! with the join of their callers' arguments. At a fixed point every access through a
//! definite context pointer is checked against the program type's context rules (`invalid
//! bpf_context access off=N size=M`) and rewritten to the runtime layout; an access through
//! a pointer that is the context on some paths only is refused (`same insn cannot be used
//! with different pointers`), as is one through a context pointer plus an offset
//! (`dereference of modified ctx ptr`). What the analysis cannot follow (a context pointer
//! stored through an untracked pointer, say) is not rewritten, and faults at run time on the
//! context guard instead of reading a wrong field.

use std::collections::{BTreeMap, VecDeque};

use hive_isa::{AluOp, AtomicOp, CallTarget, Code, Insn, Pseudo, Reg, Size, Source, Width};
use hive_platform::HelperId;
use hive_platform::prog::ProgType;

use crate::context::{ContextKind, layout};
use crate::error::Result;
use crate::load::Log;

/// What a register or stack slot holds, as far as the rewrite cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Val {
    /// Not reached yet.
    Bot,
    /// Anything that is not tracked.
    Scalar,
    /// The context pointer plus a constant offset.
    Ctx(i64),
    /// The context pointer on some paths, something else on others.
    MaybeCtx,
    /// `r10` of the current frame plus a constant.
    Fp(i64),
    /// The address of the subprogram starting at this slot.
    Func(usize),
}

impl Val {
    fn join(self, other: Val) -> Val {
        use Val::*;
        match (self, other) {
            (Bot, x) | (x, Bot) => x,
            (a, b) if a == b => a,
            (Ctx(_) | MaybeCtx, _) | (_, Ctx(_) | MaybeCtx) => MaybeCtx,
            _ => Scalar,
        }
    }

    fn is_ctxish(self) -> bool {
        matches!(self, Val::Ctx(_) | Val::MaybeCtx)
    }
}

/// The abstract state before an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    regs: [Val; 11],
    /// 8-byte spill slots by frame offset.
    stack: BTreeMap<i64, Val>,
}

impl State {
    fn entry(args: [Val; 5]) -> State {
        let mut regs = [Val::Scalar; 11];
        regs[1..6].copy_from_slice(&args);
        regs[10] = Val::Fp(0);
        State { regs, stack: BTreeMap::new() }
    }

    fn join(&self, other: &State) -> State {
        let mut regs = [Val::Bot; 11];
        for (i, r) in regs.iter_mut().enumerate() {
            *r = self.regs[i].join(other.regs[i]);
        }
        let mut stack = BTreeMap::new();
        for k in self.stack.keys().chain(other.stack.keys()) {
            let a = self.stack.get(k).copied().unwrap_or(Val::Scalar);
            let b = other.stack.get(k).copied().unwrap_or(Val::Scalar);
            let v = a.join(b);
            if v != Val::Scalar {
                stack.insert(*k, v);
            }
        }
        State { regs, stack }
    }

    fn reg(&self, r: Reg) -> Val {
        self.regs[r.idx()]
    }

    fn set(&mut self, r: Reg, v: Val) {
        self.regs[r.idx()] = v;
    }

    /// Forgets slots overlapping `[off, off + n)`.
    fn clobber(&mut self, off: i64, n: i64) {
        self.stack.retain(|&k, _| k + 8 <= off || k >= off + n);
    }
}

/// One access through the context pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CtxAccess {
    pub pc: usize,
    pub off: i16,
    pub size: Size,
    pub write: bool,
}

/// What the pass found and did.
#[derive(Debug, Default)]
pub(crate) struct CtxReport {
    /// Every access through the context, in program order.
    pub accesses: Vec<CtxAccess>,
    /// The largest `off + size` accessed (the kernel's `max_ctx_offset`).
    pub max_ctx_offset: u32,
}

/// Callback-taking helpers: (helper, register of the callback, register of its context
/// argument, register the callback receives it in).
const CALLBACKS: &[(HelperId, usize, usize, usize)] = &[
    (HelperId::LOOP, 2, 3, 2),
    (HelperId::FOR_EACH_MAP_ELEM, 2, 3, 4),
    (HelperId::FIND_VMA, 3, 4, 3),
    (HelperId::USER_RINGBUF_DRAIN, 2, 3, 2),
];

struct Analysis<'c> {
    code: &'c Code,
    states: Vec<Option<State>>,
    work: VecDeque<usize>,
}

impl Analysis<'_> {
    fn flow(&mut self, pc: usize, s: State) {
        if self.code.get(pc).is_none() {
            return;
        }
        let new = match &self.states[pc] {
            Some(old) => {
                let j = old.join(&s);
                if &j == old {
                    return;
                }
                j
            }
            None => s,
        };
        self.states[pc] = Some(new);
        self.work.push_back(pc);
    }

    /// Enters a subprogram or callback at `target` with `args` (stack addresses of the
    /// caller's frame are not followed into the callee).
    fn enter(&mut self, target: usize, args: [Val; 5]) {
        let args = args.map(|v| if matches!(v, Val::Fp(_)) { Val::Scalar } else { v });
        self.flow(target, State::entry(args));
    }

    fn step(&mut self, pc: usize) {
        let Some(s) = self.states[pc].clone() else { return };
        let insn = *self.code.get(pc).expect("states only at instruction starts");
        let mut n = s.clone();
        let next = pc + insn.slots();
        match insn {
            Insn::Alu { width, op, dst, src } => {
                let v = match (width, op, src) {
                    (Width::W64, AluOp::Mov, Source::Reg(r)) => s.reg(r),
                    (Width::W64, AluOp::Add | AluOp::Sub, Source::Imm(i)) => {
                        let d = if op == AluOp::Add { i as i64 } else { -(i as i64) };
                        match s.reg(dst) {
                            Val::Ctx(o) => Val::Ctx(o + d),
                            Val::Fp(o) => Val::Fp(o + d),
                            Val::MaybeCtx => Val::MaybeCtx,
                            _ => Val::Scalar,
                        }
                    }
                    _ => match s.reg(dst) {
                        // Other arithmetic on a context pointer still is one, somewhere.
                        v if v.is_ctxish() && op != AluOp::Mov => Val::MaybeCtx,
                        _ => Val::Scalar,
                    },
                };
                n.set(dst, v);
                self.flow(next, n);
            }
            Insn::Neg { dst, .. } | Insn::Endian { dst, .. } => {
                n.set(dst, Val::Scalar);
                self.flow(next, n);
            }
            Insn::LdImm64 { dst, pseudo, imm, .. } => {
                let v = if pseudo == Pseudo::Func { Val::Func((pc as i64 + 1 + imm as i64) as usize) } else { Val::Scalar };
                n.set(dst, v);
                self.flow(next, n);
            }
            Insn::Load { size, dst, src, off, .. } => {
                let v = match s.reg(src) {
                    Val::Fp(o) if size == Size::DW => s.stack.get(&(o + off as i64)).copied().unwrap_or(Val::Scalar),
                    _ => Val::Scalar,
                };
                n.set(dst, v);
                self.flow(next, n);
            }
            Insn::Store { size, dst, off, src } => {
                if let Val::Fp(o) = s.reg(dst) {
                    let at = o + off as i64;
                    n.clobber(at, size.bytes() as i64);
                    if let (Size::DW, Source::Reg(r)) = (size, src) {
                        let v = s.reg(r);
                        if v != Val::Scalar && at % 8 == 0 {
                            n.stack.insert(at, v);
                        }
                    }
                }
                self.flow(next, n);
            }
            Insn::Atomic { size, op, dst, src, off } => {
                let base = if op == AtomicOp::LoadAcquire { src } else { dst };
                if let Val::Fp(o) = s.reg(base) {
                    n.clobber(o + off as i64, size.bytes() as i64);
                }
                if op == AtomicOp::Cmpxchg {
                    n.set(Reg::R0, Val::Scalar);
                } else if op.fetches() {
                    n.set(src, Val::Scalar);
                } else if op == AtomicOp::LoadAcquire {
                    n.set(dst, Val::Scalar);
                }
                self.flow(next, n);
            }
            Insn::LoadPacket { .. } => {
                for r in 0..6 {
                    n.regs[r] = Val::Scalar;
                }
                self.flow(next, n);
            }
            Insn::Ja { .. } => {
                let t = (pc as i64 + 1 + insn.branch_delta().unwrap_or(0)) as usize;
                self.flow(t, n);
            }
            Insn::Jump { .. } | Insn::MayGoto { .. } => {
                let t = (pc as i64 + 1 + insn.branch_delta().unwrap_or(0)) as usize;
                self.flow(t, n.clone());
                self.flow(next, n);
            }
            Insn::Call(target) => {
                let args: [Val; 5] = s.regs[1..6].try_into().expect("five arguments");
                match target {
                    CallTarget::Local(imm) => {
                        self.enter((pc as i64 + 1 + imm as i64) as usize, args);
                    }
                    CallTarget::Helper(id) => {
                        let id = HelperId(id as u32);
                        let mut entered = false;
                        for &(h, cb, ctx, to) in CALLBACKS {
                            if h == id
                                && let Val::Func(t) = s.regs[cb]
                            {
                                let mut a = [Val::Scalar; 5];
                                a[to - 1] = s.regs[ctx];
                                self.enter(t, a);
                                entered = true;
                            }
                        }
                        if !entered {
                            // Any other function handed to a helper (timers) gets nothing.
                            for v in args {
                                if let Val::Func(t) = v {
                                    self.enter(t, [Val::Scalar; 5]);
                                }
                            }
                        }
                    }
                    CallTarget::Kfunc { .. } => {}
                }
                if args.iter().any(|v| matches!(v, Val::Fp(_))) {
                    // The callee may write the caller's stack through the pointer.
                    n.stack.clear();
                }
                for r in 0..6 {
                    n.regs[r] = Val::Scalar;
                }
                self.flow(next, n);
            }
            Insn::CallX { .. } => {
                n.stack.clear();
                for r in 0..6 {
                    n.regs[r] = Val::Scalar;
                }
                self.flow(next, n);
            }
            Insn::Exit => {}
        }
    }
}

/// Finds the context accesses of `code`, checks them against `prog_type`'s rules and
/// rewrites them in `run` (raw slots, same numbering as `code`).
pub(crate) fn rewrite(
    code: &Code,
    run: &mut [hive_isa::RawInsn],
    prog_type: ProgType,
    log: &mut Log,
) -> Result<CtxReport> {
    let mut a = Analysis { code, states: vec![None; code.len()], work: VecDeque::new() };
    a.flow(0, State::entry([Val::Ctx(0), Val::Scalar, Val::Scalar, Val::Scalar, Val::Scalar]));
    while let Some(pc) = a.work.pop_front() {
        a.step(pc);
    }
    let kind = ContextKind::of(prog_type);
    let rules = layout(prog_type);
    let mut report = CtxReport::default();
    for (pc, insn) in code.iter() {
        let Some(s) = &a.states[pc] else { continue };
        let (base, off, size, write, atomic) = match *insn {
            Insn::Load { size, src, off, .. } => (src, off, size, false, false),
            Insn::Store { size, dst, off, .. } => (dst, off, size, true, false),
            Insn::Atomic { size, op: AtomicOp::LoadAcquire, src, off, .. } => (src, off, size, false, true),
            Insn::Atomic { size, dst, off, .. } => (dst, off, size, true, true),
            _ => continue,
        };
        match s.reg(base) {
            Val::Ctx(0) => {}
            Val::Ctx(o) => {
                return Err(log.refuse(
                    libc::EACCES,
                    format!("insn {pc}: dereference of modified ctx ptr R{} off={o} disallowed", base.num()),
                ));
            }
            Val::MaybeCtx => {
                return Err(log.refuse(libc::EINVAL, format!("insn {pc}: same insn cannot be used with different pointers")));
            }
            _ => continue,
        }
        if atomic {
            return Err(log.refuse(
                libc::EACCES,
                format!("insn {pc}: BPF_ATOMIC stores into R{} ctx is not allowed", base.num()),
            ));
        }
        if let Some(rules) = rules {
            rules
                .check(off as i64, size.bytes() as u32, write)
                .map_err(|e| log.refuse(libc::EACCES, format!("insn {pc}: {e}")))?;
        } else if off < 0 {
            return Err(log.refuse(libc::EACCES, format!("insn {pc}: invalid bpf_context access off={off} size={}", size.bytes())));
        }
        report.max_ctx_offset = report.max_ctx_offset.max(off as u32 + size.bytes() as u32);
        report.accesses.push(CtxAccess { pc, off, size, write });
        let (new_off, new_size) = kind.rewrite(off, size);
        if (new_off, new_size) != (off, size) {
            let raw = &mut run[pc];
            raw.off = new_off;
            // The size bits are 0x18 of the opcode (W=0x00, H=0x08, B=0x10, DW=0x18).
            raw.code = (raw.code & !0x18) | new_size.code();
            if new_size == Size::DW && raw.code & 0xe0 == 0x80 {
                // A sign-extending load of a pointer field becomes a plain 64-bit load.
                raw.code = (raw.code & !0xe0) | 0x60;
            }
            log.line(format!(
                "insn {pc}: ctx {} off={off} size={} -> off={new_off} size={}",
                if write { "store" } else { "load" },
                size.bytes(),
                new_size.bytes()
            ));
        }
    }
    Ok(report)
}
