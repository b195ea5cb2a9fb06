//! The verifier's corpus runners over the shared corpora: every case is read, classified and
//! verified (or skipped for a stated reason), and the counts add up. Asserted: how many cases
//! exist, which are skipped and why, that translating PREVAIL's cases does not regress, no
//! false acceptance on the kernel's selftests and the samples, and agreement floors at the
//! level reached (they may only rise).
//!
//! Each test skips with a note when the corpora are absent.

use hive_corpus::kernel_verifier::{self, Options, Overrides};
use hive_corpus::paths::corpus;
use hive_corpus::{prevail, samples};

#[test]
fn kernel_verifier_privileged() {
    let Some(dir) = corpus("kernel-verifier/verifier_old_json") else { return };
    let opts = Options { overrides: Some(Overrides::committed()), ..Options::default() };
    let r = kernel_verifier::run_dir(&dir, &opts).unwrap();
    println!("{}\n{}", r.log_line(), r.tally.line());
    let t = &r.tally;
    assert_eq!(t.total, 526);
    assert_eq!(t.agree + t.false_accept() + t.false_reject() + t.skipped_count(), t.total);
    let skips: Vec<(&str, usize)> = t.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        skips,
        [
            ("generated program (fill_helper with random immediates) not stored in the JSON", 3),
            ("needs kfunc BTF ids from vmlinux/bpf_testmod (fixup_kfunc_btf_id)", 14),
            ("needs the attach_btf_id of a vmlinux function (kfunc)", 7),
        ]
    );
    assert!(r.log_matched <= r.log_checked);
    assert_eq!(t.false_accept(), 0, "programs the kernel rejects, accepted");
    assert!(t.agree >= 480, "agreement fell to {}", t.agree);
    assert!(r.log_matched >= 200, "log substrings found fell to {}", r.log_matched);
}

#[test]
fn kernel_verifier_unprivileged() {
    let Some(dir) = corpus("kernel-verifier/verifier_old_json") else { return };
    let opts = Options { unprivileged: true, ..Options::default() };
    let r = kernel_verifier::run_dir(&dir, &opts).unwrap();
    println!("{}\n{}", r.log_line(), r.tally.line());
    assert_eq!(r.tally.total, 526);
    // test_as_unpriv: socket filters (type 0 or 1) and cgroup skb only.
    let privileged_only = r.tally.skipped.iter().find(|(k, _)| k.contains("unprivileged")).map(|(_, v)| *v);
    assert_eq!(privileged_only, Some(526 - 242 - 11 - 11));
    assert_eq!(r.tally.false_accept(), 0);
    assert_eq!(r.tally.agree, 264);
}

#[test]
fn kernel_verifier_filter() {
    let Some(dir) = corpus("kernel-verifier/verifier_old_json") else { return };
    let opts = Options { filter: Some("basic.json:".into()), ..Options::default() };
    let r = kernel_verifier::run_dir(&dir, &opts).unwrap();
    assert_eq!(r.tally.total, 3);
}

#[test]
fn prevail_cases() {
    let Some(dir) = corpus("prevail/test-data") else { return };
    let r = prevail::run_dir(&dir, None).unwrap();
    for l in r.tally.skip_lines() {
        println!("{l}");
    }
    println!("{}", r.tally.line());
    let t = &r.tally;
    assert_eq!(t.total, 802);
    assert_eq!(t.agree + t.false_accept() + t.false_reject() + t.skipped_count(), t.total);
    // What no translation can give: the reader's own tests, big-endian runs, callx.
    assert_eq!(t.skipped.get("tests PREVAIL's YAML reader (expected-exception)"), Some(&5));
    assert_eq!(t.skipped.get("big-endian semantics (option big_endian)"), Some(&17));
    // The rest of the skips are the translation's limits; they may only shrink.
    let untranslatable: usize = t.skipped.iter().filter(|(k, _)| k.starts_with("untranslatable")).map(|(_, v)| v).sum();
    assert!(untranslatable <= 42, "{untranslatable} untranslatable cases");
    assert!(t.agree >= 655, "agreement fell to {}", t.agree);
}

#[test]
fn ebpf_samples() {
    let Some(dir) = corpus("ebpf-samples") else { return };
    let r = samples::run_dir(&dir, None).unwrap();
    for l in r.tally.skip_lines() {
        println!("{l}");
    }
    println!("{}", r.tally.line());
    let t = &r.tally;
    assert_eq!(t.agree + t.false_accept() + t.false_reject() + t.skipped_count(), t.total);
    // The ten known-unsafe objects are each one case.
    let unsafe_cases = t.disagreements.iter().filter(|d| d.case.starts_with("build/")).count();
    assert!(unsafe_cases <= samples::UNSAFE_BUILD.len());
    assert!(r.programs >= 200, "{} programs verified", r.programs);
    assert_eq!(t.false_accept(), 0, "a known-unsafe object accepted");
    assert!(t.agree >= 305, "agreement fell to {}", t.agree);
    assert_eq!(r.kernel_refused, 17);
}
