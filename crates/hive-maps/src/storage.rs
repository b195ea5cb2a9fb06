//! Value memory: 8-byte words that never move, and the element pools built on them.
//!
//! Every byte a program may point into is part of a `Box<[AtomicU64]>` that is allocated once
//! and freed only when its map is dropped, so an address handed to a program stays valid for
//! the map's lifetime, is 8-byte aligned, and may be read and written concurrently by any
//! number of threads without undefined behaviour on the Rust side: Hive's own copies go word
//! by word through relaxed atomic loads and stores (a value may therefore be observed
//! half-updated, exactly as with the kernel's `memcpy`, unless `BPF_F_LOCK` is used). Programs
//! access the same words through the raw address ([`ValueRef::as_ptr`]); what an engine does
//! with that address is the engine's contract, but nothing here ever forms a `&mut` over it.
//!
//! This module needs no `unsafe`: `AtomicU64::as_ptr` gives the address safely.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use crossbeam_epoch::Guard;
use parking_lot::Mutex;

/// Words needed for `bytes` bytes.
pub(crate) fn words_for(bytes: usize) -> usize {
    bytes.div_ceil(8)
}

/// `n` zeroed words.
pub(crate) fn alloc_words(n: usize) -> Box<[AtomicU64]> {
    (0..n).map(|_| AtomicU64::new(0)).collect()
}

/// Copies stored words out as `out.len()` bytes.
pub(crate) fn load_bytes(words: &[AtomicU64], out: &mut [u8]) {
    for (chunk, w) in out.chunks_mut(8).zip(words) {
        let b = w.load(Ordering::Relaxed).to_le_bytes();
        // Whole words without a `memcpy` call (the length is known only at run time).
        match <&mut [u8; 8]>::try_from(&mut *chunk) {
            Ok(c) => *c = b,
            Err(_) => chunk.copy_from_slice(&b[..chunk.len()]),
        }
    }
}

/// Up to 8 bytes as a little-endian word, zero-padded: how keys and values are stored.
#[inline(always)]
pub(crate) fn word_from(chunk: &[u8]) -> u64 {
    if let Ok(w) = <[u8; 8]>::try_from(chunk) {
        return u64::from_le_bytes(w);
    }
    if let Ok(w) = <[u8; 4]>::try_from(chunk) {
        return u64::from(u32::from_le_bytes(w));
    }
    chunk.iter().rev().fold(0, |w, &b| w << 8 | u64::from(b))
}

/// Stores `bytes`, zero padding the last word.
pub(crate) fn store_bytes(words: &[AtomicU64], bytes: &[u8]) {
    for (chunk, w) in bytes.chunks(8).zip(words) {
        w.store(word_from(chunk), Ordering::Relaxed);
    }
}

/// The shape of one value slot: its size and where its `struct bpf_spin_lock` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ValueLayout {
    /// `value_size`.
    pub size: usize,
    /// Offset of the 4-byte spin lock, 4-aligned.
    pub lock: Option<usize>,
}

impl ValueLayout {
    /// Words per slot (`round_up(value_size, 8) / 8`).
    pub fn words(&self) -> usize {
        words_for(self.size)
    }

    /// The lock's word and the mask of its bits in that word.
    fn lock_bits(&self) -> Option<(usize, u64)> {
        self.lock.map(|off| (off / 8, 0xffff_ffffu64 << ((off % 8) * 8)))
    }

    /// Copies `src` (`size` bytes) into the slot, leaving the spin lock's bits alone (the
    /// kernel's `copy_map_value` skips special fields).
    pub fn store(&self, dst: &[AtomicU64], src: &[u8]) {
        let src = &src[..self.size];
        match self.lock_bits() {
            None => store_bytes(dst, src),
            Some((lw, mask)) => {
                for (i, (chunk, w)) in src.chunks(8).zip(dst).enumerate() {
                    let new = word_from(chunk);
                    if i == lw {
                        let _ = w.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                            Some((old & mask) | (new & !mask))
                        });
                    } else {
                        w.store(new, Ordering::Relaxed);
                    }
                }
            }
        }
    }

    /// Copies the slot out into `out` (`size` bytes), with the spin lock's bytes zeroed (the
    /// kernel's `check_and_init_map_value` on the copy).
    pub fn load(&self, src: &[AtomicU64], out: &mut [u8]) {
        let out = &mut out[..self.size];
        load_bytes(src, out);
        if let Some(off) = self.lock {
            out[off..off + 4].fill(0);
        }
    }

    /// Zeroes the slot except the lock.
    pub fn clear(&self, dst: &[AtomicU64]) {
        match self.lock_bits() {
            None => dst.iter().for_each(|w| w.store(0, Ordering::Relaxed)),
            Some((lw, mask)) => {
                for (i, w) in dst.iter().enumerate() {
                    if i == lw {
                        w.fetch_and(mask, Ordering::Relaxed);
                    } else {
                        w.store(0, Ordering::Relaxed);
                    }
                }
            }
        }
    }

    /// Takes the slot's spin lock (spinning).
    pub fn lock(&self, slot: &[AtomicU64]) {
        let (lw, mask) = self.lock_bits().expect("lock() on a value without a spin lock");
        spin_lock_word(&slot[lw], mask);
    }

    /// Releases the slot's spin lock.
    pub fn unlock(&self, slot: &[AtomicU64]) {
        let (lw, mask) = self.lock_bits().expect("unlock() on a value without a spin lock");
        slot[lw].fetch_and(!mask, Ordering::Release);
    }

    /// `store` under the spin lock (`BPF_F_LOCK` update): readers holding the lock never see
    /// a mix of two updates.
    pub fn store_locked(&self, dst: &[AtomicU64], src: &[u8]) {
        self.lock(dst);
        self.store(dst, src);
        self.unlock(dst);
    }

    /// `load` under the spin lock (`BPF_F_LOCK` lookup).
    pub fn load_locked(&self, src: &[AtomicU64], out: &mut [u8]) {
        self.lock(src);
        self.load(src, out);
        self.unlock(src);
    }
}

/// Acquires a `struct bpf_spin_lock` (a `u32`, 0 when free) held in the bits `mask` of `word`.
///
/// The lock is taken with a compare-and-swap on the whole 8-byte word so that it composes
/// with the word-wise copies of the rest of the value.
pub(crate) fn spin_lock_word(word: &AtomicU64, mask: u64) {
    let one = mask & mask.wrapping_neg(); // lowest bit of the lock field
    let backoff = crossbeam_utils::Backoff::new();
    loop {
        let cur = word.load(Ordering::Relaxed);
        if cur & mask == 0
            && word.compare_exchange_weak(cur, cur | one, Ordering::Acquire, Ordering::Relaxed).is_ok()
        {
            return;
        }
        backoff.snooze();
    }
}

/// A map value as a program sees it: `len` bytes at a stable, 8-byte-aligned address.
///
/// Obtained from the program-side lookups. The address stays valid while the map lives; the
/// element may be deleted and reused meanwhile (as in the kernel), so a program holding it
/// sees whatever the element holds then.
#[derive(Clone, Copy, Debug)]
pub struct ValueRef<'a> {
    words: &'a [AtomicU64],
    layout: ValueLayout,
}

impl<'a> ValueRef<'a> {
    pub(crate) fn new(words: &'a [AtomicU64], layout: ValueLayout) -> ValueRef<'a> {
        ValueRef { words, layout }
    }

    /// The first byte of the value; 8-byte aligned, valid for `len()` bytes (and the padding
    /// up to the next multiple of 8) while the map lives.
    pub fn as_ptr(&self) -> *mut u8 {
        self.words[0].as_ptr().cast()
    }

    /// [`as_ptr`](Self::as_ptr) as an integer, the way a BPF register holds it.
    pub fn addr(&self) -> u64 {
        self.as_ptr() as u64
    }

    /// The value size in bytes.
    pub fn len(&self) -> usize {
        self.layout.size
    }

    /// Always false: value sizes are at least 1.
    pub fn is_empty(&self) -> bool {
        self.layout.size == 0
    }

    /// The value's storage words (`round_up(len, 8) / 8` of them).
    pub fn words(&self) -> &'a [AtomicU64] {
        self.words
    }

    /// Copies the value out (spin lock bytes included, as a program would read them).
    pub fn read(&self, out: &mut [u8]) {
        load_bytes(self.words, &mut out[..self.layout.size]);
    }

    /// The value as a vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = vec![0; self.layout.size];
        self.read(&mut v);
        v
    }

    /// Overwrites the value (as a program's stores would), leaving the spin lock alone.
    pub fn write(&self, bytes: &[u8]) {
        self.layout.store(self.words, bytes);
    }

    /// `bpf_spin_lock()` on the value's lock; `false` when the value has none.
    pub fn spin_lock(&self) -> bool {
        if self.layout.lock.is_none() {
            return false;
        }
        self.layout.lock(self.words);
        true
    }

    /// `bpf_spin_unlock()`; `false` when the value has no lock.
    pub fn spin_unlock(&self) -> bool {
        if self.layout.lock.is_none() {
            return false;
        }
        self.layout.unlock(self.words);
        true
    }
}

/// Fixed-size elements of `elem_words` words in chunks allocated on first use and never
/// freed before the slab, so an element's address is stable once it exists.
///
/// Chunks hold a power of two of elements (the last one only what the capacity needs), so
/// finding an element is a shift and a mask.
#[derive(Debug)]
pub(crate) struct Slab {
    elem_words: usize,
    /// log2 of the elements per chunk.
    shift: u32,
    chunks: Box<[OnceLock<Box<[AtomicU64]>>]>,
    capacity: u32,
}

impl Slab {
    /// Room for `capacity` elements; `eager` allocates every chunk now (preallocation).
    pub fn new(capacity: u32, elem_words: usize, eager: bool) -> Slab {
        let elem_words = elem_words.max(1);
        // About 64 KiB per chunk (a power of two of elements, at least one), or one chunk
        // for the whole capacity when that is smaller.
        let per_chunk = (8192 / elem_words).max(1);
        let shift = (usize::BITS - 1 - per_chunk.leading_zeros()).min((capacity.max(1) as usize).next_power_of_two().trailing_zeros());
        let n = (capacity as usize).div_ceil(1 << shift);
        let chunks: Box<[OnceLock<Box<[AtomicU64]>>]> = (0..n).map(|_| OnceLock::new()).collect();
        let slab = Slab { elem_words, shift, chunks, capacity };
        if eager {
            for c in 0..n {
                slab.chunk(c);
            }
        }
        slab
    }

    fn chunk(&self, c: usize) -> &[AtomicU64] {
        self.chunks[c].get_or_init(|| {
            let elems = (1usize << self.shift).min(self.capacity as usize - (c << self.shift));
            alloc_words(elems * self.elem_words)
        })
    }

    /// Element `idx` (allocating its chunk on first use).
    #[inline]
    pub fn elem(&self, idx: u32) -> &[AtomicU64] {
        let (c, i) = (idx as usize >> self.shift, idx as usize & ((1 << self.shift) - 1));
        &self.chunk(c)[i * self.elem_words..(i + 1) * self.elem_words]
    }

    pub fn capacity(&self) -> u32 {
        self.capacity
    }
}

/// Capacity of an on-demand pool for a map of `max_entries`: room for the live elements plus
/// many more waiting out a grace period (a long-running pinned program delays reclamation;
/// memory is only allocated when actually used, a chunk at a time).
pub(crate) fn deferred_capacity(max_entries: u32) -> u32 {
    max_entries.saturating_mul(8).saturating_add(4096)
}

/// A [`Slab`] with a free list.
///
/// Preallocated pools (`deferred == false`) hand a released element out again at once, as
/// the kernel's preallocated hash maps do: a program still holding its address sees the next
/// owner's data, but never freed memory. On-demand pools (`BPF_F_NO_PREALLOC`) put released
/// elements back only after an epoch grace period (`crossbeam-epoch`, the stand-in for RCU),
/// so a program that looked an element up inside a pinned [`Executor`](crate::Executor) sees
/// it unchanged until it finishes.
#[derive(Debug)]
pub(crate) struct ElemPool {
    slab: Slab,
    free: Arc<Mutex<Vec<u32>>>,
    fresh: AtomicU32,
    deferred: bool,
}

impl ElemPool {
    /// `capacity` elements; all allocated now unless `deferred` (then on first use).
    pub fn new(capacity: u32, elem_words: usize, deferred: bool) -> ElemPool {
        let slab = Slab::new(capacity, elem_words, !deferred);
        let (free, fresh) = if deferred { (Vec::new(), 0) } else { ((0..capacity).rev().collect(), capacity) };
        ElemPool { slab, free: Arc::new(Mutex::new(free)), fresh: AtomicU32::new(fresh), deferred }
    }

    /// Element `idx`'s words.
    #[inline]
    pub fn elem(&self, idx: u32) -> &[AtomicU64] {
        self.slab.elem(idx)
    }

    /// A free element, or `None` when every element is in use (or awaiting its grace period
    /// after a few attempts to let the epoch advance).
    ///
    /// A thread that is itself pinned (a program inside an [`Executor`](crate::Executor))
    /// holds back the grace period it waits for, so it may get `None` where an unpinned
    /// caller would succeed; the slack in on-demand capacities makes that rare.
    pub fn alloc(&self) -> Option<u32> {
        const ATTEMPTS: usize = 16;
        for attempt in 0..ATTEMPTS {
            if let Some(i) = self.free.lock().pop() {
                return Some(i);
            }
            let f = self.fresh.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |f| {
                (f < self.slab.capacity()).then_some(f + 1)
            });
            if let Ok(i) = f {
                return Some(i);
            }
            if !self.deferred || attempt + 1 == ATTEMPTS {
                return None;
            }
            // Advance the epoch so that retired elements whose grace period has passed come
            // back (each flush tries one advance and collects what expired).
            crossbeam_epoch::pin().flush();
        }
        None
    }

    /// Returns `idx` to the pool: at once, or after the grace period of `guard`'s epoch.
    pub fn release(&self, idx: u32, guard: &Guard) {
        if self.deferred {
            let free = Arc::clone(&self.free);
            guard.defer(move || free.lock().push(idx));
            // Hand the element to the global queue now rather than when this thread's bag
            // fills up, so an idle thread never strands it.
            guard.flush();
        } else {
            self.free.lock().push(idx);
        }
    }
}
