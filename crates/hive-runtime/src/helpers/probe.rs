//! The probe-read family: copy from any address, never crash.
//!
//! An address inside the run's memory (stack, context, packet, exposed map values) is read
//! through the interpreter's [`Memory`]; any other address is read from the host process
//! with `process_vm_readv` (the `sys` module), which the kernel answers with `EFAULT` for an
//! unmapped page instead of a crash. Hive has one address space, so the `_user` and
//! `_kernel` variants behave alike. A failed read zero-fills the destination and returns
//! `-EFAULT`, as the kernel's `copy_from_kernel_nofault` callers do.

use hive_interp::{Flow, HelperError, Memory};

use super::{neg, ret};

const PAGE: u64 = 4096;

/// Copies `out.len()` bytes at `addr` from program memory or, failing that, host memory.
pub(crate) fn read_any(mem: &Memory<'_>, addr: u64, out: &mut [u8]) -> bool {
    mem.read_into(addr, out).is_ok() || crate::sys::read_host(addr, out)
}

/// The kernel's `strncpy_from_kernel_nofault(dst, src, count)`: the bytes before the NUL,
/// at most `count - 1` of them (the copy is then cut and NUL-terminated); `Err` when a byte
/// before the NUL (or before `count`) is unreadable.
pub(crate) fn read_str(mem: &Memory<'_>, addr: u64, count: usize) -> Result<Vec<u8>, ()> {
    let mut s: Vec<u8> = Vec::new();
    while s.len() < count {
        let at = addr.checked_add(s.len() as u64).ok_or(())?;
        // Read up to the end of the page (or region) at once; byte by byte if that fails.
        let chunk = ((PAGE - at % PAGE) as usize).min(count - s.len());
        let mut buf = vec![0u8; chunk];
        let n = if read_any(mem, at, &mut buf) {
            chunk
        } else {
            // Byte by byte: fine as long as the NUL comes before the first unreadable byte.
            let mut got = 0;
            loop {
                if !read_any(mem, at + got as u64, &mut buf[got..got + 1]) {
                    return Err(());
                }
                got += 1;
                if buf[got - 1] == 0 || got == chunk {
                    break got;
                }
            }
        };
        if let Some(end) = buf[..n].iter().position(|&b| b == 0) {
            s.extend_from_slice(&buf[..end]);
            return Ok(s);
        }
        s.extend_from_slice(&buf[..n]);
    }
    s.truncate(count.saturating_sub(1));
    Ok(s)
}

/// `bpf_probe_read{,_user,_kernel}(dst, size, unsafe_ptr)`.
pub fn probe_read(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let (dst, size, src) = (a[0], a[1] as u32 as usize, a[2]);
    let mut buf = vec![0u8; size];
    let ok = read_any(mem, src, &mut buf);
    if !ok {
        buf.fill(0);
    }
    mem.write(dst, &buf)?;
    ret(if ok { 0 } else { neg(libc::EFAULT) })
}

/// `bpf_probe_read{,_user,_kernel}_str(dst, size, unsafe_ptr)`: the length copied with its
/// NUL, or `-EFAULT` (and a zeroed destination).
pub fn probe_read_str(a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let (dst, size, src) = (a[0], a[1] as u32 as usize, a[2]);
    if size == 0 {
        return ret(0);
    }
    match read_str(mem, src, size) {
        Ok(mut s) => {
            s.push(0);
            mem.write(dst, &s)?;
            ret(s.len() as u64)
        }
        Err(()) => {
            mem.write(dst, &vec![0; size])?;
            ret(neg(libc::EFAULT))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hive_interp::RegionKind;

    #[test]
    fn strings_from_program_and_host_memory() {
        let mut region = *b"abc\0def";
        let host = b"host string\0".to_vec();
        let mut mem = Memory::new();
        let a = mem.add_region(RegionKind::Other, &mut region);
        assert_eq!(read_str(&mem, a, 16), Ok(b"abc".to_vec()));
        assert_eq!(read_str(&mem, a, 3), Ok(b"ab".to_vec()), "cut at count - 1");
        assert_eq!(read_str(&mem, host.as_ptr() as u64, 64), Ok(b"host string".to_vec()));
        assert_eq!(read_str(&mem, 16, 8), Err(()));
    }
}
