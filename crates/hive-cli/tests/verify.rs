//! `hive verify` and `hive corpus` through the binary: exit statuses, the JSON shape, and the
//! corpus runners' last line. The corpus tests skip with a note when the corpora are absent.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hive_corpus::paths::corpus;
use serde_json::Value;

fn hive(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hive")).args(args).output().expect("run hive")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bpf/xdp_stats.bpf.o")
}

#[test]
fn verify_accepts_the_example_and_prints_json() {
    let ex = example();
    let out = hive(&["verify", ex.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &v.as_array().unwrap()[0];
    assert_eq!(p["prog"], "xdp_stats");
    assert_eq!(p["verdict"], "accept");
    for key in ["insns_processed", "time_us", "log"] {
        assert!(p.get(key).is_some(), "{key} missing");
    }
}

#[test]
fn verify_exit_statuses() {
    let out = hive(&["verify", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2), "unreadable object");
    let ex = example();
    let out = hive(&["verify", ex.to_str().unwrap(), "--prog", "nope"]);
    assert_eq!(out.status.code(), Some(2), "unknown program");
    let Some(dir) = corpus("ebpf-samples") else { return };
    // A loop is refused to an unprivileged loader (the kernel's `back-edge`).
    let obj = dir.join("build/loop.o");
    let out = hive(&["verify", obj.to_str().unwrap(), "--unprivileged"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("reject: insn 26: back-edge from insn 26 to 20"), "{}", text(&out.stdout));
}

#[test]
fn corpus_runners_end_with_the_total_line() {
    let runs = [
        ("kernel-verifier", "kernel-verifier/verifier_old_json"),
        ("prevail", "prevail/test-data"),
        ("samples", "ebpf-samples"),
    ];
    for (cmd, sub) in runs {
        let Some(dir) = corpus(sub) else { return };
        let out = hive(&["corpus", cmd, dir.to_str().unwrap()]);
        let stdout = text(&out.stdout);
        let last = stdout.lines().last().unwrap_or("");
        let fields: Vec<&str> = last.split(' ').map(|f| f.split('=').next().unwrap_or("")).collect();
        assert_eq!(fields, ["total", "agree", "false_accept", "false_reject", "skipped"], "{cmd}: {last}");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{cmd}: {}", text(&out.stderr));
    }
}
