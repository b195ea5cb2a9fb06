//! Alternating measurement: every engine of a program runs in each round, in a rotating
//! order, so that slow drifts of the machine (other builds on the two shared cores,
//! frequency changes) fall on all engines alike; the median over rounds is reported.
//!
//! Each engine first gets a repeat count of its own, chosen so that one batch lasts about
//! [`Settings::batch`] (from a single run, then from a warm-up batch), capped by
//! [`Settings::max_repeat`]. A round then runs one batch per engine.

use std::time::Duration;

use serde::Serialize;

use crate::BenchError;
use crate::engines::Engine;
use crate::stats::median;

/// How long and how often to measure.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Rounds (each runs one batch per engine).
    pub rounds: usize,
    /// Target duration of one batch.
    pub batch: Duration,
    /// Largest repeat count of one batch.
    pub max_repeat: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { rounds: 10, batch: Duration::from_millis(4), max_repeat: 1_000_000 }
    }
}

/// The measurements of one engine on one program.
#[derive(Clone, Debug, Serialize)]
pub struct Measured {
    /// Engine name.
    pub engine: &'static str,
    /// Runs per batch.
    pub repeat: u32,
    /// Mean ns per run of each round's batch.
    pub samples_ns: Vec<f64>,
    /// Median of the samples.
    pub median_ns: f64,
    /// Smallest sample.
    pub min_ns: f64,
    /// Largest sample.
    pub max_ns: f64,
}

fn repeat_for(ns_per_run: f64, s: &Settings) -> u32 {
    let n = s.batch.as_nanos() as f64 / ns_per_run.max(0.5);
    n.clamp(1.0, f64::from(s.max_repeat)) as u32
}

/// Measures `engines` (already cross-checked). An engine that fails mid-way is reported
/// as an error in its slot and left out of later rounds.
pub fn measure(engines: &mut [Box<dyn Engine + '_>], s: &Settings) -> Vec<Result<Measured, BenchError>> {
    let mut repeats: Vec<Result<u32, BenchError>> = engines
        .iter_mut()
        .map(|e| {
            let one = e.run_batch(1)?;
            let n = repeat_for(one, s);
            let warm = e.run_batch(n)?;
            Ok(repeat_for(warm, s))
        })
        .collect();
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(s.rounds); engines.len()];
    for round in 0..s.rounds {
        for k in 0..engines.len() {
            let i = (k + round) % engines.len();
            let Ok(n) = repeats[i] else { continue };
            match engines[i].run_batch(n) {
                Ok(ns) => samples[i].push(ns),
                Err(e) => repeats[i] = Err(e),
            }
        }
    }
    engines
        .iter()
        .zip(repeats)
        .zip(samples)
        .map(|((e, repeat), mut samples_ns)| {
            let repeat = repeat?;
            let min_ns = samples_ns.iter().copied().fold(f64::INFINITY, f64::min);
            let max_ns = samples_ns.iter().copied().fold(0.0, f64::max);
            let median_ns = median(&mut samples_ns.clone());
            samples_ns.shrink_to_fit();
            Ok(Measured { engine: e.name(), repeat, samples_ns, median_ns, min_ns, max_ns })
        })
        .collect()
}
