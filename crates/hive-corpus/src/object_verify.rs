//! Verifying every program of a BPF ELF object, as `hive verify` and the samples runner do.
//!
//! The object is read with `hive-object` (relocated, linked, CO-RE applied against the
//! host's BTF when it has one); its programs refer to maps by index (`BPF_PSEUDO_MAP_IDX`),
//! so the verifier's map table is the object's map list in order, each [`MapDef`] turned into
//! a [`MapMeta`] (special fields from the object's BTF where cheap: the spin lock). Each
//! program is verified on its own, with its type, expected attach type, licence and
//! sleepable flag. Calls of `.ksyms` kfuncs get the ids of Hive's built-in kfuncs
//! ([`KfuncRegistry::with_builtins`], as the runtime resolves them at load).

use std::path::Path;
use std::time::Instant;

use hive_isa::RawInsn;
use hive_object::{ExternKind, LoadOptions, MapDef, ObjectSpec, ProgramSelection, ProgramSpec, TargetBtf};
use hive_platform::kfunc::KfuncRegistry;
use hive_platform::prog::ProgType;
use hive_platform::prog::section::{SecFlags, legacy_prog_type};
use hive_verifier::{LogLevel, MapMeta, ProgramEnv, VerifyOptions, verify_program};

use crate::map_table::MapTable;

/// One program's verdict.
#[derive(Clone, Debug)]
pub struct ProgramResult {
    /// Program (function) name.
    pub name: String,
    /// Its section.
    pub section: String,
    /// Instructions (slots).
    pub insns: usize,
    /// `Ok(())` when accepted, the rejection message otherwise (with `insn N: `).
    pub verdict: Result<(), String>,
    /// The verifier log.
    pub log: String,
    /// Wall time of the verification, microseconds.
    pub time_us: u64,
    /// Instructions the verifier processed, when it reports them.
    pub processed: Option<u64>,
    /// Peak number of states, when the verifier reports it.
    pub peak_states: Option<u64>,
    /// The program type it was verified as.
    pub prog_type: ProgType,
    /// Where the type came from when the section name is not in libbpf's table.
    pub type_source: Option<&'static str>,
    /// For a rejection with [`VerifyObjectOptions::explain`]: the explanation.
    pub explanation: Option<String>,
}

/// A program the object could not build (relocation, CO-RE), and why.
#[derive(Clone, Debug)]
pub struct Unbuildable {
    /// Program name.
    pub name: String,
    /// Section.
    pub section: String,
    /// The loader's error.
    pub error: String,
}

/// What verifying an object gave.
#[derive(Clone, Debug, Default)]
pub struct ObjectResult {
    /// Verified programs, in object order.
    pub programs: Vec<ProgramResult>,
    /// Programs that could not be built.
    pub unbuildable: Vec<Unbuildable>,
}

/// How to verify.
#[derive(Clone, Copy, Debug)]
pub struct VerifyObjectOptions {
    /// Privileged (`CAP_BPF`) or not.
    pub privileged: bool,
    /// Log level.
    pub log_level: LogLevel,
    /// The type of programs whose section name gives none (neither libbpf's table nor the
    /// legacy prefixes of [`legacy_prog_type`] know it), as the object's own loader sets it
    /// (`tc` loads any section as `sched_cls`).
    pub untyped: Option<ProgType>,
    /// Treat the licence as GPL-compatible whatever the object says, as loaders that pass
    /// their own licence string do (falco's passes "GPL"; its object has no `license`).
    pub assume_gpl: bool,
    /// Explain each rejection for a person ([`crate::explain`]): the program is verified a
    /// second time at log level 2 for the register states.
    pub explain: bool,
}

impl Default for VerifyObjectOptions {
    fn default() -> Self {
        VerifyObjectOptions {
            privileged: true,
            log_level: LogLevel::Basic,
            untyped: None,
            assume_gpl: false,
            explain: false,
        }
    }
}

/// The program type `p` is verified as, and where it came from when not from libbpf's
/// section table.
pub fn effective_prog_type(p: &ProgramSpec, opts: &VerifyObjectOptions) -> (ProgType, Option<&'static str>) {
    if p.prog_type != ProgType::Unspec {
        return (p.prog_type, None);
    }
    if let Some(t) = legacy_prog_type(&p.section) {
        return (t, Some("legacy section prefix"));
    }
    match opts.untyped {
        Some(t) => (t, Some("--type")),
        None => (ProgType::Unspec, None),
    }
}

/// Reads an object, building every program it can (none is required to build).
pub fn open_object(path: &Path) -> Result<ObjectSpec, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let target_btf =
        if Path::new("/sys/kernel/btf/vmlinux").exists() { TargetBtf::Host } else { TargetBtf::Own };
    let opts = LoadOptions { target_btf, programs: ProgramSelection::Only(Vec::new()), ..LoadOptions::default() };
    ObjectSpec::parse(&bytes, &opts).map_err(|e| format!("{}: {e}", path.display()))
}

/// The verifier's view of a map definition.
pub fn map_meta(def: &MapDef, spec: &ObjectSpec) -> MapMeta {
    let mut m = MapMeta::new(def.map_type, def.key_size, def.value_size, def.max_entries);
    m.map_flags = def.flags;
    m.frozen = def.frozen;
    m.inner = def.inner.as_ref().map(|i| Box::new(map_meta(i, spec)));
    if let Some(btf) = &spec.btf {
        m.spin_lock_off = def.spin_lock_offset(btf);
    }
    m
}

/// The object's maps, by index.
pub fn map_table(spec: &ObjectSpec) -> MapTable {
    MapTable(spec.maps.iter().enumerate().map(|(i, d)| (i as i32, map_meta(d, spec))).collect())
}

/// Verifies one program of `spec`.
pub fn verify_one(spec: &ObjectSpec, maps: &MapTable, p: &ProgramSpec, opts: &VerifyObjectOptions) -> ProgramResult {
    let (prog_type, type_source) = effective_prog_type(p, opts);
    let mut env = ProgramEnv::new(prog_type);
    env.attach_type = p.expected_attach_type;
    env.gpl = p.gpl_compatible() || opts.assume_gpl;
    env.maps = maps;
    env.sleepable = p.sec_flags.contains(SecFlags::SLEEPABLE);
    let kfuncs = KfuncRegistry::with_builtins();
    env.kfuncs = Some(&kfuncs);
    let insns = with_kfunc_ids(p, &kfuncs);
    let vopts = if opts.privileged { VerifyOptions::privileged() } else { VerifyOptions::unprivileged() };
    let start = Instant::now();
    let out = verify_program(&insns, &env, &vopts.with_log_level(opts.log_level));
    let time_us = start.elapsed().as_micros() as u64;
    let _ = spec;
    let mut explanation = None;
    let (verdict, log) = match out {
        Ok(v) => (Ok(()), v.log),
        Err(r) => {
            if opts.explain {
                let verbose = verify_program(&insns, &env, &vopts.with_log_level(LogLevel::Verbose));
                let states = verbose.err().map(|v| v.log).unwrap_or_default();
                explanation = Some(crate::explain::explain(p, r.insn, &r.message, &states));
            }
            let msg = match r.insn {
                Some(pc) => format!("insn {pc}: {}", r.message),
                None => r.message.clone(),
            };
            (Err(msg), if r.log.is_empty() { r.message } else { r.log })
        }
    };
    ProgramResult {
        name: p.name.clone(),
        section: p.section.clone(),
        insns: p.insns.len(),
        verdict,
        processed: processed_from_log(&log),
        peak_states: peak_states_from_log(&log),
        prog_type,
        type_source,
        explanation,
        log,
        time_us,
    }
}

/// `p`'s instructions with each kfunc call naming a kfunc `kfuncs` has carrying its id (the
/// others stay as the object has them, and the verifier refuses them if reached).
fn with_kfunc_ids(p: &ProgramSpec, kfuncs: &KfuncRegistry) -> Vec<RawInsn> {
    let mut insns = p.insns.clone();
    for x in p.externs.iter().filter(|x| x.kind == ExternKind::Kfunc) {
        if let (Some((id, _)), Some(insn)) = (kfuncs.by_name(&x.name), insns.get_mut(x.insn)) {
            insn.imm = id.0 as i32;
            insn.off = 0;
        }
    }
    insns
}

/// Verifies every program of `spec` (or only `only`).
pub fn verify_object(spec: &ObjectSpec, only: Option<&str>, opts: &VerifyObjectOptions) -> ObjectResult {
    let maps = map_table(spec);
    let mut out = ObjectResult::default();
    for p in spec.programs.iter().filter(|p| only.is_none_or(|n| n == p.name)) {
        out.programs.push(verify_one(spec, &maps, p, opts));
    }
    for s in spec.skipped.iter().filter(|s| only.is_none_or(|n| n == s.name)) {
        out.unbuildable.push(Unbuildable { name: s.name.clone(), section: s.section.clone(), error: s.error.to_string() });
    }
    out
}

/// `processed N insns` from a kernel-style log.
fn processed_from_log(log: &str) -> Option<u64> {
    let at = log.rfind("processed ")?;
    log[at + 10..].split_whitespace().next()?.parse().ok()
}

/// `peak_states N` from a kernel-style log.
fn peak_states_from_log(log: &str) -> Option<u64> {
    let at = log.rfind("peak_states ")?;
    log[at + 12..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_from_log() {
        let log = "processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 3 mark_read 0";
        assert_eq!(processed_from_log(log), Some(12));
        assert_eq!(peak_states_from_log(log), Some(3));
        assert_eq!(processed_from_log("nothing"), None);
    }
}
