//! # hive-bench: Hive's benchmark suite
//!
//! This crate measures Hive's engines against the references that matter: the host
//! kernel's JIT (through `BPF_PROG_TEST_RUN`) and rbpf, the other Rust eBPF VM. It owns
//! the workloads, the engines' harnesses, the alternating measurement, the statistics and
//! the report; `hive bench` (in `hive-cli`) only presents what [`run_suite`] returns.
//!
//! ## The suite
//!
//! Twenty-eight XDP programs written in C, plus the `empty` baseline that measures each
//! engine's per-run overhead (`bench/progs/*.bpf.c`, one shared header
//! `bench.h`, objects committed next to them and rebuilt with `make bench-progs`), listed
//! in [`suite::SUITE`]: compute loops (primes, log2, popcount, Fibonacci, checksum, CRC-32,
//! memcpy and strcmp over packet data, matrix product, sort, jhash, SipHash), a 32-way
//! switch and an HTTP parser (branch-dense), packet parsing (Ethernet/VLAN/IPv4 with
//! options, IPv6 with extension headers, TCP options, a NAT rewrite with incremental
//! checksums), map-heavy (array and hash), helper-heavy, `bpf_loop`, bpf-to-bpf call
//! chains, and byte-swap, sign-extension and signed-division code (three of them compiled
//! for `-mcpu=v4`, the rest for v3). The kernel verifier accepts every one: loops are
//! bounded, `can_loop` (`may_goto`), `bpf_for` (the `bpf_iter_num` kfuncs) or `bpf_loop`.
//!
//! Each takes a packet built in [`packets`] and returns a `u32` that depends on its whole
//! computation, so engines are cross-checked before anything is timed: every engine's first
//! run must return what Hive's interpreter (the oracle) returns, and a disagreement is
//! reported as `MISMATCH` and never timed.
//!
//! ## Loading without a loader
//!
//! [`elf`] links an object the way libbpf would for these programs (program section plus
//! `.text` subprograms, legacy `maps` definitions, kfunc externs) and [`program`] resolves
//! the references per engine: kernel map fds, Hive map handles served by a small helper set
//! over `hive-maps` ([`helpers`]), vmlinux BTF ids for kfuncs ([`kfunc`]). It is a stand-in
//! until `hive-object`'s loader and `hive-runtime`'s helpers and XDP contexts land. XDP
//! programs read their packet through the 32-bit `xdp_md` fields, so Hive's engines and
//! rbpf get packets mapped below 4 GiB ([`lowmem`]) and a real `xdp_md`.
//!
//! ## Measuring honestly
//!
//! [`measure`] alternates the engines of one program in rounds (ten by default, the order
//! rotating each round), each engine running a batch of back-to-back runs sized to about
//! 4 ms, and reports the median of the per-run means. The kernel's figure is its own
//! `duration` (mean ns per run of the test-run loop, which includes that loop's per-run
//! overhead); Hive's and rbpf's are a tight loop of calls on the same input timed around
//! the loop, so each includes the engine's own per-run cost — the same kind of overhead,
//! not the same amount: see [`engines`] and the `empty` baseline. Both sides leave out time
//! the thread was preempted (the kernel's timer stops when it reschedules; user-space
//! engines are timed with the thread's CPU time, [`clock`]). Ratios are only taken within
//! one run.
//!
//! ## What it found so far
//!
//! Hive's JIT now runs the suite faster than the kernel's (geometric mean of hive/kernel
//! about 0.82 on the shared 2-core development machine, 27 programs): at par on code
//! both compile to the same instructions (`crc32`, `matrix`, `nat`, `bswap`, `sdiv_v4`), and
//! faster where its peephole layer finds something (rotates as `rol` in `jhash`/`siphash`,
//! `cmov` in `sort`, `lea` for `*3`, aligned loop heads in `checksum`/`memcpy`, fused
//! `can_loop` latches), on bpf-to-bpf calls, and on array lookups, which it inlines
//! ([`helpers::natives`]: direct helper calls and map lookups, as the kernel does).
//! `hash_map` was the one program slower (about 2.2x) while every `hive-maps` hash lookup
//! and update took its bucket's reader-writer lock and copied the key into a zeroed 128-byte
//! buffer; with lookups lock-free over nulls-terminated chains (the kernel's design under
//! RCU), keys hashed straight from their bytes and in-place updates under a per-bucket spin
//! lock, it runs at about 0.8-0.86x the kernel's time.
//! `bpf_loop` runs on the JIT (inlined, as the kernel's verifier does) and on the kernel,
//! loaded with the program's own BTF and func info (`hive_object`'s, [`program::Prepared::btf`]),
//! which the kernel requires for callbacks. Against rbpf 0.4's JIT (another template JIT),
//! Hive's is about 1.2x faster over the 22 programs rbpf runs (`rbpf-jit/hive-jit` geomean
//! 1.2): at par on simple byte loops (the corpus's `strcmp`, `switch`) and where the CPU sets
//! the pace, 1.3-1.8x faster where the peephole layer, known bits (the corpus's `prime`:
//! 32-bit division) or loop alignment apply. `bench/README.md` has the verifier lessons, including a kernel
//! verifier oops the suite ran into.
//!
//! ```no_run
//! let opts = hive_bench::RunOptions { kernel: true, ..Default::default() };
//! let report = hive_bench::run_suite(Some("crc"), &opts).unwrap();
//! println!("{}", report.geomean_line());
//! ```
#![deny(unsafe_code)]

pub mod clock;
pub mod corpus;
pub mod elf;
pub mod engines;
mod error;
pub mod helpers;
pub mod kfunc;
#[allow(unsafe_code)]
pub mod lowmem;
pub mod measure;
pub mod packets;
pub mod program;
pub mod report;
pub mod run;
pub mod stats;
pub mod suite;

pub use error::BenchError;
pub use measure::Settings;
pub use report::Report;
pub use run::{ProgramReport, RunOptions, crosscheck, run_program};

use kfunc::KfuncIds;
use program::Prepared;

/// The suite's programs whose name contains `pattern` (all with `None`), prepared.
pub fn suite_programs(pattern: Option<&str>) -> Result<Vec<Prepared>, BenchError> {
    let kfuncs = KfuncIds::load();
    suite::SUITE
        .iter()
        .filter(|w| pattern.is_none_or(|p| w.name.contains(p)))
        .map(|w| Prepared::suite(w.name, w.object, w.packet, &kfuncs))
        .collect()
}

/// The Hive JIT's code for `p` as compiled for the bench, disassembled with each BPF
/// instruction before its x86 code.
pub fn jit_disassembly(p: &Prepared) -> Result<String, BenchError> {
    let engine = engines::HiveEngine::new(p, engines::HiveMode::Jit)?;
    Ok(engine.jit().map(hive_jit::JitProgram::disassemble).unwrap_or_default())
}

/// The bpf-benchmark-2023 programs whose name contains `pattern`; none if the corpus is
/// not there.
pub fn corpus_programs(pattern: Option<&str>) -> Result<Vec<Prepared>, BenchError> {
    let dir = corpus::dir();
    if !dir.exists() {
        return Ok(Vec::new());
    }
    Ok(corpus::load(&dir)?.into_iter().filter(|p| pattern.is_none_or(|pat| p.name.contains(pat))).collect())
}

/// Runs every matching suite and corpus program; `progress` is told each program's name
/// before it runs.
pub fn run_suite_with(
    pattern: Option<&str>,
    opts: &RunOptions,
    mut progress: impl FnMut(&str),
) -> Result<Report, BenchError> {
    let kfuncs = KfuncIds::load();
    let mut run = |ps: Vec<Prepared>| -> Vec<ProgramReport> {
        ps.iter()
            .map(|p| {
                progress(&p.name);
                run_program(p, opts)
            })
            .collect()
    };
    let suite = run(suite_programs(pattern)?);
    let corpus = run(corpus_programs(pattern)?);
    let s = &opts.settings;
    Ok(Report::new(s.rounds, s.batch.as_secs_f64() * 1e3, kfuncs.from_vmlinux, suite, corpus))
}

/// [`run_suite_with`] without progress reports.
pub fn run_suite(pattern: Option<&str>, opts: &RunOptions) -> Result<Report, BenchError> {
    run_suite_with(pattern, opts, |_| {})
}
