//! Correctness of the benchmark programs, without timing: every suite program loads in the
//! host kernel and returns the same value there, on Hive's JIT and on Hive's interpreter;
//! the bpf-benchmark-2023 programs return the same value on Hive's JIT, Hive's interpreter
//! and rbpf (interpreter, and JIT where rbpf's one-page JIT buffer holds the program).
//!
//! Kernel checks skip with a printed reason when `bpf()` is not available. Known gaps are
//! listed in `PENDING` and must stay exactly as listed (a gap that closes fails the test,
//! so the list is kept honest).

use hive_bench::run::{EngineReport, Status};
use hive_bench::{RunOptions, crosscheck};

/// (program, engine): engines that cannot run a program yet, and why.
const PENDING: &[(&str, &str, &str)] = &[];

fn pending(program: &str, engine: &str) -> bool {
    PENDING.iter().any(|&(p, e, _)| p == program && e == engine)
}

fn summary(reports: &[EngineReport]) -> String {
    reports
        .iter()
        .map(|r| format!("{}={:?}/{:?}/{}", r.engine, r.status, r.retval, r.note.as_deref().unwrap_or("")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn suite_programs_agree_on_every_engine() {
    let kernel = match hive_kernel::available() {
        Ok(()) => true,
        Err(why) => {
            eprintln!("skipping the kernel checks: {why}");
            false
        }
    };
    let opts = RunOptions { kernel, ..RunOptions::default() };
    let programs = hive_bench::suite_programs(None).expect("suite links");
    assert!(programs.len() >= 20, "the suite has {} programs", programs.len());
    let mut failures = Vec::new();
    for p in &programs {
        let reports = crosscheck(p, &opts);
        for r in &reports {
            let expected_gap = pending(&p.name, r.engine);
            let ok = matches!(r.status, Status::Ok);
            if ok == expected_gap {
                failures.push(format!("{}: {}", p.name, summary(&reports)));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "disagreements or unexpected gaps:\n{}", failures.join("\n"));
}

#[test]
fn corpus_programs_agree_with_rbpf() {
    let programs = hive_bench::corpus_programs(None).expect("corpus reads");
    if programs.is_empty() {
        eprintln!("skipping: no bpf-benchmark-2023 corpus at {}", hive_bench::corpus::dir().display());
        return;
    }
    let opts = RunOptions { rbpf: true, compile_samples: 1, ..RunOptions::default() };
    for p in &programs {
        let reports = crosscheck(p, &opts);
        let status = |e: &str| reports.iter().find(|r| r.engine == e).map(|r| r.status.clone());
        for engine in ["hive-jit", "hive-interp", "rbpf-interp"] {
            assert!(matches!(status(engine), Some(Status::Ok)), "{}: {}", p.name, summary(&reports));
        }
        // rbpf's JIT either agrees or cannot hold the program; it never disagrees.
        assert!(matches!(status("rbpf-jit"), Some(Status::Ok | Status::NotRun)), "{}: {}", p.name, summary(&reports));
    }
}
