//! Running one program on every engine: build the engines, cross-check their results,
//! measure, time the JIT compilation.

use std::time::Instant;

use hive_isa::Code;
use hive_jit::JitOptions;
use serde::Serialize;

use crate::engines::{Engine, HiveEngine, HiveMode, KernelEngine, RbpfEngine, RbpfMode};
use crate::measure::{Measured, Settings, measure};
use crate::program::{Input, Prepared};
use crate::stats::median;

/// Which engines to run and how long.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Include the host kernel.
    pub kernel: bool,
    /// Include rbpf (JIT and interpreter).
    pub rbpf: bool,
    /// Measurement settings.
    pub settings: Settings,
    /// Compilations timed for the JIT compile time (median).
    pub compile_samples: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { kernel: false, rbpf: false, settings: Settings::default(), compile_samples: 21 }
    }
}

/// What happened to one engine.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ran, agreed with the interpreter, measured.
    Ok,
    /// Cannot run this program (the reason is in `note`).
    NotRun,
    /// Failed to load, run or measure (see `note`).
    Failed,
    /// Returned a different value than Hive's interpreter (see `retval`).
    Mismatch,
}

/// One engine's result on one program.
#[derive(Clone, Debug, Serialize)]
pub struct EngineReport {
    /// Engine name.
    pub engine: &'static str,
    /// Outcome.
    pub status: Status,
    /// `r0` of the first run (for XDP programs, the low 32 bits).
    pub retval: Option<u64>,
    /// Timing, when measured.
    pub time: Option<Measured>,
    /// Why it did not run, or what failed.
    pub note: Option<String>,
}

impl EngineReport {
    /// Median ns per run, if measured.
    pub fn ns(&self) -> Option<f64> {
        self.time.as_ref().map(|t| t.median_ns)
    }
}

/// One program's results.
#[derive(Clone, Debug, Serialize)]
pub struct ProgramReport {
    /// Program name.
    pub name: String,
    /// Instructions (slots) after linking.
    pub insns: usize,
    /// Every engine that was asked, in column order.
    pub engines: Vec<EngineReport>,
    /// Hive JIT median / kernel median.
    pub jit_over_kernel: Option<f64>,
    /// Hive JIT median / rbpf JIT median.
    pub jit_over_rbpf_jit: Option<f64>,
    /// Median time of `hive_jit::compile` (µs).
    pub jit_compile_us: Option<f64>,
    /// Median time of rbpf's `jit_compile` (µs).
    pub rbpf_compile_us: Option<f64>,
    /// Machine code bytes of the Hive JIT (entry stub included).
    pub jit_code_bytes: Option<usize>,
    /// Whether any engine disagreed with the interpreter.
    pub mismatch: bool,
}

impl ProgramReport {
    /// The report of `engine`, if it was asked.
    pub fn engine(&self, engine: &str) -> Option<&EngineReport> {
        self.engines.iter().find(|e| e.engine == engine)
    }
}

fn jit_compile_us(p: &Prepared, samples: usize) -> Option<f64> {
    let code = Code::decode(&p.hive_insns()).ok()?;
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples.max(1) {
        let start = Instant::now();
        let prog = hive_jit::compile(&code, &JitOptions::default()).ok()?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
        drop(prog);
    }
    Some(median(&mut times))
}

/// Runs `p` on the engines `opts` asks for.
pub fn run_program(p: &Prepared, opts: &RunOptions) -> ProgramReport {
    type Slot<'p> = (&'static str, Result<Box<dyn Engine + 'p>, String>);
    let boxed = |r: Result<Box<dyn Engine>, crate::BenchError>| r.map_err(|e| e.to_string());
    // The interpreter first: it is the oracle the others are checked against.
    let mut slots: Vec<Slot<'_>> = vec![
        ("hive-interp", boxed(HiveEngine::new(p, HiveMode::Interp).map(|e| Box::new(e) as Box<dyn Engine>))),
        ("hive-jit", boxed(HiveEngine::new(p, HiveMode::Jit).map(|e| Box::new(e) as Box<dyn Engine>))),
    ];
    let xdp = matches!(p.input, Input::Xdp(_));
    if opts.kernel && xdp {
        slots.push(("kernel", boxed(KernelEngine::new(p).map(|e| Box::new(e) as Box<dyn Engine>))));
    }
    let mut rbpf_compile_us = None;
    if opts.rbpf {
        for mode in [RbpfMode::Jit, RbpfMode::Interp] {
            let e = RbpfEngine::new(p, mode);
            if let Ok(e) = &e
                && mode == RbpfMode::Jit
            {
                rbpf_compile_us = e.compile_us(opts.compile_samples);
            }
            let name = if mode == RbpfMode::Jit { "rbpf-jit" } else { "rbpf-interp" };
            slots.push((name, boxed(e.map(|e| Box::new(e) as Box<dyn Engine>))));
        }
    }
    let jit_code_bytes = HiveEngine::new(p, HiveMode::Jit).ok().and_then(|e| e.jit().map(|j| j.machine_code().len()));

    // Cross-check: the first run of each fresh engine against the interpreter's.
    let mask = |v: u64| if xdp { v & 0xffff_ffff } else { v };
    let mut reports = Vec::new();
    let mut live: Vec<Box<dyn Engine + '_>> = Vec::new();
    let mut live_index = Vec::new();
    let mut reference = None;
    for (name, slot) in slots {
        let mut report = EngineReport { engine: name, status: Status::Ok, retval: None, time: None, note: None };
        match slot {
            Err(note) => {
                let cannot = note.contains("cannot run") || note.contains("no kernel program type");
                report.status = if cannot { Status::NotRun } else { Status::Failed };
                report.note = Some(note);
            }
            Ok(mut engine) => match engine.run_once() {
                Err(e) => {
                    report.status = Status::Failed;
                    report.note = Some(e.to_string());
                }
                Ok(v) => {
                    let v = mask(v);
                    report.retval = Some(v);
                    match reference {
                        None if name == "hive-interp" => reference = Some(v),
                        Some(r) if r != v => {
                            report.status = Status::Mismatch;
                            report.note = Some(format!("returned {v:#x}, hive-interp {r:#x}"));
                        }
                        _ => {}
                    }
                    if !matches!(report.status, Status::Mismatch) {
                        live_index.push(reports.len());
                        live.push(engine);
                    }
                }
            },
        }
        reports.push(report);
    }
    for (m, &i) in measure(&mut live, &opts.settings).into_iter().zip(&live_index) {
        match m {
            Ok(m) => reports[i].time = Some(m),
            Err(e) => {
                reports[i].status = Status::Failed;
                reports[i].note = Some(e.to_string());
            }
        }
    }
    // Column order: hive-jit, hive-interp, kernel, rbpf-jit, rbpf-interp.
    reports.swap(0, 1);
    let ns = |name: &str| reports.iter().find(|r| r.engine == name).and_then(EngineReport::ns);
    let ratio = |a: Option<f64>, b: Option<f64>| Some(a? / b?).filter(|r| r.is_finite() && *r > 0.0);
    ProgramReport {
        name: p.name.clone(),
        insns: p.linked.insns.len(),
        jit_over_kernel: ratio(ns("hive-jit"), ns("kernel")),
        jit_over_rbpf_jit: ratio(ns("hive-jit"), ns("rbpf-jit")),
        jit_compile_us: jit_compile_us(p, opts.compile_samples),
        rbpf_compile_us,
        jit_code_bytes,
        mismatch: reports.iter().any(|r| matches!(r.status, Status::Mismatch)),
        engines: reports,
    }
}
