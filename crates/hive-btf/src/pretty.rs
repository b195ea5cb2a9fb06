//! Showing a value through its BTF type, as `bpftool map dump` shows keys and values.
//!
//! The output is JSON-shaped: integers as numbers (128-bit ones as `0x` hex), `_Bool` as
//! `true`/`false`, enums by enumerator name (the number when no enumerator matches), char
//! arrays holding a NUL-terminated printable string as a string (bpftool's `is_str_array`
//! rule), other arrays as lists, structs and unions as objects keyed by member name,
//! bitfields as numbers, pointers as `0x` hex, floats as decimals, a VAR as its value and a
//! DATASEC as an object of its variables.
//!
//! A buffer shorter than the type prints `null` for each scalar it does not cover, so a
//! truncated value still shows what is there; nothing here can panic or recurse without
//! bound.

use crate::types::{Kind, Type, TypeId};
use crate::Btf;
use std::fmt::Write;

const MAX_DEPTH: usize = 64;

/// `data` shown as a value of type `id` on one line, e.g. `{"pid": 42, "comm": "bash"}`.
pub fn format_value(btf: &Btf<'_>, id: TypeId, data: &[u8]) -> String {
    let mut p = Printer { btf, out: String::new(), pretty: false, indent: 0, budget: budget(data), open: Vec::new() };
    p.value(id, data, 0, 0);
    p.out
}

/// `data` shown as a value of type `id`, one member per line, indented by four spaces per
/// level like `bpftool map dump`.
pub fn format_value_pretty(btf: &Btf<'_>, id: TypeId, data: &[u8]) -> String {
    let mut p = Printer { btf, out: String::new(), pretty: true, indent: 0, budget: budget(data), open: Vec::new() };
    p.value(id, data, 0, 0);
    p.out
}

struct Printer<'p, 'b> {
    btf: &'p Btf<'b>,
    out: String,
    pretty: bool,
    indent: usize,
    /// Values left to print: bounds the output of malformed (cyclic) types.
    budget: usize,
    /// Structs, unions and arrays being printed: one that contains itself is malformed.
    open: Vec<TypeId>,
}

fn budget(data: &[u8]) -> usize {
    (1 << 16) + data.len().saturating_mul(16)
}

/// Little-endian bits `[bit_off, bit_off + bits)` of `data` (up to 128 bits), or `None` when
/// `data` is too short.
fn read_bits(data: &[u8], bit_off: u32, bits: u32) -> Option<u128> {
    if bits == 0 || bits > 128 {
        return if bits == 0 { Some(0) } else { None };
    }
    let first = (bit_off / 8) as usize;
    let last = ((bit_off as u64 + bits as u64 - 1) / 8) as usize;
    if last >= data.len() || last - first >= 17 {
        return None;
    }
    let mut acc: u128 = 0;
    let mut shift = 0u32;
    let mut extra: u8 = 0;
    for (i, &b) in data[first..=last].iter().enumerate() {
        if i < 16 {
            acc |= (b as u128) << (8 * i);
        } else {
            extra = b;
        }
        shift += 8;
    }
    let lo = bit_off % 8;
    let mut v = acc >> lo;
    if shift > 128 && lo > 0 {
        v |= (extra as u128) << (128 - lo);
    }
    if bits < 128 {
        v &= (1u128 << bits) - 1;
    }
    Some(v)
}

fn sign_extend(v: u128, bits: u32) -> i128 {
    if bits == 0 || bits >= 128 {
        return v as i128;
    }
    let shift = 128 - bits;
    ((v << shift) as i128) >> shift
}

fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl<'p> Printer<'p, '_> {
    fn newline(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.indent {
                self.out.push_str("    ");
            }
        }
    }

    fn ty(&self, id: TypeId) -> Option<Type<'p>> {
        self.btf.type_by_id(id)
    }

    /// Show the value of type `id` at bit offset `bit_off` (0-7 beyond the byte slice start).
    fn value(&mut self, id: TypeId, data: &[u8], bit_off: u32, depth: usize) {
        if depth > MAX_DEPTH || self.budget == 0 {
            self.out.push_str("\"...\"");
            return;
        }
        self.budget -= 1;
        let Some(t) = self.ty(id) else {
            self.out.push_str("null");
            return;
        };
        match t.kind() {
            Kind::Typedef | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag | Kind::Var => {
                self.value(TypeId(t.size_or_type()), data, bit_off, depth + 1)
            }
            Kind::Int => {
                let int = t.int().unwrap_or(crate::types::Int::from_raw(0));
                self.int(int, data, bit_off + int.offset as u32, int.bits as u32)
            }
            Kind::Enum | Kind::Enum64 => self.enumeration(&t, data, bit_off, t.size_or_type().saturating_mul(8)),
            Kind::Ptr => match read_bits(data, bit_off, 64) {
                Some(v) => {
                    let _ = write!(self.out, "0x{v:x}");
                }
                None => self.out.push_str("null"),
            },
            Kind::Float => self.float(t.size_or_type(), data, bit_off),
            Kind::Array | Kind::Struct | Kind::Union => {
                if self.open.contains(&id) {
                    self.out.push_str("\"...\"");
                    return;
                }
                self.open.push(id);
                if t.kind() == Kind::Array {
                    self.array(&t, data, bit_off, depth)
                } else {
                    self.composite(&t, data, bit_off, depth)
                }
                self.open.pop();
            }
            Kind::Datasec => {
                self.out.push('{');
                self.indent += 1;
                let vars: Vec<_> = t.secinfos().collect();
                for (i, v) in vars.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                        if !self.pretty {
                            self.out.push(' ');
                        }
                    }
                    self.newline();
                    let name = self.ty(v.ty).map(|x| x.name().to_owned()).unwrap_or_default();
                    json_str(&mut self.out, &name);
                    self.out.push_str(": ");
                    let sub = data.get(v.offset as usize..).unwrap_or(&[]);
                    self.value(v.ty, sub, bit_off, depth + 1);
                }
                self.indent -= 1;
                if !vars.is_empty() {
                    self.newline();
                }
                self.out.push('}');
            }
            Kind::Void | Kind::Fwd | Kind::Func | Kind::FuncProto | Kind::DeclTag => {
                let _ = write!(self.out, "\"<{}>\"", t.kind().name());
            }
        }
    }

    fn int(&mut self, int: crate::types::Int, data: &[u8], bit_off: u32, bits: u32) {
        let Some(v) = read_bits(data, bit_off, bits) else {
            self.out.push_str("null");
            return;
        };
        if int.is_bool() {
            self.out.push_str(if v != 0 { "true" } else { "false" });
        } else if bits > 64 {
            let _ = write!(self.out, "0x{v:x}");
        } else if int.is_signed() {
            let _ = write!(self.out, "{}", sign_extend(v, bits));
        } else {
            let _ = write!(self.out, "{v}");
        }
    }

    fn enumeration(&mut self, t: &Type<'_>, data: &[u8], bit_off: u32, bits: u32) {
        let Some(v) = read_bits(data, bit_off, bits) else {
            self.out.push_str("null");
            return;
        };
        let signed = t.kflag();
        let value = if signed { sign_extend(v, bits) } else { v as i128 };
        match t.enum_values().find(|e| e.value() == value) {
            Some(e) => json_str(&mut self.out, e.name),
            None => {
                let _ = write!(self.out, "{value}");
            }
        }
    }

    fn float(&mut self, size: u32, data: &[u8], bit_off: u32) {
        let v = match size {
            4 => read_bits(data, bit_off, 32).map(|b| f32::from_bits(b as u32) as f64),
            8 => read_bits(data, bit_off, 64).map(|b| f64::from_bits(b as u64)),
            _ => None,
        };
        match v {
            Some(f) if f.is_finite() => {
                let _ = write!(self.out, "{f:?}");
            }
            Some(f) => json_str(&mut self.out, &format!("{f}")),
            None => match read_bits(data, bit_off, size.saturating_mul(8)) {
                Some(b) => {
                    let _ = write!(self.out, "\"0x{b:x}\"");
                }
                None => self.out.push_str("null"),
            },
        }
    }

    /// bpftool's `is_str_array`: byte-sized `char` (or CHAR-encoded) elements, printable up
    /// to a NUL inside the array.
    fn as_string<'d>(&self, t: &Type<'_>, data: &'d [u8], bit_off: u32) -> Option<&'d str> {
        let a = t.array()?;
        if a.nelems == 0 || !bit_off.is_multiple_of(8) {
            return None;
        }
        let mut elem = self.ty(a.elem_type)?;
        for _ in 0..crate::MAX_CHAIN {
            if !matches!(elem.kind(), Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag) {
                break;
            }
            elem = self.ty(TypeId(elem.size_or_type()))?;
        }
        let int = elem.int()?;
        if elem.size_or_type() != 1 || (!int.is_char() && elem.name() != "char") {
            return None;
        }
        let start = (bit_off / 8) as usize;
        let bytes = data.get(start..)?;
        let bytes = &bytes[..bytes.len().min(a.nelems as usize)];
        let nul = bytes.iter().position(|&b| b == 0)?;
        let s = &bytes[..nul];
        if s.iter().all(|&b| (0x20..0x7f).contains(&b)) { std::str::from_utf8(s).ok() } else { None }
    }

    fn array(&mut self, t: &Type<'_>, data: &[u8], bit_off: u32, depth: usize) {
        if let Some(s) = self.as_string(t, data, bit_off) {
            json_str(&mut self.out, s);
            return;
        }
        let Some(a) = t.array() else {
            self.out.push_str("null");
            return;
        };
        let esize = self.btf.resolve_size(a.elem_type).unwrap_or(0) as usize;
        self.out.push('[');
        self.indent += 1;
        // Past the end of the buffer every element would print `null`: stop after one.
        let start = (bit_off / 8) as usize;
        // Zero-sized elements (or ones whose size cannot be resolved) are shown once: the
        // count may be anything up to 2^32 and every element would be the same.
        let count = if esize == 0 { a.nelems.min(1) } else { a.nelems } as usize;
        for i in 0..count {
            if i > 0 {
                self.out.push(',');
                if !self.pretty {
                    self.out.push(' ');
                }
            }
            self.newline();
            let off = start.saturating_add(i.saturating_mul(esize));
            let sub = data.get(off..).unwrap_or(&[]);
            self.value(a.elem_type, sub, bit_off % 8, depth + 1);
            if sub.is_empty() && i + 1 < count {
                self.out.push_str(if self.pretty { ",\n" } else { ", " });
                self.out.push_str("\"...\"");
                break;
            }
        }
        self.indent -= 1;
        if count > 0 {
            self.newline();
        }
        self.out.push(']');
    }

    fn composite(&mut self, t: &Type<'_>, data: &[u8], bit_off: u32, depth: usize) {
        self.out.push('{');
        self.indent += 1;
        let members: Vec<_> = t.members().collect();
        for (i, m) in members.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
                if !self.pretty {
                    self.out.push(' ');
                }
            }
            self.newline();
            json_str(&mut self.out, m.name);
            self.out.push_str(": ");
            let off = bit_off.saturating_add(m.bit_offset);
            let sub = data.get((off / 8) as usize..).unwrap_or(&[]);
            if m.bitfield_size != 0 {
                // A bitfield (kind_flag encoding): the member type gives signedness.
                let signed = self
                    .btf
                    .skip_modifiers(m.ty)
                    .map(|x| x.int().is_some_and(|i| i.is_signed()) || (x.kind().is_enum() && x.kflag()))
                    .unwrap_or(false);
                match (read_bits(sub, off % 8, m.bitfield_size), self.btf.skip_modifiers(m.ty)) {
                    (Some(v), Some(mt)) if mt.kind().is_enum() => {
                        let value = if signed { sign_extend(v, m.bitfield_size) } else { v as i128 };
                        match mt.enum_values().find(|e| e.value() == value) {
                            Some(e) => json_str(&mut self.out, e.name),
                            None => {
                                let _ = write!(self.out, "{value}");
                            }
                        }
                    }
                    (Some(v), _) if signed => {
                        let _ = write!(self.out, "{}", sign_extend(v, m.bitfield_size));
                    }
                    (Some(v), _) => {
                        let _ = write!(self.out, "{v}");
                    }
                    (None, _) => self.out.push_str("null"),
                }
            } else {
                self.value(m.ty, sub, off % 8, depth + 1);
            }
        }
        self.indent -= 1;
        if !members.is_empty() {
            self.newline();
        }
        self.out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_read_little_endian() {
        assert_eq!(read_bits(&[0b1010_0000, 0b0000_0011], 5, 5), Some(0b11101));
        assert_eq!(read_bits(&[0xff; 16], 0, 128), Some(u128::MAX));
        assert_eq!(read_bits(&[0xff; 17], 3, 128), Some(u128::MAX));
        assert_eq!(read_bits(&[1], 0, 16), None);
        assert_eq!(sign_extend(0b11101, 5), -3);
    }
}
