//! Hive's interpreter against the host kernel on seeded random programs.
//!
//! `cargo test` runs a slice; `cargo run --release -p hive-testkit --example differential`
//! runs millions.

#![cfg(all(feature = "kernel", feature = "interp"))]

use hive_testkit::{GenConfig, InterpEngine, KernelEngine, differential_with};

fn kernel_or_skip() -> bool {
    match hive_kernel::available() {
        Ok(()) => true,
        Err(why) => {
            println!("note: skipping the kernel differential: {why}");
            false
        }
    }
}

#[test]
fn interpreter_matches_kernel_default_programs() {
    if !kernel_or_skip() {
        return;
    }
    let report = differential_with(0..3000, &GenConfig::default(), &mut KernelEngine::new(), &mut InterpEngine::new());
    println!("{report}");
    assert!(report.is_clean(), "{report}");
}

/// Stress seeds on which the kernel diverged from RFC 9669 before the generator kept clear of
/// two kernel verifier bugs (see `tests/kernel_divergences.rs`): fetching atomics on slots
/// the verifier knows (1099511627916, 723, ...) and 32-bit `cmpxchg` zero-extension lost on a
/// pruned path (17, 180143). The generator now emits different programs for them; they must
/// agree.
#[test]
fn interpreter_matches_kernel_on_former_divergences() {
    if !kernel_or_skip() {
        return;
    }
    let cfg = GenConfig::stress();
    let (mut kernel, mut interp) = (KernelEngine::new(), InterpEngine::new());
    let mut failed = Vec::new();
    for seed in [1_099_511_627_916, 723, 3415, 3875, 5018, 5868, 5904, 6682, 6987, 8550, 17, 180_143] {
        let report = differential_with(seed..seed + 1, &cfg, &mut kernel, &mut interp);
        if !report.is_clean() {
            failed.push(report.to_string());
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn interpreter_matches_kernel_stress_programs() {
    if !kernel_or_skip() {
        return;
    }
    let report = differential_with(0..300, &GenConfig::stress(), &mut KernelEngine::new(), &mut InterpEngine::new());
    println!("{report}");
    assert!(report.is_clean(), "{report}");
}
