//! `hive bench`: presentation of hive-bench's results (the measurement lives there).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::Args;

/// Arguments of `hive bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Only programs whose name contains this.
    pattern: Option<String>,
    /// Also run each program in the host kernel (BPF_PROG_TEST_RUN with repeat).
    #[arg(long)]
    kernel: bool,
    /// Also run rbpf 0.4 (JIT and interpreter) where it can run the program.
    #[arg(long)]
    rbpf: bool,
    /// Print the whole report as JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Measurement rounds per program (engines alternate within each round).
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Target length of one batch of runs, in milliseconds.
    #[arg(long, default_value_t = 4.0)]
    batch_ms: f64,
    /// Print the Hive JIT's machine code for the matching programs (BPF instructions
    /// interleaved) instead of measuring.
    #[arg(long)]
    disasm: bool,
}

/// Runs the suite and prints tables (or JSON); the last line is the Hive/kernel geomean
/// when `--kernel` is given. Exits with 1 if any engine disagreed with the interpreter.
pub fn run(args: &BenchArgs) -> Result<ExitCode> {
    if args.disasm {
        let pattern = args.pattern.as_deref();
        for p in hive_bench::suite_programs(pattern)?.iter().chain(&hive_bench::corpus_programs(pattern)?) {
            println!("{}:\n{}", p.name, hive_bench::jit_disassembly(p)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let settings = hive_bench::Settings {
        rounds: args.rounds.max(1),
        batch: Duration::from_secs_f64(args.batch_ms.max(0.01) / 1e3),
        ..hive_bench::Settings::default()
    };
    let opts = hive_bench::RunOptions { kernel: args.kernel, rbpf: args.rbpf, settings, ..Default::default() };
    let report = hive_bench::run_suite_with(args.pattern.as_deref(), &opts, |name| {
        eprint!("\r\x1b[2Kbench: {name}");
        let _ = std::io::stderr().flush();
    })?;
    eprint!("\r\x1b[2K");
    let mismatches = report.mismatches();
    for m in &mismatches {
        eprintln!("hive bench: MISMATCH {m}");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let mut engines = vec!["hive-jit", "hive-interp"];
        if args.kernel {
            engines.push("kernel");
        }
        if args.rbpf {
            engines.extend(["rbpf-jit", "rbpf-interp"]);
        }
        if !report.corpus.is_empty() {
            let corpus_engines: Vec<&str> = engines.iter().copied().filter(|&e| e != "kernel").collect();
            println!(
                "{}",
                hive_bench::report::table(
                    "bpf-benchmark-2023 (raw programs, r1 = memory)",
                    &report.corpus,
                    &corpus_engines
                )
            );
        }
        if !report.suite.is_empty() {
            println!(
                "{}",
                hive_bench::report::table(
                    "suite (XDP programs, ns per run, median of rounds)",
                    &report.suite,
                    &engines
                )
            );
        }
        if let (true, Some(line)) = (args.rbpf, report.rbpf_line()) {
            println!("{line}");
        }
        if args.kernel {
            println!("{}", report.geomean_line());
        }
    }
    Ok(if mismatches.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
