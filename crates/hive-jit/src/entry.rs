//! The run-time side, and the only `unsafe` of the crate besides nothing: entering compiled
//! code, and the `extern "sysv64"` trampolines that compiled code calls.
//!
//! One [`Env`] lives on the Rust stack for the duration of a run. Compiled code keeps a
//! pointer to it in every native frame and passes it as the sixth argument of every call
//! out; its first fields are read by compiled code at fixed offsets (`#[repr(C)]`), the rest
//! only by the trampolines.
//!
//! Ending a run from inside a call ([`Flow::Exit`], a helper error, a packet-access fault, a
//! panic) works by unwinding through a saved stack pointer: the entry stub records its `rsp`
//! in [`Env::saved_rsp`]; a trampoline that wants the run to end returns `(value, saved_rsp)`
//! in `rax:rdx` instead of `(value, 0)`; the call site tests `rdx` and, if it is not zero,
//! jumps to the shared unwind stub, which sets `rsp = rdx` and returns `rax` through the
//! entry stub's epilogue. Every frame in between is discarded; none of them holds anything
//! the host needs (host callee-saved registers are restored by the entry stub). Errors and
//! panic payloads wait in the `Env` and are turned into a [`Fault`] or resumed once compiled
//! code has returned, so no Rust unwinding ever crosses JIT frames.

#![allow(unsafe_code)]

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use hive_interp::{Flow, HelperError, Helpers, Memory};
use hive_interp::{Fault, FaultKind, Outcome};
use hive_isa::{CallTarget, Insn, MAX_CALL_FRAMES, STACK_SIZE, Size};

use crate::program::JitProgram;

/// What a trampoline returns, in `rax:rdx` (a System V two-integer struct).
#[repr(C)]
pub(crate) struct Ret {
    /// The new `r0`.
    value: u64,
    /// 0 to continue; 1 (packet loads only) to return 0 from the current function; anything
    /// else is the entry frame's `rsp`, meaning "end the run now".
    status: u64,
}

/// A trampoline for helpers, kfuncs and `callx`: `r1`-`r5`, then the environment.
type CallFn = extern "sysv64" fn(u64, u64, u64, u64, u64, *mut Env) -> Ret;
/// The packet routine: context, offset, size in bytes, pc, unused, environment.
type PacketFn = extern "sysv64" fn(u64, u64, u64, u64, u64, *mut Env) -> Ret;
/// Records a fault raised by compiled code itself: `(pc, unused..., environment)`; always
/// returns the unwind status.
type TrapFn = extern "sysv64" fn(u64, u64, u64, u64, u64, *mut Env) -> Ret;
/// The entry stub: environment, prologue address, `r10`, `r1`-`r5`.
type EntryFn = unsafe extern "sysv64" fn(*mut Env, u64, u64, *const [u64; 5]) -> u64;

/// Per-run state shared by compiled code and the trampolines.
#[repr(C)]
pub(crate) struct Env {
    /// `rsp` of the entry stub after its pushes: the unwind target.
    pub saved_rsp: u64,
    /// [`CallFn`] for `call N`.
    pub helper: CallFn,
    /// [`CallFn`] for `call kfunc`.
    pub kfunc: CallFn,
    /// [`CallFn`] for `callx`.
    pub callx: CallFn,
    /// [`PacketFn`] for `LD_ABS`/`LD_IND`.
    pub packet: PacketFn,
    /// [`TrapFn`]: reaching the end of the program.
    pub trap: TrapFn,
    /// Written before each call: `pc << 32 | imm` (helper id or kfunc BTF id).
    pub call: u64,
    /// Written before `callx`: the register's value.
    pub callx_value: u64,
    /// Frame 0's `r10`.
    pub fp: u64,
    /// Written before each trampoline call: the calling frame's `r10`.
    pub call_fp: u64,
    /// The run's helper object (`*mut H`), the sixth argument of direct helper calls.
    pub native_ctx: *mut (),
    // Only Rust reads what follows.
    /// The run's `&mut Memory<'_>`, type- and lifetime-erased.
    mem: *mut (),
    /// A `*mut *mut H` to the run's helpers, type-erased.
    helpers: *mut (),
    /// The program, for fault reports and callback entries.
    prog: *const JitProgram,
    /// Whether a helper's tail call ends the run with [`Outcome::TailCall`] (else a fault).
    tail_calls: bool,
    /// Callbacks running (nested in trampolines); tail calls are refused inside them.
    callbacks: usize,
    /// Set with the unwind status: the run is ending, every callback stub on the way returns.
    unwinding: bool,
    /// The token of a helper's tail call that ended the run.
    tail_call: Option<u64>,
    /// Why the run ended abnormally.
    fault: Option<Fault>,
    /// A helper's panic, resumed after compiled code returns.
    panic: Option<Box<dyn Any + Send>>,
}

impl Env {
    /// Ends the run: the call site unwinds to the innermost stub with `value` in `rax`.
    fn unwind(&mut self, value: u64) -> Ret {
        self.unwinding = true;
        Ret { value, status: self.saved_rsp }
    }

    fn fault(&mut self, pc: usize, kind: FaultKind) -> Ret {
        // SAFETY: `prog` points to the running program, borrowed by `run` for the whole run.
        let insn = unsafe { (*self.prog).code().get(pc).copied() };
        self.fault = Some(Fault { pc, insn, kind });
        self.unwind(0)
    }

    /// Runs `call` on the embedder's helpers and the run's memory, with the frames of the
    /// caller at `call_fp` and its callers live; a panic is kept as `Err`.
    fn with_helpers<H: Helpers + ?Sized>(
        &mut self,
        call_fp: u64,
        call: impl FnOnce(&mut H, &mut Memory<'_>) -> Result<Flow, HelperError>,
    ) -> Result<Result<Flow, HelperError>, Box<dyn Any + Send>> {
        // SAFETY: `helpers` and `mem` were made by `run` from the `&mut H` and `&mut Memory`
        // it holds for the whole run and does not use while compiled code runs; compiled code
        // is suspended inside this call, and the references die before any callback runs
        // compiled code again, so these are the only live references.
        let (helpers, mem) = unsafe { (&mut **(self.helpers as *mut *mut H), &mut *(self.mem as *mut Memory<'_>)) };
        // Helpers may touch the frames of every active call, the caller's included.
        mem.set_live_depth((self.fp.wrapping_sub(call_fp) / STACK_SIZE as u64) as usize);
        catch_unwind(AssertUnwindSafe(|| call(helpers, mem)))
    }

    /// Runs a call into the embedder's helpers and turns its outcome into a [`Ret`]: callbacks
    /// run here, each followed by [`Helpers::resume`], until the helper returns or ends the run.
    fn dispatch<H: Helpers + ?Sized>(
        &mut self,
        pc: usize,
        call: impl FnOnce(&mut H, &mut Memory<'_>) -> Result<Flow, HelperError>,
        error: impl Fn(HelperError) -> FaultKind,
    ) -> Ret {
        let call_fp = self.call_fp;
        let mut outcome = self.with_helpers(call_fp, call);
        loop {
            match outcome {
                Ok(Ok(Flow::Return(value))) => return Ret { value, status: 0 },
                Ok(Ok(Flow::Exit(value))) => return self.unwind(value),
                Ok(Ok(Flow::Call { target, args })) => {
                    let r0 = match self.callback(pc, call_fp, target, args) {
                        Ok(r0) => r0,
                        Err(unwind) => return unwind,
                    };
                    outcome = self.with_helpers(call_fp, |h: &mut H, mem| h.resume(r0, mem));
                }
                Ok(Ok(Flow::TailCall(token))) => {
                    let why = if !self.tail_calls {
                        "this run does not perform tail calls (use run_outcome)"
                    } else if self.callbacks != 0 || call_fp != self.fp {
                        "tail call from a subprogram or callback"
                    } else {
                        self.tail_call = Some(token);
                        return self.unwind(0);
                    };
                    return self.fault(pc, FaultKind::TailCall(why));
                }
                Ok(Err(e)) => return self.fault(pc, error(e)),
                Err(payload) => {
                    self.panic = Some(payload);
                    return self.unwind(0);
                }
            }
        }
    }

    /// Runs the callback starting at slot `target` with `args`, in the frame below the
    /// caller's (at `call_fp`), through the entry stub; its `r0`, or the [`Ret`] that passes
    /// an unwind on to the caller.
    fn callback(&mut self, pc: usize, call_fp: u64, target: u64, args: [u64; 5]) -> Result<u64, Ret> {
        // SAFETY: `prog` points to the running program, borrowed by `run` for the whole run.
        let prog = unsafe { &*self.prog };
        let Some(entry) = prog.callback_entry(target) else {
            return Err(self.fault(pc, FaultKind::BadCallxTarget { value: target, what: "callback instruction index" }));
        };
        // The caller's frame index, then the callback's chain below it.
        let depth = (self.fp.wrapping_sub(call_fp) / STACK_SIZE as u64) as usize;
        if depth + entry.height >= MAX_CALL_FRAMES {
            return Err(self.fault(pc, FaultKind::CallDepth { limit: MAX_CALL_FRAMES }));
        }
        let outer = self.saved_rsp;
        self.callbacks += 1;
        // SAFETY: as in `run`; the stub enters a subprogram of the same program, whose frame
        // (`fp`) is within the memory's stack (checked against the frame limit above).
        let stub: EntryFn = unsafe { std::mem::transmute::<*const u8, EntryFn>(prog.entry_ptr()) };
        // SAFETY: as for the entry stub in `run`: the program only touches `mem` and calls out
        // only through this environment; no reference derived from it is live here.
        let r0 = unsafe { stub(self, entry.addr as u64, call_fp - STACK_SIZE as u64, &args) };
        self.callbacks -= 1;
        self.saved_rsp = outer;
        if self.unwinding {
            return Err(Ret { value: r0, status: outer });
        }
        Ok(r0)
    }
}

/// Reborrows the environment a trampoline was given.
///
/// # Safety
/// `env` must be the pointer `run` passed to the entry stub, during that run.
unsafe fn env<'e>(env: *mut Env) -> &'e mut Env {
    // SAFETY: per the contract, `env` points to `run`'s live `Env`, which nothing else
    // accesses while compiled code (suspended in this trampoline) runs.
    unsafe { &mut *env }
}

extern "sysv64" fn call_helper<H: Helpers + ?Sized>(a: u64, b: u64, c: u64, d: u64, e: u64, env_ptr: *mut Env) -> Ret {
    // SAFETY: compiled code passes the run's environment as the sixth argument.
    let env = unsafe { env(env_ptr) };
    let (pc, id) = ((env.call >> 32) as usize, env.call as u32 as i32);
    env.dispatch::<H>(pc, |h, mem| h.call_helper(id, [a, b, c, d, e], mem), |error| FaultKind::Helper { id, error })
}

extern "sysv64" fn call_kfunc<H: Helpers + ?Sized>(a: u64, b: u64, c: u64, d: u64, e: u64, env_ptr: *mut Env) -> Ret {
    // SAFETY: compiled code passes the run's environment as the sixth argument.
    let env = unsafe { env(env_ptr) };
    let pc = (env.call >> 32) as usize;
    // SAFETY: `prog` is the running program, borrowed by `run` for the whole run.
    let Some(Insn::Call(CallTarget::Kfunc { btf_id, off })) = (unsafe { (*env.prog).code().get(pc).copied() }) else {
        unreachable!("kfunc trampoline called from pc {pc}, which is no kfunc call");
    };
    env.dispatch::<H>(
        pc,
        |h, mem| h.call_kfunc(btf_id, off, [a, b, c, d, e], mem),
        |error| FaultKind::Kfunc { btf_id, module: off, error },
    )
}

extern "sysv64" fn call_x<H: Helpers + ?Sized>(a: u64, b: u64, c: u64, d: u64, e: u64, env_ptr: *mut Env) -> Ret {
    // SAFETY: compiled code passes the run's environment as the sixth argument.
    let env = unsafe { env(env_ptr) };
    let (pc, value) = ((env.call >> 32) as usize, env.callx_value);
    let Ok(id) = i32::try_from(value) else {
        return env.fault(pc, FaultKind::BadCallxTarget { value, what: "helper id" });
    };
    env.dispatch::<H>(pc, |h, mem| h.call_helper(id, [a, b, c, d, e], mem), |error| FaultKind::Helper { id, error })
}

extern "sysv64" fn load_packet(ctx: u64, offset: u64, size: u64, pc: u64, _: u64, env_ptr: *mut Env) -> Ret {
    // SAFETY: compiled code passes the run's environment as the sixth argument.
    let env = unsafe { env(env_ptr) };
    let pc = pc as usize;
    // SAFETY: as in `Env::dispatch`: the run's memory, unused by anything else meanwhile.
    let mem = unsafe { &*(env.mem as *const Memory<'_>) };
    let size = match size {
        1 => Size::B,
        2 => Size::H,
        _ => Size::W,
    };
    match hive_interp::packet::ld_packet(mem, ctx, offset, size) {
        Ok(Some(v)) => Ret { value: v as u64, status: 0 },
        Ok(None) => Ret { value: 0, status: 1 },
        Err(kind) => env.fault(pc, kind),
    }
}

extern "sysv64" fn fell_off_end(pc: u64, _: u64, _: u64, _: u64, _: u64, env_ptr: *mut Env) -> Ret {
    // SAFETY: compiled code passes the run's environment as the sixth argument.
    let env = unsafe { env(env_ptr) };
    env.fault(pc as usize, FaultKind::FellOffEnd)
}

/// Runs `prog` (see [`JitProgram::run`] for the contract).
///
/// # Safety
/// As [`JitProgram::run`].
#[inline]
pub(crate) unsafe fn run<H: Helpers + ?Sized>(
    prog: &JitProgram,
    mem: &mut Memory<'_>,
    helpers: &mut H,
    args: [u64; 5],
    tail_calls: bool,
) -> Result<Outcome, Fault> {
    if let Some(expected) = prog.native_type()
        && !prog.native_type_matches(expected, std::any::type_name::<H>())
    {
        let kind = FaultKind::Unsupported("helpers of another type than the program's direct calls were compiled for");
        return Err(Fault { pc: 0, insn: prog.code().get(0).copied(), kind });
    }
    // Frame 0 is the interpreter's frame 0: the top 512 bytes of the memory's stack, zeroed
    // unless the embedder vouches that the program never reads stack it did not write.
    let fp = mem.stack_base() + hive_interp::STACK_BYTES as u64;
    if prog.options().zero_stack {
        match mem.slice_mut(fp - STACK_SIZE as u64, STACK_SIZE) {
            Ok(frame) => frame.fill(0),
            Err(e) => {
                return Err(Fault { pc: 0, insn: prog.code().get(0).copied(), kind: FaultKind::Memory(e) });
            }
        }
    }
    // One raw pointer both the trampolines and direct helpers derive their access from.
    let mut helpers: *mut H = helpers;
    let mut env = Env {
        saved_rsp: 0,
        helper: call_helper::<H>,
        kfunc: call_kfunc::<H>,
        callx: call_x::<H>,
        packet: load_packet,
        trap: fell_off_end,
        call: 0,
        callx_value: 0,
        fp,
        call_fp: fp,
        native_ctx: helpers as *mut (),
        mem: mem as *mut Memory<'_> as *mut (),
        helpers: &mut helpers as *mut *mut H as *mut (),
        prog,
        tail_calls,
        callbacks: 0,
        unwinding: false,
        tail_call: None,
        fault: None,
        panic: None,
    };
    // SAFETY: `entry_ptr` is the entry stub of this program's code, which lives (read and
    // execute only) as long as `prog`; the stub follows the System V ABI for
    // `EntryFn`: it saves and restores every callee-saved
    // register, keeps `rsp` aligned at every call, and returns through its own epilogue
    // even when a trampoline unwinds.
    let entry: EntryFn = unsafe { std::mem::transmute::<*const u8, EntryFn>(prog.entry_ptr()) };
    // SAFETY: the compiled code touches only the memory `mem` describes (its stack and the
    // regions), as the caller of `run` guarantees, and calls out only through `env`.
    let r0 = unsafe { entry(&mut env, prog.main_addr() as u64, fp, &args) };
    if let Some(payload) = env.panic.take() {
        resume_unwind(payload);
    }
    match (env.fault.take(), env.tail_call) {
        (Some(fault), _) => Err(fault),
        (None, Some(token)) => Ok(Outcome::TailCall(token)),
        (None, None) => Ok(Outcome::Return(r0)),
    }
}
