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
use std::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use hive_interp::{Fault, FaultKind, Outcome};
use hive_interp::{Flow, HelperError, Helpers, Memory};
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
/// The entry stub: environment, `r1`-`r5`. What it calls and with which `r10` are in the
/// environment ([`Env::enter`], [`Env::enter_fp`]), so that every argument is a register.
type EntryFn = unsafe extern "sysv64" fn(*mut Env, u64, u64, u64, u64, u64) -> u64;
/// The entry stub of a program that never calls into the host: frame 0's `r10`, `r1`-`r5`.
type BareEntryFn = unsafe extern "sysv64" fn(u64, u64, u64, u64, u64, u64) -> u64;

/// The trampolines for one helper type, in a `'static` table: a run stores one pointer to it
/// instead of five function pointers. Compiled code calls through it at fixed offsets.
#[repr(C)]
pub(crate) struct Trampolines {
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
}

/// The [`Trampolines`] of helper type `H`.
struct TrampolinesOf<H: ?Sized>(std::marker::PhantomData<H>);

impl<H: Helpers + ?Sized> TrampolinesOf<H> {
    const TABLE: Trampolines = Trampolines {
        helper: call_helper::<H>,
        kfunc: call_kfunc::<H>,
        callx: call_x::<H>,
        packet: load_packet,
        trap: fell_off_end,
    };
}

/// Why a run ends other than by its final `exit`; set together with the unwind status.
enum Ending {
    /// A helper's [`Flow::Exit`]: the value is in `rax`.
    Exit,
    /// The token of a helper's tail call.
    TailCall(u64),
    /// A fault.
    Fault(Fault),
    /// A helper's panic, resumed after compiled code returns.
    Panic(Box<dyn Any + Send>),
}

/// Per-run state shared by compiled code and the trampolines. Built for every run, so it
/// holds only what a run needs initialised (each field is a store on the way in): the words
/// compiled code writes before anything reads them start uninitialised.
#[repr(C)]
pub(crate) struct Env {
    /// `rsp` of the entry stub after its pushes: the unwind target. Written by the stub.
    pub saved_rsp: MaybeUninit<u64>,
    /// The trampolines of the run's helper type.
    pub trampolines: &'static Trampolines,
    /// Written before each trampoline call: `pc << 32 | imm` (helper id or kfunc BTF id).
    pub call: MaybeUninit<u64>,
    /// Written before `callx`: the register's value.
    pub callx_value: MaybeUninit<u64>,
    /// Written before each call of the helper, kfunc and `callx` trampolines: the calling
    /// frame's `r10`.
    pub call_fp: MaybeUninit<u64>,
    /// The run's helper object (`*mut H`), the sixth argument of direct helper calls.
    pub native_ctx: *mut (),
    /// Read by the entry stub: the prologue it calls (the main program, or a callback).
    pub enter: u64,
    /// Read by the entry stub: the `r10` of the frame it enters.
    pub enter_fp: u64,
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
    callbacks: u32,
    /// Set with the unwind status: the run is ending, every callback stub on the way returns.
    ending: Option<Ending>,
}

impl Env {
    /// Frame 0's `r10`.
    fn fp(&self) -> u64 {
        // SAFETY: `mem` is the run's memory, as in `with_helpers`; only read here.
        unsafe { (*(self.mem as *const Memory<'_>)).stack_base() + hive_interp::STACK_BYTES as u64 }
    }

    /// The unwind target.
    fn saved_rsp(&self) -> u64 {
        // SAFETY: the entry stub writes it before it enters compiled code, and trampolines
        // run only from compiled code.
        unsafe { self.saved_rsp.assume_init() }
    }

    /// The call word and the caller's `r10` of the call being dispatched.
    fn call_site(&self) -> (u64, u64) {
        // SAFETY: compiled code writes both before it calls the helper, kfunc or `callx`
        // trampoline, whose callers alone read them.
        unsafe { (self.call.assume_init(), self.call_fp.assume_init()) }
    }

    /// Ends the run for `why`: the call site unwinds to the innermost stub with `value` in `rax`.
    fn unwind(&mut self, value: u64, why: Ending) -> Ret {
        self.ending = Some(why);
        Ret { value, status: self.saved_rsp() }
    }

    fn fault(&mut self, pc: usize, kind: FaultKind) -> Ret {
        // SAFETY: `prog` points to the running program, borrowed by `run` for the whole run.
        let insn = unsafe { (*self.prog).code().get(pc).copied() };
        self.unwind(0, Ending::Fault(Fault { pc, insn, kind }))
    }

    /// Runs `call` on the embedder's helpers and the run's memory, with the frames of the
    /// caller at `call_fp` and its callers live; a panic is kept as `Err`.
    fn with_helpers<H: Helpers + ?Sized>(
        &mut self,
        call_fp: u64,
        call: impl FnOnce(&mut H, &mut Memory<'_>) -> Result<Flow, HelperError>,
    ) -> Result<Result<Flow, HelperError>, Box<dyn Any + Send>> {
        let fp = self.fp();
        // SAFETY: `helpers` and `mem` were made by `run` from the `&mut H` and `&mut Memory`
        // it holds for the whole run and does not use while compiled code runs; compiled code
        // is suspended inside this call, and the references die before any callback runs
        // compiled code again, so these are the only live references.
        let (helpers, mem) = unsafe { (&mut **(self.helpers as *mut *mut H), &mut *(self.mem as *mut Memory<'_>)) };
        // Helpers may touch the frames of every active call, the caller's included.
        mem.set_live_depth((fp.wrapping_sub(call_fp) / STACK_SIZE as u64) as usize);
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
        let (_, call_fp) = self.call_site();
        let mut outcome = self.with_helpers(call_fp, call);
        loop {
            match outcome {
                Ok(Ok(Flow::Return(value))) => return Ret { value, status: 0 },
                Ok(Ok(Flow::Exit(value))) => return self.unwind(value, Ending::Exit),
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
                    } else if self.callbacks != 0 || call_fp != self.fp() {
                        "tail call from a subprogram or callback"
                    } else {
                        return self.unwind(0, Ending::TailCall(token));
                    };
                    return self.fault(pc, FaultKind::TailCall(why));
                }
                Ok(Err(e)) => return self.fault(pc, error(e)),
                Err(payload) => return self.unwind(0, Ending::Panic(payload)),
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
        let depth = (self.fp().wrapping_sub(call_fp) / STACK_SIZE as u64) as usize;
        if depth + entry.height >= MAX_CALL_FRAMES {
            return Err(self.fault(pc, FaultKind::CallDepth { limit: MAX_CALL_FRAMES }));
        }
        let outer = self.saved_rsp();
        self.callbacks += 1;
        (self.enter, self.enter_fp) = (entry.addr as u64, call_fp - STACK_SIZE as u64);
        // SAFETY: as in `run`; the stub enters a subprogram of the same program, whose frame
        // (`enter_fp`) is within the memory's stack (checked against the frame limit above).
        let stub: EntryFn = unsafe { std::mem::transmute::<*const u8, EntryFn>(prog.entry_ptr()) };
        let [a, b, c, d, e] = args;
        // SAFETY: as for the entry stub in `run`: the program only touches `mem` and calls out
        // only through this environment; no reference derived from it is live here.
        let r0 = unsafe { stub(self, a, b, c, d, e) };
        self.callbacks -= 1;
        self.saved_rsp = MaybeUninit::new(outer);
        if self.ending.is_some() {
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
    let (call, _) = env.call_site();
    let (pc, id) = ((call >> 32) as usize, call as u32 as i32);
    env.dispatch::<H>(pc, |h, mem| h.call_helper(id, [a, b, c, d, e], mem), |error| FaultKind::Helper { id, error })
}

extern "sysv64" fn call_kfunc<H: Helpers + ?Sized>(a: u64, b: u64, c: u64, d: u64, e: u64, env_ptr: *mut Env) -> Ret {
    // SAFETY: compiled code passes the run's environment as the sixth argument.
    let env = unsafe { env(env_ptr) };
    let pc = (env.call_site().0 >> 32) as usize;
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
    // SAFETY: compiled code writes the register's value before it calls this trampoline.
    let value = unsafe { env.callx_value.assume_init() };
    let pc = (env.call_site().0 >> 32) as usize;
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
    let [a, b, c, d, e] = args;
    if prog.env_free() {
        // SAFETY: `entry_ptr` is this program's entry stub, which lives (read and execute
        // only) as long as `prog`; a program that never calls into the host has a stub of
        // type `BareEntryFn` (frame 0's `r10` first), which saves and restores every
        // callee-saved register it changes and returns.
        let entry: BareEntryFn = unsafe { std::mem::transmute::<*const u8, BareEntryFn>(prog.entry_ptr()) };
        // SAFETY: the compiled code touches only the memory `mem` describes (its stack and the
        // regions), as the caller of `run` guarantees, and calls nothing outside itself.
        return Ok(Outcome::Return(unsafe { entry(fp, a, b, c, d, e) }));
    }
    if let Some(expected) = prog.native_type()
        && !prog.native_type_matches(expected, std::any::type_name::<H>())
    {
        let kind = FaultKind::Unsupported("helpers of another type than the program's direct calls were compiled for");
        return Err(Fault { pc: 0, insn: prog.code().get(0).copied(), kind });
    }
    // One raw pointer both the trampolines and direct helpers derive their access from.
    let mut helpers: *mut H = helpers;
    let mut env = Env {
        saved_rsp: MaybeUninit::uninit(),
        trampolines: &TrampolinesOf::<H>::TABLE,
        call: MaybeUninit::uninit(),
        callx_value: MaybeUninit::uninit(),
        call_fp: MaybeUninit::uninit(),
        native_ctx: helpers as *mut (),
        enter: prog.main_addr() as u64,
        enter_fp: fp,
        mem: mem as *mut Memory<'_> as *mut (),
        helpers: &mut helpers as *mut *mut H as *mut (),
        prog,
        tail_calls,
        callbacks: 0,
        ending: None,
    };
    // SAFETY: `entry_ptr` is the entry stub of this program's code, which lives (read and
    // execute only) as long as `prog`; the stub follows the System V ABI for
    // `EntryFn`: it saves and restores every callee-saved
    // register, keeps `rsp` aligned at every call, and returns through its own epilogue
    // even when a trampoline unwinds.
    let entry: EntryFn = unsafe { std::mem::transmute::<*const u8, EntryFn>(prog.entry_ptr()) };
    // SAFETY: the compiled code touches only the memory `mem` describes (its stack and the
    // regions), as the caller of `run` guarantees, and calls out only through `env`.
    let r0 = unsafe { entry(&mut env, a, b, c, d, e) };
    match env.ending {
        None | Some(Ending::Exit) => Ok(Outcome::Return(r0)),
        Some(Ending::TailCall(token)) => Ok(Outcome::TailCall(token)),
        Some(Ending::Fault(fault)) => Err(fault),
        Some(Ending::Panic(payload)) => resume_unwind(payload),
    }
}
