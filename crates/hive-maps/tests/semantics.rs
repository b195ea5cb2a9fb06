//! Behaviour that needs no kernel: the program side (value addresses, per-executor slots,
//! push/pop), fd-valued maps, batch operations, access flags, and the LRU policy.

use std::sync::Arc;

use hive_maps::{
    BPF_F_CURRENT_CPU, Executor, FdObject, Map, MapError, MapSpec, MapType, PerfEventBuffer, PerfRecord, elem, flags,
    perf_event_output,
};

fn k(i: u32) -> [u8; 4] {
    i.to_ne_bytes()
}

#[test]
fn array_values_have_stable_aligned_addresses() {
    let map = Map::create(MapSpec::new(MapType::Array, 4, 12, 4), 1).unwrap();
    let exec = Executor::enter(0);
    let a = map.prog_lookup(&exec, &k(1)).unwrap().addr();
    assert_eq!(a % 8, 0);
    map.update(&k(1), &[7; 12], elem::ANY).unwrap();
    let v = map.prog_lookup(&exec, &k(1)).unwrap();
    assert_eq!(v.addr(), a, "updates never move a value");
    assert_eq!(v.to_vec(), [7; 12]);
    assert!(map.prog_lookup(&exec, &k(4)).is_none());
    // Neighbouring elements are 16 bytes apart (12 rounded up to 8).
    assert_eq!(map.prog_lookup(&exec, &k(2)).unwrap().addr(), a + 16);
}

/// `Map::value_block` describes exactly where `prog_lookup` finds array values, for maps
/// whose executors share one copy, and nothing else.
#[test]
fn array_value_blocks_match_lookups() {
    let exec = Executor::enter(0);
    for (ty, executors) in [(MapType::Array, 4), (MapType::PercpuArray, 1)] {
        let map = Map::create(MapSpec::new(ty, 4, 12, 5), executors).unwrap();
        let b = map.value_block().unwrap();
        assert_eq!((b.stride, b.count), (16, 5));
        for i in 0..5 {
            let addr = map.prog_lookup(&exec, &k(i)).unwrap().addr();
            assert_eq!(addr, b.base + u64::from(i) * 16);
            assert_eq!(b.index_of(addr + 4, 8, 12), Some(i));
            assert_eq!(b.index_of(addr + 4, 9, 12), None, "past the value's 12 bytes");
        }
        assert_eq!(b.index_of(b.base + 5 * 16, 1, 12), None);
        assert_eq!(b.index_of(b.base - 1, 1, 12), None);
    }
    assert!(Map::create(MapSpec::new(MapType::PercpuArray, 4, 8, 2), 2).unwrap().value_block().is_none());
    assert!(Map::create(MapSpec::new(MapType::Hash, 4, 8, 2), 1).unwrap().value_block().is_none());
}

#[test]
fn percpu_maps_keep_one_slot_per_executor() {
    for t in [MapType::PercpuArray, MapType::PercpuHash, MapType::LruPercpuHash] {
        let map = Map::create(MapSpec::new(t, 4, 4, 8), 3).unwrap();
        assert_eq!(map.user_value_size(), 24);
        let mut all = vec![0u8; 24];
        for cpu in 0..3 {
            all[cpu * 8..cpu * 8 + 4].copy_from_slice(&(cpu as u32 + 10).to_ne_bytes());
        }
        map.update(&k(5), &all, elem::ANY).unwrap();
        for cpu in 0..3 {
            let exec = Executor::enter(cpu);
            let v = map.prog_lookup(&exec, &k(5)).unwrap();
            assert_eq!(v.to_vec(), (cpu as u32 + 10).to_ne_bytes(), "{t:?} cpu {cpu}");
            v.write(&(cpu as u32 + 20).to_ne_bytes());
            assert_eq!(map.prog_lookup_percpu(&k(5), cpu).unwrap().addr(), v.addr());
        }
        let got = map.lookup_vec(&k(5)).unwrap();
        for cpu in 0..3 {
            assert_eq!(got[cpu * 8..cpu * 8 + 4], (cpu as u32 + 20).to_ne_bytes(), "{t:?}");
        }
        // A program's update touches only its executor's slot.
        map.prog_update(&Executor::enter(1), &k(5), &99u32.to_ne_bytes(), elem::EXIST).unwrap();
        let got = map.lookup_vec(&k(5)).unwrap();
        assert_eq!(got[8..12], 99u32.to_ne_bytes());
        assert_eq!(got[0..4], 20u32.to_ne_bytes());
        if t != MapType::PercpuArray {
            // A new element created by a program has zeroed slots elsewhere.
            map.prog_update(&Executor::enter(2), &k(6), &1u32.to_ne_bytes(), elem::NOEXIST).unwrap();
            let got = map.lookup_vec(&k(6)).unwrap();
            assert_eq!(got[..16], [0; 16]);
            assert_eq!(got[16..20], 1u32.to_ne_bytes());
        }
        assert!(map.prog_lookup_percpu(&k(5), 3).is_none());
    }
}

#[test]
fn hash_program_side_and_errnos() {
    let map = Map::create(MapSpec::new(MapType::Hash, 4, 8, 2), 1).unwrap();
    let exec = Executor::enter(0);
    map.prog_update(&exec, &k(1), &[1; 8], elem::ANY).unwrap();
    map.prog_update(&exec, &k(2), &[2; 8], elem::ANY).unwrap();
    assert_eq!(map.prog_update(&exec, &k(3), &[3; 8], elem::ANY), Err(MapError::TooBig));
    assert_eq!(map.prog_update(&exec, &k(1), &[3; 8], elem::NOEXIST), Err(MapError::Exists));
    assert_eq!(map.prog_update(&exec, &k(3), &[3; 8], elem::EXIST), Err(MapError::NotFound));
    let addr = map.prog_lookup(&exec, &k(1)).unwrap().addr();
    map.update(&k(1), &[9; 8], elem::EXIST).unwrap();
    let v = map.prog_lookup(&exec, &k(1)).unwrap();
    assert_eq!((v.addr(), v.to_vec()), (addr, vec![9; 8]), "in-place update");
    map.prog_delete(&exec, &k(1)).unwrap();
    assert_eq!(map.prog_delete(&exec, &k(1)), Err(MapError::NotFound));
    assert_eq!(map.len(), Some(1));
    assert_eq!(MapError::TooBig.errno(), 7);
}

#[test]
fn no_prealloc_elements_outlive_a_pinned_program() {
    let map = Map::create(MapSpec::new(MapType::Hash, 4, 8, 1).with_flags(flags::NO_PREALLOC), 1).unwrap();
    map.update(&k(1), &[1; 8], elem::ANY).unwrap();
    let exec = Executor::enter(0);
    let v = map.prog_lookup(&exec, &k(1)).unwrap();
    let addr = v.addr();
    std::thread::scope(|s| {
        s.spawn(|| {
            // Another thread deletes and reinserts repeatedly while the program runs.
            for i in 0..200u8 {
                map.delete(&k(1)).unwrap();
                map.update(&k(1), &[i; 8], elem::ANY).unwrap();
            }
        });
    });
    assert_eq!(v.to_vec(), [1; 8], "the looked-up element is not reused while pinned");
    drop(exec);
    assert_ne!(map.prog_lookup(&Executor::enter(0), &k(1)).unwrap().addr(), addr);
}

#[test]
fn lru_evicts_unreferenced_first_and_never_fails() {
    let map = Map::create(MapSpec::new(MapType::LruHash, 4, 8, 8), 1).unwrap();
    for i in 0..8 {
        map.update(&k(i), &[i as u8; 8], elem::NOEXIST).unwrap();
    }
    let exec = Executor::enter(0);
    assert!(map.prog_lookup(&exec, &k(0)).is_some());
    map.update(&k(100), &[0; 8], elem::ANY).unwrap();
    assert!(map.lookup_vec(&k(0)).is_ok(), "a referenced element gets a second chance");
    assert_eq!(map.lookup_vec(&k(1)), Err(MapError::NotFound), "the clock evicts the next unreferenced element");
    for i in 200..400 {
        map.update(&k(i), &[1; 8], elem::ANY).unwrap();
    }
    assert_eq!(map.keys().unwrap().len(), 8);
    // BPF_F_NO_COMMON_LRU rounds max_entries to a multiple of the executors.
    let m = Map::create(MapSpec::new(MapType::LruHash, 4, 8, 10).with_flags(flags::NO_COMMON_LRU), 4).unwrap();
    assert_eq!(m.spec().max_entries, 12);
    assert_eq!(Map::create(MapSpec::new(MapType::LruHash, 4, 8, 10).with_flags(flags::NO_PREALLOC), 1).unwrap_err(), MapError::NotSupported);
}

#[test]
fn queue_and_stack_from_programs() {
    let q = Map::create(MapSpec::new(MapType::Queue, 0, 4, 2), 1).unwrap();
    let s = Map::create(MapSpec::new(MapType::Stack, 0, 4, 2), 1).unwrap();
    for m in [&q, &s] {
        m.push(&k(1), elem::ANY).unwrap();
        m.push(&k(2), elem::ANY).unwrap();
        assert_eq!(m.push(&k(3), elem::ANY), Err(MapError::TooBig));
        m.push(&k(3), elem::EXIST).unwrap(); // overwrites the oldest
        assert_eq!(m.len(), Some(2));
    }
    let mut v = [0; 4];
    q.pop(&mut v).unwrap();
    assert_eq!(v, k(2));
    s.peek(&mut v).unwrap();
    assert_eq!(v, k(3));
    s.pop(&mut v).unwrap();
    s.pop(&mut v).unwrap();
    assert_eq!(v, k(2));
    assert_eq!(s.pop(&mut v), Err(MapError::NotFound));
    assert_eq!(q.push(&k(1), elem::NOEXIST), Err(MapError::Invalid("push flags must be BPF_ANY or BPF_EXIST")));
}

#[test]
fn fd_maps_hold_objects() {
    // Prog array: tail-call targets are the runtime's own objects.
    let progs = Map::create(MapSpec::new(MapType::ProgArray, 4, 4, 4), 1).unwrap();
    let prog: Arc<dyn std::any::Any + Send + Sync> = Arc::new("prog#7");
    progs.update_object(&k(2), 7, FdObject::Prog(prog), elem::ANY).unwrap();
    let target = progs.tail_call_target(2).unwrap();
    assert_eq!(target.downcast_ref::<&str>(), Some(&"prog#7"));
    assert_eq!(progs.lookup_vec(&k(2)).unwrap(), 7u32.to_ne_bytes(), "user space reads the id");
    assert!(progs.tail_call_target(3).is_none());
    assert_eq!(progs.update_object(&k(4), 1, FdObject::Prog(Arc::new(())), elem::ANY), Err(MapError::TooBig));
    assert_eq!(progs.keys().unwrap().len(), 4);
    progs.delete(&k(2)).unwrap();
    assert_eq!(progs.delete(&k(2)), Err(MapError::NotFound));

    // Array of maps: inner maps must match the template.
    let template = MapSpec::new(MapType::Array, 4, 8, 4);
    let mut outer_spec = MapSpec::new(MapType::ArrayOfMaps, 4, 4, 2);
    assert!(Map::create(outer_spec.clone(), 1).is_err(), "needs a template");
    outer_spec.inner = Some(Box::new(template.clone()));
    let outer = Map::create(outer_spec, 1).unwrap();
    let inner = Arc::new(Map::create(template.clone(), 1).unwrap());
    inner.update(&k(0), &[5; 8], elem::ANY).unwrap();
    outer.update_object(&k(1), 42, FdObject::Map(inner.clone()), elem::ANY).unwrap();
    let got = outer.lookup_inner_map(&k(1)).unwrap();
    assert_eq!(got.lookup_vec(&k(0)).unwrap(), [5; 8]);
    let wrong = Arc::new(Map::create(MapSpec::new(MapType::Array, 4, 8, 5), 1).unwrap());
    assert!(outer.update_object(&k(0), 43, FdObject::Map(wrong), elem::ANY).is_err());

    // Hash of maps.
    let mut hspec = MapSpec::new(MapType::HashOfMaps, 4, 4, 1);
    hspec.inner = Some(Box::new(template));
    let hom = Map::create(hspec, 1).unwrap();
    hom.update_object(&k(9), 42, FdObject::Map(inner.clone()), elem::NOEXIST).unwrap();
    assert_eq!(hom.update_object(&k(9), 42, FdObject::Map(inner.clone()), elem::NOEXIST), Err(MapError::Exists));
    assert_eq!(hom.update_object(&k(8), 42, FdObject::Map(inner.clone()), elem::ANY), Err(MapError::TooBig));
    assert_eq!(hom.lookup_vec(&k(9)).unwrap(), 42u32.to_ne_bytes());
    assert_eq!(hom.keys().unwrap(), vec![k(9).to_vec()]);
    assert!(Arc::ptr_eq(&hom.lookup_inner_map(&k(9)).unwrap(), &inner));

    // Perf event array.
    let perf = Map::create(MapSpec::new(MapType::PerfEventArray, 4, 4, 2), 2).unwrap();
    let buf = Arc::new(PerfEventBuffer::new(8));
    perf.update_object(&k(1), 3, FdObject::PerfEvent(buf.clone()), elem::ANY).unwrap();
    let exec = Executor::enter(1);
    perf_event_output(&perf, &exec, BPF_F_CURRENT_CPU, b"abcd").unwrap();
    perf_event_output(&perf, &exec, 1, b"efgh").unwrap();
    assert_eq!(perf_event_output(&perf, &exec, 1, b"x"), Err(MapError::NoSpace));
    assert_eq!(perf_event_output(&perf, &exec, 0, b"x"), Err(MapError::NotFound));
    assert_eq!(perf_event_output(&perf, &exec, 2, b"x"), Err(MapError::TooBig));
    assert_eq!(
        buf.drain(),
        vec![PerfRecord::Lost(1), PerfRecord::Sample(b"abcd".to_vec()), PerfRecord::Sample(b"efgh".to_vec())]
    );
}

#[test]
fn batch_operations() {
    for t in [MapType::Array, MapType::Hash, MapType::PercpuHash] {
        let map = Map::create(MapSpec::new(t, 4, 8, 16), 2).unwrap();
        let vs = map.user_value_size();
        let keys: Vec<u8> = (0..10u32).flat_map(u32::to_ne_bytes).collect();
        let values: Vec<u8> = (0..10 * vs).map(|i| i as u8).collect();
        assert_eq!(map.update_batch(&keys, &values, elem::ANY), Ok(10));
        let mut seen = 0;
        let mut cursor = None;
        loop {
            let b = map.lookup_batch(cursor.as_ref(), 3, 0).unwrap();
            assert!(b.count <= 3);
            for i in 0..b.count {
                let key = &b.keys[i * 4..i * 4 + 4];
                assert_eq!(map.lookup_vec(key).unwrap(), b.values[i * vs..(i + 1) * vs]);
            }
            seen += b.count;
            match b.next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, if t == MapType::Array { 16 } else { 10 }, "{t:?}");
        if t == MapType::Array {
            assert_eq!(map.delete_batch(&keys), Err((0, MapError::NotSupported)));
            assert!(map.lookup_batch(None, 0, 0).unwrap().next.is_some(), "an empty batch ends nothing");
            continue;
        }
        let b = map.lookup_and_delete_batch(4, 0).unwrap();
        assert_eq!(b.count, 4);
        assert_eq!(map.len(), Some(6));
        assert_eq!(map.delete_batch(&b.keys), Err((0, MapError::NotFound)));
        let rest: Vec<u8> = map.keys().unwrap().concat();
        assert_eq!(map.delete_batch(&rest), Ok(6));
        assert_eq!(map.len(), Some(0));
    }
    let q = Map::create(MapSpec::new(MapType::Queue, 0, 8, 4), 1).unwrap();
    assert_eq!(q.lookup_batch(None, 4, 0).unwrap_err(), MapError::NotSupported);
}

#[test]
fn access_flags_and_lock_checks() {
    let ro = Map::create(MapSpec::new(MapType::Hash, 4, 8, 4).with_flags(flags::RDONLY), 1).unwrap();
    assert_eq!(ro.update(&k(1), &[0; 8], 0).unwrap_err().errno(), 1);
    assert_eq!(ro.delete(&k(1)).unwrap_err().errno(), 1);
    assert_eq!(ro.lookup_vec(&k(1)), Err(MapError::NotFound));
    let wo = Map::create(MapSpec::new(MapType::Array, 4, 8, 4).with_flags(flags::WRONLY), 1).unwrap();
    assert_eq!(wo.lookup_vec(&k(1)).unwrap_err().errno(), 1);
    wo.update(&k(1), &[0; 8], 0).unwrap();
    // BPF_F_LOCK needs a spin lock in the value.
    assert_eq!(wo.update(&k(1), &[0; 8], elem::LOCK).unwrap_err().errno(), 22);
    assert_eq!(
        Map::create(MapSpec::new(MapType::PercpuArray, 4, 8, 4).with_spin_lock(0), 1).unwrap_err(),
        MapError::OpNotSupported
    );
    let locked = Map::create(MapSpec::new(MapType::Array, 4, 16, 4).with_spin_lock(8), 1).unwrap();
    locked.update(&k(0), &[0xff; 16], elem::LOCK).unwrap();
    let got = locked.lookup_vec(&k(0)).unwrap();
    assert_eq!(got[..8], [0xff; 8]);
    assert_eq!(got[8..12], [0; 4], "the lock is neither copied in nor out");
    let exec = Executor::enter(0);
    let v = locked.prog_lookup(&exec, &k(0)).unwrap();
    assert!(v.spin_lock());
    assert_eq!(v.to_vec()[8..12], 1u32.to_ne_bytes(), "a program sees the held lock");
    assert!(v.spin_unlock());
}

#[test]
fn map_types_round_trip_kernel_numbers() {
    for t in MapType::ALL {
        assert_eq!(MapType::from_raw(t.to_raw()), Some(t));
        assert!(t.kernel_name().starts_with("BPF_MAP_TYPE_"));
    }
    assert_eq!(MapType::from_raw(7), None);
}
