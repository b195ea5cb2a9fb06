//! `bpf_tail_call(ctx, prog_array, index)`.
//!
//! On success the helper answers [`Flow::TailCall`] and the run loop (`run::execute`)
//! continues with the target program on the same context. On failure (index out of range,
//! empty slot, the kernel's limit of [`MAX_TAIL_CALL_CNT`] tail calls per run) the program
//! continues after the call, as in the kernel.

use std::sync::Arc;

use hive_interp::{Flow, HelperError};
use hive_maps::MapType;

use super::{neg, ret};
use crate::prog::ProgObject;
use crate::run::RunHelpers;

/// `MAX_TAIL_CALL_CNT`.
pub const MAX_TAIL_CALL_CNT: u32 = 33;

/// `bpf_tail_call`.
pub(crate) fn tail_call(h: &mut RunHelpers<'_>, a: [u64; 5]) -> Result<Flow, HelperError> {
    let map = h.map(a[1])?;
    if map.map_type() != MapType::ProgArray {
        return Err(HelperError::Failed("bpf_tail_call on a map that is not a prog array".into()));
    }
    let index = a[2] as u32;
    if index >= map.spec().max_entries || h.tail_calls >= MAX_TAIL_CALL_CNT {
        return ret(neg(libc::ENOENT));
    }
    let Some(target) = map.tail_call_target(index) else { return ret(neg(libc::ENOENT)) };
    let Ok(prog) = target.downcast::<ProgObject>() else {
        return Err(HelperError::Failed("prog array slot holds no Hive program".into()));
    };
    let prog: &Arc<ProgObject> = h.arenas.progs.alloc(prog);
    h.tail_calls += 1;
    h.tail_target = Some(prog);
    Ok(Flow::TailCall(prog.id.0 as u64))
}
