//! Helpers that call back into the program: `bpf_loop` and `bpf_for_each_map_elem`.
//!
//! Each answers [`Flow::Call`] with the callback's slot index and arguments; the interpreter
//! runs the callback in a new frame and reports its `r0` to [`resume`], which decides whether
//! to call again or return. The loop state is a [`Pending`] entry, innermost last, so
//! callbacks may nest.

use std::sync::atomic::AtomicU64;

use hive_interp::{Flow, HelperError, Memory};
use hive_maps::{Map, MapType};

use super::{neg, ret};
use crate::run::RunHelpers;

/// `BPF_MAX_LOOPS`: the most iterations `bpf_loop` accepts.
pub const BPF_MAX_LOOPS: u64 = 1 << 23;

/// A callback loop in progress.
pub(crate) enum Pending<'a> {
    /// `bpf_loop`: the call for index `i` is running.
    Loop { i: u64, n: u64, callback: u64, ctx: u64 },
    /// `bpf_for_each_map_elem`: the call for `keys[next - 1]` is running.
    ForEach {
        map: &'a Map,
        handle: u64,
        keys: Vec<Vec<u8>>,
        next: usize,
        calls: u64,
        callback: u64,
        ctx: u64,
        key: (u64, &'a [AtomicU64]),
    },
}

/// `bpf_loop(nr_loops, callback_fn, callback_ctx, flags)`.
pub(crate) fn bpf_loop(h: &mut RunHelpers<'_>, a: [u64; 5]) -> Result<Flow, HelperError> {
    let (n, callback, ctx, flags) = (a[0] as u32 as u64, a[1], a[2], a[3]);
    if flags != 0 {
        return ret(neg(libc::EINVAL));
    }
    if n > BPF_MAX_LOOPS {
        return ret(neg(libc::E2BIG));
    }
    if n == 0 {
        return ret(0);
    }
    h.pending.push(Pending::Loop { i: 0, n, callback, ctx });
    Ok(Flow::Call { target: callback, args: [0, ctx, 0, 0, 0] })
}

/// `bpf_for_each_map_elem(map, callback_fn, callback_ctx, flags)`: calls
/// `callback(map, key, value, ctx)` for each element until it returns 1; returns the number
/// of calls.
pub(crate) fn for_each_map_elem(h: &mut RunHelpers<'_>, a: [u64; 5]) -> Result<Flow, HelperError> {
    let map = h.map(a[0])?;
    let (callback, ctx, flags) = (a[1], a[2], a[3]);
    if flags != 0 {
        return ret(neg(libc::EINVAL));
    }
    let t = map.map_type();
    if !(t.is_hash() || matches!(t, MapType::Array | MapType::PercpuArray)) {
        return ret(neg(libc::EINVAL));
    }
    let keys = map.keys().unwrap_or_default();
    let key = h.scratch(map.spec().key_size as usize, false);
    h.pending.push(Pending::ForEach { map, handle: a[0], keys, next: 0, calls: 0, callback, ctx, key });
    next_elem(h)
}

/// Calls the for-each callback on the next element still present, or returns the count.
fn next_elem(h: &mut RunHelpers<'_>) -> Result<Flow, HelperError> {
    let exec = &h.exec;
    let exposed = h.exposed;
    let Some(Pending::ForEach { map, handle, keys, next, calls, callback, ctx, key }) = h.pending.last_mut() else {
        return Err(HelperError::Failed("no bpf_for_each_map_elem in progress".into()));
    };
    while *next < keys.len() {
        let k = &keys[*next];
        *next += 1;
        let Some(v) = map.prog_lookup(exec, k) else { continue };
        hive_interp_copy(key.1, k);
        let writable = map.spec().map_flags & hive_maps::flags::RDONLY_PROG == 0;
        let value = exposed.expose(hive_interp::WordRegion {
            words: v.words(),
            len: v.len(),
            kind: hive_interp::RegionKind::MapValue,
            writable,
        });
        *calls += 1;
        return Ok(Flow::Call { target: *callback, args: [*handle, key.0, value, *ctx, 0] });
    }
    let calls = *calls;
    h.pending.pop();
    ret(calls)
}

fn hive_interp_copy(words: &[AtomicU64], bytes: &[u8]) {
    for (w, c) in words.iter().zip(bytes.chunks(8)) {
        let mut b = [0u8; 8];
        b[..c.len()].copy_from_slice(c);
        w.store(u64::from_le_bytes(b), std::sync::atomic::Ordering::Relaxed);
    }
}

/// A callback returned `r`: call again or finish the innermost loop.
pub(crate) fn resume(h: &mut RunHelpers<'_>, r: u64, _mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    match h.pending.last_mut() {
        Some(Pending::Loop { i, n, callback, ctx }) => {
            let done = *i + 1;
            if r != 0 || done == *n {
                h.pending.pop();
                return ret(done);
            }
            *i = done;
            Ok(Flow::Call { target: *callback, args: [done, *ctx, 0, 0, 0] })
        }
        Some(Pending::ForEach { calls, .. }) => {
            if r != 0 {
                let calls = *calls;
                h.pending.pop();
                return ret(calls);
            }
            next_elem(h)
        }
        None => Err(HelperError::Failed("a callback returned with no loop in progress".into())),
    }
}
