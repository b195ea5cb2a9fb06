//! Packet buffers below 4 GiB.
//!
//! `struct xdp_md` gives a program its packet as two 32-bit fields (`data`, `data_end`); the
//! kernel rewrites those loads into 64-bit loads of `xdp_buff`'s pointers. Hive's engines
//! run the instructions as compiled, so the bench gives them a real `xdp_md` whose fields
//! hold real addresses: the packet is placed in memory mapped with `MAP_32BIT` (the low
//! 2 GiB on x86-64), where a zero-extended 32-bit load is the full pointer. rbpf runs the
//! same way. (hive-runtime's XDP context will rewrite context accesses instead, as the
//! kernel does; until then this keeps the instructions identical on every engine.)

use std::ops::{Deref, DerefMut};

/// A zero-initialised buffer mapped below 4 GiB, unmapped on drop.
#[derive(Debug)]
pub struct LowBuf {
    ptr: *mut u8,
    len: usize,
    mapped: usize,
}

impl LowBuf {
    /// A copy of `bytes` below 4 GiB.
    pub fn new(bytes: &[u8]) -> std::io::Result<LowBuf> {
        let mapped = bytes.len().max(1).next_multiple_of(4096);
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing; no
        // existing memory is touched.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                mapped,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_32BIT,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let mut buf = LowBuf { ptr: ptr.cast(), len: bytes.len(), mapped };
        if (buf.ptr as u64) + mapped as u64 > u64::from(u32::MAX) {
            return Err(std::io::Error::other("MAP_32BIT returned memory above 4 GiB"));
        }
        buf.copy_from_slice(bytes);
        Ok(buf)
    }

    /// The guest address of the first byte, as a 32-bit value.
    pub fn addr32(&self) -> u32 {
        self.ptr as u64 as u32
    }
}

impl Deref for LowBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: `ptr` is a live mapping of at least `len` initialised bytes owned by self.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl DerefMut for LowBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`, and `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for LowBuf {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`mapped` are exactly the mapping made in `new`, unmapped once.
        unsafe {
            libc::munmap(self.ptr.cast(), self.mapped);
        }
    }
}

/// An `xdp_md` for a packet at `data` of `len` bytes: data, data_end, data_meta (= data),
/// ingress_ifindex 1 (the loopback device, as the kernel's test run), rx_queue_index 0,
/// egress_ifindex 0.
pub fn xdp_md(data: u32, len: usize) -> [u8; 24] {
    let mut ctx = [0u8; 24];
    let fields = [data, data + len as u32, data, 1, 0, 0];
    for (i, f) in fields.iter().enumerate() {
        ctx[i * 4..i * 4 + 4].copy_from_slice(&f.to_le_bytes());
    }
    ctx
}
