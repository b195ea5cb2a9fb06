//! Differential tests against the host kernel's maps: seeded random operation sequences run
//! on a kernel map (through `hive-kernel`) and a Hive map, comparing every result and
//! `errno`, and the full iteration where the kernel defines its order (arrays, LPM tries).
//! Hash maps iterate in an order that depends on the kernel's random seed, so their key sets
//! are compared instead; LRU maps evict differently, so only the kernel's guarantees are
//! checked on both sides against a model. Each test skips with a note when `bpf()` is
//! unavailable, and prints how many operations it compared.

#![allow(unsafe_code)] // one raw bpf() call for the commands hive-kernel does not wrap

use std::collections::BTreeMap;
use std::os::fd::AsRawFd;

use hive_kernel as hk;
use hive_maps::{Map, MapError, MapSpec, MapType, flags};

macro_rules! require_kernel {
    () => {
        if let Err(why) = hk::available() {
            eprintln!("skipping: {why}");
            return;
        }
    };
}

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Seeds 1..=N, N from `HIVE_DIFF_SEEDS` (default 3) for longer local runs.
fn seeds() -> std::ops::RangeInclusive<u64> {
    1..=std::env::var("HIVE_DIFF_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3)
}

fn cpus() -> usize {
    hk::possible_cpus().expect("possible CPUs")
}

fn kspec(s: &MapSpec) -> hk::MapSpec {
    hk::MapSpec {
        map_type: hk::MapType(s.map_type.to_raw()),
        key_size: s.key_size,
        value_size: s.value_size,
        max_entries: s.max_entries,
        map_flags: s.map_flags,
        name: "hive_diff".into(),
    }
}

type R<T> = Result<T, i32>;

fn kerr<T>(r: Result<T, hk::KernelError>) -> R<T> {
    r.map_err(|e| e.errno().unwrap_or(-1))
}

fn herr<T>(r: Result<T, MapError>) -> R<T> {
    r.map_err(MapError::errno)
}

/// `BPF_MAP_LOOKUP_ELEM` with an input value (bloom filter) and
/// `BPF_MAP_LOOKUP_AND_DELETE_ELEM`, which `hive-kernel` does not offer.
fn raw_elem(cmd: u32, map: &hk::MapFd, key: &[u8], value: &mut [u8], flags: u64) -> R<()> {
    #[repr(C)]
    struct Attr {
        map_fd: u32,
        pad: u32,
        key: u64,
        value: u64,
        flags: u64,
    }
    let attr = Attr {
        map_fd: map.as_raw_fd() as u32,
        pad: 0,
        key: if key.is_empty() { 0 } else { key.as_ptr() as u64 },
        value: value.as_mut_ptr() as u64,
        flags,
    };
    // SAFETY: the attribute points at `key` and `value`, borrowed for the call, whose
    // lengths are the map's key size and value length (checked by the callers' specs).
    let r = unsafe { libc::syscall(libc::SYS_bpf, cmd, &attr as *const Attr, size_of::<Attr>()) };
    if r < 0 { Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)) } else { Ok(()) }
}

const LOOKUP_ELEM: u32 = 1;
const LOOKUP_AND_DELETE_ELEM: u32 = 21;

/// A kernel map and a Hive map created from the same spec, and the number of compared
/// operations.
struct Pair {
    k: hk::MapFd,
    h: Map,
    ops: usize,
    what: String,
}

impl Pair {
    fn new(spec: MapSpec, seed: u64) -> Pair {
        let k = hk::MapFd::create(&kspec(&spec)).unwrap_or_else(|e| panic!("kernel create {spec:?}: {e}"));
        let what = format!("{} seed {seed}", spec.map_type.kernel_name());
        let h = Map::create(spec, cpus()).expect("hive create");
        assert_eq!(k.value_len(), h.user_value_size());
        Pair { k, h, ops: 0, what }
    }

    fn update(&mut self, key: &[u8], value: &[u8], f: u64) -> R<()> {
        self.ops += 1;
        let a = kerr(self.k.update(key, value, f));
        let b = herr(self.h.update(key, value, f));
        assert_eq!(a, b, "{}: op {} update key {key:?} flags {f}", self.what, self.ops);
        a
    }

    fn lookup(&mut self, key: &[u8]) -> R<Vec<u8>> {
        self.ops += 1;
        let a = kerr(self.k.lookup(key)).and_then(|v| v.ok_or(libc::ENOENT));
        let b = herr(self.h.lookup_vec(key));
        assert_eq!(a, b, "{}: op {} lookup key {key:?}", self.what, self.ops);
        a
    }

    fn delete(&mut self, key: &[u8]) -> R<()> {
        self.ops += 1;
        let a = kerr(self.k.delete(key));
        let b = herr(self.h.delete(key));
        assert_eq!(a, b, "{}: op {} delete key {key:?}", self.what, self.ops);
        a
    }

    fn lookup_and_delete(&mut self, key: &[u8], f: u64) -> R<Vec<u8>> {
        self.ops += 1;
        let mut va = vec![0; self.k.value_len()];
        let mut vb = vec![0; self.h.user_value_size()];
        let a = raw_elem(LOOKUP_AND_DELETE_ELEM, &self.k, key, &mut va, f).map(|()| va);
        let b = herr(self.h.lookup_and_delete(key, &mut vb, f)).map(|()| vb);
        assert_eq!(a, b, "{}: op {} lookup_and_delete key {key:?} flags {f}", self.what, self.ops);
        a
    }

    /// `next_key`, comparing the key itself only when `ordered`.
    fn next_key(&mut self, key: Option<&[u8]>, ordered: bool) -> R<Option<Vec<u8>>> {
        self.ops += 1;
        let a = kerr(self.k.next_key(key));
        let b = herr(self.h.next_key(key));
        if ordered {
            assert_eq!(a, b, "{}: op {} next_key {key:?}", self.what, self.ops);
        } else {
            // Whether a key follows `key` depends on the order; whether a first key exists
            // does not, and neither do error numbers.
            let shape = |r: &R<Option<Vec<u8>>>| r.as_ref().map(|k| key.is_some() || k.is_some()).map_err(|e| *e);
            assert_eq!(shape(&a), shape(&b), "{}: op {} next_key {key:?}", self.what, self.ops);
        }
        a
    }

    /// Full contents: ordered iteration compared as is, otherwise as sorted sets.
    fn compare_all(&mut self, ordered: bool) {
        self.ops += 1;
        let mut a = self.k.keys().expect("kernel keys");
        let mut b = self.h.keys().expect("hive keys");
        if !ordered {
            a.sort();
            b.sort();
        }
        assert_eq!(a, b, "{}: op {} key sets", self.what, self.ops);
        for key in a {
            self.lookup(&key).expect("listed key can be looked up");
        }
    }
}

fn report(name: &str, ops: usize) {
    eprintln!("{name}: {ops} operations compared with the kernel, 0 mismatches");
}

#[test]
fn creation_checks_match() {
    require_kernel!();
    let f = flags::NO_PREALLOC;
    let mut cases = vec![];
    for t in [MapType::Array, MapType::PercpuArray, MapType::Hash, MapType::PercpuHash, MapType::LruHash, MapType::LruPercpuHash]
    {
        for (k, v, m) in [(4, 8, 4), (0, 8, 4), (4, 0, 4), (4, 8, 0), (8, 8, 4), (3, 1, 1), (512, 8, 2), (513, 8, 2), (4, 32768, 2), (4, 32769, 2), (4, 1 << 22, 1)] {
            for fl in [0, f, flags::NO_COMMON_LRU, flags::ZERO_SEED, flags::MMAPABLE, flags::RDONLY_PROG | flags::WRONLY_PROG, flags::INNER_MAP, flags::PRESERVE_ELEMS, 1 << 20, flags::NUMA_NODE] {
                cases.push(MapSpec::new(t, k, v, m).with_flags(fl));
            }
        }
    }
    for (k, v, m, fl) in [(8, 8, 4, f), (8, 8, 4, 0), (4, 8, 4, f), (5, 8, 4, f), (260, 8, 4, f), (261, 8, 4, f), (8, 0, 4, f), (8, 8, 0, f), (8, 8, 4, f | flags::ZERO_SEED)] {
        cases.push(MapSpec::new(MapType::LpmTrie, k, v, m).with_flags(fl));
    }
    for t in [MapType::Queue, MapType::Stack, MapType::BloomFilter] {
        for (k, v, m, fl) in [(0, 8, 4, 0), (4, 8, 4, 0), (0, 0, 4, 0), (0, 8, 0, 0), (0, 8, 4, f), (0, 8, 4, flags::ZERO_SEED), (0, 1 << 22, 1, 0), (0, (1 << 22) + 1, 1, 0)] {
            cases.push(MapSpec::new(t, k, v, m).with_flags(fl));
        }
    }
    for (k, v, m, fl) in [(0, 0, 4096, 0), (0, 0, 8192, 0), (0, 0, 4095, 0), (0, 0, 12288, 0), (4, 0, 4096, 0), (0, 4, 4096, 0), (0, 0, 4096, f), (0, 0, 0, 0)] {
        cases.push(MapSpec::new(MapType::RingBuf, k, v, m).with_flags(fl));
    }
    for t in [MapType::ProgArray, MapType::PerfEventArray] {
        for (k, v, m, fl) in [(4, 4, 4, 0), (4, 8, 4, 0), (8, 4, 4, 0), (4, 4, 0, 0), (4, 4, 4, flags::PRESERVE_ELEMS), (4, 4, 4, f), (4, 4, 4, flags::RDONLY_PROG)] {
            cases.push(MapSpec::new(t, k, v, m).with_flags(fl));
        }
    }
    let mut agree = 0;
    for spec in &cases {
        let a = kerr(hk::MapFd::create(&kspec(spec)).map(drop));
        let b = herr(Map::create(spec.clone(), cpus()).map(drop));
        assert_eq!(a, b, "create {spec:?}");
        agree += 1;
    }
    report("map creation", agree);
}

fn array_like(t: MapType, seed: u64) -> usize {
    let mut rng = Rng::new(seed);
    let spec = MapSpec::new(t, 4, 12, 8);
    let mut p = Pair::new(spec, seed);
    let vlen = p.h.user_value_size();
    for _ in 0..600 {
        let idx = rng.below(10) as u32;
        let key = idx.to_ne_bytes();
        match rng.below(10) {
            0..=3 => drop(p.update(&key, &rng.bytes(vlen), rng.pick(&[0, 0, 1, 2, 3, 4, 8]))),
            4..=6 => drop(p.lookup(&key)),
            7 => drop(p.delete(&key)),
            8 => drop(p.next_key(if rng.below(4) == 0 { None } else { Some(&key) }, true)),
            _ => p.compare_all(true),
        }
    }
    p.compare_all(true);
    p.ops
}

#[test]
fn array_matches_kernel() {
    require_kernel!();
    let ops: usize = seeds().map(|s| array_like(MapType::Array, s)).sum();
    report("array", ops);
}

#[test]
fn percpu_array_matches_kernel() {
    require_kernel!();
    let ops: usize = seeds().map(|s| array_like(MapType::PercpuArray, s)).sum();
    report("percpu_array", ops);
}

fn hash_like(t: MapType, map_flags: u32, seed: u64) -> usize {
    let mut rng = Rng::new(seed);
    let spec = MapSpec::new(t, 6, 12, 16).with_flags(map_flags);
    let mut p = Pair::new(spec, seed);
    let vlen = p.h.user_value_size();
    let keys: Vec<[u8; 6]> = (0..24u8).map(|i| [i, 0, i.wrapping_mul(7), 1, 2, 3]).collect();
    for _ in 0..1500 {
        let key = rng.pick(&keys);
        match rng.below(12) {
            0..=4 => drop(p.update(&key, &rng.bytes(vlen), rng.pick(&[0, 0, 1, 2, 3, 4, 6]))),
            5..=6 => drop(p.lookup(&key)),
            7..=8 => drop(p.delete(&key)),
            9 => drop(p.lookup_and_delete(&key, rng.pick(&[0, 0, 0, 4, 1]))),
            10 => drop(p.next_key(if rng.below(2) == 0 { None } else { Some(&key) }, false)),
            _ => p.compare_all(false),
        }
    }
    p.compare_all(false);
    p.ops
}

#[test]
fn hash_matches_kernel() {
    require_kernel!();
    let pre: usize = seeds().map(|s| hash_like(MapType::Hash, 0, s)).sum();
    let no_pre: usize = seeds().map(|s| hash_like(MapType::Hash, flags::NO_PREALLOC, s)).sum();
    report("hash (preallocated)", pre);
    report("hash (BPF_F_NO_PREALLOC)", no_pre);
}

#[test]
fn percpu_hash_matches_kernel() {
    require_kernel!();
    let pre: usize = seeds().map(|s| hash_like(MapType::PercpuHash, 0, s)).sum();
    let no_pre: usize = seeds().map(|s| hash_like(MapType::PercpuHash, flags::NO_PREALLOC, s)).sum();
    report("percpu_hash (preallocated)", pre);
    report("percpu_hash (BPF_F_NO_PREALLOC)", no_pre);
}

/// LRU: eviction choices differ, so each side is checked against the guarantees: updates
/// with `BPF_ANY` never fail, the updated key is then present with its value, the map never
/// holds more than `max_entries`, and every key present carries the last value written.
fn lru_like(t: MapType, seed: u64) -> usize {
    let mut rng = Rng::new(seed);
    let spec = MapSpec::new(t, 4, 8, 32);
    let p = Pair::new(spec, seed);
    let vlen = p.h.user_value_size();
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut ops = 0;
    for _ in 0..2000 {
        let key = (rng.below(96) as u32).to_ne_bytes().to_vec();
        ops += 1;
        if rng.below(5) == 0 {
            let a = kerr(p.k.delete(&key));
            let b = herr(p.h.delete(&key));
            model.remove(&key);
            for r in [a, b] {
                assert!(matches!(r, Ok(()) | Err(libc::ENOENT)), "{r:?}");
            }
            continue;
        }
        let value = rng.bytes(vlen);
        assert_eq!(kerr(p.k.update(&key, &value, 0)), Ok(()), "kernel LRU update");
        assert_eq!(herr(p.h.update(&key, &value, 0)), Ok(()), "hive LRU update never fails");
        assert_eq!(kerr(p.k.lookup(&key)), Ok(Some(value.clone())));
        assert_eq!(herr(p.h.lookup_vec(&key)), Ok(value.clone()));
        model.insert(key, value);
        if rng.below(50) == 0 {
            for (name, keys) in [("kernel", p.k.keys().unwrap()), ("hive", p.h.keys().unwrap())] {
                assert!(keys.len() <= 32, "{name} holds {} > max_entries", keys.len());
                for k in keys {
                    assert!(model.contains_key(&k), "{name} holds a deleted key");
                }
            }
            for (k, v) in &model {
                if let Ok(got) = p.h.lookup_vec(k) {
                    assert_eq!(&got, v, "hive: stale value");
                }
            }
        }
    }
    ops
}

#[test]
fn lru_hash_keeps_the_kernel_guarantees() {
    require_kernel!();
    report("lru_hash (guarantees)", seeds().map(|s| lru_like(MapType::LruHash, s)).sum());
    report("lru_percpu_hash (guarantees)", seeds().map(|s| lru_like(MapType::LruPercpuHash, s)).sum());
}

#[test]
fn lpm_trie_matches_kernel() {
    require_kernel!();
    let mut total = 0;
    for seed in seeds() {
        let mut rng = Rng::new(seed);
        // IPv4-, single-byte- and IPv6-sized keys in turn.
        let data_size = [4usize, 1, 16][seed as usize % 3];
        let max_len = data_size as u32 * 8;
        let spec = MapSpec::new(MapType::LpmTrie, 4 + data_size as u32, 8, 24).with_flags(flags::NO_PREALLOC);
        let mut p = Pair::new(spec, seed);
        let bases: Vec<Vec<u8>> = (0..5).map(|_| rng.bytes(data_size)).collect();
        let lens: Vec<u32> = [0, 1, 7, 8, 12, 16, 17, 23, 24, 25, 31, 32, 64, 127, 128]
            .into_iter()
            .filter(|&l| l <= max_len)
            .chain([max_len, max_len, max_len + 1])
            .collect();
        for _ in 0..1500 {
            let mut data = bases[rng.below(5) as usize].clone();
            if rng.below(3) == 0 {
                data[rng.below(data_size as u64) as usize] ^= 1 << rng.below(8);
            }
            let len = rng.pick(&lens);
            let mut key = len.to_ne_bytes().to_vec();
            key.extend_from_slice(&data);
            match rng.below(10) {
                0..=3 => drop(p.update(&key, &rng.bytes(8), rng.pick(&[0, 0, 1, 2, 3]))),
                4..=5 => drop(p.lookup(&key)),
                6..=7 => drop(p.delete(&key)),
                8 => drop(p.next_key(if rng.below(4) == 0 { None } else { Some(&key) }, true)),
                _ => p.compare_all(true),
            }
        }
        p.compare_all(true);
        total += p.ops;
    }
    report("lpm_trie (1-, 4- and 16-byte keys, post-order iteration compared)", total);
}

#[test]
fn queue_and_stack_match_kernel() {
    require_kernel!();
    let mut total = 0;
    for t in [MapType::Queue, MapType::Stack] {
        for seed in seeds() {
            let mut rng = Rng::new(seed);
            let mut p = Pair::new(MapSpec::new(t, 0, 12, 5), seed);
            for _ in 0..800 {
                match rng.below(8) {
                    0..=2 => drop(p.update(&[], &rng.bytes(12), rng.pick(&[0, 0, 1, 2, 2, 3, 4]))),
                    3 => drop(p.lookup(&[])),
                    4..=5 => drop(p.lookup_and_delete(&[], rng.pick(&[0, 0, 0, 4]))),
                    6 => drop(p.delete(&[])),
                    _ => {
                        p.ops += 1;
                        let a = kerr(p.k.next_key(None));
                        let b = herr(p.h.next_key(None));
                        assert_eq!(a, b, "{t:?} next_key");
                    }
                }
            }
            total += p.ops;
        }
        report(if t == MapType::Queue { "queue" } else { "stack" }, total);
        total = 0;
    }
}

#[test]
fn bloom_filter_has_no_false_negatives_and_kernel_errnos() {
    require_kernel!();
    let mut total = 0;
    for seed in seeds() {
        let mut rng = Rng::new(seed);
        let mut p = Pair::new(MapSpec::new(MapType::BloomFilter, 0, 8, 64), seed);
        let mut pushed = vec![];
        for _ in 0..400 {
            let v = rng.bytes(8);
            match rng.below(6) {
                0..=2 => {
                    let f = rng.pick(&[0, 0, 0, 1, 2]);
                    if p.update(&[], &v, f).is_ok() {
                        pushed.push(v);
                    }
                }
                3 => drop(p.delete(&[])),
                4 => drop(p.next_key(None, true)),
                _ => {
                    p.ops += 1;
                    let mut x = v.clone();
                    let a = raw_elem(LOOKUP_AND_DELETE_ELEM, &p.k, &[], &mut x, 0);
                    let b = herr(p.h.lookup_and_delete(&[], &mut x, 0));
                    assert_eq!(a, b, "bloom lookup_and_delete");
                }
            }
        }
        for v in &pushed {
            let mut x = v.clone();
            assert_eq!(raw_elem(LOOKUP_ELEM, &p.k, &[], &mut x, 0), Ok(()), "kernel: no false negative");
            assert_eq!(herr(p.h.lookup(&[], &mut x, 0)), Ok(()), "hive: no false negative");
            p.ops += 1;
        }
        total += p.ops;
    }
    report("bloom_filter", total);
}

/// `BPF_MAP_*_BATCH` through a raw call: the result, the count the kernel reports, and the
/// batch cursor it wrote.
struct KBatch {
    res: R<()>,
    count: u32,
}

/// The buffers of one batch command.
struct Bufs<'a> {
    in_batch: Option<&'a [u8]>,
    out_batch: &'a mut [u8],
    keys: &'a mut [u8],
    values: &'a mut [u8],
}

fn kernel_batch(cmd: u32, map: &hk::MapFd, bufs: Bufs<'_>, count: u32, elem_flags: u64) -> KBatch {
    let Bufs { in_batch, out_batch, keys, values } = bufs;
    #[repr(C)]
    struct Attr {
        in_batch: u64,
        out_batch: u64,
        keys: u64,
        values: u64,
        count: u32,
        map_fd: u32,
        elem_flags: u64,
        flags: u64,
    }
    let mut attr = Attr {
        in_batch: in_batch.map_or(0, |b| b.as_ptr() as u64),
        out_batch: out_batch.as_mut_ptr() as u64,
        keys: keys.as_mut_ptr() as u64,
        values: values.as_mut_ptr() as u64,
        count,
        map_fd: map.as_raw_fd() as u32,
        elem_flags,
        flags: 0,
    };
    // SAFETY: `keys` and `values` hold `count` elements of the map's sizes and the batch
    // buffers are at least key-sized (callers size them), all borrowed for the call.
    let r = unsafe { libc::syscall(libc::SYS_bpf, cmd, &mut attr as *mut Attr, size_of::<Attr>()) };
    let res = if r < 0 { Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)) } else { Ok(()) };
    // A command refused before its loop leaves `count` as given: report 0 done.
    let count = if matches!(res, Err(libc::EINVAL | 524)) && attr.count == count { 0 } else { attr.count };
    KBatch { res, count }
}

const LOOKUP_BATCH: u32 = 24;
const UPDATE_BATCH: u32 = 26;
const DELETE_BATCH: u32 = 27;

/// Walks the kernel map in lookup batches of `step`, returning every (key, value) and the
/// per-batch (count, done) shape.
/// Every (key, value) a batch walk returned, and each batch's (count, done).
type Walk = (Vec<(Vec<u8>, Vec<u8>)>, Vec<(u32, bool)>);

fn kernel_walk(map: &hk::MapFd, key_size: usize, step: u32) -> Walk {
    let vlen = map.value_len();
    let (mut items, mut shape) = (vec![], vec![]);
    let mut cursor: Option<Vec<u8>> = None;
    let mut step = step;
    loop {
        let mut out = vec![0u8; key_size.max(8)];
        let mut keys = vec![0u8; key_size * step as usize];
        let mut values = vec![0u8; vlen * step as usize];
        let bufs = Bufs { in_batch: cursor.as_deref(), out_batch: &mut out, keys: &mut keys, values: &mut values };
        let b = kernel_batch(LOOKUP_BATCH, map, bufs, step, 0);
        if b.res == Err(libc::ENOSPC) {
            // Hash batches return whole buckets: a bucket larger than `step` needs more room.
            step *= 2;
            continue;
        }
        assert!(matches!(b.res, Ok(()) | Err(libc::ENOENT)), "{:?}", b.res);
        for i in 0..b.count as usize {
            items.push((keys[i * key_size..][..key_size].to_vec(), values[i * vlen..][..vlen].to_vec()));
        }
        let done = b.res.is_err();
        shape.push((b.count, done));
        if done {
            return (items, shape);
        }
        cursor = Some(out);
    }
}

fn hive_walk(map: &Map, step: usize) -> Walk {
    let (ks, vs) = (map.spec().key_size as usize, map.user_value_size());
    let (mut items, mut shape) = (vec![], vec![]);
    let mut cursor = None;
    loop {
        let b = map.lookup_batch(cursor.as_ref(), step, 0).unwrap();
        for i in 0..b.count {
            items.push((b.keys[i * ks..][..ks].to_vec(), b.values[i * vs..][..vs].to_vec()));
        }
        shape.push((b.count as u32, b.next.is_none()));
        match b.next {
            Some(c) => cursor = Some(c),
            None => return (items, shape),
        }
    }
}

#[test]
fn batch_operations_match_kernel() {
    require_kernel!();
    let mut compared = 0;
    for (t, ks, fl) in [
        (MapType::Array, 4, 0),
        (MapType::PercpuArray, 4, 0),
        (MapType::Hash, 4, 0),
        (MapType::PercpuHash, 4, flags::NO_PREALLOC),
        (MapType::LpmTrie, 8, flags::NO_PREALLOC),
    ] {
        let mut rng = Rng::new(7);
        let p = Pair::new(MapSpec::new(t, ks, 8, 10).with_flags(fl), 7);
        let vlen = p.h.user_value_size();
        // Update batch: 12 elements, the 11th (array: index 10) or the full map fails.
        let mut keys = vec![];
        for i in 0..12u32 {
            keys.extend_from_slice(&i.to_ne_bytes());
            if ks == 8 {
                keys.extend_from_slice(&[10, 0, i as u8, 0]);
                keys[i as usize * 8..][..4].copy_from_slice(&(24 + i % 9).to_ne_bytes());
            }
        }
        let mut values = rng.bytes(12 * vlen);
        for flags in [elem_flags_noexist(), 0] {
            let mut out = [0u8; 16];
            let bufs = Bufs { in_batch: None, out_batch: &mut out, keys: &mut keys.clone(), values: &mut values };
            let kb = kernel_batch(UPDATE_BATCH, &p.k, bufs, 12, flags);
            let hb = p.h.update_batch(&keys, &values, flags);
            let hb = match hb {
                Ok(n) => (Ok(()), n as u32),
                Err((n, e)) => (Err(e.errno()), n as u32),
            };
            assert_eq!((kb.res, kb.count), hb, "{t:?} update batch flags {flags}");
            compared += 1;
        }
        for step in [1, 3, 10, 64] {
            let (ki, kshape) = kernel_walk(&p.k, ks as usize, step);
            let (hi, hshape) = hive_walk(&p.h, step as usize);
            if t.is_hash() {
                // Hash batches follow buckets in the kernel: compare the walk as a set.
                let (mut ki, mut hi) = (ki, hi);
                ki.sort();
                hi.sort();
                assert_eq!(ki, hi, "{t:?} step {step}");
            } else {
                assert_eq!((ki, kshape), (hi, hshape), "{t:?} step {step}");
            }
            compared += 1;
        }
        // Delete batch: existing keys, then a missing one in the middle.
        let del: Vec<u8> = [0u32, 1, 11, 2].iter().flat_map(|&i| keys[i as usize * ks as usize..][..ks as usize].to_vec()).collect();
        let mut out = [0u8; 16];
        let bufs = Bufs { in_batch: None, out_batch: &mut out, keys: &mut del.clone(), values: &mut [] };
        let kb = kernel_batch(DELETE_BATCH, &p.k, bufs, 4, 0);
        let hb = match p.h.delete_batch(&del) {
            Ok(n) => (Ok(()), n as u32),
            Err((n, e)) => (Err(e.errno()), n as u32),
        };
        assert_eq!((kb.res, kb.count), hb, "{t:?} delete batch");
        compared += 1;
    }
    report("batch operations", compared);
}

fn elem_flags_noexist() -> u64 {
    hive_maps::elem::NOEXIST
}
