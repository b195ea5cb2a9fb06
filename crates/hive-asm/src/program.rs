//! The two-pass assembler driver shared by both syntaxes.
//!
//! Pass one reads every line: it strips comments, records labels at the slot index where
//! they stand (an `lddw` takes two slots) and hands the rest of the line to the syntax's parser,
//! which returns a [`Stmt`]. Pass two resolves label targets into relative offsets and encodes
//! through [`hive_isa::encode`], so the opcode table stays the only source of opcode bits.
//!
//! In uBPF syntax the label `exit`, unless the program defines it, names the first `exit`
//! instruction, as bpf_conformance's assembler does.
//!
//! Numeric jump offsets are encoded as written and are not checked against the program: a jump
//! out of the program or into an `lddw` is the loader's and verifier's business (the uBPF and
//! conformance corpora test exactly those refusals at load time).

use std::collections::HashMap;

use hive_isa::{Insn, RawInsn};

use crate::error::AsmError;
use crate::lexer::{self, Cursor, Tok};
use crate::operand::{self, with_delta};
use crate::{Syntax, kernel, ubpf};

/// What one line assembles to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stmt {
    /// A complete instruction.
    Insn(Insn),
    /// An instruction whose relative target is the named label.
    Branch(Insn, String),
    /// A raw slot from the `.insn` directive.
    Raw(RawInsn),
}

impl Stmt {
    fn slots(&self) -> usize {
        match self {
            Stmt::Insn(i) | Stmt::Branch(i, _) => i.slots(),
            Stmt::Raw(_) => 1,
        }
    }
}

/// The directive that writes one slot verbatim: `.insn 0x<16 hex digits>`, the slot as the
/// little-endian `u64` that `-- raw` sections use (opcode in the low byte).
pub(crate) const RAW_DIRECTIVE: &str = ".insn";

/// Formats a slot as the raw directive.
pub(crate) fn format_raw(raw: RawInsn) -> String {
    format!("{RAW_DIRECTIVE} {:#018x}", raw.to_u64())
}

fn parse_directive(name: &str, c: &mut Cursor<'_, '_>) -> Result<Stmt, String> {
    if name != RAW_DIRECTIVE {
        return Err(format!("unknown directive `{name}` (the only directive is `{RAW_DIRECTIVE} 0x<u64>`)"));
    }
    let (neg, n) = operand::signed(c)?;
    let v = n.value.filter(|_| !neg).ok_or_else(|| format!("{RAW_DIRECTIVE} takes one unsigned 64-bit slot value"))?;
    c.finish()?;
    Ok(Stmt::Raw(RawInsn::from_u64(v)))
}

/// Drops the kernel verifier log's `12: (bf) ` prefix so that log lines paste as assembly.
fn strip_log_prefix(text: &str) -> &str {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return text;
    }
    let Some(rest) = text[digits..].trim_start().strip_prefix(':') else { return text };
    let rest = rest.trim_start();
    let b = rest.as_bytes();
    if b.len() >= 4 && b[0] == b'(' && b[3] == b')' && b[1].is_ascii_hexdigit() && b[2].is_ascii_hexdigit() {
        return rest[4..].trim_start();
    }
    rest
}

fn is_label_name(s: &str) -> bool {
    !s.starts_with('.') || s.len() > 1
}

struct Item<'s> {
    line: usize,
    text: &'s str,
    stmt: Stmt,
}

/// Assembles a whole source text.
pub(crate) fn assemble(src: &str, syntax: Syntax) -> Result<Vec<RawInsn>, AsmError> {
    let mut items: Vec<Item<'_>> = Vec::new();
    let mut labels: HashMap<String, usize> = HashMap::new();
    let mut pc = 0usize;
    let mut last_line = 0;
    let mut first_exit = None;
    for (i, full) in src.lines().enumerate() {
        let line = i + 1;
        last_line = line;
        let text = lexer::strip_comment(full).trim();
        let err = |message: String| AsmError::new(line, text, message);
        if text.is_empty() {
            continue;
        }
        if text.starts_with("--") {
            return Err(err(format!("unknown directive `{text}`")));
        }
        let body = if syntax == Syntax::Kernel { strip_log_prefix(text) } else { text };
        let toks = lexer::lex(body).map_err(err)?;
        let mut c = Cursor::new(&toks);
        while let (Some(Tok::Ident(name)), Some(Tok::Punct(":"))) = (c.peek(), c.peek_at(1)) {
            if !is_label_name(name) {
                break;
            }
            if labels.insert(name.to_string(), pc).is_some() {
                return Err(err(format!("duplicate label `{name}`")));
            }
            c.next_tok();
            c.next_tok();
        }
        if c.at_end() {
            continue;
        }
        let stmt = match c.peek() {
            Some(Tok::Ident(d)) if d.starts_with('.') => {
                c.next_tok();
                parse_directive(d, &mut c)
            }
            _ => match syntax {
                Syntax::Kernel => kernel::parse::parse(&mut c),
                Syntax::Ubpf => ubpf::parse::parse(&mut c),
            },
        }
        .map_err(err)?;
        if stmt == Stmt::Insn(Insn::Exit) && first_exit.is_none() {
            first_exit = Some(pc);
        }
        pc += stmt.slots();
        items.push(Item { line, text, stmt });
    }
    if items.is_empty() {
        return Err(AsmError::new(last_line.max(1), "", "empty program: no instructions".to_string()));
    }
    // uBPF convention (bpf_conformance's assembler): `exit` names the first `exit` instruction
    // unless the program defines that label itself.
    if let (Syntax::Ubpf, Some(at)) = (syntax, first_exit) {
        labels.entry("exit".to_string()).or_insert(at);
    }
    let mut out = Vec::with_capacity(pc);
    for item in items {
        let err = |message: String| AsmError::new(item.line, item.text, message);
        let insn = match item.stmt {
            Stmt::Raw(r) => {
                out.push(r);
                continue;
            }
            Stmt::Insn(i) => i,
            Stmt::Branch(i, label) => {
                let target = *labels.get(&label).ok_or_else(|| err(format!("undefined label `{label}`")))?;
                let delta = target as i64 - (out.len() as i64 + 1);
                with_delta(i, delta).map_err(err)?
            }
        };
        hive_isa::encode(&insn, &mut out).map_err(|e| err(e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_prefix() {
        assert_eq!(strip_log_prefix("0: (b7) r0 = 1"), "r0 = 1");
        assert_eq!(strip_log_prefix("12: r0 = 1"), "r0 = 1");
        assert_eq!(strip_log_prefix("r0 = 1"), "r0 = 1");
        assert_eq!(strip_log_prefix("7"), "7");
    }
}
