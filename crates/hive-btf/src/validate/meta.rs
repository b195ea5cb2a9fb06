//! Phase 1, `check_meta`: the rules for one record that need no other type.

use super::{roundup_bytes, Rules};
use crate::error::{Error, ErrorKind as E};
use crate::raw::{RawType, BTF_INT_MASK, BTF_MAX_TYPE, KSYM_NAME_LEN};
use crate::types::Kind;
use crate::Btf;

/// The kernel's `isalpha` (its ctype table marks Latin-1 letters too).
fn k_alpha(c: u8) -> bool {
    c.is_ascii_alphabetic() || (c >= 0xc0 && c != 0xd7 && c != 0xf7)
}
fn k_alnum(c: u8) -> bool {
    k_alpha(c) || c.is_ascii_digit()
}
/// The kernel's `isprint`.
fn k_print(c: u8) -> bool {
    (0x20..0x7f).contains(&c) || c >= 0xa0
}

/// The kernel's `btf_name_valid_identifier`: `[A-Za-z_.][A-Za-z0-9_.]*`, at most 512 bytes.
pub(crate) fn name_valid_identifier(btf: &Btf<'_>, off: u32) -> bool {
    let Some(s) = btf.str_bytes_at(off) else { return false };
    let ok = |c: u8, first: bool| (if first { k_alpha(c) } else { k_alnum(c) }) || c == b'_' || c == b'.';
    match s.first() {
        Some(&c) if ok(c, true) => {}
        _ => return false,
    }
    s.len() <= KSYM_NAME_LEN && s[1..].iter().all(|&c| ok(c, false))
}

/// The kernel's `btf_name_valid_section`: non-empty, printable, at most 512 bytes.
fn name_valid_section(btf: &Btf<'_>, off: u32) -> bool {
    let Some(s) = btf.str_bytes_at(off) else { return false };
    !s.is_empty() && s.len() <= KSYM_NAME_LEN && s.iter().all(|&c| k_print(c))
}

fn id_valid(id: u32) -> bool {
    id <= BTF_MAX_TYPE
}

/// Phase 1 for one record: returns the size of the kind-specific data after the 12-byte
/// header. `rest` is everything after the header up to the end of the type section.
pub(crate) fn check_meta(
    btf: &Btf<'_>,
    rules: Rules,
    id: u32,
    t: &RawType,
    kind: Kind,
    rest: &[u8],
) -> Result<usize, Error> {
    let err = |k| Err(Error::at(id, k));
    let left = rest.len() as u32;
    let vlen = t.vlen() as u32;
    let kflag = t.kflag();
    let size_type = t.size_type.get();
    let name_off = t.name_off.get();
    let word = |i: usize| -> u32 {
        rest.get(i * 4..i * 4 + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let need = |n: u32| if left < n { Err(Error::at(id, E::MetaLeft { left, needed: n })) } else { Ok(()) };
    match kind {
        Kind::Void => err(E::InvalidKind(0)),
        Kind::Int => {
            need(4)?;
            if vlen != 0 {
                return err(E::VlenNotZero);
            }
            if kflag {
                return err(E::InvalidKindFlag);
            }
            let data = word(0);
            if data & !BTF_INT_MASK != 0 {
                return err(E::InvalidIntData(data));
            }
            let int = crate::types::Int::from_raw(data);
            let nr_bits = int.bits as u32 + int.offset as u32;
            if nr_bits > 128 {
                return err(E::IntBitsExceed128);
            }
            if roundup_bytes(nr_bits) > size_type {
                return err(E::IntBitsExceedSize);
            }
            if !matches!(int.encoding, 0 | 1 | 2 | 4) {
                return err(E::UnsupportedEncoding);
            }
            Ok(4)
        }
        Kind::Ptr | Kind::Typedef | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
            if vlen != 0 {
                return err(E::VlenNotZero);
            }
            if kflag && !(kind == Kind::TypeTag && rules.tag_kflag) {
                return err(E::InvalidKindFlag);
            }
            if !id_valid(size_type) {
                return err(E::InvalidTypeId);
            }
            match kind {
                Kind::Typedef => {
                    if name_off == 0 || !name_valid_identifier(btf, name_off) {
                        return err(E::InvalidName);
                    }
                }
                Kind::TypeTag => {
                    if btf.str_bytes_at(name_off).is_none_or(|s| s.is_empty()) {
                        return err(E::InvalidName);
                    }
                }
                _ => {
                    if name_off != 0 {
                        return err(E::InvalidName);
                    }
                }
            }
            Ok(0)
        }
        Kind::Fwd => {
            if vlen != 0 {
                return err(E::VlenNotZero);
            }
            if size_type != 0 {
                return err(E::TypeNotZero);
            }
            if name_off == 0 || !name_valid_identifier(btf, name_off) {
                return err(E::InvalidName);
            }
            Ok(0)
        }
        Kind::Array => {
            need(12)?;
            if name_off != 0 {
                return err(E::InvalidName);
            }
            if vlen != 0 {
                return err(E::VlenNotZero);
            }
            if kflag {
                return err(E::InvalidKindFlag);
            }
            if size_type != 0 {
                return err(E::SizeNotZero);
            }
            let (elem, index) = (word(0), word(1));
            if elem == 0 || !id_valid(elem) {
                return err(E::InvalidElem);
            }
            if index == 0 || !id_valid(index) {
                return err(E::InvalidIndex);
            }
            Ok(12)
        }
        Kind::Struct | Kind::Union => {
            let needed = vlen * 12;
            need(needed)?;
            if name_off != 0 && !name_valid_identifier(btf, name_off) {
                return err(E::InvalidName);
            }
            let mut last = 0u32;
            for i in 0..vlen as usize {
                let (m_name, m_type, m_off) = (word(3 * i), word(3 * i + 1), word(3 * i + 2));
                if !btf.name_offset_valid(m_name) {
                    return err(E::InvalidMemberNameOffset(m_name));
                }
                if m_name != 0 && !name_valid_identifier(btf, m_name) {
                    return err(E::InvalidName);
                }
                if m_type == 0 || !id_valid(m_type) {
                    return err(E::InvalidTypeId);
                }
                let off = if kflag { m_off & 0x00ff_ffff } else { m_off };
                if kind == Kind::Union && off != 0 {
                    return err(E::InvalidMemberBitsOffset);
                }
                if last > off {
                    return err(E::InvalidMemberBitsOffset);
                }
                if roundup_bytes(off) > size_type {
                    return err(E::MemberOffsetExceedsSize);
                }
                last = off;
            }
            Ok(needed as usize)
        }
        Kind::Enum | Kind::Enum64 => {
            let rec = if kind == Kind::Enum { 2 } else { 3 };
            let needed = vlen * rec * 4;
            need(needed)?;
            if size_type > 8 || !size_type.is_power_of_two() {
                return err(E::UnexpectedSize);
            }
            if name_off != 0 && !name_valid_identifier(btf, name_off) {
                return err(E::InvalidName);
            }
            for i in 0..vlen as usize {
                let e_name = word(rec as usize * i);
                if !btf.name_offset_valid(e_name) {
                    return err(E::InvalidNameOffset(e_name));
                }
                if e_name == 0 || !name_valid_identifier(btf, e_name) {
                    return err(E::InvalidName);
                }
            }
            Ok(needed as usize)
        }
        Kind::FuncProto => {
            let needed = vlen * 8;
            need(needed)?;
            if name_off != 0 {
                return err(E::InvalidName);
            }
            if kflag {
                return err(E::InvalidKindFlag);
            }
            Ok(needed as usize)
        }
        Kind::Func => {
            if name_off == 0 || !name_valid_identifier(btf, name_off) {
                return err(E::InvalidName);
            }
            if vlen > 1 {
                return err(E::InvalidFuncLinkage);
            }
            if kflag {
                return err(E::InvalidKindFlag);
            }
            Ok(0)
        }
        Kind::Var => {
            need(4)?;
            if vlen != 0 {
                return err(E::VlenNotZero);
            }
            if kflag {
                return err(E::InvalidKindFlag);
            }
            if name_off == 0 || !name_valid_identifier(btf, name_off) {
                return err(E::InvalidName);
            }
            if size_type == 0 || !id_valid(size_type) {
                return err(E::InvalidTypeId);
            }
            if word(0) > 1 {
                return err(E::LinkageNotSupported);
            }
            Ok(4)
        }
        Kind::Datasec => {
            let needed = vlen * 12;
            need(needed)?;
            if size_type == 0 {
                return err(E::SizeZero);
            }
            if kflag {
                return err(E::InvalidKindFlag);
            }
            if name_off == 0 || !name_valid_section(btf, name_off) {
                return err(E::InvalidName);
            }
            let (mut last_end, mut sum) = (0u64, 0u64);
            for i in 0..vlen as usize {
                let (v_type, v_off, v_size) = (word(3 * i), word(3 * i + 1), word(3 * i + 2));
                if v_type == 0 || !id_valid(v_type) {
                    return err(E::InvalidTypeId);
                }
                if (v_off as u64) < last_end || v_off >= size_type {
                    return err(E::InvalidOffset);
                }
                if v_size == 0 || v_size > size_type {
                    return err(E::InvalidSize);
                }
                // The kernel adds in 32 bits before widening.
                last_end = v_off.wrapping_add(v_size) as u64;
                if last_end > size_type as u64 {
                    return err(E::InvalidOffsetSize);
                }
                sum += v_size as u64;
            }
            if (size_type as u64) < sum {
                return err(E::InvalidInfoSize);
            }
            Ok(needed as usize)
        }
        Kind::Float => {
            if vlen != 0 {
                return err(E::VlenNotZero);
            }
            if kflag {
                return err(E::InvalidKindFlag);
            }
            if !matches!(size_type, 2 | 4 | 8 | 12 | 16) {
                return err(E::InvalidTypeSize);
            }
            Ok(0)
        }
        Kind::DeclTag => {
            need(4)?;
            if btf.str_bytes_at(name_off).is_none_or(|s| s.is_empty()) {
                return err(E::InvalidValue);
            }
            if vlen != 0 {
                return err(E::VlenNotZero);
            }
            if kflag && !rules.tag_kflag {
                return err(E::InvalidKindFlag);
            }
            if (word(0) as i32) < -1 {
                return err(E::InvalidComponentIdx);
            }
            Ok(4)
        }
    }
}
