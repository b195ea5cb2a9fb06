//! The interpreter loop: options, statistics and the per-instruction semantics.

use hive_isa::{AluOp, AtomicOp, CallTarget, Code, Insn, MAX_CALL_FRAMES, PacketMode, Pseudo, Reg, Size, Source, Width};

use crate::alu::{alu32, alu64, endian, neg32, neg64};
use crate::atomic::rmw;
use crate::fault::{Fault, FaultKind};
use crate::helpers::{Flow, HelperError, Helpers};
use crate::memory::Memory;

/// Default instruction budget: 2^28 (about 268 million) instructions, a second or two of
/// interpretation. Large enough for any program the kernel verifier accepts to finish its
/// work, including `may_goto` loops that spend their whole budget with a short body.
pub const DEFAULT_BUDGET: u64 = 1 << 28;

/// `BPF_MAX_LOOPS`: the kernel's per-frame `may_goto` budget (8 Mi iterations).
pub const BPF_MAX_LOOPS: u64 = 8 * 1024 * 1024;

/// What `callx reg` calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CallxMode {
    /// The register holds a helper id (what bpf_conformance's `callx.data` expects).
    #[default]
    HelperId,
    /// The register holds the slot index of a subprogram's first instruction, as produced by
    /// `lddw rX, func` ([`Pseudo::Func`]) in this interpreter.
    InsnIndex,
}

/// How a [`Vm`] runs programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// Instructions a run may execute before it ends with [`FaultKind::Budget`].
    pub budget: u64,
    /// Fault on reading a register never written in the current frame and on writing `r10`
    /// (the verifier's `!read_ok` and "frame pointer is read only"), instead of the kernel
    /// interpreter's behaviour (registers start at 0, `r10` is writable).
    pub strict: bool,
    /// Meaning of `callx`.
    pub callx: CallxMode,
    /// `may_goto` iterations per frame before it starts jumping ([`BPF_MAX_LOOPS`]).
    pub may_goto_loops: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { budget: DEFAULT_BUDGET, strict: false, callx: CallxMode::HelperId, may_goto_loops: BPF_MAX_LOOPS }
    }
}

/// Counters of the last run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Stats {
    /// Instructions executed (an `lddw` counts once), a faulting one included.
    pub insns: u64,
    /// Helper and kfunc calls, `callx` included.
    pub helper_calls: u64,
    /// bpf-to-bpf calls.
    pub local_calls: u64,
    /// Deepest frame reached (0 = the main program only).
    pub max_depth: usize,
}

/// How a run ended without a fault ([`Vm::run_outcome`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The program returned (or a helper ended it) with this `r0`.
    Return(u64),
    /// A helper asked for a tail call ([`Flow::TailCall`]); the embedder resolves the token,
    /// and runs the target with the same context.
    TailCall(u64),
}

/// Where a frame's callee came from, so that its return goes to the right place.
#[derive(Clone, Copy, Default)]
enum Caller {
    /// A bpf-to-bpf call or `callx`: resume at `ret`.
    #[default]
    Local,
    /// A helper's callback ([`Flow::Call`]): its `r0` goes to [`Helpers::resume`].
    Helper(i32),
    /// A kfunc's callback.
    Kfunc { btf_id: i32, module: i16 },
}

impl Caller {
    fn fault(self, error: HelperError) -> FaultKind {
        match self {
            Caller::Helper(id) => FaultKind::Helper { id, error },
            Caller::Kfunc { btf_id, module } => FaultKind::Kfunc { btf_id, module, error },
            Caller::Local => FaultKind::Helper { id: -1, error },
        }
    }
}

/// A program ready to run: the decoded code in a dense per-slot array, and the options.
#[derive(Clone, Debug)]
pub struct Vm {
    code: Code,
    ops: Vec<Insn>,
    options: Options,
    stats: Stats,
}

/// A caller's state, saved across a bpf-to-bpf call.
#[derive(Clone, Copy, Default)]
struct Saved {
    regs: [u64; 16],
    ret: usize,
    written: u16,
    loops: u64,
    caller: Caller,
}

/// `r1`-`r5`: arguments, clobbered by calls.
const ARGS: u16 = 0b11_1110;
/// Registers written on entry to a frame: the arguments and `r10`.
const ENTRY: u16 = ARGS | 1 << 10;

impl Vm {
    /// Prepares `code` for running.
    pub fn new(code: &Code, options: Options) -> Vm {
        let ops = (0..code.len()).map(|pc| code.get(pc).copied().unwrap_or(Insn::Exit)).collect();
        Vm { code: code.clone(), ops, options, stats: Stats::default() }
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Changes the options for later runs.
    pub fn set_options(&mut self, options: Options) {
        self.options = options;
    }

    /// The program.
    pub fn code(&self) -> &Code {
        &self.code
    }

    /// Counters of the last run, whether it returned or faulted.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Runs the program with `r1`-`r5` = `args` and returns `r0` at the final `exit`.
    ///
    /// The stack frames live in `mem`; frame 0 is zeroed first. Every other register starts
    /// at 0, as in the kernel interpreter. A helper's [`Flow::TailCall`] is a
    /// [`FaultKind::TailCall`] fault here; see [`run_outcome`](Self::run_outcome).
    pub fn run<H: Helpers + ?Sized>(
        &mut self,
        mem: &mut Memory<'_>,
        helpers: &mut H,
        args: [u64; 5],
    ) -> Result<u64, Fault> {
        match self.run_inner(mem, helpers, args, false)? {
            Outcome::Return(v) => Ok(v),
            Outcome::TailCall(_) => unreachable!("tail calls fault when not allowed"),
        }
    }

    /// Like [`run`](Self::run), but a helper's [`Flow::TailCall`] (from the main program's
    /// frame) ends the run with [`Outcome::TailCall`] instead of a fault, for an embedder
    /// that implements `bpf_tail_call` by running the target program next.
    pub fn run_outcome<H: Helpers + ?Sized>(
        &mut self,
        mem: &mut Memory<'_>,
        helpers: &mut H,
        args: [u64; 5],
    ) -> Result<Outcome, Fault> {
        self.run_inner(mem, helpers, args, true)
    }

    fn run_inner<H: Helpers + ?Sized>(
        &mut self,
        mem: &mut Memory<'_>,
        helpers: &mut H,
        args: [u64; 5],
        tail_calls: bool,
    ) -> Result<Outcome, Fault> {
        let mut stats = Stats::default();
        let result = if self.options.strict {
            self.exec::<H, true>(mem, helpers, args, &mut stats, tail_calls)
        } else {
            self.exec::<H, false>(mem, helpers, args, &mut stats, tail_calls)
        };
        self.stats = stats;
        result
    }

    #[cold]
    #[inline(never)]
    fn fault(&self, pc: usize, kind: FaultKind) -> Fault {
        Fault { pc, insn: self.code.get(pc).copied(), kind }
    }

    fn exec<H: Helpers + ?Sized, const STRICT: bool>(
        &self,
        mem: &mut Memory<'_>,
        helpers: &mut H,
        args: [u64; 5],
        stats: &mut Stats,
        tail_calls: bool,
    ) -> Result<Outcome, Fault> {
        let ops = &self.ops[..];
        let budget = self.options.budget;
        let mut regs = [0u64; 16];
        regs[1..6].copy_from_slice(&args);
        regs[10] = mem.enter_frame(0);
        let mut written: u16 = ENTRY;
        let mut loops = self.options.may_goto_loops;
        let mut frames = [Saved::default(); MAX_CALL_FRAMES];
        let mut depth = 0usize;
        let mut pc = 0usize;

        macro_rules! fail {
            ($kind:expr) => {
                return Err(self.fault(pc, $kind))
            };
        }
        macro_rules! rd {
            ($r:expr) => {{
                let r: Reg = $r;
                if STRICT && written & (1 << r.idx()) == 0 {
                    fail!(FaultKind::UninitRegister { reg: r.num() });
                }
                regs[r.idx() & 15]
            }};
        }
        macro_rules! wr {
            ($r:expr, $v:expr) => {{
                let r: Reg = $r;
                let v: u64 = $v;
                if STRICT {
                    if r == Reg::R10 {
                        fail!(FaultKind::FramePointerWrite);
                    }
                    written |= 1 << r.idx();
                }
                regs[r.idx() & 15] = v;
            }};
        }
        macro_rules! mem_try {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => fail!(FaultKind::Memory(e)),
                }
            };
        }
        macro_rules! operand {
            ($s:expr) => {
                match $s {
                    Source::Reg(r) => rd!(r),
                    Source::Imm(i) => i as i64 as u64,
                }
            };
        }
        macro_rules! jump {
            ($off:expr) => {
                // In range: `Code` checked every target.
                pc = (pc as i64 + 1 + $off as i64) as usize
            };
        }
        // Enters a new frame at `$target` with `$args` in r1-r5; the caller resumes at
        // `pc + 1` (or, for a callback, in the helper named by `$caller`).
        macro_rules! enter {
            ($target:expr, $args:expr, $caller:expr) => {{
                if depth + 1 >= MAX_CALL_FRAMES {
                    fail!(FaultKind::CallDepth { limit: MAX_CALL_FRAMES });
                }
                frames[depth] = Saved { regs, ret: pc + 1, written, loops, caller: $caller };
                depth += 1;
                stats.local_calls += 1;
                stats.max_depth = stats.max_depth.max(depth);
                let fp = mem.enter_frame(depth);
                let args: [u64; 5] = $args;
                let mut fresh = [0u64; 16];
                fresh[1..6].copy_from_slice(&args);
                fresh[10] = fp;
                regs = fresh;
                written = ENTRY;
                loops = self.options.may_goto_loops;
                pc = $target;
                continue;
            }};
        }
        macro_rules! call_local {
            ($target:expr) => {
                enter!($target, [regs[1], regs[2], regs[3], regs[4], regs[5]], Caller::Local)
            };
        }
        // What a helper, kfunc or resumed helper asked for; a `Return` falls through to the
        // next instruction.
        macro_rules! flow {
            ($result:expr, $caller:expr) => {{
                let caller: Caller = $caller;
                match $result {
                    Ok(Flow::Return(v)) => {
                        regs[0] = v;
                        written = (written | 1) & !ARGS;
                    }
                    Ok(Flow::Exit(v)) => return Ok(Outcome::Return(v)),
                    Ok(Flow::TailCall(token)) => {
                        if !tail_calls {
                            fail!(FaultKind::TailCall("this run does not perform tail calls (use run_outcome)"));
                        }
                        if depth != 0 {
                            fail!(FaultKind::TailCall("tail call from a subprogram or callback"));
                        }
                        return Ok(Outcome::TailCall(token));
                    }
                    Ok(Flow::Call { target, args }) => {
                        let t = usize::try_from(target).ok().filter(|&t| self.code.get(t).is_some());
                        let Some(t) = t else {
                            fail!(FaultKind::BadCallxTarget { value: target, what: "callback instruction index" });
                        };
                        enter!(t, args, caller)
                    }
                    Err(e) => fail!(caller.fault(e)),
                }
            }};
        }
        // Return from the current frame with `r0` already set.
        macro_rules! ret {
            () => {{
                if depth == 0 {
                    return Ok(Outcome::Return(regs[0]));
                }
                depth -= 1;
                let saved = frames[depth];
                let r0 = regs[0];
                regs = saved.regs;
                regs[0] = r0;
                written = (saved.written | 1) & !ARGS;
                loops = saved.loops;
                mem.leave_frame(depth);
                pc = saved.ret;
                if !matches!(saved.caller, Caller::Local) {
                    // A callback returned: back in the helper call at `pc - 1`.
                    pc -= 1;
                    flow!(helpers.resume(r0, mem), saved.caller);
                    pc += 1;
                }
                continue;
            }};
        }

        loop {
            let Some(&insn) = ops.get(pc) else {
                fail!(FaultKind::FellOffEnd);
            };
            if stats.insns >= budget {
                fail!(FaultKind::Budget { limit: budget });
            }
            stats.insns += 1;
            match insn {
                Insn::Alu { width, op, dst, src } => {
                    let b = operand!(src);
                    let a = match op {
                        AluOp::Mov | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => 0,
                        _ => rd!(dst),
                    };
                    let v = match width {
                        Width::W64 => alu64(op, a, b),
                        Width::W32 => alu32(op, a, b),
                    };
                    wr!(dst, v);
                }
                Insn::Neg { width, dst } => {
                    let a = rd!(dst);
                    wr!(dst, if width == Width::W64 { neg64(a) } else { neg32(a) });
                }
                Insn::Endian { op, bits, dst } => {
                    let a = rd!(dst);
                    wr!(dst, endian(op, bits, a));
                }
                Insn::LdImm64 { dst, pseudo, imm, next_imm } => {
                    let v = match pseudo {
                        Pseudo::None => Insn::imm64(imm, next_imm),
                        Pseudo::Func => (pc as i64 + 1 + imm as i64) as u64,
                        _ => fail!(FaultKind::UnresolvedPseudo { pseudo }),
                    };
                    wr!(dst, v);
                    pc += 2;
                    continue;
                }
                Insn::Load { size, signed, dst, src, off } => {
                    let addr = rd!(src).wrapping_add(off as i64 as u64);
                    let v = mem_try!(mem.load(addr, size));
                    wr!(dst, if signed { sign_extend(v, size) } else { v });
                }
                Insn::Store { size, dst, off, src } => {
                    let addr = rd!(dst).wrapping_add(off as i64 as u64);
                    let v = operand!(src);
                    mem_try!(mem.store(addr, size, v));
                }
                Insn::Atomic { size, op, dst, src, off } => match op {
                    AtomicOp::LoadAcquire => {
                        let addr = rd!(src).wrapping_add(off as i64 as u64);
                        let v = mem_try!(mem.load(addr, size));
                        wr!(dst, v);
                    }
                    AtomicOp::StoreRelease => {
                        let addr = rd!(dst).wrapping_add(off as i64 as u64);
                        let v = rd!(src);
                        mem_try!(mem.store(addr, size, v));
                    }
                    _ => {
                        let addr = rd!(dst).wrapping_add(off as i64 as u64);
                        let val = rd!(src);
                        let expected = if op == AtomicOp::Cmpxchg { rd!(Reg::R0) } else { 0 };
                        let old = mem_try!(rmw(mem, op, size, addr, val, expected));
                        if op == AtomicOp::Cmpxchg {
                            wr!(Reg::R0, old);
                        } else if op.fetches() {
                            wr!(src, old);
                        }
                    }
                },
                Insn::LoadPacket { mode, size, src, imm } => {
                    let ctx = rd!(Reg::R6);
                    let offset = match mode {
                        PacketMode::Abs => imm as i64 as u64,
                        PacketMode::Ind => rd!(src).wrapping_add(imm as i64 as u64),
                    };
                    let loaded = match crate::packet::ld_packet(mem, ctx, offset, size) {
                        Ok(v) => v,
                        Err(kind) => fail!(kind),
                    };
                    regs[0] = loaded.map_or(0, u64::from);
                    regs[1] = ctx;
                    regs[2] = offset;
                    written = (written | 1) & !ARGS;
                    if loaded.is_none() {
                        ret!();
                    }
                }
                Insn::Ja { off, .. } => {
                    jump!(off);
                    continue;
                }
                Insn::Jump { width, cond, dst, src, off } => {
                    let a = rd!(dst);
                    let b = operand!(src);
                    if cond.holds(a, b, width) {
                        jump!(off);
                        continue;
                    }
                }
                Insn::MayGoto { off } => {
                    if loops == 0 {
                        jump!(off);
                        continue;
                    }
                    loops -= 1;
                }
                Insn::Call(CallTarget::Local(imm)) => call_local!((pc as i64 + 1 + imm as i64) as usize),
                Insn::Call(CallTarget::Helper(id)) => {
                    let args = [regs[1], regs[2], regs[3], regs[4], regs[5]];
                    stats.helper_calls += 1;
                    flow!(helpers.call_helper(id, args, mem), Caller::Helper(id));
                }
                Insn::Call(CallTarget::Kfunc { btf_id, off }) => {
                    let args = [regs[1], regs[2], regs[3], regs[4], regs[5]];
                    stats.helper_calls += 1;
                    flow!(helpers.call_kfunc(btf_id, off, args, mem), Caller::Kfunc { btf_id, module: off });
                }
                Insn::CallX { reg } => {
                    let value = rd!(reg);
                    match self.options.callx {
                        CallxMode::HelperId => {
                            let Ok(id) = i32::try_from(value) else {
                                fail!(FaultKind::BadCallxTarget { value, what: "helper id" });
                            };
                            let args = [regs[1], regs[2], regs[3], regs[4], regs[5]];
                            stats.helper_calls += 1;
                            flow!(helpers.call_helper(id, args, mem), Caller::Helper(id));
                        }
                        CallxMode::InsnIndex => {
                            let target = usize::try_from(value).ok().filter(|&t| self.code.get(t).is_some());
                            let Some(target) = target else {
                                fail!(FaultKind::BadCallxTarget { value, what: "instruction index" });
                            };
                            call_local!(target);
                        }
                    }
                }
                Insn::Exit => {
                    if STRICT {
                        rd!(Reg::R0);
                    }
                    ret!();
                }
            }
            pc += 1;
        }
    }
}

/// Sign-extends the low `size` bytes of `v`.
#[inline]
fn sign_extend(v: u64, size: Size) -> u64 {
    match size {
        Size::B => v as i8 as i64 as u64,
        Size::H => v as i16 as i64 as u64,
        Size::W => v as i32 as i64 as u64,
        Size::DW => v,
    }
}
