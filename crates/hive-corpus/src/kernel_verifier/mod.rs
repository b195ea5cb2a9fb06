//! The kernel's old-format verifier selftests (`verifier_old_json`) run on Hive's verifier.
//!
//! Each JSON test is what `tools/testing/selftests/bpf/test_verifier.c` (Linux 6.12) loads:
//! instructions, a program type (0 = socket filter), the expected verdict privileged
//! (`result`) and unprivileged (`result_unpriv`, `UNDEF` = same), the expected log substrings
//! (`errstr`, tab-separated, in order) and the maps to create (`fixup_map_*`, see [`fixup`]).
//! The runner reproduces `do_test_single`'s semantics: map descriptors patched into the
//! `lddw`s, `F_*` flags turned into `prog_flags`, the unprivileged pass only for the program
//! types `test_as_unpriv` admits, then compares Hive's verdict with the expectation (or with
//! the host kernel's, where [`overrides`] says 6.18 differs from 6.12), and checks that a
//! rejection's log holds the expected substrings.
//!
//! ```no_run
//! use hive_corpus::kernel_verifier::{Options, run_dir};
//! let report = run_dir("../shared/corpora/kernel-verifier/verifier_old_json".as_ref(), &Options::default()).unwrap();
//! println!("{}", report.tally.line());
//! ```

pub mod case;
pub mod fixup;
pub mod overrides;

use std::path::Path;

use hive_platform::prog::{AttachType, ProgType};
use hive_verifier::{LogLevel, ProgramEnv, VerifyOptions, verify_program};
use serde_json::{Value, json};

use crate::map_table::MapTable;
use crate::paths::files_with_suffix;
use crate::tally::{Tally, Verdict};
use case::{Case, Expect, missing_log_part};
pub use overrides::Overrides;

/// `BPF_F_SLEEPABLE`.
const BPF_F_SLEEPABLE: u32 = 1 << 4;
/// `BPF_PROG_TYPE_TRACING`.
const TRACING: u32 = 26;
/// `BPF_PROG_TYPE_LSM`.
const LSM: u32 = 29;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The unprivileged pass (`result_unpriv`, socket filter and cgroup skb only).
    pub unprivileged: bool,
    /// Only tests whose `file:descr` contains this.
    pub filter: Option<String>,
    /// Host-kernel verdicts replacing the JSON's; `None`: the JSON alone.
    pub overrides: Option<Overrides>,
}

/// What a run found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Verdict counts and disagreements.
    pub tally: Tally,
    /// Agreeing rejections (and verbose accepts) whose expected log substrings were looked for.
    pub log_checked: usize,
    /// Of those, how many had them all, in order.
    pub log_matched: usize,
    /// `name: log lacks "part"` for each of the others.
    pub log_misses: Vec<String>,
    /// Tests whose expectation came from the override list.
    pub overridden: usize,
    /// Hive's log for each disagreement (for `--verbose`).
    pub logs: Vec<(String, String)>,
}

impl Report {
    /// `log_match=X/Y overridden=K`.
    pub fn log_line(&self) -> String {
        format!("log_match={}/{} overridden={}", self.log_matched, self.log_checked, self.overridden)
    }

    /// Everything as JSON.
    pub fn json(&self) -> Value {
        let mut v = self.tally.json();
        v["log_match"] = json!(self.log_matched);
        v["log_checked"] = json!(self.log_checked);
        v["log_misses"] = json!(self.log_misses);
        v["overridden"] = json!(self.overridden);
        v
    }
}

/// Why a test cannot be run on Hive in this mode, if it cannot.
pub fn skip_reason(case: &Case, unprivileged: bool) -> Option<String> {
    if unprivileged && !case.runs_unprivileged() {
        return Some("program type not loadable unprivileged (test_verifier runs it privileged only)".into());
    }
    if case.insns_missing {
        return Some("generated program (fill_helper with random immediates) not stored in the JSON".into());
    }
    if !case.kfuncs.is_empty() {
        return Some("needs kfunc BTF ids from vmlinux/bpf_testmod (fixup_kfunc_btf_id)".into());
    }
    if case.attach_kfunc.is_some() && matches!(case.load_prog_type(), TRACING | LSM) {
        return Some("needs the attach_btf_id of a vmlinux function (kfunc)".into());
    }
    if let Some(f) = case.unknown_fixups.first() {
        return Some(format!("unknown fixup field {f}"));
    }
    if ProgType::from_raw(case.load_prog_type()).is_none() {
        return Some(format!("unknown program type {}", case.load_prog_type()));
    }
    None
}

/// Hive's verdict on one test: `Ok(log)` when accepted, `Err((message, log))` when refused.
pub fn verify_case(case: &Case, unprivileged: bool, log_level: LogLevel) -> Result<String, (String, String)> {
    let maps = MapTable(case.fixups.iter().map(|(f, _)| (f.fd(), f.meta())).collect());
    let insns = case.patched(|f| f.fd()).map_err(|e| (e.clone(), e))?;
    let prog_type = ProgType::from_raw(case.load_prog_type()).unwrap_or(ProgType::SocketFilter);
    let mut env = ProgramEnv::new(prog_type);
    env.attach_type = AttachType(case.expected_attach_type);
    env.maps = &maps;
    env.sleepable = case.prog_flags() & BPF_F_SLEEPABLE != 0;
    let opts = if unprivileged { VerifyOptions::unprivileged() } else { VerifyOptions::privileged() };
    match verify_program(&insns, &env, &opts.with_log_level(log_level)) {
        Ok(v) => Ok(v.log),
        Err(r) => {
            let message = match r.insn {
                Some(pc) => format!("insn {pc}: {}", r.message),
                None => r.message.clone(),
            };
            let log = if r.log.is_empty() { r.message } else { r.log };
            Err((message, log))
        }
    }
}

/// Runs every test of every `*.json` under `dir`.
pub fn run_dir(dir: &Path, opts: &Options) -> Result<Report, String> {
    let files = files_with_suffix(dir, ".json");
    if files.is_empty() {
        return Err(format!("{}: no .json tests", dir.display()));
    }
    let mut report = Report::default();
    for file in files {
        for case in Case::read_file(&file)? {
            if opts.filter.as_ref().is_some_and(|f| !case.name.contains(f.as_str())) {
                continue;
            }
            run_case(&case, opts, &mut report);
        }
    }
    Ok(report)
}

fn run_case(case: &Case, opts: &Options, report: &mut Report) {
    let unpriv = opts.unprivileged;
    if let Some(why) = skip_reason(case, unpriv) {
        report.tally.skip(why);
        return;
    }
    let mut expect = case.expected(unpriv);
    let mut errstr = case.expected_log(unpriv);
    if let Some(o) = opts.overrides.as_ref().and_then(|o| o.get(unpriv, &case.name)) {
        report.overridden += 1;
        if o.verdict != expect.verdict() {
            // The expected log was the 6.12 kernel's reason for the old verdict.
            errstr = None;
        }
        expect = match o.verdict {
            Verdict::Accept => Expect::Accept,
            Verdict::Reject => Expect::Reject,
        };
    }
    let level = if expect == Expect::VerboseAccept { LogLevel::Verbose } else { LogLevel::Basic };
    let outcome = verify_case(case, unpriv, level);
    let (got, message, log) = match &outcome {
        Ok(log) => (Verdict::Accept, "", log.as_str()),
        Err((m, log)) => (Verdict::Reject, m.as_str(), log.as_str()),
    };
    report.tally.record(&case.name, expect.verdict(), got, message);
    if got != expect.verdict() {
        report.logs.push((case.name.clone(), log.to_string()));
        return;
    }
    let check = match expect {
        Expect::Reject | Expect::VerboseAccept => errstr,
        Expect::Accept => None,
    };
    if let Some(exp) = check {
        report.log_checked += 1;
        match missing_log_part(log, exp) {
            None => report.log_matched += 1,
            Some(part) => {
                let hive = if message.is_empty() { String::new() } else { format!(" (hive: {message})") };
                report.log_misses.push(format!("{}: log lacks \"{part}\"{hive}", case.name));
            }
        }
    }
}
