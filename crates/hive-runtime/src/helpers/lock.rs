//! `bpf_spin_lock` / `bpf_spin_unlock` on a map value's `struct bpf_spin_lock`.
//!
//! The lock word is taken with a compare-and-swap on the value's 8-byte storage word,
//! exactly as `hive-maps` takes it for `BPF_F_LOCK` copies, so programs and user space
//! exclude each other. Like the verifier, Hive allows one lock at a time per run and
//! releases a lock still held when the run ends.

use std::sync::atomic::Ordering;

use hive_interp::{Flow, HelperError};

use super::ret;
use crate::run::RunHelpers;

fn word<'a>(h: &RunHelpers<'a>, addr: u64) -> Result<(&'a std::sync::atomic::AtomicU64, u64), HelperError> {
    let (region, off) =
        h.exposed.find(addr, 4).ok_or_else(|| HelperError::Failed(format!("{addr:#x} is not a lock in a map value")))?;
    if off % 4 != 0 {
        return Err(HelperError::Failed("misaligned bpf_spin_lock".into()));
    }
    Ok((&region.words[off / 8], 0xffff_ffffu64 << ((off % 8) * 8)))
}

/// `bpf_spin_lock(lock)`.
pub(crate) fn spin_lock(h: &mut RunHelpers<'_>, a: [u64; 5]) -> Result<Flow, HelperError> {
    if h.held_lock.is_some() {
        return Err(HelperError::Failed("Locking two bpf_spin_locks are not allowed".into()));
    }
    let (w, mask) = word(h, a[0])?;
    let one = mask & mask.wrapping_neg();
    loop {
        let cur = w.load(Ordering::Relaxed);
        if cur & mask == 0 && w.compare_exchange_weak(cur, cur | one, Ordering::Acquire, Ordering::Relaxed).is_ok() {
            break;
        }
        std::hint::spin_loop();
    }
    h.held_lock = Some(a[0]);
    ret(0)
}

/// `bpf_spin_unlock(lock)`.
pub(crate) fn spin_unlock(h: &mut RunHelpers<'_>, a: [u64; 5]) -> Result<Flow, HelperError> {
    if h.held_lock != Some(a[0]) {
        return Err(HelperError::Failed("bpf_spin_unlock without a matching bpf_spin_lock".into()));
    }
    let (w, mask) = word(h, a[0])?;
    w.fetch_and(!mask, Ordering::Release);
    h.held_lock = None;
    ret(0)
}

/// Releases a lock the run still holds at its end.
pub(crate) fn force_unlock(h: &RunHelpers<'_>, addr: u64) {
    if let Ok((w, mask)) = word(h, addr) {
        w.fetch_and(!mask, Ordering::Release);
    }
}
