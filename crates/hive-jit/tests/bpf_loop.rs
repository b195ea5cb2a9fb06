//! Helper callbacks: `bpf_loop` through a helper answering [`Flow::Call`] (compiled code
//! runs the callback and hands its `r0` to `resume`) and compiled in line
//! ([`hive_jit::JitOptions::inline_bpf_loop`]), against the interpreter running it through
//! the helper, all with the kernel's semantics; early exits, faults and tail calls inside
//! callbacks; the frame limit.

mod common;
use common::*;
use hive_interp::{Flow, HelperError, Helpers, Memory};
use hive_jit::JitOptions;

/// `bpf_loop` (181) as the kernel implements it, through callbacks; helper 7 returns `3 * r1`
/// (so callbacks can call helpers too); helper 8 ends the run with `r1`; helper 12 asks for a
/// tail call with token `r3`; helper 9 fails.
#[derive(Default)]
struct Looping {
    loops: Vec<(u64, u64, u64, u64)>,
}

impl Helpers for Looping {
    fn call_helper(&mut self, id: i32, a: [u64; 5], _: &mut Memory<'_>) -> Result<Flow, HelperError> {
        match id {
            181 => {
                let (n, callback, ctx) = (a[0] as u32 as u64, a[1], a[2]);
                if a[3] != 0 {
                    return Ok(Flow::Return((-22i64) as u64));
                }
                if n > hive_interp::BPF_MAX_LOOPS {
                    return Ok(Flow::Return((-7i64) as u64));
                }
                if n == 0 {
                    return Ok(Flow::Return(0));
                }
                self.loops.push((callback, ctx, 0, n));
                Ok(Flow::Call { target: callback, args: [0, ctx, 0, 0, 0] })
            }
            7 => Ok(Flow::Return(a[0].wrapping_mul(3))),
            8 => Ok(Flow::Exit(a[0])),
            9 => Err(HelperError::Failed("helper 9 fails".into())),
            12 => Ok(Flow::TailCall(a[2])),
            _ => Err(HelperError::Unknown),
        }
    }

    fn resume(&mut self, ret: u64, _: &mut Memory<'_>) -> Result<Flow, HelperError> {
        let l = self.loops.last_mut().ok_or(HelperError::Unknown)?;
        l.2 += 1;
        if ret != 0 || l.2 == l.3 {
            let done = l.2;
            self.loops.pop();
            return Ok(Flow::Return(done));
        }
        Ok(Flow::Call { target: l.0, args: [l.2, l.1, 0, 0, 0] })
    }
}

/// The interpreter, the JIT calling back through the helper, and the JIT with `bpf_loop`
/// in line: all three agree.
fn both(src: &str) -> Seen {
    let code = asm(src);
    let a = interp(&code, &[0u8; 64], &JitOptions::default(), &mut Looping::default());
    for inline_bpf_loop in [false, true] {
        let o = JitOptions { inline_bpf_loop, ..JitOptions::default() };
        let b = jit(&code, &[0u8; 64], &o, &mut Looping::default());
        assert_eq!(a, b, "inline_bpf_loop {inline_bpf_loop}: {src}");
    }
    a
}

/// main: sum over the callback's stack context, r6-r9 kept; the callback adds `i * 3`
/// (through helper 7) to the u64 at ctx and stops when `i == stop`.
fn program(n: i64, stop: i64, flags: i64) -> String {
    format!(
        "r6 = 11\nr7 = 22\n*(u64 *)(r10 - 8) = 0\nr1 = {n} ll\nr2 = func[cb]\nr3 = r10\nr3 += -8\nr4 = {flags}\n\
         call 181\nr1 = *(u64 *)(r10 - 8)\nr0 <<= 32\nr0 += r1\nr0 += r6\nr0 += r7\nexit\n\
         cb:\nr6 = r2\nr7 = r1\nr1 *= 1\ncall 7\nr1 = *(u64 *)(r6 + 0)\nr1 += r0\n*(u64 *)(r6 + 0) = r1\n\
         r0 = 0\nif r7 != {stop} goto out\nr0 = 1\nout:\nexit"
    )
}

#[test]
fn inlined_bpf_loop_agrees_with_the_helper() {
    for (n, stop, flags) in [(0, -1, 0), (1, -1, 0), (10, -1, 0), (10, 3, 0), (10, 0, 0), (5, -1, 1), (0x1_0000_0005, -1, 0), (1 << 23, 5, 0), ((1 << 23) + 1, -1, 0)] {
        let s = both(&program(n, stop, flags));
        let expected_calls = if flags != 0 {
            (-22i64) as u64
        } else if (n as u32 as u64) > (1 << 23) {
            (-7i64) as u64
        } else if stop >= 0 && stop < n as u32 as i64 {
            stop as u64 + 1
        } else {
            n as u32 as u64
        };
        assert_eq!(s.result.clone().map(|r| r >> 32), Ok(expected_calls & 0xffff_ffff), "n {n} stop {stop} flags {flags}");
    }
}

#[test]
fn nested_and_register_callbacks() {
    // A callback that itself loops; and a callback in a register (not a reference in the
    // block), which only the helper path can run.
    let nested = "*(u64 *)(r10 - 8) = 0\nr1 = 3\nr2 = func[outer]\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\n\
                  r0 = *(u64 *)(r10 - 8)\nexit\n\
                  outer:\nr6 = r2\nr1 = 4\nr2 = func[inner]\nr3 = r6\nr4 = 0\ncall 181\nr0 = 0\nexit\n\
                  inner:\nr1 = *(u64 *)(r2 + 0)\nr1 += 1\n*(u64 *)(r2 + 0) = r1\nr0 = 0\nexit";
    assert_eq!(both(nested).result, Ok(12));
    let in_register = "r2 = func[cb]\nr1 = 2\nif r1 > 0 goto l\nl:\nr3 = 0\nr4 = 0\ncall 181\nexit\ncb:\nr0 = 0\nexit";
    assert_eq!(both(in_register).result, Ok(2));
}

#[test]
fn callbacks_may_use_their_callers_stack_and_call_subprograms() {
    // The callback writes through a pointer into the caller's frame and calls a subprogram
    // that uses its own stack; r6-r9 of the caller survive.
    let src = "r6 = 5\nr9 = 7\n*(u64 *)(r10 - 8) = 100\nr1 = 4\nr2 = func[cb]\nr3 = r10\nr3 += -8\nr4 = 0\n\
               call 181\nr1 = *(u64 *)(r10 - 8)\nr0 += r1\nr0 += r6\nr0 += r9\nexit\n\
               cb:\nr6 = r2\nr1 += 10\ncall sub\nr1 = *(u64 *)(r6 + 0)\nr1 += r0\n*(u64 *)(r6 + 0) = r1\nr0 = 0\nexit\n\
               sub:\n*(u64 *)(r10 - 16) = r1\nr0 = *(u64 *)(r10 - 16)\nr0 *= 2\nexit";
    // 4 calls + (100 + 2 * (10 + 11 + 12 + 13)) + 5 + 7
    assert_eq!(both(src).result, Ok(4 + 192 + 12));
}

#[test]
#[allow(unsafe_code)]
fn an_exit_or_a_fault_inside_a_callback_ends_the_whole_run() {
    let exit = "r6 = 1\nr1 = 5\nr2 = func[cb]\nr3 = 0\nr4 = 0\ncall 181\nr0 = 99\nexit\n\
                cb:\nif r1 != 2 goto out\nr1 = 77\ncall 8\nout:\nr0 = 0\nexit";
    assert_eq!(both(exit).result, Ok(77));
    let fault = "r1 = 5\nr2 = func[cb]\nr3 = 0\nr4 = 0\ncall 181\nr0 = 99\nexit\n\
                 cb:\nif r1 != 3 goto out\ncall 9\nout:\nr0 = 0\nexit";
    let s = both(fault);
    assert!(matches!(s.result, Err(ref f) if f.pc == 9), "{s:?}");
    // A run after an unwound callback starts afresh.
    let code = asm(exit);
    let prog = hive_jit::compile(&code, &JitOptions::default()).unwrap();
    for _ in 0..3 {
        let mut mem = Memory::new();
        // SAFETY: the program touches only its stack.
        assert_eq!(unsafe { prog.run(&mut mem, &mut Looping::default(), [0; 5]) }, Ok(77));
    }
}

#[test]
fn callbacks_beyond_the_frame_limit_fault() {
    // Each callback loops once more into itself: the interpreter and the JIT both stop at
    // the frame limit with the same fault (in line, the JIT refuses the recursion).
    let code = asm("r1 = 1\nr2 = func[cb]\nr3 = 0\nr4 = 0\ncall 181\nexit\n\
                    cb:\nr1 = 1\nr2 = func[cb]\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit");
    let o = JitOptions::default();
    let s = jit(&code, &[0u8; 64], &o, &mut Looping::default());
    assert_eq!(s, interp(&code, &[0u8; 64], &o, &mut Looping::default()));
    assert!(
        matches!(s.result, Err(ref f) if f.kind == hive_interp::FaultKind::CallDepth { limit: hive_isa::MAX_CALL_FRAMES }),
        "{s:?}"
    );
}

#[test]
#[allow(unsafe_code)]
fn tail_calls_end_the_run_from_the_main_frame_only() {
    let code = asm("r1 = 0\nr2 = 0\nr3 = 42\ncall 12\nr0 = 1\nexit");
    let prog = hive_jit::compile(&code, &JitOptions::default()).unwrap();
    let mut mem = Memory::new();
    // SAFETY: the program touches nothing.
    let out = unsafe { prog.run_outcome(&mut mem, &mut Looping::default(), [0; 5]) };
    assert_eq!(out, Ok(hive_interp::Outcome::TailCall(42)));
    let mut vm = hive_interp::Vm::new(&code, hive_interp::Options::default());
    assert_eq!(vm.run_outcome(&mut Memory::new(), &mut Looping::default(), [0; 5]), out);
    // Not through `run`, nor from a callback: the interpreter's faults.
    // SAFETY: as above.
    let plain = unsafe { prog.run(&mut Memory::new(), &mut Looping::default(), [0; 5]) };
    assert_eq!(plain, vm.run(&mut Memory::new(), &mut Looping::default(), [0; 5]));
    assert!(plain.is_err());
    let nested = asm("r1 = 1\nr2 = func[cb]\nr3 = 0\nr4 = 0\ncall 181\nexit\ncb:\nr3 = 42\ncall 12\nr0 = 0\nexit");
    let prog = hive_jit::compile(&nested, &JitOptions::default()).unwrap();
    // SAFETY: as above.
    let out = unsafe { prog.run_outcome(&mut Memory::new(), &mut Looping::default(), [0; 5]) };
    let mut vm = hive_interp::Vm::new(&nested, hive_interp::Options::default());
    assert_eq!(out, vm.run_outcome(&mut Memory::new(), &mut Looping::default(), [0; 5]));
    assert!(matches!(out, Err(ref f) if matches!(f.kind, hive_interp::FaultKind::TailCall(_))), "{out:?}");
}
