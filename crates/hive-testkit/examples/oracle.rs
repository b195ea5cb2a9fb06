//! Measures how many generated programs the kernel accepts and how fast it loads and runs them.
//!
//! `cargo run --release -p hive-testkit --example oracle -- [COUNT] [FIRST_SEED] [--stats] [--stress]`
//! or `-- --xlated SEED` to compare a program with what the kernel made of it.
//! prints the acceptance rate, programs per second, and (with `--stats`) the verifier's
//! processed-instruction counts; the first rejections are printed with their verifier reason.

use std::time::Instant;

use hive_testkit::{GenConfig, OracleError, generate, observe_with};

fn main() {
    if let Err(why) = hive_kernel::available() {
        eprintln!("skipping: {why}");
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--xlated") {
        let seed = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(0);
        return show_xlated(seed, args.iter().any(|a| a == "--stress"));
    }
    let stats = args.iter().any(|a| a == "--stats");
    let nums: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let count = nums.first().copied().unwrap_or(10_000);
    let first = nums.get(1).copied().unwrap_or(0);
    let cfg = if args.iter().any(|a| a == "--stress") { GenConfig::stress() } else { GenConfig::default() };
    let (mut ok, mut rejected, mut failed) = (0u64, 0u64, 0u64);
    let (mut processed, mut max_processed, mut slots) = (0u64, 0u64, 0u64);
    let start = Instant::now();
    for seed in first..first + count {
        let prog = generate(seed, &cfg);
        slots += prog.raw.len() as u64;
        match observe_with(&prog, if stats { 4 } else { 0 }) {
            Ok((_, log)) => {
                ok += 1;
                if let Some(n) = log.split("processed ").nth(1).and_then(|s| s.split(' ').next()) {
                    let n: u64 = n.parse().unwrap_or(0);
                    processed += n;
                    max_processed = max_processed.max(n);
                }
            }
            Err(OracleError::Rejected(e)) => {
                rejected += 1;
                if rejected <= 5 {
                    eprintln!("REJECTED {}: {}", prog.description, e.reason());
                    let lines: Vec<&str> = e.log.lines().collect();
                    eprintln!("{}", lines[lines.len().saturating_sub(12)..].join("\n"));
                }
            }
            Err(e) => {
                failed += 1;
                if failed <= 5 {
                    eprintln!("FAILED {}: {e}", prog.description);
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{count} programs: {ok} accepted ({:.3}%), {rejected} rejected, {failed} failed; {:.0} programs/s, mean {:.1} slots",
        100.0 * ok as f64 / count as f64,
        count as f64 / secs,
        slots as f64 / count as f64
    );
    if stats && ok > 0 {
        println!("verifier processed insns: mean {:.0}, max {max_processed}", processed as f64 / ok as f64);
    }
}

/// Prints a program as generated and as the kernel rewrote it (`xlated`), one slot per line.
fn show_xlated(seed: u64, stress: bool) {
    let cfg = if stress { GenConfig::stress() } else { GenConfig::default() };
    let prog = generate(seed, &cfg);
    let opts = hive_kernel::LoadOptions::new(hive_kernel::ProgType::Syscall);
    let fd = hive_kernel::load(&opts, &prog.raw).expect("accepted");
    let info = fd.info().expect("info");
    let show = |raw: &[hive_isa::RawInsn]| -> Vec<String> {
        let mut out = Vec::new();
        for (pc, r) in raw.iter().enumerate() {
            let text = match hive_isa::decode(*r, raw.get(pc + 1).copied()) {
                Ok(i) => format!("{i:?}"),
                Err(e) => format!("({e})"),
            };
            out.push(format!("{pc:4} {:#018x} {text}", r.to_u64()));
        }
        out
    };
    println!("{}\n--- generated ({} slots)", prog.description, prog.raw.len());
    println!("{}", show(&prog.raw).join("\n"));
    println!("--- xlated ({} slots, {} bytes jited)", info.xlated.len(), info.jited_len);
    println!("{}", show(&info.xlated).join("\n"));
}
