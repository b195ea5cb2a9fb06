//! The kernel's old-format verifier selftests (`verifier_old_json`): every test whose
//! expected message comes from the control-flow stage must get the same message from Hive,
//! and no test the kernel accepts may be refused by that stage.
//!
//! The corpus lives outside the repository (`../shared/corpora`, or `$HIVE_CORPORA`); the
//! test skips with a note when it is absent.

use std::path::{Path, PathBuf};

use hive_isa::RawInsn;
use hive_verifier::{RejectKind, VerifyOptions, verify_raw};
use serde_json::Value;

/// Substrings of the kernel's instruction-sanity messages, which Hive's CFG stage also
/// produces (reported, not required: the kernel may find another error first).
const SANITY_MESSAGES: [&str; 4] = ["unknown opcode", "uses reserved fields", " is invalid", "invalid bpf_ld_imm64 insn"];

/// Substrings of the kernel's control-flow-stage messages.
const CFG_MESSAGES: [&str; 9] = [
    "unreachable insn",
    "back-edge",
    "jump out of range",
    "last insn",
    "not an exit",
    "invalid destination",
    "jump into the middle of ldimm64",
    "call stack",
    "loading/calling other bpf or kernel functions",
];

fn corpus() -> Option<PathBuf> {
    let base = std::env::var_os("HIVE_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"));
    let dir = base.join("kernel-verifier/verifier_old_json");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("note: skipping, corpus {} is absent", dir.display());
        None
    }
}

struct Case {
    name: String,
    raw: Vec<RawInsn>,
    /// (privileged, expected result, expected message) for each mode the test specifies.
    modes: Vec<(bool, String, Option<String>)>,
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let mut out = Vec::new();
    for f in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let tests: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        for t in tests {
            // Programs built by a `fill_helper` at run time have no instructions here.
            let Some(insns) = t["insns"].as_array() else { continue };
            let raw = insns
                .iter()
                .map(|h| RawInsn::from_bytes(u64::from_str_radix(h.as_str().unwrap(), 16).unwrap().to_le_bytes()))
                .collect();
            let text = |k: &str| t[k].as_str().map(str::to_string);
            let mut modes = Vec::new();
            if let Some(r) = text("result") {
                modes.push((true, r, text("errstr")));
            }
            if let Some(r) = text("result_unpriv").filter(|r| r != "UNDEF") {
                modes.push((false, r, text("errstr_unpriv").or(text("errstr"))));
            }
            let name = format!("{}: {}", f.file_stem().unwrap().to_string_lossy(), t["descr"].as_str().unwrap_or("?"));
            out.push(Case { name, raw, modes });
        }
    }
    out
}

/// Whether the tab-separated pieces of `expected` appear in `log` in order.
fn log_matches(log: &str, expected: &str) -> bool {
    let mut rest = log;
    for piece in expected.split('\t').filter(|p| !p.is_empty()) {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

#[test]
fn cfg_rejections_match_the_kernel() {
    let Some(dir) = corpus() else { return };
    let all = cases(&dir);
    let (mut expected, mut matched, mut accepted, mut wrongly_refused) = (0, 0, 0, 0);
    let (mut sanity_expected, mut sanity_matched) = (0, 0);
    let mut by_message: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut problems = Vec::new();
    for case in &all {
        for (privileged, result, errstr) in &case.modes {
            let opts = if *privileged { VerifyOptions::privileged() } else { VerifyOptions::unprivileged() };
            let verdict = verify_raw(&case.raw, &opts);
            let mode = if *privileged { "priv" } else { "unpriv" };
            let cfg_message = errstr.as_deref().filter(|e| CFG_MESSAGES.iter().any(|m| e.contains(m)));
            if result == "REJECT"
                && let Some(msg) = cfg_message
            {
                expected += 1;
                let entry = by_message.entry(CFG_MESSAGES.iter().find(|m| msg.contains(*m)).unwrap()).or_default();
                entry.0 += 1;
                match &verdict {
                    Err(r) if log_matches(&r.log, msg) => {
                        matched += 1;
                        entry.1 += 1;
                    }
                    other => problems.push(format!(
                        "{} [{mode}]: expected {msg:?}, got {:?}",
                        case.name,
                        other.as_ref().map(|_| "accepted").map_err(|r| &r.message)
                    )),
                }
            }
            if result == "REJECT"
                && let Some(msg) = errstr.as_deref().filter(|e| SANITY_MESSAGES.iter().any(|m| e.contains(m)))
            {
                sanity_expected += 1;
                if verdict.as_ref().is_err_and(|r| log_matches(&r.log, msg)) {
                    sanity_matched += 1;
                } else {
                    let got = verdict.as_ref().map(|_| "accepted").map_err(|r| &r.message);
                    println!("  (sanity, not required) {} [{mode}]: expected {msg:?}, got {got:?}", case.name);
                }
            }
            if result.ends_with("ACCEPT") {
                accepted += 1;
                if let Err(r) = &verdict {
                    wrongly_refused += 1;
                    problems.push(format!("{} [{mode}]: kernel accepts, Hive: {} ({:?})", case.name, r.message, r.kind));
                }
            }
        }
    }
    println!("cfg rejections: {expected} expected, {matched} matched");
    for (m, (e, k)) in &by_message {
        println!("  {m:?}: {e} expected, {k} matched");
    }
    println!("instruction sanity rejections: {sanity_expected} expected, {sanity_matched} matched (not required)");
    println!("kernel-accepted loads refused by the CFG stage: {wrongly_refused} of {accepted}");
    for p in &problems {
        println!("  {p}");
    }
    assert!(expected >= 30, "the corpus should hold the kernel's CFG tests ({expected})");
    assert_eq!(matched, expected, "CFG messages differ from the kernel's");
    assert_eq!(wrongly_refused, 0, "the CFG stage refuses programs the kernel accepts");
    // Every rejection kind the CFG stage produces on this corpus is one with kernel wording.
    for case in &all {
        if let Err(r) = verify_raw(&case.raw, &VerifyOptions::privileged()) {
            assert_ne!(r.kind, RejectKind::Internal, "{}: {}", case.name, r.message);
        }
    }
}
