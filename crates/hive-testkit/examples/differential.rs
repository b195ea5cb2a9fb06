//! The long kernel differential: `N` seeded random programs on the host kernel and on Hive's
//! interpreter, every register and stack word compared.
//!
//! ```text
//! cargo run --release -p hive-testkit --example differential -- [COUNT] [FIRST_SEED] [--stress]
//! ```
//! Prints progress every 100,000 programs and a final line
//! `kernel vs hive-interp: N programs, N agreed, 0 mismatched (...)`; exits 1 on a mismatch.

use std::process::ExitCode;

use hive_testkit::{GenConfig, InterpEngine, KernelEngine, Report, differential_with};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stress = args.iter().any(|a| a == "--stress");
    let nums: Vec<u64> = args.iter().filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let count = nums.first().copied().unwrap_or(1_000_000);
    let first = nums.get(1).copied().unwrap_or(0);
    if let Err(why) = hive_kernel::available() {
        eprintln!("the kernel oracle is unavailable: {why}");
        return ExitCode::from(2);
    }
    let cfg = if stress { GenConfig::stress() } else { GenConfig::default() };
    let (mut kernel, mut interp) = (KernelEngine::new(), InterpEngine::new());
    let mut total = Report::default();
    let chunk = 100_000;
    let mut start = first;
    while start < first + count {
        let end = (start + chunk).min(first + count);
        let r = differential_with(start..end, &cfg, &mut kernel, &mut interp);
        for m in &r.mismatches {
            if total.mismatches.len() < hive_testkit::MAX_KEPT {
                total.mismatches.push(m.clone());
            }
        }
        total.engines = r.engines.clone();
        total.programs += r.programs;
        total.agreed += r.agreed;
        total.mismatch_count += r.mismatch_count;
        total.elapsed += r.elapsed;
        eprintln!("seeds {first}..{end}: {} programs, {} mismatched", total.programs, total.mismatch_count);
        start = end;
    }
    println!("seeds {first}..{} ({}), {} interpreter instructions", first + count, if stress { "stress" } else { "default" }, interp.insns);
    print!("{total}");
    if total.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
