//! The whole run's results, as a text table or as JSON.

use std::fmt::Write;

use serde::Serialize;

use crate::run::{ProgramReport, Status};
use crate::stats::geomean;

/// Everything `hive bench` measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Rounds per program.
    pub rounds: usize,
    /// Target milliseconds per batch.
    pub batch_ms: f64,
    /// Whether kfunc ids came from the host's vmlinux BTF.
    pub kfunc_ids_from_vmlinux: bool,
    /// The suite's programs.
    pub suite: Vec<ProgramReport>,
    /// The bpf-benchmark-2023 programs.
    pub corpus: Vec<ProgramReport>,
    /// Geometric mean of Hive JIT / kernel over the suite programs both ran (the baseline
    /// `empty` left out).
    pub geomean_hive_kernel: Option<f64>,
    /// How many programs that geometric mean covers.
    pub geomean_programs: usize,
    /// Geometric mean of Hive JIT / rbpf JIT over every program both ran (suite and corpus).
    pub geomean_hive_rbpf_jit: Option<f64>,
    /// How many programs that geometric mean covers.
    pub geomean_rbpf_programs: usize,
}

impl Report {
    /// Builds the summary figures.
    pub fn new(
        rounds: usize,
        batch_ms: f64,
        kfunc_ids_from_vmlinux: bool,
        suite: Vec<ProgramReport>,
        corpus: Vec<ProgramReport>,
    ) -> Report {
        let measured = suite.iter().filter(|p| p.name != crate::suite::BASELINE);
        let k: Vec<f64> = measured.clone().filter_map(|p| p.jit_over_kernel).collect();
        let r: Vec<f64> = measured.chain(&corpus).filter_map(|p| p.jit_over_rbpf_jit).collect();
        Report {
            rounds,
            batch_ms,
            kfunc_ids_from_vmlinux,
            geomean_hive_kernel: geomean(&k),
            geomean_programs: k.len(),
            geomean_hive_rbpf_jit: geomean(&r),
            geomean_rbpf_programs: r.len(),
            suite,
            corpus,
        }
    }

    /// Whether any engine disagreed with the interpreter somewhere.
    pub fn mismatches(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in self.suite.iter().chain(&self.corpus) {
            for e in &p.engines {
                if matches!(e.status, Status::Mismatch) {
                    out.push(format!("{}: {} {}", p.name, e.engine, e.note.as_deref().unwrap_or("")));
                }
            }
        }
        out
    }

    /// The rbpf line: `geomean hive-jit/rbpf-jit=X.XXX (rbpf-jit/hive-jit=Y.YYY) programs=N`,
    /// the ratio both ways: below 1 (first) and above 1 (second) mean Hive's JIT is faster.
    pub fn rbpf_line(&self) -> Option<String> {
        let g = self.geomean_hive_rbpf_jit?;
        Some(format!(
            "geomean hive-jit/rbpf-jit={g:.3} (rbpf-jit/hive-jit={:.3}) programs={}",
            1.0 / g,
            self.geomean_rbpf_programs
        ))
    }

    /// The geomean line: `geomean hive/kernel=X.XXX programs=N`.
    pub fn geomean_line(&self) -> String {
        match self.geomean_hive_kernel {
            Some(g) => format!("geomean hive/kernel={g:.3} programs={}", self.geomean_programs),
            None => format!("geomean hive/kernel=n/a programs={}", self.geomean_programs),
        }
    }
}

/// A time in ns, three significant digits or more.
fn ns(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// The text of one engine's cell: its median, or why there is none.
fn cell(p: &ProgramReport, engine: &str) -> String {
    match p.engine(engine) {
        None => "-".into(),
        Some(e) => match (&e.status, e.ns()) {
            (Status::Ok, Some(v)) => ns(v),
            (Status::NotRun, _) => "n/a".into(),
            (Status::Mismatch, _) => "MISMATCH".into(),
            _ => "failed".into(),
        },
    }
}

/// A text table of `programs` with the given engine columns, then notes for every engine
/// that did not run.
pub fn table(title: &str, programs: &[ProgramReport], engines: &[&str]) -> String {
    let mut head: Vec<String> = vec!["program".into(), "insns".into()];
    head.extend(engines.iter().map(|e| format!("{e} ns")));
    let has = |e: &str| engines.contains(&e);
    if has("kernel") {
        head.push("jit/kernel".into());
    }
    if has("rbpf-jit") {
        head.push("jit/rbpf-jit".into());
    }
    if has("kernel") {
        head.push("code B jit/kernel".into());
    }
    head.push("jit µs".into());
    if has("rbpf-jit") {
        head.push("rbpf µs".into());
    }
    head.push("retval".into());
    let mut rows = vec![head];
    for p in programs {
        let mut row = vec![p.name.clone(), p.insns.to_string()];
        row.extend(engines.iter().map(|e| cell(p, e)));
        let opt = |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |v| format!("{v:.digits$}"));
        if has("kernel") {
            row.push(opt(p.jit_over_kernel, 3));
        }
        if has("rbpf-jit") {
            row.push(opt(p.jit_over_rbpf_jit, 3));
        }
        if has("kernel") {
            let b = |v: Option<usize>| v.map_or("-".to_string(), |v| v.to_string());
            row.push(format!("{}/{}", b(p.jit_code_bytes), b(p.kernel_code_bytes)));
        }
        row.push(opt(p.jit_compile_us, 1));
        if has("rbpf-jit") {
            row.push(opt(p.rbpf_compile_us, 1));
        }
        let retval = p.engine("hive-interp").and_then(|e| e.retval);
        row.push(retval.map_or("-".into(), |v| format!("{v:#x}")));
        rows.push(row);
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = format!("{title}\n");
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, s)| if c == 0 { format!("{s:<w$}", w = widths[c]) } else { format!("{s:>w$}", w = widths[c]) })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        if i == 0 {
            let _ = writeln!(out, "{}", "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
        }
    }
    let mut notes = Vec::new();
    for p in programs {
        for e in &p.engines {
            if let (false, Some(note)) = (matches!(e.status, Status::Ok), &e.note) {
                notes.push(format!("  {} on {}: {}", p.name, e.engine, note));
            }
        }
    }
    if !notes.is_empty() {
        out.push_str("not measured:\n");
        out.push_str(&notes.join("\n"));
        out.push('\n');
    }
    out
}
