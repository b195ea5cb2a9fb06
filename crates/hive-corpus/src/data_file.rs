//! The line-based `.data` test format of bpf_conformance and uBPF.
//!
//! A file is a sequence of sections, each opened by a line starting with `--` followed by
//! the section name (`-- asm`, `-- raw`, `-- mem`, `-- result`, `-- error`, ...). `#` starts a
//! comment. A section name may carry `@ FILE` to take its body from a file next to the test.

use std::path::{Path, PathBuf};

/// One parsed `.data` test.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataTest {
    /// The file it came from (empty when parsed from a string).
    pub path: PathBuf,
    /// uBPF-syntax assembly (`-- asm`), comments kept for the assembler to strip.
    pub asm: Option<String>,
    /// Raw instruction slots (`-- raw`), which win over `asm`.
    pub raw: Option<Vec<u64>>,
    /// Input memory (`-- mem`).
    pub mem: Vec<u8>,
    /// Expected 64-bit `r0` (`-- result`).
    pub result: Option<u64>,
    /// Expected refusal message (`-- error`); `Some("")` when the section is empty.
    pub error: Option<String>,
    /// Expected refusal as a regular expression (`-- error pattern`, uBPF).
    pub error_pattern: Option<String>,
    /// Sections this reader does not interpret (`-- c`, `-- pyelf`, `-- no jit`, ...), by name.
    pub other: Vec<String>,
}

/// Why a `.data` file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file (or a file a section refers to) cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line of a section is malformed.
    #[error("{path}:{line}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

fn strip_comment(line: &str) -> &str {
    line.split('#').next().unwrap_or("").trim()
}

impl DataTest {
    /// Reads and parses a file; `@ FILE` references resolve next to it.
    pub fn read(path: &Path) -> Result<DataTest, DataError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataError::Io { path: path.into(), source })?;
        let mut t = Self::parse(&text, path.parent()).map_err(|e| match e {
            DataError::Syntax { line, message, .. } => DataError::Syntax { path: path.into(), line, message },
            other => other,
        })?;
        t.path = path.into();
        Ok(t)
    }

    /// Parses text; `base` is the folder that `@ FILE` references resolve against.
    pub fn parse(text: &str, base: Option<&Path>) -> Result<DataTest, DataError> {
        let mut t = DataTest::default();
        let mut sections: Vec<(String, usize, Vec<&str>)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if let Some(name) = line.trim_start().strip_prefix("--") {
                sections.push((name.trim().to_string(), i + 1, Vec::new()));
            } else if let Some((_, _, body)) = sections.last_mut() {
                body.push(line);
            }
        }
        let err = |line: usize, message: String| DataError::Syntax { path: PathBuf::new(), line, message };
        for (header, first_line, body) in sections {
            let (name, file) = match header.split_once('@') {
                Some((n, f)) => (n.trim().to_string(), Some(f.trim().to_string())),
                None => (header.clone(), None),
            };
            let external;
            let body: Vec<&str> = match (&file, base) {
                (Some(f), Some(dir)) => {
                    let p = dir.join(f);
                    external = std::fs::read_to_string(&p).map_err(|source| DataError::Io { path: p, source })?;
                    external.lines().collect()
                }
                (Some(f), None) => return Err(err(first_line, format!("section refers to {f} but there is no base folder"))),
                (None, _) => body,
            };
            match name.as_str() {
                "asm" => t.asm = Some(body.join("\n")),
                "raw" => {
                    let mut words = Vec::new();
                    for (k, line) in body.iter().enumerate() {
                        let s = strip_comment(line);
                        if s.is_empty() {
                            continue;
                        }
                        words.push(parse_raw_line(s).ok_or_else(|| err(first_line + 1 + k, format!("bad raw instruction {s:?}")))?);
                    }
                    t.raw = Some(words);
                }
                "mem" => {
                    for (k, line) in body.iter().enumerate() {
                        // Plain bytes (`aa bb`) or tcpdump -x lines (`0x0010:  0040 a8de`).
                        for tok in strip_comment(line).split_whitespace().filter(|t| !t.ends_with(':')) {
                            let bytes = hex_bytes(tok)
                                .ok_or_else(|| err(first_line + 1 + k, format!("bad memory bytes {tok:?}")))?;
                            t.mem.extend(bytes);
                        }
                    }
                }
                "result" => {
                    let last = body.iter().map(|l| strip_comment(l)).rfind(|l| !l.is_empty());
                    if let Some(s) = last {
                        t.result = Some(parse_u64(s).ok_or_else(|| err(first_line, format!("bad result {s:?}")))?);
                    }
                }
                "error" => t.error = Some(body.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")),
                "error pattern" => t.error_pattern = Some(body.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n").trim().to_string()),
                _ => t.other.push(name),
            }
        }
        Ok(t)
    }

    /// Whether the file has a section of this name that the reader does not interpret.
    pub fn has_section(&self, name: &str) -> bool {
        self.other.iter().any(|n| n == name)
    }
}

/// Parses a number written in hex (`0x...`, optionally negative) or decimal.
pub fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let v = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok()?,
        None => s.parse::<u64>().ok()?,
    };
    Some(if neg { v.wrapping_neg() } else { v })
}

fn hex_bytes(tok: &str) -> Option<Vec<u8>> {
    if tok.is_empty() || !tok.len().is_multiple_of(2) {
        return None;
    }
    (0..tok.len()).step_by(2).map(|i| u8::from_str_radix(tok.get(i..i + 2)?, 16).ok()).collect()
}

/// One raw slot: a little-endian `u64` (`0x...` or decimal), or 8 hex bytes in memory order.
fn parse_raw_line(s: &str) -> Option<u64> {
    let toks: Vec<&str> = s.split_whitespace().collect();
    if toks.len() == 8 {
        let mut b = [0u8; 8];
        for (d, t) in b.iter_mut().zip(&toks) {
            *d = u8::from_str_radix(t, 16).ok()?;
        }
        return Some(u64::from_le_bytes(b));
    }
    if toks.len() == 1 { parse_u64(toks[0]) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections() {
        let t = DataTest::parse(
            "# c\n-- asm\nmov %r0, 1 # one\nexit\n-- mem\naa bb\n-- result\n0x10\n-- no jit\nwhy\n",
            None,
        )
        .unwrap();
        assert_eq!(t.asm.as_deref(), Some("mov %r0, 1 # one\nexit"));
        assert_eq!(t.mem, vec![0xaa, 0xbb]);
        assert_eq!(t.result, Some(0x10));
        assert!(t.has_section("no jit"));
    }

    #[test]
    fn raw_forms() {
        let t = DataTest::parse("-- raw\n0x00000000000000b7\n07 00 01 00 01 00 00 00\n149\n-- error\n", None).unwrap();
        assert_eq!(t.raw.unwrap(), vec![0xb7, 0x0000_0001_0001_0007, 149]);
        assert_eq!(t.error.as_deref(), Some(""));
    }
}
