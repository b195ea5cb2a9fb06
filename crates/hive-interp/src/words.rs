//! Byte-granular access to memory held as `AtomicU64` words.
//!
//! Map values (`hive-maps`) live in `Box<[AtomicU64]>` words so that user space, other
//! executors and programs may touch them concurrently without undefined behaviour. A program
//! addresses them byte by byte like any memory; this module turns each access into word
//! operations, all little-endian, all relaxed unless an atomic instruction asks for more:
//!
//! - a load reads the one or two words the bytes span and shifts and masks;
//! - a store of a whole aligned word is one atomic store; a narrower store replaces only its
//!   bytes with a compare-and-swap loop on the word (`fetch_update`), so a concurrent store
//!   to the other bytes of the same word is never lost;
//! - a read-modify-write instruction on an aligned 8-byte slot is the native atomic
//!   (`fetch_add`, `swap`, `compare_exchange`, ...); on a 4-byte slot inside one word it is a
//!   compare-and-swap loop on that word, which is just as indivisible. A misaligned atomic
//!   that straddles two words (which the verifier refuses) is performed word by word and is
//!   not indivisible.
//!
//! No `unsafe`: the words are only ever touched through their atomic methods.

use std::sync::atomic::{AtomicU64, Ordering};

use hive_isa::AtomicOp;

const R: Ordering = Ordering::Relaxed;

/// Mask of the low `n` bytes (`n` in 1..=8).
#[inline]
fn mask(n: usize) -> u64 {
    if n >= 8 { u64::MAX } else { (1u64 << (8 * n)) - 1 }
}

/// Loads `n` (1..=8) bytes at byte offset `off`, little-endian, zero-extended. The caller
/// checked `off + n <= words.len() * 8`.
#[inline]
pub(crate) fn load(words: &[AtomicU64], off: usize, n: usize) -> u64 {
    let (w, b) = (off / 8, off % 8);
    if b + n <= 8 {
        let v = words[w].load(R) >> (8 * b);
        return v & mask(n);
    }
    // Straddles two words.
    let lo = words[w].load(R) >> (8 * b);
    let hi = words[w + 1].load(R) << (8 * (8 - b));
    (lo | hi) & mask(n)
}

/// Replaces the bytes selected by `m` in word `w` with those of `v`.
#[inline]
fn merge(w: &AtomicU64, m: u64, v: u64) {
    if m == u64::MAX {
        w.store(v, R);
    } else {
        let _ = w.fetch_update(R, R, |old| Some((old & !m) | (v & m)));
    }
}

/// Stores the low `n` (1..=8) bytes of `value` at byte offset `off`.
#[inline]
pub(crate) fn store(words: &[AtomicU64], off: usize, n: usize, value: u64) {
    let (w, b) = (off / 8, off % 8);
    let value = value & mask(n);
    if b + n <= 8 {
        merge(&words[w], mask(n) << (8 * b), value << (8 * b));
        return;
    }
    let first = 8 - b;
    merge(&words[w], mask(first) << (8 * b), value << (8 * b));
    merge(&words[w + 1], mask(n - first), value >> (8 * first));
}

/// Copies `out.len()` bytes starting at byte offset `off` out of the words.
pub(crate) fn copy_out(words: &[AtomicU64], off: usize, out: &mut [u8]) {
    let mut pos = 0;
    while pos < out.len() {
        let at = off + pos;
        let n = (8 - at % 8).min(out.len() - pos);
        let v = load(words, at, n);
        out[pos..pos + n].copy_from_slice(&v.to_le_bytes()[..n]);
        pos += n;
    }
}

/// Copies `bytes` into the words at byte offset `off`.
pub(crate) fn copy_in(words: &[AtomicU64], off: usize, bytes: &[u8]) {
    let mut pos = 0;
    while pos < bytes.len() {
        let at = off + pos;
        let n = (8 - at % 8).min(bytes.len() - pos);
        let mut buf = [0u8; 8];
        buf[..n].copy_from_slice(&bytes[pos..pos + n]);
        store(words, at, n, u64::from_le_bytes(buf));
        pos += n;
    }
}

/// The new value of a read-modify-write `op` on `old` (both already masked to the width).
#[inline]
pub(crate) fn apply(op: AtomicOp, old: u64, val: u64, expected: u64, m: u64) -> u64 {
    match op {
        AtomicOp::Add { .. } => old.wrapping_add(val),
        AtomicOp::Or { .. } => old | val,
        AtomicOp::And { .. } => old & val,
        AtomicOp::Xor { .. } => old ^ val,
        AtomicOp::Xchg => val,
        AtomicOp::Cmpxchg => {
            if old & m == expected & m {
                val
            } else {
                old
            }
        }
        AtomicOp::LoadAcquire | AtomicOp::StoreRelease => old,
    }
}

/// Performs a read-modify-write `op` of `n` bytes at `off`; returns the old value
/// (zero-extended). See the module documentation for which forms are indivisible.
pub(crate) fn rmw(words: &[AtomicU64], off: usize, n: usize, op: AtomicOp, val: u64, expected: u64) -> u64 {
    let (w, b) = (off / 8, off % 8);
    let m = mask(n);
    if n == 8 && b == 0 {
        let word = &words[w];
        const S: Ordering = Ordering::SeqCst;
        return match op {
            AtomicOp::Add { .. } => word.fetch_add(val, S),
            AtomicOp::Or { .. } => word.fetch_or(val, S),
            AtomicOp::And { .. } => word.fetch_and(val, S),
            AtomicOp::Xor { .. } => word.fetch_xor(val, S),
            AtomicOp::Xchg => word.swap(val, S),
            AtomicOp::Cmpxchg => match word.compare_exchange(expected, val, S, S) {
                Ok(old) | Err(old) => old,
            },
            AtomicOp::LoadAcquire | AtomicOp::StoreRelease => word.load(S),
        };
    }
    if b + n <= 8 {
        let shift = 8 * b;
        let field = m << shift;
        let prev = words[w]
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |word| {
                let old = (word >> shift) & m;
                let new = apply(op, old, val, expected, m) & m;
                Some((word & !field) | (new << shift))
            })
            .unwrap_or_else(|v| v);
        return (prev >> shift) & m;
    }
    // Misaligned across two words: not indivisible (the verifier forbids it).
    let old = load(words, off, n);
    store(words, off, n, apply(op, old, val, expected, m));
    old
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(bytes: &[u8]) -> Vec<AtomicU64> {
        bytes
            .chunks(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b[..c.len()].copy_from_slice(c);
                AtomicU64::new(u64::from_le_bytes(b))
            })
            .collect()
    }

    fn bytes(words: &[AtomicU64]) -> Vec<u8> {
        words.iter().flat_map(|w| w.load(R).to_le_bytes()).collect()
    }

    #[test]
    fn loads_and_stores_match_a_byte_array_at_every_offset_and_size() {
        let init: Vec<u8> = (1..=24).collect();
        for off in 0..24 {
            for n in [1usize, 2, 4, 8] {
                if off + n > 24 {
                    continue;
                }
                let w = words(&init);
                let mut expect = [0u8; 8];
                expect[..n].copy_from_slice(&init[off..off + n]);
                assert_eq!(load(&w, off, n), u64::from_le_bytes(expect), "load off {off} n {n}");
                store(&w, off, n, 0xa1a2_a3a4_a5a6_a7a8);
                let mut model = init.clone();
                model[off..off + n].copy_from_slice(&0xa1a2_a3a4_a5a6_a7a8u64.to_le_bytes()[..n]);
                assert_eq!(bytes(&w), model, "store off {off} n {n}");
            }
        }
    }

    #[test]
    fn copies_cross_words() {
        let w = words(&[0; 24]);
        copy_in(&w, 3, b"hello, atomic world");
        let mut out = [0u8; 19];
        copy_out(&w, 3, &mut out);
        assert_eq!(&out, b"hello, atomic world");
        assert_eq!(bytes(&w)[..3], [0, 0, 0]);
    }

    #[test]
    fn rmw_on_words() {
        let w = words(&[0; 16]);
        store(&w, 0, 8, 40);
        assert_eq!(rmw(&w, 0, 8, AtomicOp::Add { fetch: true }, 2, 0), 40);
        assert_eq!(load(&w, 0, 8), 42);
        store(&w, 12, 4, 7);
        assert_eq!(rmw(&w, 12, 4, AtomicOp::Cmpxchg, 9, 7), 7);
        assert_eq!(load(&w, 12, 4), 9);
        assert_eq!(rmw(&w, 12, 4, AtomicOp::Cmpxchg, 1, 7), 9, "no exchange when r0 differs");
        assert_eq!(load(&w, 8, 4), 0, "the other half of the word is untouched");
        assert_eq!(rmw(&w, 12, 4, AtomicOp::Add { fetch: false }, 0xffff_ffff, 0), 9);
        assert_eq!(load(&w, 12, 4), 8, "32-bit add wraps within its slot");
        assert_eq!(load(&w, 8, 4), 0);
        // Misaligned across words still computes the right value.
        assert_eq!(rmw(&w, 6, 4, AtomicOp::Xchg, 0xdead_beef, 0), 0);
        assert_eq!(load(&w, 6, 4), 0xdead_beef);
    }

    #[test]
    fn concurrent_adds_are_not_lost() {
        let w: Vec<AtomicU64> = (0..2).map(|_| AtomicU64::new(0)).collect();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10_000 {
                        rmw(&w, 0, 8, AtomicOp::Add { fetch: false }, 1, 0);
                        rmw(&w, 8, 4, AtomicOp::Add { fetch: false }, 1, 0);
                        rmw(&w, 12, 4, AtomicOp::Add { fetch: false }, 1, 0);
                    }
                });
            }
        });
        assert_eq!(load(&w, 0, 8), 40_000);
        assert_eq!(load(&w, 8, 4), 40_000);
        assert_eq!(load(&w, 12, 4), 40_000);
    }
}
