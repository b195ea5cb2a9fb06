//! The disassembler: slots to text that re-assembles to the same bytes.

use hive_isa::{DecodeErrorKind, Insn, RawInsn, decode};

use crate::program::format_raw;
use crate::{Syntax, format_insn};

enum Entry {
    Insn(usize, Insn),
    Raw(RawInsn, DecodeErrorKind),
}

fn comment(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Kernel => "//",
        Syntax::Ubpf => "#",
    }
}

/// Disassembles slots, one instruction per line.
pub(crate) fn disassemble(raw: &[RawInsn], syntax: Syntax) -> String {
    let mut entries = Vec::with_capacity(raw.len());
    let mut starts = vec![false; raw.len()];
    let mut pc = 0;
    while pc < raw.len() {
        starts[pc] = true;
        match decode(raw[pc], raw.get(pc + 1).copied()) {
            Ok(insn) => {
                entries.push(Entry::Insn(pc, insn));
                pc += insn.slots();
            }
            Err(e) => {
                entries.push(Entry::Raw(raw[pc], e));
                pc += 1;
            }
        }
    }
    let mut out = String::with_capacity(raw.len() * 24);
    for e in entries {
        match e {
            Entry::Insn(pc, insn) => {
                out.push_str(&format_insn(&insn, syntax));
                if let Some(delta) = insn.branch_delta() {
                    let target = pc as i64 + 1 + delta;
                    let len = raw.len();
                    if target < 0 || target >= len as i64 {
                        let why = DecodeErrorKind::TargetOutOfRange { target, len };
                        out.push_str(&format!(" {} {why}", comment(syntax)));
                    } else if !starts[target as usize] {
                        let why = DecodeErrorKind::TargetInsideLdImm64 { target };
                        out.push_str(&format!(" {} {why}", comment(syntax)));
                    }
                }
            }
            Entry::Raw(r, why) => out.push_str(&format!("{} {} {why}", format_raw(r), comment(syntax))),
        }
        out.push('\n');
    }
    out
}
