//! PREVAIL's assembly, rewritten into hive-asm's kernel syntax.
//!
//! PREVAIL prints eBPF much as the kernel does (`r0 = *(u32 *)(r1 + 4)`, `r1 += r2`,
//! `if w1 s< 5 goto <out>`), so most lines pass through. The differences:
//!
//! | PREVAIL | kernel syntax |
//! |---|---|
//! | `<label>` blocks and targets | `l_label:` lines and `goto l_label` |
//! | `if r1 &== 4 goto <L>` (JSET) | `if r1 & 4 goto l_L` |
//! | `assume r1 < 8` (a refinement, no instruction) | `if r1 >= 8 goto <sink>`: the path where it fails ends in a sink `r0 = 0; exit` |
//! | `r1 s8= r2`, `w1 s16= w2` | `r1 = (s8)r2`, `w1 = (s16)w2` |
//! | `r1 = swap16 r1` | `r1 = bswap16 r1` |
//! | `lock *(u64 *)(r1 + 0) += r2 fetch` | `r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)` |
//! | `lock ... x= r2`, `lock ... cx= r2` | `r2 = xchg_64(...)`, `r0 = cmpxchg_64(..., r0, r2)` |
//! | `r1 = 5ll` | `r1 = 5 ll` |
//! | `r1 = map_fd 1`, `r1 = map_val(1) + 8` | `r1 = map[fd:1] ll`, `r1 = map_value[fd:1]+8 ll` |
//! | `r1 = map_by_idx(0)`, `mva(map_by_idx(0)) + 4` | `r1 = map[idx:0] ll`, `map_value[idx:0]+4 ll` |
//!
//! PREVAIL lets a test's code end without `exit` (its analysis simply stops); the kernel
//! needs every subprogram to end in `exit` or a jump, so a subprogram that can fall off its
//! end gets the same sink. `if ... &!= ...` (JNSET, PREVAIL-only) cannot be translated.

use std::collections::HashSet;

/// A translated program: the kernel-syntax text, ready for `hive_asm::assemble`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Translated {
    /// The text.
    pub text: String,
}

fn label(name: &str) -> String {
    let inner = name.trim().trim_start_matches('<').trim_end_matches('>');
    let clean: String = inner.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("l_{clean}")
}

fn negate(op: &str) -> Option<&'static str> {
    Some(match op {
        "==" => "!=",
        "!=" => "==",
        "<" => ">=",
        ">=" => "<",
        "<=" => ">",
        ">" => "<=",
        "s<" => "s>=",
        "s>=" => "s<",
        "s<=" => "s>",
        "s>" => "s<=",
        _ => return None,
    })
}

fn cond_op(op: &str) -> Option<&'static str> {
    Some(match op {
        "&==" => "&",
        "==" | "!=" | "<" | "<=" | ">" | ">=" | "s<" | "s<=" | "s>" | "s>=" => {
            negate(negate(op)?)?
        }
        _ => return None,
    })
}

/// Collapses runs of white space and normalises `a=b` and `- r1`.
fn normalise(line: &str) -> String {
    let mut s = line.split_whitespace().collect::<Vec<_>>().join(" ");
    if !s.contains(' ')
        && let Some((a, b)) = s.split_once('=')
    {
        s = format!("{a} = {b}");
    }
    s.replace("= - ", "= -")
}

/// PREVAIL writes 32-bit operations with a 64-bit source name (`w1 += r2`,
/// `if w1 < r2 goto`); the kernel syntax names both `w`. Memory operands keep `r`.
fn narrow_sources(s: &str) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    let dst_is_w = match words.as_slice() {
        ["if" | "assume", d, ..] => d.starts_with('w'),
        [d, ..] => d.starts_with('w'),
        [] => false,
    };
    if !dst_is_w || s.contains("*(") || s.starts_with("lock") {
        return s.to_string();
    }
    let reg = |w: &str| w.len() > 1 && w.starts_with('r') && w[1..].parse::<u8>().is_ok();
    words.iter().map(|w| if reg(w) { w.replacen('r', "w", 1) } else { w.to_string() }).collect::<Vec<_>>().join(" ")
}

/// A decimal immediate above `i32::MAX` that fits 32 bits is PREVAIL's way of writing the
/// bit pattern (it marshals to the same `imm`); the kernel syntax writes it in hex.
fn hex_imms(s: &str) -> String {
    if s.ends_with("ll") {
        return s.to_string();
    }
    s.split(' ')
        .map(|w| match w.parse::<i64>() {
            Ok(v) if v > i64::from(i32::MAX) && v <= i64::from(u32::MAX) => format!("{v:#x}"),
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Translates one instruction line (comments removed). `sink` is the label assumes jump to.
fn line(text: &str, sink: &str) -> Result<String, String> {
    let s = hex_imms(&narrow_sources(&normalise(text)));
    let words: Vec<&str> = s.split(' ').collect();
    let untranslatable = || Err(format!("untranslatable instruction `{text}`"));
    match words.as_slice() {
        ["goto", l] => return Ok(format!("goto {}", label(l))),
        ["call", l] if l.starts_with('<') => return Ok(format!("call {}", label(l))),
        ["if", a, op, b, "goto", l] => {
            let Some(op) = cond_op(op) else { return untranslatable() };
            return Ok(format!("if {a} {op} {b} goto {}", label(l)));
        }
        ["assume", a, op, b] => {
            let Some(neg) = negate(op) else { return untranslatable() };
            return Ok(format!("if {a} {neg} {b} goto {sink}"));
        }
        [d, op, src] if op.len() > 2 && op.starts_with('s') && op.ends_with('=') && op[1..op.len() - 1].parse::<u8>().is_ok() => {
            let bits = &op[1..op.len() - 1];
            let src = if d.starts_with('w') { src.replacen('r', "w", 1) } else { src.to_string() };
            return Ok(format!("{d} = (s{bits}){src}"));
        }
        [d, "=", swap, src] if swap.starts_with("swap") => return Ok(format!("{d} = b{swap} {src}")),
        [d, "=", "map_fd", n] => return Ok(format!("{d} = map[fd:{n}] ll")),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix("lock ") {
        return lock(rest).ok_or_else(|| format!("untranslatable instruction `{text}`"));
    }
    if let Some((d, rhs)) = s.split_once(" = ") {
        let rhs = rhs.replace(' ', "");
        if let Some(n) = rhs.strip_suffix("ll").filter(|n| n.parse::<i128>().is_ok() || n.starts_with("0x")) {
            return Ok(format!("{d} = {n} ll"));
        }
        if let Some(x) = rhs.strip_prefix("map_val(") {
            let (n, off) = x.split_once(')').ok_or_else(|| format!("bad map_val in `{text}`"))?;
            return Ok(format!("{d} = map_value[fd:{n}]{} ll", signed_off(off)));
        }
        if let Some(x) = rhs.strip_prefix("mva(map_by_idx(") {
            let (n, off) = x.split_once("))").ok_or_else(|| format!("bad mva in `{text}`"))?;
            return Ok(format!("{d} = map_value[idx:{n}]{} ll", signed_off(off)));
        }
        if let Some(x) = rhs.strip_prefix("map_by_idx(") {
            let n = x.strip_suffix(')').ok_or_else(|| format!("bad map_by_idx in `{text}`"))?;
            return Ok(format!("{d} = map[idx:{n}] ll"));
        }
    }
    Ok(s)
}

fn signed_off(off: &str) -> String {
    let off = off.trim();
    if off.is_empty() { "+0".to_string() } else { off.to_string() }
}

/// `*(u64 *)(r1 + 0) += r2 [fetch]`, `x= r2`, `cx= r2`.
fn lock(rest: &str) -> Option<String> {
    let (mem, tail) = rest.split_once(") ")?;
    let mem = format!("{mem})");
    let words: Vec<&str> = tail.split(' ').collect();
    let (op, src, fetch) = match words.as_slice() {
        [op, src] => (*op, *src, false),
        [op, src, "fetch"] => (*op, *src, true),
        _ => return None,
    };
    let wide = mem.starts_with("*(u64");
    let reg = |r: &str| if wide { r.replacen('w', "r", 1) } else { r.replacen('r', "w", 1) };
    let src_r = reg(src);
    let addr = mem.split_once("(r").map(|(_, a)| format!("r{}", a.trim_end_matches(')')))?;
    let width = if wide { "u64" } else { "u32" };
    let name = match op {
        "+=" => "add",
        "|=" => "or",
        "&=" => "and",
        "^=" => "xor",
        "x=" => return Some(format!("{src_r} = {}({addr}, {src_r})", if wide { "xchg_64" } else { "xchg32_32" })),
        "cx=" => {
            let r0 = reg("r0");
            return Some(format!("{r0} = {}({addr}, {r0}, {src_r})", if wide { "cmpxchg_64" } else { "cmpxchg32_32" }));
        }
        _ => return None,
    };
    Some(if fetch {
        format!("{src_r} = atomic_fetch_{name}(({width} *)({addr}), {src_r})")
    } else {
        format!("lock {mem} {op} {src_r}")
    })
}

/// Whether an instruction line (translated) can fall through to the next line.
fn falls_through(line: &str) -> bool {
    !(line == "exit" || line.starts_with("goto "))
}

/// Translates labelled blocks (in source order, `<start>` first) into one program.
pub fn translate(blocks: &[(String, String)]) -> Result<Translated, String> {
    if blocks.first().is_none_or(|(l, _)| l != "<start>") {
        return Err("the first block is not <start>".into());
    }
    // Subprograms start at the blocks `call <L>` names.
    let mut callees = HashSet::new();
    for (_, body) in blocks {
        for l in body.lines() {
            let s = normalise(l.split(';').next().unwrap_or(""));
            if let Some(t) = s.strip_prefix("call <") {
                callees.insert(format!("<{t}"));
            }
        }
    }
    let mut out = String::new();
    let mut sub = 0;
    let mut sub_lines: Vec<String> = Vec::new();
    let mut needs_sink = false;
    let flush = |out: &mut String, sub: usize, lines: &mut Vec<String>, needs_sink: bool| {
        let last = lines.iter().rev().find(|l| !l.ends_with(':'));
        let falls = last.is_none_or(|l| falls_through(l));
        for l in lines.drain(..) {
            out.push_str(&l);
            out.push('\n');
        }
        if needs_sink || falls {
            out.push_str(&format!("l__sink{sub}:\nr0 = 0\nexit\n"));
        }
    };
    for (k, (name, body)) in blocks.iter().enumerate() {
        if k > 0 && callees.contains(name) {
            flush(&mut out, sub, &mut sub_lines, needs_sink);
            sub += 1;
            needs_sink = false;
        }
        sub_lines.push(format!("{}:", label(name)));
        for raw in body.lines() {
            let code = raw.split(';').next().unwrap_or("").trim();
            if code.is_empty() {
                continue;
            }
            if code.starts_with("assume") {
                needs_sink = true;
            }
            sub_lines.push(line(code, &format!("l__sink{sub}"))?);
        }
    }
    flush(&mut out, sub, &mut sub_lines, needs_sink);
    Ok(Translated { text: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(blocks: &[(&str, &str)]) -> String {
        let b: Vec<(String, String)> = blocks.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        translate(&b).unwrap().text
    }

    #[test]
    fn lines() {
        assert_eq!(line("r1 s8= r2", "s").unwrap(), "r1 = (s8)r2");
        assert_eq!(line("w1 s16= r2", "s").unwrap(), "w1 = (s16)w2");
        assert_eq!(line("r1 = swap16 r1", "s").unwrap(), "r1 = bswap16 r1");
        assert_eq!(line("r1 = 5ll", "s").unwrap(), "r1 = 5 ll");
        assert_eq!(line("w1 += r2", "s").unwrap(), "w1 += w2");
        assert_eq!(line("assume w1 < r2", "s").unwrap(), "if w1 >= w2 goto s");
        assert_eq!(line("w0 = 4194435072", "s").unwrap(), "w0 = 0xfa020000");
        assert_eq!(line("r1=r2", "s").unwrap(), "r1 = r2");
        assert_eq!(line("w1 = - w1", "s").unwrap(), "w1 = -w1");
        assert_eq!(line("assume r1 < 8", "s").unwrap(), "if r1 >= 8 goto s");
        assert_eq!(line("if w1 &== 4 goto <out>", "s").unwrap(), "if w1 & 4 goto l_out");
        assert!(line("if w1 &!= 4 goto <out>", "s").is_err());
        assert_eq!(line("r2 = map_val(1) + 8", "s").unwrap(), "r2 = map_value[fd:1]+8 ll");
        assert_eq!(line("r2 = mva(map_by_idx(0)) + 4", "s").unwrap(), "r2 = map_value[idx:0]+4 ll");
        assert_eq!(line("r1 = map_by_idx(0)", "s").unwrap(), "r1 = map[idx:0] ll");
        assert_eq!(line("r1 = map_fd 1", "s").unwrap(), "r1 = map[fd:1] ll");
        assert_eq!(
            line("lock *(u64 *)(r1 + 8) += r2 fetch", "s").unwrap(),
            "r2 = atomic_fetch_add((u64 *)(r1 + 8), r2)"
        );
        assert_eq!(line("lock *(u32 *)(r1 + 0) x= r2", "s").unwrap(), "w2 = xchg32_32(r1 + 0, w2)");
        assert_eq!(line("lock *(u64 *)(r1 + 0) cx= r2", "s").unwrap(), "r0 = cmpxchg_64(r1 + 0, r0, r2)");
        assert_eq!(line("lock *(u32 *)(r1 + 0) |= r2", "s").unwrap(), "lock *(u32 *)(r1 + 0) |= w2");
    }

    #[test]
    fn sinks_and_subprograms() {
        let text = t(&[("<start>", "r0 = 1 ; c\nassume r0 < 5\ncall <sub>\nexit\n"), ("<sub>", "r0 = 2\n")]);
        assert_eq!(
            text,
            "l_start:\nr0 = 1\nif r0 >= 5 goto l__sink0\ncall l_sub\nexit\nl__sink0:\nr0 = 0\nexit\n\
             l_sub:\nr0 = 2\nl__sink1:\nr0 = 0\nexit\n"
        );
        let raw = hive_asm::assemble(&text, hive_asm::Syntax::Kernel).unwrap();
        assert_eq!(raw.len(), 9);
        assert_eq!(t(&[("<start>", "exit")]), "l_start:\nexit\n");
    }
}
