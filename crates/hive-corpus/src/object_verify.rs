//! Verifying every program of a BPF ELF object, as `hive verify` and the samples runner do.
//!
//! The object is read with `hive-object` (relocated, linked, CO-RE applied against the
//! host's BTF when it has one); its programs refer to maps by index (`BPF_PSEUDO_MAP_IDX`),
//! so the verifier's map table is the object's map list in order, each [`MapDef`] turned into
//! a [`MapMeta`] (special fields from the object's BTF where cheap: the spin lock). Each
//! program is verified on its own, with its type, expected attach type, licence and
//! sleepable flag.

use std::path::Path;
use std::time::Instant;

use hive_object::{LoadOptions, MapDef, ObjectSpec, ProgramSelection, ProgramSpec, TargetBtf};
use hive_platform::prog::section::SecFlags;
use hive_platform::prog::{AttachType, ProgType};
use hive_verifier::{LogLevel, MapMeta, ProgramEnv, VerifyOptions, verify_program};

use crate::map_table::MapTable;

/// One program's verdict.
#[derive(Clone, Debug)]
pub struct ProgramResult {
    /// Program (function) name.
    pub name: String,
    /// Its section.
    pub section: String,
    /// The type it was verified as.
    pub prog_type: ProgType,
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

/// The program type (and expected attach type) a loader gives a section libbpf 1.x does not
/// know, if it gives one (`hive::object::legacy_section` is one such rule).
pub type SectionRule = fn(&str) -> Option<(ProgType, AttachType)>;

/// How to verify.
#[derive(Clone, Copy, Debug)]
pub struct VerifyObjectOptions {
    /// Privileged (`CAP_BPF`) or not.
    pub privileged: bool,
    /// Log level.
    pub log_level: LogLevel,
    /// For programs whose section gives no type: the older loaders' rule.
    pub legacy_sections: Option<SectionRule>,
    /// For programs that still have no type: the one their loader passes (iproute2's `tc`
    /// loads `sched_cls`).
    pub default_type: Option<ProgType>,
    /// The licence of objects without a `license` section (their own loader passes one).
    pub default_license: Option<&'static str>,
}

impl Default for VerifyObjectOptions {
    fn default() -> Self {
        VerifyObjectOptions {
            privileged: true,
            log_level: LogLevel::Basic,
            legacy_sections: None,
            default_type: None,
            default_license: None,
        }
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
    let (mut prog_type, mut attach_type) = (p.prog_type, p.expected_attach_type);
    if prog_type == ProgType::Unspec {
        if let Some((t, a)) = opts.legacy_sections.and_then(|rule| rule(&p.section)) {
            (prog_type, attach_type) = (t, a);
        } else if let Some(t) = opts.default_type {
            prog_type = t;
        }
    }
    let mut env = ProgramEnv::new(prog_type);
    env.attach_type = attach_type;
    env.gpl = match (p.license.is_empty(), opts.default_license) {
        (true, Some(l)) => hive_platform::is_gpl_compatible(l),
        _ => p.gpl_compatible(),
    };
    env.maps = maps;
    env.sleepable = p.sec_flags.contains(SecFlags::SLEEPABLE);
    let vopts = if opts.privileged { VerifyOptions::privileged() } else { VerifyOptions::unprivileged() };
    let start = Instant::now();
    let out = verify_program(&p.insns, &env, &vopts.with_log_level(opts.log_level));
    let time_us = start.elapsed().as_micros() as u64;
    let _ = spec;
    let (verdict, log) = match out {
        Ok(v) => (Ok(()), v.log),
        Err(r) => {
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
        prog_type,
        insns: p.insns.len(),
        verdict,
        processed: processed_from_log(&log),
        peak_states: peak_states_from_log(&log),
        log,
        time_us,
    }
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
