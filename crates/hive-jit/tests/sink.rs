//! Moves in front of a conditional jump go only where they are read: same results as the
//! interpreter on every way out, and no move left in a loop that only an exit reads.

mod common;

use common::*;
use hive_interp::HelperTable;
use hive_jit::JitOptions;

/// strcmp of the strings at `r1` and `r1 + 16`, as clang compiles it: in the loop, `r0 = r2`
/// is read only when the loop exits early, `r4 = r2` only by the comparison, `r0 = 0` only
/// when the loop ends.
const STRCMP: &str = "r0 = 0\nr2 = *(u8 *)(r1 + 0)\nr1 += 16\nif r2 == 0 goto out\n\
    head:\nr3 = *(u8 *)(r1 + 0)\nr4 = r2\nr0 = r2\nif r4 != r3 goto out\n\
    r3 = r1\nr3 += 1\nr1 += -15\nr2 = *(u8 *)(r1 + 0)\nr1 = r3\nr0 = 0\nif r2 != 0 goto head\n\
    out:\nr0 <<= 56\nr0 s>>= 56\nr1 = *(u8 *)(r1 + 0)\nr1 <<= 56\nr1 s>>= 56\nr0 -= r1\nexit";

fn strings(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 32];
    buf[..a.len()].copy_from_slice(a);
    buf[16..16 + b.len()].copy_from_slice(b);
    buf
}

fn text(code: &Code) -> String {
    let t = hive_jit::compile(code, &JitOptions::default()).unwrap().disassemble();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_loops_exit_values_are_set_on_its_exits() {
    let code = asm(STRCMP);
    let o = JitOptions::default();
    for (a, b) in [
        (&b"hello"[..], &b"hello"[..]),
        (b"hello", b"help"),
        (b"", b""),
        (b"a", b""),
        (b"", b"z"),
        (b"\xff\x01", b"\xff\x02"),
        (b"abcdefghijklmno", b"abcdefghijklmnp"),
    ] {
        agree_with(&code, &strings(a, b), &o, HelperTable::new);
    }
    let t = text(&code);
    // r4 = r2 (rcx = rsi) is compared in place, never copied; r0 = r2 (rax = rsi) is
    // set on the exit's edge, once, after the loop's code.
    assert!(!t.contains("mov rcx,rsi"), "{t}");
    assert_eq!(t.matches("mov rax,rsi").count(), 1, "{t}");
}

#[test]
fn copies_compared_in_another_width_or_read_later_stay() {
    // A 32-bit copy compared in 64 bits must zero-extend first; a copy read after the jump
    // must exist there; a value read on the taken edge of a jump that leaves no loop is set
    // before the jump. Values come from the buffer (all ones), so no known bits settle a jump.
    let o = JitOptions::default();
    for (src, expect) in [
        ("r2 = *(u64 *)(r1 + 0)\nr3 = 0xffffffff ll\nw4 = w2\nif r4 == r3 goto +2\nr0 = 1\nexit\nr0 = 2\nexit", 2),
        ("r2 = *(u64 *)(r1 + 0)\nw3 = -1\nw4 = w2\nif w4 == w3 goto +2\nr0 = 1\nexit\nr0 = 2\nexit", 2),
        ("r2 = *(u64 *)(r1 + 0)\nr4 = r2\nif r4 == -1 goto +2\nr0 = 1\nexit\nr0 = r4\nexit", u64::MAX),
        ("r2 = *(u64 *)(r1 + 0)\nr0 = 9\nif r2 == -1 goto +2\nr0 = 1\nexit\nexit", 9),
        ("r2 = *(u64 *)(r1 + 0)\nr0 = 9\nif r2 != -1 goto +2\nr0 += 1\nexit\nexit", 10),
    ] {
        let seen = agree_with(&asm(src), &[0xff; 8], &o, HelperTable::new);
        assert_eq!(seen.result, Ok(expect), "{src}");
    }
}
