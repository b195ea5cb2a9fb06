//! The ring buffer: layout, reserve/submit/discard, wrap-around through the double mapping,
//! the shared-memory file, and many producers with one consumer.

use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use hive_maps::{
    BPF_RB_AVAIL_DATA, BPF_RB_CONS_POS, BPF_RB_NO_WAKEUP, BPF_RB_PROD_POS, BPF_RB_RING_SIZE, Map, MapError, MapSpec,
    MapType,
};

fn ringbuf(size: u32) -> Map {
    Map::create(MapSpec::new(MapType::RingBuf, 0, 0, size), 1).unwrap()
}

#[test]
fn reserve_submit_discard_consume() {
    let map = ringbuf(4096);
    let rb = map.ringbuf().unwrap();
    assert_eq!(rb.query(BPF_RB_RING_SIZE), 4096);
    let mut r = rb.reserve(5, 0).unwrap();
    assert_eq!(r.addr() % 8, 0);
    r.write(0, b"hello");
    r.submit(0);
    let r = rb.reserve(3, 0).unwrap();
    r.discard(0);
    rb.output(b"world!", 0).unwrap();
    // Header 8 + 5 -> 16, 8 + 3 -> 16, 8 + 6 -> 16.
    assert_eq!(rb.query(BPF_RB_PROD_POS), 48);
    assert_eq!(rb.query(BPF_RB_AVAIL_DATA), 48);
    let mut got = vec![];
    let n = rb.consumer().unwrap().consume(|s| got.push(s.to_vec()));
    assert_eq!(n, 2);
    assert_eq!(got, [b"hello".to_vec(), b"world!".to_vec()]);
    assert_eq!(rb.query(BPF_RB_CONS_POS), 48);
    assert_eq!(rb.reserve(1, 1).map(|r| r.len()), None, "flags must be 0");
    // User-space element commands are not supported, as in the kernel.
    assert_eq!(map.lookup(&[], &mut [], 0), Err(MapError::NotSupported));
}

#[test]
fn full_buffer_refuses_and_busy_records_block_the_consumer() {
    let map = ringbuf(4096);
    let rb = map.ringbuf().unwrap();
    assert!(rb.reserve(4096, 0).is_none(), "a record never fills the whole ring");
    let big = rb.reserve(4000, 0).unwrap();
    assert!(rb.reserve(100, 0).is_none());
    assert_eq!(rb.output(&[0; 100], 0), Err(MapError::Again));
    let small = rb.reserve(16, 0).unwrap();
    let mut small_data = small;
    small_data.write(0, &[1; 16]);
    small_data.submit(0);
    let mut consumer = rb.consumer().unwrap();
    assert_eq!(consumer.consume(|_| {}), 0, "the first record is still busy");
    assert!(rb.consumer().is_none(), "one consumer at a time");
    let addr = big.into_addr();
    rb.commit_addr(addr, 0, false).unwrap();
    assert!(rb.commit_addr(addr, 0, false).is_err(), "already committed");
    assert_eq!(consumer.consume(|_| {}), 2);
}

#[test]
fn records_wrap_contiguously() {
    let map = ringbuf(4096);
    let rb = map.ringbuf().unwrap();
    let mut consumer = rb.consumer().unwrap();
    let mut expect = 0u32;
    for round in 0..50u32 {
        let size = 100 + round * 37 % 900;
        let mut r = rb.reserve(size, 0).unwrap();
        let data: Vec<u8> = (0..size).map(|i| (i + round) as u8).collect();
        r.write(0, &data);
        r.submit(BPF_RB_NO_WAKEUP);
        let mut seen = 0;
        consumer.consume(|s| {
            assert_eq!(s, &data[..], "round {round}");
            seen += 1;
        });
        assert_eq!(seen, 1);
        expect += 1;
    }
    assert!(rb.query(BPF_RB_PROD_POS) > 4 * 4096, "wrapped several times");
    assert_eq!(expect, 50);
}

#[test]
fn memfd_exposes_the_kernel_layout() {
    let map = ringbuf(8192);
    let rb = map.ringbuf().unwrap();
    rb.output(b"abc", 0).unwrap();
    let page = rb.page_size() as u64;
    let fd = rb.memfd().as_raw_fd();
    // Another mapping of the file sees the producer position and the record.
    let file = std::fs::read(format!("/proc/self/fd/{fd}")).unwrap();
    assert_eq!(file.len() as u64, 2 * page + 8192);
    let at = |off: u64, n: usize| file[off as usize..off as usize + n].to_vec();
    assert_eq!(at(page, 8), 16u64.to_ne_bytes(), "producer_pos");
    assert_eq!(at(0, 8), 0u64.to_ne_bytes(), "consumer_pos");
    assert_eq!(at(2 * page, 4), 3u32.to_ne_bytes(), "header len, committed");
    assert_eq!(at(2 * page + 4, 4), 3u32.to_ne_bytes(), "header pg_off, as the kernel writes it");
    assert_eq!(at(2 * page + 8, 3), b"abc");
}

#[test]
fn many_producers_one_consumer() {
    let map = Arc::new(ringbuf(1 << 14));
    const PER: u32 = 2000;
    const PRODUCERS: u32 = 3;
    let mut counts = vec![0u32; PRODUCERS as usize];
    std::thread::scope(|s| {
        for p in 0..PRODUCERS {
            let map = map.clone();
            s.spawn(move || {
                let rb = map.ringbuf().unwrap();
                let mut i = 0;
                while i < PER {
                    let mut rec = [0u8; 12];
                    rec[..4].copy_from_slice(&p.to_ne_bytes());
                    rec[4..8].copy_from_slice(&i.to_ne_bytes());
                    match rb.output(&rec[..8 + (i as usize % 5)], 0) {
                        Ok(()) => i += 1,
                        Err(_) => std::thread::yield_now(),
                    }
                }
            });
        }
        let rb = map.ringbuf().unwrap();
        let mut consumer = rb.consumer().unwrap();
        let total = PER * PRODUCERS;
        let mut seen = 0;
        while seen < total {
            consumer.wait(Duration::from_millis(10));
            seen += consumer.consume(|s| {
                let p = u32::from_ne_bytes(s[..4].try_into().unwrap()) as usize;
                let i = u32::from_ne_bytes(s[4..8].try_into().unwrap());
                assert_eq!(i, counts[p], "per-producer order");
                assert_eq!(s.len(), 8 + (i as usize % 5));
                counts[p] += 1;
            }) as u32;
        }
    });
    assert!(counts.iter().all(|&c| c == PER));
}
