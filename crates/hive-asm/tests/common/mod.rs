//! Helpers shared by the corpus tests: where the corpora are, a minimal `.data` section
//! splitter, and the round-trip check itself.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use hive_asm::{Syntax, assemble, disassemble};
use hive_isa::RawInsn;

/// The corpora folder: `$HIVE_CORPORA`, else `shared/corpora` beside the workspace.
pub fn corpora_dir() -> PathBuf {
    match std::env::var_os("HIVE_CORPORA") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    }
}

/// A corpus sub-folder, or `None` after printing why the test skips.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let p = corpora_dir().join(sub);
    if p.exists() {
        Some(p)
    } else {
        println!("note: skipping, corpus {} is absent", p.display());
        None
    }
}

/// Every file under `dir`, recursively, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out.sort();
    out
}

/// Section names of the `.data` format; any other `-- ...` line stays in the section body
/// (so that `-- Unknown directive` inside `-- asm` reaches the assembler).
const SECTIONS: &[&str] = &[
    "asm", "raw", "mem", "result", "error", "error pattern", "c", "pyelf", "no jit", "description", "reload",
    "unload", "no register offset", "mem (optional)",
];

/// The sections of a `.data` file: `(name, body)`, with `@ FILE` bodies read from `base`.
pub fn data_sections(text: &str, base: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let header = line.trim_start().strip_prefix("--").map(str::trim);
        let known = header.map(|h| h.split('@').next().unwrap_or("").trim()).filter(|n| SECTIONS.contains(n));
        match (header, known) {
            (Some(h), Some(name)) => {
                let body = match h.split_once('@') {
                    Some((_, file)) => std::fs::read_to_string(base.join(file.trim())).unwrap_or_default(),
                    None => String::new(),
                };
                out.push((name.to_string(), body));
            }
            _ => {
                if let Some((_, body)) = out.last_mut() {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    out
}

/// A `-- raw` body: one little-endian `u64` per line (hex or decimal) or 8 hex bytes.
pub fn parse_raw(body: &str) -> Vec<RawInsn> {
    let mut out = Vec::new();
    for line in body.lines() {
        let s = line.split('#').next().unwrap_or("").trim();
        if s.is_empty() {
            continue;
        }
        let toks: Vec<&str> = s.split_whitespace().collect();
        let word = if toks.len() == 8 {
            let mut b = [0u8; 8];
            for (d, t) in b.iter_mut().zip(&toks) {
                *d = u8::from_str_radix(t, 16).unwrap_or_else(|_| panic!("bad raw line {s:?}"));
            }
            u64::from_le_bytes(b)
        } else if let Some(h) = s.strip_prefix("0x") {
            u64::from_str_radix(h, 16).unwrap_or_else(|_| panic!("bad raw line {s:?}"))
        } else {
            s.parse().unwrap_or_else(|_| panic!("bad raw line {s:?}"))
        };
        out.push(RawInsn::from_u64(word));
    }
    out
}

/// Checks `assemble(disassemble(raw, s), s) == raw` in both syntaxes.
pub fn round_trip(raw: &[RawInsn]) -> Result<(), String> {
    for syntax in [Syntax::Kernel, Syntax::Ubpf] {
        let text = disassemble(raw, syntax);
        match assemble(&text, syntax) {
            Ok(back) if back == raw => {}
            Ok(back) => {
                let at = back.iter().zip(raw).position(|(a, b)| a != b).unwrap_or(back.len().min(raw.len()));
                let line = text.lines().nth(at).unwrap_or("");
                return Err(format!("{syntax}: slot {at} differs ({line:?})"));
            }
            Err(e) => return Err(format!("{syntax}: {e}")),
        }
    }
    Ok(())
}

/// Standard base64 (with padding) to bytes.
pub fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let Some(v) = val(c) else { continue };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
