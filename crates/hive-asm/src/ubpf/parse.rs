//! uBPF syntax parser: `mnemonic op, op, op`, mnemonics looked up in the opcode table.

use std::collections::HashMap;
use std::sync::OnceLock;

use hive_isa::table::{Form, Kind, SourceKind};
use hive_isa::{AtomicOp, CallTarget, Insn, PacketMode, Pseudo, Reg, Source, Width};

use crate::helpers::helper_id;
use crate::lexer::{Cursor, Tok};
use crate::operand::{self, branch};
use crate::program::Stmt;
use crate::pseudo;

type R<T> = Result<T, String>;

/// Table rows by uBPF mnemonic (`add` has an immediate and a register row, `lddw` seven).
fn mnemonics() -> &'static HashMap<&'static str, Vec<&'static Form>> {
    static MAP: OnceLock<HashMap<&'static str, Vec<&'static Form>>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<&'static Form>> = HashMap::new();
        for f in hive_isa::table::forms() {
            m.entry(f.mnemonic).or_default().push(f);
        }
        m
    })
}

/// The rows a mnemonic names, aliases included.
fn lookup(name: &str) -> Option<&'static [&'static Form]> {
    let m = mnemonics();
    if let Some(v) = m.get(name) {
        return Some(v);
    }
    let alias = match name {
        "swap16" => Some("bswap16"),
        "swap32" => Some("bswap32"),
        "swap64" => Some("bswap64"),
        _ => None,
    };
    if let Some(v) = alias.and_then(|a| m.get(a)) {
        return Some(v);
    }
    // `add64`, `neg64`, `jeq64`: an explicit width on 64-bit ALU and jump mnemonics.
    let v = m.get(name.strip_suffix("64")?)?;
    let wide = |f: &&Form| {
        matches!(f.kind, Kind::Alu { width: Width::W64, .. } | Kind::Neg { width: Width::W64 } | Kind::Jump { width: Width::W64, .. })
    };
    v.iter().all(wide).then_some(v.as_slice())
}

/// Splits the operand tokens at top-level commas.
fn split_operands<'t, 'a>(toks: &'t [Tok<'a>]) -> R<Vec<&'t [Tok<'a>]>> {
    if toks.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct("[" | "(") => depth += 1,
            Tok::Punct("]" | ")") => depth -= 1,
            Tok::Punct(",") if depth == 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[start..]);
    if out.iter().any(|g| g.is_empty()) {
        return Err("empty operand".to_string());
    }
    Ok(out)
}

/// Parses one operand group completely with `f`.
fn whole<T>(group: &[Tok<'_>], f: impl FnOnce(&mut Cursor<'_, '_>) -> R<T>) -> R<T> {
    let mut c = Cursor::new(group);
    let v = f(&mut c)?;
    c.finish()?;
    Ok(v)
}

fn is_reg(group: &[Tok<'_>]) -> bool {
    match group {
        [Tok::Punct("%"), ..] => true,
        [Tok::Ident(s), ..] => s.len() > 1 && s.starts_with('r') && s[1..].bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

/// `%r3` (the `%` may be left out).
fn reg(c: &mut Cursor<'_, '_>) -> R<Reg> {
    let pct = c.eat("%");
    let found = c.describe_next();
    let name = match c.next_tok() {
        Some(Tok::Ident(s)) => s,
        Some(Tok::Num(_)) if pct => return Err(format!("invalid register %{}", found.trim_matches('`'))),
        _ => return Err(format!("expected a register, found {found}")),
    };
    let p = if pct { "%" } else { "" };
    let digits = name.strip_prefix('r').filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    match digits {
        Some(d) => d
            .parse::<u8>()
            .ok()
            .and_then(Reg::new)
            .ok_or_else(|| format!("invalid register {p}{name} (registers are %r0-%r10)")),
        None if pct => Err(format!("invalid register {p}{name} (registers are %r0-%r10)")),
        None => Err(format!("expected a register, found `{name}`")),
    }
}

/// `[%r1+4]`, `[%r10-8]`, `[%r1]`.
fn mem(c: &mut Cursor<'_, '_>) -> R<(Reg, i16)> {
    if !c.eat("[") {
        return Err(format!("expected a memory operand [%rN+off], found {}", c.describe_next()));
    }
    let base = reg(c)?;
    let off = operand::opt_off16(c)?;
    c.expect("]")?;
    Ok((base, off))
}

fn source(group: &[Tok<'_>]) -> R<Source> {
    if is_reg(group) { Ok(Source::Reg(whole(group, reg)?)) } else { Ok(Source::Imm(whole(group, operand::imm32)?)) }
}

/// Parses one instruction.
pub(crate) fn parse(c: &mut Cursor<'_, '_>) -> R<Stmt> {
    let first = c.ident("a mnemonic")?;
    let mut name = first.to_string();
    if first == "lock" {
        if c.eat_ident("fetch") {
            name.push_str(" fetch");
        }
        match c.peek() {
            Some(Tok::Ident(op)) => {
                c.next_tok();
                name = format!("{name} {op}");
            }
            _ => return Err("invalid number of operands for lock: expected `lock [fetch] OP [%rD+off], %rS`".to_string()),
        }
    } else if first == "call" {
        match c.peek() {
            Some(Tok::Ident(w @ ("local" | "kfunc"))) => {
                c.next_tok();
                name = format!("call {w}");
            }
            Some(Tok::Ident("helper")) => {
                c.next_tok();
            }
            Some(Tok::Ident("runtime")) => {
                c.next_tok();
                name = "call kfunc".to_string();
            }
            _ => {}
        }
    }
    let ops = split_operands(c.rest())?;
    let forms = lookup(&name).ok_or_else(|| format!("unknown mnemonic `{name}`"))?;
    let kind = forms.first().map(|f| f.kind).ok_or_else(|| format!("unknown mnemonic `{name}`"))?;
    let count = |n: &[usize]| {
        if n.contains(&ops.len()) {
            Ok(())
        } else {
            let want: Vec<String> = n.iter().map(|x| x.to_string()).collect();
            Err(format!("invalid number of operands for {name}: expected {}, found {}", want.join(" or "), ops.len()))
        }
    };
    let op = |i: usize| ops.get(i).copied().unwrap_or(&[]);
    let insn = match kind {
        Kind::Alu { width, op: alu, .. } => {
            count(&[2])?;
            let dst = whole(op(0), reg)?;
            let src = source(op(1))?;
            if matches!(src, Source::Imm(_)) && !forms.iter().any(|f| matches!(f.kind, Kind::Alu { source: SourceKind::Imm, .. })) {
                return Err(format!("{name} takes a register operand"));
            }
            Insn::Alu { width, op: alu, dst, src }
        }
        Kind::Neg { width } => {
            count(&[1])?;
            Insn::Neg { width, dst: whole(op(0), reg)? }
        }
        Kind::Endian { op: e, bits } => {
            count(&[1])?;
            Insn::Endian { op: e, bits, dst: whole(op(0), reg)? }
        }
        Kind::LdImm64 { .. } => {
            count(&[2])?;
            let dst = whole(op(0), reg)?;
            return match op(1) {
                [Tok::Ident(k), Tok::Punct("["), ..] if pseudo::is_keyword(k) => whole(op(1), |c| pseudo::parse(c, dst)),
                g => {
                    let v = whole(g, operand::imm64)?;
                    Ok(Stmt::Insn(Insn::LdImm64 { dst, pseudo: Pseudo::None, imm: v as u32 as i32, next_imm: (v >> 32) as u32 as i32 }))
                }
            };
        }
        Kind::Load { size, signed } => {
            count(&[2])?;
            let dst = whole(op(0), reg)?;
            let (src, off) = whole(op(1), mem)?;
            Insn::Load { size, signed, dst, src, off }
        }
        Kind::Store { size, source: k } => {
            count(&[2])?;
            let (dst, off) = whole(op(0), mem)?;
            let src = source(op(1))?;
            let want_reg = k == SourceKind::Reg;
            if want_reg != matches!(src, Source::Reg(_)) {
                let what = if want_reg { "a register" } else { "an immediate" };
                return Err(format!("{name} stores {what}"));
            }
            Insn::Store { size, dst, off, src }
        }
        Kind::Atomic { size, op: AtomicOp::LoadAcquire } => {
            count(&[2])?;
            let dst = whole(op(0), reg)?;
            let (src, off) = whole(op(1), mem)?;
            Insn::Atomic { size, op: AtomicOp::LoadAcquire, dst, src, off }
        }
        Kind::Atomic { size, op: a } => {
            count(&[2])?;
            let (dst, off) = whole(op(0), mem)?;
            Insn::Atomic { size, op: a, dst, src: whole(op(1), reg)?, off }
        }
        Kind::LoadPacket { mode: PacketMode::Abs, size } => {
            count(&[1])?;
            Insn::LoadPacket { mode: PacketMode::Abs, size, src: Reg::R0, imm: whole(op(0), operand::imm32)? }
        }
        Kind::LoadPacket { mode: PacketMode::Ind, size } => {
            count(&[2])?;
            let src = whole(op(0), reg)?;
            Insn::LoadPacket { mode: PacketMode::Ind, size, src, imm: whole(op(1), operand::imm32)? }
        }
        Kind::Ja { long } => {
            count(&[1])?;
            return branch(Insn::Ja { off: 0, long }, whole(op(0), operand::target)?);
        }
        Kind::Jump { width, cond, .. } => {
            count(&[3])?;
            let dst = whole(op(0), reg)?;
            let src = source(op(1))?;
            return branch(Insn::Jump { width, cond, dst, src, off: 0 }, whole(op(2), operand::target)?);
        }
        Kind::CallHelper => {
            count(&[1])?;
            match op(0) {
                g if is_reg(g) => Insn::CallX { reg: whole(g, reg)? },
                [Tok::Ident(h)] => {
                    let id = helper_id(h).ok_or_else(|| format!("unknown helper `{h}` (write `call local {h}` for a local call)"))?;
                    Insn::Call(CallTarget::Helper(id))
                }
                g => Insn::Call(CallTarget::Helper(whole(g, operand::imm32)?)),
            }
        }
        Kind::CallLocal => {
            count(&[1])?;
            return branch(Insn::Call(CallTarget::Local(0)), whole(op(0), operand::target)?);
        }
        Kind::CallKfunc => {
            count(&[1, 2])?;
            let btf_id = whole(op(0), operand::imm32)?;
            let off = match ops.get(1) {
                Some(g) => whole(g, |c| {
                    let (neg, n) = operand::signed(c)?;
                    operand::to_off16(neg, n)
                })?,
                None => 0,
            };
            Insn::Call(CallTarget::Kfunc { btf_id, off })
        }
        Kind::CallX => {
            count(&[1])?;
            Insn::CallX { reg: whole(op(0), reg)? }
        }
        Kind::Exit => {
            count(&[0])?;
            Insn::Exit
        }
        Kind::MayGoto => {
            count(&[1])?;
            return branch(Insn::MayGoto { off: 0 }, whole(op(0), operand::target)?);
        }
    };
    Ok(Stmt::Insn(insn))
}
