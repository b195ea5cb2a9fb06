//! Running one program on every engine: build the engines, cross-check their results,
//! measure, time the JIT compilation.

use std::time::Instant;

use hive_isa::Code;
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
    /// Machine code bytes of the kernel's JIT (`jited_len`).
    pub kernel_code_bytes: Option<usize>,
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
        let prog = hive_jit::compile(&code, &crate::engines::jit_options()).ok()?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
        drop(prog);
    }
    Some(median(&mut times))
}

/// Engines that passed the cross-check, with their index in the report list.
type Live<'p> = Vec<(usize, Box<dyn Engine + 'p>)>;

/// Builds the engines `opts` asks for and runs each once on a fresh instance, comparing
/// with Hive's interpreter (the oracle). Returns one report per engine, in column order
/// (hive-jit, hive-interp, kernel, rbpf-jit, rbpf-interp), and the engines that agreed.
fn check<'p>(p: &'p Prepared, opts: &RunOptions) -> (Vec<EngineReport>, Live<'p>, Option<f64>) {
    type Slot<'p> = (&'static str, Result<Box<dyn Engine + 'p>, String>);
    fn boxed<'p, E: Engine + 'p>(r: Result<E, crate::BenchError>) -> Result<Box<dyn Engine + 'p>, String> {
        r.map(|e| Box::new(e) as Box<dyn Engine + 'p>).map_err(|e| e.to_string())
    }
    let mut slots: Vec<Slot<'p>> = vec![
        ("hive-jit", boxed(HiveEngine::new(p, HiveMode::Jit))),
        ("hive-interp", boxed(HiveEngine::new(p, HiveMode::Interp))),
    ];
    let xdp = matches!(p.input, Input::Xdp(_));
    if opts.kernel && xdp {
        slots.push(("kernel", boxed(KernelEngine::new(p))));
    }
    let mut rbpf_compile_us = None;
    if opts.rbpf {
        let jit = RbpfEngine::new(p, RbpfMode::Jit);
        if let Ok(e) = &jit {
            rbpf_compile_us = e.compile_us(opts.compile_samples);
        }
        slots.push(("rbpf-jit", boxed(jit)));
        slots.push(("rbpf-interp", boxed(RbpfEngine::new(p, RbpfMode::Interp))));
    }
    // The interpreter runs first: it is the oracle.
    let order: Vec<usize> = std::iter::once(1).chain(std::iter::once(0)).chain(2..slots.len()).collect();
    let mask = |v: u64| if xdp { v & 0xffff_ffff } else { v };
    let mut reports: Vec<Option<EngineReport>> = vec![None; slots.len()];
    let mut slots: Vec<Option<Slot<'p>>> = slots.into_iter().map(Some).collect();
    let mut live = Vec::new();
    let mut reference = None;
    for i in order {
        let (name, slot) = slots[i].take().expect("each slot once");
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
                        live.push((i, engine));
                    }
                }
            },
        }
        reports[i] = Some(report);
    }
    (reports.into_iter().map(|r| r.expect("every slot reported")).collect(), live, rbpf_compile_us)
}

/// Cross-checks `p` on the engines `opts` asks for, without timing anything: one report
/// per engine with its first run's value and its status.
pub fn crosscheck(p: &Prepared, opts: &RunOptions) -> Vec<EngineReport> {
    check(p, opts).0
}

/// Runs `p` on the engines `opts` asks for: cross-check, then measurement.
pub fn run_program(p: &Prepared, opts: &RunOptions) -> ProgramReport {
    let (mut reports, live, rbpf_compile_us) = check(p, opts);
    let code_bytes =
        |name: &str| live.iter().find(|(i, _)| reports[*i].engine == name).and_then(|(_, e)| e.code_bytes());
    let (jit_code_bytes, kernel_code_bytes) = (code_bytes("hive-jit"), code_bytes("kernel"));
    let (index, mut engines): (Vec<usize>, Vec<Box<dyn Engine + '_>>) = live.into_iter().unzip();
    for (m, i) in measure(&mut engines, &opts.settings).into_iter().zip(index) {
        match m {
            Ok(m) => reports[i].time = Some(m),
            Err(e) => {
                reports[i].status = Status::Failed;
                reports[i].note = Some(e.to_string());
            }
        }
    }
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
        kernel_code_bytes,
        mismatch: reports.iter().any(|r| matches!(r.status, Status::Mismatch)),
        engines: reports,
    }
}
