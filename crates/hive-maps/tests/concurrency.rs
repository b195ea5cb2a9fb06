//! Several threads hammering the same maps: no lost or phantom elements, counts that add up,
//! `BPF_F_LOCK` values never torn, LRU updates that never fail.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hive_maps::{Executor, Map, MapError, MapSpec, MapType, elem, flags};

const THREADS: u32 = 4;

fn key(t: u32, i: u32) -> [u8; 8] {
    let mut k = [0; 8];
    k[..4].copy_from_slice(&t.to_ne_bytes());
    k[4..].copy_from_slice(&i.to_ne_bytes());
    k
}

#[test]
fn hash_no_lost_elements() {
    for map_flags in [0, flags::NO_PREALLOC] {
        let map = Arc::new(Map::create(MapSpec::new(MapType::Hash, 8, 8, 4096).with_flags(map_flags), THREADS as usize).unwrap());
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let map = map.clone();
                s.spawn(move || {
                    let exec = Executor::enter(t as usize);
                    for round in 0..3u32 {
                        for i in 0..800 {
                            map.prog_update(&exec, &key(t, i), &u64::from(i + round).to_ne_bytes(), elem::ANY).unwrap();
                        }
                        for i in 0..800 {
                            let v = map.prog_lookup(&exec, &key(t, i)).expect("own key present");
                            assert_eq!(v.to_vec(), u64::from(i + round).to_ne_bytes());
                        }
                        // Delete the odd keys, except in the last round.
                        if round < 2 {
                            for i in (1..800).step_by(2) {
                                map.delete(&key(t, i)).unwrap();
                            }
                        }
                    }
                });
            }
            // A concurrent iterator must only ever see keys that were inserted.
            let map = map.clone();
            s.spawn(move || {
                for _ in 0..20 {
                    let mut prev: Option<Vec<u8>> = None;
                    let mut n = 0;
                    while let Some(k) = map.next_key(prev.as_deref()).unwrap() {
                        let t = u32::from_ne_bytes(k[..4].try_into().unwrap());
                        let i = u32::from_ne_bytes(k[4..].try_into().unwrap());
                        assert!(t < THREADS && i < 800, "phantom key {k:?}");
                        prev = Some(k);
                        n += 1;
                        if n > 100_000 {
                            break;
                        }
                    }
                }
            });
        });
        assert_eq!(map.len(), Some((THREADS * 800) as usize));
        let mut keys = map.keys().unwrap();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), (THREADS * 800) as usize, "flags {map_flags}");
    }
}

#[test]
fn full_hash_admits_exactly_max_entries() {
    let map = Arc::new(Map::create(MapSpec::new(MapType::Hash, 8, 8, 1000), 1).unwrap());
    let admitted: u32 = std::thread::scope(|s| {
        let hs: Vec<_> = (0..THREADS)
            .map(|t| {
                let map = map.clone();
                s.spawn(move || {
                    (0..600).filter(|&i| match map.update(&key(t, i), &[0; 8], elem::NOEXIST) {
                        Ok(()) => true,
                        Err(MapError::TooBig) => false,
                        Err(e) => panic!("{e}"),
                    })
                    .count() as u32
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(admitted, 1000);
    assert_eq!(map.len(), Some(1000));
}

#[test]
fn lru_updates_never_fail_under_contention() {
    for t in [MapType::LruHash, MapType::LruPercpuHash] {
        let map = Arc::new(Map::create(MapSpec::new(t, 8, 8, 256), THREADS as usize).unwrap());
        std::thread::scope(|s| {
            for th in 0..THREADS {
                let map = map.clone();
                s.spawn(move || {
                    let exec = Executor::enter(th as usize);
                    for i in 0..5000 {
                        map.prog_update(&exec, &key(th, i % 700), &[1; 8], elem::ANY).unwrap();
                        let _ = map.prog_lookup(&exec, &key(th, i % 50));
                        if i % 7 == 0 {
                            let _ = map.delete(&key(th, (i + 3) % 700));
                        }
                    }
                });
            }
        });
        let n = map.keys().unwrap().len();
        assert!(n <= 256 && map.len() == Some(n), "{t:?}: {n} keys, len {:?}", map.len());
    }
}

#[test]
fn locked_updates_are_never_torn() {
    // struct { struct bpf_spin_lock lock; u32 pad; u64 data[7]; }
    for t in [MapType::Hash, MapType::Array] {
        let map = Arc::new(Map::create(MapSpec::new(t, 4, 64, 4).with_spin_lock(0), 1).unwrap());
        let k = 1u32.to_ne_bytes();
        map.update(&k, &[0; 64], elem::ANY).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        std::thread::scope(|s| {
            for w in 1..=3u64 {
                let map = map.clone();
                s.spawn(move || {
                    let mut v = [0u8; 64];
                    for i in 0..20_000u64 {
                        let x = (w << 32) | i;
                        for c in v[8..].chunks_mut(8) {
                            c.copy_from_slice(&x.to_ne_bytes());
                        }
                        map.update(&k, &v, elem::LOCK | elem::EXIST).unwrap();
                    }
                });
            }
            for _ in 0..2 {
                let (map, stop) = (map.clone(), stop.clone());
                s.spawn(move || {
                    let mut v = [0u8; 64];
                    while !stop.load(Ordering::Relaxed) {
                        map.lookup(&k, &mut v, elem::LOCK).unwrap();
                        let first = &v[8..16];
                        assert!(v[8..].chunks(8).all(|c| c == first), "torn value {v:?}");
                        assert_eq!(v[..4], [0; 4], "lock bytes are not copied out");
                    }
                });
            }
            // A "program" that updates under bpf_spin_lock through the value address.
            let map2 = map.clone();
            s.spawn(move || {
                let exec = Executor::enter(0);
                for i in 0..5000u64 {
                    let v = map2.prog_lookup(&exec, &k).unwrap();
                    v.spin_lock();
                    let mut bytes = v.to_vec();
                    for c in bytes[8..].chunks_mut(8) {
                        c.copy_from_slice(&(u64::MAX - i).to_ne_bytes());
                    }
                    v.write(&bytes);
                    v.spin_unlock();
                }
            });
            std::thread::sleep(std::time::Duration::from_millis(300));
            stop.store(true, Ordering::Relaxed);
        });
    }
}

#[test]
fn percpu_counters_add_up() {
    let map = Arc::new(Map::create(MapSpec::new(MapType::PercpuArray, 4, 8, 1), THREADS as usize).unwrap());
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let map = map.clone();
            s.spawn(move || {
                let exec = Executor::enter(t as usize);
                let v = map.prog_lookup(&exec, &0u32.to_ne_bytes()).unwrap();
                // Each executor owns its slot: plain read-modify-write is race-free.
                for _ in 0..10_000 {
                    let n = u64::from_ne_bytes(v.to_vec().try_into().unwrap());
                    v.write(&(n + 1).to_ne_bytes());
                }
            });
        }
    });
    let all = map.lookup_vec(&0u32.to_ne_bytes()).unwrap();
    let sum: u64 = all.chunks(8).map(|c| u64::from_ne_bytes(c.try_into().unwrap())).sum();
    assert_eq!(sum, 40_000);
}

#[test]
fn lpm_trie_concurrent_readers_and_writers() {
    let map = Arc::new(Map::create(MapSpec::new(MapType::LpmTrie, 8, 8, 512).with_flags(flags::NO_PREALLOC), 2).unwrap());
    let k = |len: u32, a: u8, b: u8| {
        let mut key = len.to_ne_bytes().to_vec();
        key.extend_from_slice(&[10, a, b, 0]);
        key
    };
    map.update(&k(8, 0, 0), &[8; 8], elem::ANY).unwrap();
    std::thread::scope(|s| {
        for t in 0..2u8 {
            let map = map.clone();
            s.spawn(move || {
                for i in 0..2000u32 {
                    let key = k(24, t, i as u8);
                    map.update(&key, &[24; 8], elem::ANY).unwrap();
                    if i % 3 == 0 {
                        map.delete(&key).unwrap();
                    }
                }
            });
        }
        let map = map.clone();
        s.spawn(move || {
            for i in 0..20_000u32 {
                // One short program run per lookup, as a runtime would do.
                let exec = Executor::enter(0);
                let v = map.prog_lookup(&exec, &k(32, (i % 2) as u8, i as u8)).expect("the /8 always matches");
                let b = v.to_vec()[0];
                assert!(b == 8 || b == 24);
            }
        });
    });
}

/// A `key_size`-byte key (at least 4) for `id`: `id`, then bytes that depend on it.
fn wide_key(id: u32, key_size: usize) -> Vec<u8> {
    let mut k = id.to_ne_bytes().to_vec();
    k.extend((4..key_size).map(|i| (id.rotate_left(i as u32 * 5) as u8) ^ (i as u8).wrapping_mul(29)));
    k
}

#[test]
fn lockfree_lookups_never_miss_stable_keys() {
    // Few buckets, so chains are long and deleted elements are reused at once (or, without
    // preallocation, after a grace period) while readers walk over them.
    const MAX: u32 = 32;
    const STABLE: u32 = 12;
    const CHURN: u32 = 8; // per writer; 12 + 2 * 8 < 32, so LRU maps never evict
    const EXECUTORS: usize = 4;
    let value = |id: u32| -> Vec<u8> {
        let w = u64::from(id) * 0x0101_0101_0101 + 7;
        [w.to_ne_bytes(), (!w).to_ne_bytes()].concat()
    };
    let configs = [(MapType::Hash, 0), (MapType::Hash, flags::NO_PREALLOC), (MapType::PercpuHash, 0), (MapType::LruHash, 0)];
    for (t, map_flags) in configs {
        for key_size in [4usize, 12, 16] {
            let spec = MapSpec::new(t, key_size as u32, 16, MAX).with_flags(map_flags);
            let map = Arc::new(Map::create(spec, EXECUTORS).unwrap());
            let slots = map.user_value_size() / 16;
            for id in 0..STABLE {
                map.update(&wide_key(id, key_size), &value(id).repeat(slots), elem::NOEXIST).unwrap();
            }
            let stop = Arc::new(AtomicBool::new(false));
            let what = format!("{t:?} flags {map_flags:#x} key_size {key_size}");
            std::thread::scope(|s| {
                for w in 0..2u32 {
                    let (map, stop) = (map.clone(), stop.clone());
                    let what = &what;
                    s.spawn(move || {
                        let churn: Vec<_> = (0..CHURN).map(|i| 1000 + w * 100 + i).collect();
                        let mut round = 0u32;
                        while !stop.load(Ordering::Relaxed) {
                            let exec = Executor::enter(w as usize);
                            let mut live = Vec::new();
                            for &id in &churn {
                                match map.prog_update(&exec, &wide_key(id, key_size), &value(id ^ round), elem::ANY) {
                                    Ok(()) => live.push(id),
                                    // On-demand elements wait out a grace period, which a
                                    // preempted pinned reader can hold back for a while.
                                    Err(MapError::NoMem) if map_flags & flags::NO_PREALLOC != 0 => {}
                                    Err(e) => panic!("{what}: churn update: {e}"),
                                }
                            }
                            // In-place updates of stable keys with their own value.
                            let id = round % STABLE;
                            map.prog_update(&exec, &wide_key(id, key_size), &value(id), elem::EXIST).unwrap();
                            for (i, &id) in live.iter().enumerate() {
                                let k = wide_key(id, key_size);
                                match i % 3 {
                                    0 => map.prog_delete(&exec, &k).unwrap(),
                                    1 => map.delete(&k).unwrap(),
                                    _ => map.lookup_and_delete(&k, &mut vec![0; map.user_value_size()], 0).unwrap(),
                                }
                            }
                            round += 1;
                        }
                    });
                }
                let readers: Vec<_> = (0..2usize).map(|r| {
                    let map = map.clone();
                    let what = &what;
                    s.spawn(move || {
                        let cpu = 2 + r;
                        for round in 0..30_000u32 {
                            // Short program runs, so that grace periods pass.
                            let exec = Executor::enter(cpu);
                            for id in (0..STABLE).map(|i| (i + round) % STABLE) {
                                let v = map.prog_lookup(&exec, &wide_key(id, key_size));
                                let v = v.unwrap_or_else(|| panic!("{what}: stable key {id} missed in round {round}"));
                                assert_eq!(v.to_vec(), value(id), "{what}: stable key {id} has another value");
                            }
                            assert!(map.prog_lookup(&exec, &wide_key(500 + round % 64, key_size)).is_none(), "{what}: phantom key");
                        }
                    })
                }).collect();
                // Stop the writers once the readers are done, whatever their outcome.
                let results: Vec<_> = readers.into_iter().map(|h| h.join()).collect();
                stop.store(true, Ordering::Relaxed);
                for r in results {
                    if let Err(e) = r {
                        std::panic::resume_unwind(e);
                    }
                }
            });
            assert_eq!(map.len(), Some(STABLE as usize), "{what}");
        }
    }
}
