//! Tests against the host kernel; each skips with a printed note when `bpf()` is unavailable.

use super::*;

macro_rules! require_kernel {
    () => {
        if let Err(why) = available() {
            eprintln!("skipping: {why}");
            return;
        }
    };
}

const MOV64_IMM: u8 = 0xb7;
const EXIT: u8 = 0x95;

fn ret42() -> [RawInsn; 2] {
    [RawInsn::new(MOV64_IMM, 0, 0, 0, 42), RawInsn::new(EXIT, 0, 0, 0, 0)]
}

#[test]
fn r0_42_on_every_type() {
    require_kernel!();
    let packet = [0u8; 64];
    for ty in ProgType::ALL {
        let prog = prog_load(ty, &ret42(), "GPL", 0).unwrap_or_else(|e| panic!("{ty:?}: {e}"));
        let res = if ty.takes_packet() {
            prog.test_run(&packet, None, 1)
        } else {
            prog.test_run(&[], Some(&[0u8; 16]), 0)
        }
        .unwrap_or_else(|e| panic!("{ty:?}: {e}"));
        assert_eq!(res.retval, 42, "{ty:?}");
        if ty.takes_packet() {
            assert_eq!(res.data_out, packet, "{ty:?}: packet unchanged");
        }
    }
}

#[test]
fn repeat_reports_duration() {
    require_kernel!();
    let prog = prog_load(ProgType::Xdp, &ret42(), "GPL", 0).unwrap();
    let res = prog.test_run(&[0u8; 64], None, 1000).unwrap();
    assert_eq!(res.retval, 42);
    assert!(res.duration_ns < 1_000_000, "{res:?}");
}

#[test]
fn syscall_context_is_copied_back() {
    require_kernel!();
    // *(u64 *)(r1 + 8) = r2 (r2 = lddw 0x1122334455667788); r0 = *(u32 *)(r1 + 0); exit
    let insns = [
        RawInsn::new(0x18, 2, 0, 0, 0x55667788),
        RawInsn::new(0, 0, 0, 0, 0x11223344),
        RawInsn::new(0x7b, 1, 2, 8, 0),
        RawInsn::new(0x61, 0, 1, 0, 0),
        RawInsn::new(EXIT, 0, 0, 0, 0),
    ];
    let prog = prog_load(ProgType::Syscall, &insns, "GPL", 0).unwrap();
    let mut ctx = [0u8; 16];
    ctx[..4].copy_from_slice(&7u32.to_le_bytes());
    let res = prog.test_run(&[], Some(&ctx), 1).unwrap();
    assert_eq!(res.retval, 7);
    assert_eq!(res.ctx_out[8..], 0x1122334455667788u64.to_le_bytes());
    assert_eq!(res.ctx_out[..8], ctx[..8]);
    assert!(matches!(prog.test_run(&[], Some(&ctx), 5), Err(KernelError::Invalid(_))));
}

#[test]
fn rejection_carries_the_log() {
    require_kernel!();
    // exit without setting r0
    let e = prog_load(ProgType::SocketFilter, &[RawInsn::new(EXIT, 0, 0, 0, 0)], "GPL", 0).unwrap_err();
    assert_eq!(e.errno, libc::EACCES, "{e}");
    assert!(e.reason().contains("R0 !read_ok"), "{e}");
    assert!(e.to_string().contains("EACCES"), "{e}");
}

#[test]
fn log_and_info_of_a_loaded_program() {
    require_kernel!();
    let prog = prog_load(ProgType::SocketFilter, &ret42(), "GPL", 4).unwrap();
    assert!(prog.load_log().contains("processed 2 insns"), "{}", prog.load_log());
    let info = prog.info().unwrap();
    assert!(info.id > 0);
    assert_eq!(info.xlated, ret42());
}

#[test]
fn hash_map_round_trip() {
    require_kernel!();
    let spec = MapSpec {
        map_type: MapType::HASH,
        key_size: 4,
        value_size: 8,
        max_entries: 2,
        map_flags: 0,
        name: "hive_test".into(),
    };
    let map = MapFd::create(&spec).unwrap();
    let k = |i: u32| i.to_le_bytes();
    assert_eq!(map.lookup(&k(1)).unwrap(), None);
    map.update(&k(1), &10u64.to_le_bytes(), BPF_NOEXIST).unwrap();
    map.update(&k(2), &20u64.to_le_bytes(), BPF_ANY).unwrap();
    let full = map.update(&k(3), &30u64.to_le_bytes(), BPF_ANY).unwrap_err();
    assert_eq!(full.errno(), Some(libc::E2BIG), "{full}");
    let exists = map.update(&k(1), &11u64.to_le_bytes(), BPF_NOEXIST).unwrap_err();
    assert_eq!(exists.errno(), Some(libc::EEXIST));
    assert_eq!(map.lookup(&k(2)).unwrap(), Some(20u64.to_le_bytes().to_vec()));
    let mut keys = map.keys().unwrap();
    keys.sort();
    assert_eq!(keys, vec![k(1).to_vec(), k(2).to_vec()]);
    map.delete(&k(1)).unwrap();
    assert_eq!(map.delete(&k(1)).unwrap_err().errno(), Some(libc::ENOENT));
    assert!(matches!(map.lookup(&[0; 3]), Err(KernelError::Invalid(_))));
}

#[test]
fn array_and_percpu_values() {
    require_kernel!();
    let mut spec = MapSpec {
        map_type: MapType::ARRAY,
        key_size: 4,
        value_size: 4,
        max_entries: 4,
        map_flags: 0,
        name: String::new(),
    };
    let array = MapFd::create(&spec).unwrap();
    assert_eq!(array.lookup(&3u32.to_le_bytes()).unwrap(), Some(vec![0; 4]));
    assert_eq!(array.lookup(&4u32.to_le_bytes()).unwrap(), None);
    assert_eq!(array.delete(&0u32.to_le_bytes()).unwrap_err().errno(), Some(libc::EINVAL));
    spec.map_type = MapType::PERCPU_ARRAY;
    let percpu = MapFd::create(&spec).unwrap();
    let cpus = possible_cpus().unwrap();
    assert_eq!(percpu.value_len(), 8 * cpus);
    let value: Vec<u8> = (0..8 * cpus as u8).collect();
    percpu.update(&1u32.to_le_bytes(), &value, BPF_ANY).unwrap();
    let back = percpu.lookup(&1u32.to_le_bytes()).unwrap().unwrap();
    // Only the first value_size bytes of each CPU's slot are stored.
    for cpu in 0..cpus {
        assert_eq!(back[cpu * 8..cpu * 8 + 4], value[cpu * 8..cpu * 8 + 4]);
    }
}

#[test]
fn errno_names() {
    assert_eq!(Errno(libc::EACCES).to_string(), "EACCES: Permission denied (os error 13)");
    assert_eq!(format!("{:?}", Errno(524)), "ENOTSUPP");
}
