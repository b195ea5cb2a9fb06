//! One test of `verifier_old_json/*.json`, read into what the runner needs, with
//! `test_verifier.c`'s defaults applied.

use std::path::Path;

use hive_isa::RawInsn;
use serde_json::Value;

use super::fixup::Fixup;
use crate::tally::Verdict;

/// `F_NEEDS_EFFICIENT_UNALIGNED_ACCESS`: the program is loaded with `BPF_F_ANY_ALIGNMENT`.
pub const F_NEEDS_EFFICIENT_UNALIGNED_ACCESS: u32 = 1 << 0;
/// `F_LOAD_WITH_STRICT_ALIGNMENT`: the program is loaded with `BPF_F_STRICT_ALIGNMENT`.
pub const F_LOAD_WITH_STRICT_ALIGNMENT: u32 = 1 << 1;
/// `BPF_F_STRICT_ALIGNMENT`.
pub const BPF_F_STRICT_ALIGNMENT: u32 = 1 << 0;
/// `BPF_F_ANY_ALIGNMENT`.
pub const BPF_F_ANY_ALIGNMENT: u32 = 1 << 1;
/// `BPF_PROG_TYPE_SOCKET_FILTER`.
const SOCKET_FILTER: u32 = 1;
/// `BPF_PROG_TYPE_CGROUP_SKB`.
const CGROUP_SKB: u32 = 8;

/// Expected outcome as the selftest writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `ACCEPT`.
    Accept,
    /// `REJECT`.
    Reject,
    /// `VERBOSE_ACCEPT`: accepted, and the level-2 log holds `errstr`.
    VerboseAccept,
}

impl Expect {
    fn parse(s: &str) -> Option<Expect> {
        match s {
            "ACCEPT" => Some(Expect::Accept),
            "REJECT" => Some(Expect::Reject),
            "VERBOSE_ACCEPT" => Some(Expect::VerboseAccept),
            _ => None,
        }
    }

    /// The load verdict.
    pub fn verdict(self) -> Verdict {
        match self {
            Expect::Reject => Verdict::Reject,
            Expect::Accept | Expect::VerboseAccept => Verdict::Accept,
        }
    }
}

/// One selftest.
#[derive(Clone, Debug)]
pub struct Case {
    /// `file.json:descr`, the name the runner prints.
    pub name: String,
    /// The instructions, before fixups.
    pub insns: Vec<RawInsn>,
    /// `prog_type` as written (0 means socket filter).
    pub prog_type: u32,
    /// `expected_attach_type`.
    pub expected_attach_type: u32,
    /// `flags`.
    pub flags: u32,
    /// `result`.
    pub result: Expect,
    /// `result_unpriv` (`None` for `UNDEF`).
    pub result_unpriv: Option<Expect>,
    /// `errstr`.
    pub errstr: Option<String>,
    /// `errstr_unpriv`.
    pub errstr_unpriv: Option<String>,
    /// Map fixups: kind and instruction indices.
    pub fixups: Vec<(Fixup, Vec<usize>)>,
    /// `fixup_kfunc_btf_id`: kfunc names whose BTF ids must be patched in.
    pub kfuncs: Vec<String>,
    /// `kfunc`: the kernel function a tracing/LSM program attaches to.
    pub attach_kfunc: Option<String>,
    /// `fixup_*` fields this runner does not know.
    pub unknown_fixups: Vec<String>,
    /// `insns` is null: a `fill_helper` program too large to be stored in the JSON.
    pub insns_missing: bool,
    /// `func_info` / `btf_types`: the selftest loads the program with its own BTF and
    /// function info (bpf-to-bpf callbacks need them in the kernel).
    pub needs_prog_btf: bool,
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

fn u32_field(v: &Value, key: &str) -> u32 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0) as u32
}

impl Case {
    /// Reads one test object of `file`.
    pub fn parse(file: &Path, v: &Value) -> Result<Case, String> {
        let descr = v.get("descr").and_then(Value::as_str).ok_or("no descr")?;
        let fname = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let name = format!("{fname}:{descr}");
        let insns_missing = v.get("insns").is_some_and(Value::is_null);
        let insns = v
            .get("insns")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .or(insns_missing.then_some(&[][..]))
            .ok_or_else(|| format!("{name}: no insns"))?
            .iter()
            .map(|h| {
                let s = h.as_str().ok_or("instruction is not a string")?;
                u64::from_str_radix(s.trim_start_matches("0x"), 16)
                    .map(RawInsn::from_u64)
                    .map_err(|e| format!("instruction {s}: {e}"))
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| format!("{name}: {e}"))?;
        let result = v
            .get("result")
            .and_then(Value::as_str)
            .and_then(Expect::parse)
            .ok_or_else(|| format!("{name}: bad result"))?;
        let result_unpriv = v.get("result_unpriv").and_then(Value::as_str).and_then(Expect::parse);
        let mut fixups = Vec::new();
        let mut unknown_fixups = Vec::new();
        let mut kfuncs = Vec::new();
        if let Some(obj) = v.as_object() {
            for (k, val) in obj {
                if k == "fixup_kfunc_btf_id" {
                    for f in val.as_array().into_iter().flatten() {
                        kfuncs.push(f.get("kfunc").and_then(Value::as_str).unwrap_or("?").to_string());
                    }
                } else if let Some(fx) = Fixup::from_key(k) {
                    let idx: Vec<usize> =
                        val.as_array().into_iter().flatten().filter_map(Value::as_u64).map(|i| i as usize).collect();
                    if !idx.is_empty() {
                        fixups.push((fx, idx));
                    }
                } else if k.starts_with("fixup_") {
                    unknown_fixups.push(k.clone());
                }
            }
        }
        fixups.sort();
        Ok(Case {
            name,
            insns,
            prog_type: u32_field(v, "prog_type"),
            expected_attach_type: u32_field(v, "expected_attach_type"),
            flags: u32_field(v, "flags"),
            result,
            result_unpriv,
            errstr: str_field(v, "errstr"),
            errstr_unpriv: str_field(v, "errstr_unpriv"),
            fixups,
            kfuncs,
            attach_kfunc: str_field(v, "kfunc"),
            unknown_fixups,
            insns_missing,
            needs_prog_btf: v.get("func_info").and_then(Value::as_array).is_some_and(|a| !a.is_empty())
                || v.get("has_btf_types").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// Every test of a JSON file (an array of tests, or one test).
    pub fn read_file(path: &Path) -> Result<Vec<Case>, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        match &v {
            Value::Array(items) => items.iter().map(|t| Case::parse(path, t)).collect(),
            _ => Ok(vec![Case::parse(path, &v)?]),
        }
    }

    /// The program type the selftest loads (0 becomes `BPF_PROG_TYPE_SOCKET_FILTER`).
    pub fn load_prog_type(&self) -> u32 {
        if self.prog_type == 0 { SOCKET_FILTER } else { self.prog_type }
    }

    /// `test_as_unpriv`: socket filters and cgroup skb programs are also run unprivileged
    /// (x86-64 has efficient unaligned access, so `F_NEEDS_EFFICIENT_UNALIGNED_ACCESS` does not
    /// exclude a test there).
    pub fn runs_unprivileged(&self) -> bool {
        matches!(self.prog_type, 0 | SOCKET_FILTER | CGROUP_SKB)
    }

    /// Expected outcome in a mode: `result_unpriv` unless `UNDEF`, unprivileged.
    pub fn expected(&self, unprivileged: bool) -> Expect {
        match (unprivileged, self.result_unpriv) {
            (true, Some(e)) => e,
            _ => self.result,
        }
    }

    /// Expected log substrings in a mode (tab-separated, in order).
    pub fn expected_log(&self, unprivileged: bool) -> Option<&str> {
        match (unprivileged, &self.errstr_unpriv) {
            (true, Some(e)) => Some(e),
            _ => self.errstr.as_deref(),
        }
    }

    /// `prog_flags` as `do_test_single` computes them (without `testing_prog_flags()`).
    pub fn prog_flags(&self) -> u32 {
        let mut f = 0;
        if self.flags & F_LOAD_WITH_STRICT_ALIGNMENT != 0 {
            f |= BPF_F_STRICT_ALIGNMENT;
        }
        if self.flags & F_NEEDS_EFFICIENT_UNALIGNED_ACCESS != 0 {
            f |= BPF_F_ANY_ALIGNMENT;
        }
        if self.flags & !3 != 0 {
            f |= self.flags;
        }
        f
    }

    /// The instructions with every map fixup's descriptor patched in (`fd_of` gives it).
    pub fn patched(&self, fd_of: impl Fn(Fixup) -> i32) -> Result<Vec<RawInsn>, String> {
        let mut insns = self.insns.clone();
        for (fx, idx) in &self.fixups {
            for &i in idx {
                let slot = insns.get_mut(i).ok_or_else(|| format!("{} fixup at {i} is out of range", fx.key()))?;
                slot.imm = fd_of(*fx);
            }
        }
        Ok(insns)
    }
}

/// `cmp_str_seq`: every tab-separated part of `exp` appears in `log`, in order. Returns the
/// first part that is missing.
pub fn missing_log_part<'e>(log: &str, exp: &'e str) -> Option<&'e str> {
    let mut rest = log;
    for part in exp.split('\t').filter(|p| !p.is_empty()) {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return Some(part),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_parts_in_order() {
        assert_eq!(missing_log_part("a b c", "a\tc"), None);
        assert_eq!(missing_log_part("a b c", "c\ta"), Some("a"));
        assert_eq!(missing_log_part("anything", ""), None);
    }

    #[test]
    fn parses_a_test() {
        let v: Value = serde_json::from_str(
            r#"{"descr":"d","insns":["00000001000001b7","0000000000000095"],"prog_type":0,
                "result":"ACCEPT","result_unpriv":"REJECT","errstr":null,"errstr_unpriv":"R1 leaks",
                "flags":2,"fixup_map_hash_8b":[1]}"#,
        )
        .unwrap();
        let c = Case::parse(Path::new("x/basic.json"), &v).unwrap();
        assert_eq!(c.name, "basic.json:d");
        assert_eq!(c.insns[0], RawInsn::new(0xb7, 1, 0, 0, 1));
        assert_eq!(c.expected(false), Expect::Accept);
        assert_eq!(c.expected(true), Expect::Reject);
        assert_eq!(c.expected_log(true), Some("R1 leaks"));
        assert_eq!(c.prog_flags(), BPF_F_STRICT_ALIGNMENT);
        assert_eq!(c.patched(|f| f.fd()).unwrap()[1].imm, Fixup::Hash8b.fd());
        assert!(c.runs_unprivileged());
    }
}
