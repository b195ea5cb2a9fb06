//! # hive: the command line
//!
//! Argument parsing and presentation only; every behaviour lives in the library crates.
#![forbid(unsafe_code)]

mod bench;
mod commands;
mod corpus;
mod inspect;
mod map;
mod prog;
mod run;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hive_asm::Syntax;
use hive_corpus::conformance::Engine;

/// Hive: the Linux BPF subsystem in user space.
#[derive(Debug, Parser)]
#[command(name = "hive", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Benchmark the suite (bench/progs) and bpf-benchmark-2023 on Hive's JIT and interpreter,
    /// and optionally the host kernel and rbpf; prints ns per run and Hive JIT / kernel ratios.
    Bench(bench::BenchArgs),
    /// Load a BPF object (.bpf.o, as clang builds it for the kernel) and test-run a program on
    /// each --data packet: verdict, duration, packet changes, trace output, then every map.
    Run(run::RunArgs),
    /// Load an object and show its programs (`show`) or one program's instructions as they run
    /// (`dump xlated [linum]`), like bpftool.
    Prog {
        #[command(subcommand)]
        command: prog::ProgCommand,
    },
    /// Load an object for this invocation and dump a map (optionally after running packets
    /// through a program), look a key up or update it, like bpftool; nothing persists.
    Map {
        #[command(subcommand)]
        command: map::MapCommand,
    },
    /// Assemble a text program into raw instructions (8 bytes each, little-endian).
    Asm {
        /// The assembly source.
        file: PathBuf,
        /// Output file [default: the input with extension .bin].
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Source syntax: kernel (LLVM/verifier-log style) or ubpf.
        #[arg(long, default_value = "kernel")]
        syntax: Syntax,
    },
    /// Disassemble raw instructions (.bin) or every program section of an ELF object (.o).
    Disasm {
        /// A raw program or an ELF object.
        file: PathBuf,
        /// Output syntax: kernel or ubpf.
        #[arg(long, default_value = "kernel")]
        syntax: Syntax,
    },
    /// Run a raw program in the interpreter with r1 = the input memory, r2 = its length; print r0.
    RunRaw {
        /// The raw program (.bin).
        file: PathBuf,
        /// File whose bytes are the input memory [default: none, r1 = 0, r2 = 0].
        #[arg(long)]
        mem: Option<PathBuf>,
        /// Maximum number of instructions to execute.
        #[arg(long, default_value_t = hive_interp::DEFAULT_BUDGET)]
        budget: u64,
        /// Refuse reads of registers never written (as a verifier would).
        #[arg(long)]
        strict: bool,
        /// Also print the number of instructions executed and calls made.
        #[arg(long)]
        stats: bool,
    },
    /// Inspect BTF: `hive btf dump FILE [format raw|c|ext]`, like bpftool.
    Btf {
        #[command(subcommand)]
        command: BtfCommand,
    },
    /// List what a loader makes of a BPF ELF object: programs after relocation and linking,
    /// maps, BTF, license, kernel version; exit 2 when libbpf would load nothing.
    Inspect(inspect::InspectArgs),
    /// Verify every program of an object with Hive's verifier: verdict, instructions
    /// processed, peak states and time per program, the log on rejection; exit 0 when all are
    /// accepted, 1 when one is rejected, 2 when the object cannot be loaded.
    Verify(verify::VerifyArgs),
    /// Run a verifier corpus (kernel selftests, PREVAIL cases, ebpf-samples) and compare
    /// Hive's verdicts with the reference; ends with
    /// `total=N agree=A false_accept=F false_reject=R skipped=S`.
    Corpus {
        #[command(subcommand)]
        command: corpus::CorpusCommand,
    },
    /// Run bpf_conformance/uBPF `.data` tests; ends with `N passed, M failed, K skipped`.
    Conformance {
        /// Engine to run the programs on.
        #[arg(long, default_value = "interp")]
        engine: Engine,
        /// Let registers start at 0 instead of refusing reads before writes (uBPF's tests
        /// assume this).
        #[arg(long)]
        lenient: bool,
        /// Print each expected refusal next to Hive's message.
        #[arg(short, long)]
        verbose: bool,
        /// `.data` files or folders holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum BtfCommand {
    /// Print the types of a raw BTF file (such as /sys/kernel/btf/vmlinux) or of an ELF
    /// object's .BTF: `raw` (bpftool's default), `c` (a header), `ext` (.BTF.ext records).
    Dump {
        /// A raw BTF blob or a BPF ELF object.
        file: PathBuf,
        /// `format raw`, `format c` or `format ext`, as bpftool spells it.
        #[arg(num_args = 0..=2, value_names = ["format", "KIND"])]
        format: Vec<String>,
        /// Base BTF for split BTF (bpftool's -B), e.g. /sys/kernel/btf/vmlinux.
        #[arg(short = 'B', long)]
        base: Option<PathBuf>,
    },
}

/// `hive ... | head` closes the pipe early: `println!` then panics with a broken pipe. Like a
/// C tool killed by `SIGPIPE`, exit quietly with status 141 (128 + `SIGPIPE`) instead.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(args) => bench::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Prog { command } => prog::run(&command),
        Command::Map { command } => map::run(&command),
        Command::Asm { file, output, syntax } => commands::asm(&file, output, syntax),
        Command::Disasm { file, syntax } => commands::disasm(&file, syntax),
        Command::RunRaw { file, mem, budget, strict, stats } => {
            commands::run_raw(&file, mem.as_deref(), budget, strict, stats)
        }
        Command::Btf { command: BtfCommand::Dump { file, format, base } } => {
            commands::btf_dump(&file, &format, base.as_deref())
        }
        Command::Inspect(args) => inspect::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Corpus { command } => corpus::run(&command),
        Command::Conformance { engine, lenient, verbose, paths } => {
            commands::conformance(&paths, engine, !lenient, verbose)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hive: {e:#}");
            ExitCode::from(2)
        }
    }
}
