//! Kfuncs: the open-coded number iterator (`bpf_for`), `bpf_iter_num_{new,next,destroy}`.
//!
//! The iterator is 8 bytes on the program's stack (`struct bpf_iter_num`), laid out as the
//! kernel's `bpf_iter_num_kern { int cur; int end; }`.

use hive_interp::{Flow, HelperError, Memory};
use hive_isa::Size;

use super::{neg, ret};
use super::callback::BPF_MAX_LOOPS;

/// The kfuncs Hive implements.
pub const IMPLEMENTED: &[&str] = &["bpf_iter_num_new", "bpf_iter_num_next", "bpf_iter_num_destroy"];

fn set(mem: &mut Memory<'_>, it: u64, cur: i32, end: i32) -> Result<(), HelperError> {
    mem.store(it, Size::W, cur as u32 as u64)?;
    mem.store(it + 4, Size::W, end as u32 as u64)?;
    Ok(())
}

/// Calls the kfunc `name`.
pub fn call(name: &str, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let it = a[0];
    match name {
        "bpf_iter_num_new" => {
            let (start, end) = (a[1] as u32 as i32, a[2] as u32 as i32);
            if start > end {
                set(mem, it, 0, 0)?;
                return ret(neg(libc::EINVAL));
            }
            if end as i64 - start as i64 > BPF_MAX_LOOPS as i64 {
                set(mem, it, 0, 0)?;
                return ret(neg(libc::E2BIG));
            }
            set(mem, it, start.wrapping_sub(1), end)?;
            ret(0)
        }
        "bpf_iter_num_next" => {
            let cur = mem.load(it, Size::W)? as u32 as i32;
            let end = mem.load(it + 4, Size::W)? as u32 as i32;
            if cur.wrapping_add(1) as i64 >= end as i64 {
                set(mem, it, 0, 0)?;
                return ret(0);
            }
            mem.store(it, Size::W, cur.wrapping_add(1) as u32 as u64)?;
            ret(it)
        }
        "bpf_iter_num_destroy" => {
            set(mem, it, 0, 0)?;
            ret(0)
        }
        _ => Err(HelperError::Unknown),
    }
}
