//! Lines to tokens: comment stripping, labels and a small token cursor shared by both syntaxes.
//!
//! Both syntaxes use the same tokens: identifiers (`r1`, `ldxw`, `bpf_map_lookup_elem`,
//! `.insn`), unsigned numbers (decimal or `0x` hex; a sign is a separate token) and punctuation
//! with maximal munch (`s>>=` is the identifier `s` followed by `>>=`). Every function here is
//! total: malformed input becomes an error message, never a panic.

use std::fmt;

/// An unsigned number as written; the sign, if any, is the previous token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Num {
    /// The value, `None` when it does not fit 64 bits.
    pub value: Option<u64>,
    /// Written in hex (`0x...`): immediates are then bit patterns rather than signed values.
    pub hex: bool,
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    /// Identifier, register, mnemonic or directive.
    Ident(&'a str),
    /// Unsigned number.
    Num(Num),
    /// Operator or punctuation.
    Punct(&'static str),
}

impl fmt::Display for Tok<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "{s}"),
            Tok::Num(Num { value: Some(v), hex: true }) => write!(f, "{v:#x}"),
            Tok::Num(Num { value: Some(v), hex: false }) => write!(f, "{v}"),
            Tok::Num(Num { value: None, .. }) => write!(f, "<number>"),
            Tok::Punct(p) => write!(f, "{p}"),
        }
    }
}

/// Punctuation, longest first so that the scan takes the longest match.
const PUNCT: &[&str] = &[
    "<<=", ">>=", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "=", "+", "-", "*",
    "/", "%", "|", "&", "^", "<", ">", "(", ")", "[", "]", ",", ":", "#",
];

/// Removes a comment: `//` or `;` anywhere, `#` at the start of the line or after white space
/// (so that the kernel log's `call bpf_map_lookup_elem#1` keeps its `#1`).
pub(crate) fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let cut = match b {
            b';' => true,
            b'/' => bytes.get(i + 1) == Some(&b'/'),
            b'#' => i == 0 || bytes[i - 1].is_ascii_whitespace(),
            _ => false,
        };
        if cut {
            return &line[..i];
        }
    }
    line
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'.'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.'
}

/// Splits one comment-free line into tokens.
pub(crate) fn lex(line: &str) -> Result<Vec<Tok<'_>>, String> {
    let b = line.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if is_ident_start(c) {
            let start = i;
            while i < b.len() && is_ident_char(b[i]) {
                i += 1;
            }
            toks.push(Tok::Ident(&line[start..i]));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && is_ident_char(b[i]) {
                i += 1;
            }
            let text = &line[start..i];
            toks.push(Tok::Num(number(text).ok_or_else(|| format!("malformed number `{text}`"))?));
        } else if let Some(p) = PUNCT.iter().find(|p| b[i..].starts_with(p.as_bytes())) {
            toks.push(Tok::Punct(p));
            i += p.len();
        } else {
            let ch = line[i..].chars().next().unwrap_or('?');
            return Err(format!("unexpected character `{ch}`"));
        }
    }
    Ok(toks)
}

/// Parses the text of a number token; `None` when it is not a number at all.
fn number(text: &str) -> Option<Num> {
    let (digits, radix) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(h) => (h, 16),
        None => (text, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(Num { value: u64::from_str_radix(digits, radix).ok(), hex: radix == 16 })
}

/// A forward-only view of one line's tokens.
#[derive(Debug)]
pub(crate) struct Cursor<'t, 'a> {
    toks: &'t [Tok<'a>],
    pos: usize,
}

impl<'t, 'a> Cursor<'t, 'a> {
    /// A cursor at the first token.
    pub(crate) fn new(toks: &'t [Tok<'a>]) -> Self {
        Cursor { toks, pos: 0 }
    }

    /// The next token, not consumed.
    pub(crate) fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.pos).copied()
    }

    /// The token `n` places ahead, not consumed.
    pub(crate) fn peek_at(&self, n: usize) -> Option<Tok<'a>> {
        self.toks.get(self.pos + n).copied()
    }

    /// Consumes and returns the next token.
    pub(crate) fn next_tok(&mut self) -> Option<Tok<'a>> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// Whether every token was consumed.
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// The tokens not consumed yet.
    pub(crate) fn rest(&self) -> &'t [Tok<'a>] {
        self.toks.get(self.pos..).unwrap_or(&[])
    }

    /// Consumes `p` if it is next.
    pub(crate) fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(q)) if q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes the identifier `s` if it is next.
    pub(crate) fn eat_ident(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(q)) if q == s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `p` or explains what stands in its place.
    pub(crate) fn expect(&mut self, p: &str) -> Result<(), String> {
        if self.eat(p) { Ok(()) } else { Err(format!("expected `{p}`, found {}", self.describe_next())) }
    }

    /// Consumes the identifier `s` or explains what stands in its place.
    pub(crate) fn expect_ident(&mut self, s: &str) -> Result<(), String> {
        if self.eat_ident(s) { Ok(()) } else { Err(format!("expected `{s}`, found {}", self.describe_next())) }
    }

    /// Consumes an identifier.
    pub(crate) fn ident(&mut self, what: &str) -> Result<&'a str, String> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                self.pos += 1;
                Ok(s)
            }
            _ => Err(format!("expected {what}, found {}", self.describe_next())),
        }
    }

    /// Fails unless every token was consumed.
    pub(crate) fn finish(&self) -> Result<(), String> {
        match self.peek() {
            None => Ok(()),
            Some(t) => Err(format!("unexpected `{t}` after the instruction")),
        }
    }

    /// The next token for an error message (`end of line` when there is none).
    pub(crate) fn describe_next(&self) -> String {
        match self.peek() {
            Some(t) => format!("`{t}`"),
            None => "end of line".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let t = lex("if r1 s>= 0x1F goto -3").unwrap();
        assert_eq!(
            t,
            vec![
                Tok::Ident("if"),
                Tok::Ident("r1"),
                Tok::Ident("s"),
                Tok::Punct(">="),
                Tok::Num(Num { value: Some(31), hex: true }),
                Tok::Ident("goto"),
                Tok::Punct("-"),
                Tok::Num(Num { value: Some(3), hex: false }),
            ]
        );
        assert!(lex("r1 = 1f").is_err());
        assert!(lex("r1 = 0x").is_err());
        assert!(lex("r1 @ 2").is_err());
        assert_eq!(lex("99999999999999999999999").unwrap()[0], Tok::Num(Num { value: None, hex: false }));
    }

    #[test]
    fn comments() {
        assert_eq!(strip_comment("exit // done"), "exit ");
        assert_eq!(strip_comment("exit ; done"), "exit ");
        assert_eq!(strip_comment("# all"), "");
        assert_eq!(strip_comment("call 0 # gather"), "call 0 ");
        assert_eq!(strip_comment("call bpf_tail_call#12"), "call bpf_tail_call#12");
        assert_eq!(strip_comment("r0 /= r1"), "r0 /= r1");
    }
}
