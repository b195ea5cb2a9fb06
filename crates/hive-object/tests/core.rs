//! CO-RE against cilium/ebpf's self-checking programs (`btf/testdata/relocs*.elf`): each is
//! relocated against the target cilium's own tests use, then run in hive-interp, where it
//! returns 0 when every relocated value is right and its `__LINE__` otherwise. `err_*`
//! programs must fail to relocate, with an error naming the relocation and its source line.

mod common;

use std::sync::Arc;

use common::{corpus, gunzip, needs_runtime, run};
use hive_object::{CoreTarget, LoadOptions, ObjectError, ObjectSpec, POISON_HELPER, ProgramSelection, TargetBtf};

fn only(name: &str, target: TargetBtf) -> LoadOptions {
    LoadOptions { target_btf: target, programs: ProgramSelection::Only(vec![name.to_string()]), ..Default::default() }
}

/// Relocates every program of `file` against `target` one at a time, runs the good ones and
/// checks that the `err_*` ones fail. Returns (ran and passed, failed as expected).
fn check(file: &str, target: TargetBtf) -> (usize, usize) {
    let Some(dir) = corpus("cilium-ebpf") else { return (0, 0) };
    let bytes = std::fs::read(dir.join(file)).expect("read");
    let listing = ObjectSpec::parse(
        &bytes,
        &LoadOptions { programs: ProgramSelection::Only(vec![]), target_btf: target.clone(), ..Default::default() },
    )
    .expect("object parses with nothing required");
    let names: Vec<String> =
        listing.programs.iter().map(|p| p.name.clone()).chain(listing.skipped.iter().map(|s| s.name.clone())).collect();
    assert!(!names.is_empty(), "{file}: no programs");
    let (mut passed, mut refused) = (0, 0);
    for name in names {
        let result = ObjectSpec::parse(&bytes, &only(&name, target.clone()));
        if name.starts_with("err_") {
            let e = result.expect_err(&format!("{file}: {name} must fail to relocate"));
            let ObjectError::Core(core) = &e else { panic!("{file}: {name}: not a CO-RE error: {e}") };
            assert_eq!(core.program, name);
            assert!(core.line.is_some(), "{file}: {name}: error without a source line: {e}");
            println!("{file}: {name}: refused as expected: {e}");
            refused += 1;
            continue;
        }
        let spec = result.unwrap_or_else(|e| panic!("{file}: {name}: {e}"));
        let p = spec.program(&name).expect("program");
        if let Some(why) = needs_runtime(p) {
            println!("{file}: {name}: skipped, needs the runtime ({why})");
            continue;
        }
        match run(&spec, p) {
            Ok(0) => passed += 1,
            Ok(line) => {
                let src = p.line_info.iter().find(|l| u64::from(l.line) == line).map(|l| l.text.to_string());
                panic!("{file}: {name}: assertion failed at line {line}: {}", src.unwrap_or_default())
            }
            Err(fault) => panic!("{file}: {name}: {fault}"),
        }
        println!(
            "{file}: {name}: relocated, ran, returned 0 ({} insns, {} line records)",
            p.insns.len(),
            p.line_info.len()
        );
    }
    (passed, refused)
}

#[test]
fn relocs_against_own_types() {
    // cilium: TestCORERelocationLoad loads relocs.elf with KernelTypes = the object's own
    // types. Local type ids are ids in each program's own BTF (as cilium/ebpf generates it),
    // target ids the object's, so `relocs.c`'s `target_and_local_id_dont_match` holds too.
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let file = "btf/testdata/relocs-el.elf";
    let (passed, refused) = check(file, TargetBtf::Own);
    println!("relocs-el.elf: {passed} programs pass, {refused} err_ programs refused");
    assert_eq!((passed, refused), (4, 2));

    // type_ids' constants name types of its own BTF, which the kernel's checks accept.
    let bytes = std::fs::read(dir.join(file)).unwrap();
    let spec = ObjectSpec::parse(&bytes, &only("type_ids", TargetBtf::Own)).unwrap();
    let p = spec.program("type_ids").unwrap();
    let own = p.btf.as_ref().expect("a program BTF");
    let btf = hive_btf::Btf::parse_strict(&own.bytes).expect("the kernel's checks accept it");
    let obj = spec.btf.as_deref().unwrap();
    let s = obj.find_by_name_kind("s", hive_btf::Kind::Struct).unwrap();
    let local = own.type_id(s).expect("struct s is in the program BTF");
    assert_ne!(local, s);
    assert_eq!(btf.type_by_id(local).unwrap().name(), "s");
    let f = &own.func_info[0];
    assert_eq!((f.insn, btf.type_by_id(f.type_id).unwrap().name()), (0, "type_ids"));
    assert!(p.insns.iter().any(|i| i.imm as u32 == local.0), "an instruction loads the local id of struct s");
}

#[test]
fn relocs_read_against_its_target_elf() {
    // cilium: TestCORERelocationRead uses relocs_read_tgt.elf's types, whose members are
    // reordered, resized and turned into other bitfields.
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let target = TargetBtf::File(dir.join("btf/testdata/relocs_read_tgt-el.elf"));
    let (passed, _) = check("btf/testdata/relocs_read-el.elf", target);
    assert_eq!(passed, 1);
}

#[test]
fn relocs_enum_against_vmlinux() {
    // cilium: TestLD64IMMReloc loads relocs_enum.elf against the kernel's types; vmlinux.btf.gz
    // stands in for them (its enum cgroup_subsys_id lacks cpuset_cgrp_id_lublub, so the
    // guarded 64-bit enum value load is poisoned and never runs).
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let vmlinux = gunzip(&dir.join("btf/testdata/vmlinux.btf.gz"));
    let target = Arc::new(CoreTarget::from_bytes(vmlinux).expect("vmlinux BTF"));
    let bytes = std::fs::read(dir.join("btf/testdata/relocs_enum-el.elf")).expect("read");
    let spec = ObjectSpec::parse(&bytes, &only("core_ld64imm", TargetBtf::Given(target.clone()))).expect("relocate");
    let p = spec.program("core_ld64imm").unwrap();
    assert_eq!(p.poisoned.len(), 1, "{:?}", p.poisoned);
    let at = p.poisoned[0].insn;
    assert_eq!((p.insns[at].code, p.insns[at].imm, p.insns[at + 1].imm), (0x85, POISON_HELPER, POISON_HELPER));
    assert!(p.poisoned[0].reason.contains("enumval_value"), "{}", p.poisoned[0].reason);
    assert_eq!(run(&spec, p), Ok(0));
    let (passed, _) = check("btf/testdata/relocs_enum-el.elf", TargetBtf::Given(target));
    assert_eq!(passed, 1);
    // And against this machine's kernel, as cilium runs it.
    match CoreTarget::host() {
        Ok(Some(_)) => assert_eq!(check("btf/testdata/relocs_enum-el.elf", TargetBtf::Host).0, 1),
        _ => println!("note: no /sys/kernel/btf/vmlinux, host target not tried"),
    }
}

#[test]
fn poison_against_empty_btf() {
    // cilium: TestCOREPoisonLineInfo relocates errors.elf against empty BTF and expects the
    // verifier to point at the poisoned instruction.
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let empty = Arc::new(CoreTarget::from_bytes(hive_btf::BtfBuilder::new().to_bytes()).unwrap());
    let bytes = std::fs::read(dir.join("testdata/errors-el.elf")).expect("read");
    let opts =
        LoadOptions { target_btf: TargetBtf::Given(empty), programs: ProgramSelection::All, ..Default::default() };
    let spec = ObjectSpec::parse(&bytes, &opts).expect("poisoning is not an error");
    for name in ["poisoned_single", "poisoned_double"] {
        let p = spec.program(name).unwrap();
        assert_eq!(p.poisoned.len(), 1, "{name}");
        let poison = &p.poisoned[0];
        assert_eq!((p.insns[poison.insn].code, p.insns[poison.insn].imm), (0x85, POISON_HELPER), "{name}");
        // The program reaches it: running faults there, as the verifier would refuse it.
        let fault = run(&spec, p).unwrap_err();
        assert!(fault.contains(&format!("pc {}", poison.insn)), "{name}: {fault}");
        let line = p.source_line(poison.insn).map(|l| l.to_string()).unwrap_or_default();
        println!("{name}: {} at insn {} ({line}) -> {fault}", poison.reason, poison.insn);
    }
    assert!(spec.program("poisoned_single").unwrap().poisoned[0].reason.contains("byte_off"));
    // `poisoned_double` poisons an lddw: both slots carry the marker.
    let p = spec.program("poisoned_double").unwrap();
    assert_eq!(p.insns[p.poisoned[0].insn + 1].imm, POISON_HELPER);
    // The weak kfunc is left to the runtime, by name.
    let k = spec.program("poisoned_kfunc").unwrap();
    assert_eq!(k.externs.len(), 1);
    assert_eq!((k.externs[0].name.as_str(), k.externs[0].weak), ("invalid_kfunc", true));
}

#[test]
fn missing_target_is_a_clear_error() {
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let bytes = std::fs::read(dir.join("btf/testdata/relocs_read-el.elf")).expect("read");
    let opts = only("reads", TargetBtf::File(dir.join("no-such-file.btf")));
    let e = ObjectSpec::parse(&bytes, &opts).unwrap_err();
    assert!(e.to_string().contains("no-such-file.btf"), "{e}");
}
