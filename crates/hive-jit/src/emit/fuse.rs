//! Pairs of adjacent instructions compiled as one x86 instruction, when nothing jumps
//! between them (the second is no jump target), with exactly the pair's effect:
//!
//! | BPF | x86 |
//! |---|---|
//! | `rA = rB; rA += imm` (or `-= imm`) | `lea rA, [rB + imm]` |
//! | `rA = rB; rA += rC` | `lea rA, [rB + rC]` |
//! | `rA = rB; rA *= 2, 3, 5, 9` or `rA <<= 1` | `lea rA, [rB + rB * 1, 2, 4, 8]` |
//! | `rA = rB; rA *= imm` | `imul rA, rB, imm` |
//! | `rA = rB; rA &= 0xff, 0xffff` | `movzx eA, bB` / `movzx eA, wB` |
//! | `rA <<= 32, 48, 56; rA s>>= 32, 48, 56` | `movsxd rA, eA` / `movsx rA, wA` / `movsx rA, bA` |
//! | `rA <<= 32, 48, 56; rA >>= 32, 48, 56` | `mov eA, eA` / `movzx eA, wA` / `movzx eA, bA` |
//! | `wA <<= 16, 24; wA (s)>>= 16, 24` | `movsx`/`movzx eA, wA` / `eA, bA` |
//!
//! The 32-bit forms (`wA = wB; wA += ...`) use the 32-bit destination, which truncates the
//! 64-bit address arithmetic to the same low half and zero-extends it, as BPF requires. None
//! of these set flags, which nothing after them reads (each conditional jump sets its own).

use dynasmrt::DynasmApi;
use hive_isa::{AluOp, Insn, Reg, Source, Width};

use crate::compiler::{Compiler, asm};
use crate::regmap::host;

/// Emits `a` and `b` as one instruction if they form a pair above; says whether it did.
pub(crate) fn pair(c: &mut Compiler<'_>, a: &Insn, b: &Insn) -> bool {
    match (*a, *b) {
        (
            Insn::Alu { width, op: AluOp::Mov, dst, src: Source::Reg(s) },
            Insn::Alu { width: w2, op, dst: d2, src: src2 },
        ) if w2 == width && d2 == dst && s != dst => copy_then(c, width, dst, s, op, src2),
        (
            Insn::Alu { width, op: AluOp::Lsh, dst, src: Source::Imm(k) },
            Insn::Alu { width: w2, op: op @ (AluOp::Rsh | AluOp::Arsh), dst: d2, src: Source::Imm(k2) },
        ) if w2 == width && d2 == dst && k2 == k => {
            // Zero-extending what is already zero-extended does nothing.
            let done = width == Width::W64 && k == 32 && op == AluOp::Rsh && c.facts.reg(dst).upper_zero();
            done || extend(c, width, dst, k, op == AluOp::Arsh)
        }
        _ => false,
    }
}

/// The 32-bit form of a 64-bit operation whose result's low half depends only on its
/// operands' low halves (moves, `+`, `-`, `*`, bitwise operations, `neg`; shifts left by
/// less than 32), and the register it writes: followed by a zero-extension of that register,
/// it is the 32-bit operation, which zero-extends by itself.
pub(crate) fn narrowed(insn: &Insn) -> Option<(Insn, Reg)> {
    match *insn {
        Insn::Alu { width: Width::W64, op, dst, src } => {
            let narrows = match op {
                AluOp::Mov | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => true,
                AluOp::Add | AluOp::Sub | AluOp::Mul | AluOp::And | AluOp::Or | AluOp::Xor => true,
                AluOp::Lsh => matches!(src, Source::Imm(0..=31)),
                _ => false,
            };
            narrows.then_some((Insn::Alu { width: Width::W32, op, dst, src }, dst))
        }
        Insn::Neg { width: Width::W64, dst } => Some((Insn::Neg { width: Width::W32, dst }, dst)),
        _ => None,
    }
}

/// Whether slots `q` and `q + 1` (of a subprogram ending at `end`, no jump landing on
/// either) are `reg <<= 32; reg >>= 32`.
pub(crate) fn zext_at(c: &Compiler<'_>, q: usize, reg: Reg, end: usize) -> bool {
    let shift = |at: usize, op| {
        at < end
            && !c.targets[at]
            && c.code.get(at) == Some(&Insn::Alu { width: Width::W64, op, dst: reg, src: Source::Imm(32) })
    };
    shift(q, AluOp::Lsh) && shift(q + 1, AluOp::Rsh)
}

/// `dst <<= k; dst >>= k` (`s>>=` if `signed`): a zero or sign extension of the low 8, 16
/// or 32 bits.
fn extend(c: &mut Compiler<'_>, width: Width, dst: Reg, k: i32, signed: bool) -> bool {
    let d = host(dst);
    match (width, k, signed) {
        (Width::W64, 32, true) => asm!(c.ops, ; movsxd Rq(d), Rd(d)),
        (Width::W64, 32, false) => asm!(c.ops, ; mov Rd(d), Rd(d)),
        (Width::W64, 48, true) => asm!(c.ops, ; movsx Rq(d), Rw(d)),
        (Width::W64, 56, true) => asm!(c.ops, ; movsx Rq(d), Rb(d)),
        (Width::W64, 48, false) | (Width::W32, 16, false) => asm!(c.ops, ; movzx Rd(d), Rw(d)),
        (Width::W64, 56, false) | (Width::W32, 24, false) => asm!(c.ops, ; movzx Rd(d), Rb(d)),
        (Width::W32, 16, true) => asm!(c.ops, ; movsx Rd(d), Rw(d)),
        (Width::W32, 24, true) => asm!(c.ops, ; movsx Rd(d), Rb(d)),
        _ => return false,
    }
    true
}

/// `dst = s; dst op= src`.
fn copy_then(c: &mut Compiler<'_>, width: Width, dst: Reg, s: Reg, op: AluOp, src: Source) -> bool {
    let (a, b) = (host(dst), host(s));
    let w64 = width == Width::W64;
    match (op, src) {
        (AluOp::Add, Source::Imm(i)) => lea_disp(c, w64, a, b, i as i64),
        (AluOp::Sub, Source::Imm(i)) if i != i32::MIN => lea_disp(c, w64, a, b, -(i as i64)),
        (AluOp::Add, Source::Reg(r)) => {
            // `rA += rA` adds the copy: rB.
            let x = if r == dst { b } else { host(r) };
            lea_bi(c, w64, a, b, x, 0);
        }
        (AluOp::Mul, Source::Imm(i @ (2 | 3 | 5 | 9))) => scaled(c, w64, a, b, i),
        (AluOp::Lsh, Source::Imm(1)) => scaled(c, w64, a, b, 2),
        (AluOp::Mul, Source::Imm(i)) => {
            if w64 {
                asm!(c.ops, ; imul Rq(a), Rq(b), i);
            } else {
                asm!(c.ops, ; imul Rd(a), Rd(b), i);
            }
        }
        (AluOp::And, Source::Imm(0xff)) => asm!(c.ops, ; movzx Rd(a), Rb(b)),
        (AluOp::And, Source::Imm(0xffff)) => asm!(c.ops, ; movzx Rd(a), Rw(b)),
        _ => return false,
    }
    true
}

/// `a = b + disp` (64 or 32 bits).
fn lea_disp(c: &mut Compiler<'_>, w64: bool, a: u8, b: u8, disp: i64) {
    let Ok(disp) = i32::try_from(disp) else { unreachable!("the displacement is an i32 or its negation") };
    match (w64, i8::try_from(disp)) {
        (true, Ok(d8)) => asm!(c.ops, ; lea Rq(a), [BYTE Rq(b) + d8]),
        (true, Err(_)) => asm!(c.ops, ; lea Rq(a), [Rq(b) + disp]),
        (false, Ok(d8)) => asm!(c.ops, ; lea Rd(a), [BYTE Rq(b) + d8]),
        (false, Err(_)) => asm!(c.ops, ; lea Rd(a), [Rq(b) + disp]),
    }
}

/// `a = b * m` for `m` in 2, 3, 4, 5, 8, 9: `lea a, [b + b * (m - 1)]` for 2, 3, 5 and 9
/// (`[b + b]` has the latency of an `add`, a scaled index 2 cycles, `imul` 3), a shift
/// for 4 and 8 (`lea` without a base needs a 32-bit displacement and is slower).
pub(crate) fn scaled(c: &mut Compiler<'_>, w64: bool, a: u8, b: u8, m: i32) {
    match m {
        2 => lea_bi(c, w64, a, b, b, 0),
        3 => lea_bi(c, w64, a, b, b, 1),
        5 => lea_bi(c, w64, a, b, b, 2),
        9 => lea_bi(c, w64, a, b, b, 3),
        _ => {
            let k = if m == 4 { 2 } else { 3 };
            match (w64, a == b) {
                (true, true) => asm!(c.ops, ; shl Rq(a), k),
                (true, false) => asm!(c.ops, ; mov Rq(a), Rq(b) ; shl Rq(a), k),
                (false, true) => asm!(c.ops, ; shl Rd(a), k),
                (false, false) => asm!(c.ops, ; mov Rd(a), Rd(b) ; shl Rd(a), k),
            }
        }
    }
}

/// `lea a, [base + index << scale]` (64-bit, or 32-bit destination), encoded by hand:
/// dynasm gives a register only known at run time a zero 8-bit displacement, which makes
/// the `lea` a three-component one, slower on Intel cores. Only a base of `rbp` or `r13`
/// needs that displacement; an unscaled pair is swapped to avoid it.
pub(crate) fn lea_bi(c: &mut Compiler<'_>, w64: bool, a: u8, base: u8, index: u8, scale: u8) {
    let (base, index) = if base & 7 == 5 && scale == 0 && index & 7 != 5 { (index, base) } else { (base, index) };
    let rex = 0x40 | (u8::from(w64) << 3) | ((a >> 3) << 2) | ((index >> 3) << 1) | (base >> 3);
    if rex != 0x40 {
        c.ops.push(rex);
    }
    let disp = base & 7 == 5;
    let modrm = (u8::from(disp) << 6) | ((a & 7) << 3) | 0b100;
    c.ops.extend([0x8d, modrm, (scale << 6) | ((index & 7) << 3) | (base & 7)]);
    if disp {
        c.ops.push(0);
    }
}

/// A shift by an immediate: (register, left?, amount), of `width`.
fn shift_of(insn: Option<&Insn>, width: Width) -> Option<(Reg, bool, i32)> {
    match insn {
        Some(&Insn::Alu { width: w, op: op @ (AluOp::Lsh | AluOp::Rsh), dst, src: Source::Imm(k) }) if w == width => {
            Some((dst, op == AluOp::Lsh, k))
        }
        _ => None,
    }
}

/// A rotate, as clang writes it without a rotate instruction, with `W` = 64 or 32 and
/// `k + m = W` (every instruction of the width; nothing jumping into the group):
///
/// - `T = X; T >>= m; X <<= k; X |= T` (the two shifts in either order, on either
///   register, and the `|=` into either): one register becomes `rol(X, k)`, the other keeps
///   its shifted copy of `X`;
/// - `A = X; A >>= m; B = X; B <<= k; B |= A` (likewise): two copies of `X`, then the same.
///
/// Emitted as `mov` (one or two), `rol` and the remaining shift: the result no longer waits
/// for two shifts and an `or`. Returns the number of slots emitted, 0 if none matched.
pub(crate) fn rotate(c: &mut Compiler<'_>, pc: usize, end: usize) -> usize {
    let Some(&Insn::Alu { width, op: AluOp::Mov, dst: a, src: Source::Reg(x) }) = c.code.get(pc) else {
        return 0;
    };
    if a == x {
        return 0;
    }
    let bits = if width == Width::W64 { 64 } else { 32 };
    let free = |c: &Compiler<'_>, n: usize| pc + n <= end && (pc + 1..pc + n).all(|q| !c.targets[q]);
    let get = |q: usize| c.code.get(q);
    // Which registers hold copies of X, which shifts apply, and the final `|=`.
    let (copies, shifts, or_at, n) = match (shift_of(get(pc + 1), width), get(pc + 2)) {
        // A = X; A shift; B = X; B shift; B |= A
        (Some(s1), Some(&Insn::Alu { width: w, op: AluOp::Mov, dst: b, src: Source::Reg(x2) }))
            if w == width && x2 == x && b != a && b != x && s1.0 == a =>
        {
            let Some(s2) = shift_of(get(pc + 3), width) else {
                return 0;
            };
            if s2.0 != b {
                return 0;
            }
            ([a, b], [s1, s2], pc + 4, 5)
        }
        // T = X; two shifts on T and X; one |= the other
        (Some(s1), _) => {
            let Some(s2) = shift_of(get(pc + 2), width) else {
                return 0;
            };
            ([a, x], [s1, s2], pc + 3, 4)
        }
        _ => return 0,
    };
    let [r0, r1] = copies;
    let [(sa, la, ka), (sb, lb, kb)] = shifts;
    let distinct = (sa == r0 && sb == r1) || (sa == r1 && sb == r0);
    if !distinct || la == lb || ka + kb != bits || !(1..bits).contains(&ka) || !free(c, n) {
        return 0;
    }
    let (d, o) = match get(or_at) {
        Some(&Insn::Alu { width: w, op: AluOp::Or, dst, src: Source::Reg(s) })
            if w == width && ((dst == r0 && s == r1) || (dst == r1 && s == r0)) =>
        {
            (dst, s)
        }
        _ => return 0,
    };
    // The left shift's amount is the rotation; `o` keeps its own shift.
    let k = (if la { ka } else { kb }) as i8;
    let (o_left, o_k) = if sa == o { (la, ka as i8) } else { (lb, kb as i8) };
    let w64 = width == Width::W64;
    let start = c.ops.offset().0 as u32;
    // The other register's shifted copy is often a temporary nothing reads afterwards.
    let o_dead = crate::liveness::dead_after(c.code, pc + n - 1, o, end);
    let (hx, hd, ho) = (host(x), host(d), host(o));
    for copy in copies.iter().filter(|&&r| r != x && !(o_dead && r == o)) {
        let h = host(*copy);
        if w64 {
            asm!(c.ops, ; mov Rq(h), Rq(hx));
        } else {
            asm!(c.ops, ; mov Rd(h), Rd(hx));
        }
    }
    match (w64, o_left, o_dead) {
        (true, _, true) => asm!(c.ops, ; rol Rq(hd), k),
        (false, _, true) => asm!(c.ops, ; rol Rd(hd), k),
        (true, true, false) => asm!(c.ops, ; rol Rq(hd), k ; shl Rq(ho), o_k),
        (true, false, false) => asm!(c.ops, ; rol Rq(hd), k ; shr Rq(ho), o_k),
        (false, true, false) => asm!(c.ops, ; rol Rd(hd), k ; shl Rd(ho), o_k),
        (false, false, false) => asm!(c.ops, ; rol Rd(hd), k ; shr Rd(ho), o_k),
    }
    for q in pc + 1..pc + n {
        c.note_offset(q, start);
    }
    n
}

/// `rT = *(u32 *)(rB + off); wD op= wT` (or the 64-bit load and operation) where `rT` is
/// dead afterwards and nothing jumps to the operation: `op eD, dword [rB + off]`, the load
/// folded into the operation (`add`, `sub`, `and`, `or`, `xor`, `imul`). Returns the number
/// of slots emitted, 0 if the pattern does not apply.
pub(crate) fn load_op(c: &mut Compiler<'_>, pc: usize, end: usize) -> usize {
    use hive_isa::Size;
    let (
        Some(&Insn::Load { size, signed: false, dst: t, src: b, off }),
        Some(&Insn::Alu { width, op, dst: d, src: Source::Reg(s) }),
    ) = (c.code.get(pc), c.code.get(pc + 1))
    else {
        return 0;
    };
    let w64 = match (size, width) {
        (Size::DW, Width::W64) => true,
        (Size::W, Width::W32) => false,
        _ => return 0,
    };
    let foldable = matches!(op, AluOp::Add | AluOp::Sub | AluOp::And | AluOp::Or | AluOp::Xor | AluOp::Mul);
    if !foldable
        || s != t
        || d == t
        || pc + 1 >= end
        || c.targets[pc + 1]
        || !crate::liveness::dead_after(c.code, pc + 1, t, end)
    {
        return 0;
    }
    let (hd, hb, o) = (host(d), host(b), off as i32);
    macro_rules! fold {
        ($mn:ident) => {
            if w64 {
                asm!(c.ops, ; $mn Rq(hd), QWORD [Rq(hb) + o])
            } else {
                asm!(c.ops, ; $mn Rd(hd), DWORD [Rq(hb) + o])
            }
        };
    }
    let start = c.ops.offset().0 as u32;
    match op {
        AluOp::Add => fold!(add),
        AluOp::Sub => fold!(sub),
        AluOp::And => fold!(and),
        AluOp::Or => fold!(or),
        AluOp::Xor => fold!(xor),
        _ => fold!(imul),
    }
    if op != AluOp::Mul {
        c.flags = Some((d, !w64));
    }
    c.note_offset(pc + 1, start);
    2
}

/// `rA += k` (64-bit) followed by a load or store addressed by `rA` after which `rA` is dead
/// (or that loads into `rA`), when nothing jumps to the access: the access with `k` added to
/// its displacement, and no addition. clang leaves such additions where one pointer walks
/// two buffers at a fixed distance (`memcpy`, `strcmp` of `p` and `p + n`). Not when
/// blinding (the displacement would carry the immediate). Returns the number of slots
/// emitted, 0 if the pattern does not apply.
pub(crate) fn offset_into_access(c: &mut Compiler<'_>, pc: usize, end: usize) -> usize {
    let Some(&Insn::Alu { width: Width::W64, op: AluOp::Add, dst: a, src: Source::Imm(k) }) = c.code.get(pc) else {
        return 0;
    };
    if pc + 1 >= end || c.targets[pc + 1] || crate::emit::blind::on(c) {
        return 0;
    }
    let dead = |c: &Compiler<'_>| crate::liveness::dead_after(c.code, pc + 1, a, end);
    let moved = |off: i16| (off as i32).checked_add(k);
    let start = c.ops.offset().0 as u32;
    match c.code.get(pc + 1) {
        Some(&Insn::Load { size, signed, dst, src, off }) if src == a && (dst == a || dead(c)) => {
            let Some(o) = moved(off) else { return 0 };
            crate::emit::mem::load(c, size, signed, dst, src, o);
        }
        Some(&Insn::Store { size, dst, off, src }) if dst == a && src != Source::Reg(a) && dead(c) => {
            let Some(o) = moved(off) else { return 0 };
            crate::emit::mem::store(c, size, dst, o, src);
        }
        _ => return 0,
    }
    c.note_offset(pc + 1, start);
    2
}
