//! Where the host kernel's verdict replaces the JSON's.
//!
//! The JSON was generated from Linux 6.12; the machines run a newer kernel (6.18), whose
//! verifier disagrees with a few expectations (fixed bugs, new features, changed limits).
//! `examples/kernel_verifier_oracle.rs` loads every test into the host kernel with the
//! selftest's fixups and writes the disagreements into `data/kernel-verifier-overrides.tsv`:
//!
//! ```text
//! # mode <TAB> file.json:descr <TAB> ACCEPT|REJECT <TAB> reason
//! priv<TAB>calls.json:calls: some test<TAB>ACCEPT<TAB>host kernel accepts
//! ```
//!
//! The runner applies the committed file by default; the file is produced by the oracle run,
//! never edited by hand to hide a disagreement.

use std::collections::HashMap;

use crate::tally::Verdict;

/// The committed override list.
pub const COMMITTED: &str = include_str!("../../data/kernel-verifier-overrides.tsv");

/// One override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The host kernel's verdict.
    pub verdict: Verdict,
    /// Why (the kernel's message).
    pub reason: String,
}

/// Overrides by `(unprivileged, name)`.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    map: HashMap<(bool, String), Override>,
}

impl Overrides {
    /// Reads the text format; malformed lines are errors.
    pub fn parse(text: &str) -> Result<Overrides, String> {
        let mut map = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.splitn(4, '\t').collect();
            let [mode, name, verdict, reason] = parts[..] else {
                return Err(format!("overrides line {}: expected 4 tab-separated fields", n + 1));
            };
            let unpriv = match mode {
                "priv" => false,
                "unpriv" => true,
                _ => return Err(format!("overrides line {}: mode must be priv or unpriv", n + 1)),
            };
            let verdict = match verdict {
                "ACCEPT" => Verdict::Accept,
                "REJECT" => Verdict::Reject,
                _ => return Err(format!("overrides line {}: verdict must be ACCEPT or REJECT", n + 1)),
            };
            map.insert((unpriv, name.to_string()), Override { verdict, reason: reason.to_string() });
        }
        Ok(Overrides { map })
    }

    /// The committed list.
    pub fn committed() -> Overrides {
        Overrides::parse(COMMITTED).expect("the committed overrides parse")
    }

    /// The override of a test in a mode.
    pub fn get(&self, unprivileged: bool, name: &str) -> Option<&Override> {
        self.map.get(&(unprivileged, name.to_string()))
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// One line of the file.
    pub fn line(unprivileged: bool, name: &str, verdict: Verdict, reason: &str) -> String {
        let reason: String = reason.chars().map(|c| if c == '\t' || c == '\n' { ' ' } else { c }).collect();
        format!("{}\t{name}\t{}\t{reason}", if unprivileged { "unpriv" } else { "priv" }, verdict.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_committed_parses() {
        let text = format!("# c\n{}\n", Overrides::line(true, "a.json:x y", Verdict::Accept, "why\tnot"));
        let o = Overrides::parse(&text).unwrap();
        assert_eq!(o.get(true, "a.json:x y").unwrap().verdict, Verdict::Accept);
        assert!(o.get(false, "a.json:x y").is_none());
        let _ = Overrides::committed();
    }
}
