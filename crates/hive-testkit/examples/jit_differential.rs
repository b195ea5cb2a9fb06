//! The long JIT differential: `COUNT` seeded random programs on Hive's interpreter and on
//! Hive's JIT, `r0` and every register and stack word compared.
//!
//! ```text
//! cargo run --release -p hive-testkit --example jit_differential -- [COUNT] [FIRST_SEED] [--stress]
//! ```
//! Prints progress every 100,000 programs and a final line
//! `hive-interp vs hive-jit: N programs, N agreed, 0 mismatched (...)`; exits 1 on a mismatch.

use std::process::ExitCode;

use hive_testkit::{GenConfig, InterpEngine, JitEngine, Report, differential_with};

#[allow(unsafe_code)]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stress = args.iter().any(|a| a == "--stress");
    let nums: Vec<u64> = args.iter().filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let count = nums.first().copied().unwrap_or(1_000_000);
    let first = nums.get(1).copied().unwrap_or(0);
    let cfg = if stress { GenConfig::stress() } else { GenConfig::default() };
    // SAFETY: the engine only runs `generate`'s programs, which the kernel verifier accepts.
    let mut jit = unsafe { JitEngine::trusting() };
    let mut interp = InterpEngine::new();
    let mut total = Report::default();
    let chunk = 100_000;
    let mut start = first;
    while start < first + count {
        let end = (start + chunk).min(first + count);
        let r = differential_with(start..end, &cfg, &mut interp, &mut jit);
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
    let per = |d: std::time::Duration, n: u64| d.as_secs_f64() * 1e6 / n.max(1) as f64;
    println!(
        "seeds {first}..{} ({}), {} interpreter instructions; JIT compiled {} slots into {} bytes, \
         {:.1} µs per program, {:.1} µs per 1,000 slots",
        first + count,
        if stress { "stress" } else { "default" },
        interp.insns,
        jit.slots,
        jit.code_bytes,
        per(jit.compile_time, jit.runs),
        per(jit.compile_time, jit.slots) * 1000.0,
    );
    print!("{total}");
    if total.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
