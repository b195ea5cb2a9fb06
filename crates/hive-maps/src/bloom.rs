//! `BPF_MAP_TYPE_BLOOM_FILTER`: a bit array sized like the kernel's (`max_entries *
//! nr_hash_funcs / ln 2` bits, a power of two, at least 64), `map_extra & 0xf` hash functions
//! (5 when 0). Push sets the bits, peek reports `ENOENT` when any bit is clear: there are no
//! false negatives, and false positives at the usual rate. Bits are atomic words, so pushes
//! and peeks from any number of threads need no lock.

use std::any::Any;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{MapError, Result};
use crate::map::MapOps;
use crate::spec::{KMALLOC_MAX_SIZE, MapSpec, flags};
use crate::storage::alloc_words;

/// The kernel's `bloom_map_alloc_check` and the checks of `bloom_map_alloc`.
pub(crate) fn check(spec: &MapSpec) -> Result<()> {
    if spec.key_size != 0
        || spec.value_size == 0
        || spec.max_entries == 0
        || spec.map_flags & !(flags::NUMA_NODE | flags::ZERO_SEED | flags::ACCESS_MASK) != 0
        || spec.map_extra & !0xf != 0
    {
        return Err(MapError::Invalid("bloom: key_size != 0, value_size/max_entries 0, bad flags or map_extra"));
    }
    if u64::from(spec.value_size) > KMALLOC_MAX_SIZE {
        return Err(MapError::TooBig);
    }
    Ok(())
}

/// A bloom filter.
#[doc(alias = "BPF_MAP_TYPE_BLOOM_FILTER")]
#[derive(Debug)]
pub struct BloomFilter {
    bits: Box<[AtomicU64]>,
    mask: u64,
    nr_hash_funcs: u32,
    seed: u64,
}

impl BloomFilter {
    pub(crate) fn new(spec: &MapSpec) -> BloomFilter {
        let nr_hash_funcs = match spec.map_extra & 0xf {
            0 => 5,
            n => n as u32,
        };
        // nr_bits = max_entries * nr_hash_funcs / ln(2) ~ * 7 / 5, as the kernel computes it.
        let nr_bits = u64::from(spec.max_entries) * u64::from(nr_hash_funcs) / 5 * 7;
        let nr_bits = if nr_bits > 1 << 31 { 1 << 32 } else { nr_bits.max(64).next_power_of_two() };
        let seed = if spec.map_flags & flags::ZERO_SEED != 0 { 0 } else { RandomState::new().hash_one(1u64) };
        BloomFilter { bits: alloc_words((nr_bits / 64) as usize), mask: nr_bits - 1, nr_hash_funcs, seed }
    }

    fn bit(&self, value: &[u8], i: u32) -> u64 {
        let mut h = (self.seed ^ u64::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1;
        for c in value.chunks(8) {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(b)).wrapping_mul(0xff51_afd7_ed55_8ccd);
            h ^= h >> 31;
        }
        h = h.wrapping_add(value.len() as u64).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        (h ^ (h >> 33)) & self.mask
    }

    fn push_value(&self, value: &[u8], f: u64) -> Result<()> {
        if f != 0 {
            return Err(MapError::Invalid("bloom filter push takes BPF_ANY only"));
        }
        for i in 0..self.nr_hash_funcs {
            let b = self.bit(value, i);
            self.bits[(b / 64) as usize].fetch_or(1 << (b % 64), Ordering::Relaxed);
        }
        Ok(())
    }

    fn peek_value(&self, value: &[u8]) -> Result<()> {
        for i in 0..self.nr_hash_funcs {
            let b = self.bit(value, i);
            if self.bits[(b / 64) as usize].load(Ordering::Relaxed) & (1 << (b % 64)) == 0 {
                return Err(MapError::NotFound);
            }
        }
        Ok(())
    }
}

impl MapOps for BloomFilter {
    fn as_any(&self) -> &dyn Any {
        self
    }

    /// User-space lookup: `value` is the element to test (the kernel copies it in).
    fn lookup(&self, _key: &[u8], value: &mut [u8], _flags: u64) -> Result<()> {
        self.peek_value(value)
    }

    fn update(&self, _key: &[u8], value: &[u8], f: u64) -> Result<()> {
        self.push_value(value, f)
    }

    fn delete(&self, _key: &[u8]) -> Result<()> {
        Err(MapError::OpNotSupported)
    }

    fn next_key(&self, _key: Option<&[u8]>, _next: &mut [u8]) -> Result<()> {
        Err(MapError::OpNotSupported)
    }

    fn push(&self, value: &[u8], f: u64) -> Result<()> {
        self.push_value(value, f)
    }

    fn pop(&self, _value: &mut [u8]) -> Result<()> {
        Err(MapError::OpNotSupported)
    }

    fn peek(&self, value: &mut [u8]) -> Result<()> {
        self.peek_value(value)
    }
}
