//! `BPF_MAP_TYPE_ARRAY` and `BPF_MAP_TYPE_PERCPU_ARRAY`: `max_entries` values indexed by a
//! `u32`, all allocated (zeroed) at creation; every index always exists, so delete is
//! `EINVAL` and `BPF_NOEXIST` is `EEXIST`.
//!
//! Per-CPU arrays keep executor-major storage (`[executor][index]`), so two executors never
//! share a cache line through the same index.

use std::any::Any;
use std::sync::atomic::AtomicU64;

use crate::error::{MapError, Result};
use crate::map::{MapOps, ValueBlock};
use crate::spec::{MapSpec, MapType, PCPU_MIN_UNIT_SIZE, elem, flags};
use crate::storage::{ValueLayout, ValueRef, alloc_words, load_bytes, store_bytes};
use crate::Executor;

/// The kernel's `array_map_alloc_check`.
pub(crate) fn check(spec: &MapSpec) -> Result<()> {
    let percpu = spec.map_type == MapType::PercpuArray;
    let mask = flags::NUMA_NODE | flags::MMAPABLE | flags::ACCESS_MASK | flags::PRESERVE_ELEMS | flags::INNER_MAP;
    if spec.max_entries == 0
        || spec.key_size != 4
        || spec.value_size == 0
        || spec.map_flags & !mask != 0
        || (percpu && spec.map_flags & flags::NUMA_NODE != 0)
    {
        return Err(MapError::Invalid("array: max_entries 0, key_size != 4, value_size 0 or bad flags"));
    }
    if spec.map_type != MapType::Array && spec.map_flags & (flags::MMAPABLE | flags::INNER_MAP) != 0 {
        return Err(MapError::Invalid("BPF_F_MMAPABLE/BPF_F_INNER_MAP on a per-CPU array"));
    }
    if spec.map_flags & flags::PRESERVE_ELEMS != 0 {
        return Err(MapError::Invalid("BPF_F_PRESERVE_ELEMS outside perf event arrays"));
    }
    if spec.value_size > i32::MAX as u32 {
        return Err(MapError::TooBig);
    }
    if percpu && spec.slot_size() as u64 > PCPU_MIN_UNIT_SIZE {
        return Err(MapError::TooBig);
    }
    Ok(())
}

/// The kernel's `array_map_get_next_key`, shared with the fd arrays.
pub(crate) fn next_index(max_entries: u32, key: Option<&[u8]>, next: &mut [u8]) -> Result<()> {
    let index = key.map_or(u32::MAX, read_index);
    let n = if index >= max_entries {
        0
    } else if index == max_entries - 1 {
        return Err(MapError::NotFound);
    } else {
        index + 1
    };
    next.copy_from_slice(&n.to_ne_bytes());
    Ok(())
}

/// The `u32` index in a 4-byte key.
pub(crate) fn read_index(key: &[u8]) -> u32 {
    u32::from_ne_bytes(key[..4].try_into().expect("4-byte key"))
}

/// An array or per-CPU array.
#[doc(alias = "BPF_MAP_TYPE_ARRAY")]
#[doc(alias = "BPF_MAP_TYPE_PERCPU_ARRAY")]
#[derive(Debug)]
pub struct ArrayMap {
    layout: ValueLayout,
    max_entries: u32,
    /// 1, or the executor count for a per-CPU array.
    slots: usize,
    slot_words: usize,
    words: Box<[AtomicU64]>,
}

impl ArrayMap {
    pub(crate) fn new(spec: &MapSpec, executors: usize) -> Result<ArrayMap> {
        let layout = ValueLayout { size: spec.value_size as usize, lock: spec.spin_lock_off.map(|o| o as usize) };
        let slots = if spec.map_type.is_percpu() { executors } else { 1 };
        let slot_words = layout.words();
        let total = (spec.max_entries as u64).saturating_mul(slot_words as u64).saturating_mul(slots as u64);
        // The kernel fails the allocation (ENOMEM) long before this; keep creation bounded.
        if total > (1 << 31) {
            return Err(MapError::NoMem);
        }
        Ok(ArrayMap { layout, max_entries: spec.max_entries, slots, slot_words, words: alloc_words(total as usize) })
    }

    fn slot(&self, index: u32, cpu: usize) -> &[AtomicU64] {
        let at = (cpu * self.max_entries as usize + index as usize) * self.slot_words;
        &self.words[at..at + self.slot_words]
    }

    fn index(&self, key: &[u8]) -> Option<u32> {
        let i = read_index(key);
        (i < self.max_entries).then_some(i)
    }
}

impl MapOps for ArrayMap {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn lookup(&self, key: &[u8], value: &mut [u8], f: u64) -> Result<()> {
        let i = self.index(key).ok_or(MapError::NotFound)?;
        if self.slots == 1 {
            if f & elem::LOCK != 0 {
                self.layout.load_locked(self.slot(i, 0), value);
            } else {
                self.layout.load(self.slot(i, 0), value);
            }
        } else {
            // Per-CPU copies move whole 8-byte-rounded slots, padding included
            // (the kernel's copy_map_value_long).
            for (cpu, out) in value.chunks_mut(self.slot_words * 8).enumerate() {
                load_bytes(self.slot(i, cpu), out);
            }
        }
        Ok(())
    }

    fn update(&self, key: &[u8], value: &[u8], f: u64) -> Result<()> {
        if f & !elem::LOCK > elem::EXIST {
            return Err(MapError::Invalid("unknown update flags"));
        }
        let i = read_index(key);
        if i >= self.max_entries {
            return Err(MapError::TooBig);
        }
        if f & elem::NOEXIST != 0 {
            return Err(MapError::Exists);
        }
        if self.slots == 1 {
            if f & elem::LOCK != 0 {
                self.layout.store_locked(self.slot(i, 0), value);
            } else {
                self.layout.store(self.slot(i, 0), value);
            }
        } else {
            for (cpu, src) in value.chunks(self.slot_words * 8).enumerate() {
                store_bytes(self.slot(i, cpu), src);
            }
        }
        Ok(())
    }

    fn delete(&self, _key: &[u8]) -> Result<()> {
        Err(MapError::Invalid("array elements cannot be deleted"))
    }

    fn next_key(&self, key: Option<&[u8]>, next: &mut [u8]) -> Result<()> {
        next_index(self.max_entries, key, next)
    }

    fn prog_lookup<'a>(&'a self, exec: &Executor, key: &[u8]) -> Option<ValueRef<'a>> {
        let cpu = if self.slots == 1 { 0 } else { exec.cpu() };
        self.index(key).map(|i| ValueRef::new(self.slot(i, cpu), self.layout))
    }

    fn value_block(&self) -> Option<ValueBlock> {
        (self.slots == 1).then(|| ValueBlock {
            base: self.words.as_ptr() as u64,
            stride: (self.slot_words * 8) as u32,
            count: self.max_entries,
        })
    }

    fn prog_lookup_percpu<'a>(&'a self, key: &[u8], cpu: usize) -> Option<ValueRef<'a>> {
        if self.slots == 1 {
            return None;
        }
        self.index(key).map(|i| ValueRef::new(self.slot(i, cpu), self.layout))
    }

    fn prog_update(&self, exec: &Executor, key: &[u8], value: &[u8], f: u64) -> Result<()> {
        if self.slots == 1 {
            return self.update(key, value, f);
        }
        if f > elem::EXIST {
            return Err(MapError::Invalid("unknown update flags"));
        }
        let i = read_index(key);
        if i >= self.max_entries {
            return Err(MapError::TooBig);
        }
        if f & elem::NOEXIST != 0 {
            return Err(MapError::Exists);
        }
        self.layout.store(self.slot(i, exec.cpu()), value);
        Ok(())
    }

    fn len(&self) -> Option<usize> {
        Some(self.max_entries as usize)
    }
}
