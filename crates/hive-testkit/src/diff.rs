//! Differential runs: the same generated programs on two engines, every disagreement reported
//! with enough to reproduce it (seed, program as hex slots, input, both observations).

use std::fmt::{self, Write as _};
use std::ops::Range;
use std::time::{Duration, Instant};

use crate::engine::{Engine, Observation};
use crate::generator::{GenConfig, GeneratedProgram, generate};

/// Mismatches kept in full in a [`Report`]; later ones are only counted.
pub const MAX_KEPT: usize = 32;

/// One program on which the engines disagreed (or one of them failed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The program's seed: `generate(seed, &config)` rebuilds it.
    pub seed: u64,
    /// Its one-line description.
    pub description: String,
    /// The program as hex `u64` slots, one per line.
    pub program: String,
    /// The context it ran on, as hex `u64` words.
    pub ctx_in: String,
    /// What the first engine observed.
    pub a: Result<Observation, String>,
    /// What the second engine observed.
    pub b: Result<Observation, String>,
    /// The differing words, named (`r3: 0x.. vs 0x..`), when both engines ran.
    pub differences: Vec<String>,
}

/// The outcome of [`differential`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Names of the two engines.
    pub engines: (String, String),
    /// Programs run on both engines.
    pub programs: u64,
    /// Programs on which both engines agreed.
    pub agreed: u64,
    /// Number of mismatching programs (including those not kept).
    pub mismatch_count: u64,
    /// The first [`MAX_KEPT`] mismatches.
    pub mismatches: Vec<Mismatch>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl Report {
    /// Whether every program agreed.
    pub fn is_clean(&self) -> bool {
        self.mismatch_count == 0
    }
}

fn words(bytes: &[u8]) -> String {
    bytes
        .chunks(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            format!("{:#018x}", u64::from_le_bytes(w))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The named 64-bit words in which two observations differ.
pub fn differences(prog: &GeneratedProgram, a: &Observation, b: &Observation) -> Vec<String> {
    let mut out = Vec::new();
    if a.r0 != b.r0 {
        out.push(format!("r0 (returned): {:#x} vs {:#x}", a.r0, b.r0));
    }
    if a.ctx_out.len() != b.ctx_out.len() {
        out.push(format!("context length: {} vs {}", a.ctx_out.len(), b.ctx_out.len()));
    }
    for (i, (x, y)) in a.ctx_out.chunks(8).zip(b.ctx_out.chunks(8)).enumerate() {
        if x != y {
            let name = prog.layout.name_word(i * 8);
            out.push(format!("ctx+{} {name}: {} vs {}", i * 8, words(x), words(y)));
        }
    }
    if a.calls != b.calls {
        out.push(format!("helper calls: {:x?} vs {:x?}", a.calls, b.calls));
    }
    out
}

/// Runs the programs of `seeds` (under [`GenConfig::default`]) on both engines and compares
/// the observations.
pub fn differential(seeds: Range<u64>, a: &mut dyn Engine, b: &mut dyn Engine) -> Report {
    differential_with(seeds, &GenConfig::default(), a, b)
}

/// [`differential`] with an explicit generator configuration.
pub fn differential_with(seeds: Range<u64>, cfg: &GenConfig, a: &mut dyn Engine, b: &mut dyn Engine) -> Report {
    let start = Instant::now();
    let mut report = Report { engines: (a.name().to_string(), b.name().to_string()), ..Report::default() };
    for seed in seeds {
        let prog = generate(seed, cfg);
        let (ra, rb) = (a.run(&prog), b.run(&prog));
        report.programs += 1;
        let differences = match (&ra, &rb) {
            (Ok(x), Ok(y)) if x == y => {
                report.agreed += 1;
                continue;
            }
            (Ok(x), Ok(y)) => differences(&prog, x, y),
            _ => Vec::new(),
        };
        report.mismatch_count += 1;
        if report.mismatches.len() < MAX_KEPT {
            report.mismatches.push(Mismatch {
                seed,
                description: prog.description.clone(),
                program: prog.hex_dump(),
                ctx_in: words(&prog.ctx_in),
                a: ra,
                b: rb,
                differences,
            });
        }
    }
    report.elapsed = start.elapsed();
    report
}

/// [`differential_with`] over a long range in chunks of `chunk` seeds, calling `progress` with
/// the running total after each chunk; the report keeps the first [`MAX_KEPT`] mismatches.
pub fn differential_chunked(
    seeds: Range<u64>,
    cfg: &GenConfig,
    a: &mut dyn Engine,
    b: &mut dyn Engine,
    chunk: u64,
    mut progress: impl FnMut(u64, &Report),
) -> Report {
    let mut total = Report::default();
    let mut start = seeds.start;
    while start < seeds.end {
        let end = start.saturating_add(chunk.max(1)).min(seeds.end);
        let r = differential_with(start..end, cfg, a, b);
        let room = MAX_KEPT.saturating_sub(total.mismatches.len());
        total.mismatches.extend(r.mismatches.into_iter().take(room));
        total.engines = r.engines;
        total.programs += r.programs;
        total.agreed += r.agreed;
        total.mismatch_count += r.mismatch_count;
        total.elapsed += r.elapsed;
        progress(end, &total);
        start = end;
    }
    total
}

fn show(r: &Result<Observation, String>) -> String {
    match r {
        Ok(o) => format!("r0 = {:#x}, ctx_out = {}", o.r0, words(&o.ctx_out)),
        Err(e) => format!("error: {e}"),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = &self.engines;
        writeln!(
            f,
            "{a} vs {b}: {} programs, {} agreed, {} mismatched ({:.1?})",
            self.programs, self.agreed, self.mismatch_count, self.elapsed
        )?;
        for m in &self.mismatches {
            let mut s = String::new();
            let _ = writeln!(s, "--- {}", m.description);
            for d in &m.differences {
                let _ = writeln!(s, "  {d}");
            }
            let _ = writeln!(s, "  {a}: {}", show(&m.a));
            let _ = writeln!(s, "  {b}: {}", show(&m.b));
            let _ = writeln!(s, "  ctx_in: {}", m.ctx_in);
            let _ = write!(s, "  program:\n{}", m.program);
            f.write_str(&s)?;
        }
        if self.mismatch_count > self.mismatches.len() as u64 {
            writeln!(f, "... and {} more", self.mismatch_count - self.mismatches.len() as u64)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod chunked_tests {
    use super::*;
    use crate::engine::FnEngine;

    #[test]
    fn chunks_add_up_and_report_progress() {
        let obs = |p: &GeneratedProgram| Ok(Observation { r0: p.seed, ctx_out: Vec::new(), calls: Vec::new() });
        let (mut a, mut b) = (FnEngine::new("a", obs), FnEngine::new("b", obs));
        let mut ends = Vec::new();
        let r = differential_chunked(5..30, &GenConfig::default(), &mut a, &mut b, 10, |end, t| ends.push((end, t.programs)));
        assert_eq!(ends, [(15, 10), (25, 20), (30, 25)]);
        assert_eq!((r.programs, r.agreed, r.mismatch_count), (25, 25, 0));
        let mut odd = FnEngine::new("odd", |p: &GeneratedProgram| Ok(Observation { r0: p.seed & 1, ctx_out: Vec::new(), calls: Vec::new() }));
        let r = differential_chunked(0..100, &GenConfig::default(), &mut a, &mut odd, 7, |_, _| {});
        assert_eq!(r.mismatch_count, 98);
        assert_eq!(r.mismatches.len(), MAX_KEPT);
    }
}
