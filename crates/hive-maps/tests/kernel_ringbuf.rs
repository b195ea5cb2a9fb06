//! The ring buffer layout against the kernel's: a syscall program calls
//! `bpf_ringbuf_output` on a kernel ring buffer, the test maps that buffer as libbpf does
//! (consumer page read-write at offset 0, producer page and data read-only after it) and
//! checks that Hive's buffer holds the same positions, header words and bytes after the
//! same outputs. Skips with a note when `bpf()` is unavailable.

#![allow(unsafe_code)] // mmap of the kernel's ring buffer

use std::os::fd::AsRawFd;

use hive_isa::RawInsn;
use hive_kernel as hk;
use hive_maps::{Map, MapSpec, MapType};

/// Stores 64 bytes of `fill` on the stack, then `r1 = map; r2 = r10 - 64; r3 = size;
/// r4 = 0; call bpf_ringbuf_output; r0 = 0; exit`.
fn output_prog(map_fd: i32, size: i32, fill: u8) -> Vec<RawInsn> {
    let word = i32::from_ne_bytes([fill; 4]);
    let mut p = vec![RawInsn::new(0x18, 1, 0, 0, word), RawInsn::new(0, 0, 0, 0, word)]; // r1 = fill x8
    for off in (-64..0).step_by(8) {
        p.push(RawInsn::new(0x7b, 10, 1, off, 0)); // *(u64 *)(r10 + off) = r1
    }
    p.extend([
        RawInsn::new(0x18, 1, 1, 0, map_fd), // r1 = map (BPF_PSEUDO_MAP_FD)
        RawInsn::new(0, 0, 0, 0, 0),
        RawInsn::new(0xbf, 2, 10, 0, 0),   // r2 = r10
        RawInsn::new(0x07, 2, 0, 0, -64),  // r2 += -64
        RawInsn::new(0xb7, 3, 0, 0, size), // r3 = size
        RawInsn::new(0xb7, 4, 0, 0, 0),    // r4 = 0
        RawInsn::new(0x85, 0, 0, 0, 130),  // call bpf_ringbuf_output
        RawInsn::new(0xb7, 0, 0, 0, 0),
        RawInsn::new(0x95, 0, 0, 0, 0),
    ]);
    p
}

/// A shared mapping of `len` bytes of `fd` at `offset`.
struct Mapping {
    ptr: *mut libc::c_void,
    len: usize,
}

impl Mapping {
    fn new(fd: i32, len: usize, offset: usize, prot: i32) -> Mapping {
        // SAFETY: a fresh shared mapping of the kernel's ring buffer, unmapped on drop.
        let ptr = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, libc::MAP_SHARED, fd, offset as libc::off_t) };
        assert_ne!(ptr, libc::MAP_FAILED, "mmap: {}", std::io::Error::last_os_error());
        Mapping { ptr, len }
    }

    fn bytes(&self, off: usize, n: usize) -> Vec<u8> {
        assert!(off + n <= self.len);
        // SAFETY: inside the mapping; the kernel is not writing (no program runs meanwhile).
        unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>().add(off), n) }.to_vec()
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`.
        unsafe { libc::munmap(self.ptr, self.len) };
    }
}

#[test]
fn ringbuf_layout_matches_the_kernel() {
    if let Err(why) = hk::available() {
        eprintln!("skipping: {why}");
        return;
    }
    let size = 4096usize;
    let spec = hk::MapSpec {
        map_type: hk::MapType(27),
        key_size: 0,
        value_size: 0,
        max_entries: size as u32,
        map_flags: 0,
        name: "hive_rb".into(),
    };
    let kmap = hk::MapFd::create(&spec).expect("kernel ringbuf");
    let hmap = Map::create(MapSpec::new(MapType::RingBuf, 0, 0, size as u32), 1).unwrap();
    let rb = hmap.ringbuf().unwrap();
    let page = rb.page_size();
    // Outputs of these sizes, consumed as they come, wrap around the 4 KiB data area.
    let sizes = [5, 64, 1, 12, 57, 16, 3, 40];
    let progs: Vec<_> = sizes
        .iter()
        .map(|&n| {
            hk::prog_load(hk::ProgType::Syscall, &output_prog(kmap.as_raw_fd(), n, n as u8), "GPL", 0)
                .unwrap_or_else(|e| panic!("load: {e}"))
        })
        .collect();
    let mut compared = 0;
    let producer = Mapping::new(kmap.as_raw_fd(), page + 2 * size, page, libc::PROT_READ);
    let consumer = Mapping::new(kmap.as_raw_fd(), page, 0, libc::PROT_READ | libc::PROT_WRITE);
    for i in 0..500 {
        let (n, prog) = (sizes[i % sizes.len()], &progs[i % sizes.len()]);
        prog.test_run(&[], Some(&[0; 8]), 1).expect("test run");
        rb.output(&vec![n as u8; n as usize], 0).unwrap();
        let kprod = u64::from_ne_bytes(producer.bytes(0, 8).try_into().unwrap());
        assert_eq!(kprod, rb.query(hive_maps::BPF_RB_PROD_POS), "producer_pos after {i} outputs");
        let off = ((kprod - ((n as u64 + 8).div_ceil(8) * 8)) % size as u64) as usize;
        // The kernel's record through its double mapping, Hive's through the memfd.
        let khdr = producer.bytes(page + off, 8 + n as usize);
        let file = std::fs::read(format!("/proc/self/fd/{}", rb.memfd().as_raw_fd())).unwrap();
        let mut hhdr = file[2 * page + off..].to_vec();
        hhdr.extend_from_slice(&file[2 * page..]); // wrap as the double mapping does
        assert_eq!(khdr, hhdr[..8 + n as usize], "record {i} (header len, pg_off, sample)");
        // Consume everything on both sides.
        // SAFETY: the consumer page is mapped read-write and only this test writes it.
        unsafe { consumer.ptr.cast::<u64>().write_volatile(kprod) };
        assert_eq!(rb.consumer().unwrap().consume(|s| assert_eq!(s, vec![n as u8; n as usize])), 1);
        compared += 1;
    }
    assert!(rb.query(hive_maps::BPF_RB_PROD_POS) > 3 * size as u64, "wrapped");
    eprintln!("ringbuf: {compared} outputs compared with the kernel's layout, 0 mismatches");
}
