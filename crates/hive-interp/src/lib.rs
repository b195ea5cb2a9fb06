//! # hive-interp: the reference eBPF interpreter
//!
//! This crate runs decoded programs ([`hive_isa::Code`]) with the exact semantics of the Linux
//! kernel's interpreter (`kernel/bpf/core.c`) *after* the verifier's rewrites, and it is the
//! oracle every other Hive engine is compared with. Unlike the kernel, it does not trust the
//! program: even an unverified, hostile program can only end in one of two ways, a value or a
//! [`Fault`] that names the instruction (slot index and text) and the broken rule. It never
//! touches host memory outside the regions it was given, never panics, and never runs forever.
//!
//! ```
//! use hive_interp::{Memory, NoHelpers, Options, RegionKind, Vm};
//! use hive_isa::{Code, RawInsn};
//!
//! // r0 = *(u32 *)(r1 + 0); r0 += r2; exit
//! let code = Code::decode(&[
//!     RawInsn::new(0x61, 0, 1, 0, 0),
//!     RawInsn::new(0x0f, 0, 2, 0, 0),
//!     RawInsn::new(0x95, 0, 0, 0, 0),
//! ]).unwrap();
//! let mut input = 40u32.to_le_bytes();
//! let mut mem = Memory::new();
//! let addr = mem.add_region(RegionKind::Input, &mut input);
//! let mut vm = Vm::new(&code, Options::default());
//! assert_eq!(vm.run(&mut mem, &mut NoHelpers, [addr, 2, 0, 0, 0]), Ok(42));
//! assert_eq!(vm.stats().insns, 3);
//!
//! // The same load from a wild pointer is a fault, not a crash.
//! let fault = vm.run(&mut mem, &mut NoHelpers, [0xdead_0000, 0, 0, 0, 0]).unwrap_err();
//! assert_eq!(fault.pc, 0);
//! assert_eq!(fault.to_string(), "fault at pc 0 (r0 = *(u32 *)(r1 + 0)): read of 4 bytes at 0xdead0000 is outside every region");
//! ```
//!
//! ## Semantics
//!
//! - **ALU.** 32-bit operations work on the low halves and zero-extend the result; shift
//!   amounts are masked (`& 31`, `& 63`). Division never traps, as after the verifier's
//!   `do_misc_fixups`: `x / 0 = 0`, `x % 0 = x` (in 32 bits: the zero-extended low half),
//!   signed `MIN s/ -1 = MIN`, `x s% -1 = 0`, and signed results truncate toward zero.
//!   `movsx`, sign-extending loads, `le`/`be`/`bswap` (`le` truncates on this little-endian
//!   model) follow RFC 9669.
//! - **Atomics** (32/64-bit add/or/and/xor with and without fetch, `xchg`, `cmpxchg`) need a
//!   writable location; 32-bit fetches zero-extend the old value into the register, and
//!   `cmpxchg` compares (the low half of) `r0`. Load-acquire and store-release are plain loads
//!   and stores of any size: a run is single-threaded and owns its memory.
//! - **Jumps.** `JMP32` compares low halves, immediates are sign-extended to 64 bits for
//!   `JMP`. `gotol` (JA32) takes its offset from `imm`.
//! - **`may_goto`** follows the kernel's rewrite: each frame has a counter starting at
//!   [`BPF_MAX_LOOPS`] (8 Mi, [`Options::may_goto_loops`]); while it is positive `may_goto`
//!   decrements it and falls through, once it is 0 `may_goto` jumps (the `can_loop` exit).
//! - **bpf-to-bpf calls** get a fresh, zeroed 512-byte frame with `r1`-`r5` passed and `r0`,
//!   `r6`-`r9` zero, as the kernel interpreter starts each subprogram on its own register
//!   array; on return the caller's registers are all restored except `r0`. More than
//!   [`hive_isa::MAX_CALL_FRAMES`] (8) frames is a fault.
//! - **Helpers** (`call N`) and **kfuncs** (`call kfunc`) go through the embedder's
//!   [`Helpers`]; a helper may end the whole program ([`Flow::Exit`]), which is how the
//!   bpf_conformance "unwind" helper 5 works ([`HelperTable::conformance`]).
//! - **Callbacks.** A helper such as `bpf_loop` calls a subprogram of the program by
//!   answering [`Flow::Call`]: the interpreter runs it in a new frame, exactly like a
//!   bpf-to-bpf call, and hands its `r0` to [`Helpers::resume`], which answers again (another
//!   call, or the helper's return value). The helper keeps its own loop state; nothing in the
//!   interpreter recurses.
//! - **Tail calls.** A helper answering [`Flow::TailCall`] ends the run with
//!   [`Outcome::TailCall`] ([`Vm::run_outcome`]); the embedder runs the target program next
//!   in the same [`Memory`], as the kernel reuses the frame. Only the main program's frame
//!   may tail-call here (the kernel allows it from subprograms only with its JIT).
//! - **`callx reg`** has no kernel meaning (the opcode is reserved). By default
//!   ([`CallxMode::HelperId`]) the register holds a helper id, as bpf_conformance's
//!   `callx.data` expects (`mov r2, 5; callx r2` calls helper 5). [`CallxMode::InsnIndex`]
//!   reads it instead as the slot index of a subprogram, which is what `lddw rX, func`
//!   ([`hive_isa::Pseudo::Func`]) loads in this interpreter.
//! - **`LD_ABS`/`LD_IND`** read the [`Packet`] declared with [`Memory::set_packet`], as the
//!   kernel's `bpf_skb_load_helper_*` do (network byte order, negative `SKF_NET_OFF` and
//!   `SKF_LL_OFF` offsets, paged fragments). A failed load returns 0 from the current
//!   function, exactly like the verifier's rewrite (`bpf_gen_ld_abs`). See [`packet`].
//! - Other pseudo `lddw` (map fds, map values, BTF ids) must be relocated to constants by the
//!   loader; executing one is a [`FaultKind::UnresolvedPseudo`].
//!
//! ## Memory model
//!
//! Guest addresses are host addresses. [`Memory::add_region`] registers a `&mut [u8]` (or
//! [`Memory::add_readonly`] a `&[u8]`) and returns `slice.as_ptr() as u64`; the eight stack
//! frames live in a buffer owned by [`Memory`], frame `k`'s `r10` sitting `512 * k` bytes below
//! frame 0's. Each load, store, atomic and helper access is checked to lie entirely inside one
//! region or inside the live frames (the current one and its callers; returned frames are
//! dead), then performed by slice indexing: no `unsafe`, no host pointer ever dereferenced, and
//! address arithmetic that wraps past zero or past the end simply finds no region. Unaligned
//! accesses are allowed, as on x86. Address 0 is never mapped, so `NULL` contexts fault.
//!
//! Map values are shared with other threads, so they are not `&mut [u8]` but `&[AtomicU64]`
//! words: [`Memory::add_words`] registers such a [`WordRegion`], and a [`Resolver`]
//! ([`Memory::set_resolver`]) supplies them lazily, when an access misses every registered
//! region (a helper returning a pointer to a map value records it where the resolver finds
//! it). Loads and stores on words are relaxed atomic word operations with byte masks; atomic
//! instructions are real atomics (`fetch_add`, `compare_exchange`, ...), so two executors
//! incrementing one counter never lose an update. Registered regions are searched first,
//! so the cost of the fallback is paid only by accesses that need it.
//!
//! ## Termination and registers
//!
//! Every run has an instruction budget ([`Options::budget`], default [`DEFAULT_BUDGET`] =
//! 2^28 instructions, roughly a second); running out is [`FaultKind::Budget`]. Reaching the end
//! of the program without `exit` is [`FaultKind::FellOffEnd`]. By default registers behave
//! like the kernel interpreter's: they start at 0 and `r10` may be overwritten (within the
//! frame; calls restore it). With [`Options::strict`], reading a register that was not written
//! in the current frame faults (on entry `r1`-`r5` and `r10` count as written; after a call
//! `r1`-`r5` no longer do, as the verifier marks them), and so does writing `r10`: this is the
//! refusal bpf_conformance's negative `error.data` (`or r0, r10` with `r0` unset) expects.
//!
//! [`Stats`] ([`Vm::stats`]) counts the instructions and calls of the last run.
//!
//! ## Classic BPF
//!
//! [`classic`] checks classic (cBPF) filters as the kernel's `bpf_check_classic` does and
//! converts them to eBPF like `bpf_convert_filter`, reading a small user-space stand-in for
//! the `sk_buff` ([`classic::skb`]); [`classic::skb::ClassicHelpers`] supplies the helpers
//! behind the ancillary loads (netlink attributes, payload offset, CPU, random).
//!
//! ## Tests
//!
//! Besides per-edge unit tests, `tests/kernel_test_bpf.rs` runs the kernel's own
//! `lib/test_bpf.c` suite (static and generated tests, eBPF and classic) from the shared
//! corpora, and `tests/semantics.rs` runs 100 000 random programs, which must all end in a
//! value or a fault. `examples/speed.rs` measures throughput (about 200 M instructions per
//! second in release builds).
#![forbid(unsafe_code)]

mod alu;
mod atomic;
pub mod classic;
mod fault;
mod helpers;
mod memory;
pub mod packet;
mod vm;
mod words;

pub use fault::{Access, AccessError, Fault, FaultKind};
pub use helpers::{Flow, HelperError, HelperFn, HelperTable, Helpers, NoHelpers, UNWIND_HELPER};
pub use memory::{Memory, RegionInfo, RegionKind, Resolver, STACK_BYTES, WordRegion};
pub use packet::Packet;
pub use vm::{BPF_MAX_LOOPS, CallxMode, DEFAULT_BUDGET, Options, Outcome, Stats, Vm};
