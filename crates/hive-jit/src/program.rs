//! Compiling a program into executable memory, and running it.

use std::sync::atomic::{AtomicUsize, Ordering};

use dynasmrt::{AssemblyOffset, ExecutableBuffer, mmap::MutableBuffer};
use hive_interp::{BPF_MAX_LOOPS, CallxMode, Fault, Helpers, Memory, Outcome};
use hive_isa::Code;

use crate::error::JitError;
use crate::native::{Natives, Table};
use crate::{analysis, compiler, entry};

/// How programs are compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JitOptions {
    /// `may_goto` iterations per frame before it starts jumping (default
    /// [`BPF_MAX_LOOPS`], as in the interpreter).
    pub may_goto_loops: u64,
    /// Zero each bpf-to-bpf callee's 512-byte frame on entry, as the interpreter does (frame 0
    /// is always zeroed). A verified program never reads stack it did not write, so this only
    /// matters for agreement with the interpreter on unverified programs.
    pub zero_frames: bool,
    /// Meaning of `callx`: only [`CallxMode::HelperId`] is compiled.
    pub callx: CallxMode,
    /// Use BMI2 `shlx`/`shrx`/`sarx` for register-count shifts (default: when the CPU has
    /// them). Off, shifts go through `cl`.
    pub bmi2: bool,
    /// The BTF ids the embedder gave `bpf_iter_num_new`, `bpf_iter_num_next` and
    /// `bpf_iter_num_destroy` (module 0), if any: calls to them are compiled inline with the
    /// kernel's semantics (`kernel/bpf/bpf_iter.c`) instead of going through
    /// [`hive_interp::Helpers::call_kfunc`]. Default `None`: every kfunc goes to the helpers.
    pub iter_num_kfuncs: Option<[i32; 3]>,
    /// Zero frame 0 (the main program's 512 bytes of stack) before each run, as the
    /// interpreter does (default). A verified program never reads stack it has not written,
    /// so embedders running only verified programs can turn this off and save the per-run
    /// clearing, as the kernel does.
    pub zero_stack: bool,
    /// Align the first instruction of every loop (the target of a backward jump) to this
    /// many bytes with `nop`s (default 64; 0 or 1: no alignment).
    pub align_loops: u8,
    /// Compile `bpf_loop(n, callback, ctx, flags)` (helper 181) in line, as the kernel's
    /// verifier does (`inline_bpf_loop`), when the callback is a function reference loaded
    /// into `r2` in the same block: `-EINVAL` for non-zero flags, `-E2BIG` for more than
    /// [`BPF_MAX_LOOPS`] iterations, else `callback(i, ctx)` for `i` in `0..n` (as a
    /// bpf-to-bpf call) until it returns non-zero; the result is the number of calls. Default
    /// off: `bpf_loop` goes to the helpers, which call back through the trampoline.
    pub inline_bpf_loop: bool,
    /// Constant blinding, as the kernel's `bpf_jit_harden`: no immediate of the program
    /// appears in the machine code (each is loaded as `imm ^ key` and un-masked at run
    /// time, with a fresh random key), against JIT spraying by untrusted program authors.
    /// Costs an instruction or two per immediate. Default off.
    pub blind_constants: bool,
}

impl Default for JitOptions {
    fn default() -> Self {
        JitOptions {
            may_goto_loops: BPF_MAX_LOOPS,
            zero_frames: true,
            callx: CallxMode::HelperId,
            bmi2: host_has_bmi2(),
            iter_num_kfuncs: None,
            zero_stack: true,
            align_loops: 64,
            inline_bpf_loop: false,
            blind_constants: false,
        }
    }
}

impl JitOptions {
    /// The options matching an interpreter configuration (`may_goto` budget and `callx`
    /// mode; the budget and strictness have no JIT equivalent).
    pub fn from_interp(options: &hive_interp::Options) -> Self {
        JitOptions { may_goto_loops: options.may_goto_loops, callx: options.callx, ..JitOptions::default() }
    }

    /// [`Self::iter_num_kfuncs`] from the embedder's kfunc ids by name: `Some` when `id`
    /// knows all three of `bpf_iter_num_new`, `_next` and `_destroy`.
    pub fn iter_num_ids(id: impl Fn(&str) -> Option<i32>) -> Option<[i32; 3]> {
        Some([id("bpf_iter_num_new")?, id("bpf_iter_num_next")?, id("bpf_iter_num_destroy")?])
    }
}

fn host_has_bmi2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("bmi2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// A compiled program: read-execute machine code plus what a run needs to report faults.
///
/// Compiled code is immutable and position-independent; one `JitProgram` may run on many
/// threads at once, each run with its own [`Memory`].
#[derive(Debug)]
pub struct JitProgram {
    exec: ExecutableBuffer,
    code: Code,
    options: JitOptions,
    /// The helper type direct calls were compiled for ([`compile_with`]), if any.
    native_type: Option<&'static str>,
    /// Per slot: offset of its machine code (`u32::MAX` for the second slot of `lddw`).
    offsets: Vec<u32>,
    /// Address of the last helper type name found equal to `native_type`: runs compare
    /// this address instead of the bytes.
    native_type_seen: AtomicUsize,
    /// Address of the entry stub in `exec` (which never moves).
    entry_addr: usize,
    /// Whether nothing the program runs calls into the host (its stub then takes frame 0's
    /// `r10` instead of an environment).
    env_free: bool,
    /// Per subprogram, in slot order: where the entry stub may enter (the main program for a
    /// run, any subprogram for a helper's callback).
    callbacks: Vec<CallbackEntry>,
}

/// A subprogram as the target of a helper's callback ([`hive_interp::Flow::Call`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallbackEntry {
    /// Its first slot (what `lddw rX, func` loads).
    pub start: usize,
    /// Address of its prologue.
    pub addr: usize,
    /// Frames its deepest chain of bpf-to-bpf calls occupies, its own included.
    pub height: usize,
}

/// Compiles `code`. Refuses (with a [`JitError`], never a panic) what the JIT does not
/// handle, so the caller can fall back to the interpreter.
///
/// ```
/// use hive_isa::{Code, RawInsn};
/// use hive_interp::{Memory, NoHelpers};
/// // r0 = 6; r0 *= 7; exit
/// let code = Code::decode(&[
///     RawInsn::new(0xb7, 0, 0, 0, 6),
///     RawInsn::new(0x27, 0, 0, 0, 7),
///     RawInsn::new(0x95, 0, 0, 0, 0),
/// ]).unwrap();
/// let prog = hive_jit::compile(&code, &hive_jit::JitOptions::default()).unwrap();
/// let mut mem = Memory::new();
/// // SAFETY: the program touches no memory.
/// assert_eq!(unsafe { prog.run(&mut mem, &mut NoHelpers, [0; 5]) }, Ok(42));
/// ```
pub fn compile(code: &Code, options: &JitOptions) -> Result<JitProgram, JitError> {
    compile_table(code, options, &Table::default(), None)
}

/// Compiles `code` like [`compile`], calling the helpers `natives` names directly and
/// inlining or calling directly the lookups of the maps it describes (see [`Natives`]). The
/// program then runs only with helpers of type `H` ([`JitProgram::run`] refuses others
/// with a fault).
pub fn compile_with<H>(code: &Code, options: &JitOptions, natives: &Natives<H>) -> Result<JitProgram, JitError> {
    let name = (!natives.table.is_empty()).then(Natives::<H>::type_name);
    compile_table(code, options, &natives.table, name)
}

fn compile_table(
    code: &Code,
    options: &JitOptions,
    natives: &Table,
    native_type: Option<&'static str>,
) -> Result<JitProgram, JitError> {
    if !cfg!(target_arch = "x86_64") {
        return Err(JitError::Unsupported { pc: 0, what: "a host other than x86-64" });
    }
    if options.callx != CallxMode::HelperId {
        return Err(JitError::Unsupported { pc: 0, what: "callx in instruction-index mode" });
    }
    let subs = analysis::analyze_with(code, options.inline_bpf_loop)?;
    let compiler::Generated { bytes, entry, sub_offsets, offsets } = compiler::generate(code, &subs, options, natives)?;
    // W^X: the pages are mapped read-write, filled, then switched to read-execute.
    let memory = |e: std::io::Error| JitError::ExecutableMemory(e.to_string());
    let mut buf = MutableBuffer::new(bytes.len()).map_err(memory)?;
    buf.set_len(bytes.len());
    buf.copy_from_slice(&bytes);
    let exec = buf.make_exec().map_err(memory)?;
    let entry_addr = exec.ptr(AssemblyOffset(entry)) as usize;
    let callbacks = subs
        .iter()
        .zip(&sub_offsets)
        .map(|(s, &off)| CallbackEntry {
            start: s.start,
            addr: exec.ptr(AssemblyOffset(off as usize)) as usize,
            height: s.height,
        })
        .collect();
    Ok(JitProgram {
        entry_addr,
        env_free: subs[0].env_free,
        callbacks,
        exec,
        code: code.clone(),
        options: *options,
        native_type,
        offsets,
        native_type_seen: AtomicUsize::new(0),
    })
}

impl JitProgram {
    /// Runs the program with `r1`-`r5` = `args` and returns `r0` at its final `exit`, like
    /// [`hive_interp::Vm::run`]: the stack frames are `mem`'s (frame 0 zeroed first), helper
    /// and kfunc calls go to `helpers` with `mem`, a helper's [`hive_interp::Flow::Exit`]
    /// ends the run with its value, and a helper's [`hive_interp::Flow::Call`] runs the
    /// callback in compiled code, in the next frame, handing its `r0` to
    /// [`Helpers::resume`]. A helper error, a bad `callx` or callback target, a callback too
    /// deep for the frame limit, a tail call ([`hive_interp::Flow::TailCall`]: see
    /// [`Self::run_outcome`]) or a packet access without a packet ends the run with the same
    /// [`Fault`] the interpreter reports (the instruction is the call's); a helper's panic
    /// propagates once compiled code has left.
    ///
    /// # Safety
    ///
    /// Compiled code checks nothing at run time. The caller guarantees that, run on these
    /// `args` and this `mem`, the program:
    /// - only reads and writes memory inside `mem`'s regions (honouring read-only ones) and
    ///   the live part of its stack (its own frame and its callers');
    /// - terminates (there is no instruction budget);
    /// - reads no register that the verifier would consider unreadable (`r1`-`r5` after a
    ///   call, or registers never written): their values are unspecified.
    ///
    /// That is what Hive's verifier proves (`hive-verifier`, `Assurance::Safe`); only such
    /// programs, or trusted ones (the test corpora, kernel-verified generated programs),
    /// may be run.
    #[allow(unsafe_code)]
    #[inline]
    pub unsafe fn run<H: Helpers + ?Sized>(
        &self,
        mem: &mut Memory<'_>,
        helpers: &mut H,
        args: [u64; 5],
    ) -> Result<u64, Fault> {
        // SAFETY: the caller upholds the contract above, which is `entry::run`'s.
        match unsafe { entry::run(self, mem, helpers, args, false) }? {
            Outcome::Return(v) => Ok(v),
            Outcome::TailCall(_) => unreachable!("tail calls fault when not allowed"),
        }
    }

    /// Like [`Self::run`], but a helper's [`hive_interp::Flow::TailCall`] from the main
    /// program's frame (not from a subprogram or a callback) ends the run with
    /// [`Outcome::TailCall`], for an embedder that implements `bpf_tail_call` by running the
    /// target program next, as with [`hive_interp::Vm::run_outcome`].
    ///
    /// # Safety
    ///
    /// As [`Self::run`].
    #[allow(unsafe_code)]
    #[inline]
    pub unsafe fn run_outcome<H: Helpers + ?Sized>(
        &self,
        mem: &mut Memory<'_>,
        helpers: &mut H,
        args: [u64; 5],
    ) -> Result<Outcome, Fault> {
        // SAFETY: the caller upholds the contract above, which is `entry::run`'s.
        unsafe { entry::run(self, mem, helpers, args, true) }
    }

    /// The program it was compiled from.
    pub fn code(&self) -> &Code {
        &self.code
    }

    /// The options it was compiled with.
    pub fn options(&self) -> &JitOptions {
        &self.options
    }

    /// Per instruction slot, the offset of its machine code in [`Self::machine_code`]
    /// (`None` for the second slot of `lddw`).
    pub fn insn_offset(&self, pc: usize) -> Option<usize> {
        self.offsets.get(pc).filter(|&&o| o != u32::MAX).map(|&o| o as usize)
    }

    /// Per instruction slot, the offset of its machine code (`u32::MAX` for the second slot
    /// of `lddw`): what [`crate::disassemble_annotated`] takes.
    pub fn insn_offsets(&self) -> &[u32] {
        &self.offsets
    }

    /// The machine code as Intel-syntax assembly, each BPF instruction (kernel syntax)
    /// before its x86 code; the entry stub and out-of-line code show without one.
    pub fn disassemble(&self) -> String {
        crate::disasm::disassemble_annotated(self.machine_code(), &self.code, &self.offsets, &mut |_, _| {})
    }

    /// The machine code (entry stub included), e.g. for a disassembler.
    pub fn machine_code(&self) -> &[u8] {
        &self.exec
    }

    /// The helper type the program's direct calls expect, if it has any.
    pub(crate) fn native_type(&self) -> Option<&'static str> {
        self.native_type
    }

    /// Whether `name` (a helper type's name) is `expected`, the name this program's direct
    /// calls were compiled for.
    #[inline]
    pub(crate) fn native_type_matches(&self, expected: &str, name: &'static str) -> bool {
        let addr = name.as_ptr() as usize;
        // Same address and length: the same immutable bytes as a name already compared.
        if self.native_type_seen.load(Ordering::Relaxed) == addr && name.len() == expected.len() {
            return true;
        }
        let same = expected == name;
        if same {
            self.native_type_seen.store(addr, Ordering::Relaxed);
        }
        same
    }

    /// Address of the entry stub.
    #[inline]
    pub(crate) fn entry_ptr(&self) -> *const u8 {
        self.entry_addr as *const u8
    }

    /// Whether nothing the program runs calls into the host.
    #[inline]
    pub(crate) fn env_free(&self) -> bool {
        self.env_free
    }

    /// Address of the main program's prologue.
    #[inline]
    pub(crate) fn main_addr(&self) -> usize {
        self.callbacks[0].addr
    }

    /// The subprogram starting at `slot`, as a callback target.
    pub(crate) fn callback_entry(&self, slot: u64) -> Option<CallbackEntry> {
        let i = self.callbacks.binary_search_by_key(&slot, |c| c.start as u64).ok()?;
        Some(self.callbacks[i])
    }
}
