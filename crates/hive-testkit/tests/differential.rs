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
