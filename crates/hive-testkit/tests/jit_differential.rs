//! Hive's JIT against Hive's interpreter on seeded random programs: `r0`, the whole context
//! (every register and the data stack) and the helper calls (id and `r1`-`r5`) must agree.
//!
//! `cargo test` runs a slice; `cargo run --release -p hive-testkit --example jit_differential
//! -- COUNT` runs millions.

#![cfg(feature = "jit")]

use hive_isa::{CallTarget, Insn};
use hive_testkit::{GenConfig, InterpEngine, JitEngine, differential_with, generate};

#[allow(unsafe_code)]
fn trusting() -> JitEngine {
    // SAFETY: the engine only runs `generate`'s programs, which the kernel verifier accepts.
    unsafe { JitEngine::trusting() }
}

#[test]
fn jit_matches_interpreter_default_programs() {
    let (mut jit, mut interp) = (trusting(), InterpEngine::new());
    let cfg = GenConfig { max_helper_calls: 3, ..GenConfig::default() };
    let helper_calls: usize = (0..3000)
        .map(|s| generate(s, &cfg).insns.iter().filter(|i| matches!(i, Insn::Call(CallTarget::Helper(_)))).count())
        .sum();
    assert!(helper_calls > 3000, "only {helper_calls} helper calls");
    let report = differential_with(0..3000, &cfg, &mut interp, &mut jit);
    println!("{report}");
    println!("compiled {} slots into {} bytes in {:.2?}", jit.slots, jit.code_bytes, jit.compile_time);
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.programs, 3000);
}

/// With the verifier's facts at block starts, as the runtime compiles: a fact that does not
/// hold on some run would show as a difference.
#[test]
fn jit_with_verifier_facts_matches_interpreter() {
    let (mut jit, mut interp) = (trusting().with_verifier_facts(), InterpEngine::new());
    let cfg = GenConfig { max_helper_calls: 3, ..GenConfig::default() };
    let report = differential_with(5_000_000..5_002_000, &cfg, &mut interp, &mut jit);
    println!("{report}; {} compiled with facts", jit.with_facts);
    assert!(report.is_clean(), "{report}");
    assert!(jit.with_facts > 1000, "only {} programs verified", jit.with_facts);
}

#[test]
fn jit_matches_interpreter_stress_programs() {
    let (mut jit, mut interp) = (trusting(), InterpEngine::new());
    let cfg = GenConfig { max_helper_calls: 3, ..GenConfig::stress() };
    let report = differential_with(1_000_000..1_001_000, &cfg, &mut interp, &mut jit);
    println!("{report}");
    assert!(report.is_clean(), "{report}");
}

/// The checked engine (interpreter first) agrees too, and without BMI2 shifts.
#[test]
fn checked_engine_without_bmi2() {
    let options = hive_jit::JitOptions { bmi2: false, ..hive_jit::JitOptions::default() };
    let mut jit = JitEngine::new().with_options(options);
    let report = differential_with(50_000..50_300, &GenConfig::default(), &mut InterpEngine::new(), &mut jit);
    assert!(report.is_clean(), "{report}");
}
