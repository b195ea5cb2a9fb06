//! The abstract interpreter through `verify_program`: small programs in kernel syntax that
//! must be accepted, or refused with the kernel's message.

use hive_asm::{Syntax, assemble};
use hive_platform::map::MapType;
use hive_platform::prog::ProgType;
use hive_verifier::{Assurance, LogLevel, MapMeta, ProgramEnv, Rejection, Verified, VerifyOptions, verify_program};

fn run(src: &str, prog_type: ProgType, privileged: bool) -> Result<Verified, Rejection> {
    let raw = assemble(src, Syntax::Kernel).unwrap_or_else(|e| panic!("{e:?}\n{src}"));
    let maps: Vec<(i32, MapMeta)> = vec![(1, MapMeta::new(MapType::Hash, 8, 16, 10)), (2, MapMeta::new(MapType::Array, 4, 48, 4))];
    let mut env = ProgramEnv::new(prog_type);
    env.maps = &maps;
    let opts = if privileged { VerifyOptions::privileged() } else { VerifyOptions::unprivileged() };
    verify_program(&raw, &env, &opts.with_log_level(LogLevel::Basic))
}

fn accept(src: &str, prog_type: ProgType) {
    match run(src, prog_type, true) {
        Ok(v) => assert_eq!(v.assurance, Assurance::Safe),
        Err(e) => panic!("rejected: {}\n{}", e.message, e.log),
    }
}

fn reject(src: &str, prog_type: ProgType, privileged: bool, msg: &str) {
    match run(src, prog_type, privileged) {
        Ok(v) => panic!("accepted, expected {msg:?}\n{}", v.log),
        Err(e) => assert!(e.log.contains(msg), "expected {msg:?}, got {:?}\n{}", e.message, e.log),
    }
}

const SF: ProgType = ProgType::SocketFilter;
const XDP: ProgType = ProgType::Xdp;

#[test]
fn registers_must_be_written_before_read() {
    accept("r0 = 0\nexit", SF);
    reject("exit", SF, true, "R0 !read_ok");
    reject("r0 = r2\nexit", SF, true, "R2 !read_ok");
    reject("r10 = 0\nr0 = 0\nexit", SF, true, "frame pointer is read only");
}

#[test]
fn stack_spills_and_fills() {
    accept("r1 = 7\n*(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nexit", SF);
    reject("r0 = *(u64 *)(r10 - 8)\nexit", SF, false, "invalid read from stack");
    reject("*(u64 *)(r10 - 520) = r1\nr0 = 0\nexit", SF, true, "invalid write to stack R10 off=-520 size=8");
    reject("*(u64 *)(r10 - 4) = r1\nr0 = 0\nexit", SF, true, "misaligned stack access");
    // A spilled pointer comes back as the pointer.
    accept("*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 0)\nexit", SF);
    reject("*(u64 *)(r10 - 8) = r1\nr2 = *(u32 *)(r10 - 8)\nr0 = 0\nexit", SF, true, "invalid size of register fill");
}

#[test]
fn map_lookup_needs_a_null_check_and_bounds() {
    let lookup = "r1 = 0\n*(u64 *)(r10 - 8) = r1\nr2 = r10\nr2 += -8\nr1 = map[fd:1] ll\ncall 1\n";
    accept(&format!("{lookup}if r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 8)\nr0 = 0\nexit"), SF);
    reject(&format!("{lookup}r0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit"), SF, true, "R0 invalid mem access 'map_value_or_null'");
    reject(
        &format!("{lookup}if r0 == 0 goto +1\nr0 = *(u64 *)(r0 + 16)\nr0 = 0\nexit"),
        SF,
        true,
        "invalid access to map value, value_size=16 off=16 size=8",
    );
    // A bounded variable offset is fine, an unbounded one is not.
    accept(
        &format!("{lookup}if r0 == 0 goto +4\nr1 = *(u64 *)(r0 + 0)\nr1 &= 7\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nr0 = 0\nexit"),
        SF,
    );
    reject(
        &format!("{lookup}if r0 == 0 goto +3\nr1 = *(u64 *)(r0 + 0)\nr0 += r1\nr0 = *(u8 *)(r0 + 0)\nr0 = 0\nexit"),
        SF,
        true,
        "math between map_value pointer and register with unbounded min value is not allowed",
    );
    // The key must be initialised.
    reject(
        "*(u64 *)(r10 - 16) = 0\nr2 = r10\nr2 += -8\nr1 = map[fd:1] ll\ncall 1\nr0 = 0\nexit",
        SF,
        true,
        "invalid indirect read from stack R2 off -8+0 size 8",
    );
}

#[test]
fn packet_access_needs_a_bounds_check() {
    let load = "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\n";
    accept(&format!("{load}r4 = r2\nr4 += 14\nif r4 > r3 goto +1\nr0 = *(u8 *)(r2 + 13)\nr0 = 2\nexit"), XDP);
    reject(
        &format!("{load}r4 = r2\nr4 += 14\nif r4 > r3 goto +1\nr0 = *(u8 *)(r2 + 14)\nr0 = 2\nexit"),
        XDP,
        true,
        "invalid access to packet, off=14 size=1",
    );
    reject(&format!("{load}r0 = *(u8 *)(r2 + 0)\nr0 = 2\nexit"), XDP, true, "R2 offset is outside of the packet");
}

#[test]
fn context_access_follows_the_layout() {
    accept("r0 = *(u32 *)(r1 + 0)\nexit", SF);
    reject("r0 = *(u32 *)(r1 + 1000)\nexit", SF, true, "invalid bpf_context access off=1000 size=4");
    reject("r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit", SF, true, "dereference of modified ctx ptr R1 off=4 disallowed");
}

#[test]
fn pointer_rules_for_unprivileged_loaders() {
    reject("r0 = r10\nexit", SF, false, "R0 leaks addr as return value");
    accept("r0 = r10\nexit", SF);
    reject("r0 = 0\nif r1 == r10 goto +0\nexit", SF, false, "pointer comparison prohibited");
    reject("r0 = r1\nr0 *= 2\nexit", SF, true, "R0 pointer arithmetic with *= operator prohibited");
}

#[test]
fn bounded_loops_and_infinite_ones() {
    accept("r0 = 0\nr0 += 1\nif r0 < 10 goto -2\nr0 = 0\nexit", SF);
    reject("r0 = 0\nif r0 == 0 goto -1\nexit", SF, true, "infinite loop detected at insn 1");
}

#[test]
fn helpers_check_their_arguments() {
    reject("r1 = map[fd:1] ll\ncall 1\nr0 = 0\nexit", SF, true, "R2 !read_ok");
    reject("r1 = 0\nr2 = 0\ncall 1\nr0 = 0\nexit", SF, true, "R1 type=scalar expected=map_ptr");
    reject("call 999\nr0 = 0\nexit", SF, true, "invalid func unknown#999");
    accept("call 7\nexit", SF);
}

#[test]
fn subprograms_get_a_frame() {
    accept("r1 = 1\ncall pc+2\nr0 += 1\nexit\nr0 = r1\nexit", SF);
    reject("call pc+2\nr0 = 0\nexit\nr0 = r10\nexit", SF, true, "cannot return stack pointer to the caller");
}

#[test]
fn return_values_are_checked_per_program_type() {
    reject("r0 = 2\nexit", ProgType::CgroupSkb, true, "At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]");
    accept("r0 = 1\nexit", ProgType::CgroupSkb);
}

#[test]
fn immediate_division_by_zero_and_wide_shifts_are_refused_like_the_kernel() {
    reject("r0 = 1\nr0 /= 0\nexit", SF, true, "div by zero");
    reject("w0 = 1\nw0 %= 0\nexit", SF, true, "div by zero");
    reject("r0 = 1\nr0 <<= 64\nexit", SF, true, "invalid shift 64");
    reject("w0 = 1\nw0 s>>= 32\nexit", SF, true, "invalid shift 32");
    // A register holding 0 or a large amount is fine: BPF defines the result.
    accept("r0 = 1\nr1 = 0\nr0 /= r1\nr1 = 77\nr0 <<= r1\nexit", SF);
    accept("r0 = 1\nr0 <<= 63\nw0 >>= 31\nexit", SF);
}

#[test]
fn linked_scalars_with_a_constant_delta() {
    // `r2 = r1 + 2`, bounded through r2: r1 in [0, 38] (value_size 48).
    let lookup = "r1 = 0\n*(u64 *)(r10 - 8) = r1\nr2 = r10\nr2 += -8\nr1 = map[fd:2] ll\ncall 1\nif r0 == 0 goto +9\nr6 = r0\nr1 = *(u64 *)(r6 + 0)\nr2 = r1\n";
    let tail = "r6 += r1\nr0 = *(u64 *)(r6 + 0)\nr0 = 0\nexit";
    accept(&format!("{lookup}r2 += 2\nif r2 > 40 goto +3\nif r2 < 2 goto +2\n{tail}"), SF);
    // Through a subtraction: r2 = r1 - 3, r2 in [0, 37] gives r1 in [3, 40].
    accept(&format!("{lookup}r2 -= 3\nif r2 > 37 goto +3\nif r2 s< 0 goto +2\n{tail}"), SF);
    // The bound is still enforced: r1 up to 45 reads past the value.
    reject(&format!("{lookup}r2 += 2\nif r2 > 47 goto +3\nif r2 < 2 goto +2\n{tail}"), SF, true, "invalid access to map value");
    // A second delta unlinks: r1 stays unbounded.
    reject(
        &format!("{lookup}r2 += 2\nr2 += 1\nif r2 > 40 goto +2\nif r2 < 3 goto +1\n{tail}"),
        SF,
        true,
        "unbounded min value",
    );
}

#[test]
fn pruning_keeps_the_delta_of_linked_scalars() {
    // Two paths join at `if r2 > 40` with r2 = r1 (safe: r1 in [0, 40]) and with r2 = r1 + 8
    // (r1 may be -8): the second must not be pruned against the first.
    let src = "r1 = 0\n*(u64 *)(r10 - 8) = r1\nr2 = r10\nr2 += -8\nr1 = map[fd:2] ll\ncall 1\nif r0 == 0 goto +9\n\
               r6 = r0\nr0 = 0\nr1 = *(u64 *)(r6 + 0)\nr3 = *(u64 *)(r6 + 8)\nr2 = r1\n\
               if r3 != 0 goto +4\nif r2 > 40 goto +2\nr6 += r1\nr1 = *(u64 *)(r6 + 0)\nexit\nr2 += 8\ngoto -6";
    reject(src, SF, true, "R6 min value is negative");
}

fn run_with_kfuncs(src: &str, privileged: bool) -> Result<Verified, Rejection> {
    let kfuncs = hive_platform::kfunc::KfuncRegistry::with_builtins();
    let id = |n: &str| kfuncs.by_name(n).unwrap().0.0;
    let src = src
        .replace("NEW", &format!("kfunc[id:{}]", id("bpf_iter_num_new")))
        .replace("NEXT", &format!("kfunc[id:{}]", id("bpf_iter_num_next")))
        .replace("DESTROY", &format!("kfunc[id:{}]", id("bpf_iter_num_destroy")));
    let raw = assemble(&src, Syntax::Kernel).unwrap_or_else(|e| panic!("{e:?}\n{src}"));
    let mut env = ProgramEnv::new(XDP);
    env.kfuncs = Some(&kfuncs);
    let opts = if privileged { VerifyOptions::privileged() } else { VerifyOptions::unprivileged() };
    verify_program(&raw, &env, &opts.with_log_level(LogLevel::Basic))
}

/// `bpf_for(i, 3, n)`: sum the values; the loop runs until `_next` returns NULL.
const BPF_FOR: &str = "r6 = 0\nr1 = r10\nr1 += -8\nr2 = 3\nr3 = 4000\ncall NEW\n\
    loop:\nr1 = r10\nr1 += -8\ncall NEXT\nif r0 == 0 goto done\nr1 = *(u32 *)(r0 + 0)\nr6 += r1\ngoto loop\n\
    done:\nr1 = r10\nr1 += -8\ncall DESTROY\nr0 = 2\nexit";

#[test]
fn open_coded_iterators_converge_and_protect_their_state() {
    match run_with_kfuncs(BPF_FOR, true) {
        Ok(v) => assert_eq!(v.assurance, Assurance::Safe),
        Err(e) => panic!("rejected: {}\n{}", e.message, e.log),
    }
    let rejected = |src: &str, msg: &str| match run_with_kfuncs(src, true) {
        Ok(v) => panic!("accepted, expected {msg:?}\n{}", v.log),
        Err(e) => assert!(e.log.contains(msg), "expected {msg:?}, got {:?}", e.message),
    };
    // Writing the iterator's state (here: resetting it every iteration) would never end.
    rejected(&BPF_FOR.replace("r6 += r1\n", "r6 += r1\n*(u64 *)(r10 - 8) = 0\n"), "cannot overwrite iterator state");
    rejected(&BPF_FOR.replace("r6 += r1\n", "r6 += r1\nr2 = *(u64 *)(r10 - 8)\n"), "invalid read from stack");
    // The value `_next` returns is read-only.
    rejected(&BPF_FOR.replace("r6 += r1\n", "r6 += r1\n*(u32 *)(r0 + 0) = r6\n"), "cannot write into");
    // `_next` on a slot that holds no iterator, `_new` on one that does.
    rejected("r1 = r10\nr1 += -8\ncall NEXT\nr0 = 0\nexit", "expected an initialized iter_num as arg #0");
    rejected(
        "r1 = r10\nr1 += -8\nr2 = 0\nr3 = 1\ncall NEW\nr1 = r10\nr1 += -8\nr2 = 0\nr3 = 1\ncall NEW\nr0 = 0\nexit",
        "expected uninitialized iter_num as arg #0",
    );
    // A fresh iterator in every round of an endless loop is still an endless loop.
    rejected(
        "l:\nr1 = r10\nr1 += -8\nr2 = 0\nr3 = 5\ncall NEW\nr1 = r10\nr1 += -8\ncall NEXT\nr1 = r10\nr1 += -8\ncall DESTROY\ngoto l",
        "infinite loop detected",
    );
}

#[test]
fn runtime_bounded_constructs_do_not_hide_an_endless_loop_around_them() {
    // Each bpf_loop call ends, the loop calling it again does not.
    reject("l:\nr1 = 1\nr2 = func[cb]\nr3 = 0\nr4 = 0\ncall bpf_loop\ngoto l\ncb:\nr0 = 0\nexit", XDP, true, "infinite loop detected");
    // Each call of `sub` has its own may_goto budget.
    reject("l:\ncall sub\ngoto l\nsub:\nmay_goto +1\nr0 = 0\nr0 = 0\nexit", XDP, true, "infinite loop detected");
    // A cycle through may_goto's exhausted edge spends no budget.
    reject("r0 = 0\nif r1 == 0 goto end\nl:\nmay_goto +1\ngoto l\ngoto l\nend:\nexit", XDP, true, "infinite loop detected");
    // Without the outer loop both are fine.
    accept("r1 = 100\nr2 = func[cb]\nr3 = 0\nr4 = 0\ncall bpf_loop\nr0 = 2\nexit\ncb:\nr0 = 0\nexit", XDP);
    accept("call sub\nr0 = 2\nexit\nsub:\nl:\nmay_goto +1\ngoto l\nr0 = 0\nexit", XDP);
}

/// XDP prologue of the loops below: `r1` = data with 64 bytes checked before `r2` = data_end.
const PKT64: &str = "r2 = *(u32 *)(r1 + 4)\nr1 = *(u32 *)(r1 + 0)\nr3 = r1\nr3 += 64\nif r3 > r2 goto out\n";

#[test]
fn a_counter_that_decides_a_may_goto_loop_is_precise_and_not_widened() {
    // `r4` decides the exit (`!= 8`) while it is a constant, so it is marked precise and the
    // loop is walked iteration by iteration with its exact value (the kernel's
    // `widen_imprecise_scalars` spares precise scalars): `data + 56 + r4` stays in the packet.
    let count = |n: u32| {
        format!(
            "{PKT64}r4 = 0\nl:\nmay_goto out\nr5 = r1\nr5 += r4\nr0 = *(u8 *)(r5 + 56)\nr4 += 1\nif r4 != {n} goto l\nout:\nr0 = 0\nexit"
        )
    };
    accept(&count(8), XDP);
    // One more iteration reads past the checked bytes: exact values find it.
    reject(&count(9), XDP, true, "invalid access to packet, off=64 size=1");
    // A counter compared with an unknown bound decides nothing, is not precise and is widened.
    reject(&count(8).replace("if r4 != 8 goto l", "r6 = *(u32 *)(r1 + 0)\nif r4 < r6 goto l"), XDP, true, "R5");
}

#[test]
fn precision_follows_spills_and_calls() {
    // The counter lives in a stack slot between iterations: the fill and the spill carry the
    // mark to the slot, which is not widened either.
    let spilled = |n: u32| {
        format!(
            "{PKT64}r4 = 0\n*(u64 *)(r10 - 8) = r4\nl:\nmay_goto out\nr4 = *(u64 *)(r10 - 8)\nr5 = r4\nr5 <<= 3\n\
             r3 = r1\nr3 += r5\nr0 = *(u64 *)(r3 + 0)\nr4 += 1\n*(u64 *)(r10 - 8) = r4\nif r4 != {n} goto l\nout:\nr0 = 0\nexit"
        )
    };
    accept(&spilled(8), XDP);
    reject(&spilled(9), XDP, true, "invalid access to packet, off=64 size=8");
    // The next value comes back from a subprogram: through its exit, body and arguments.
    let called = |n: u32| {
        format!(
            "{PKT64}r6 = r1\nr7 = 0\nl:\nmay_goto out\nr5 = r6\nr5 += r7\nr0 = *(u8 *)(r5 + 56)\nr1 = r7\ncall inc\n\
             r7 = r0\nif r7 != {n} goto l\nout:\nr0 = 0\nexit\ninc:\nr0 = r1\nr0 += 1\nexit"
        )
    };
    accept(&called(8), XDP);
    reject(&called(9), XDP, true, "invalid access to packet, off=64 size=1");
}

#[test]
fn pointers_are_not_widened_at_a_loop_head() {
    // A cursor moved by 8 every iteration is another pointer each time (as in the kernel,
    // which never widens pointers): it keeps its offset and the accesses are checked exactly.
    let cursor = |n: u32| {
        format!(
            "{PKT64}r6 = r1\nr7 = 0\nl:\nmay_goto out\n*(u64 *)(r10 - 16) = r6\nr0 = *(u64 *)(r6 + 0)\nr6 = *(u64 *)(r10 - 16)\n\
             r6 += 8\nr7 += 1\nif r7 != {n} goto l\nout:\nr0 = 0\nexit"
        )
    };
    accept(&cursor(8), XDP);
    reject(&cursor(9), XDP, true, "invalid access to packet, off=64 size=8");
}

#[test]
fn precision_only_refines_a_failed_widening_exploration() {
    // The kernel walks this loop a thousand times (`r1` decides its exit). Widening every
    // moving bound proves it in a few iterations, and that exploration comes first: the exact
    // one only runs when the widened one fails.
    let src = "r0 = 0\nr1 = 0\nl:\nmay_goto out\nr0 += r1\nr1 += 1\nif r1 != 1000 goto l\nout:\nexit";
    match run(src, XDP, true) {
        Ok(v) => assert!(v.processed_insns < 200, "{} insns processed", v.processed_insns),
        Err(e) => panic!("rejected: {}\n{}", e.message, e.log),
    }
}

/// `Verified::facts`: what holds of the registers where blocks start, joined over every
/// path: a range the branch before the block proved (never 0), known bits a loop keeps
/// (an odd counter), the upper half of a 32-bit load, and nothing for pointers.
#[test]
fn block_facts_hold_on_every_path() {
    let v = run(
        "r2 = *(u32 *)(r1 + 0)
         r3 = 3
         if r2 < 5 goto +2
         r4 = r2
         goto +1
         r4 = 9
         r0 = r4
         r3 += 2
         if r3 < 21 goto -3
         exit",
        SF,
        true,
    )
    .unwrap();
    // Slot 6 (`r0 = r4`): entered from slot 4's goto (r4 = r2 >= 5) and by falling through
    // from slot 5 (r4 = 9), and again from the loop's back edge at slot 8.
    let at = v.facts.at(6).expect("a block start");
    assert!(at[4].nonzero && at[4].nonzero32, "{:?}", at[4]);
    assert_eq!(at[4].mask >> 32, 0, "a 32-bit load's copy: {:?}", at[4]);
    assert_eq!((at[3].value & 1, at[3].mask & 1), (1, 0), "the counter stays odd: {:?}", at[3]);
    assert_eq!(at[1], hive_verifier::RegFacts::UNKNOWN, "r1 is the context pointer");
    // Slot 3 is no block start.
    assert!(v.facts.at(3).is_none());
}
