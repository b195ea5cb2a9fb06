//! Consistency of the tables with each other, with the UAPI header and with the invariants the
//! kernel checks of its own prototypes (`check_func_proto` in `verifier.c`).

use std::collections::HashSet;

use hive_platform::helper::{self, all_protos};
use hive_platform::prog::{LoadContext, ProgType};
use hive_platform::{ArgBase, HelperId, RetBase, TypeFlags};

#[test]
fn names_match_the_uapi_header() {
    let Ok(header) = std::fs::read_to_string("/usr/include/linux/bpf.h") else {
        println!("skipping: /usr/include/linux/bpf.h is not installed");
        return;
    };
    let start = header.find("#define __BPF_FUNC_MAPPER(FN)").expect("helper list in bpf.h");
    let names: Vec<&str> = header[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.contains("/* */"))
        .filter_map(|l| l.trim().strip_prefix("FN(")?.split([',', ')']).next())
        .collect();
    assert!(names.len() >= 210, "{} helpers parsed", names.len());
    for (i, name) in names.iter().enumerate() {
        assert_eq!(HelperId(i as u32).name(), Some(*name), "id {i}");
        assert_eq!(HelperId::from_name(name), Some(HelperId(i as u32)));
    }
}

#[test]
fn every_helper_has_a_default_prototype() {
    assert!(helper::proto(HelperId(0)).is_none());
    for id in HelperId::all().skip(1) {
        let p = helper::proto(id).unwrap_or_else(|| panic!("{id} has no prototype"));
        assert_eq!(p.id, id);
    }
    assert!(helper::proto(HelperId(HelperId::COUNT)).is_none());
    // The defaults are the variants the documentation of each helper describes.
    assert_eq!(helper::proto(HelperId::GET_STACKID).unwrap().symbol, "bpf_get_stackid_proto");
    assert_eq!(helper::proto(HelperId::PERF_EVENT_OUTPUT).unwrap().symbol, "bpf_perf_event_output_proto");
    assert_eq!(helper::proto(HelperId::GET_SOCKET_COOKIE).unwrap().symbol, "bpf_get_socket_cookie_proto");
    assert_eq!(helper::variants(HelperId::PERF_EVENT_OUTPUT).count(), 6);
}

#[test]
fn symbols_are_unique_and_findable() {
    let mut seen = HashSet::new();
    for p in all_protos() {
        assert!(seen.insert(p.symbol), "duplicate {}", p.symbol);
        assert_eq!(helper::by_symbol(p.symbol), Some(p));
    }
}

#[test]
fn prototypes_satisfy_the_kernels_own_checks() {
    for p in all_protos() {
        let args: Vec<_> = (0..5).map(|i| p.arg(i)).collect();
        // check_raw_mode_ok: at most one uninitialised memory argument.
        let raw = args.iter().filter(|a| a.ty.base == ArgBase::PtrToMem && a.ty.flags.contains(TypeFlags::MEM_UNINIT));
        assert!(raw.count() <= 1, "{p:?}");
        // check_arg_pair_ok: memory and size arguments come in pairs, fixed-size memory has a size.
        assert!(!args[0].ty.base.is_size(), "{p:?}");
        for i in 0..5 {
            let next_is_size = i + 1 < 5 && args[i + 1].ty.base.is_size();
            if args[i].ty.base != ArgBase::PtrToMem {
                assert!(!next_is_size, "{}: size without memory before it (arg {})", p.symbol, i + 2);
                continue;
            }
            let fixed = args[i].ty.flags.contains(TypeFlags::MEM_FIXED_SIZE);
            assert_eq!(fixed, args[i].size != 0, "{}: arg {} fixed size", p.symbol, i + 1);
            assert_ne!(fixed, next_is_size, "{}: arg {} memory without its size", p.symbol, i + 1);
        }
        // check_btf_id_ok: BTF pointers name their struct, nothing else does.
        for a in &args {
            let btf_base = matches!(a.ty.base, ArgBase::PtrToBtfId | ArgBase::PtrToSpinLock);
            assert_eq!(btf_base, a.btf.is_some(), "{}: {a:?}", p.symbol);
        }
        // At most one argument is released.
        assert!(args.iter().filter(|a| a.ty.flags.contains(TypeFlags::OBJ_RELEASE)).count() <= 1);
        // Helpers that move packet data take the context first (verifier_bug otherwise).
        if p.id.changes_pkt_data() {
            assert_eq!(args[0].ty.base, ArgBase::PtrToCtx, "{}", p.symbol);
        }
        // Memory results need the size from an ARG_CONST_ALLOC_SIZE_OR_ZERO argument.
        if p.ret.base == RetBase::PtrToMem {
            assert!(args.iter().any(|a| a.ty.base == ArgBase::ConstAllocSizeOrZero), "{}", p.symbol);
        }
        // BTF results name their struct.
        assert_eq!(p.ret.base == RetBase::PtrToBtfId, p.ret_btf.is_some(), "{}", p.symbol);
        // Callback helpers take a function.
        assert_eq!(p.id.callback().is_some(), args.iter().any(|a| a.ty.base == ArgBase::PtrToFunc), "{}", p.symbol);
    }
}

#[test]
fn every_prototype_is_reachable_from_some_program_type() {
    let mut reachable = HashSet::new();
    for t in ProgType::ALL {
        for set in t.info().helper_sets {
            for e in set.entries {
                reachable.insert(e.proto.symbol);
            }
        }
    }
    // Variants for program types the sets do not model per attach point.
    let unreachable: Vec<_> = all_protos().map(|p| p.symbol).filter(|s| !reachable.contains(s)).collect();
    let expected = [
        "bpf_get_smp_processor_id_proto",
        "bpf_task_storage_get_recur_proto",
        "bpf_task_storage_delete_recur_proto",
        "bpf_unlocked_sk_setsockopt_proto",
        "bpf_unlocked_sk_getsockopt_proto",
    ];
    assert_eq!(unreachable, expected);
}

#[test]
fn coverage_summary() {
    // Not an assertion about the kernel, a figure for the documentation: how many helpers each
    // program type may call as root.
    let ctx = LoadContext::default();
    let mut lines = Vec::new();
    for t in ProgType::ALL.iter().skip(1) {
        let n = t.info().helpers(&ctx).len();
        lines.push(format!("{:>24} {n:>3}", t.name()));
    }
    println!("{}", lines.join("\n"));
    assert!(ProgType::SchedCls.info().helpers(&ctx).len() > 130);
}
