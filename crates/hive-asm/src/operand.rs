//! Operand pieces both syntaxes share: numbers with their range rules, jump targets, and the
//! relative-target patching that label resolution uses.
//!
//! Range rules (the same in both syntaxes):
//! - 32-bit immediates: a decimal number is a signed value and must lie in
//!   `-2147483648..=2147483647`; a hex number is the field's bit pattern and may go up to
//!   `0xffffffff` (so `0xffffffff` is `-1`); a negative hex number must fit `i32`.
//! - 64-bit `lddw` immediates: anything from `-2^63` to `2^64 - 1`, in either base.
//! - Offsets (memory and jumps) are signed values whatever the base: `-32768..=32767`
//!   (`gotol`, local calls and function references take 32 bits).

use hive_isa::{CallTarget, Insn, Pseudo};

use crate::lexer::{Cursor, Num, Tok};

/// Where a jump, local call or function reference goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// `pc + 1 + delta`.
    Rel(i64),
    /// A label, resolved once every line is read.
    Label(String),
}

/// An optional sign followed by a number: `(negative, magnitude)`.
pub(crate) fn signed(c: &mut Cursor<'_, '_>) -> Result<(bool, Num), String> {
    let mut neg = false;
    loop {
        if c.eat("-") {
            neg = !neg;
        } else if !c.eat("+") {
            break;
        }
    }
    match c.next_tok() {
        Some(Tok::Num(n)) => Ok((neg, n)),
        Some(t) => Err(format!("expected a number, found `{t}`")),
        None => Err("expected a number, found end of line".to_string()),
    }
}

fn magnitude(n: Num) -> Result<u64, String> {
    n.value.ok_or_else(|| "number does not fit 64 bits".to_string())
}

fn show(neg: bool, n: Num) -> String {
    let sign = if neg { "-" } else { "" };
    match n.value {
        Some(v) if n.hex => format!("{sign}{v:#x}"),
        Some(v) => format!("{sign}{v}"),
        None => format!("{sign}<huge>"),
    }
}

/// Converts a signed number to a 32-bit immediate under the range rules above.
pub(crate) fn to_imm32(neg: bool, n: Num) -> Result<i32, String> {
    let v = magnitude(n)?;
    let out = if neg {
        i32::try_from(-(i128::from(v))).ok()
    } else if n.hex {
        u32::try_from(v).ok().map(|u| u as i32)
    } else {
        i32::try_from(v).ok()
    };
    out.ok_or_else(|| {
        format!(
            "immediate {} out of range: 32-bit immediates are -2147483648..2147483647 in decimal, \
             or a bit pattern up to 0xffffffff in hex",
            show(neg, n)
        )
    })
}

/// Reads a 32-bit immediate.
pub(crate) fn imm32(c: &mut Cursor<'_, '_>) -> Result<i32, String> {
    let (neg, n) = signed(c)?;
    to_imm32(neg, n)
}

/// Converts a signed number to the 64 bits of an `lddw`.
pub(crate) fn to_imm64(neg: bool, n: Num) -> Result<u64, String> {
    let v = magnitude(n)?;
    if !neg {
        return Ok(v);
    }
    i64::try_from(-(i128::from(v)))
        .map(|x| x as u64)
        .map_err(|_| format!("immediate {} out of range for 64 bits", show(neg, n)))
}

/// Reads a 64-bit immediate.
pub(crate) fn imm64(c: &mut Cursor<'_, '_>) -> Result<u64, String> {
    let (neg, n) = signed(c)?;
    to_imm64(neg, n)
}

/// Converts a signed number to a 16-bit offset.
pub(crate) fn to_off16(neg: bool, n: Num) -> Result<i16, String> {
    let v = magnitude(n)?;
    let x = if neg { -i128::from(v) } else { i128::from(v) };
    i16::try_from(x).map_err(|_| format!("offset {} out of range: offsets are -32768..32767", show(neg, n)))
}

/// Reads an optional signed offset after a base register: `+ 4`, `- 8`, `+ -8`, or nothing.
pub(crate) fn opt_off16(c: &mut Cursor<'_, '_>) -> Result<i16, String> {
    if matches!(c.peek(), Some(Tok::Punct("+" | "-"))) {
        let (neg, n) = signed(c)?;
        to_off16(neg, n)
    } else {
        Ok(0)
    }
}

/// Reads a jump target: `+3`, `-1`, `3`, `pc+3` (kernel log spelling) or a label.
pub(crate) fn target(c: &mut Cursor<'_, '_>) -> Result<Target, String> {
    match c.peek() {
        Some(Tok::Ident("pc")) if matches!(c.peek_at(1), Some(Tok::Punct("+" | "-"))) => {
            c.next_tok();
            rel(c)
        }
        Some(Tok::Ident(name)) => {
            c.next_tok();
            Ok(Target::Label(name.to_string()))
        }
        Some(Tok::Punct("+" | "-")) | Some(Tok::Num(_)) => rel(c),
        _ => Err(format!("expected a jump target (+N, -N or a label), found {}", c.describe_next())),
    }
}

fn rel(c: &mut Cursor<'_, '_>) -> Result<Target, String> {
    let (neg, n) = signed(c)?;
    let v = i64::try_from(magnitude(n)?).map_err(|_| "jump offset out of range".to_string())?;
    Ok(Target::Rel(if neg { -v } else { v }))
}

/// Sets the relative target of a branching instruction, checking that it fits its field.
pub(crate) fn with_delta(insn: Insn, delta: i64) -> Result<Insn, String> {
    let narrow = |bits: &str| format!("jump offset {delta:+} out of range for a {bits} offset");
    let o16 = || i16::try_from(delta).map_err(|_| narrow("16-bit"));
    let o32 = || i32::try_from(delta).map_err(|_| narrow("32-bit"));
    Ok(match insn {
        Insn::Ja { long: false, .. } => Insn::Ja {
            off: i32::from(i16::try_from(delta).map_err(|_| format!("{} (use gotol / ja32)", narrow("16-bit")))?),
            long: false,
        },
        Insn::Ja { long: true, .. } => Insn::Ja { off: o32()?, long: true },
        Insn::Jump { width, cond, dst, src, .. } => Insn::Jump { width, cond, dst, src, off: o16()? },
        Insn::MayGoto { .. } => Insn::MayGoto { off: o16()? },
        Insn::Call(CallTarget::Local(_)) => Insn::Call(CallTarget::Local(o32()?)),
        Insn::LdImm64 { dst, pseudo: Pseudo::Func, next_imm, .. } => {
            Insn::LdImm64 { dst, pseudo: Pseudo::Func, imm: o32()?, next_imm }
        }
        other => return Err(format!("internal: {other:?} has no jump target")),
    })
}

/// An instruction whose target may still be a label.
pub(crate) fn branch(insn: Insn, t: Target) -> Result<crate::program::Stmt, String> {
    Ok(match t {
        Target::Rel(d) => crate::program::Stmt::Insn(with_delta(insn, d)?),
        Target::Label(l) => crate::program::Stmt::Branch(insn, l),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn i32_of(s: &str) -> Result<i32, String> {
        let t = lex(s).unwrap();
        imm32(&mut Cursor::new(&t))
    }

    #[test]
    fn imm32_rules() {
        assert_eq!(i32_of("2147483647"), Ok(i32::MAX));
        assert_eq!(i32_of("-2147483648"), Ok(i32::MIN));
        assert!(i32_of("2147483648").is_err());
        assert_eq!(i32_of("0xffffffff"), Ok(-1));
        assert_eq!(i32_of("0x80000000"), Ok(i32::MIN));
        assert!(i32_of("0x100000000").is_err());
        assert_eq!(i32_of("-0x10"), Ok(-16));
        assert!(i32_of("-0x80000001").is_err());
        assert_eq!(i32_of("- -5"), Ok(5));
    }

    #[test]
    fn off16_rules() {
        let t = lex("+0x10000").unwrap();
        assert!(opt_off16(&mut Cursor::new(&t)).is_err());
        let t = lex("- 32768").unwrap();
        assert_eq!(opt_off16(&mut Cursor::new(&t)), Ok(i16::MIN));
    }
}
