//! Loads, stores and atomics. Addresses are host addresses (`base + off`), used as they are:
//! there is no run-time check, the verifier's proof (or the caller's trust) stands in for it.
//!
//! Atomics map onto locked x86 instructions: `lock add/or/and/xor` without fetch, `lock xadd`
//! for fetch-add, `xchg` (implicitly locked), `lock cmpxchg` with BPF `r0` already in `rax`,
//! and a `lock cmpxchg` loop for fetch-or/and/xor. The 32-bit forms zero-extend whatever they
//! write into a register. x86's ordering (TSO) makes load-acquire and store-release plain
//! moves, as in the kernel's JIT.

use hive_isa::{AtomicOp, Reg, Size, Source};

use crate::compiler::{Compiler, asm};
use crate::emit::blind;
use crate::error::JitError;
use crate::regmap::{AUX, TMP, TMP2, host, x86};

/// `dst = *(size *)(src + off)`, zero- or sign-extended (`off` is an instruction's, or one
/// with an addition folded in).
pub(crate) fn load(c: &mut Compiler<'_>, size: Size, signed: bool, dst: Reg, src: Reg, off: i32) {
    let (d, b, o) = (host(dst), host(src), off);
    // A displacement that fits in a signed byte takes the disp8 form (3 bytes shorter).
    if let Ok(o) = i8::try_from(o) {
        match (size, signed) {
            (Size::B, false) => asm!(c.ops, ; movzx Rd(d), BYTE [BYTE Rq(b) + o]),
            (Size::H, false) => asm!(c.ops, ; movzx Rd(d), WORD [BYTE Rq(b) + o]),
            (Size::W, false) => asm!(c.ops, ; mov Rd(d), DWORD [BYTE Rq(b) + o]),
            (Size::B, true) => asm!(c.ops, ; movsx Rq(d), BYTE [BYTE Rq(b) + o]),
            (Size::H, true) => asm!(c.ops, ; movsx Rq(d), WORD [BYTE Rq(b) + o]),
            (Size::W, true) => asm!(c.ops, ; movsxd Rq(d), DWORD [BYTE Rq(b) + o]),
            (Size::DW, _) => asm!(c.ops, ; mov Rq(d), QWORD [BYTE Rq(b) + o]),
        }
        return;
    }
    match (size, signed) {
        (Size::B, false) => asm!(c.ops, ; movzx Rd(d), BYTE [Rq(b) + o]),
        (Size::H, false) => asm!(c.ops, ; movzx Rd(d), WORD [Rq(b) + o]),
        (Size::W, false) => asm!(c.ops, ; mov Rd(d), DWORD [Rq(b) + o]),
        (Size::B, true) => asm!(c.ops, ; movsx Rq(d), BYTE [Rq(b) + o]),
        (Size::H, true) => asm!(c.ops, ; movsx Rq(d), WORD [Rq(b) + o]),
        (Size::W, true) => asm!(c.ops, ; movsxd Rq(d), DWORD [Rq(b) + o]),
        (Size::DW, _) => asm!(c.ops, ; mov Rq(d), QWORD [Rq(b) + o]),
    }
}

/// `*(size *)(dst + off) = src`; an immediate is truncated to the size (sign-extended for
/// `DW`).
pub(crate) fn store(c: &mut Compiler<'_>, size: Size, dst: Reg, off: i32, src: Source) {
    let (b, o) = (host(dst), off);
    match src {
        // Blinded: from r11 (the register form stores the same low bytes).
        Source::Imm(i) if i != 0 && blind::on(c) => {
            let t = blind::imm_in_tmp(c, true, i);
            store_reg(c, size, b, o, t);
        }
        Source::Imm(i) if let Ok(o) = i8::try_from(o) => match size {
            Size::B => asm!(c.ops, ; mov BYTE [BYTE Rq(b) + o], i as i8),
            Size::H => asm!(c.ops, ; mov WORD [BYTE Rq(b) + o], i as i16),
            Size::W => asm!(c.ops, ; mov DWORD [BYTE Rq(b) + o], i),
            Size::DW => asm!(c.ops, ; mov QWORD [BYTE Rq(b) + o], i),
        },
        Source::Imm(i) => match size {
            Size::B => asm!(c.ops, ; mov BYTE [Rq(b) + o], i as i8),
            Size::H => asm!(c.ops, ; mov WORD [Rq(b) + o], i as i16),
            Size::W => asm!(c.ops, ; mov DWORD [Rq(b) + o], i),
            Size::DW => asm!(c.ops, ; mov QWORD [Rq(b) + o], i),
        },
        Source::Reg(s) => store_reg(c, size, b, o, host(s)),
    }
}

fn store_reg(c: &mut Compiler<'_>, size: Size, b: u8, o: i32, s: u8) {
    if let Ok(o) = i8::try_from(o) {
        match size {
            Size::B => asm!(c.ops, ; mov BYTE [BYTE Rq(b) + o], Rb(s)),
            Size::H => asm!(c.ops, ; mov WORD [BYTE Rq(b) + o], Rw(s)),
            Size::W => asm!(c.ops, ; mov DWORD [BYTE Rq(b) + o], Rd(s)),
            Size::DW => asm!(c.ops, ; mov QWORD [BYTE Rq(b) + o], Rq(s)),
        }
        return;
    }
    match size {
        Size::B => asm!(c.ops, ; mov BYTE [Rq(b) + o], Rb(s)),
        Size::H => asm!(c.ops, ; mov WORD [Rq(b) + o], Rw(s)),
        Size::W => asm!(c.ops, ; mov DWORD [Rq(b) + o], Rd(s)),
        Size::DW => asm!(c.ops, ; mov QWORD [Rq(b) + o], Rq(s)),
    }
}

/// `BPF_ATOMIC` operations.
pub(crate) fn atomic(
    c: &mut Compiler<'_>,
    pc: usize,
    size: Size,
    op: AtomicOp,
    dst: Reg,
    src: Reg,
    off: i16,
) -> Result<(), JitError> {
    match op {
        AtomicOp::LoadAcquire => {
            load(c, size, false, dst, src, off as i32);
            return Ok(());
        }
        AtomicOp::StoreRelease => {
            store_reg(c, size, host(dst), off as i32, host(src));
            return Ok(());
        }
        _ => {}
    }
    let w64 = match size {
        Size::DW => true,
        Size::W => false,
        _ => {
            return Err(JitError::Unsupported { pc, what: "a read-modify-write atomic of 1 or 2 bytes" });
        }
    };
    let (b, o, s) = (host(dst), off as i32, host(src));
    macro_rules! plain {
        ($mn:ident) => {
            if w64 {
                asm!(c.ops, ; lock $mn QWORD [Rq(b) + o], Rq(s))
            } else {
                asm!(c.ops, ; lock $mn DWORD [Rq(b) + o], Rd(s))
            }
        };
    }
    match op {
        AtomicOp::Add { fetch: false } => plain!(add),
        AtomicOp::Or { fetch: false } => plain!(or),
        AtomicOp::And { fetch: false } => plain!(and),
        AtomicOp::Xor { fetch: false } => plain!(xor),
        AtomicOp::Add { fetch: true } => plain!(xadd),
        AtomicOp::Xchg if w64 => asm!(c.ops, ; xchg QWORD [Rq(b) + o], Rq(s)),
        AtomicOp::Xchg => asm!(c.ops, ; xchg DWORD [Rq(b) + o], Rd(s)),
        AtomicOp::Cmpxchg if w64 => asm!(c.ops, ; lock cmpxchg QWORD [Rq(b) + o], Rq(s)),
        // A successful 32-bit cmpxchg leaves rax's upper half alone: zero-extend by hand.
        AtomicOp::Cmpxchg => asm!(c.ops, ; lock cmpxchg DWORD [Rq(b) + o], Rd(s) ; mov eax, eax),
        _ => fetch_loop(c, w64, op, b, o, s),
    }
    Ok(())
}

/// Fetch-or/and/xor as a `lock cmpxchg` loop: r9 = address, r10 = saved `rax` (or the operand
/// when it is `rax`), r11 = the new value.
fn fetch_loop(c: &mut Compiler<'_>, w64: bool, op: AtomicOp, b: u8, o: i32, s: u8) {
    let operand = if s == x86::RAX { TMP2 } else { s };
    let retry = c.ops.new_dynamic_label();
    asm!(c.ops, ; lea Rq(AUX), [Rq(b) + o] ; mov Rq(TMP2), rax);
    if w64 {
        asm!(c.ops, ; mov rax, QWORD [Rq(AUX)] ; =>retry ; mov Rq(TMP), rax);
        match op {
            AtomicOp::Or { .. } => asm!(c.ops, ; or Rq(TMP), Rq(operand)),
            AtomicOp::And { .. } => asm!(c.ops, ; and Rq(TMP), Rq(operand)),
            _ => asm!(c.ops, ; xor Rq(TMP), Rq(operand)),
        }
        asm!(c.ops, ; lock cmpxchg QWORD [Rq(AUX)], Rq(TMP) ; jnz =>retry ; mov Rq(s), rax);
    } else {
        asm!(c.ops, ; mov eax, DWORD [Rq(AUX)] ; =>retry ; mov Rd(TMP), eax);
        match op {
            AtomicOp::Or { .. } => asm!(c.ops, ; or Rd(TMP), Rd(operand)),
            AtomicOp::And { .. } => asm!(c.ops, ; and Rd(TMP), Rd(operand)),
            _ => asm!(c.ops, ; xor Rd(TMP), Rd(operand)),
        }
        asm!(c.ops, ; lock cmpxchg DWORD [Rq(AUX)], Rd(TMP) ; jnz =>retry ; mov Rd(s), eax);
    }
    if s != x86::RAX {
        asm!(c.ops, ; mov rax, Rq(TMP2));
    }
}
