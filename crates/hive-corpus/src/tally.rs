//! Accept/reject bookkeeping shared by the verifier corpus runners.
//!
//! Every runner compares Hive's verdict on a case with a reference verdict (the kernel
//! selftest's expectation, PREVAIL's, a sample's known status) and ends with the same line:
//!
//! ```text
//! total=N agree=A false_accept=F false_reject=R skipped=S
//! ```
//!
//! `false_accept` counts cases the reference rejects and Hive accepts (the dangerous kind),
//! `false_reject` the opposite. Skipped cases are counted by reason, so a skip is always
//! explained.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// A verdict: the program loads or it does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Loads.
    Accept,
    /// Refused.
    Reject,
}

impl Verdict {
    /// `ACCEPT` / `REJECT`, as the kernel selftests spell them.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Accept => "ACCEPT",
            Verdict::Reject => "REJECT",
        }
    }
}

/// One case where Hive and the reference differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// The case (`file:description`).
    pub case: String,
    /// What the reference says.
    pub expected: Verdict,
    /// What Hive says.
    pub got: Verdict,
    /// Hive's message when it rejected (empty when it accepted).
    pub message: String,
}

impl Disagreement {
    /// `case: expected REJECT got ACCEPT`, with Hive's message when it has one.
    pub fn line(&self) -> String {
        let mut s = format!("{}: expected {} got {}", self.case, self.expected.name(), self.got.name());
        if !self.message.is_empty() {
            s.push_str(&format!(" ({})", self.message));
        }
        s
    }
}

/// The counts of a run.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Cases seen, skipped ones included.
    pub total: usize,
    /// Same verdict as the reference.
    pub agree: usize,
    /// The cases that disagree, in run order.
    pub disagreements: Vec<Disagreement>,
    /// Skip reason → count.
    pub skipped: BTreeMap<String, usize>,
}

impl Tally {
    /// Records a compared case.
    pub fn record(&mut self, case: &str, expected: Verdict, got: Verdict, message: &str) {
        self.total += 1;
        if expected == got {
            self.agree += 1;
        } else {
            let message = if got == Verdict::Reject { message.to_string() } else { String::new() };
            self.disagreements.push(Disagreement { case: case.to_string(), expected, got, message });
        }
    }

    /// Records a case that could not be compared, and why.
    pub fn skip(&mut self, reason: impl Into<String>) {
        self.total += 1;
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    /// Reference rejects, Hive accepts.
    pub fn false_accept(&self) -> usize {
        self.disagreements.iter().filter(|d| d.got == Verdict::Accept).count()
    }

    /// Reference accepts, Hive rejects.
    pub fn false_reject(&self) -> usize {
        self.disagreements.iter().filter(|d| d.got == Verdict::Reject).count()
    }

    /// Skipped cases, all reasons together.
    pub fn skipped_count(&self) -> usize {
        self.skipped.values().sum()
    }

    /// The final line: `total=N agree=A false_accept=F false_reject=R skipped=S`.
    pub fn line(&self) -> String {
        format!(
            "total={} agree={} false_accept={} false_reject={} skipped={}",
            self.total,
            self.agree,
            self.false_accept(),
            self.false_reject(),
            self.skipped_count()
        )
    }

    /// One `skip: N reason` line per reason.
    pub fn skip_lines(&self) -> Vec<String> {
        self.skipped.iter().map(|(why, n)| format!("skip: {n} {why}")).collect()
    }

    /// The counts, the skip reasons and the disagreements as JSON.
    pub fn json(&self) -> Value {
        json!({
            "total": self.total,
            "agree": self.agree,
            "false_accept": self.false_accept(),
            "false_reject": self.false_reject(),
            "skipped": self.skipped_count(),
            "skip_reasons": self.skipped,
            "disagreements": self.disagreements.iter().map(|d| json!({
                "case": d.case,
                "expected": d.expected.name(),
                "got": d.got.name(),
                "message": d.message,
            })).collect::<Vec<_>>(),
        })
    }

    /// Whether every compared case agreed.
    pub fn all_agree(&self) -> bool {
        self.disagreements.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_line() {
        let mut t = Tally::default();
        t.record("a", Verdict::Accept, Verdict::Accept, "");
        t.record("b", Verdict::Reject, Verdict::Accept, "");
        t.record("c", Verdict::Accept, Verdict::Reject, "R1 !read_ok");
        t.skip("needs kfunc BTF");
        assert_eq!(t.line(), "total=4 agree=1 false_accept=1 false_reject=1 skipped=1");
        assert_eq!(t.disagreements[1].line(), "c: expected ACCEPT got REJECT (R1 !read_ok)");
        assert_eq!(t.skip_lines(), ["skip: 1 needs kfunc BTF"]);
    }
}
