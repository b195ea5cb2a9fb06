//! The bpf_conformance and uBPF `.data` corpora on the JIT (`hive conformance --engine jit`).

use hive_corpus::conformance::{Engine, Outcome, run_paths, run_test};
use hive_corpus::data_file::DataTest;
use hive_corpus::paths::{corpus, files_with_suffix};

#[test]
fn bpf_conformance_tests_all_pass_on_the_jit() {
    let Some(dir) = corpus("bpf_conformance/tests") else { return };
    let s = run_paths(&[dir], Engine::Jit, true);
    for (f, why) in s.failed.iter().chain(&s.skipped) {
        println!("{}: {why}", f.display());
    }
    println!("jit: {}", s.line());
    assert_eq!(s.line(), "313 passed, 0 failed, 0 skipped");
}

/// Negative cases never reach compiled code unchecked: each is refused (by the interpreter
/// standing in for the verifier, or by the JIT), or, for the one whose only fault is a wrong
/// expected value, fails.
#[test]
fn bpf_conformance_negatives_are_refused_on_the_jit() {
    let Some(dir) = corpus("bpf_conformance/negative") else { return };
    for f in files_with_suffix(&dir, ".data") {
        let test = DataTest::read(&f).unwrap();
        let outcome = run_test(&test, Engine::Jit);
        let ok = match &outcome {
            Outcome::Pass(Some(_)) => true,
            Outcome::Fail(_) => test.error.is_none(),
            _ => false,
        };
        assert!(ok, "{}: {outcome:?}", f.display());
    }
}

#[test]
fn ubpf_tests_on_the_jit() {
    let Some(dir) = corpus("ubpf/tests") else { return };
    let interp = run_paths(std::slice::from_ref(&dir), Engine::Interp, false);
    let jit = run_paths(&[dir], Engine::Jit, false);
    for (f, why) in &jit.failed {
        println!("failed {}: {why}", f.display());
    }
    println!("ubpf on the jit: {}", jit.line());
    // The same files fail (uBPF-specific rules) and pass on both engines.
    let names = |v: &[(std::path::PathBuf, String)]| v.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>();
    assert_eq!(names(&jit.failed), names(&interp.failed));
    assert_eq!(jit.line(), interp.line());
}

#[test]
fn engine_names_parse() {
    assert_eq!("jit".parse::<Engine>(), Ok(Engine::Jit));
    assert!("cranelift".parse::<Engine>().unwrap_err().contains("interp, jit"));
}
