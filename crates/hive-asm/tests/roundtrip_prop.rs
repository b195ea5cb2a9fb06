//! Property tests: any slots survive disassembly and re-assembly byte for byte, in both
//! syntaxes, and the assembler never panics on arbitrary text.

use hive_asm::{Syntax, assemble, disassemble};
use hive_isa::RawInsn;
use hive_isa::table::{Field, Select, forms};
use proptest::prelude::*;

/// Builds a slot from a table row and random bits, mostly valid, sometimes slightly off.
fn slot(form_idx: usize, bits: u64, mode: u8) -> RawInsn {
    let f = &forms()[form_idx % forms().len()];
    let mut r = RawInsn::from_u64(bits);
    r.code = f.code;
    let small = |v: u64| (v % 13) as u8; // registers 0..=12: mostly valid, sometimes not
    let role = |field: Field, v: u8| if field == Field::Zero && mode != 3 { 0 } else { v };
    r.dst = role(f.fields.dst, small(bits >> 8));
    r.src = role(f.fields.src, small(bits >> 12));
    if mode == 0 {
        r.off = (r.off % 64).wrapping_sub(32);
    }
    if f.fields.off == Field::Zero && mode != 3 {
        r.off = 0;
    }
    if f.fields.imm == Field::Zero && mode != 3 {
        r.imm = 0;
    }
    match f.select {
        Select::Off(v) => r.off = v,
        Select::Imm(v) => r.imm = v,
        Select::Src(v) => r.src = v,
        Select::None => {}
    }
    r
}

fn program() -> impl Strategy<Value = Vec<RawInsn>> {
    prop::collection::vec((any::<usize>(), any::<u64>(), 0u8..5), 1..24).prop_map(|v| {
        let mut out = Vec::new();
        for (i, bits, mode) in v {
            if mode == 4 {
                out.push(RawInsn::from_u64(bits)); // anything at all
                continue;
            }
            let s = slot(i, bits, mode);
            out.push(s);
            if s.code == 0x18 && mode != 3 {
                out.push(RawInsn::new(0, 0, 0, 0, (bits >> 17) as i32)); // a proper lddw tail
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn slots_round_trip(raw in program()) {
        for syntax in [Syntax::Kernel, Syntax::Ubpf] {
            let text = disassemble(&raw, syntax);
            let back = assemble(&text, syntax);
            prop_assert_eq!(back.as_ref(), Ok(&raw), "{} text:\n{}", syntax, text);
        }
    }

    #[test]
    fn assembler_never_panics_on_text(src in "\\PC{0,200}") {
        let _ = assemble(&src, Syntax::Kernel);
        let _ = assemble(&src, Syntax::Ubpf);
    }

    /// Disassembly with random cuts and insertions: close to valid text, so the parser goes deep.
    #[test]
    fn assembler_never_panics_on_mutated_listings(
        raw in program(),
        edits in prop::collection::vec((any::<usize>(), any::<usize>(), prop::sample::select(VOCAB)), 1..6),
    ) {
        for syntax in [Syntax::Kernel, Syntax::Ubpf] {
            let mut text: Vec<char> = disassemble(&raw, syntax).chars().collect();
            for (at, len, word) in &edits {
                let at = at % (text.len() + 1);
                let end = (at + len % 4).min(text.len());
                text.splice(at..end, word.chars());
            }
            let text: String = text.into_iter().collect();
            let _ = assemble(&text, syntax);
        }
    }

    #[test]
    fn assembler_never_panics_on_token_soup(words in prop::collection::vec(prop::sample::select(VOCAB), 0..24)) {
        let src = words.join(" ");
        let _ = assemble(&src, Syntax::Kernel);
        let _ = assemble(&src, Syntax::Ubpf);
    }
}

const VOCAB: &[&str] = &[
    "r0", "r1", "w2", "r10", "r11", "%r1", "%r99", "=", "+=", "s>>=", "s", ">", "<=", "*", "(", ")", "[", "]", ",",
    ":", "#", "+", "-", "u8", "u64", "s16", "skb", "goto", "gotol", "if", "call", "callx", "exit", "lock", "ll",
    "map", "map_value", "ksym", "func", "kfunc", "fd", "idx", "id", "hi", "pc", "0", "1", "0xffffffff",
    "99999999999999999999999", "-32769", "label", "label:", "\n", "ldxw", "lddw", "lock fetch", "add32", "ja32",
    "call local", "movsx832", "atomic_fetch_add", "xchg_64", "cmpxchg32_32", "load_acquire", "store_release",
    ".insn", "-- asm", "be16", "bswap64", "may_goto",
];

/// A few hand-picked programs, including awkward slots, in both syntaxes.
#[test]
fn awkward_slots_round_trip() {
    let cases: Vec<Vec<RawInsn>> = vec![
        vec![RawInsn::new(0x18, 1, 0, 0, 5)],                            // truncated lddw
        vec![RawInsn::new(0x18, 1, 0, 0, 5), RawInsn::new(0x07, 0, 0, 0, 1)], // bad tail
        vec![RawInsn::new(0x05, 0, 0, 5, 0)],                             // jump out of range
        vec![RawInsn::new(0x05, 0, 0, 0, 0), RawInsn::new(0x18, 0, 0, 0, 1), RawInsn::new(0, 0, 0, 0, 2)],
        vec![RawInsn::new(0xbf, 11, 2, 0, 0)],                            // r11
        vec![RawInsn::from_u64(u64::MAX)],
        vec![RawInsn::new(0x85, 0, 0, 0, -1)],                            // helper -1
        vec![RawInsn::new(0x85, 0, 1, 0, -1)],                            // call pc-1
        vec![RawInsn::new(0x18, 1, 1, 0, 3), RawInsn::new(0, 0, 0, 0, 9)], // map fd with hi
        vec![RawInsn::new(0x18, 1, 4, 0, -1), RawInsn::new(0, 0, 0, 0, 0)], // func pc-1
        vec![RawInsn::new(0x7a, 10, 0, i16::MIN, i32::MIN)],
        vec![RawInsn::new(0x06, 0, 0, 0, i32::MAX)],                      // gotol
    ];
    for raw in cases {
        for syntax in [Syntax::Kernel, Syntax::Ubpf] {
            let text = disassemble(&raw, syntax);
            assert_eq!(assemble(&text, syntax), Ok(raw.clone()), "{syntax}:\n{text}");
        }
    }
}
