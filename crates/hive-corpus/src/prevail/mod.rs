//! PREVAIL's YAML verifier cases (`test-data/*.yaml`) run on Hive's verifier.
//!
//! A case gives an entry state (`pre`), labelled code in PREVAIL's assembly, the exact
//! post-state and the messages PREVAIL reports. Hive compares verdicts only: PREVAIL accepts
//! a case when it reports no *error*. Some of its messages are not errors, and do not make
//! its `check` tool fail, so they do not count as a rejection here: `Code becomes
//! unreachable` (a note about an `assume`), `observation ... failed` (a test of its
//! invariant printer) and, under its `!allow_division_by_zero` option, `Possible division by
//! zero` (a PREVAIL-only policy: eBPF defines division by zero). Such cases are listed in the
//! notes.
//!
//! Where PREVAIL and the Linux verifier disagree, the kernel rules. The kernel refuses some
//! programs whatever their state, by a rule PREVAIL does not have ([`KERNEL_RULES`]: a
//! division by the immediate 0, a shift by an immediate outside the width, a misaligned stack
//! access); a case PREVAIL accepts that Hive refuses by one of these rules counts as a
//! rejection expected by the kernel, and the notes say how many.
//!
//! The code is translated by [`asm`], the entry state by [`pre`]; the program is verified
//! privileged as an XDP program: PREVAIL's test context is 64 bytes with the packet's start at
//! offset 0 and its end at 4, as in `xdp_md`. Cases that test the YAML reader
//! (`expected-exception`), ask for big-endian semantics, or use what the kernel's eBPF has no
//! counterpart for are skipped with the reason.

pub mod asm;
pub mod pre;

use std::path::Path;

use hive_isa::RawInsn;
use hive_platform::prog::ProgType;
use hive_verifier::{MapMeta, MapResolver, ProgramEnv, VerifyOptions, verify_program};
use serde_json::{Value, json};
use yaml_rust2::{Yaml, YamlLoader};

use crate::paths::files_with_suffix;
use crate::tally::{Tally, Verdict};

/// One case as read from the YAML.
#[derive(Clone, Debug, Default)]
pub struct Case {
    /// `file.yaml:test-case`.
    pub name: String,
    /// `options`.
    pub options: Vec<String>,
    /// `pre`.
    pub pre: Vec<String>,
    /// `code`: label and body, in source order.
    pub blocks: Vec<(String, String)>,
    /// `messages`.
    pub messages: Vec<String>,
    /// `expected-exception` is present.
    pub expects_exception: bool,
}

fn strings(y: &Yaml) -> Vec<String> {
    y.as_vec()
        .map(|v| v.iter().filter_map(|s| s.as_str().map(str::to_string).or_else(|| s.as_i64().map(|i| i.to_string()))).collect())
        .unwrap_or_default()
}

impl Case {
    fn from_yaml(file: &str, doc: &Yaml) -> Option<Case> {
        let name = doc["test-case"].as_str()?;
        let blocks = doc["code"]
            .as_hash()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.as_str().unwrap_or("").to_string(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        Some(Case {
            name: format!("{file}:{name}"),
            options: strings(&doc["options"]),
            pre: strings(&doc["pre"]),
            blocks,
            messages: strings(&doc["messages"]),
            expects_exception: !doc["expected-exception"].is_badvalue(),
        })
    }

    /// Every case of a YAML file, and how many documents could not be read.
    ///
    /// Documents are read one by one, so one unreadable case does not hide the others. A
    /// flow sequence closed by `]` at column 1 (PREVAIL writes `pre: [` ... `]` that way) is
    /// valid for PyYAML but not for yaml-rust2, so such a line is indented by one space first.
    pub fn read_file(path: &Path) -> Result<(Vec<Case>, usize), String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let mut cases = Vec::new();
        let mut unreadable = 0;
        let mut doc = String::new();
        let mut flush = |doc: &mut String| {
            if doc.lines().any(|l| !l.trim().is_empty() && !l.starts_with('#')) {
                match YamlLoader::load_from_str(doc) {
                    Ok(docs) => cases.extend(docs.iter().filter_map(|d| Case::from_yaml(&file, d))),
                    Err(_) => unreadable += 1,
                }
            }
            doc.clear();
        };
        for line in text.lines() {
            if line.trim_end() == "---" {
                flush(&mut doc);
                continue;
            }
            if line.starts_with(']') || line.starts_with('}') {
                doc.push(' ');
            }
            doc.push_str(line);
            doc.push('\n');
        }
        flush(&mut doc);
        Ok((cases, unreadable))
    }

    /// Messages that are PREVAIL errors (see the module documentation).
    pub fn errors(&self) -> Vec<&str> {
        let no_div0 = self.options.iter().any(|o| o == "!allow_division_by_zero");
        self.messages
            .iter()
            .map(String::as_str)
            .filter(|m| !m.contains("Code becomes unreachable") && !m.contains(": observation "))
            .filter(|m| !(no_div0 && m.contains("Possible division by zero")))
            .collect()
    }

    /// PREVAIL's verdict.
    pub fn expected(&self) -> Verdict {
        if self.errors().is_empty() { Verdict::Accept } else { Verdict::Reject }
    }
}

/// Rejections the Linux verifier makes whatever the program's state, which PREVAIL's cases do
/// not (the kernel's `check_alu_op` and `check_ptr_alignment`, strict for the stack).
pub const KERNEL_RULES: [&str; 3] = ["div by zero", "invalid shift ", "misaligned stack access"];

/// The maps of PREVAIL's YAML runner: the one test map under any descriptor and at index 0.
#[derive(Clone, Copy, Debug)]
struct TestMaps;

impl MapResolver for TestMaps {
    fn by_fd(&self, _: i32) -> Option<MapMeta> {
        Some(pre::test_map())
    }
    fn by_index(&self, idx: u32) -> Option<MapMeta> {
        (idx == 0).then(pre::test_map)
    }
}

/// What the run found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Counts.
    pub tally: Tally,
    /// The translated program of each disagreement (same order).
    pub programs: Vec<String>,
    /// Cases whose only messages are PREVAIL notes (counted as accepted).
    pub notes_only: usize,
    /// Cases PREVAIL accepts and the kernel refuses by one of [`KERNEL_RULES`].
    pub kernel_rules: usize,
}

impl Report {
    /// The note lines printed before the total.
    pub fn notes(&self) -> Vec<String> {
        vec![
            format!(
                "note: {} cases with only PREVAIL notes (unreachable code, observations, division by zero) count as accepted",
                self.notes_only
            ),
            format!(
                "note: {} cases PREVAIL accepts are refused by a Linux verifier rule ({}): the kernel rules",
                self.kernel_rules,
                KERNEL_RULES.map(str::trim_end).join(", ")
            ),
        ]
    }

    /// Everything as JSON.
    pub fn json(&self) -> Value {
        let mut v = self.tally.json();
        v["notes_only"] = json!(self.notes_only);
        v["kernel_rules"] = json!(self.kernel_rules);
        v
    }
}

/// Why a case cannot be compared, if so.
fn skip_reason(case: &Case) -> Option<String> {
    if case.expects_exception {
        return Some("tests PREVAIL's YAML reader (expected-exception)".into());
    }
    if case.blocks.iter().any(|(_, b)| b.lines().any(|l| l.trim_start().starts_with("callx"))) {
        return Some("callx (a PREVAIL/RFC 9669 instruction the Linux verifier refuses)".into());
    }
    if case.options.iter().any(|o| o == "big_endian") {
        return Some("big-endian semantics (option big_endian)".into());
    }
    None
}

/// Translates and verifies one case: the translated text and Hive's verdict, or why the
/// case cannot be translated.
pub fn verify_case(case: &Case) -> Result<(String, Result<(), String>), String> {
    let text = asm::translate(&case.blocks)?.text;
    let raw: Vec<RawInsn> = hive_asm::assemble(&text, hive_asm::Syntax::Kernel).map_err(|e| format!("assembler: {e}"))?;
    let entry = pre::entry_state(&case.pre)?;
    let mut env = ProgramEnv::new(ProgType::Xdp);
    env.maps = &TestMaps;
    env.entry = Some(entry);
    let verdict = match verify_program(&raw, &env, &VerifyOptions::privileged()) {
        Ok(_) => Ok(()),
        Err(r) => Err(match r.insn {
            Some(pc) => format!("insn {pc}: {}", r.message),
            None => r.message,
        }),
    };
    Ok((text, verdict))
}

/// Short skip reason for an untranslatable case (the first words, so that reasons group).
fn reason_class(why: &str) -> String {
    let cut = why.find('`').unwrap_or(why.len());
    format!("untranslatable: {}", why[..cut].trim_end())
}

/// Runs every case of every `*.yaml` under `dir` (`test-schema.yaml` has none).
pub fn run_dir(dir: &Path, filter: Option<&str>) -> Result<Report, String> {
    let files = files_with_suffix(dir, ".yaml");
    if files.is_empty() {
        return Err(format!("{}: no .yaml cases", dir.display()));
    }
    let mut report = Report::default();
    for file in files {
        let (cases, unreadable) = Case::read_file(&file)?;
        for _ in 0..unreadable {
            report.tally.skip("YAML document yaml-rust2 cannot read");
        }
        for case in cases {
            if filter.is_some_and(|f| !case.name.contains(f)) {
                continue;
            }
            if let Some(why) = skip_reason(&case) {
                report.tally.skip(why);
                continue;
            }
            let mut expected = case.expected();
            if expected == Verdict::Accept && !case.messages.is_empty() {
                report.notes_only += 1;
            }
            match verify_case(&case) {
                Err(why) => report.tally.skip(reason_class(&why)),
                Ok((text, verdict)) => {
                    if let Err(m) = &verdict
                        && expected == Verdict::Accept
                        && KERNEL_RULES.iter().any(|r| m.contains(r))
                    {
                        expected = Verdict::Reject;
                        report.kernel_rules += 1;
                    }
                    let got = if verdict.is_ok() { Verdict::Accept } else { Verdict::Reject };
                    let before = report.tally.disagreements.len();
                    report.tally.record(&case.name, expected, got, verdict.as_ref().err().map_or("", String::as_str));
                    if report.tally.disagreements.len() > before {
                        report.programs.push(text);
                    }
                }
            }
        }
    }
    Ok(report)
}
