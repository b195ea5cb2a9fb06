//! The long kernel differential: `N` seeded random programs on the host kernel and on Hive's
//! interpreter, every register and stack word compared.
//!
//! ```text
//! cargo run --release -p hive-testkit --example differential -- [COUNT] [FIRST_SEED] [--stress]
//! ```
//! Prints progress every 100,000 programs and a final line
//! `kernel vs hive-interp: N programs, N agreed, 0 mismatched (...)`; exits 1 on a mismatch.

use std::process::ExitCode;

use hive_testkit::{GenConfig, InterpEngine, KernelEngine, differential_chunked};

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
    let total = differential_chunked(first..first + count, &cfg, &mut kernel, &mut interp, 100_000, |end, t| {
        eprintln!("seeds {first}..{end}: {} programs, {} mismatched", t.programs, t.mismatch_count);
    });
    println!("seeds {first}..{} ({}), {} interpreter instructions", first + count, if stress { "stress" } else { "default" }, interp.insns);
    print!("{total}");
    if total.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
