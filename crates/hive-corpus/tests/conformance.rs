//! The bpf_conformance and uBPF `.data` corpora on the interpreter.

use hive_corpus::conformance::{Engine, Outcome, run_paths, run_test};
use hive_corpus::data_file::DataTest;
use hive_corpus::paths::{corpus, files_with_suffix};

#[test]
fn bpf_conformance_tests_all_pass() {
    let Some(dir) = corpus("bpf_conformance/tests") else { return };
    let s = run_paths(&[dir], Engine::Interp, true);
    for (f, why) in s.failed.iter().chain(&s.skipped) {
        println!("{}: {why}", f.display());
    }
    println!("{}", s.line());
    assert_eq!(s.line(), "313 passed, 0 failed, 0 skipped");
}

/// Every negative case is refused (or, for the one with a wrong expected value, fails).
#[test]
fn bpf_conformance_negatives_are_refused() {
    let Some(dir) = corpus("bpf_conformance/negative") else { return };
    let files = files_with_suffix(&dir, ".data");
    assert_eq!(files.len(), 60);
    for f in files {
        let test = DataTest::read(&f).unwrap();
        let outcome = run_test(&test, Engine::Interp);
        let ok = match &outcome {
            Outcome::Pass(Some(_)) => true,
            Outcome::Fail(_) => test.error.is_none(),
            _ => false,
        };
        assert!(ok, "{}: {outcome:?}", f.display());
    }
}

/// uBPF error tests whose rule is uBPF's own, not the kernel's, with the reason.
const UBPF_NOT_APPLICABLE: [(&str, &str); 2] = [
    ("errors/err-unknown-opcode.data", "0x06 is JMP32|JA (`gotol`) since CPU v4, which Hive implements"),
    ("errors/err-too-many-instructions.data", "uBPF caps programs at 65536 slots; Hive follows the kernel's 1,000,000"),
];

#[test]
fn ubpf_tests() {
    let Some(dir) = corpus("ubpf/tests") else { return };
    // uBPF's tests assume registers start at zero.
    let s = run_paths(&[dir], Engine::Interp, false);
    for (f, why) in &s.skipped {
        println!("skipped {}: {why}", f.display());
    }
    let mut unexpected = Vec::new();
    for (f, why) in &s.failed {
        match UBPF_NOT_APPLICABLE.iter().find(|(name, _)| f.ends_with(name)) {
            Some((_, reason)) => println!("not applicable {}: {reason}", f.display()),
            None => unexpected.push(format!("{}: {why}", f.display())),
        }
    }
    println!("ubpf: {}", s.line());
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert_eq!(s.failed.len(), UBPF_NOT_APPLICABLE.len());
}
