//! The LRU policy of `BPF_MAP_TYPE_LRU_HASH` and `BPF_MAP_TYPE_LRU_PERCPU_HASH`: a CLOCK
//! (second-chance) sweep over the preallocated elements.
//!
//! The kernel keeps active and inactive lists with a reference bit that program lookups set
//! and list rotation clears; what it guarantees to a user is that an update of a new key on a
//! full map evicts some element instead of failing, and that recently referenced elements
//! tend to survive. CLOCK gives both with one bit per element and one hand: a program lookup
//! sets the element's bit, the sweep clears set bits and evicts the first element whose bit
//! is clear. Victim choice therefore differs from the kernel's, which the differential tests
//! take into account (they compare only the guarantees).

use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;

/// Reference and liveness bits for each element, and the clock hand.
#[derive(Debug)]
pub(crate) struct Clock {
    referenced: Box<[AtomicBool]>,
    live: Box<[AtomicBool]>,
    hand: Mutex<u32>,
}

impl Clock {
    pub fn new(capacity: u32) -> Clock {
        let bits = || (0..capacity).map(|_| AtomicBool::new(false)).collect();
        Clock { referenced: bits(), live: bits(), hand: Mutex::new(0) }
    }

    /// A program looked the element up (`bpf_lru_node_set_ref`).
    pub fn touch(&self, idx: u32) {
        let r = &self.referenced[idx as usize];
        // Read first: referenced elements are common and the store would bounce the line.
        if !r.load(Ordering::Relaxed) {
            r.store(true, Ordering::Relaxed);
        }
    }

    /// The element was linked into its bucket (called under the bucket lock).
    pub fn inserted(&self, idx: u32) {
        self.referenced[idx as usize].store(false, Ordering::Relaxed);
        self.live[idx as usize].store(true, Ordering::Release);
    }

    /// The element was unlinked (called under the bucket lock).
    pub fn removed(&self, idx: u32) {
        self.live[idx as usize].store(false, Ordering::Release);
    }

    /// Finds a victim: advances the hand over live elements, giving referenced ones a second
    /// chance, and calls `unlink` on the first unreferenced one; `unlink` returns false when
    /// the element was removed concurrently, and the sweep goes on. `None` only if three full
    /// turns found nothing to evict (every element being deleted at the same time).
    pub fn evict(&self, mut unlink: impl FnMut(u32) -> bool) -> Option<u32> {
        let n = self.live.len() as u32;
        if n == 0 {
            return None;
        }
        let mut hand = self.hand.lock();
        for _ in 0..3 * u64::from(n) {
            let i = *hand;
            *hand = if i + 1 == n { 0 } else { i + 1 };
            if !self.live[i as usize].load(Ordering::Acquire) {
                continue;
            }
            if self.referenced[i as usize].swap(false, Ordering::Relaxed) {
                continue;
            }
            if unlink(i) {
                return Some(i);
            }
        }
        None
    }
}
