//! Read-modify-write atomics (`BPF_ATOMIC`), as `kernel/bpf/core.c` performs them.
//!
//! A run owns its byte regions exclusively (they are borrowed `&mut`), so a plain read,
//! compute and write is indivisible for anything that can observe it. Word regions (map
//! values shared with other threads) use real atomic instructions instead (`words::rmw`). Every read-modify-write needs
//! write permission, even a `cmpxchg` that ends up storing nothing, as on real hardware.
//!
//! 32-bit forms operate on the low half of the operand; when they fetch, the old value is
//! zero-extended into the register (`SRC = (u32) atomic_fetch_add(...)`), and `cmpxchg`
//! compares the low half of `r0` and writes the zero-extended old value back into `r0`.

use hive_isa::{AtomicOp, Size};

use crate::fault::AccessError;
use crate::memory::Memory;

/// Performs `op` on `size` bytes at `addr` with operand `val` (`r0` is `expected` for
/// `cmpxchg`). Returns the old value, zero-extended, for the fetching forms to store.
pub(crate) fn rmw(
    mem: &mut Memory<'_>,
    op: AtomicOp,
    size: Size,
    addr: u64,
    val: u64,
    expected: u64,
) -> Result<u64, AccessError> {
    let slot = match mem.slice_mut(addr, size.bytes()) {
        Ok(slot) => slot,
        // Shared atomic words (map values): real atomics, see `words`.
        Err(AccessError::Words { .. }) => return mem.rmw_words(addr, size.bytes(), op, val, expected),
        Err(e) => return Err(e),
    };
    let mut buf = [0u8; 8];
    let n = slot.len().min(8);
    buf[..n].copy_from_slice(&slot[..n]);
    let old = u64::from_le_bytes(buf);
    let mask = if n == 8 { u64::MAX } else { (1u64 << (8 * n)) - 1 };
    // LoadAcquire/StoreRelease are not read-modify-write: the interpreter handles them as a
    // plain load and store, and `apply` leaves the value alone.
    let new = crate::words::apply(op, old, val, expected, mask);
    slot[..n].copy_from_slice(&new.to_le_bytes()[..n]);
    Ok(old & mask)
}
