//! `bpf_loop` compiled in line ([`hive_jit::JitOptions::inline_bpf_loop`]) against the
//! interpreter running it through a helper with callbacks ([`Flow::Call`] and `resume`),
//! both with the kernel's semantics.

mod common;
use common::*;
use hive_interp::{Flow, HelperError, Helpers, Memory};
use hive_jit::JitOptions;

/// `bpf_loop` (181) as the kernel implements it, through callbacks; helper 7 adds `r1` to a
/// running sum (so callbacks can call helpers too).
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

fn both(src: &str) -> Seen {
    let code = asm(src);
    let o = JitOptions { inline_bpf_loop: true, ..JitOptions::default() };
    let a = interp(&code, &[0u8; 64], &o, &mut Looping::default());
    let b = jit(&code, &[0u8; 64], &o, &mut Looping::default());
    assert_eq!(a, b, "{src}");
    b
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
fn nested_and_unknown_callbacks() {
    // A callback that itself loops; and a callback in a register (not a reference in the
    // block): the helper path, which the JIT reports as unsupported (callbacks).
    let nested = "*(u64 *)(r10 - 8) = 0\nr1 = 3\nr2 = func[outer]\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\n\
                  r0 = *(u64 *)(r10 - 8)\nexit\n\
                  outer:\nr6 = r2\nr1 = 4\nr2 = func[inner]\nr3 = r6\nr4 = 0\ncall 181\nr0 = 0\nexit\n\
                  inner:\nr1 = *(u64 *)(r2 + 0)\nr1 += 1\n*(u64 *)(r2 + 0) = r1\nr0 = 0\nexit";
    assert_eq!(both(nested).result, Ok(12));
    let code = asm("r2 = func[cb]\nr1 = 2\nif r1 > 0 goto l\nl:\nr3 = 0\nr4 = 0\ncall 181\nexit\ncb:\nr0 = 0\nexit");
    let o = JitOptions { inline_bpf_loop: true, ..JitOptions::default() };
    let b = jit(&code, &[0u8; 64], &o, &mut Looping::default());
    assert!(b.result.is_err(), "{b:?}");
}
