//! The four hash tables: `BPF_MAP_TYPE_HASH`, `BPF_MAP_TYPE_PERCPU_HASH`,
//! `BPF_MAP_TYPE_LRU_HASH` and `BPF_MAP_TYPE_LRU_PERCPU_HASH`.
//!
//! The design is the kernel's `hashtab.c`, with element indices for pointers and the
//! `ElemPool` for its element allocator:
//!
//! - **Buckets.** `roundup_pow_of_two(max_entries)` buckets, each a chain head (an element
//!   index) and a small writer lock, side by side in 8 bytes like the kernel's
//!   `struct bucket`. A chain ends in a *nulls* marker, the top bit set and the bucket's
//!   own number below it (the kernel's `hlist_nulls`).
//! - **Elements.** Each element of the pool is one 8-byte *link* word (the next element's
//!   index, or a nulls marker, in the low half; the key's 31-bit hash in the high half),
//!   then the key, then one value slot (or one per executor), all in 8-byte words.
//! - **Readers take no lock.** A program-side lookup (`prog_lookup`, the hot path of compiled
//!   programs) hashes the key bytes directly (no copy into a padded buffer), loads the head
//!   and follows links with acquire loads, comparing the stored hash and then the key words.
//!   Because everything is atomic words, a reader racing a writer reads stale or new words,
//!   never undefined behaviour. An element may be deleted and reused while a reader stands on
//!   it (preallocated elements are reused at once, as in the kernel); its link then leads into
//!   another chain, whose nulls marker names another bucket, and the reader starts over.
//!   Since new elements go in at the head of a chain, a reused element's link leads to the
//!   whole chain it joined; so a reader never misses a key that stays in the map, however
//!   elements around it come and go. Keys longer than 8 bytes are compared like a seqlock:
//!   a writer marks the element busy (a hash no key has) before it rewrites the key and
//!   stores the real hash after, and the reader accepts a match only if the link word it
//!   read before the key is still there after it (1-word keys are read in one load and need
//!   no check). Two races remain, both the kernel's too: a rewrite that leaves the link word
//!   exactly as it was (same 31-bit hash, same successor) goes unnoticed by that check, and a
//!   reader standing on an element that is being reused for the very key it looks for may
//!   return it before its value is written.
//! - **Writers lock one bucket.** Updates, deletes and LRU evictions take the bucket's spin
//!   lock (spinning briefly, then yielding the thread), never two at once. An insertion
//!   writes the element fully (link, key, value) before it stores its index in the head with
//!   release ordering; a deletion stores the successor's index in the predecessor and leaves
//!   the deleted element's own link as it was, so a reader on it goes on down the chain.
//!   User-space lookups and `get_next_key` take the bucket lock too (they are not hot, and
//!   a copied-out value then belongs to the key asked for).
//!
//! Element memory: preallocated (the default) pools allocate `max_entries` elements at
//! creation and recycle a deleted element at once; `BPF_F_NO_PREALLOC` pools allocate in
//! chunks on demand and recycle after an epoch grace period. Either way the memory is never
//! freed before the map, so value addresses handed to programs stay valid.
//!
//! Existing keys are updated in place under the bucket lock (see the crate documentation);
//! `BPF_F_LOCK` updates and lookups copy under the value's spin lock as well. Iteration
//! (`get_next_key`) walks buckets in order and, within a bucket, from the head, that is the
//! most recently inserted element first, as the kernel does; an absent key restarts from the
//! first element, as in the kernel. The hash is seeded at random per map (`BPF_F_ZERO_SEED`:
//! seed 0), so bucket order differs between maps.
//!
//! The LRU variants keep a CLOCK over the elements (`lru.rs`); an eviction finds the
//! victim's bucket from the hash in its link word and unlinks it under that bucket's lock.

use std::any::Any;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering, fence};

use crate::error::{MapError, Result};
use crate::lru::Clock;
use crate::map::MapOps;
use crate::spec::{KMALLOC_MAX_SIZE, MapSpec, PCPU_MIN_UNIT_SIZE, elem, flags};
use crate::storage::{ElemPool, ValueLayout, ValueRef, deferred_capacity, load_bytes, store_bytes, word_from, words_for};
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

/// Top bit of a link: the end of a chain, the bucket's number in the other bits.
const NULLS: u32 = 1 << 31;
/// Top bit of a stored hash: the element is being rewritten (no key hashes to it).
const BUSY: u32 = 1 << 31;

/// The nulls marker that ends bucket `b`'s chain.
fn nulls(b: usize) -> u32 {
    NULLS | b as u32
}

/// A link word: `hash` high, `next` low.
fn link(hash: u32, next: u32) -> u64 {
    u64::from(hash) << 32 | u64::from(next)
}

fn link_hash(l: u64) -> u32 {
    (l >> 32) as u32
}

fn link_next(l: u64) -> u32 {
    l as u32
}

/// Word `i` of `key` as stored: little-endian, the last one zero-padded.
#[inline(always)]
fn key_word(key: &[u8], i: usize) -> u64 {
    word_from(&key[i * 8..key.len().min(i * 8 + 8)])
}

#[inline(always)]
fn hash_step(h: u64, w: u64) -> u64 {
    let h = (h ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 29)
}

#[inline(always)]
fn hash_finish(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32 & !BUSY
}

/// One bucket: its chain's head and the writers' lock (the kernel's `struct bucket`).
#[derive(Debug)]
struct Bucket {
    head: AtomicU32,
    locked: AtomicBool,
}

/// A held bucket lock.
struct BucketGuard<'a>(&'a AtomicBool);

impl Drop for BucketGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Bucket {
    fn new(b: usize) -> Bucket {
        Bucket { head: AtomicU32::new(nulls(b)), locked: AtomicBool::new(false) }
    }

    /// Takes the writers' lock: held for a few dozen instructions, so a spin, yielding the
    /// thread after a short while (a holder may have been preempted).
    #[inline]
    fn lock(&self) -> BucketGuard<'_> {
        if self.locked.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            self.lock_slow();
        }
        BucketGuard(&self.locked)
    }

    #[cold]
    fn lock_slow(&self) {
        let backoff = crossbeam_utils::Backoff::new();
        loop {
            while self.locked.load(Ordering::Relaxed) {
                backoff.snooze();
            }
            if self.locked.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_ok() {
                return;
            }
        }
    }
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
    /// `buckets.len() - 1`.
    mask: usize,
    buckets: Box<[Bucket]>,
    /// Elements: link word, key words, value slots.
    pool: ElemPool,
    count: AtomicU32,
    clock: Option<Clock>,
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
        let elem_words = 1 + key_words + value_words * slots;
        let prealloc = spec.map_flags & flags::NO_PREALLOC == 0;
        // On-demand pools get room for elements waiting out their grace period.
        let capacity = if prealloc { max_entries } else { deferred_capacity(max_entries) };
        if prealloc && u64::from(capacity) * elem_words as u64 > 1 << 31 {
            return Err(MapError::NoMem);
        }
        // Element indices must leave the nulls bit free (`check` bounds max_entries by 2^28).
        let capacity = capacity.min(NULLS - 1);
        let n_buckets = max_entries.next_power_of_two() as usize;
        let seed = if spec.map_flags & flags::ZERO_SEED != 0 { 0 } else { RandomState::new().hash_one(0u64) };
        Ok(HashMap {
            layout,
            key_words,
            value_words,
            slots,
            max_entries,
            seed,
            mask: n_buckets - 1,
            buckets: (0..n_buckets).map(Bucket::new).collect(),
            pool: ElemPool::new(capacity, elem_words, !prealloc),
            count: AtomicU32::new(0),
            clock: spec.map_type.is_lru().then(|| Clock::new(capacity)),
        })
    }

    /// `max_entries` after the kernel's `BPF_F_NO_COMMON_LRU` rounding.
    pub(crate) fn max_entries(&self) -> u32 {
        self.max_entries
    }

    /// The key's 31-bit hash, read straight from its bytes.
    #[inline]
    fn hash(&self, key: &[u8]) -> u32 {
        if self.key_words == 1 {
            return self.hash1(word_from(key));
        }
        let mut h = self.seed ^ 0x9e37_79b9_7f4a_7c15;
        for i in 0..self.key_words {
            h = hash_step(h, key_word(key, i));
        }
        hash_finish(h)
    }

    /// [`hash`](Self::hash) of a one-word key.
    #[inline(always)]
    fn hash1(&self, w: u64) -> u32 {
        hash_finish(hash_step(self.seed ^ 0x9e37_79b9_7f4a_7c15, w))
    }

    /// Whether element `e` holds `key` (relaxed loads: the caller validates the element).
    #[inline]
    fn key_eq(&self, e: &[AtomicU64], key: &[u8]) -> bool {
        e[1..=self.key_words].iter().enumerate().all(|(i, w)| w.load(Ordering::Relaxed) == key_word(key, i))
    }

    fn key_of<'a>(&self, e: &'a [AtomicU64]) -> &'a [AtomicU64] {
        &e[1..=self.key_words]
    }

    fn slot_of<'a>(&self, e: &'a [AtomicU64], cpu: usize) -> &'a [AtomicU64] {
        let at = 1 + self.key_words + cpu * self.value_words;
        &e[at..at + self.value_words]
    }

    /// The lock-free lookup (`lookup_nulls_elem_raw`): element index and words of `key`.
    #[inline]
    fn find_rcu(&self, key: &[u8]) -> Option<(u32, &[AtomicU64])> {
        if self.key_words == 1 {
            // One atomic load reads the whole key: a match means the element held `key`
            // at that moment.
            let w = word_from(key);
            self.find_rcu_by(self.hash1(w), |e| e[1].load(Ordering::Relaxed) == w, false)
        } else {
            self.find_rcu_by(self.hash(key), |e| self.key_eq(e, key), true)
        }
    }

    /// The chain walk of [`find_rcu`](Self::find_rcu); `torn` when `eq` reads more than
    /// one word, which a writer may be rewriting meanwhile.
    #[inline(always)]
    fn find_rcu_by(&self, hash: u32, eq: impl Fn(&[AtomicU64]) -> bool, torn: bool) -> Option<(u32, &[AtomicU64])> {
        let b = hash as usize & self.mask;
        let head = &self.buckets[b].head;
        'again: loop {
            let mut n = head.load(Ordering::Acquire);
            while n & NULLS == 0 {
                let e = self.pool.elem(n);
                let l = e[0].load(Ordering::Acquire);
                if link_hash(l) == hash && eq(e) {
                    if !torn {
                        return Some((n, e));
                    }
                    // The key words may have been read while a writer rewrote them: the
                    // match stands only if the link word is unchanged (a writer marks the
                    // element busy, then fences, before it touches the key).
                    fence(Ordering::Acquire);
                    if e[0].load(Ordering::Relaxed) == l {
                        return Some((n, e));
                    }
                    continue 'again;
                }
                n = link_next(l);
            }
            if n == nulls(b) {
                return None;
            }
            // The walk ended in another bucket's chain: an element on it was reused.
        }
    }

    /// Under bucket `b`'s lock: the predecessor (if any) and the element holding `key`.
    #[inline]
    fn find_locked(&self, b: usize, hash: u32, key: &[u8]) -> Option<(Option<u32>, u32)> {
        if self.key_words == 1 {
            let w = word_from(key);
            self.find_locked_by(b, hash, |e| e[1].load(Ordering::Relaxed) == w)
        } else {
            self.find_locked_by(b, hash, |e| self.key_eq(e, key))
        }
    }

    #[inline(always)]
    fn find_locked_by(&self, b: usize, hash: u32, eq: impl Fn(&[AtomicU64]) -> bool) -> Option<(Option<u32>, u32)> {
        let mut prev = None;
        let mut n = self.buckets[b].head.load(Ordering::Relaxed);
        while n & NULLS == 0 {
            let e = self.pool.elem(n);
            let l = e[0].load(Ordering::Relaxed);
            if link_hash(l) == hash && eq(e) {
                return Some((prev, n));
            }
            prev = Some(n);
            n = link_next(l);
        }
        None
    }

    /// Under bucket `b`'s lock: takes `idx` (after `prev`) out of the chain. Its own link
    /// stays, so a reader standing on it goes on down the chain.
    fn unlink_locked(&self, b: usize, prev: Option<u32>, idx: u32) {
        let next = link_next(self.pool.elem(idx)[0].load(Ordering::Relaxed));
        match prev {
            None => self.buckets[b].head.store(next, Ordering::Release),
            Some(p) => {
                let w = &self.pool.elem(p)[0];
                w.store(link(link_hash(w.load(Ordering::Relaxed)), next), Ordering::Release);
            }
        }
    }

    /// Under bucket `b`'s lock: fills the free element `idx` and puts it at the chain's head.
    fn link_locked(&self, b: usize, idx: u32, hash: u32, key: &[u8], src: Src<'_>) {
        let bucket = &self.buckets[b];
        let e = self.pool.elem(idx);
        let head = bucket.head.load(Ordering::Relaxed);
        // Readers still on this element from its previous life skip it while it is busy and
        // follow its link to this chain's head; the fence orders the busy mark before the
        // key stores for the readers' check in `find_rcu`.
        e[0].store(link(BUSY, head), Ordering::Relaxed);
        fence(Ordering::Release);
        store_bytes(self.key_of(e), key);
        e[0].store(link(hash, head), Ordering::Release);
        self.write_value(e, src, true, false);
        bucket.head.store(idx, Ordering::Release);
    }

    fn write_value(&self, e: &[AtomicU64], src: Src<'_>, fresh: bool, locked: bool) {
        match src {
            Src::User(bytes) if self.slots == 1 => {
                if locked {
                    self.layout.store_locked(self.slot_of(e, 0), bytes);
                } else {
                    self.layout.store(self.slot_of(e, 0), bytes);
                }
            }
            Src::User(bytes) => {
                // Whole 8-byte-rounded slots, padding included (copy_map_value_long).
                for (cpu, chunk) in bytes.chunks(self.value_words * 8).enumerate() {
                    store_bytes(self.slot_of(e, cpu), chunk);
                }
            }
            Src::Prog(bytes, cpu) => {
                let cpu = if self.slots == 1 { 0 } else { cpu };
                if fresh {
                    for other in (0..self.slots).filter(|&c| c != cpu) {
                        self.layout.clear(self.slot_of(e, other));
                    }
                }
                self.layout.store(self.slot_of(e, cpu), bytes);
            }
        }
    }

    fn read_value(&self, e: &[AtomicU64], out: &mut [u8], locked: bool) {
        if self.slots == 1 {
            if locked {
                self.layout.load_locked(self.slot_of(e, 0), out);
            } else {
                self.layout.load(self.slot_of(e, 0), out);
            }
            return;
        }
        for (cpu, chunk) in out.chunks_mut(self.value_words * 8).enumerate() {
            load_bytes(self.slot_of(e, cpu), chunk);
        }
    }

    /// Unlinks element `idx` if it is still in a chain (LRU eviction): its bucket comes from
    /// the hash in its link word, and only a walk under that bucket's lock decides.
    fn unlink(&self, idx: u32) -> bool {
        let hash = link_hash(self.pool.elem(idx)[0].load(Ordering::Acquire));
        if hash & BUSY != 0 {
            return false;
        }
        let b = hash as usize & self.mask;
        let _guard = self.buckets[b].lock();
        let (mut prev, mut n) = (None, self.buckets[b].head.load(Ordering::Relaxed));
        while n & NULLS == 0 && n != idx {
            prev = Some(n);
            n = link_next(self.pool.elem(n)[0].load(Ordering::Relaxed));
        }
        if n != idx {
            return false;
        }
        self.unlink_locked(b, prev, idx);
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

    /// A free element for a new key on a non-LRU map, counted against `max_entries`.
    fn alloc_counted(&self) -> Result<u32> {
        let max = self.max_entries;
        self.count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| (c < max).then_some(c + 1))
            .map_err(|_| MapError::TooBig)?;
        self.pool.alloc().ok_or_else(|| {
            self.count.fetch_sub(1, Ordering::Relaxed);
            MapError::NoMem
        })
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
        let hash = self.hash(key);
        let b = hash as usize & self.mask;
        let pre = match &self.clock {
            Some(clock) if op != elem::EXIST => Some(self.lru_alloc(clock)?),
            _ => None,
        };
        let guard = self.buckets[b].lock();
        if let Some((_, idx)) = self.find_locked(b, hash, key) {
            let r = if op == elem::NOEXIST {
                Err(MapError::Exists)
            } else {
                // In place; with BPF_F_LOCK under the value's spin lock too.
                self.write_value(self.pool.elem(idx), src, false, locked);
                Ok(())
            };
            drop(guard);
            if let Some(i) = pre {
                self.pool.release(i, &crossbeam_epoch::pin());
            }
            return r;
        }
        if op == elem::EXIST {
            return Err(MapError::NotFound);
        }
        let idx = match pre {
            Some(i) => {
                self.count.fetch_add(1, Ordering::Relaxed);
                i
            }
            None => self.alloc_counted()?,
        };
        self.link_locked(b, idx, hash, key, src);
        if let Some(clock) = &self.clock {
            clock.inserted(idx);
        }
        Ok(())
    }

    fn delete_impl(&self, key: &[u8], guard: &crossbeam_epoch::Guard, out: Option<(&mut [u8], bool)>) -> Result<()> {
        let hash = self.hash(key);
        let b = hash as usize & self.mask;
        let lock = self.buckets[b].lock();
        let (prev, idx) = self.find_locked(b, hash, key).ok_or(MapError::NotFound)?;
        if let Some((value, locked)) = out {
            self.read_value(self.pool.elem(idx), value, locked);
        }
        self.unlink_locked(b, prev, idx);
        self.count.fetch_sub(1, Ordering::Relaxed);
        if let Some(clock) = &self.clock {
            clock.removed(idx);
        }
        drop(lock);
        self.pool.release(idx, guard);
        Ok(())
    }

    /// The first key of bucket `b` or a later one, into `next`.
    fn first_from(&self, start: usize, next: &mut [u8]) -> Result<()> {
        for (b, bucket) in self.buckets.iter().enumerate().skip(start) {
            if bucket.head.load(Ordering::Relaxed) & NULLS != 0 {
                continue;
            }
            let _guard = bucket.lock();
            let n = bucket.head.load(Ordering::Relaxed);
            if n & NULLS == 0 {
                debug_assert_eq!(link_hash(self.pool.elem(n)[0].load(Ordering::Relaxed)) as usize & self.mask, b);
                load_bytes(self.key_of(self.pool.elem(n)), next);
                return Ok(());
            }
        }
        Err(MapError::NotFound)
    }
}

impl MapOps for HashMap {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn lookup(&self, key: &[u8], value: &mut [u8], f: u64) -> Result<()> {
        let hash = self.hash(key);
        let b = hash as usize & self.mask;
        let _guard = self.buckets[b].lock();
        let (_, idx) = self.find_locked(b, hash, key).ok_or(MapError::NotFound)?;
        self.read_value(self.pool.elem(idx), value, f & elem::LOCK != 0);
        Ok(())
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
        let Some(key) = key else { return self.first_from(0, next) };
        let hash = self.hash(key);
        let b = hash as usize & self.mask;
        {
            let guard = self.buckets[b].lock();
            let Some((_, idx)) = self.find_locked(b, hash, key) else {
                drop(guard);
                return self.first_from(0, next);
            };
            let n = link_next(self.pool.elem(idx)[0].load(Ordering::Relaxed));
            if n & NULLS == 0 {
                load_bytes(self.key_of(self.pool.elem(n)), next);
                return Ok(());
            }
        }
        self.first_from(b + 1, next)
    }

    #[inline]
    fn prog_lookup<'a>(&'a self, exec: &Executor, key: &[u8]) -> Option<ValueRef<'a>> {
        let (idx, e) = self.find_rcu(key)?;
        if let Some(clock) = &self.clock {
            clock.touch(idx);
        }
        let cpu = if self.slots == 1 { 0 } else { exec.cpu() };
        Some(ValueRef::new(self.slot_of(e, cpu), self.layout))
    }

    fn prog_lookup_percpu<'a>(&'a self, key: &[u8], cpu: usize) -> Option<ValueRef<'a>> {
        if self.slots == 1 {
            return None;
        }
        let (_, e) = self.find_rcu(key)?;
        Some(ValueRef::new(self.slot_of(e, cpu), self.layout))
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
