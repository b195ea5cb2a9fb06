//! Programs on which the host kernel computes something RFC 9669 does not allow.
//!
//! Both were found by the differential harness (`GenConfig::stress()`) on Linux 6.18, both
//! involve a path the verifier prunes at a checkpoint, and both are kernel bugs, not Hive's:
//!
//! - a fetching atomic does not pass precision on to the stack slot it read, so a path with
//!   a different constant in that slot is pruned and the kernel removes code that path runs;
//! - a 32-bit `cmpxchg` whose `r0` is read as 64 bits only beyond a pruning point does not get
//!   its explicit zero-extension, and x86-64's `lock cmpxchg` leaves the upper half of `rax`.
//!
//! Each test loads a minimal program in the kernel, shows (asserts) the divergence, and skips
//! with a printed note when `bpf()` is unavailable or when the kernel computes the RFC result
//! (a kernel with the fix). Hive's interpreter is checked to compute the RFC result.
//! The random program generator keeps clear of each pattern; see the generator's notes.
#![cfg(feature = "kernel")]

use hive_asm::Syntax;
use hive_isa::RawInsn;
use hive_kernel::{LoadOptions, ProgType};

macro_rules! require_kernel {
    () => {
        if let Err(why) = hive_kernel::available() {
            println!("note: skipping: {why}");
            return;
        }
    };
}

/// Precision is not propagated through a fetching atomic (seen on Linux 6.18.44; fixed upstream
/// by 179ee84a8911 "bpf: Fix incorrect pruning due to atomic fetch precision tracking").
///
/// Found by the differential harness: `GenConfig::stress()` seed 1099511627916, whose
/// `w9 = atomic_fetch_or((u32 *)(r10 - 264), w9)` read a slot holding the constant 9 on the
/// path the verifier explored and -938 on a path it pruned; the verifier then judged the
/// fall-through of `if r9 s<= 63 goto +6` dead and removed it.
///
/// Here: the verifier first explores `r6 != 0`, where `fp-8 = 1`, and records a checkpoint at
/// the join (`r2 = 0`; the padding makes the join the first pruning point with at least 8
/// instructions and 2 jumps behind it, the verifier's threshold for a new checkpoint). At
/// `if r2 == 0` it knows `r2 = 1`, so the branch is never taken, and it asks for `r2` to be
/// precise. Backtracking reaches the fetching atomic, which `backtrack_insn()` handles as a
/// plain store (its source register an input only): `r2` stays in the precise set, `fp-8` is
/// never added, and `r2 = 0` ends the walk. The checkpoint thus holds an *imprecise* `fp-8 =
/// 1`. The other path (`r6 == 0`, `fp-8 = 0`) reaches the join, is found equivalent to the
/// checkpoint ("from 6 to 8: safe") and is never explored. The kernel removes
/// `if r2 == 0 goto +1; ...; r0 = 1; exit` as dead code and returns 0 where RFC 9669 (5.3,
/// "the operation also overwrites src with the value that was in memory before it was
/// modified"; 4.3, `JEQ`) requires `r2 = 0`, the branch taken and 1 returned.
const FETCH_PRUNING: &str = "
    r6 = *(u64 *)(r1 + 0)       ; ctx[0]: unknown to the verifier
    *(u64 *)(r10 - 8) = 0       ; fp-8 = 0, a spilled constant
    r0 = 0                      ; padding for the checkpoint heuristic
    r0 = 0
    r0 = 0
    goto +0
    if r6 == 0 goto +1          ; r6 != 0 (explored first): fp-8 = 1
    *(u64 *)(r10 - 8) = 1
    r2 = 0                      ; join: checkpoint with fp-8 = 1
    {FETCH}                     ; r2 = old fp-8
    r0 = 0
    if r2 == 0 goto +1          ; verifier: r2 = 1, never taken
    exit
    r0 = 1                      ; removed as dead code
    exit
";

/// Every fetching atomic shows the bug (the fetched value ends up in `r2`); the acquiring
/// load, which the kernel backtracks like a load, is the control.
const FETCHES: [&str; 10] = [
    "r2 = atomic_fetch_add((u64 *)(r10 - 8), r2)",
    "r2 = atomic_fetch_or((u64 *)(r10 - 8), r2)",
    "r2 = atomic_fetch_and((u64 *)(r10 - 8), r2)",
    "r2 = atomic_fetch_xor((u64 *)(r10 - 8), r2)",
    "r2 = xchg_64(r10 - 8, r2)",
    "r0 = cmpxchg_64(r10 - 8, r0, r2)\n r2 = r0",
    "w2 = atomic_fetch_add((u32 *)(r10 - 8), w2)",
    "w2 = atomic_fetch_or((u32 *)(r10 - 8), w2)",
    "w2 = xchg32_32(r10 - 8, w2)",
    "w0 = cmpxchg32_32(r10 - 8, w0, w2)\n r2 = r0",
];
const CONTROL: &str = "r2 = load_acquire((u64 *)(r10 - 8))";

fn program(fetch: &str) -> Vec<RawInsn> {
    let src = FETCH_PRUNING.replace("{FETCH}", fetch);
    hive_asm::assemble(&src, Syntax::Kernel).unwrap_or_else(|e| panic!("{e}\n{src}"))
}

/// What RFC 9669 says the program returns for `ctx[0] = x`.
fn rfc_result(x: u64) -> u32 {
    u32::from(x == 0)
}

/// The kernel's result for `ctx[0] = x`, and its rewritten program.
fn kernel_run(raw: &[RawInsn], x: u64) -> (u32, Vec<RawInsn>) {
    let opts = LoadOptions { name: "hive_divergence", ..LoadOptions::new(ProgType::Syscall) };
    let fd = hive_kernel::load(&opts, raw).unwrap_or_else(|e| panic!("rejected: {}\n{e}", e.reason()));
    let res = fd.test_run(&[], Some(&x.to_le_bytes()), 0).expect("test run");
    (res.retval, fd.info().expect("prog info").xlated)
}

#[cfg(feature = "interp")]
fn interp_run(raw: &[RawInsn], x: u64) -> u64 {
    use hive_interp::{Memory, NoHelpers, Options, RegionKind, Vm};
    let code = hive_isa::Code::decode(raw).expect("decodes");
    let mut ctx = x.to_le_bytes().to_vec();
    let mut mem = Memory::new();
    let addr = mem.add_region(RegionKind::Context, &mut ctx);
    Vm::new(&code, Options::default()).run(&mut mem, &mut NoHelpers, [addr, 0, 0, 0, 0]).expect("runs")
}

#[test]
fn atomic_fetch_precision_pruning_minimal_program() {
    #[cfg(feature = "interp")]
    for fetch in FETCHES.iter().chain([&CONTROL]) {
        let raw = program(fetch);
        for x in [0, 1] {
            assert_eq!(interp_run(&raw, x), u64::from(rfc_result(x)), "hive-interp, `{fetch}`, ctx[0] = {x}");
        }
    }
    require_kernel!();

    // The control: an acquiring load is backtracked like a load, so the kernel is right.
    let (ret, _) = kernel_run(&program(CONTROL), 0);
    assert_eq!(ret, rfc_result(0), "control `{CONTROL}`");

    let mut fixed = Vec::new();
    for fetch in FETCHES {
        let raw = program(fetch);
        let (ret1, _) = kernel_run(&raw, 1);
        assert_eq!(ret1, rfc_result(1), "`{fetch}`, ctx[0] = 1: the explored path");
        let (ret0, xlated) = kernel_run(&raw, 0);
        if ret0 == rfc_result(0) {
            fixed.push(fetch);
            continue;
        }
        // The divergence: 0 instead of 1, because the verifier removed the taken side.
        assert_eq!(ret0, 0, "`{fetch}`, ctx[0] = 0");
        let text = hive_asm::disassemble(&xlated, Syntax::Kernel);
        assert!(
            !text.contains("r0 = 1") && !text.contains("if r2 == 0"),
            "`{fetch}`: expected `if r2 == 0 goto +1; exit; r0 = 1; exit` to be gone; xlated:\n{text}"
        );
    }
    if !fixed.is_empty() {
        println!(
            "note: this kernel computes the RFC result for {} of {} fetching atomics ({fixed:?}): \
             it has the fix (179ee84a8911); the divergence is not shown for those",
            fixed.len(),
            FETCHES.len()
        );
    }
}

/// The zero-extension of a 32-bit `cmpxchg` is lost when its 64-bit use is on a pruned path
/// (Linux 6.18, x86-64 JIT).
///
/// Found by the differential harness: `GenConfig::stress()` seeds 17 and 180143 (with the
/// generator of the time) returned `r0` with a stale upper half, e.g. `0x5511000000000000`
/// where RFC 9669 gives 0.
///
/// RFC 9669 (5.3): `CMPXCHG` compares `*(u32 *)(r10 - 8)` with `w0` and "in either case,
/// the value that was at dst + offset before the operation is zero-extended and loaded back
/// to R0"; so on `r6 == 0` `r0 = 0` and the program returns 0. x86-64's `lock cmpxchg %eax,
/// m32` does not write `eax` at all when the comparison succeeds, so the verifier appends an
/// explicit `w0 = w0` (`BPF_ZEXT_REG`) to every 32-bit `cmpxchg` whose `r0` it saw read as 64
/// bits. Here the verifier explores `r6 != 0` first (`r0 = 5`) and records a checkpoint at the
/// join; the `r6 == 0` path then runs the `cmpxchg` and is pruned at the join ("11: safe")
/// before its `r0 >>= 32` is examined, so the 64-bit read is never recorded against the
/// `cmpxchg`. (Kernels whose pruning copied read marks to the pruned path's parents did record
/// it: `propagate_liveness()` called `mark_insn_zext()` for 64-bit reads; 6.18's reworked
/// liveness has no such marks, its log says `mark_read 0`.) No zero-extension is emitted, the
/// JIT compiles `lock cmpxchg %eax, -0x8(%rbp)` then `shr $0x20, %rax`, and the program
/// returns `0x10`, the upper half of `r0 = 0x1000000000`. With `{READ}` = `r0 = r0`, a 64-bit
/// read before the join, the verifier marks the `cmpxchg` on its first visit and the kernel is
/// right (the control; the generator does that).
const CMPXCHG32_ZEXT: &str = "
    r6 = *(u64 *)(r1 + 0)       ; ctx[0]: unknown to the verifier
    r0 = 0x1000000000 ll        ; upper half set, lower half 0
    *(u64 *)(r10 - 8) = 0
    r2 = 0                      ; padding for the checkpoint heuristic
    r2 = 0
    r2 = 0
    if r6 == 0 goto swap
    r0 = 5                      ; r6 != 0 (explored first)
    goto join
swap:
    w0 = cmpxchg32_32(r10 - 8, w0, w0)   ; r6 == 0: 0 == 0, r0 = zext(0) = 0
    {READ}
join:
    r0 >>= 32                   ; checkpoint; the 64-bit read
    exit
";

fn cmpxchg32_program(read: &str) -> Vec<RawInsn> {
    let src = CMPXCHG32_ZEXT.replace("{READ}", read);
    hive_asm::assemble(&src, Syntax::Kernel).unwrap_or_else(|e| panic!("{e}\n{src}"))
}

#[cfg(feature = "interp")]
#[test]
fn cmpxchg32_zero_extension_interpreter() {
    for read in ["", "r0 = r0"] {
        let raw = cmpxchg32_program(read);
        for x in [0, 1] {
            assert_eq!(interp_run(&raw, x), 0, "hive-interp, ctx[0] = {x}, `{read}`");
        }
    }
}

#[test]
fn cmpxchg32_zero_extension_lost_on_a_pruned_path() {
    require_kernel!();
    let raw = cmpxchg32_program("");
    let (ret1, _) = kernel_run(&raw, 1);
    assert_eq!(ret1, 0, "ctx[0] = 1: the explored path");

    // The control (what the generator does): a 64-bit read right after the `cmpxchg`, before
    // the join, is seen on the first visit and the zero-extension is appended.
    let (ret, xlated) = kernel_run(&cmpxchg32_program("r0 = r0"), 0);
    assert_eq!(ret, 0, "control");
    assert!(has_zext_r0(&xlated), "control: no zero-extension");

    let (ret0, xlated) = kernel_run(&raw, 0);
    if ret0 == 0 {
        println!("note: this kernel zero-extends the pruned path's cmpxchg32 (the RFC result): nothing to show");
        return;
    }
    assert_eq!(ret0, 0x10, "ctx[0] = 0: the stale upper half of r0 = 0x1000000000");
    assert!(!has_zext_r0(&xlated), "expected no zero-extension");
}

/// Whether `xlated` holds the verifier's explicit zero-extension of `r0`: `BPF_ZEXT_REG(r0)`,
/// a `mov32 r0, r0` with `imm = 1`.
fn has_zext_r0(xlated: &[RawInsn]) -> bool {
    xlated.iter().any(|r| r.to_u64() == 0x0000_0001_0000_00bc)
}
