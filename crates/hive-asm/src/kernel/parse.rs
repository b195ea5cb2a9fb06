//! Kernel/LLVM syntax parser: one line's tokens to a [`Stmt`].
//!
//! It accepts everything [`super::print`] writes plus the usual variants of the other tools:
//! the verifier log's `goto pc+N`, `call bpf_map_lookup_elem#1`, hex jump immediates,
//! `atomic64_fetch_add((u64 *)(r1 +0), r2)`, `atomic64_xchg`, `atomic64_cmpxchg`, `skb[r1]`,
//! LLVM's `w` registers for loads and stores of 32 bits or less, and `r` registers in 32-bit
//! atomics. Registers must be `r0`-`r10` or `w0`-`w10`; both operands of an ALU operation or a
//! comparison must agree on `r`/`w`.

use hive_isa::{AluOp, AtomicOp, CallTarget, Cond, EndianOp, Insn, PacketMode, Reg, Size, Source, Width};

use crate::helpers::helper_id;
use crate::lexer::{Cursor, Tok};
use crate::operand::{self, branch};
use crate::program::Stmt;
use crate::pseudo;

type R<T> = Result<T, String>;

/// Classifies an identifier as a register: `None` if it does not look like one, an error for
/// `r11` and above.
pub(crate) fn reg_name(s: &str) -> Option<R<(Reg, Width)>> {
    let width = match s.as_bytes().first() {
        Some(b'r') => Width::W64,
        Some(b'w') => Width::W32,
        _ => return None,
    };
    let digits = &s[1..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let reg = digits.parse::<u8>().ok().and_then(Reg::new);
    Some(reg.map(|r| (r, width)).ok_or_else(|| format!("invalid register {s} (registers are r0-r10 and w0-w10)")))
}

fn is_reg(t: Option<Tok<'_>>) -> bool {
    matches!(t, Some(Tok::Ident(s)) if reg_name(s).is_some())
}

fn reg(c: &mut Cursor<'_, '_>) -> R<(Reg, Width)> {
    let found = c.describe_next();
    match c.next_tok() {
        Some(Tok::Ident(s)) => reg_name(s).unwrap_or_else(|| Err(format!("expected a register, found `{s}`"))),
        _ => Err(format!("expected a register, found {found}")),
    }
}

/// A register that must be a 64-bit `rN` (addresses, `lddw`).
fn reg64(c: &mut Cursor<'_, '_>) -> R<Reg> {
    match reg(c)? {
        (r, Width::W64) => Ok(r),
        (r, Width::W32) => Err(format!("expected a 64-bit register r{0}, found w{0}", r.num())),
    }
}

/// `(u32 *)` and friends: the access size and whether the type is signed.
fn cast(c: &mut Cursor<'_, '_>) -> R<(Size, bool)> {
    c.expect("(")?;
    let t = c.ident("a type such as u32")?;
    let ty = match t {
        "u8" => (Size::B, false),
        "u16" => (Size::H, false),
        "u32" => (Size::W, false),
        "u64" => (Size::DW, false),
        "s8" => (Size::B, true),
        "s16" => (Size::H, true),
        "s32" => (Size::W, true),
        _ => return Err(format!("unknown type `{t}` (expected u8, u16, u32, u64, s8, s16 or s32)")),
    };
    c.expect("*")?;
    c.expect(")")?;
    Ok(ty)
}

fn unsigned_cast(c: &mut Cursor<'_, '_>) -> R<Size> {
    match cast(c)? {
        (size, false) => Ok(size),
        (_, true) => Err("a signed type is only allowed for sign-extending loads".to_string()),
    }
}

/// `r1 + 4` (no parentheses).
fn addr(c: &mut Cursor<'_, '_>) -> R<(Reg, i16)> {
    let base = reg64(c)?;
    Ok((base, operand::opt_off16(c)?))
}

/// `(r1 + 4)`.
fn mem(c: &mut Cursor<'_, '_>) -> R<(Reg, i16)> {
    c.expect("(")?;
    let a = addr(c)?;
    c.expect(")")?;
    Ok(a)
}

fn atomic_size(size: Size) -> R<Size> {
    match size {
        Size::W | Size::DW => Ok(size),
        _ => Err("atomic read-modify-write operations take u32 or u64".to_string()),
    }
}

/// Parses one instruction.
pub(crate) fn parse(c: &mut Cursor<'_, '_>) -> R<Stmt> {
    let stmt = match c.peek() {
        Some(Tok::Ident("exit")) => {
            c.next_tok();
            Stmt::Insn(Insn::Exit)
        }
        Some(Tok::Ident("goto")) => {
            c.next_tok();
            branch(Insn::Ja { off: 0, long: false }, operand::target(c)?)?
        }
        Some(Tok::Ident("gotol")) => {
            c.next_tok();
            branch(Insn::Ja { off: 0, long: true }, operand::target(c)?)?
        }
        Some(Tok::Ident("may_goto")) => {
            c.next_tok();
            branch(Insn::MayGoto { off: 0 }, operand::target(c)?)?
        }
        Some(Tok::Ident("call")) => {
            c.next_tok();
            call(c)?
        }
        Some(Tok::Ident("callx")) => {
            c.next_tok();
            Stmt::Insn(Insn::CallX { reg: reg64(c)? })
        }
        Some(Tok::Ident("if")) => {
            c.next_tok();
            cond_jump(c)?
        }
        Some(Tok::Ident("lock")) => {
            c.next_tok();
            lock(c)?
        }
        Some(Tok::Ident("store_release")) => {
            c.next_tok();
            c.expect("(")?;
            let size = unsigned_cast(c)?;
            let (dst, off) = mem(c)?;
            c.expect(",")?;
            let (src, _) = reg(c)?;
            c.expect(")")?;
            Stmt::Insn(Insn::Atomic { size, op: AtomicOp::StoreRelease, dst, src, off })
        }
        Some(Tok::Punct("*")) => {
            c.next_tok();
            let size = unsigned_cast(c)?;
            let (dst, off) = mem(c)?;
            c.expect("=")?;
            let src = if is_reg(c.peek()) { Source::Reg(reg(c)?.0) } else { Source::Imm(operand::imm32(c)?) };
            Stmt::Insn(Insn::Store { size, dst, off, src })
        }
        Some(Tok::Ident(s)) if reg_name(s).is_some() => assign(c)?,
        Some(Tok::Ident(s)) => return Err(format!("unknown instruction `{s}`")),
        _ => return Err(format!("expected an instruction, found {}", c.describe_next())),
    };
    c.finish()?;
    Ok(stmt)
}

fn call(c: &mut Cursor<'_, '_>) -> R<Stmt> {
    let local = Insn::Call(CallTarget::Local(0));
    match c.peek() {
        Some(Tok::Ident("pc")) | Some(Tok::Punct("+" | "-")) => branch(local, operand::target(c)?),
        Some(Tok::Num(_)) => Ok(Stmt::Insn(Insn::Call(CallTarget::Helper(operand::imm32(c)?)))),
        Some(Tok::Ident("kfunc")) if c.peek_at(1) == Some(Tok::Punct("[")) => {
            c.next_tok();
            c.next_tok();
            c.expect_ident("id")?;
            c.expect(":")?;
            let btf_id = operand::imm32(c)?;
            let mut off = 0;
            if c.eat(",") {
                c.expect_ident("fd_idx")?;
                c.expect(":")?;
                let (neg, n) = operand::signed(c)?;
                off = operand::to_off16(neg, n)?;
            }
            c.expect("]")?;
            Ok(Stmt::Insn(Insn::Call(CallTarget::Kfunc { btf_id, off })))
        }
        Some(Tok::Ident(name)) => {
            c.next_tok();
            // The verifier log writes `call bpf_map_lookup_elem#1` and `call unknown#195`.
            let num = if c.eat("#") { Some(operand::imm32(c)?) } else { None };
            match (helper_id(name), num) {
                (Some(id), Some(n)) if id != n => Err(format!("helper `{name}` is #{id}, not #{n}")),
                (Some(id), _) | (None, Some(id)) => Ok(Stmt::Insn(Insn::Call(CallTarget::Helper(id)))),
                (None, None) => Ok(Stmt::Branch(local, name.to_string())),
            }
        }
        _ => Err(format!("expected a call target, found {}", c.describe_next())),
    }
}

fn cond_op(c: &mut Cursor<'_, '_>) -> R<Cond> {
    let signed = c.eat_ident("s");
    let found = c.describe_next();
    let cond = match (c.next_tok(), signed) {
        (Some(Tok::Punct("==")), false) => Cond::Eq,
        (Some(Tok::Punct("!=")), false) => Cond::Ne,
        (Some(Tok::Punct("&")), false) => Cond::Set,
        (Some(Tok::Punct(">")), false) => Cond::Gt,
        (Some(Tok::Punct(">=")), false) => Cond::Ge,
        (Some(Tok::Punct("<")), false) => Cond::Lt,
        (Some(Tok::Punct("<=")), false) => Cond::Le,
        (Some(Tok::Punct(">")), true) => Cond::Sgt,
        (Some(Tok::Punct(">=")), true) => Cond::Sge,
        (Some(Tok::Punct("<")), true) => Cond::Slt,
        (Some(Tok::Punct("<=")), true) => Cond::Sle,
        _ => return Err(format!("expected a comparison (==, !=, &, >, >=, <, <=, s>, s>=, s<, s<=), found {found}")),
    };
    Ok(cond)
}

/// `if r1 s> 3 goto +2`.
fn cond_jump(c: &mut Cursor<'_, '_>) -> R<Stmt> {
    let (dst, width) = reg(c)?;
    let cond = cond_op(c)?;
    let src = same_width_source(c, width)?;
    c.expect_ident("goto")?;
    branch(Insn::Jump { width, cond, dst, src, off: 0 }, operand::target(c)?)
}

/// A register of the same width as the destination, or a 32-bit immediate.
fn same_width_source(c: &mut Cursor<'_, '_>, width: Width) -> R<Source> {
    if !is_reg(c.peek()) {
        return Ok(Source::Imm(operand::imm32(c)?));
    }
    let (s, w) = reg(c)?;
    if w != width {
        return Err("both registers must be rN (64-bit) or both wN (32-bit)".to_string());
    }
    Ok(Source::Reg(s))
}

/// `lock *(u64 *)(r1 + 0) += r2`.
fn lock(c: &mut Cursor<'_, '_>) -> R<Stmt> {
    c.expect("*")?;
    let size = atomic_size(unsigned_cast(c)?)?;
    let (dst, off) = mem(c)?;
    let found = c.describe_next();
    let op = match c.next_tok() {
        Some(Tok::Punct("+=")) => AtomicOp::Add { fetch: false },
        Some(Tok::Punct("|=")) => AtomicOp::Or { fetch: false },
        Some(Tok::Punct("&=")) => AtomicOp::And { fetch: false },
        Some(Tok::Punct("^=")) => AtomicOp::Xor { fetch: false },
        _ => return Err(format!("expected +=, |=, &= or ^= after lock, found {found}")),
    };
    let (src, _) = reg(c)?;
    Ok(Stmt::Insn(Insn::Atomic { size, op, dst, src, off }))
}

/// Everything that starts with a destination register.
fn assign(c: &mut Cursor<'_, '_>) -> R<Stmt> {
    let (dst, width) = reg(c)?;
    let signed = c.eat_ident("s");
    let found = c.describe_next();
    let op = match (c.next_tok(), signed) {
        (Some(Tok::Punct("=")), false) => return assign_rhs(c, dst, width),
        (Some(Tok::Punct("+=")), false) => AluOp::Add,
        (Some(Tok::Punct("-=")), false) => AluOp::Sub,
        (Some(Tok::Punct("*=")), false) => AluOp::Mul,
        (Some(Tok::Punct("/=")), false) => AluOp::Div,
        (Some(Tok::Punct("%=")), false) => AluOp::Mod,
        (Some(Tok::Punct("|=")), false) => AluOp::Or,
        (Some(Tok::Punct("&=")), false) => AluOp::And,
        (Some(Tok::Punct("^=")), false) => AluOp::Xor,
        (Some(Tok::Punct("<<=")), false) => AluOp::Lsh,
        (Some(Tok::Punct(">>=")), false) => AluOp::Rsh,
        (Some(Tok::Punct(">>=")), true) => AluOp::Arsh,
        (Some(Tok::Punct("/=")), true) => AluOp::SDiv,
        (Some(Tok::Punct("%=")), true) => AluOp::SMod,
        _ => return Err(format!("expected an assignment operator, found {found}")),
    };
    let src = same_width_source(c, width)?;
    Ok(Stmt::Insn(Insn::Alu { width, op, dst, src }))
}

fn same_reg(want: Reg, got: Reg, what: &str) -> R<()> {
    if want == got { Ok(()) } else { Err(format!("{what} must use the same register on both sides (r{})", want.num())) }
}

/// The right-hand side of `dst = ...`.
fn assign_rhs(c: &mut Cursor<'_, '_>, dst: Reg, width: Width) -> R<Stmt> {
    let insn = match c.peek() {
        Some(Tok::Punct("*")) => {
            c.next_tok();
            let (size, signed) = cast(c)?;
            if width == Width::W32 && size == Size::DW {
                return Err("a 64-bit load needs an rN destination".to_string());
            }
            if c.eat_ident("skb") {
                return packet(c, dst, size, signed);
            }
            let (src, off) = mem(c)?;
            Insn::Load { size, signed, dst, src, off }
        }
        Some(Tok::Punct("-")) if is_reg(c.peek_at(1)) => {
            c.next_tok();
            let (r, w) = reg(c)?;
            same_reg(dst, r, "negation")?;
            if w != width {
                return Err("negation must use the same register on both sides".to_string());
            }
            Insn::Neg { width, dst }
        }
        Some(Tok::Punct("(")) => {
            c.next_tok();
            let t = c.ident("s8, s16 or s32")?;
            let op = match (t, width) {
                ("s8", _) => AluOp::MovSx8,
                ("s16", _) => AluOp::MovSx16,
                ("s32", Width::W64) => AluOp::MovSx32,
                _ => return Err(format!("unsupported sign-extension `({t})` for a {width:?} move")),
            };
            c.expect(")")?;
            let src = same_width_source(c, width)?;
            if !matches!(src, Source::Reg(_)) {
                return Err("sign-extending moves take a register".to_string());
            }
            Insn::Alu { width, op, dst, src }
        }
        Some(Tok::Ident(s)) if endian_op(s).is_some() => {
            c.next_tok();
            let (op, bits) = endian_op(s).unwrap_or((EndianOp::ToLe, 0));
            let (r, _) = reg(c)?;
            same_reg(dst, r, "a byte swap")?;
            Insn::Endian { op, bits, dst }
        }
        Some(Tok::Ident("load_acquire")) => {
            c.next_tok();
            c.expect("(")?;
            let size = unsigned_cast(c)?;
            let (src, off) = mem(c)?;
            c.expect(")")?;
            Insn::Atomic { size, op: AtomicOp::LoadAcquire, dst, src, off }
        }
        Some(Tok::Ident(s)) if pseudo::is_keyword(s) && c.peek_at(1) == Some(Tok::Punct("[")) => {
            if width == Width::W32 {
                return Err("lddw needs an rN destination".to_string());
            }
            return pseudo::parse(c, dst);
        }
        Some(Tok::Ident(s)) if !is_reg(c.peek()) => {
            c.next_tok();
            return atomic_call(c, s, dst);
        }
        Some(Tok::Ident(_)) => {
            let src = same_width_source(c, width)?;
            Insn::Alu { width, op: AluOp::Mov, dst, src }
        }
        _ => {
            let (neg, n) = operand::signed(c)?;
            if c.eat_ident("ll") {
                if width == Width::W32 {
                    return Err("lddw needs an rN destination".to_string());
                }
                let v = operand::to_imm64(neg, n)?;
                Insn::LdImm64 { dst, pseudo: hive_isa::Pseudo::None, imm: v as u32 as i32, next_imm: (v >> 32) as u32 as i32 }
            } else {
                let imm = operand::to_imm32(neg, n).map_err(|e| format!("{e} (write `ll` for a 64-bit lddw)"))?;
                Insn::Alu { width, op: AluOp::Mov, dst, src: Source::Imm(imm) }
            }
        }
    };
    Ok(Stmt::Insn(insn))
}

fn endian_op(s: &str) -> Option<(EndianOp, u32)> {
    let (op, bits) = if let Some(b) = s.strip_prefix("bswap") {
        (EndianOp::Swap, b)
    } else if let Some(b) = s.strip_prefix("be") {
        (EndianOp::ToBe, b)
    } else {
        (EndianOp::ToLe, s.strip_prefix("le")?)
    };
    match bits {
        "16" => Some((op, 16)),
        "32" => Some((op, 32)),
        "64" => Some((op, 64)),
        _ => None,
    }
}

/// `r0 = *(u8 *)skb[4]`, `skb[r1 + 4]`, `skb[r1]`.
fn packet(c: &mut Cursor<'_, '_>, dst: Reg, size: Size, signed: bool) -> R<Stmt> {
    if dst != Reg::R0 || signed || size == Size::DW {
        return Err("legacy packet loads are r0 = *(u8|u16|u32 *)skb[...]".to_string());
    }
    c.expect("[")?;
    let (mode, src, imm) = if is_reg(c.peek()) {
        let src = reg64(c)?;
        let imm = if matches!(c.peek(), Some(Tok::Punct("+" | "-"))) { operand::imm32(c)? } else { 0 };
        (PacketMode::Ind, src, imm)
    } else {
        (PacketMode::Abs, Reg::R0, operand::imm32(c)?)
    };
    c.expect("]")?;
    Ok(Stmt::Insn(Insn::LoadPacket { mode, size, src, imm }))
}

/// `atomic_fetch_add(...)`, `xchg_64(...)`, `cmpxchg_64(...)` and the kernel log's variants.
fn atomic_call(c: &mut Cursor<'_, '_>, name: &str, dst: Reg) -> R<Stmt> {
    // LLVM writes `xchg_64(r1 + 0, r0)` (size in the name, bare address); the kernel log writes
    // `atomic64_xchg((u64 *)(r1 +0), r0)`; both write `atomic_fetch_add((u64 *)(r1 + 0), r2)`.
    let (op, llvm_size, need64) = match name {
        "xchg_64" => (AtomicOp::Xchg, Some(Size::DW), false),
        "xchg32_32" => (AtomicOp::Xchg, Some(Size::W), false),
        "cmpxchg_64" => (AtomicOp::Cmpxchg, Some(Size::DW), false),
        "cmpxchg32_32" => (AtomicOp::Cmpxchg, Some(Size::W), false),
        _ => {
            let (base, need64) = match (name.strip_prefix("atomic64_"), name.strip_prefix("atomic_")) {
                (Some(b), _) => (b, true),
                (None, Some(b)) => (b, false),
                (None, None) => return Err(format!("unknown operation `{name}`")),
            };
            let op = match base {
                "fetch_add" => AtomicOp::Add { fetch: true },
                "fetch_or" => AtomicOp::Or { fetch: true },
                "fetch_and" => AtomicOp::And { fetch: true },
                "fetch_xor" => AtomicOp::Xor { fetch: true },
                "xchg" => AtomicOp::Xchg,
                "cmpxchg" => AtomicOp::Cmpxchg,
                _ => return Err(format!("unknown operation `{name}`")),
            };
            (op, None, need64)
        }
    };
    c.expect("(")?;
    let (size, (addr_reg, off)) = match llvm_size {
        Some(size) => (size, addr(c)?),
        None => (atomic_size(unsigned_cast(c)?)?, mem(c)?),
    };
    if need64 && size != Size::DW {
        return Err(format!("`{name}` operates on u64"));
    }
    c.expect(",")?;
    let (first, _) = reg(c)?;
    let src = if op == AtomicOp::Cmpxchg {
        if dst != Reg::R0 || first != Reg::R0 {
            return Err("cmpxchg compares with and returns r0: r0 = cmpxchg_64(r1 + 0, r0, r2)".to_string());
        }
        c.expect(",")?;
        reg(c)?.0
    } else {
        same_reg(dst, first, "an atomic fetch")?;
        first
    };
    c.expect(")")?;
    Ok(Stmt::Insn(Insn::Atomic { size, op, dst: addr_reg, src, off }))
}
