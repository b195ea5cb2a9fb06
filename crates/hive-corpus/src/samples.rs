//! The ebpf-samples objects on Hive's verifier.
//!
//! Reference verdicts: every program of the objects under `linux/`, `new_linux/`, `ovs/`,
//! `suricata/`, `falco/` and `prototype-kernel/` was written to load in the kernel, so each
//! is one case expected to be accepted, except where the host kernel's verifier refuses it
//! ([`kernel_refusals`]: 17 of falco's fillers fail 6.18's bounds checks, with the same
//! messages Hive gives; `examples/samples_oracle.rs` measures this), where the kernel rules. The ten
//! known-unsafe objects of `build/` (bad helper call, context offset, pointer leaks, map value
//! overrun, null map reference, packet overflow and reallocation, bad tail call, uninitialised
//! ring buffer record) are one case each, expected to be rejected (by any of their programs).
//! The other `build/` objects have no reference verdict here and are skipped, as are the
//! folders not named above. An object Hive cannot read counts as a rejection; a program its
//! loader cannot build (an unsupported relocation) is a skip whose reason names the error,
//! since no verifier ran.

use std::path::Path;

use hive_platform::prog::ProgType;
use serde_json::{Value, json};

use crate::object_verify::{VerifyObjectOptions, open_object, verify_object};
use crate::paths::files_with_suffix;
use crate::tally::{Tally, Verdict};

/// Folders whose every program must be accepted.
pub const ACCEPT_DIRS: [&str; 6] = ["linux", "new_linux", "ovs", "suricata", "falco", "prototype-kernel"];

/// `build/` objects that must be rejected.
pub const UNSAFE_BUILD: [&str; 10] = [
    "badhelpercall",
    "ctxoffset",
    "exposeptr",
    "exposeptr2",
    "mapvalue-overrun",
    "nullmapref",
    "packet_overflow",
    "packet_reallocate",
    "tail_call_bad",
    "ringbuf_uninit",
];

/// How the projects' own loaders load objects whose section names say nothing (or whose
/// licence is missing): `(object, type of untyped sections, licence assumed GPL)`. The tc
/// examples are attached with `tc filter ... bpf obj X sec Y` (`sched_cls`); Open vSwitch's
/// datapath is loaded as tc programs by ovs-vswitchd; falco's loader passes the licence
/// string "GPL" itself.
pub const LOADERS: &[(&str, Option<ProgType>, bool)] = &[
    ("linux/tcbpf1_kern.o", Some(ProgType::SchedCls), false),
    ("linux/tc_l2_redirect_kern.o", Some(ProgType::SchedCls), false),
    ("linux/test_cgrp2_tc_kern.o", Some(ProgType::SchedCls), false),
    ("linux/xdp2skb_meta_kern.o", Some(ProgType::SchedCls), false),
    ("prototype-kernel/tc_bench01_redirect_kern.o", Some(ProgType::SchedCls), false),
    ("prototype-kernel/xdp_vlan01_kern.o", Some(ProgType::SchedCls), false),
    ("ovs/datapath.o", Some(ProgType::SchedCls), false),
    ("falco/probe.o", None, true),
];

/// What `examples/samples_oracle.rs` found on the host kernel:
/// `object<TAB>section<TAB>errno<TAB>reason` per refused program.
pub const KERNEL_REFUSALS: &str = include_str!("../data/samples-kernel-refusals.tsv");

/// The programs the host kernel's verifier refuses as unsafe (`EACCES`), as `(object,
/// section, reason)`. Refusals for other reasons (a helper this kernel's configuration
/// lacks, a section type it cannot infer, its complexity limit) do not change the reference.
pub fn kernel_refusals() -> Vec<(&'static str, &'static str, &'static str)> {
    KERNEL_REFUSALS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (obj, sec, errno, why) = (f.next()?, f.next()?, f.next()?, f.next().unwrap_or(""));
            (errno == "13").then_some((obj, sec, why))
        })
        .collect()
}

/// What the run found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Counts.
    pub tally: Tally,
    /// Programs verified.
    pub programs: usize,
    /// Total verification time, microseconds.
    pub time_us: u64,
    /// Programs expected to be refused because the host kernel refuses them.
    pub kernel_refused: usize,
}

impl Report {
    /// `programs=N verify_time_us=T`.
    pub fn notes(&self) -> Vec<String> {
        vec![
            format!(
                "note: {} programs the host kernel's verifier refuses are expected to be refused (data/samples-kernel-refusals.tsv)",
                self.kernel_refused
            ),
            format!("programs={} verify_time_us={}", self.programs, self.time_us),
        ]
    }

    /// Everything as JSON.
    pub fn json(&self) -> Value {
        let mut v = self.tally.json();
        v["programs"] = json!(self.programs);
        v["verify_time_us"] = json!(self.time_us);
        v
    }
}

/// Runs every `.o` under `dir` (the ebpf-samples folder).
pub fn run_dir(dir: &Path, filter: Option<&str>) -> Result<Report, String> {
    let files = files_with_suffix(dir, ".o");
    if files.is_empty() {
        return Err(format!("{}: no .o objects", dir.display()));
    }
    let mut report = Report::default();
    for file in files {
        let rel = file.strip_prefix(dir).unwrap_or(&file).to_string_lossy().into_owned();
        if filter.is_some_and(|f| !rel.contains(f)) {
            continue;
        }
        let top = rel.split('/').next().unwrap_or("");
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let expect = if ACCEPT_DIRS.contains(&top) {
            Verdict::Accept
        } else if top == "build" && UNSAFE_BUILD.contains(&stem.as_str()) {
            Verdict::Reject
        } else {
            report.tally.skip(if top == "build" {
                "build/ object without a reference verdict in this runner"
            } else {
                "folder without a reference verdict (invalid/)"
            });
            continue;
        };
        run_object(&file, &rel, expect, &mut report);
    }
    Ok(report)
}

fn run_object(file: &Path, rel: &str, expect: Verdict, report: &mut Report) {
    let spec = match open_object(file) {
        Ok(s) => s,
        Err(e) => {
            report.tally.record(rel, expect, Verdict::Reject, &format!("cannot load: {e}"));
            return;
        }
    };
    let mut opts = VerifyObjectOptions::default();
    if let Some(&(_, untyped, gpl)) = LOADERS.iter().find(|(o, _, _)| *o == rel) {
        (opts.untyped, opts.assume_gpl) = (untyped, gpl);
    }
    let out = verify_object(&spec, None, &opts);
    report.programs += out.programs.len();
    report.time_us += out.programs.iter().map(|p| p.time_us).sum::<u64>();
    let refusals = kernel_refusals();
    match expect {
        Verdict::Accept => {
            for p in &out.programs {
                let case = format!("{rel}:{}", p.section);
                let expected = if refusals.iter().any(|&(o, s, _)| o == rel && s == p.section) {
                    report.kernel_refused += 1;
                    Verdict::Reject
                } else {
                    Verdict::Accept
                };
                let (got, msg) = match &p.verdict {
                    Ok(()) => (Verdict::Accept, String::new()),
                    Err(m) => (Verdict::Reject, m.clone()),
                };
                report.tally.record(&case, expected, got, &msg);
            }
            for u in &out.unbuildable {
                report.tally.skip(format!("the loader cannot build the program, no verifier verdict: {}", u.error));
            }
            if out.programs.is_empty() && out.unbuildable.is_empty() {
                report.tally.record(rel, Verdict::Accept, Verdict::Reject, "no program");
            }
        }
        Verdict::Reject => {
            let rejected = out.programs.iter().find_map(|p| p.verdict.as_ref().err()).cloned();
            let got = if rejected.is_some() || !out.unbuildable.is_empty() { Verdict::Reject } else { Verdict::Accept };
            report.tally.record(rel, Verdict::Reject, got, rejected.as_deref().unwrap_or(""));
        }
    }
}
