//! Ring buffer and perf event output.
//!
//! `bpf_ringbuf_reserve` reserves the record in the ring at once (so ordering and space
//! accounting are the kernel's) but hands the program a scratch buffer of the same size: the
//! ring's memory is a shared mapping the interpreter cannot borrow safely. Submit copies the
//! scratch bytes into the record and commits it; discard commits it discarded; a record left
//! at the end of the run is discarded (the verifier would have refused such a program).

use hive_interp::{Flow, HelperError, Memory};
use hive_maps::MapType;

use super::{neg, ret};
use crate::run::RunHelpers;

fn ringbuf<'a>(h: &RunHelpers<'a>, handle: u64) -> Result<&'a hive_maps::RingBuf, HelperError> {
    h.map(handle)?.ringbuf().ok_or_else(|| HelperError::Failed("not a ring buffer map".into()))
}

/// `bpf_ringbuf_output(ringbuf, data, size, flags)`.
pub(crate) fn output(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let rb = ringbuf(h, a[0])?;
    let mut data = vec![0u8; a[2] as u32 as usize];
    mem.read_into(a[1], &mut data)?;
    ret(match rb.output(&data, a[3]) {
        Ok(()) => 0,
        Err(e) => neg(e.errno()),
    })
}

/// `bpf_ringbuf_reserve(ringbuf, size, flags)`: a sample address or NULL.
pub(crate) fn reserve(h: &mut RunHelpers<'_>, a: [u64; 5]) -> Result<Flow, HelperError> {
    let rb = ringbuf(h, a[0])?;
    let size = a[1];
    if size > u32::MAX as u64 {
        return ret(0);
    }
    let Some(r) = rb.reserve(size as u32, a[2]) else { return ret(0) };
    let (addr, words) = h.scratch(size as usize, true);
    h.reservations.insert(addr, (r, words));
    ret(addr)
}

/// `bpf_ringbuf_submit(data, flags)` / `bpf_ringbuf_discard(data, flags)`.
pub(crate) fn commit(h: &mut RunHelpers<'_>, a: [u64; 5], discard: bool) -> Result<Flow, HelperError> {
    let (mut r, words) = h
        .reservations
        .remove(&a[0])
        .ok_or_else(|| HelperError::Failed(format!("{:#x} is not a reserved ring buffer sample", a[0])))?;
    if discard {
        r.discard(a[1]);
    } else {
        let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.load(std::sync::atomic::Ordering::Relaxed).to_le_bytes()).collect();
        bytes.truncate(r.len());
        r.write(0, &bytes);
        r.submit(a[1]);
    }
    ret(0)
}

/// `bpf_ringbuf_query(ringbuf, flags)`.
pub(crate) fn query(h: &mut RunHelpers<'_>, a: [u64; 5]) -> Result<Flow, HelperError> {
    ret(ringbuf(h, a[0])?.query(a[1]))
}

/// `BPF_F_CTXLEN_MASK`: packet bytes to append (skb and XDP programs).
const CTXLEN_MASK: u64 = 0xfffff << 32;

/// `bpf_perf_event_output(ctx, map, flags, data, size)`.
pub(crate) fn perf_event_output(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let map = h.map(a[1])?;
    if map.map_type() != MapType::PerfEventArray {
        return ret(neg(libc::EINVAL));
    }
    if a[2] & CTXLEN_MASK != 0 {
        // Appending packet bytes is not implemented yet.
        return ret(neg(libc::EOPNOTSUPP));
    }
    let mut data = vec![0u8; a[4] as u32 as usize];
    mem.read_into(a[3], &mut data)?;
    ret(match hive_maps::perf_event_output(map, &h.exec, a[2], &data) {
        Ok(()) => 0,
        Err(e) => neg(e.errno()),
    })
}
