//! The host kernel as the oracle for the loader's output: relocated and linked programs,
//! with their maps created for real and `fd_array` indexes turned into map fds, must pass the
//! kernel verifier and compute in `BPF_PROG_TEST_RUN` what hive-interp computes. Poison left
//! where the program reaches it must be what the kernel refuses. Skips with a note when
//! `bpf()` is unavailable.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{corpus, gunzip, run, run_with};
use hive_interp::{Flow, HelperTable};
use hive_isa::{Pseudo, RawInsn};
use hive_kernel::{BtfFd, LoadOptions as KLoad, MapFd, MapSpec, MapType, ProgType as KType};
use hive_object::{CoreTarget, LoadOptions, ObjectSpec, ProgramSelection, ProgramSpec, TargetBtf};

fn kernel() -> bool {
    match hive_kernel::available() {
        Ok(()) => true,
        Err(why) => {
            println!("note: skipping kernel comparison: {why}");
            false
        }
    }
}

/// Creates the maps `p` uses and returns its instructions with map fds in place.
fn with_kernel_maps(spec: &ObjectSpec, p: &ProgramSpec, fds: &mut Vec<Option<MapFd>>) -> Result<Vec<RawInsn>, String> {
    fds.resize_with(spec.maps.len(), || None);
    let mut insns = p.insns.clone();
    let mut i = 0;
    while i + 1 < insns.len() {
        let src = insns[i].src;
        if insns[i].code == 0x18 && (src == Pseudo::MapIdx.src() || src == Pseudo::MapIdxValue.src()) {
            let idx = insns[i].imm as usize;
            let def = spec.maps.get(idx).ok_or("map index out of range")?;
            if fds[idx].is_none() {
                let ks = MapSpec {
                    map_type: MapType(def.map_type as u32),
                    key_size: def.key_size,
                    value_size: def.value_size,
                    max_entries: def.max_entries,
                    map_flags: def.flags,
                    name: def.name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.').collect(),
                };
                let fd = MapFd::create(&ks).map_err(|e| format!("map {}: {e}", def.name))?;
                if let Some(data) = &def.initial_data {
                    fd.update(&0u32.to_le_bytes(), data, 0).map_err(|e| format!("map {}: {e}", def.name))?;
                }
                fds[idx] = Some(fd);
            }
            let raw = std::os::fd::AsRawFd::as_raw_fd(fds[idx].as_ref().unwrap());
            insns[i].src = if src == Pseudo::MapIdx.src() { Pseudo::MapFd.src() } else { Pseudo::MapValue.src() };
            insns[i].imm = raw;
            i += 2;
        } else {
            i += if insns[i].code == 0x18 { 2 } else { 1 };
        }
    }
    Ok(insns)
}

/// Loads `p` as `ty` and test-runs it; the return value, or the verifier's refusal.
fn kernel_run(spec: &ObjectSpec, p: &ProgramSpec, ty: KType) -> Result<u32, String> {
    let mut fds = Vec::new();
    let insns = with_kernel_maps(spec, p, &mut fds)?;
    let opts = KLoad { license: "GPL", name: &p.name, ..KLoad::new(ty) };
    let prog = hive_kernel::load(&opts, &insns).map_err(|e| e.log.clone())?;
    let packet = [0u8; 64];
    prog.test_run(&packet, None, 1).map(|r| r.retval).map_err(|e| e.to_string())
}

/// [`kernel_run`] with the program's own BTF (`BPF_BTF_LOAD`) as `prog_btf_fd`, and its func
/// and line info in that BTF's terms: what Hive's loader gives the kernel.
fn kernel_run_with_btf(spec: &ObjectSpec, p: &ProgramSpec, ty: KType) -> Result<u32, String> {
    let own = p.btf.as_ref().ok_or("no program BTF")?;
    let btf = BtfFd::load(&own.bytes).map_err(|e| format!("BPF_BTF_LOAD: {}: {}", e.errno, e.log))?;
    let (func_info, line_info) = own.kernel_records();
    let mut fds = Vec::new();
    let insns = with_kernel_maps(spec, p, &mut fds)?;
    let opts = KLoad {
        license: "GPL",
        name: &p.name,
        btf: Some(&btf),
        func_info: &func_info,
        line_info: &line_info,
        ..KLoad::new(ty)
    };
    let prog = hive_kernel::load(&opts, &insns).map_err(|e| e.log.clone())?;
    drop(btf); // the program keeps its own reference
    let packet = [0u8; 64];
    prog.test_run(&packet, None, 1).map(|r| r.retval).map_err(|e| e.to_string())
}

fn parse(path: &Path, target: TargetBtf, name: &str) -> ObjectSpec {
    let bytes = std::fs::read(path).expect("read");
    let opts =
        LoadOptions { target_btf: target, programs: ProgramSelection::Only(vec![name.into()]), ..Default::default() };
    ObjectSpec::parse(&bytes, &opts).unwrap_or_else(|e| panic!("{}: {name}: {e}", path.display()))
}

#[test]
fn relocated_programs_run_the_same_in_the_kernel() {
    if !kernel() {
        return;
    }
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let vmlinux = Arc::new(CoreTarget::from_bytes(gunzip(&dir.join("btf/testdata/vmlinux.btf.gz"))).unwrap());
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let cases: Vec<(std::path::PathBuf, TargetBtf, Vec<&str>)> = vec![
        (dir.join("btf/testdata/relocs-el.elf"), TargetBtf::Own, vec!["types", "enums", "fields"]),
        (
            dir.join("btf/testdata/relocs_read-el.elf"),
            TargetBtf::File(dir.join("btf/testdata/relocs_read_tgt-el.elf")),
            vec!["reads"],
        ),
        (dir.join("btf/testdata/relocs_enum-el.elf"), TargetBtf::Given(vmlinux.clone()), vec!["core_ld64imm"]),
        (dir.join("btf/testdata/relocs_enum-el.elf"), TargetBtf::Host, vec!["core_ld64imm"]),
        (dir.join("testdata/loader-el.elf"), TargetBtf::Own, vec!["data_sections", "no_relocation"]),
        (
            dir.join("testdata/variables-el.elf"),
            TargetBtf::Own,
            vec!["get_bss", "get_rodata", "check_struct", "check_array"],
        ),
        (dir.join("testdata/linked-el.elf"), TargetBtf::Own, vec!["entry_l1", "entry_l2", "entry_ww"]),
        (
            data.join("features.bpf.o"),
            TargetBtf::File(data.join("features_tgt.bpf.o")),
            vec!["first", "second", "core"],
        ),
    ];
    let mut agreed = 0;
    for (path, target, names) in cases {
        for name in names {
            let spec = parse(&path, target.clone(), name);
            let p = spec.program(name).unwrap();
            let ours = run(&spec, p).unwrap_or_else(|f| panic!("{name}: {f}"));
            let theirs = kernel_run(&spec, p, KType::SocketFilter).unwrap_or_else(|e| panic!("{name}: kernel: {e}"));
            assert_eq!(ours as u32, theirs, "{}: {name}", path.display());
            agreed += 1;
        }
    }
    // A program with helpers and real maps: the lookups find nothing in fresh maps.
    let spec = parse(&dir.join("testdata/loader-el.elf"), TargetBtf::Own, "xdp_prog");
    let p = spec.program("xdp_prog").unwrap();
    let mut helpers = HelperTable::new();
    helpers.add_helper(1, |_, _| Ok(Flow::Return(0)));
    assert_eq!(run_with(&spec, p, &mut helpers), Ok(7));
    assert_eq!(kernel_run(&spec, p, KType::Xdp), Ok(7));
    agreed += 1;
    println!("{agreed} relocated programs: kernel verifier accepts them and test runs agree with hive-interp");
}

#[test]
fn reachable_poison_is_what_the_kernel_refuses() {
    if !kernel() {
        return;
    }
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let empty = Arc::new(CoreTarget::from_bytes(hive_btf::BtfBuilder::new().to_bytes()).unwrap());
    for name in ["poisoned_single", "poisoned_double"] {
        let spec = parse(&dir.join("testdata/errors-el.elf"), TargetBtf::Given(empty.clone()), name);
        let p = spec.program(name).unwrap();
        let log = kernel_run(&spec, p, KType::SocketFilter).expect_err("poison must be refused");
        assert!(log.contains("invalid func unknown#195896080"), "{name}: {log}");
        println!("{name}: kernel refuses: invalid func unknown#195896080 (ours: {})", p.poisoned[0].reason);
    }
}

/// Each program is loaded with a minimal BTF of its own (`ProgramSpec::btf`): the host
/// kernel's `BPF_BTF_LOAD` accepts it, and `BPF_PROG_LOAD` accepts the program with it as
/// `prog_btf_fd` and func and line info in its terms, then computes what hive-interp does.
/// `type_ids` checks, in the kernel too, that its local type ids (ids in that BTF) differ
/// from the target's (the object's).
#[test]
fn programs_load_in_the_kernel_with_their_own_btf() {
    if !kernel() {
        return;
    }
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let cases: Vec<(std::path::PathBuf, TargetBtf, Vec<&str>)> = vec![
        (dir.join("btf/testdata/relocs-el.elf"), TargetBtf::Own, vec!["type_ids", "types", "enums", "fields"]),
        (
            dir.join("btf/testdata/relocs_read-el.elf"),
            TargetBtf::File(dir.join("btf/testdata/relocs_read_tgt-el.elf")),
            vec!["reads"],
        ),
        (dir.join("btf/testdata/relocs_enum-el.elf"), TargetBtf::Own, vec!["core_ld64imm"]),
        (dir.join("testdata/loader-el.elf"), TargetBtf::Own, vec!["data_sections", "no_relocation"]),
        (dir.join("testdata/linked-el.elf"), TargetBtf::Own, vec!["entry_l1", "entry_l2", "entry_ww"]),
        (data.join("features.bpf.o"), TargetBtf::File(data.join("features_tgt.bpf.o")), vec!["first", "second", "core"]),
    ];
    let mut agreed = 0;
    for (path, target, names) in cases {
        for name in names {
            let spec = parse(&path, target.clone(), name);
            let p = spec.program(name).unwrap();
            let ours = run(&spec, p).unwrap_or_else(|f| panic!("{name}: {f}"));
            let theirs = kernel_run_with_btf(&spec, p, KType::SocketFilter)
                .unwrap_or_else(|e| panic!("{}: {name}: kernel: {e}", path.display()));
            assert_eq!(ours as u32, theirs, "{}: {name}", path.display());
            if name == "type_ids" {
                assert_eq!(theirs, 0, "local and target type ids differ in the kernel too");
                // The kernel does read the records: func info naming a non-FUNC is refused.
                let mut bad = p.clone();
                let own = bad.btf.as_mut().unwrap();
                let int = own.btf().unwrap().find_by_name_kind("int", hive_btf::Kind::Int).unwrap();
                own.func_info[0].type_id = int;
                let log = kernel_run_with_btf(&spec, &bad, KType::SocketFilter).expect_err("a func info on an INT");
                assert!(log.contains(&format!("invalid type id {int} in func info")), "{log}");
            }
            agreed += 1;
        }
    }
    println!("{agreed} programs: the kernel loads them with their own BTF, func and line info, and agrees on the result");
}

/// The host kernel's `BPF_BTF_LOAD` accepts the own BTF of every program of the corpora
/// (`hive-btf`'s checks accept them all too: see `corpus.rs`).
#[test]
fn every_program_btf_loads_in_the_kernel() {
    if !kernel() {
        return;
    }
    let (mut loaded, mut objects) = (0, 0);
    let opts = LoadOptions { programs: ProgramSelection::Only(vec![]), target_btf: TargetBtf::Own, ..Default::default() };
    for sub in ["ebpf-samples", "cilium-ebpf"] {
        let Some(dir) = corpus(sub) else { continue };
        for path in common::elf_files(&dir) {
            let bytes = std::fs::read(&path).expect("read");
            let Ok(spec) = ObjectSpec::parse(&bytes, &opts) else { continue };
            objects += usize::from(spec.programs.iter().any(|p| p.btf.is_some()));
            for p in &spec.programs {
                let Some(own) = &p.btf else { continue };
                BtfFd::load(&own.bytes).unwrap_or_else(|e| panic!("{}: {}: {}: {}", path.display(), p.name, e.errno, e.log));
                loaded += 1;
            }
        }
    }
    println!("{loaded} program BTFs of {objects} objects: BPF_BTF_LOAD accepts every one");
}
