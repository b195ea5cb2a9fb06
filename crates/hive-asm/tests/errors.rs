//! The assembler's refusals: each names the line, quotes it and says what is wrong.

use hive_asm::{AsmError, Syntax, assemble};

fn err(src: &str, syntax: Syntax) -> AsmError {
    match assemble(src, syntax) {
        Ok(raw) => panic!("{src:?} assembled to {raw:?}"),
        Err(e) => e,
    }
}

#[track_caller]
fn refuses(src: &str, syntax: Syntax, line: usize, needle: &str) {
    let e = err(src, syntax);
    assert_eq!(e.line, line, "{src:?}: {e}");
    assert!(e.to_string().contains(needle), "{src:?}: `{e}` lacks `{needle}`");
}

#[test]
fn display_names_line_and_text() {
    let e = err("exit\nmov32 %r0, 2147483648 # too big\n", Syntax::Ubpf);
    assert_eq!(e.line, 2);
    assert_eq!(e.text, "mov32 %r0, 2147483648");
    assert!(e.to_string().starts_with("line 2: immediate 2147483648 out of range"), "{e}");
    assert!(e.to_string().ends_with("(in `mov32 %r0, 2147483648`)"), "{e}");
}

#[test]
fn ubpf_refusals() {
    let u = Syntax::Ubpf;
    refuses("or %r0, %r50\nexit", u, 1, "invalid register %r50");
    refuses("mov %r11, 1", u, 1, "invalid register %r11");
    refuses("mov %r1, %foo", u, 1, "invalid register %foo");
    refuses("ldxq %r0, %r1", u, 1, "unknown mnemonic `ldxq`");
    refuses("mov32 %r0, 0x100000000", u, 1, "out of range");
    refuses("mov32 %r0, -2147483649", u, 1, "out of range");
    refuses("ja NOT_A_LABEL\nexit", u, 1, "undefined label `NOT_A_LABEL`");
    refuses("lock or [%r10-8]\nexit", u, 1, "invalid number of operands for lock");
    refuses("lock\nexit", u, 1, "invalid number of operands for lock");
    refuses("ldxb %r0, %r1", u, 1, "expected a memory operand");
    refuses("ldxb %r0, [%r1+0x10000]", u, 1, "offset 0x10000 out of range");
    refuses("lddw %r0", u, 1, "invalid number of operands for lddw: expected 2, found 1");
    refuses("exit %r0", u, 1, "invalid number of operands for exit");
    refuses("mov %r0,", u, 1, "empty operand");
    refuses("-- Unknown directive", u, 1, "unknown directive");
    refuses(".byte 1", u, 1, "unknown directive `.byte`");
    refuses("", u, 1, "empty program");
    refuses("# only a comment\n\nlabel:\n", u, 3, "empty program");
    refuses("a:\na:\nexit", u, 2, "duplicate label `a`");
    refuses("stx [%r1], 1", u, 1, "unknown mnemonic");
    refuses("stxw [%r1], 1", u, 1, "stxw stores a register");
    refuses("stw [%r1], %r2", u, 1, "stw stores an immediate");
    refuses("movsx832 %r0, 5", u, 1, "takes a register");
    refuses("ja +32768", u, 1, "out of range for a 16-bit offset");
    refuses("call nosuchhelper", u, 1, "unknown helper `nosuchhelper`");
    refuses("lddw %r0, 18446744073709551616", u, 1, "does not fit 64 bits");
    refuses("mov %r0, 1f", u, 1, "malformed number `1f`");
    refuses("lddw %r1, map[fd:1,idx:2]", u, 1, "exactly one of");
    refuses("lddw %r1, map[xx:1]", u, 1, "unknown key `xx`");
}

#[test]
fn kernel_refusals() {
    let k = Syntax::Kernel;
    refuses("r11 = 1", k, 1, "invalid register r11");
    refuses("r0 = 1\nr0 += w1", k, 2, "both registers must be");
    refuses("if r1 == w2 goto +1", k, 1, "both registers must be");
    refuses("r0 = 0x100000000", k, 1, "write `ll` for a 64-bit lddw");
    refuses("w0 = 1 ll", k, 1, "lddw needs an rN destination");
    refuses("r0 = *(u128 *)(r1 + 0)", k, 1, "unknown type `u128`");
    refuses("r0 = *(u32 *)(r1 + 32768)", k, 1, "out of range");
    refuses("*(s32 *)(r1 + 0) = r2", k, 1, "signed type");
    refuses("lock *(u8 *)(r1 + 0) += r2", k, 1, "u32 or u64");
    refuses("lock *(u64 *)(r1 + 0) -= r2", k, 1, "expected +=, |=, &= or ^=");
    refuses("r2 = atomic_fetch_add((u64 *)(r1 + 0), r3)", k, 1, "same register");
    refuses("r1 = cmpxchg_64(r1 + 0, r0, r2)", k, 1, "cmpxchg compares with and returns r0");
    refuses("r0 = atomic64_fetch_add((u32 *)(r1 + 0), r0)", k, 1, "operates on u64");
    refuses("r0 = frobnicate(r1)", k, 1, "unknown operation `frobnicate`");
    refuses("r1 = -r2", k, 1, "same register");
    refuses("r1 = be16 r2", k, 1, "same register");
    refuses("w1 = (s32)w2", k, 1, "unsupported sign-extension");
    refuses("r1 = (s8)5", k, 1, "take a register");
    refuses("r1 = *(u16 *)skb[4]", k, 1, "legacy packet loads");
    refuses("goto +40000", k, 1, "use gotol");
    refuses("call bpf_map_lookup_elem#2", k, 1, "is #1, not #2");
    refuses("call missing\nexit", k, 1, "undefined label `missing`");
    refuses("frob r1", k, 1, "unknown instruction `frob`");
    refuses("r0 = 1 +", k, 1, "unexpected `+` after the instruction");
    refuses("r1 = map[fd:1]+4", k, 1, "unexpected `+`");
    refuses("r1 @ 2", k, 1, "unexpected character `@`");
    refuses("r1 = ksym[fd:1]", k, 1, "needs `id:N`");
    refuses(".insn -1", k, 1, ".insn takes one unsigned 64-bit slot value");
    refuses("exit\n-- raw", k, 2, "unknown directive `-- raw`");
}
