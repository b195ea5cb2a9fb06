//! PREVAIL's `pre` constraints, turned into the verifier's explicit [`EntryState`].
//!
//! | PREVAIL | entry state |
//! |---|---|
//! | `r1.type=number`, `r1.svalue=[a, b]`, `r1.uvalue=7` | `Scalar` meeting both ranges |
//! | `r1.uvalue=r1.svalue` | the value is also non-negative |
//! | `r1.type=ctx`, `r1.ctx_offset=8` | `Ctx { off: 8 }` |
//! | `r1.type=stack`, `r1.stack_offset=504` | `Stack { off: -8 }` (PREVAIL's stack starts at 0, `r10` is 512) |
//! | `r1.stack_numeric_size=8` | the 8 stack bytes from `r1` hold numbers |
//! | `r1.type=packet`, `r1.packet_offset=[0, 4]` | `Packet { off }`; `packet_offset=packet_size` is `PacketEnd` |
//! | `r1.type=shared`, `r1.shared_offset=0`, `r1.shared_region_size=16` | `Memory { size: 16, off: 0 }` |
//! | `r1.type=map_fd` / `map_fd_programs` | `Map` of the test map (array, key 4, value 4, 4 entries) / a prog array |
//! | `s[504...511].type=number`, `.svalue=3` | stack bytes `r10-8..r10-1` hold numbers (that value) |
//! | `packet_size=20` or `[20, 40]` | the packet has at least 20 bytes |
//! | `meta_offset=...` | ignored (a weaker entry state; PREVAIL's test context has no meta) |
//!
//! A pointer's `svalue`/`uvalue` (PREVAIL tracks pointer values as numbers) is dropped.
//! Disjunctions (`r1.type in {ctx, packet}`), relations between registers and variable stack
//! offsets have no counterpart: the case is untranslatable.

use std::collections::BTreeMap;

use hive_platform::map::MapType;
use hive_verifier::{EntryReg, EntryState, MapMeta, Scalar};

/// PREVAIL's stack size (`r10` = 512).
const STACK: i64 = 512;

/// The map every `map_fd` names in PREVAIL's YAML runner (`test_map_descriptor`, type 0
/// there; an array here).
pub fn test_map() -> MapMeta {
    MapMeta::new(MapType::Array, 4, 4, 4)
}

fn prog_array() -> MapMeta {
    MapMeta::new(MapType::ProgArray, 4, 4, 4)
}

/// Signed and unsigned value ranges of a stack run.
type StackValues = (Option<(i128, i128)>, Option<(i128, i128)>);

#[derive(Default)]
struct Reg {
    ty: Option<String>,
    svalue: Option<(i128, i128)>,
    uvalue: Option<(i128, i128)>,
    nonneg: bool,
    fields: BTreeMap<String, (i128, i128)>,
    packet_end: bool,
}

fn parse_int(s: &str) -> Result<i128, String> {
    let s = s.trim();
    s.parse::<i128>().map_err(|_| format!("not a number `{s}`"))
}

/// `5` or `[1, 7]`.
fn parse_range(s: &str) -> Result<(i128, i128), String> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        let (a, b) = inner.split_once(',').ok_or_else(|| format!("bad range `{s}`"))?;
        Ok((parse_int(a)?, parse_int(b)?))
    } else {
        let v = parse_int(s)?;
        Ok((v, v))
    }
}

fn scalar(r: &Reg) -> Result<Scalar, String> {
    let mut s = Scalar::top();
    if let Some((lo, hi)) = r.svalue {
        let (lo, hi) = (i64::try_from(lo).map_err(|e| e.to_string())?, i64::try_from(hi).map_err(|e| e.to_string())?);
        s = s.meet(&Scalar::signed(lo, hi));
    }
    if let Some((lo, hi)) = r.uvalue {
        let cv = |x: i128| if x < 0 { (x as i64) as u64 } else { x as u64 };
        s = s.meet(&Scalar::unsigned(cv(lo), cv(hi)));
    }
    if r.nonneg {
        s = s.meet(&Scalar::signed(0, i64::MAX));
    }
    if s.is_bottom() {
        return Err("contradictory value constraints".into());
    }
    Ok(s)
}

fn range_scalar((lo, hi): (i128, i128)) -> Result<Scalar, String> {
    Ok(Scalar::signed(i64::try_from(lo).map_err(|e| e.to_string())?, i64::try_from(hi).map_err(|e| e.to_string())?))
}

fn singleton(r: &Reg, field: &str) -> Result<Option<i128>, String> {
    match r.fields.get(field) {
        None => Ok(None),
        Some((a, b)) if a == b => Ok(Some(*a)),
        Some(_) => Err(format!("variable {field} has no counterpart")),
    }
}

/// Reads the constraints into an entry state.
pub fn entry_state(pre: &[String]) -> Result<EntryState, String> {
    let mut regs: BTreeMap<u8, Reg> = BTreeMap::new();
    let mut stack: BTreeMap<(i64, i64), StackValues> = BTreeMap::new();
    let mut packet_min = 0u32;
    for c in pre {
        let c = c.trim();
        if c == "_|_" {
            return Err("the entry state is bottom".into());
        }
        let (lhs, rhs) = c.split_once('=').ok_or_else(|| format!("unsupported pre constraint `{c}`"))?;
        let (lhs, rhs) = (lhs.trim(), rhs.trim());
        if lhs.contains(" in ") || c.contains(" in {") {
            return Err(format!("type disjunction `{c}` has no counterpart"));
        }
        if lhs == "packet_size" {
            packet_min = u32::try_from(parse_range(rhs)?.0.max(0)).unwrap_or(u32::MAX);
            continue;
        }
        if lhs == "meta_offset" {
            continue;
        }
        if let Some(rest) = lhs.strip_prefix("s[") {
            let (range, field) = rest.split_once("].").ok_or_else(|| format!("bad stack constraint `{c}`"))?;
            let (a, b) = range.split_once("...").ok_or_else(|| format!("bad stack range `{c}`"))?;
            let key = (parse_int(a)? as i64, parse_int(b)? as i64);
            let e = stack.entry(key).or_default();
            match field {
                "type" if rhs == "number" => {}
                "svalue" => e.0 = Some(parse_range(rhs)?),
                "uvalue" => e.1 = Some(parse_range(rhs)?),
                _ => return Err(format!("unsupported stack constraint `{c}`")),
            }
            continue;
        }
        let (reg, field) = lhs.split_once('.').ok_or_else(|| format!("unsupported pre constraint `{c}`"))?;
        let n: u8 = reg.strip_prefix('r').and_then(|x| x.parse().ok()).filter(|n| *n <= 10).ok_or_else(|| format!("bad register in `{c}`"))?;
        let r = regs.entry(n).or_default();
        let relational = rhs.starts_with('r') && rhs.contains('.');
        match field {
            "type" if !relational => r.ty = Some(rhs.to_string()),
            "svalue" if !relational => r.svalue = Some(parse_range(rhs)?),
            "uvalue" if rhs == format!("{reg}.svalue") => r.nonneg = true,
            "uvalue" if !relational => r.uvalue = Some(parse_range(rhs)?),
            "packet_offset" if rhs == "packet_size" => r.packet_end = true,
            "stack_offset" | "ctx_offset" | "packet_offset" | "shared_offset" | "shared_region_size" | "map_fd"
            | "map_fd_programs" | "stack_numeric_size"
                if !relational =>
            {
                r.fields.insert(field.to_string(), parse_range(rhs)?);
            }
            _ => return Err(format!("unsupported pre constraint `{c}`")),
        }
    }
    let mut st = EntryState { packet_min_size: packet_min, ..EntryState::default() };
    for ((a, b), (sv, uv)) in stack {
        let value = if sv.is_some() || uv.is_some() {
            Some(scalar(&Reg { svalue: sv, uvalue: uv, ..Reg::default() })?)
        } else {
            None
        };
        st.stack.push(((a - STACK) as i32, (b - a + 1) as u32, value));
    }
    for (n, r) in &regs {
        let entry = reg_entry(r, &mut st)?;
        if *n == 10 {
            if entry != (EntryReg::Stack { off: 0 }) {
                return Err("r10 other than the frame pointer".into());
            }
            continue;
        }
        st.regs[*n as usize] = entry;
    }
    Ok(st)
}

fn reg_entry(r: &Reg, st: &mut EntryState) -> Result<EntryReg, String> {
    let Some(ty) = r.ty.as_deref() else {
        return Err("a register constrained without a type".into());
    };
    let need = |f: &str| singleton(r, f)?.ok_or_else(|| format!("{ty} pointer without {f}"));
    Ok(match ty {
        "number" => EntryReg::Scalar(scalar(r)?),
        "ctx" => EntryReg::Ctx { off: need("ctx_offset")? as i32 },
        "stack" => {
            let off = (need("stack_offset")? as i64 - STACK) as i32;
            if let Some(n) = singleton(r, "stack_numeric_size")?
                && n > 0
            {
                st.stack.push((off, n as u32, None));
            }
            EntryReg::Stack { off }
        }
        "packet" if r.packet_end => EntryReg::PacketEnd,
        "packet" => {
            let off = r.fields.get("packet_offset").copied().ok_or("packet pointer without packet_offset")?;
            EntryReg::Packet { off: range_scalar(off)? }
        }
        "shared" => EntryReg::Memory {
            size: need("shared_region_size")? as u32,
            off: range_scalar(r.fields.get("shared_offset").copied().ok_or("shared pointer without shared_offset")?)?,
        },
        "map_fd" => EntryReg::Map(test_map()),
        "map_fd_programs" => EntryReg::Map(prog_array()),
        other => return Err(format!("register type `{other}` has no counterpart")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pre(v: &[&str]) -> Result<EntryState, String> {
        entry_state(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn registers_and_stack() {
        let st = pre(&[
            "r1.type=number",
            "r1.svalue=[1, 5]",
            "r1.uvalue=r1.svalue",
            "r2.type=stack",
            "r2.stack_offset=504",
            "r3.type=packet",
            "r3.packet_offset=packet_size",
            "s[496...503].type=number",
            "s[496...503].svalue=7",
            "s[496...503].uvalue=7",
            "r10.type=stack",
            "r10.stack_offset=512",
            "packet_size=[20, 40]",
        ])
        .unwrap();
        assert_eq!(st.regs[1], EntryReg::Scalar(Scalar::signed(1, 5)));
        assert_eq!(st.regs[2], EntryReg::Stack { off: -8 });
        assert_eq!(st.regs[3], EntryReg::PacketEnd);
        assert_eq!(st.stack, vec![(-16, 8, Some(Scalar::constant(7)))]);
        assert_eq!(st.packet_min_size, 20);
        assert!(pre(&["r1.type in {ctx, packet}"]).is_err());
        assert!(pre(&["r1.type=number", "r1.svalue=r2.svalue"]).is_err());
    }
}
