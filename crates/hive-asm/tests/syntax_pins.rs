//! Exact spellings, pinned per instruction family: the bytes, the kernel-syntax line and the
//! uBPF line. Kernel lines of v1-v3 forms are what `llvm-objdump -d` prints (checked with
//! LLVM 14, `--mattr=+alu32` for the 32-bit atomics); v4 forms follow LLVM's
//! `BPFInstrInfo.td`; helper names, `call pc+N`, `skb[rN + imm]` and `lddw` constants in hex
//! follow the kernel's verifier log; pseudo `lddw` and kfunc spellings are Hive's own.

use hive_asm::{Syntax, assemble, disassemble, format_insn};
use hive_isa::RawInsn;

fn bytes(hex: &str) -> Vec<RawInsn> {
    let b: Vec<u8> = hex.split_whitespace().map(|t| u8::from_str_radix(t, 16).expect("hex byte")).collect();
    RawInsn::slice_from_bytes(&b).expect("whole slots")
}

/// (bytes, kernel syntax, uBPF syntax)
const PINS: &[(&str, &str, &str)] = &[
    // ALU
    ("b7 00 00 00 01 00 00 00", "r0 = 1", "mov %r0, 1"),
    ("b7 00 00 00 ff ff ff ff", "r0 = -1", "mov %r0, -1"),
    ("b4 00 00 00 ff ff ff ff", "w0 = -1", "mov32 %r0, -1"),
    ("b7 00 00 00 00 00 00 80", "r0 = -2147483648", "mov %r0, -2147483648"),
    ("bf 21 00 00 00 00 00 00", "r1 = r2", "mov %r1, %r2"),
    ("bc 21 00 00 00 00 00 00", "w1 = w2", "mov32 %r1, %r2"),
    ("0c 10 00 00 00 00 00 00", "w0 += w1", "add32 %r0, %r1"),
    ("1f 10 00 00 00 00 00 00", "r0 -= r1", "sub %r0, %r1"),
    ("27 01 00 00 07 00 00 00", "r1 *= 7", "mul %r1, 7"),
    ("3c 10 00 00 00 00 00 00", "w0 /= w1", "div32 %r0, %r1"),
    ("9f 10 00 00 00 00 00 00", "r0 %= r1", "mod %r0, %r1"),
    ("47 01 00 00 0f 00 00 00", "r1 |= 15", "or %r1, 15"),
    ("54 01 00 00 ff 00 00 00", "w1 &= 255", "and32 %r1, 255"),
    ("a7 01 00 00 01 00 00 00", "r1 ^= 1", "xor %r1, 1"),
    ("67 01 00 00 03 00 00 00", "r1 <<= 3", "lsh %r1, 3"),
    ("7c 21 00 00 00 00 00 00", "w1 >>= w2", "rsh32 %r1, %r2"),
    ("cc 31 00 00 00 00 00 00", "w1 s>>= w3", "arsh32 %r1, %r3"),
    ("87 00 00 00 00 00 00 00", "r0 = -r0", "neg %r0"),
    ("84 00 00 00 00 00 00 00", "w0 = -w0", "neg32 %r0"),
    // v4 signed division and sign-extending moves
    ("3c 10 01 00 00 00 00 00", "w0 s/= w1", "sdiv32 %r0, %r1"),
    ("97 00 01 00 03 00 00 00", "r0 s%= 3", "smod %r0, 3"),
    ("bf 21 08 00 00 00 00 00", "r1 = (s8)r2", "movsx864 %r1, %r2"),
    ("bc 21 10 00 00 00 00 00", "w1 = (s16)w2", "movsx1632 %r1, %r2"),
    ("bf 21 20 00 00 00 00 00", "r1 = (s32)r2", "movsx3264 %r1, %r2"),
    // byte order
    ("dc 00 00 00 10 00 00 00", "r0 = be16 r0", "be16 %r0"),
    ("d4 00 00 00 20 00 00 00", "r0 = le32 r0", "le32 %r0"),
    ("d7 00 00 00 40 00 00 00", "r0 = bswap64 r0", "bswap64 %r0"),
    // loads and stores
    ("61 10 04 00 00 00 00 00", "r0 = *(u32 *)(r1 + 4)", "ldxw %r0, [%r1+4]"),
    ("71 10 00 00 00 00 00 00", "r0 = *(u8 *)(r1 + 0)", "ldxb %r0, [%r1]"),
    ("79 a1 f8 ff 00 00 00 00", "r1 = *(u64 *)(r10 - 8)", "ldxdw %r1, [%r10-8]"),
    ("89 10 02 00 00 00 00 00", "r0 = *(s16 *)(r1 + 2)", "ldxsh %r0, [%r1+2]"),
    ("7b 1a f8 ff 00 00 00 00", "*(u64 *)(r10 - 8) = r1", "stxdw [%r10-8], %r1"),
    ("6b 1a fe ff 00 00 00 00", "*(u16 *)(r10 - 2) = r1", "stxh [%r10-2], %r1"),
    ("62 0a f8 ff 05 00 00 00", "*(u32 *)(r10 - 8) = 5", "stw [%r10-8], 5"),
    ("72 0a ff ff ff ff ff ff", "*(u8 *)(r10 - 1) = -1", "stb [%r10-1], -1"),
    (
        "18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11",
        "r1 = 0x1122334455667788 ll",
        "lddw %r1, 0x1122334455667788",
    ),
    ("30 00 00 00 04 00 00 00", "r0 = *(u8 *)skb[4]", "ldabsb 4"),
    ("48 30 00 00 f8 ff ff ff", "r0 = *(u16 *)skb[r3 - 8]", "ldindh %r3, -8"),
    // atomics
    ("db 21 00 00 00 00 00 00", "lock *(u64 *)(r1 + 0) += r2", "lock add [%r1], %r2"),
    ("c3 21 00 00 40 00 00 00", "lock *(u32 *)(r1 + 0) |= w2", "lock or32 [%r1], %r2"),
    ("db 21 08 00 50 00 00 00", "lock *(u64 *)(r1 + 8) &= r2", "lock and [%r1+8], %r2"),
    ("c3 21 00 00 a0 00 00 00", "lock *(u32 *)(r1 + 0) ^= w2", "lock xor32 [%r1], %r2"),
    ("db 21 00 00 01 00 00 00", "r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)", "lock fetch add [%r1], %r2"),
    ("c3 21 08 00 a1 00 00 00", "w2 = atomic_fetch_xor((u32 *)(r1 + 8), w2)", "lock fetch xor32 [%r1+8], %r2"),
    ("db 2a f8 ff 51 00 00 00", "r2 = atomic_fetch_and((u64 *)(r10 - 8), r2)", "lock fetch and [%r10-8], %r2"),
    ("db 01 00 00 e1 00 00 00", "r0 = xchg_64(r1 + 0, r0)", "lock xchg [%r1], %r0"),
    ("c3 31 fc ff e1 00 00 00", "w3 = xchg32_32(r1 - 4, w3)", "lock xchg32 [%r1-4], %r3"),
    ("db 51 00 00 f1 00 00 00", "r0 = cmpxchg_64(r1 + 0, r0, r5)", "lock cmpxchg [%r1], %r5"),
    ("c3 31 00 00 f1 00 00 00", "w0 = cmpxchg32_32(r1 + 0, w0, w3)", "lock cmpxchg32 [%r1], %r3"),
    ("d3 12 02 00 00 01 00 00", "r2 = load_acquire((u8 *)(r1 + 2))", "load_acquireb %r2, [%r1+2]"),
    ("db 31 00 00 10 01 00 00", "store_release((u64 *)(r1 + 0), r3)", "store_releasedw [%r1], %r3"),
    // jumps
    ("05 00 05 00 00 00 00 00", "goto +5", "ja +5"),
    ("05 00 ff ff 00 00 00 00", "goto -1", "ja -1"),
    ("06 00 00 00 70 11 01 00", "gotol +70000", "ja32 +70000"),
    ("65 01 02 00 03 00 00 00", "if r1 s> 3 goto +2", "jsgt %r1, 3, +2"),
    ("1e 21 ff ff 00 00 00 00", "if w1 == w2 goto -1", "jeq32 %r1, %r2, -1"),
    ("15 01 01 00 ff ff ff ff", "if r1 == -1 goto +1", "jeq %r1, -1, +1"),
    ("45 01 01 00 08 00 00 00", "if r1 & 8 goto +1", "jset %r1, 8, +1"),
    ("ad 21 00 00 00 00 00 00", "if r1 < r2 goto +0", "jlt %r1, %r2, +0"),
    ("d6 01 03 00 00 00 00 00", "if w1 s<= 0 goto +3", "jsle32 %r1, 0, +3"),
    ("e5 00 03 00 00 00 00 00", "may_goto +3", "may_goto +3"),
    // calls
    ("85 00 00 00 01 00 00 00", "call bpf_map_lookup_elem", "call 1"),
    ("85 00 00 00 39 30 00 00", "call 12345", "call 12345"),
    ("85 00 00 00 ff ff ff ff", "call 0xffffffff", "call -1"),
    ("85 10 00 00 03 00 00 00", "call pc+3", "call local +3"),
    ("85 10 00 00 fe ff ff ff", "call pc-2", "call local -2"),
    ("85 20 00 00 4d 00 00 00", "call kfunc[id:77]", "call kfunc 77"),
    ("85 20 02 00 4d 00 00 00", "call kfunc[id:77,fd_idx:2]", "call kfunc 77, 2"),
    ("8d 02 00 00 00 00 00 00", "callx r2", "callx %r2"),
    ("95 00 00 00 00 00 00 00", "exit", "exit"),
    // lddw pseudo sources
    ("18 11 00 00 05 00 00 00 00 00 00 00 00 00 00 00", "r1 = map[fd:5]", "lddw %r1, map[fd:5]"),
    ("18 21 00 00 05 00 00 00 00 00 00 00 10 00 00 00", "r1 = map_value[fd:5]+16", "lddw %r1, map_value[fd:5]+16"),
    ("18 31 00 00 63 00 00 00 00 00 00 00 00 00 00 00", "r1 = ksym[id:99]", "lddw %r1, ksym[id:99]"),
    ("18 31 00 00 63 00 00 00 00 00 00 00 04 00 00 00", "r1 = ksym[id:99,fd:4]", "lddw %r1, ksym[id:99,fd:4]"),
    ("18 41 00 00 02 00 00 00 00 00 00 00 00 00 00 00", "r1 = func[pc+2]", "lddw %r1, func[pc+2]"),
    ("18 51 00 00 02 00 00 00 00 00 00 00 00 00 00 00", "r1 = map[idx:2]", "lddw %r1, map[idx:2]"),
    ("18 61 00 00 02 00 00 00 00 00 00 00 10 00 00 00", "r1 = map_value[idx:2]+16", "lddw %r1, map_value[idx:2]+16"),
    ("18 11 00 00 05 00 00 00 00 00 00 00 07 00 00 00", "r1 = map[fd:5,hi:7]", "lddw %r1, map[fd:5,hi:7]"),
];

#[test]
fn pinned_spellings() {
    for &(hex, kernel, ubpf) in PINS {
        let raw = bytes(hex);
        let insn = hive_isa::decode(raw[0], raw.get(1).copied()).unwrap_or_else(|e| panic!("{hex}: {e}"));
        assert_eq!(format_insn(&insn, Syntax::Kernel), kernel, "bytes {hex}");
        assert_eq!(format_insn(&insn, Syntax::Ubpf), ubpf, "bytes {hex}");
        assert_eq!(assemble(kernel, Syntax::Kernel), Ok(raw.clone()), "{kernel}");
        assert_eq!(assemble(ubpf, Syntax::Ubpf), Ok(raw), "{ubpf}");
    }
}

/// Spellings the assembler accepts besides its own: the verifier log's, LLVM's `w` registers
/// for narrow loads and stores, hex immediates, and uBPF aliases.
#[test]
fn accepted_variants() {
    let kernel = [
        ("0: (85) call bpf_map_lookup_elem#1", "85 00 00 00 01 00 00 00"),
        ("12: (15) if r1 == 0xffffffff goto pc+1", "15 01 01 00 ff ff ff ff"),
        ("call unknown#195", "85 00 00 00 c3 00 00 00"),
        ("r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)", "db 21 00 00 01 00 00 00"),
        ("r2 = atomic_fetch_or((u32 *)(r1 +0), r2)", "c3 21 00 00 41 00 00 00"),
        ("r0 = atomic64_xchg((u64 *)(r1 +0), r0)", "db 01 00 00 e1 00 00 00"),
        ("r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r5)", "db 51 00 00 f1 00 00 00"),
        ("lock *(u32 *)(r1 + 0) += r2", "c3 21 00 00 00 00 00 00"),
        ("w1 = *(u32 *)(r1 + 4)", "61 11 04 00 00 00 00 00"),
        ("*(u32 *)(r1 + 4) = w1", "63 11 04 00 00 00 00 00"),
        ("r0 = *(u16 *)skb[r1]", "48 10 00 00 00 00 00 00"),
        ("r0 = *(u16 *)skb[r1 + -2]", "48 10 00 00 fe ff ff ff"),
        ("r1 = -1 ll", "18 01 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff"),
        ("r1 = 1234605616436508552 ll", "18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11"),
        ("r1 = map[fd:5] ll", "18 11 00 00 05 00 00 00 00 00 00 00 00 00 00 00"),
        ("r1 = map_value[fd:5]", "18 21 00 00 05 00 00 00 00 00 00 00 00 00 00 00"),
        ("w2 = load_acquire((u32 *)(r1 + 0))", "c3 12 00 00 00 01 00 00"),
        ("store_release((u16 *)(r1 + 0), w3)", "cb 31 00 00 10 01 00 00"),
        ("r1=*(u8*)(r2+0x10)", "71 21 10 00 00 00 00 00"),
        ("goto pc-1", "05 00 ff ff 00 00 00 00"),
        ("call -1", "85 10 00 00 ff ff ff ff"),
        (".insn 0x0000000100010007", "07 00 01 00 01 00 00 00"),
    ];
    for (src, hex) in kernel {
        assert_eq!(assemble(src, Syntax::Kernel), Ok(bytes(hex)), "{src}");
    }
    let ubpf = [
        ("swap16 %r0", "d7 00 00 00 10 00 00 00"),
        ("call %r2", "8d 02 00 00 00 00 00 00"),
        ("add64 %r1, 2", "07 01 00 00 02 00 00 00"),
        ("neg64 %r1", "87 01 00 00 00 00 00 00"),
        ("mov r1, r2", "bf 21 00 00 00 00 00 00"),
        ("ldxdw %r0, [%r1 + 0x10]", "79 10 10 00 00 00 00 00"),
        ("lddw %r0, 0xFFFFFFFF80000000", "18 00 00 00 00 00 00 80 00 00 00 00 ff ff ff ff"),
        ("add32 %r9, 0xffffffff", "04 09 00 00 ff ff ff ff"),
        ("call helper 5", "85 00 00 00 05 00 00 00"),
        ("call runtime 7", "85 20 00 00 07 00 00 00"),
        ("call bpf_trace_printk", "85 00 00 00 06 00 00 00"),
        (".insn 0x0000000100010007", "07 00 01 00 01 00 00 00"),
    ];
    for (src, hex) in ubpf {
        assert_eq!(assemble(src, Syntax::Ubpf), Ok(bytes(hex)), "{src}");
    }
}

#[test]
fn labels_resolve() {
    let kernel = "  r0 = 0\nloop: r0 += 1\n  if r0 < 10 goto loop // back\n  call done\n  exit\ndone:\n  r1 = func[done]\n  exit\n";
    let raw = assemble(kernel, Syntax::Kernel).unwrap();
    assert_eq!(
        disassemble(&raw, Syntax::Kernel),
        "r0 = 0\nr0 += 1\nif r0 < 10 goto -2\ncall pc+1\nexit\nr1 = func[pc-1]\nexit\n"
    );
    let ubpf = "mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 10, loop # back\ncall local done\nexit\ndone:\nexit\n";
    let raw = assemble(ubpf, Syntax::Ubpf).unwrap();
    assert_eq!(disassemble(&raw, Syntax::Ubpf), "mov %r0, 0\nadd %r0, 1\njlt %r0, 10, -2\ncall local +1\nexit\nexit\n");
    // uBPF's implicit `exit` label names the first exit instruction.
    let raw = assemble("ja exit\nmov %r0, 1\nexit\n", Syntax::Ubpf).unwrap();
    assert_eq!(raw[0], RawInsn::new(0x05, 0, 0, 1, 0));
    // A label may stand after the last instruction (a loader will reject the jump).
    let raw = assemble("goto end\nexit\nend:", Syntax::Kernel).unwrap();
    assert_eq!(raw[0], RawInsn::new(0x05, 0, 0, 1, 0));
}

#[test]
fn undecodable_slots_print_raw_with_reason() {
    let raw = [RawInsn::new(0x07, 0, 0, 1, 1), RawInsn::new(0x05, 0, 0, 3, 0)];
    assert_eq!(
        disassemble(&raw, Syntax::Kernel),
        ".insn 0x0000000100010007 // reserved field off must be 0 in add (opcode 0x07), found 1\n\
         goto +3 // jump out of range: target 5 outside 0..2\n"
    );
    assert_eq!(
        disassemble(&raw, Syntax::Ubpf),
        ".insn 0x0000000100010007 # reserved field off must be 0 in add (opcode 0x07), found 1\n\
         ja +3 # jump out of range: target 5 outside 0..2\n"
    );
}
