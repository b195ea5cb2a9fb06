//! # hive-jit: an x86-64 compiler for eBPF
//!
//! This crate turns a decoded program ([`hive_isa::Code`]) into x86-64 machine code with
//! exactly the semantics of the reference interpreter ([`hive_interp`]), which stays its
//! oracle: every corpus and every generated program runs on both and must agree. It is a
//! template compiler in the kernel's style: one pass, one short x86 sequence per BPF
//! instruction, each BPF register pinned to one x86 register, no intermediate form, plus a
//! peephole layer over groups of adjacent instructions (see *Code quality* below). Code
//! generation uses `dynasmrt` (a dynamic label for each branch target; forward branches
//! take the 8-bit form when a size bound proves they reach); compiling 1,000 instructions
//! takes about 85 µs, and 4,096 about 450 µs, on the shared 2-core development machine,
//! executable memory included (`examples/compile_time.rs`).
//!
//! ```
//! use hive_interp::{Memory, NoHelpers, RegionKind};
//! use hive_isa::{Code, RawInsn};
//! // r0 = *(u32 *)(r1 + 0); r0 += r2; exit
//! let code = Code::decode(&[
//!     RawInsn::new(0x61, 0, 1, 0, 0),
//!     RawInsn::new(0x0f, 0, 2, 0, 0),
//!     RawInsn::new(0x95, 0, 0, 0, 0),
//! ]).unwrap();
//! let prog = hive_jit::compile(&code, &hive_jit::JitOptions::default()).unwrap();
//! let mut input = 40u32.to_le_bytes();
//! let mut mem = Memory::new();
//! let addr = mem.add_region(RegionKind::Input, &mut input);
//! // SAFETY: the program reads 4 bytes at r1, which is `input`.
//! assert_eq!(unsafe { prog.run(&mut mem, &mut NoHelpers, [addr, 2, 0, 0, 0]) }, Ok(42));
//! ```
//!
//! ## Safety contract
//!
//! Compiled code performs no run-time memory check: safety is the verifier's job (a later
//! part of Hive), as in the kernel. Until the verifier exists, [`JitProgram::run`] is an
//! `unsafe fn` whose contract is "this program, on these arguments, only touches memory the
//! [`hive_interp::Memory`] describes, and terminates": only programs proven safe, or trusted
//! corpora, may be run. `unsafe` lives in one module (`entry`: the transmute to the entry
//! stub, the call into it, and the trampolines' pointer reborrows), each with a `SAFETY`
//! comment; the rest of the crate denies it. Executable memory is W^X: code is assembled into
//! a `Vec`, copied into a fresh read-write mapping, which is then switched to read-execute
//! (`MutableBuffer::make_exec`) before anything runs; no page is ever writable and executable.
//!
//! ## Register map
//!
//! | BPF | x86-64 | | BPF | x86-64 |
//! |---|---|---|---|---|
//! | `r0` | `rax` | | `r6` | `rbx` |
//! | `r1` | `rdi` | | `r7` | `r13` |
//! | `r2` | `rsi` | | `r8` | `r14` |
//! | `r3` | `rdx` | | `r9` | `r15` |
//! | `r4` | `rcx` | | `r10` | `rbp` |
//! | `r5` | `r8`  | | | |
//!
//! The kernel's map (`reg2hex`). `r1`-`r5` are the System V argument registers 1-5, so a
//! helper call needs no argument moves; `r6`-`r10` are System V callee-saved, so they survive
//! helper calls for free, as BPF requires; `r0` is the return register of both. `r12` is not
//! used for a BPF register (as a base it needs a SIB byte); it holds the current frame's
//! `may_goto` budget instead (callee-saved, so helpers preserve it). `r9` carries the run
//! environment into calls (System V argument 6) and is scratch elsewhere, as are `r10` and
//! `r11`. Divisions need `rax`/`rdx` and `cl`-shifts need `rcx`: those sequences save the BPF
//! registers living there in scratch registers and restore them (BMI2 `shlx`/`shrx`/`sarx`
//! avoid `cl` when the CPU has them).
//!
//! ## Frames and calling convention
//!
//! The BPF stack is the [`hive_interp::Memory`]'s own stack buffer, laid out as in the
//! interpreter: frame 0's `r10` is the top of the buffer and frame `k`'s is `512 * k` below,
//! so helpers see stack pointers they can validate, and engines agree even on addresses. The
//! run zeroes frame 0 (unless [`JitOptions::zero_stack`] is off); with [`JitOptions::zero_frames`] (the default) each callee zeroes its
//! frame on entry, as the interpreter does.
//!
//! Native frames hold only return addresses and saved registers. A bpf-to-bpf call is
//! `rbp -= 512; call sub; rbp += 512`. Each subprogram's prologue pushes those of
//! `rbx`/`r13`/`r14`/`r15` (`r6`-`r9`) it writes, then `r12` and a fresh `may_goto` budget if
//! it contains a `may_goto`, then the environment pointer, padding `rsp` to 16 bytes; the
//! epilogue pops them, so `r6`-`r9` are callee-saved and `r0` carries the result. As in the
//! kernel's JIT, `r1`-`r5` are clobbered by calls and a callee's `r0` and `r6`-`r9` start with
//! whatever they held, where the interpreter preserves the former and zeroes the latter:
//! values the verifier never lets a program read. Because the call graph is static (`callx` only calls
//! helpers), the compiler refuses recursion and chains of more than
//! [`hive_isa::MAX_CALL_FRAMES`] frames instead of checking depth at run time; it also
//! refuses writes to `r10`, which the verifier forbids and frame chaining relies on.
//!
//! A host call enters through a stub, `extern "sysv64" fn(env, target, fp, args) -> u64`,
//! that saves the host's callee-saved registers the program changes, loads `r1`-`r5` and `r10`,
//! zeroes `r0` and those of `r6`-`r9` the program writes, and calls the subprogram at `target`:
//! the main program for a run.
//!
//! ## Helpers, `Flow::Exit`, callbacks and tail calls
//!
//! Helpers are written once, against [`hive_interp::Helpers`], for both engines. A `call N`
//! stores `pc << 32 | N` in the run environment and calls a trampoline monomorphised for the
//! embedder's helper type (`call [r9 + offset]`: one predictable indirect call, then a static
//! call of `H::call_helper`); the trampoline hands `r1`-`r5` and the run's `Memory` to the
//! helper, which validates its pointer arguments as it would under the interpreter. Kfuncs and
//! `callx` (helper-id mode, like the interpreter's default) use sibling trampolines.
//!
//! Every trampoline returns `(value, status)` in `rax:rdx`. Status 0 continues with `r0 =
//! value`. To end the run early — [`hive_interp::Flow::Exit`], a helper error, a bad `callx`
//! target, a packet fault, a panic — the trampoline returns the entry stub's saved `rsp` as
//! status: the call site's `test rdx, rdx; jnz unwind` reaches a stub that does `rsp = rdx`
//! and returns `rax` through the entry stub, discarding every BPF frame at once. Errors travel
//! in the environment and come out of [`JitProgram::run`] as the same [`hive_interp::Fault`]
//! the interpreter reports; a panic is caught in the trampoline and resumed after compiled
//! code has returned, so Rust unwinding never crosses JIT frames.
//!
//! A helper that calls back into the program ([`hive_interp::Flow::Call`]: `bpf_loop`,
//! `bpf_for_each_map_elem`) gets its callback run by the trampoline, through the same stub,
//! entering the callback's subprogram in the frame below the caller's (checked against
//! [`hive_isa::MAX_CALL_FRAMES`] with the callback's own call chain); the stub records its
//! own `rsp` as the unwind target; the callback's `r0` goes to [`hive_interp::Helpers::resume`],
//! as in the interpreter. An unwind inside a callback returns to that stub, whose trampoline
//! restores the outer target and passes the unwind on, so no Rust frame is ever skipped. A
//! [`hive_interp::Flow::TailCall`] from the main program's frame ends the run with
//! [`hive_interp::Outcome::TailCall`] ([`JitProgram::run_outcome`]); the embedder runs the
//! target next.
//!
//! ## Direct helpers and inlined map lookups
//!
//! [`compile_with`] takes [`Natives`]: what the embedder knows when it compiles. A helper
//! with a native function (`extern "sysv64" fn(r1, ..., r5, &mut H) -> u64`) is called
//! directly: BPF `r1`-`r5` already sit in the System V argument registers, the sixth is the
//! helper object the run was given, the result is `r0`; no trampoline, no status, no
//! `catch_unwind` (a direct helper must not panic: it would abort), no live-depth
//! bookkeeping and no checked [`hive_interp::Memory`] (pointer arguments are the raw
//! addresses the verifier vouched for). `bpf_map_lookup_elem` on a map the compiler can
//! identify at the call ([`CallSiteFacts`] from the verifier, or an `lddw r1, map` earlier in
//! the block) is inlined for arrays as the kernel's `array_map_gen_lookup` ([`ArrayLayout`]:
//! bounds check, scale, add base; fused with the NULL check that follows) and otherwise
//! becomes a direct call of the map's own lookup. With [`JitOptions::inline_bpf_loop`],
//! `bpf_loop` with a callback known in the block is compiled as the kernel's verifier
//! inlines it: a loop of bpf-to-bpf calls. Everything else keeps the trampolines
//! above, the checked path for helpers the runtime cannot trust yet. A program compiled with
//! natives records the helper type and refuses (with a fault) to run with another.
//!
//! ## Code quality
//!
//! Beyond one template per instruction, the compiler recognises groups whose second and
//! later members no jump lands on (`emit::fuse`, `emit::jump`, `emit::call`):
//! `mov` + `add`/`sub`/`mul`/`<<`/`and` pairs become `lea`, three-operand `imul` or
//! `movzx`; `<<= k; >>= k` pairs become `movsx`/`movzx`; rotates written as two shifts and
//! `|` become `rol` (without the temporary when a scan shows it dead); a load whose value
//! only feeds the next operation is folded into it (`add eax, [rbp - 8]`); a conditional
//! jump over one or two 64-bit moves becomes `cmov` (branch-free `min`/`max`/clamps); a
//! `can_loop` latch (`may_goto; goto head`) is one fused `sub r12, 1; jae head`, and
//! `if c goto +1; goto L` one `j!c L`; `if r == 0` after an ALU operation on `r` reuses its
//! flags; a 64-bit operation whose result is zero-extended right away (`op; r <<= 32;
//! r >>= 32`, clang's widening of a `u32`) is the 32-bit operation; multiplications by 2, 3,
//! 5, 9 are `lea` and by powers of two shifts; immediates take 8-bit forms.
//!
//! Within each basic block the compiler tracks which bits of each register are known
//! (`facts`: the verifier's tnums, computed by the compiler itself so that they hold for any
//! program), starting each block from what the embedder's verifier proved there when it
//! says ([`Natives::block_entry`]: Hive's runtime passes `hive_verifier::BlockFacts`), else
//! from nothing: zero-extensions of zero-extended registers disappear, a division skips the
//! zero and `-1` tests its divisor cannot need and runs in 32 bits when both operands of an
//! unsigned 64-bit one fit, a register holding a known divisor or shift count is used as an
//! immediate, and a conditional jump the known bits settle becomes a `jmp` or nothing.
//!
//! Loop heads are aligned to 64 bytes ([`JitOptions::align_loops`]: a small loop then sits in
//! one 64-byte fetch window instead of straddling two, which measured up to twice as fast).
//! A run costs about 3 ns for a program that never calls into the host (its stub takes frame
//! 0's `r10` and falls into the program; no environment is built) and 4-5 ns otherwise;
//! frame 0 is zeroed before each run unless [`JitOptions::zero_stack`] is off.
//!
//! Beyond single instructions: moves in front of a conditional jump go only on the edges
//! that read them (`emit::sink`); an addition that only moves the next access's address goes
//! into its displacement; and a decision tree on one register (clang's `switch` for BPF,
//! which has no indirect jump) gets a table lookup in front of it (`switch`, `emit::switch`):
//! loads of the constants it chooses, or one indirect jump to the value's case.
//! [`JitProgram::disassemble`] shows the result with the BPF instructions interleaved
//! (`hive bench --disasm NAME`).
//!
//! ## Constant blinding
//!
//! With [`JitOptions::blind_constants`] (the kernel's `bpf_jit_harden`, for programs from
//! untrusted authors) no immediate the program chose is encoded in the machine code: each is
//! loaded into the scratch `r11` as `imm ^ key` and un-masked with a `xor`, a fresh random key
//! per immediate, and the register form of the instruction is used (`emit::blind`).
//!
//! `LD_ABS`/`LD_IND` call the interpreter's own routine ([`hive_interp::packet::ld_packet`])
//! with `r6`, the offset and the size. Status 1 means the load
//! failed: the current function returns 0, as in the kernel's rewrite and the interpreter.
//!
//! Before each trampoline call compiled code stores the calling frame's `r10`; the trampoline
//! marks that frame and its callers live in the `Memory` ([`hive_interp::Memory::set_live_depth`]),
//! so a helper called from a subprogram may take pointers into the subprogram's stack.
//!
//! ## What is refused
//!
//! [`compile`] returns a [`JitError`] (and the runtime falls back to the interpreter) for:
//! layouts the kernel refuses, `lddw` pseudos other than constants and function references
//! (map fds and BTF ids must be resolved by a loader first), recursion or too deep calls,
//! writes to `r10`, 1- or 2-byte read-modify-write atomics, and `callx` in
//! instruction-index mode. Unlike the kernel's layout rules, the program's last instruction
//! may fall through (test_bpf has such programs): reaching the end is the interpreter's
//! `FellOffEnd` fault.
//!
//! ## Semantics
//!
//! Those of hive-interp, bit for bit on every program the verifier accepts: 32-bit operations
//! zero-extend; shifts are masked; division and modulo never trap (`x / 0 = 0`, `x % 0 = x`,
//! `INT_MIN s/ -1 = INT_MIN`, `x s% -1 = 0`), with constant divisors folded; atomics are
//! locked x86 instructions (a `cmpxchg` loop for fetch-or/and/xor); `may_goto` has a
//! per-frame budget of [`JitOptions::may_goto_loops`] in `r12`: it falls through
//! (decrementing) while the budget is positive and jumps once it is 0.
#![deny(unsafe_code)]

mod analysis;
mod compiler;
mod disasm;
mod emit;
mod entry;
mod error;
mod facts;
mod liveness;
mod native;
mod program;
mod regmap;
mod switch;

pub use disasm::disassemble_annotated;
pub use error::JitError;
pub use facts::KnownReg;
pub use native::{ArrayLayout, BPF_FUNC_MAP_LOOKUP_ELEM, CallSiteFacts, MapFacts, NativeHelper, Natives};
pub use program::{JitOptions, JitProgram, compile, compile_with};
