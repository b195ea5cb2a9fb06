//! The user-space stand-in for a perf event's ring: what `bpf_perf_event_output` writes to
//! through a `BPF_MAP_TYPE_PERF_EVENT_ARRAY` slot.
//!
//! The kernel's perf ring has its own mmap layout (`struct perf_event_mmap_page` and
//! `PERF_RECORD_SAMPLE` records); Hive keeps a bounded queue of samples per buffer and counts
//! what it had to drop (`PERF_RECORD_LOST`). Programs call
//! [`PerfEventBuffer::output`]-backed [`perf_event_output`], consumers drain with
//! [`PerfEventBuffer::drain`].

use std::collections::VecDeque;

use parking_lot::Mutex;

use crate::error::{MapError, Result};
use crate::spec::MapType;
use crate::{Executor, FdObject, Map};

/// `BPF_F_CURRENT_CPU`: the index meaning "the executor's own slot".
pub const BPF_F_CURRENT_CPU: u64 = 0xffff_ffff;
/// `BPF_F_INDEX_MASK`.
pub const BPF_F_INDEX_MASK: u64 = 0xffff_ffff;

/// One record: the sample bytes (or a loss count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PerfRecord {
    /// `PERF_RECORD_SAMPLE` raw data.
    Sample(Vec<u8>),
    /// `PERF_RECORD_LOST`: this many samples were dropped because the buffer was full.
    Lost(u64),
}

#[derive(Debug, Default)]
struct Inner {
    records: VecDeque<Vec<u8>>,
    bytes: usize,
    lost: u64,
}

/// A bounded buffer of perf samples.
#[derive(Debug)]
pub struct PerfEventBuffer {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl PerfEventBuffer {
    /// A buffer holding at most `capacity_bytes` of sample data.
    pub fn new(capacity_bytes: usize) -> PerfEventBuffer {
        PerfEventBuffer { capacity: capacity_bytes, inner: Mutex::new(Inner::default()) }
    }

    /// Appends a sample; `ENOSPC` (and a lost count) when it does not fit, as the kernel's
    /// `perf_output_begin` fails.
    pub fn output(&self, data: &[u8]) -> Result<()> {
        let mut inner = self.inner.lock();
        if inner.bytes + data.len() > self.capacity {
            inner.lost += 1;
            return Err(MapError::NoSpace);
        }
        inner.bytes += data.len();
        inner.records.push_back(data.to_vec());
        Ok(())
    }

    /// Takes every pending record, a `Lost` record first if samples were dropped.
    pub fn drain(&self) -> Vec<PerfRecord> {
        let mut inner = self.inner.lock();
        let mut out = Vec::with_capacity(inner.records.len() + 1);
        if inner.lost > 0 {
            out.push(PerfRecord::Lost(std::mem::take(&mut inner.lost)));
        }
        inner.bytes = 0;
        out.extend(inner.records.drain(..).map(PerfRecord::Sample));
        out
    }
}

/// `bpf_perf_event_output(ctx, map, flags, data, size)`: writes `data` to the buffer in slot
/// `flags & BPF_F_INDEX_MASK` (or the executor's slot for `BPF_F_CURRENT_CPU`).
///
/// Errors as the kernel's: `EINVAL` for unknown flag bits or a map of another type, `E2BIG`
/// for an index past `max_entries`, `ENOENT` for an empty slot, `ENOSPC` when the buffer is
/// full.
pub fn perf_event_output(map: &Map, exec: &Executor, flags: u64, data: &[u8]) -> Result<()> {
    if map.map_type() != MapType::PerfEventArray || flags & !BPF_F_INDEX_MASK != 0 {
        return Err(MapError::Invalid("perf_event_output: bad map or flags"));
    }
    let index = if flags == BPF_F_CURRENT_CPU { exec.cpu() as u64 } else { flags };
    if index >= u64::from(map.spec().max_entries) {
        return Err(MapError::TooBig);
    }
    match map.lookup_object(&(index as u32).to_ne_bytes()) {
        Some(FdObject::PerfEvent(buf)) => buf.output(data),
        _ => Err(MapError::NotFound),
    }
}
