//! Spellings of the `lddw` pseudo sources (`BPF_PSEUDO_*`), shared by both syntaxes.
//!
//! | `src` | meaning | spelling (kernel syntax; uBPF writes `lddw %r1, <same>`) |
//! |---|---|---|
//! | 0 | plain constant | `r1 = 0x1122334455667788 ll` |
//! | 1 `MAP_FD` | map by fd | `r1 = map[fd:3]` |
//! | 2 `MAP_VALUE` | address of a map value | `r1 = map_value[fd:3]+8` |
//! | 3 `BTF_ID` | kernel variable by BTF id | `r1 = ksym[id:123]`, `r1 = ksym[id:123,fd:4]` (module BTF fd) |
//! | 4 `FUNC` | address of a subprogram | `r1 = func[pc+3]` or `r1 = func[label]` |
//! | 5 `MAP_IDX` | map by fd-array index | `r1 = map[idx:0]` |
//! | 6 `MAP_IDX_VALUE` | map value by fd-array index | `r1 = map_value[idx:0]+8` |
//!
//! The kernel requires the second slot's `imm` to be zero for `MAP_FD`, `MAP_IDX` and `FUNC`;
//! so that even such a rejected program disassembles faithfully, a non-zero value is written
//! as an extra `hi:N` key (`map[fd:3,hi:5]`). A trailing `ll` is accepted and ignored.

use hive_isa::{Insn, Pseudo, Reg};

use crate::lexer::{Cursor, Tok};
use crate::operand::{self, Target};
use crate::program::Stmt;

/// The keywords that open a pseudo spelling.
pub(crate) fn is_keyword(s: &str) -> bool {
    matches!(s, "map" | "map_value" | "ksym" | "func")
}

/// The spelling of a pseudo `lddw` operand; `None` for a plain constant.
pub(crate) fn format(pseudo: Pseudo, imm: i32, next_imm: i32) -> Option<String> {
    let hi = if next_imm != 0 { format!(",hi:{next_imm}") } else { String::new() };
    Some(match pseudo {
        Pseudo::None => return None,
        Pseudo::MapFd => format!("map[fd:{imm}{hi}]"),
        Pseudo::MapIdx => format!("map[idx:{imm}{hi}]"),
        Pseudo::MapValue => format!("map_value[fd:{imm}]{next_imm:+}"),
        Pseudo::MapIdxValue => format!("map_value[idx:{imm}]{next_imm:+}"),
        Pseudo::BtfId if next_imm != 0 => format!("ksym[id:{imm},fd:{next_imm}]"),
        Pseudo::BtfId => format!("ksym[id:{imm}]"),
        Pseudo::Func => format!("func[pc{imm:+}{hi}]"),
    })
}

/// Reads `key:value` items up to the closing `]`, allowing only `allowed` keys, each once.
fn keyed(c: &mut Cursor<'_, '_>, allowed: &[&str], mut first: bool) -> Result<Vec<(String, i32)>, String> {
    let mut out: Vec<(String, i32)> = Vec::new();
    while !c.eat("]") {
        if !first {
            c.expect(",")?;
        }
        first = false;
        let key = c.ident("a key such as `fd`")?;
        if !allowed.contains(&key) {
            return Err(format!("unknown key `{key}` (expected one of: {})", allowed.join(", ")));
        }
        if out.iter().any(|(k, _)| k == key) {
            return Err(format!("key `{key}` given twice"));
        }
        c.expect(":")?;
        out.push((key.to_string(), operand::imm32(c)?));
    }
    Ok(out)
}

fn get(items: &[(String, i32)], key: &str) -> Option<i32> {
    items.iter().find(|(k, _)| k == key).map(|&(_, v)| v)
}

/// Which map reference a `map[...]` or `map_value[...]` holds: the pseudo kind and `imm`.
fn map_ref(items: &[(String, i32)], by_fd: Pseudo, by_idx: Pseudo) -> Result<(Pseudo, i32), String> {
    match (get(items, "fd"), get(items, "idx")) {
        (Some(fd), None) => Ok((by_fd, fd)),
        (None, Some(idx)) => Ok((by_idx, idx)),
        _ => Err("a map reference needs exactly one of `fd:N` or `idx:N`".to_string()),
    }
}

/// Parses a pseudo spelling whose keyword is next, loading into `dst`.
pub(crate) fn parse(c: &mut Cursor<'_, '_>, dst: Reg) -> Result<Stmt, String> {
    let kw = c.ident("a pseudo value")?;
    c.expect("[")?;
    let ld = |pseudo, imm, next_imm| Insn::LdImm64 { dst, pseudo, imm, next_imm };
    let stmt = match kw {
        "map" => {
            let items = keyed(c, &["fd", "idx", "hi"], true)?;
            let (pseudo, imm) = map_ref(&items, Pseudo::MapFd, Pseudo::MapIdx)?;
            Stmt::Insn(ld(pseudo, imm, get(&items, "hi").unwrap_or(0)))
        }
        "map_value" => {
            let items = keyed(c, &["fd", "idx"], true)?;
            let (pseudo, imm) = map_ref(&items, Pseudo::MapValue, Pseudo::MapIdxValue)?;
            let off = if matches!(c.peek(), Some(Tok::Punct("+" | "-"))) { operand::imm32(c)? } else { 0 };
            Stmt::Insn(ld(pseudo, imm, off))
        }
        "ksym" => {
            let items = keyed(c, &["id", "fd"], true)?;
            let id = get(&items, "id").ok_or("ksym[...] needs `id:N`")?;
            Stmt::Insn(ld(Pseudo::BtfId, id, get(&items, "fd").unwrap_or(0)))
        }
        "func" => {
            let t = operand::target(c)?;
            let items = keyed(c, &["hi"], false)?;
            let insn = ld(Pseudo::Func, 0, get(&items, "hi").unwrap_or(0));
            match t {
                Target::Rel(d) => Stmt::Insn(operand::with_delta(insn, d)?),
                Target::Label(l) => Stmt::Branch(insn, l),
            }
        }
        other => return Err(format!("unknown pseudo value `{other}`")),
    };
    c.eat_ident("ll");
    Ok(stmt)
}
