//! The host kernel as the reference for `verifier_old_json`.
//!
//! Loads every test into the host kernel the way `test_verifier.c` does (real maps for the
//! `fixup_map_*` fields, the same program type, attach type, `prog_flags` and log level) and
//! prints where the host's verdict differs from the JSON's (which comes from Linux 6.12).
//! With `--write PATH` it writes those differences as the override list the runner uses
//! (`crates/hive-corpus/data/kernel-verifier-overrides.tsv`).
//!
//! ```text
//! cargo run -p hive-corpus --example kernel_verifier_oracle -- [DIR] [--write PATH]
//! ```
//!
//! Needs root (or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN); prints a note and exits 0
//! otherwise. Only the privileged pass: the unprivileged one needs
//! `kernel.unprivileged_bpf_disabled = 0`, which this example does not change.

use std::collections::BTreeMap;
use std::os::fd::AsRawFd;
use std::path::PathBuf;

use hive_corpus::kernel_verifier::case::{Case, Expect, missing_log_part};
use hive_corpus::kernel_verifier::fixup::Fixup;
use hive_corpus::kernel_verifier::{Overrides, skip_reason};
use hive_corpus::paths::{corpora_dir, files_with_suffix};
use hive_corpus::tally::Verdict;
use hive_kernel::{LoadOptions, MapFd, MapSpec, MapType, ProgType};

/// `BPF_F_TEST_RND_HI32 | BPF_F_TEST_REG_INVARIANTS`: `testing_prog_flags()`.
const TESTING_PROG_FLAGS: u32 = (1 << 2) | (1 << 7);

/// The kernel's last meaningful log line (the error), for the override reason.
fn reason(log: &str) -> String {
    log.lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.starts_with("processed ") && !l.starts_with("verification time"))
        .unwrap_or("")
        .trim()
        .chars()
        .take(160)
        .collect()
}

fn create_maps(case: &Case) -> Result<BTreeMap<Fixup, MapFd>, String> {
    if case.needs_prog_btf {
        return Err("oracle: needs the test's program BTF and func_info (not loaded here)".into());
    }
    let mut maps = BTreeMap::new();
    for (f, _) in &case.fixups {
        let k = f.kernel_map();
        if let Some(why) = k.unsupported {
            return Err(format!("oracle: {} {why}", f.key()));
        }
        let spec = MapSpec {
            map_type: MapType(k.map_type),
            key_size: k.key_size,
            value_size: k.value_size,
            max_entries: k.max_entries,
            map_flags: k.map_flags,
            name: String::new(),
        };
        let fd = MapFd::create(&spec).map_err(|e| format!("oracle: cannot create {}: {e}", f.key()))?;
        maps.insert(*f, fd);
    }
    Ok(maps)
}

/// The host's verdict and log.
fn host_verdict(case: &Case) -> Result<(Verdict, String), String> {
    let maps = create_maps(case)?;
    let insns = case.patched(|f| maps.get(&f).map_or(-1, |m| m.as_raw_fd()))?;
    let expect = case.expected(false);
    let opts = LoadOptions {
        log_level: if expect == Expect::VerboseAccept { 2 } else { 4 },
        log_size: 16 << 20,
        prog_flags: case.prog_flags() | TESTING_PROG_FLAGS,
        expected_attach_type: case.expected_attach_type,
        ..LoadOptions::new(ProgType::Other(case.load_prog_type()))
    };
    Ok(match hive_kernel::load(&opts, &insns) {
        Ok(p) => (Verdict::Accept, p.load_log().to_string()),
        Err(e) => (Verdict::Reject, e.log.clone()),
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = corpora_dir().join("kernel-verifier/verifier_old_json");
    let mut write: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        if a == "--write" {
            write = args.next().map(PathBuf::from);
        } else {
            dir = PathBuf::from(a);
        }
    }
    if let Err(why) = hive_kernel::available() {
        println!("note: skipping the kernel oracle: {why}");
        return;
    }
    if !dir.exists() {
        println!("note: skipping, corpus {} is absent", dir.display());
        return;
    }
    let (mut compared, mut agree, mut skipped, mut log_checked, mut log_matched) = (0, 0, 0, 0, 0);
    let mut lines = Vec::new();
    let mut log_misses = Vec::new();
    let mut skip_reasons: BTreeMap<String, usize> = BTreeMap::new();
    for file in files_with_suffix(&dir, ".json") {
        for case in Case::read_file(&file).unwrap_or_else(|e| panic!("{e}")) {
            // The same skips as Hive's runner, except program types Hive does not know.
            if let Some(why) = skip_reason(&case, false).filter(|w| !w.starts_with("unknown program type")) {
                skipped += 1;
                *skip_reasons.entry(why).or_default() += 1;
                continue;
            }
            let (host, log) = match host_verdict(&case) {
                Ok(v) => v,
                Err(why) => {
                    skipped += 1;
                    *skip_reasons.entry(why).or_default() += 1;
                    continue;
                }
            };
            compared += 1;
            let expect = case.expected(false);
            if host == expect.verdict() {
                agree += 1;
                if let (Expect::Reject | Expect::VerboseAccept, Some(exp)) = (expect, case.expected_log(false)) {
                    log_checked += 1;
                    match missing_log_part(&log, exp) {
                        None => log_matched += 1,
                        Some(part) => log_misses.push(format!("{}: host log lacks \"{part}\"", case.name)),
                    }
                }
                continue;
            }
            let why = match host {
                Verdict::Accept => "host kernel accepts".to_string(),
                Verdict::Reject => format!("host kernel rejects: {}", reason(&log)),
            };
            println!("{}: JSON expects {} got {} ({why})", case.name, expect.verdict().name(), host.name());
            lines.push(Overrides::line(false, &case.name, host, &why));
        }
    }
    let mut summary: Vec<String> = log_misses;
    summary.extend(skip_reasons.iter().map(|(why, n)| format!("skip: {n} {why}")));
    summary.push("note: unprivileged pass not run (kernel.unprivileged_bpf_disabled is not changed here)".into());
    summary.push(format!("host_log_match={log_matched}/{log_checked}"));
    summary.push(format!("oracle: compared={compared} agree={agree} differ={} skipped={skipped}", lines.len()));
    for l in &summary {
        println!("{l}");
    }
    if let Some(path) = write {
        let mut text = String::from(
            "# Tests of verifier_old_json (Linux 6.12) where the host kernel's verifier gives another verdict.\n\
             # Generated by: cargo run -p hive-corpus --example kernel_verifier_oracle -- --write PATH (as root)\n\
             # mode\tfile.json:descr\thost verdict\treason\n",
        );
        text.push_str(&format!("# host kernel: {}\n", std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim()));
        for l in &summary {
            text.push_str(&format!("# {l}\n"));
        }
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("wrote {} overrides to {}", lines.len(), path.display());
    }
}
