//! The kernel's own `lib/test_bpf.c` programs round-trip: every `insns` array of
//! `test_bpf_static.json` (eBPF and, as arbitrary slots, the classic-BPF ones) and the
//! generated programs of `test_bpf_fill.jsonl.gz` (14.5 M instructions: a deterministic
//! sample by default, all of them with `--ignored`).

mod common;

use std::io::BufRead;

use common::{base64, corpus, round_trip};
use hive_isa::RawInsn;

#[test]
fn test_bpf_static_round_trips() {
    let Some(dir) = corpus("kernel-test_bpf") else { return };
    let text = std::fs::read_to_string(dir.join("test_bpf_static.json")).expect("read test_bpf_static.json");
    let tests: serde_json::Value = serde_json::from_str(&text).expect("parse test_bpf_static.json");
    let tests = tests.as_array().expect("an array of tests");
    let (mut progs, mut insns, mut classic, mut failures) = (0, 0, 0, Vec::new());
    for t in tests {
        let descr = t["descr"].as_str().unwrap_or("?");
        let Some(words) = t["insns"].as_array() else { continue };
        let raw: Vec<RawInsn> = words
            .iter()
            .map(|w| RawInsn::from_u64(u64::from_str_radix(w.as_str().unwrap_or(""), 16).expect("hex insn")))
            .collect();
        if raw.is_empty() {
            continue;
        }
        if t["type"] == "classic" {
            classic += 1;
        }
        progs += 1;
        insns += raw.len();
        if let Err(e) = round_trip(&raw) {
            failures.push(format!("{descr}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(progs > 700, "only {progs} programs");
    println!(
        "test_bpf_static.json: {progs} programs ({} eBPF, {classic} classic as raw slots), {insns} insns: \
         100% round-trip in both syntaxes",
        progs - classic
    );
}

/// Round-trips the fill programs; `keep(line_index)` picks which ones.
fn fill(keep: impl Fn(usize) -> bool) {
    let Some(dir) = corpus("kernel-test_bpf") else { return };
    let file = std::fs::File::open(dir.join("test_bpf_fill.jsonl.gz")).expect("open test_bpf_fill.jsonl.gz");
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let start = std::time::Instant::now();
    let (mut progs, mut insns, mut failures) = (0, 0usize, Vec::new());
    for (i, line) in reader.lines().enumerate() {
        let line = line.expect("read a line");
        if !keep(i) || line.trim().is_empty() {
            continue;
        }
        let t: serde_json::Value = serde_json::from_str(&line).expect("parse a line");
        let bytes = base64(t["insns_b64"].as_str().unwrap_or(""));
        let raw = RawInsn::slice_from_bytes(&bytes).expect("whole instructions");
        progs += 1;
        insns += raw.len();
        if let Err(e) = round_trip(&raw) {
            failures.push(format!("{}: {e}", t["descr"].as_str().unwrap_or("?")));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(progs > 0);
    println!(
        "test_bpf_fill.jsonl.gz: {progs} programs, {insns} insns: 100% round-trip in both syntaxes ({:.1?})",
        start.elapsed()
    );
}

/// One program in sixteen, always the same ones.
#[test]
fn test_bpf_fill_sample_round_trips() {
    fill(|i| i % 16 == 0);
}

/// All 257 programs (14.5 M instructions).
#[test]
#[ignore = "slow: run with --ignored (in release for speed)"]
fn test_bpf_fill_all_round_trip() {
    fill(|_| true);
}
