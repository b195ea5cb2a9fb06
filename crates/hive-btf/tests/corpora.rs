//! Real BTF from the shared corpora: every `.BTF` / `.BTF.ext` of every ELF object, the
//! cilium vmlinux BTF, split BTF, and the host's own `/sys/kernel/btf/vmlinux`.

mod common;

use hive_btf::{Btf, BtfExt, Kind, TypeId};

/// Check everything reachable in a parsed `.BTF.ext` against its `.BTF`.
fn check_ext(btf: &Btf<'_>, ext: &BtfExt<'_>) -> (usize, usize, usize) {
    let (mut funcs, mut lines, mut relos) = (0, 0, 0);
    for s in ext.func_info() {
        assert!(s.name(btf).is_some(), "func info section name");
        for f in s.records() {
            let t = btf.type_by_id(f.type_id).expect("func info type id");
            assert_eq!(t.kind(), Kind::Func, "func info points at a FUNC");
            funcs += 1;
        }
    }
    for s in ext.line_info() {
        assert!(s.name(btf).is_some(), "line info section name");
        for l in s.records() {
            assert!(l.file_name(btf).is_some(), "line info file name");
            assert!(l.line_text(btf).is_some(), "line info line text");
            lines += 1;
        }
    }
    for s in ext.core_relos() {
        assert!(s.name(btf).is_some(), "CO-RE section name");
        for r in s.records() {
            assert!(btf.type_by_id(r.type_id).is_some(), "CO-RE type id");
            assert!(r.access_spec(btf).is_some(), "CO-RE access string {:?}", r.access_str(btf));
            relos += 1;
        }
    }
    (funcs, lines, relos)
}

#[test]
fn every_elf_object_btf_parses() {
    let mut files = Vec::new();
    for sub in ["ebpf-samples", "cilium-ebpf"] {
        if let Some(dir) = common::corpus(sub) {
            files.extend(common::files_with_ext(&dir, &[".o", ".elf"]));
        }
    }
    if files.is_empty() {
        return;
    }
    let (mut with_btf, mut with_ext, mut big, mut kernel_ok) = (0, 0, 0, 0);
    let (mut funcs, mut lines, mut relos) = (0, 0, 0);
    for f in &files {
        let data = std::fs::read(f).unwrap();
        let Ok(secs) = hive_btf::elf_sections(&data) else { continue };
        let Some(raw) = secs.btf else { continue };
        let btf = Btf::parse(raw).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        with_btf += 1;
        big += usize::from(btf.is_big_endian());
        kernel_ok += usize::from(btf.validate().is_ok());
        // Every type is reachable and every helper answers without panicking.
        for t in btf.types() {
            let _ = btf.resolve_size(t.id());
            let _ = btf.align_of(t.id());
            let _ = hive_btf::format_type_raw(&btf, t.id());
        }
        let _ = hive_btf::dump_c(&btf);
        if let Some(e) = secs.btf_ext {
            let ext = BtfExt::parse(e).unwrap_or_else(|e| panic!("{} .BTF.ext: {e}", f.display()));
            let (a, b, c) = check_ext(&btf, &ext);
            (funcs, lines, relos) = (funcs + a, lines + b, relos + c);
            with_ext += 1;
        }
    }
    println!(
        "ELF objects: {} files, {with_btf} with .BTF ({big} big-endian) all parsed, {kernel_ok} pass the kernel's checks as is \
         (the rest need libbpf's DATASEC/extern fix-ups first); {with_ext} .BTF.ext with {funcs} func info, {lines} line info, {relos} CO-RE records",
        files.len()
    );
    assert!(with_btf > 100);
}

#[test]
fn cilium_vmlinux_parses_and_validates() {
    let Some(data) = common::cilium_vmlinux() else { return };
    let btf = Btf::parse(&data).unwrap();
    println!("cilium vmlinux: {} types", btf.type_count());
    assert!(btf.type_count() > 100_000);
    let ts = btf.find_by_name_kind("task_struct", Kind::Struct).unwrap();
    assert!(btf.resolve_size(ts).unwrap() > 1000);
    let (m, off) = btf.find_member(ts, "pid").unwrap();
    assert_eq!(btf.type_by_id(m.ty).unwrap().name(), "pid_t");
    assert!(off > 0);
    // The kernel's resolve pass over a whole vmlinux (recent: TYPE_TAG attributes).
    btf.validate_with(hive_btf::Rules::LATEST).unwrap();
}

#[test]
fn host_vmlinux_parses_and_validates() {
    let Ok(data) = std::fs::read("/sys/kernel/btf/vmlinux") else {
        eprintln!("note: /sys/kernel/btf/vmlinux not readable, skipping");
        return;
    };
    let btf = Btf::parse(&data).unwrap();
    btf.validate_with(hive_btf::Rules::LATEST).unwrap();
    let strict = Btf::parse_strict(&data);
    println!("host vmlinux: {} types, BPF_BTF_LOAD verdict {:?}", btf.type_count(), strict.as_ref().err());
    assert!(btf.find_by_name_kind("bpf_map", Kind::Struct).is_some());
}

#[test]
fn split_btf_continues_the_base() {
    let (Some(base_p), Some(split_p)) = (
        common::corpus("cilium-ebpf/btf/testdata/btf_testmod.btf.base"),
        common::corpus("cilium-ebpf/btf/testdata/btf_testmod.btf"),
    ) else {
        return;
    };
    let base_data = std::fs::read(base_p).unwrap();
    let split_data = std::fs::read(split_p).unwrap();
    let base = Btf::parse(&base_data).unwrap();
    let split = Btf::parse_split(&split_data, &base).unwrap();
    assert_eq!(split.start_id(), TypeId(base.type_count()));
    assert!(split.type_count() > base.type_count());
    // Every reference of the split BTF resolves, into the base or itself.
    for t in split.types() {
        if let Some(r) = t.ref_type() {
            assert!(split.type_by_id(r).is_some());
        }
        for m in t.members() {
            assert!(split.type_by_id(m.ty).is_some());
        }
    }
    split.validate_with(hive_btf::Rules::LATEST).unwrap();
    let _ = hive_btf::dump_raw(&split);
    println!("split BTF: base {} types, module ids {}..{}", base.type_count(), split.start_id(), split.type_count());
}
