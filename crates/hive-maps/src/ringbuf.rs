//! `BPF_MAP_TYPE_RINGBUF`: the kernel's multi-producer, single-consumer ring buffer with its
//! memory layout, in shared memory another process can map.
//!
//! ## Layout
//!
//! The buffer is a `memfd` of `2 * PAGE + data_size` bytes:
//!
//! | file offset | content |
//! |---|---|
//! | `0` | consumer page: `consumer_pos` (`u64` at offset 0), written by the consumer |
//! | `PAGE` | producer page: `producer_pos` (`u64` at offset 0), written by producers |
//! | `2 * PAGE` | `data_size` bytes of records (`max_entries`, a power of two, page aligned) |
//!
//! In this process the data pages are mapped twice in a row, as the kernel maps them, so a
//! record that wraps past the end is contiguous in memory. Positions only grow; a position's
//! offset in the data is `pos & (data_size - 1)`. Each record starts with the kernel's 8-byte
//! header `{ u32 len; u32 pg_off; }`: `len` is the sample size with `BPF_RINGBUF_BUSY_BIT`
//! (bit 31) set while the producer writes and `BPF_RINGBUF_DISCARD_BIT` (bit 30) set for a
//! discarded record; `pg_off` is what the kernel writes there (the header's page offset in its
//! `struct bpf_ringbuf`: data page index + 3), so records are byte-identical. Records are
//! 8-byte aligned (`round_up(len + 8, 8)` bytes). A consumer in another process maps the
//! memfd ([`RingBuf::memfd`]) and either maps the data twice itself (as libbpf does) or
//! handles the wrap.
//!
//! ## Protocol
//!
//! Reservation takes a spin lock, checks that the record fits behind both the consumer and
//! the oldest still-busy record (the kernel's `pending_pos`), writes the busy header and
//! publishes the new `producer_pos` with release ordering. Submit and discard flip the header
//! with one atomic exchange and need no lock; consumers read `producer_pos` with acquire
//! ordering, stop at the first busy header, and publish `consumer_pos` with release ordering.
//!
//! ## Safety
//!
//! This is the crate's only `unsafe` module. The mapping is created once, never moved and
//! unmapped only on drop; every raw access is at an offset checked against the mapping's
//! length; shared words (positions, record headers) are only accessed atomically; sample
//! bytes are written only by the reservation's owner and read only after its commit.

use std::any::Any;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use rustix::fs::MemfdFlags;
use rustix::mm::{MapFlags, ProtFlags};

use crate::error::{MapError, Result};
use crate::map::MapOps;
use crate::spec::{MapSpec, flags};

/// Header bit: the record is still being written.
pub const BPF_RINGBUF_BUSY_BIT: u32 = 1 << 31;
/// Header bit: the record was discarded; consumers skip it.
pub const BPF_RINGBUF_DISCARD_BIT: u32 = 1 << 30;
/// Bytes of a record header.
pub const BPF_RINGBUF_HDR_SZ: u32 = 8;
/// Submit/discard/output flag: do not wake the consumer.
pub const BPF_RB_NO_WAKEUP: u64 = 1 << 0;
/// Submit/discard/output flag: wake the consumer unconditionally.
pub const BPF_RB_FORCE_WAKEUP: u64 = 1 << 1;
/// `bpf_ringbuf_query`: bytes not yet consumed.
pub const BPF_RB_AVAIL_DATA: u64 = 0;
/// `bpf_ringbuf_query`: data area size.
pub const BPF_RB_RING_SIZE: u64 = 1;
/// `bpf_ringbuf_query`: consumer position.
pub const BPF_RB_CONS_POS: u64 = 2;
/// `bpf_ringbuf_query`: producer position.
pub const BPF_RB_PROD_POS: u64 = 3;

/// The kernel's `ringbuf_map_alloc` checks.
pub(crate) fn check(spec: &MapSpec) -> Result<()> {
    if spec.map_flags & !(flags::NUMA_NODE) != 0 {
        return Err(MapError::Invalid("ringbuf: unknown flags"));
    }
    let page = rustix::param::page_size() as u32;
    if spec.key_size != 0
        || spec.value_size != 0
        || !spec.max_entries.is_power_of_two()
        || !spec.max_entries.is_multiple_of(page)
    {
        return Err(MapError::Invalid("ringbuf: key/value size 0 and a page-aligned power-of-two size"));
    }
    Ok(())
}

/// A ring buffer map.
#[doc(alias = "BPF_MAP_TYPE_RINGBUF")]
#[derive(Debug)]
pub struct RingBuf {
    memfd: OwnedFd,
    /// Start of the consumer page; the mapping is `2 * page + 2 * data_size` bytes.
    base: NonNull<u8>,
    page: usize,
    data_size: u64,
    /// Serialises reservations (the kernel's `spinlock`).
    reserve: Mutex<ReserveState>,
    /// One in-process consumer at a time.
    consumer: Mutex<()>,
    wake_seq: Mutex<u64>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct ReserveState {
    /// The oldest record that may still be busy (the kernel's `pending_pos`).
    pending_pos: u64,
}

// SAFETY: `base` points to a shared mapping owned by this value for its whole life; all
// cross-thread access to it goes through atomics or the reservation protocol above.
unsafe impl Send for RingBuf {}
// SAFETY: as for `Send`; `&RingBuf` methods synchronise through atomics and locks.
unsafe impl Sync for RingBuf {}

fn sys_err(_: rustix::io::Errno) -> MapError {
    MapError::NoMem
}

impl RingBuf {
    pub(crate) fn new(spec: &MapSpec) -> Result<RingBuf> {
        let page = rustix::param::page_size();
        let data = spec.max_entries as usize;
        let file_len = 2 * page + data;
        let memfd = rustix::fs::memfd_create("hive-ringbuf", MemfdFlags::CLOEXEC).map_err(sys_err)?;
        rustix::fs::ftruncate(&memfd, file_len as u64).map_err(sys_err)?;
        let total = 2 * page + 2 * data;
        // SAFETY: a fresh anonymous reservation at an address of the kernel's choosing; it
        // aliases nothing.
        let region = unsafe { rustix::mm::mmap_anonymous(std::ptr::null_mut(), total, ProtFlags::empty(), MapFlags::PRIVATE) }
            .map_err(sys_err)?;
        let rw = ProtFlags::READ | ProtFlags::WRITE;
        let fixed = MapFlags::SHARED | MapFlags::FIXED;
        // SAFETY: both fixed mappings replace parts of the reservation made just above, which
        // nothing else uses; the file is long enough for both ranges.
        let mapped = unsafe {
            rustix::mm::mmap(region, file_len, rw, fixed, &memfd, 0).and_then(|_| {
                rustix::mm::mmap(region.cast::<u8>().add(file_len).cast(), data, rw, fixed, &memfd, 2 * page as u64)
            })
        };
        if let Err(e) = mapped {
            // SAFETY: unmapping the reservation made above, which nothing references.
            let _ = unsafe { rustix::mm::munmap(region, total) };
            return Err(sys_err(e));
        }
        let base = NonNull::new(region.cast::<u8>()).ok_or(MapError::NoMem)?;
        Ok(RingBuf {
            memfd,
            base,
            page,
            data_size: data as u64,
            reserve: Mutex::new(ReserveState::default()),
            consumer: Mutex::new(()),
            wake_seq: Mutex::new(0),
            wake: Condvar::new(),
        })
    }

    fn pos_word(&self, page: usize) -> &AtomicU64 {
        // SAFETY: `page` is 0 (consumer) or 1 (producer): inside the mapping, page aligned,
        // live as long as `self`; the word is only ever accessed atomically.
        unsafe { AtomicU64::from_ptr(self.base.as_ptr().add(page * self.page).cast()) }
    }

    fn consumer_pos(&self) -> &AtomicU64 {
        self.pos_word(0)
    }

    fn producer_pos(&self) -> &AtomicU64 {
        self.pos_word(1)
    }

    /// Pointer to data offset `off` (`off < 2 * data_size`).
    fn data_ptr(&self, off: u64) -> *mut u8 {
        debug_assert!(off < 2 * self.data_size);
        // SAFETY: the data area is mapped twice, so offsets below 2 * data_size are inside.
        unsafe { self.base.as_ptr().add(2 * self.page + off as usize) }
    }

    /// The record header word `len` at position `pos`.
    fn hdr_len(&self, pos: u64) -> &AtomicU32 {
        // SAFETY: headers are 8-aligned inside the (first copy of the) data area; header
        // words are only accessed atomically.
        unsafe { AtomicU32::from_ptr(self.data_ptr(pos & (self.data_size - 1)).cast()) }
    }

    fn hdr_pg_off(&self, pos: u64) -> &AtomicU32 {
        // SAFETY: as `hdr_len`, four bytes further.
        unsafe { AtomicU32::from_ptr(self.data_ptr(pos & (self.data_size - 1)).add(4).cast()) }
    }

    /// The data area size (`max_entries`).
    pub fn data_size(&self) -> u64 {
        self.data_size
    }

    /// The shared memory file: consumer page, producer page, data (see the module docs).
    pub fn memfd(&self) -> BorrowedFd<'_> {
        self.memfd.as_fd()
    }

    /// The system page size the layout uses.
    pub fn page_size(&self) -> usize {
        self.page
    }

    /// `bpf_ringbuf_reserve(map, size, 0)`: room for a `size`-byte sample, or `None` when it
    /// does not fit (or `flags != 0`).
    pub fn reserve(&self, size: u32, flags: u64) -> Option<RingBufReservation<'_>> {
        if flags != 0 || size > u32::MAX / 4 {
            return None;
        }
        let len = u64::from(size + BPF_RINGBUF_HDR_SZ).div_ceil(8) * 8;
        if len > self.data_size {
            return None;
        }
        let mask = self.data_size - 1;
        let cons = self.consumer_pos().load(Ordering::Acquire);
        let mut st = self.reserve.lock();
        let prod = self.producer_pos().load(Ordering::Relaxed);
        // Move pending_pos past records that are no longer busy.
        let mut pend = st.pending_pos;
        while pend < prod {
            let l = self.hdr_len(pend).load(Ordering::Acquire);
            if l & BPF_RINGBUF_BUSY_BIT != 0 {
                break;
            }
            pend += u64::from((l & !BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ).div_ceil(8) * 8;
        }
        st.pending_pos = pend;
        let new_prod = prod + len;
        if new_prod - cons > mask || new_prod - pend > mask {
            return None;
        }
        // The kernel's value: the header's page offset within its `struct bpf_ringbuf`, whose
        // data starts three pages in (a private page, then the two position pages).
        let pg_off = ((3 * self.page as u64 + (prod & mask)) / self.page as u64) as u32;
        self.hdr_len(prod).store(size | BPF_RINGBUF_BUSY_BIT, Ordering::Relaxed);
        self.hdr_pg_off(prod).store(pg_off, Ordering::Relaxed);
        self.producer_pos().store(new_prod, Ordering::Release);
        drop(st);
        Some(RingBufReservation { rb: self, pos: prod, size, done: false })
    }

    fn commit(&self, pos: u64, flags: u64, discard: bool) {
        let hdr = self.hdr_len(pos);
        let mut new_len = hdr.load(Ordering::Relaxed) & !BPF_RINGBUF_BUSY_BIT;
        if discard {
            new_len |= BPF_RINGBUF_DISCARD_BIT;
        }
        hdr.swap(new_len, Ordering::AcqRel);
        if flags & BPF_RB_NO_WAKEUP == 0 {
            let mut seq = self.wake_seq.lock();
            *seq += 1;
            self.wake.notify_all();
        }
    }

    /// `bpf_ringbuf_submit`/`bpf_ringbuf_discard` by sample address, as a program hands it
    /// back: `EINVAL` unless `addr` is the sample of a busy record of this buffer.
    pub fn commit_addr(&self, addr: u64, flags: u64, discard: bool) -> Result<()> {
        let start = self.data_ptr(0) as u64;
        let off = addr.wrapping_sub(start).wrapping_sub(u64::from(BPF_RINGBUF_HDR_SZ));
        if off >= self.data_size || off % 8 != 0 {
            return Err(MapError::Invalid("not a ring buffer sample"));
        }
        let prod = self.producer_pos().load(Ordering::Acquire);
        let cons = self.consumer_pos().load(Ordering::Acquire);
        // The position whose offset is `off`, among the unconsumed ones.
        let pos = (prod & !(self.data_size - 1)) | off;
        let pos = if pos >= prod { pos.wrapping_sub(self.data_size) } else { pos };
        if pos < cons || self.hdr_len(pos).load(Ordering::Acquire) & BPF_RINGBUF_BUSY_BIT == 0 {
            return Err(MapError::Invalid("sample is not reserved"));
        }
        self.commit(pos, flags, discard);
        Ok(())
    }

    /// `bpf_ringbuf_output`: copies `data` into a new record and submits it; `EAGAIN` when
    /// it does not fit.
    pub fn output(&self, data: &[u8], flags: u64) -> Result<()> {
        if flags & !(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP) != 0 {
            return Err(MapError::Invalid("unknown ringbuf output flags"));
        }
        let size = u32::try_from(data.len()).map_err(|_| MapError::Again)?;
        let mut r = self.reserve(size, 0).ok_or(MapError::Again)?;
        r.write(0, data);
        r.submit(flags);
        Ok(())
    }

    /// `bpf_ringbuf_query`.
    pub fn query(&self, flags: u64) -> u64 {
        let cons = self.consumer_pos().load(Ordering::Acquire);
        let prod = self.producer_pos().load(Ordering::Acquire);
        match flags {
            BPF_RB_AVAIL_DATA => prod - cons,
            BPF_RB_RING_SIZE => self.data_size,
            BPF_RB_CONS_POS => cons,
            BPF_RB_PROD_POS => prod,
            _ => 0,
        }
    }

    /// The in-process consumer; `None` while another holds it.
    pub fn consumer(&self) -> Option<RingBufConsumer<'_>> {
        self.consumer.try_lock().map(|guard| RingBufConsumer { rb: self, _guard: guard })
    }
}

impl Drop for RingBuf {
    fn drop(&mut self) {
        let total = 2 * self.page + 2 * self.data_size as usize;
        // SAFETY: the whole mapping made in `new`; no reference into it outlives `self`
        // (reservations and consumers borrow `self`).
        let _ = unsafe { rustix::mm::munmap(self.base.as_ptr().cast(), total) };
    }
}

/// A reserved, not yet committed record. Dropping it discards the record.
#[derive(Debug)]
pub struct RingBufReservation<'a> {
    rb: &'a RingBuf,
    pos: u64,
    size: u32,
    done: bool,
}

impl RingBufReservation<'_> {
    /// The sample's first byte (8-byte aligned, `len()` contiguous bytes): what
    /// `bpf_ringbuf_reserve` returns to a program.
    pub fn as_ptr(&self) -> *mut u8 {
        self.rb.data_ptr((self.pos & (self.rb.data_size - 1)) + u64::from(BPF_RINGBUF_HDR_SZ))
    }

    /// [`as_ptr`](Self::as_ptr) as an integer.
    pub fn addr(&self) -> u64 {
        self.as_ptr() as u64
    }

    /// The sample size.
    pub fn len(&self) -> usize {
        self.size as usize
    }

    /// Whether the sample is empty.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Copies `bytes` into the sample at `offset`.
    ///
    /// # Panics
    /// If the bytes do not fit in the sample.
    pub fn write(&mut self, offset: usize, bytes: &[u8]) {
        assert!(offset + bytes.len() <= self.len(), "write past the reserved sample");
        // SAFETY: the range lies in this reservation's sample, which is contiguous thanks to
        // the double mapping and written by no one else until it is committed.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.as_ptr().add(offset), bytes.len()) };
    }

    /// `bpf_ringbuf_submit`.
    pub fn submit(mut self, flags: u64) {
        self.done = true;
        self.rb.commit(self.pos, flags, false);
    }

    /// `bpf_ringbuf_discard`.
    pub fn discard(mut self, flags: u64) {
        self.done = true;
        self.rb.commit(self.pos, flags, true);
    }

    /// Leaves the record busy for a program to commit later through
    /// [`RingBuf::commit_addr`]; returns the sample address.
    pub fn into_addr(mut self) -> u64 {
        self.done = true;
        self.addr()
    }
}

impl Drop for RingBufReservation<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.rb.commit(self.pos, BPF_RB_NO_WAKEUP, true);
        }
    }
}

/// The consumer side (what libbpf's `ring_buffer__consume` does), in this process.
#[derive(Debug)]
pub struct RingBufConsumer<'a> {
    rb: &'a RingBuf,
    _guard: parking_lot::MutexGuard<'a, ()>,
}

impl RingBufConsumer<'_> {
    /// Hands every committed sample to `f` in order, skipping discarded ones, and releases
    /// their space; stops at the first record still being written. Returns how many samples
    /// `f` saw.
    pub fn consume(&mut self, mut f: impl FnMut(&[u8])) -> usize {
        let rb = self.rb;
        let mut cons = rb.consumer_pos().load(Ordering::Relaxed);
        let mut seen = 0;
        loop {
            let prod = rb.producer_pos().load(Ordering::Acquire);
            if cons >= prod {
                return seen;
            }
            let len = rb.hdr_len(cons).load(Ordering::Acquire);
            if len & BPF_RINGBUF_BUSY_BIT != 0 {
                return seen;
            }
            let size = len & !BPF_RINGBUF_DISCARD_BIT;
            if len & BPF_RINGBUF_DISCARD_BIT == 0 {
                let start = (cons & (rb.data_size - 1)) + u64::from(BPF_RINGBUF_HDR_SZ);
                // SAFETY: a committed record (acquire load of its header above) inside the
                // double-mapped data area; producers do not touch it until consumer_pos
                // moves past it, which happens below, after `f` returns.
                let sample = unsafe { std::slice::from_raw_parts(rb.data_ptr(start), size as usize) };
                f(sample);
                seen += 1;
            }
            cons += u64::from(size + BPF_RINGBUF_HDR_SZ).div_ceil(8) * 8;
            rb.consumer_pos().store(cons, Ordering::Release);
        }
    }

    /// Waits until a producer signals a commit or `timeout` passes; `true` if signalled.
    pub fn wait(&mut self, timeout: Duration) -> bool {
        if self.rb.query(BPF_RB_AVAIL_DATA) > 0 {
            return true;
        }
        let mut seq = self.rb.wake_seq.lock();
        let start = *seq;
        let r = self.rb.wake.wait_while_for(&mut seq, |s| *s == start, timeout);
        !r.timed_out()
    }
}

impl MapOps for RingBuf {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn lookup(&self, _key: &[u8], _value: &mut [u8], _flags: u64) -> Result<()> {
        Err(MapError::NotSupported)
    }
    fn update(&self, _key: &[u8], _value: &[u8], _flags: u64) -> Result<()> {
        Err(MapError::NotSupported)
    }
    fn delete(&self, _key: &[u8]) -> Result<()> {
        Err(MapError::NotSupported)
    }
    fn next_key(&self, _key: Option<&[u8]>, _next: &mut [u8]) -> Result<()> {
        Err(MapError::NotSupported)
    }
}
