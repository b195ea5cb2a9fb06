//! The long JIT differential: `COUNT` seeded random programs on Hive's interpreter and on
//! Hive's JIT, `r0`, every register and stack word, and every helper call (id and `r1`-`r5`,
//! [`hive_testkit::RecordingHelpers`]) compared.
//!
//! ```text
//! cargo run --release -p hive-testkit --example jit_differential -- [COUNT] [FIRST_SEED] [--stress] [--blind] [--facts]
//! ```
//! `--blind` compiles with constant blinding ([`hive_jit::JitOptions::blind_constants`]);
//! `--facts` verifies each program with Hive's verifier and compiles it with the verifier's
//! facts at block starts, as the runtime does.
//! Prints progress every 100,000 programs and a final line
//! `hive-interp vs hive-jit: N programs, N agreed, 0 mismatched (...)`; exits 1 on a mismatch.

use std::process::ExitCode;

use hive_testkit::{GenConfig, InterpEngine, JitEngine, differential_chunked};

#[allow(unsafe_code)]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stress = args.iter().any(|a| a == "--stress");
    let blind = args.iter().any(|a| a == "--blind");
    let facts = args.iter().any(|a| a == "--facts");
    let nums: Vec<u64> = args.iter().filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let count = nums.first().copied().unwrap_or(1_000_000);
    let first = nums.get(1).copied().unwrap_or(0);
    // With helper calls, recorded with their registers on both engines.
    let cfg = if stress { GenConfig::stress() } else { GenConfig::default() };
    let cfg = GenConfig { max_helper_calls: 3, ..cfg };
    // SAFETY: the engine only runs `generate`'s programs, which the kernel verifier accepts.
    let mut jit = unsafe { JitEngine::trusting() }
        .with_options(hive_jit::JitOptions { blind_constants: blind, ..hive_jit::JitOptions::default() });
    if facts {
        jit = jit.with_verifier_facts();
    }
    let mut interp = InterpEngine::new();
    let total = differential_chunked(first..first + count, &cfg, &mut interp, &mut jit, 100_000, |end, t| {
        eprintln!("seeds {first}..{end}: {} programs, {} mismatched", t.programs, t.mismatch_count);
    });
    let per = |d: std::time::Duration, n: u64| d.as_secs_f64() * 1e6 / n.max(1) as f64;
    println!(
        "seeds {first}..{} ({}), {} interpreter instructions; JIT compiled {} slots into {} bytes, \
         {:.1} µs per program, {:.1} µs per 1,000 slots",
        first + count,
        match (stress, blind) {
            (true, true) => "stress, blinded",
            (true, false) => "stress",
            (false, true) => "default, blinded",
            (false, false) => "default",
        },
        interp.insns,
        jit.slots,
        jit.code_bytes,
        per(jit.compile_time, jit.runs),
        per(jit.compile_time, jit.slots) * 1000.0,
    );
    if facts {
        println!("{} programs compiled with the verifier's facts", jit.with_facts);
    }
    print!("{total}");
    if total.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
