//! The format language of `bpf_trace_printk`, `bpf_snprintf` (and `bpf_seq_printf`): the
//! kernel's `bpf_bprintf_prepare` decides what is allowed, `vsnprintf` how it prints.
//!
//! Allowed: `%%`; flags `0 + - ` (space); a width; then one of
//! - `d i u x X`, optionally with `l` or `ll` (without: a 32-bit `int`/`unsigned int`);
//! - `c` (one byte);
//! - `s` (a string read from memory; an unreadable one prints as empty), `pks`, `pus`;
//! - `p`, `pK`, `px`, `ps`, `pS` (a pointer: Hive prints the raw value like `%px`, 16 hex
//!   digits, where the kernel hashes plain `%p`);
//! - `pI4 pi4 pI6 pi6` (an IPv4/IPv6 address read through the pointer; zeros if unreadable);
//! - `pB` (a symbol: Hive has no kernel symbols and prints the address).
//!
//! Anything else (`%f`, precision `.`, `#`, `h`, `%n`...), a non-printable byte in the
//! format, `%s` followed by a letter, or more conversions than arguments is `-EINVAL`.

use libc::EINVAL;

/// Reads program or host memory for `%s` and `%pI`: `None` when unreadable.
pub trait Reader {
    /// Up to `max` bytes of a NUL-terminated string at `addr` (without the NUL).
    fn string(&self, addr: u64, max: usize) -> Option<Vec<u8>>;
    /// Exactly `n` bytes at `addr`.
    fn bytes(&self, addr: u64, n: usize) -> Option<Vec<u8>>;
}

/// `MAX_BPRINTF_BUF`: the room strings read for `%s` share.
pub const MAX_BPRINTF_BUF: usize = 1024;

#[derive(Default, Clone, Copy)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    zero: bool,
    width: usize,
}

fn is_punct(c: u8) -> bool {
    c.is_ascii_punctuation()
}

fn pad(out: &mut Vec<u8>, body: &[u8], spec: Spec, sign: &[u8], zero_ok: bool) {
    let len = body.len() + sign.len();
    let fill = spec.width.saturating_sub(len);
    if spec.left {
        out.extend_from_slice(sign);
        out.extend_from_slice(body);
        out.extend(std::iter::repeat_n(b' ', fill));
    } else if spec.zero && zero_ok {
        out.extend_from_slice(sign);
        out.extend(std::iter::repeat_n(b'0', fill));
        out.extend_from_slice(body);
    } else {
        out.extend(std::iter::repeat_n(b' ', fill));
        out.extend_from_slice(sign);
        out.extend_from_slice(body);
    }
}

/// Formats `fmt` (without its NUL) with `args` (the raw 64-bit argument values). Returns the
/// whole output (callers truncate) or the errno of a refused format.
pub fn bprintf(fmt: &[u8], args: &[u64], reader: &dyn Reader) -> Result<Vec<u8>, i32> {
    let mut out = Vec::new();
    let mut next_arg = 0usize;
    let mut str_room = MAX_BPRINTF_BUF;
    let at = |i: usize| fmt.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        if !c.is_ascii() || !(c.is_ascii_graphic() || c == b' ' || c.is_ascii_whitespace()) {
            return Err(EINVAL);
        }
        if c != b'%' {
            out.push(c);
            i += 1;
            continue;
        }
        if at(i + 1) == b'%' {
            out.push(b'%');
            i += 2;
            continue;
        }
        if next_arg >= args.len() {
            return Err(EINVAL);
        }
        let arg = args[next_arg];
        next_arg += 1;
        i += 1;
        let mut spec = Spec::default();
        loop {
            match at(i) {
                b'0' => spec.zero = true,
                b'+' => spec.plus = true,
                b'-' => spec.left = true,
                b' ' => spec.space = true,
                _ => break,
            }
            i += 1;
        }
        if (b'1'..=b'9').contains(&at(i)) {
            while at(i).is_ascii_digit() {
                spec.width = spec.width.saturating_mul(10).saturating_add((at(i) - b'0') as usize).min(4096);
                i += 1;
            }
        }
        match at(i) {
            b'p' => {
                let n1 = at(i + 1);
                if (n1 == b'k' || n1 == b'u') && at(i + 2) == b's' {
                    i += 2;
                    let next = at(i + 1);
                    if next != 0 && !next.is_ascii_whitespace() && !is_punct(next) {
                        return Err(EINVAL);
                    }
                    let s = reader.string(arg, str_room).unwrap_or_default();
                    str_room = str_room.saturating_sub(s.len() + 1);
                    pad(&mut out, &s, spec, b"", false);
                    i += 1;
                    continue;
                }
                if n1 == 0 || n1.is_ascii_whitespace() || is_punct(n1) || matches!(n1, b'K' | b'x' | b's' | b'S' | b'B') {
                    // A plain pointer; `K`, `x`, `s`, `S`, `B` are part of the conversion.
                    if matches!(n1, b'K' | b'x' | b's' | b'S' | b'B') {
                        i += 1;
                    }
                    let body = format!("{arg:016x}");
                    let spec = Spec { zero: true, width: spec.width.max(16), ..spec };
                    pad(&mut out, body.as_bytes(), spec, b"", true);
                    i += 1;
                    continue;
                }
                if !matches!(n1, b'i' | b'I') || !matches!(at(i + 2), b'4' | b'6') {
                    return Err(EINVAL);
                }
                let upper = n1 == b'I';
                let v6 = at(i + 2) == b'6';
                i += 3;
                let n = if v6 { 16 } else { 4 };
                let ip = reader.bytes(arg, n).unwrap_or_else(|| vec![0; n]);
                let body = if v6 {
                    let groups: Vec<String> =
                        ip.chunks(2).map(|g| format!("{:04x}", u16::from_be_bytes([g[0], g[1]]))).collect();
                    if upper { groups.join(":") } else { groups.concat() }
                } else if upper {
                    format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
                } else {
                    format!("{:03}.{:03}.{:03}.{:03}", ip[0], ip[1], ip[2], ip[3])
                };
                pad(&mut out, body.as_bytes(), spec, b"", false);
                continue;
            }
            b's' => {
                let next = at(i + 1);
                if next != 0 && !next.is_ascii_whitespace() && !is_punct(next) {
                    return Err(EINVAL);
                }
                let s = if str_room == 0 { Vec::new() } else { reader.string(arg, str_room - 1).unwrap_or_default() };
                str_room = str_room.saturating_sub(s.len() + 1);
                pad(&mut out, &s, spec, b"", false);
                i += 1;
                continue;
            }
            b'c' => {
                pad(&mut out, &[arg as u8], spec, b"", false);
                i += 1;
                continue;
            }
            _ => {}
        }
        let mut long = 0;
        while at(i) == b'l' && long < 2 {
            long += 1;
            i += 1;
        }
        let conv = at(i);
        if !matches!(conv, b'i' | b'd' | b'u' | b'x' | b'X') {
            return Err(EINVAL);
        }
        i += 1;
        let wide = long > 0;
        let (body, sign): (String, &[u8]) = match conv {
            b'd' | b'i' => {
                let v = if wide { arg as i64 } else { arg as u32 as i32 as i64 };
                let sign: &[u8] = if v < 0 {
                    b"-"
                } else if spec.plus {
                    b"+"
                } else if spec.space {
                    b" "
                } else {
                    b""
                };
                (v.unsigned_abs().to_string(), sign)
            }
            b'u' => ((if wide { arg } else { arg as u32 as u64 }).to_string(), b""),
            b'x' => (format!("{:x}", if wide { arg } else { arg as u32 as u64 }), b""),
            _ => (format!("{:X}", if wide { arg } else { arg as u32 as u64 }), b""),
        };
        pad(&mut out, body.as_bytes(), spec, sign, true);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Mem;
    impl Reader for Mem {
        fn string(&self, addr: u64, max: usize) -> Option<Vec<u8>> {
            (addr == 1).then(|| b"hello".iter().copied().take(max).collect())
        }
        fn bytes(&self, addr: u64, n: usize) -> Option<Vec<u8>> {
            (addr == 2).then(|| (0..n as u8).map(|b| b + 1).collect())
        }
    }

    fn f(fmt: &str, args: &[u64]) -> Result<String, i32> {
        bprintf(fmt.as_bytes(), args, &Mem).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn integers_follow_printf() {
        assert_eq!(f("%d %i %u %x %X", &[-5i64 as u64, 7, u64::MAX, 255, 255]), Ok("-5 7 4294967295 ff FF".into()));
        assert_eq!(f("%ld %lld %llu %llx", &[-5i64 as u64, 1 << 40, u64::MAX, 1 << 36]).unwrap(), "-5 1099511627776 18446744073709551615 1000000000");
        assert_eq!(f("[%5d|%-5d|%05d|%+d|% d]", &[42, 42, 42, 42, 42]).unwrap(), "[   42|42   |00042|+42| 42]");
        assert_eq!(f("%05d", &[-42i64 as u64]).unwrap(), "-0042");
        assert_eq!(f("100%%", &[]).unwrap(), "100%");
    }

    #[test]
    fn strings_chars_pointers_addresses() {
        assert_eq!(f("%s, %c!", &[1, b'w' as u64]).unwrap(), "hello, w!");
        assert_eq!(f("[%s]", &[99]).unwrap(), "[]", "an unreadable string prints empty");
        assert_eq!(f("%7s|%-7s|", &[1, 1]).unwrap(), "  hello|hello  |");
        assert_eq!(f("%p %px %pK", &[0x1234, 0, 1]).unwrap(), "0000000000001234 0000000000000000 0000000000000001");
        assert_eq!(f("%pI4 %pi4", &[2, 2]).unwrap(), "1.2.3.4 001.002.003.004");
        assert_eq!(f("%pI6", &[2]).unwrap(), "0102:0304:0506:0708:090a:0b0c:0d0e:0f10");
        assert_eq!(f("%pks.", &[1]).unwrap(), "hello.");
    }

    #[test]
    fn refusals() {
        for bad in ["%f", "%.2d", "%#x", "%hd", "%n", "%sx", "%d %d", "%pQ", "tab\x01"] {
            assert_eq!(f(bad, &[1]), Err(EINVAL), "{bad}");
        }
        assert_eq!(f("%d\n", &[1]).unwrap(), "1\n");
    }
}
