//! `hive verify OBJ.o`: run Hive's verifier on every program of an object and print one
//! verdict per program (the log under a rejection); exit 0 when all are accepted, 1 when one
//! is rejected, 2 when the object cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use hive_corpus::object_verify::{ObjectResult, ProgramResult, VerifyObjectOptions, open_object, verify_object};
use hive_platform::prog::ProgType;
use hive_verifier::LogLevel;
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A BPF ELF object (.o).
    file: PathBuf,
    /// Only this program.
    #[arg(long)]
    prog: Option<String>,
    /// Log level: 0 none, 1 the failing path (default), 2 everything.
    #[arg(long, default_value_t = 1)]
    log_level: u32,
    /// Verify as an unprivileged loader (no CAP_BPF).
    #[arg(long)]
    unprivileged: bool,
    /// Print a JSON array, one object per program.
    #[arg(long)]
    json: bool,
    /// Program type for sections whose name gives none (neither libbpf's table nor the legacy
    /// prefixes `xdp*`, `socket*`, `kprobe/`... know it), e.g. `sched_cls` for objects `tc`
    /// loads.
    #[arg(long = "type", value_name = "TYPE")]
    prog_type: Option<String>,
    /// Verify as GPL-compatible whatever the object's licence, as loaders that pass their own
    /// licence string do.
    #[arg(long)]
    assume_gpl: bool,
}

fn program_json(p: &ProgramResult) -> Value {
    json!({
        "prog": p.name,
        "section": p.section,
        "prog_type": p.prog_type.to_string(),
        "verdict": if p.verdict.is_ok() { "accept" } else { "reject" },
        "error": p.verdict.as_ref().err(),
        "insns": p.insns,
        "insns_processed": p.processed,
        "peak_states": p.peak_states,
        "time_us": p.time_us,
        "log": p.log,
        "explanation": p.explanation,
    })
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_string(), |n| n.to_string())
}

fn print_text(out: &ObjectResult) {
    for p in &out.programs {
        let verdict = match &p.verdict {
            Ok(()) => "accept".to_string(),
            Err(m) => format!("reject: {m}"),
        };
        let source = p.type_source.map(|s| format!(" from {s}")).unwrap_or_default();
        println!(
            "{} ({}, {}{source}): {verdict}  insns {}  processed {}  peak_states {}  {} us",
            p.name,
            p.section,
            p.prog_type,
            p.insns,
            opt(p.processed),
            opt(p.peak_states),
            p.time_us
        );
        if p.verdict.is_err() {
            for l in p.log.lines() {
                println!("    {l}");
            }
            if let Some(e) = &p.explanation {
                for l in e.lines() {
                    println!("  {l}");
                }
            }
        }
    }
    for u in &out.unbuildable {
        println!("{} ({}): cannot be built: {}", u.name, u.section, u.error);
    }
}

pub fn run(args: &VerifyArgs) -> Result<ExitCode> {
    let spec = match open_object(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("hive: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let log_level = match args.log_level {
        0 => LogLevel::Off,
        1 => LogLevel::Basic,
        _ => LogLevel::Verbose,
    };
    let untyped = match &args.prog_type {
        Some(name) => match ProgType::from_name(name) {
            Some(t) => Some(t),
            None => {
                eprintln!("hive: unknown program type '{name}' (kernel names without BPF_PROG_TYPE_: xdp, sched_cls, ...)");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let opts =
        VerifyObjectOptions {
        privileged: !args.unprivileged,
        log_level,
        untyped,
        assume_gpl: args.assume_gpl,
        explain: true,
    };
    let out = verify_object(&spec, args.prog.as_deref(), &opts);
    if out.programs.is_empty() && out.unbuildable.is_empty() {
        match &args.prog {
            Some(p) => eprintln!("hive: {}: no program '{p}'", args.file.display()),
            None => eprintln!("hive: {}: no program", args.file.display()),
        }
        return Ok(ExitCode::from(2));
    }
    if args.json {
        let v: Vec<Value> = out.programs.iter().map(program_json).collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_text(&out);
    }
    if out.programs.is_empty() {
        // Nothing could be built: the object cannot be loaded.
        return Ok(ExitCode::from(2));
    }
    let rejected = out.programs.iter().any(|p| p.verdict.is_err()) || !out.unbuildable.is_empty();
    Ok(if rejected { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
