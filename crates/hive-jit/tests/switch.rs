//! Decision trees that only choose constants run as table lookups: same results as the
//! interpreter for every value, in the table's range or not.

mod common;

use common::*;
use hive_interp::HelperTable;
use hive_jit::JitOptions;

/// How the cases of a generated `switch` assign.
#[derive(Clone, Copy)]
enum Cases {
    /// `r0 = 3 * i + 1` (64-bit moves), compared in 64 bits.
    Small,
    /// `r0 = -i` and `r5 = i + 100`, compared in 32 bits (`w5`).
    Negative32,
    /// `r0 = -5` (64-bit) or `w0 = -5` (32-bit: 0xfffffffb) by parity: 64-bit table entries.
    Mixed,
    /// Even cases continue elsewhere than odd ones: two ways out, not worth a table.
    TwoEnds,
    /// Each case computes something of its own, some after assigning constants: a table of
    /// jumps.
    Jumps,
}

/// `r5 = *(u64 *)(r1 + 0); r6 = 1000; switch (r5) { case 0..n: ... }; r0 += r6; exit`, the
/// switch as clang writes it for BPF: a binary tree of `s>` and `==` comparisons.
fn program(n: i64, cases: Cases) -> Code {
    let w = if matches!(cases, Cases::Negative32) { "w5" } else { "r5" };
    let mut s = String::from("r5 = *(u64 *)(r1 + 0)\nr6 = 1000\nr0 = 0\n");
    let mut label = 0;
    tree(&mut s, w, 0, n - 1, &mut label);
    for i in 0..n {
        s += &format!("case{i}:\n");
        match cases {
            Cases::Small => s += &format!("r0 = {}\ngoto end\n", 3 * i + 1),
            Cases::Negative32 => s += &format!("r0 = {}\nr5 = {}\ngoto end\n", -i, i + 100),
            Cases::Mixed if i % 2 == 0 => s += "r0 = -5\ngoto end\n",
            Cases::Mixed => s += "w0 = -5\ngoto end\n",
            Cases::TwoEnds if i % 2 == 0 => s += &format!("r0 = {i}\ngoto end\n"),
            Cases::TwoEnds => s += &format!("r0 = {i}\ngoto other\n"),
            Cases::Jumps if i % 3 == 0 => s += &format!("r0 = {i}\nr0 *= r5\ngoto end\n"),
            Cases::Jumps if i % 3 == 1 => s += &format!("r0 = r5\nr0 += {i}\nr0 <<= 3\ngoto end\n"),
            Cases::Jumps => s += &format!("r0 = {}\ngoto end\n", i * 7),
        }
    }
    s += "default:\nr0 = 77\ngoto end\nother:\nr6 = 5\nend:\nr0 += r6\nr0 += r5\nexit\n";
    asm(&s)
}

/// The comparisons telling `lo..=hi` apart.
fn tree(s: &mut String, w: &str, lo: i64, hi: i64, label: &mut usize) {
    if hi - lo < 2 {
        for v in lo..=hi {
            *s += &format!("if {w} == {v} goto case{v}\n");
        }
        *s += "goto default\n";
        return;
    }
    let mid = (lo + hi) / 2;
    *label += 1;
    let right = format!("right{label}");
    *s += &format!("if {w} s> {mid} goto {right}\n");
    tree(s, w, lo, mid, label);
    *s += &format!("{right}:\n");
    tree(s, w, mid + 1, hi, label);
}

/// Values in the range, around it, and with the upper half set (a 32-bit tree sees its low
/// half in the range; the lookup, which tests the whole register, leaves them to the tree).
fn inputs(n: i64) -> Vec<u64> {
    let mut v: Vec<u64> = (-4..n + 4).map(|i| i as u64).collect();
    v.extend([1 << 32, (1 << 32) | 3, u64::MAX, i64::MIN as u64, i64::MAX as u64, 0xffff_ffff]);
    v
}

fn agree_on_all(code: &Code, n: i64, options: &JitOptions) {
    for v in inputs(n) {
        agree_with(code, &v.to_le_bytes(), options, HelperTable::new);
    }
}

fn looks_up(code: &Code, options: &JitOptions) -> bool {
    let text = hive_jit::compile(code, options).unwrap().disassemble();
    text.contains("+r11*4]") || text.contains("+r11*8]")
}

#[test]
fn trees_of_constants_are_looked_up_with_the_interpreters_results() {
    let o = JitOptions::default();
    for (n, cases) in [
        (64, Cases::Small),
        (40, Cases::Negative32),
        (33, Cases::Mixed),
        (9, Cases::Small),
        (32, Cases::Jumps),
        (11, Cases::Jumps),
    ] {
        let code = program(n, cases);
        assert!(looks_up(&code, &o), "no table for {n} cases");
        agree_on_all(&code, n, &o);
    }
}

#[test]
fn trees_that_end_in_different_places_or_blinded_code_keep_their_branches() {
    let code = program(32, Cases::TwoEnds);
    assert!(!looks_up(&code, &JitOptions::default()));
    agree_on_all(&code, 32, &JitOptions::default());
    let blinded = JitOptions { blind_constants: true, ..JitOptions::default() };
    let code = program(64, Cases::Small);
    assert!(!looks_up(&code, &blinded));
    agree_on_all(&code, 64, &blinded);
}
