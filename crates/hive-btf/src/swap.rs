//! Byte-swapping big-endian BTF and `.BTF.ext` into little-endian copies.
//!
//! Apart from the 2-byte magic and the version/flags bytes, every field of both formats is a
//! 32-bit word, so swapping is mechanical once record boundaries are known. Damaged input is
//! swapped as far as it can be and left for the parser to reject.

use crate::types::Kind;

fn swap_words(buf: &mut [u8]) {
    for w in buf.chunks_exact_mut(4) {
        w.reverse();
    }
}

fn word_be(buf: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_be_bytes(buf.get(off..off + 4)?.try_into().ok()?))
}

/// A little-endian copy of a big-endian BTF blob (magic bytes `eb 9f`).
pub(crate) fn btf_to_le(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    if out.len() < 8 {
        return out;
    }
    out.swap(0, 1);
    let hdr_len = word_be(data, 4).unwrap_or(0) as usize;
    let hdr_end = hdr_len.min(out.len()) & !3;
    if hdr_end > 4 {
        swap_words(&mut out[4..hdr_end]);
    }
    let get = |o: usize| word_be(data, o).unwrap_or(0) as usize;
    let (type_off, type_len) = (get(8), get(12));
    let start = hdr_len.saturating_add(type_off);
    let end = start.saturating_add(type_len).min(out.len());
    let mut cur = start;
    while cur + 12 <= end {
        let info = word_be(data, cur + 4).unwrap_or(0);
        let kind = Kind::from_raw(((info >> 24) & 0x1f) as u8);
        let extra = kind.map_or(0, |k| k.extra_len((info & 0xffff) as u16));
        let rec_end = (cur + 12 + extra).min(end);
        swap_words(&mut out[cur..rec_end]);
        if kind.is_none() {
            break;
        }
        cur += 12 + extra;
    }
    out
}

/// A little-endian copy of a big-endian `.BTF.ext` blob.
pub(crate) fn ext_to_le(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    if out.len() < 8 {
        return out;
    }
    out.swap(0, 1);
    let hdr_len = word_be(data, 4).unwrap_or(0) as usize;
    let hdr_end = hdr_len.min(out.len()) & !3;
    if hdr_end > 4 {
        swap_words(&mut out[4..hdr_end]);
    }
    // Every subsection is a sequence of 32-bit words (record size, section headers, records).
    let get = |o: usize| if o + 4 <= hdr_len { word_be(data, o).map(|v| v as usize) } else { None };
    for (off_at, len_at) in [(8, 12), (16, 20), (24, 28)] {
        let (Some(off), Some(len)) = (get(off_at), get(len_at)) else { continue };
        let start = hdr_len.saturating_add(off);
        let end = start.saturating_add(len).min(out.len());
        if start < end {
            let n = (end - start) & !3;
            swap_words(&mut out[start..start + n]);
        }
    }
    out
}
