//! `bpf_strncmp`.

use hive_interp::{Flow, HelperError, Memory};

use super::ret;

/// The kernel's `strncmp` (lib/string.c): -1, 0 or 1.
pub fn strncmp_bytes(s1: &[u8], s2: impl Fn(usize) -> Result<u8, HelperError>, count: usize) -> Result<i64, HelperError> {
    for i in 0..count {
        let c1 = s1.get(i).copied().unwrap_or(0);
        let c2 = s2(i)?;
        if c1 != c2 {
            return Ok(if c1 < c2 { -1 } else { 1 });
        }
        if c1 == 0 {
            break;
        }
    }
    Ok(0)
}

/// `bpf_strncmp(s1, s1_sz, s2)`: `strncmp(s1, s2, s1_sz)`; `s2` is a constant string.
pub fn strncmp(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let n = a[1] as u32 as usize;
    let mut s1 = vec![0u8; n];
    mem.read_into(a[0], &mut s1)?;
    let s2 = |i: usize| -> Result<u8, HelperError> {
        let mut b = [0u8];
        mem.read_into(a[2].wrapping_add(i as u64), &mut b)?;
        Ok(b[0])
    };
    ret(strncmp_bytes(&s1, s2, n)? as u64)
}
