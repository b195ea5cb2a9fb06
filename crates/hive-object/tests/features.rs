//! Loader features the shared corpora miss, on a committed object built from
//! `tests/data/features.bpf.c` (rebuild with `make -C crates/hive-object/tests/data`).

mod common;

use std::path::Path;

use common::run;
use hive_isa::{Insn, Pseudo};
use hive_object::{LoadOptions, ObjectSpec, POISON_HELPER, ProgramSelection, TargetBtf};

fn object() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/features.bpf.o")).expect("features.bpf.o")
}

fn target() -> TargetBtf {
    TargetBtf::File(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/features_tgt.bpf.o"))
}

#[test]
fn autoload_follows_the_question_mark() {
    let spec = ObjectSpec::parse(&object(), &LoadOptions { target_btf: target(), ..Default::default() }).unwrap();
    let auto: Vec<_> = spec.programs.iter().map(|p| (p.name.as_str(), p.autoload)).collect();
    assert_eq!(
        auto,
        [("first", true), ("second", true), ("core", true), ("not_autoloaded", false), ("with_callback", true)]
    );
    let only = LoadOptions {
        target_btf: target(),
        programs: ProgramSelection::Only(vec!["not_autoloaded".into()]),
        ..Default::default()
    };
    let spec = ObjectSpec::parse(&object(), &only).unwrap();
    assert!(spec.programs.iter().all(|p| p.autoload == (p.name == "not_autoloaded")));
    let e =
        ObjectSpec::parse(&object(), &LoadOptions { programs: ProgramSelection::Only(vec!["nope".into()]), ..only });
    assert_eq!(e.unwrap_err().to_string(), "no program named nope");
}

#[test]
fn shared_subprograms_are_copied_per_program() {
    let spec = ObjectSpec::parse(&object(), &LoadOptions { target_btf: target(), ..Default::default() }).unwrap();
    let first = spec.program("first").unwrap();
    let second = spec.program("second").unwrap();
    for p in [first, second] {
        let names: Vec<_> = p.subprograms.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, [p.name.as_str(), "twice", "global_add"]);
        let fi: Vec<_> = p.func_info.iter().map(|f| (f.insn, f.name.as_str())).collect();
        let want: Vec<_> = p.subprograms.iter().map(|s| (s.start, s.name.as_str())).collect();
        assert_eq!(fi, want, "{}: func info follows the copies", p.name);
        // Every line record points into the program and the callee's lines came along.
        assert!(p.line_info.iter().all(|l| l.insn < p.insns.len()));
        let twice = &p.subprograms[1];
        assert!(
            p.source_line(twice.start).is_some_and(|l| l.text.contains("twice")),
            "{:?}",
            p.source_line(twice.start)
        );
    }
    assert_ne!(first.subprograms[1].start, second.subprograms[1].start);
    // twice(1) + global_add(1, 2) = 2 + (3 + counter 1); global_add(twice(3), custom 2) - limit 40.
    assert_eq!(run(&spec, first), Ok(6));
    assert_eq!(run(&spec, second).map(|v| v as u32 as i32), Ok(-31));
}

#[test]
fn callbacks_are_function_references() {
    let spec = ObjectSpec::parse(&object(), &LoadOptions { target_btf: target(), ..Default::default() }).unwrap();
    let p = spec.program("with_callback").unwrap();
    let code = p.code().unwrap();
    let refs: Vec<_> = code
        .iter()
        .filter(|(_, i)| matches!(i, Insn::LdImm64 { pseudo: Pseudo::Func, .. }))
        .map(|(pc, i)| (pc as i64 + 1 + i.branch_delta().unwrap()) as usize)
        .collect();
    assert_eq!(refs, [p.subprograms[1].start]);
    assert_eq!(p.subprograms[1].name, "step");
}

#[test]
fn core_narrows_and_poisons_guarded_accesses() {
    let only =
        |t| LoadOptions { target_btf: t, programs: ProgramSelection::Only(vec!["core".into()]), ..Default::default() };
    let spec = ObjectSpec::parse(&object(), &only(target())).unwrap();
    let p = spec.program("core").unwrap();
    // The shrunk signed field and the missing one are poisoned; both sit behind checks
    // that the relocated constants turn off, so the program still returns 0.
    assert_eq!(p.poisoned.len(), 2, "{:#?}", p.poisoned);
    assert!(p.poisoned[0].reason.contains("field size changed from 4 to 2"), "{}", p.poisoned[0].reason);
    assert!(p.poisoned[1].reason.contains("no matching target"), "{}", p.poisoned[1].reason);
    for x in &p.poisoned {
        assert_eq!((p.insns[x.insn].code, p.insns[x.insn].imm), (0x85, POISON_HELPER));
    }
    // The unsigned field that shrank is now a 2-byte load at its new offset.
    let narrowed = p.insns.iter().filter(|i| i.code == 0x69 && i.off == 0).count();
    assert!(narrowed >= 1, "no ldxh of r->a");
    assert_eq!(run(&spec, p), Ok(0));

    // Against the object's own types every access is what clang compiled: nothing is
    // poisoned, `gone` exists, and the program returns it (the byte at offset 16 that the
    // target's bitfields occupy: 9 | 5 << 5).
    let spec = ObjectSpec::parse(&object(), &only(TargetBtf::Own)).unwrap();
    let p = spec.program("core").unwrap();
    assert!(p.poisoned.is_empty());
    assert_eq!(run(&spec, p), Ok(9 | 5 << 5));
}
