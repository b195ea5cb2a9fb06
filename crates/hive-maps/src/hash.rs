//! The four hash tables: `BPF_MAP_TYPE_HASH`, `BPF_MAP_TYPE_PERCPU_HASH`,
//! `BPF_MAP_TYPE_LRU_HASH` and `BPF_MAP_TYPE_LRU_PERCPU_HASH`.
//!
//! Layout: `roundup_pow_of_two(max_entries)` buckets, each a reader-writer lock over a short
//! vector of `(hash, element)` pairs; elements come from an [`ElemPool`] and hold the key
//! followed by one value slot (or one per executor), all in 8-byte words. Lookups share the
//! bucket lock, updates and deletes take it exclusively; no operation holds two bucket locks.
//!
//! Element memory: preallocated (the default) pools allocate `max_entries` elements at
//! creation and recycle a deleted element at once; `BPF_F_NO_PREALLOC` pools allocate in
//! chunks on demand and recycle after an epoch grace period. Either way the memory is never
//! freed before the map, so value addresses handed to programs stay valid.
//!
//! Existing keys are updated in place (see the crate documentation); `BPF_F_LOCK` updates
//! and lookups copy under the value's spin lock. Iteration (`get_next_key`) walks buckets in
//! order and, within a bucket, elements in insertion order; an absent key restarts from the
//! first element, as in the kernel.

use std::any::Any;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use parking_lot::RwLock;

use crate::error::{MapError, Result};
use crate::lru::Clock;
use crate::map::MapOps;
use crate::spec::{KMALLOC_MAX_SIZE, MapSpec, PCPU_MIN_UNIT_SIZE, elem, flags};
use crate::storage::{ElemPool, deferred_capacity, ValueLayout, ValueRef, load_bytes, store_bytes, words_eq, words_for};
use crate::Executor;

/// Size of the kernel's `struct htab_elem` header, used in its size limit.
const HTAB_ELEM_HEADER: u64 = 48;

/// The kernel's `htab_map_alloc_check` and the size checks of `htab_map_alloc`.
pub(crate) fn check(spec: &MapSpec) -> Result<()> {
    let lru = spec.map_type.is_lru();
    let percpu = spec.map_type.is_percpu();
    let prealloc = spec.map_flags & flags::NO_PREALLOC == 0;
    let percpu_lru = spec.map_flags & flags::NO_COMMON_LRU != 0;
    let mask = flags::NO_PREALLOC | flags::NO_COMMON_LRU | flags::NUMA_NODE | flags::ACCESS_MASK | flags::ZERO_SEED;
    if spec.map_flags & !mask != 0 {
        return Err(MapError::Invalid("hash: unknown map flags"));
    }
    if !lru && percpu_lru {
        return Err(MapError::Invalid("BPF_F_NO_COMMON_LRU on a non-LRU hash"));
    }
    if lru && !prealloc {
        return Err(MapError::NotSupported);
    }
    if spec.map_flags & flags::NUMA_NODE != 0 && (percpu || percpu_lru) {
        return Err(MapError::Invalid("BPF_F_NUMA_NODE on a per-CPU hash"));
    }
    if spec.max_entries == 0 || spec.key_size == 0 || spec.value_size == 0 {
        return Err(MapError::Invalid("hash: max_entries, key_size and value_size must be non-zero"));
    }
    if u64::from(spec.key_size) + u64::from(spec.value_size) >= KMALLOC_MAX_SIZE - HTAB_ELEM_HEADER {
        return Err(MapError::TooBig);
    }
    if percpu && spec.slot_size() as u64 > PCPU_MIN_UNIT_SIZE {
        return Err(MapError::TooBig);
    }
    // n_buckets * sizeof(struct bucket) must fit in a u32.
    if u64::from(spec.max_entries).next_power_of_two() > u64::from(u32::MAX) / 16 {
        return Err(MapError::TooBig);
    }
    Ok(())
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    hash: u32,
    idx: u32,
}

/// Where an update's value comes from.
#[derive(Clone, Copy)]
enum Src<'a> {
    /// User space: every slot, each `round_up(value_size, 8)` bytes apart.
    User(&'a [u8]),
    /// A program on this executor: one `value_size` slot.
    Prog(&'a [u8], usize),
}

/// A hash table of any of the four kinds.
#[doc(alias = "BPF_MAP_TYPE_HASH")]
#[doc(alias = "BPF_MAP_TYPE_PERCPU_HASH")]
#[doc(alias = "BPF_MAP_TYPE_LRU_HASH")]
#[doc(alias = "BPF_MAP_TYPE_LRU_PERCPU_HASH")]
#[derive(Debug)]
pub struct HashMap {
    layout: ValueLayout,
    key_words: usize,
    value_words: usize,
    /// 1, or the executor count for per-CPU hashes.
    slots: usize,
    max_entries: u32,
    seed: u64,
    buckets: Box<[RwLock<Vec<Entry>>]>,
    pool: ElemPool,
    count: AtomicU32,
    clock: Option<Clock>,
}

/// Runs `f` on `key` as zero-padded words, without allocating for keys up to 128 bytes.
fn with_words<R>(key: &[u8], f: impl FnOnce(&[u64]) -> R) -> R {
    let n = words_for(key.len());
    let fill = |out: &mut [u64]| {
        for (w, c) in out.iter_mut().zip(key.chunks(8)) {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            *w = u64::from_le_bytes(b);
        }
    };
    if n <= 16 {
        let mut buf = [0u64; 16];
        fill(&mut buf[..n]);
        f(&buf[..n])
    } else {
        let mut buf = vec![0u64; n];
        fill(&mut buf);
        f(&buf)
    }
}

impl HashMap {
    pub(crate) fn new(spec: &MapSpec, executors: usize) -> Result<HashMap> {
        let mut max_entries = spec.max_entries;
        if spec.map_flags & flags::NO_COMMON_LRU != 0 {
            // The kernel gives every CPU's LRU list the same number of elements.
            let n = executors as u32;
            max_entries = max_entries.div_ceil(n).saturating_mul(n);
            if max_entries < spec.max_entries {
                max_entries = spec.max_entries / n * n;
            }
        }
        let layout = ValueLayout { size: spec.value_size as usize, lock: spec.spin_lock_off.map(|o| o as usize) };
        let slots = if spec.map_type.is_percpu() { executors } else { 1 };
        let key_words = words_for(spec.key_size as usize);
        let value_words = layout.words();
        let elem_words = key_words + value_words * slots;
        let prealloc = spec.map_flags & flags::NO_PREALLOC == 0;
        // On-demand pools get room for elements waiting out their grace period.
        let capacity = if prealloc { max_entries } else { deferred_capacity(max_entries) };
        if prealloc && u64::from(capacity) * elem_words as u64 > 1 << 31 {
            return Err(MapError::NoMem);
        }
        let n_buckets = max_entries.next_power_of_two() as usize;
        let seed = if spec.map_flags & flags::ZERO_SEED != 0 { 0 } else { RandomState::new().hash_one(0u64) };
        Ok(HashMap {
            layout,
            key_words,
            value_words,
            slots,
            max_entries,
            seed,
            buckets: (0..n_buckets).map(|_| RwLock::new(Vec::new())).collect(),
            pool: ElemPool::new(capacity, elem_words, !prealloc),
            count: AtomicU32::new(0),
            clock: spec.map_type.is_lru().then(|| Clock::new(capacity)),
        })
    }

    /// `max_entries` after the kernel's `BPF_F_NO_COMMON_LRU` rounding.
    pub(crate) fn max_entries(&self) -> u32 {
        self.max_entries
    }

    fn hash(&self, words: &[u64]) -> u32 {
        let mut h = self.seed ^ 0x9e37_79b9_7f4a_7c15;
        for &w in words {
            h = (h ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd);
            h ^= h >> 29;
        }
        (h ^ (h >> 32)) as u32
    }

    fn bucket(&self, hash: u32) -> &RwLock<Vec<Entry>> {
        &self.buckets[hash as usize & (self.buckets.len() - 1)]
    }

    fn key_of(&self, idx: u32) -> &[AtomicU64] {
        &self.pool.elem(idx)[..self.key_words]
    }

    fn slot_of(&self, idx: u32, cpu: usize) -> &[AtomicU64] {
        let at = self.key_words + cpu * self.value_words;
        &self.pool.elem(idx)[at..at + self.value_words]
    }

    fn find(&self, entries: &[Entry], hash: u32, key: &[u64]) -> Option<usize> {
        entries.iter().position(|e| e.hash == hash && words_eq(self.key_of(e.idx), key))
    }

    fn write_value(&self, idx: u32, src: Src<'_>, fresh: bool, locked: bool) {
        match src {
            Src::User(bytes) if self.slots == 1 => {
                if locked {
                    self.layout.store_locked(self.slot_of(idx, 0), bytes);
                } else {
                    self.layout.store(self.slot_of(idx, 0), bytes);
                }
            }
            Src::User(bytes) => {
                // Whole 8-byte-rounded slots, padding included (copy_map_value_long).
                for (cpu, chunk) in bytes.chunks(self.value_words * 8).enumerate() {
                    store_bytes(self.slot_of(idx, cpu), chunk);
                }
            }
            Src::Prog(bytes, cpu) => {
                let cpu = if self.slots == 1 { 0 } else { cpu };
                if fresh {
                    for other in (0..self.slots).filter(|&c| c != cpu) {
                        self.layout.clear(self.slot_of(idx, other));
                    }
                }
                self.layout.store(self.slot_of(idx, cpu), bytes);
            }
        }
    }

    fn read_value(&self, idx: u32, out: &mut [u8], locked: bool) {
        if self.slots == 1 {
            if locked {
                self.layout.load_locked(self.slot_of(idx, 0), out);
            } else {
                self.layout.load(self.slot_of(idx, 0), out);
            }
            return;
        }
        for (cpu, chunk) in out.chunks_mut(self.value_words * 8).enumerate() {
            load_bytes(self.slot_of(idx, cpu), chunk);
        }
    }

    /// Unlinks element `idx` if it is still in the bucket its key hashes to (LRU eviction).
    fn unlink(&self, idx: u32) -> bool {
        let mut key = vec![0u64; self.key_words];
        for (k, w) in key.iter_mut().zip(self.key_of(idx)) {
            *k = w.load(Ordering::Relaxed);
        }
        let hash = self.hash(&key);
        let mut bucket = self.bucket(hash).write();
        let Some(pos) = bucket.iter().position(|e| e.idx == idx) else { return false };
        bucket.remove(pos);
        self.count.fetch_sub(1, Ordering::Relaxed);
        if let Some(clock) = &self.clock {
            clock.removed(idx);
        }
        true
    }

    /// An element for a new LRU entry: a free one, or one evicted by the clock.
    fn lru_alloc(&self, clock: &Clock) -> Result<u32> {
        if let Some(i) = self.pool.alloc() {
            return Ok(i);
        }
        clock.evict(|i| self.unlink(i)).ok_or(MapError::NoMem)
    }

    fn update_impl(&self, key: &[u8], src: Src<'_>, f: u64) -> Result<()> {
        if f & !elem::LOCK > elem::EXIST {
            return Err(MapError::Invalid("unknown update flags"));
        }
        if (self.slots > 1 || self.clock.is_some()) && f > elem::EXIST {
            return Err(MapError::Invalid("BPF_F_LOCK on a per-CPU or LRU hash"));
        }
        let op = f & !elem::LOCK;
        let locked = f & elem::LOCK != 0;
        with_words(key, |kw| {
            let hash = self.hash(kw);
            let bucket = self.bucket(hash);
            if locked {
                // As the kernel: an existing element is updated under its spin lock without
                // the bucket lock; a new one goes the normal way.
                let entries = bucket.read();
                if let Some(p) = self.find(&entries, hash, kw) {
                    if op == elem::NOEXIST {
                        return Err(MapError::Exists);
                    }
                    self.write_value(entries[p].idx, src, false, true);
                    return Ok(());
                }
            }
            let pre = match &self.clock {
                Some(clock) if op != elem::EXIST => Some(self.lru_alloc(clock)?),
                _ => None,
            };
            let mut entries = bucket.write();
            if let Some(p) = self.find(&entries, hash, kw) {
                if let Some(i) = pre {
                    self.pool.release(i, &crossbeam_epoch::pin());
                }
                if op == elem::NOEXIST {
                    return Err(MapError::Exists);
                }
                self.write_value(entries[p].idx, src, false, locked);
                return Ok(());
            }
            if op == elem::EXIST {
                return Err(MapError::NotFound);
            }
            let idx = match pre {
                Some(i) => {
                    self.count.fetch_add(1, Ordering::Relaxed);
                    i
                }
                None => {
                    let max = self.max_entries;
                    self.count
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| (c < max).then_some(c + 1))
                        .map_err(|_| MapError::TooBig)?;
                    match self.pool.alloc() {
                        Some(i) => i,
                        None => {
                            self.count.fetch_sub(1, Ordering::Relaxed);
                            return Err(MapError::NoMem);
                        }
                    }
                }
            };
            store_bytes(self.key_of(idx), key);
            self.write_value(idx, src, true, false);
            entries.push(Entry { hash, idx });
            if let Some(clock) = &self.clock {
                clock.inserted(idx);
            }
            Ok(())
        })
    }

    fn delete_impl(&self, key: &[u8], guard: &crossbeam_epoch::Guard, out: Option<(&mut [u8], bool)>) -> Result<()> {
        with_words(key, |kw| {
            let hash = self.hash(kw);
            let mut entries = self.bucket(hash).write();
            let p = self.find(&entries, hash, kw).ok_or(MapError::NotFound)?;
            let idx = entries[p].idx;
            if let Some((value, locked)) = out {
                self.read_value(idx, value, locked);
            }
            entries.remove(p);
            self.count.fetch_sub(1, Ordering::Relaxed);
            if let Some(clock) = &self.clock {
                clock.removed(idx);
            }
            self.pool.release(idx, guard);
            Ok(())
        })
    }

    fn find_idx(&self, key: &[u8]) -> Option<u32> {
        with_words(key, |kw| {
            let hash = self.hash(kw);
            let entries = self.bucket(hash).read();
            self.find(&entries, hash, kw).map(|p| entries[p].idx)
        })
    }
}

impl MapOps for HashMap {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn lookup(&self, key: &[u8], value: &mut [u8], f: u64) -> Result<()> {
        with_words(key, |kw| {
            let hash = self.hash(kw);
            let entries = self.bucket(hash).read();
            let p = self.find(&entries, hash, kw).ok_or(MapError::NotFound)?;
            self.read_value(entries[p].idx, value, f & elem::LOCK != 0);
            Ok(())
        })
    }

    fn update(&self, key: &[u8], value: &[u8], f: u64) -> Result<()> {
        self.update_impl(key, Src::User(value), f)
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        self.delete_impl(key, &crossbeam_epoch::pin(), None)
    }

    fn lookup_and_delete(&self, key: &[u8], value: &mut [u8], f: u64) -> Result<()> {
        if f & !elem::LOCK != 0 {
            return Err(MapError::Invalid("unknown lookup_and_delete flags"));
        }
        self.delete_impl(key, &crossbeam_epoch::pin(), Some((value, f & elem::LOCK != 0)))
    }

    fn next_key(&self, key: Option<&[u8]>, next: &mut [u8]) -> Result<()> {
        let mut start = 0;
        if let Some(key) = key {
            let found = with_words(key, |kw| {
                let hash = self.hash(kw);
                let b = hash as usize & (self.buckets.len() - 1);
                let entries = self.buckets[b].read();
                match self.find(&entries, hash, kw) {
                    Some(p) if p + 1 < entries.len() => Some(Ok(entries[p + 1].idx)),
                    Some(_) => Some(Err(b + 1)),
                    None => None,
                }
            });
            match found {
                Some(Ok(idx)) => {
                    load_bytes(self.key_of(idx), next);
                    return Ok(());
                }
                Some(Err(b)) => start = b,
                None => {}
            }
        }
        for bucket in &self.buckets[start..] {
            let entries = bucket.read();
            if let Some(e) = entries.first() {
                load_bytes(self.key_of(e.idx), next);
                return Ok(());
            }
        }
        Err(MapError::NotFound)
    }

    fn prog_lookup<'a>(&'a self, exec: &Executor, key: &[u8]) -> Option<ValueRef<'a>> {
        let idx = self.find_idx(key)?;
        if let Some(clock) = &self.clock {
            clock.touch(idx);
        }
        let cpu = if self.slots == 1 { 0 } else { exec.cpu() };
        Some(ValueRef::new(self.slot_of(idx, cpu), self.layout))
    }

    fn prog_lookup_percpu<'a>(&'a self, key: &[u8], cpu: usize) -> Option<ValueRef<'a>> {
        if self.slots == 1 {
            return None;
        }
        let idx = self.find_idx(key)?;
        Some(ValueRef::new(self.slot_of(idx, cpu), self.layout))
    }

    fn prog_update(&self, exec: &Executor, key: &[u8], value: &[u8], f: u64) -> Result<()> {
        self.update_impl(key, Src::Prog(value, exec.cpu()), f)
    }

    fn prog_delete(&self, exec: &Executor, key: &[u8]) -> Result<()> {
        self.delete_impl(key, exec.guard(), None)
    }

    fn len(&self) -> Option<usize> {
        Some(self.count.load(Ordering::Relaxed) as usize)
    }
}
