//! CO-RE: rewriting field offsets, sizes, type ids and enum values compiled against the
//! program's own headers so that they hold for the target kernel's types.
//!
//! `clang` records, in `.BTF.ext`, one relocation per instruction whose constant depends on
//! a type: the instruction, the local root type, an access string (`0:1:2`) and what to
//! compute (a [`CoreReloKind`]). For each one, as libbpf's `relo_core.c` does:
//!
//! 1. **Local spec.** The access string is walked through the local BTF (`spec::parse`),
//!    which also gives the value `clang` must have compiled in (checked against the
//!    instruction: a mismatch is an error, never a silent rewrite).
//! 2. **Candidates.** Every target type whose name equals the local root's *essential name*
//!    (the name without a `___flavour` suffix, so `task_struct___old` looks for
//!    `task_struct`) and whose kind is compatible. `TYPE_ID_LOCAL` needs none.
//! 3. **Matching.** The access is replayed on each candidate (`spec::matches`): members by
//!    name (through anonymous members), array indexes within bounds, compatible field types;
//!    enumerators by essential name; whole types by libbpf's `bpf_core_types_are_compat`
//!    (or `bpf_core_types_match` for `type_matches`).
//! 4. **Decision.** Every matching candidate must give the same value (and, for fields, the
//!    same bit offset); otherwise the relocation is ambiguous and fails.
//! 5. **Patching.** ALU immediates, load/store offsets (with the access size adjusted when
//!    the field's size changed and that is safe: pointers, unsigned integers), or the 64-bit
//!    immediate of an `lddw`.
//!
//! ## `TYPE_ID_LOCAL`: ids in the program's own BTF
//!
//! `bpf_core_type_id_local(T)` must give an id in the BTF the program is loaded with
//! (`prog_btf_fd`), since that is where the kernel looks it up (`bpf_obj_new(T)` passes it).
//! Hive, like cilium/ebpf and unlike libbpf, does not load the object's BTF for its programs:
//! each program is loaded with a minimal BTF of its own ([`crate::ProgramBtf`]: the types of
//! its local type ids, its functions, what they refer to). So this pass writes the object's
//! id, checked against the instruction, and records the slot; once the program is linked,
//! its BTF is built and the constant becomes the type's id in it. The ids differ from the
//! object's, and from one program to another. `TYPE_ID_TARGET` (`bpf_core_type_id_kernel`)
//! is unaffected: an id in the target BTF. cilium/ebpf's `relocs.c` (`type_ids`, against
//! the object's own types) checks that the two differ.
//!
//! ## No candidate: zero, or poison
//!
//! When no candidate matches, existence checks (`field_exists`, `type_exists`,
//! `type_matches`, `enumval_exists`) compute 0, and `type_id_target`/`type_size` compute 0.
//! Relocations that need a target to be meaningful (field offsets, sizes, shifts,
//! signedness, enum values) are *poisoned*: libbpf replaces the instruction with
//! `call 0xbad2310` (a helper id no kernel has; for an `lddw`, both slots), because the
//! instruction is legitimately dead code when the program guards it with an existence
//! check. The verifier removes unreachable poison; if it is reachable, it reports
//! `invalid func unknown#195896080`, and with line info the kernel (and Hive's
//! [`crate::ProgramSpec::poisoned`]) can say which relocation it was. A load or store whose
//! field changed size in a way that cannot be adjusted (a signed integer, a struct) is
//! poisoned the same way.
//!
//! ## Errors
//!
//! Everything else is an [`ObjectError::Core`] naming the program, the instruction, the
//! relocation kind, the local type, the access (`0:1` = `s.a`) and the C source line:
//! malformed access strings, ambiguous candidates, values that do not fit, instructions
//! whose compiled-in value disagrees with the local BTF, or a missing target BTF.

pub(crate) mod compat;
mod patch;
pub(crate) mod spec;
mod target;

use hive_btf::{Btf, BtfExt, CoreRelo, CoreReloKind, Kind, TypeId};
use hive_isa::RawInsn;

pub use target::{CoreTarget, TargetBtf};

use crate::error::{CoreError, ObjectError};
use crate::link::SectionExtras;
use crate::program::Poison;
use crate::sections::CodeSection;
use compat::kind_compat;
pub use patch::POISON_HELPER;
use patch::{Res, calc, patch};

/// Applies every CO-RE relocation of `.BTF.ext` to the code sections. Failures and poison
/// marks are recorded per instruction in `extras`, so only programs that contain them are
/// affected.
pub(crate) fn apply(
    code: &mut [CodeSection],
    extras: &mut [SectionExtras],
    btf: &Btf<'static>,
    ext: &BtfExt<'_>,
    target: Result<Option<&CoreTarget>, ObjectError>,
) {
    for sec in ext.core_relos() {
        let Some(name) = sec.name(btf) else { continue };
        let Some(ci) = code.iter().position(|c| c.name == name) else { continue };
        for (no, relo) in sec.records().enumerate() {
            let slot = (relo.insn_off / 8) as usize;
            let outcome = {
                let ctx = Ctx { btf, relo: &relo, no, code: &code[ci], extras: &extras[ci] };
                ctx.resolve(target.clone()).map(|res| {
                    let reason = ctx.poison_reason(&res);
                    (res, reason)
                })
            };
            let (res, reason) = match outcome {
                Ok(r) => r,
                Err(e) => {
                    extras[ci].core_errors.push((slot, e));
                    continue;
                }
            };
            match patch(&mut code[ci].insns, slot, &res) {
                Ok(true) => extras[ci].poisoned.push(Poison { insn: slot, reason }),
                Ok(false) if relo.kind == CoreReloKind::TypeIdLocal => {
                    extras[ci].local_type_ids.push((slot, relo.type_id));
                }
                Ok(false) => {}
                Err(why) => {
                    let e = Ctx { btf, relo: &relo, no, code: &code[ci], extras: &extras[ci] }.error(why);
                    extras[ci].core_errors.push((slot, e));
                }
            }
        }
    }
}

/// Rewrites the `TYPE_ID_LOCAL` constant at `slot`, which holds the object's id `old`, to
/// `new` (the type's id in the program's own BTF).
pub(crate) fn renumber_local_type_id(insns: &mut [RawInsn], slot: usize, old: TypeId, new: TypeId) -> Result<(), String> {
    let res = Res { orig: u64::from(old.0), new: u64::from(new.0), validate: true, ..Res::default() };
    patch(insns, slot, &res).map(|_| ())
}

struct Ctx<'a> {
    btf: &'a Btf<'static>,
    relo: &'a CoreRelo,
    no: usize,
    code: &'a CodeSection,
    extras: &'a SectionExtras,
}

/// The C spelling of a type for messages (`struct s`, `e_t`, `enum e`).
fn type_name(btf: &Btf<'_>, id: TypeId) -> String {
    match btf.type_by_id(id) {
        Some(t)
            if t.name().is_empty() && matches!(t.kind(), Kind::Struct | Kind::Union | Kind::Enum | Kind::Enum64) =>
        {
            format!("[{id}] anonymous {}", t.kind().name().to_lowercase())
        }
        Some(_) => format!("[{id}] {}", hive_btf::c_decl(btf, id, "")),
        None => format!("[{id}] (no such type)"),
    }
}

impl Ctx<'_> {
    fn access(&self) -> String {
        let raw = self.relo.access_str(self.btf).unwrap_or("?");
        match spec::parse(self.btf, self.relo.type_id, raw, self.relo.kind) {
            Ok(s) if !s.accessors.is_empty() => format!("{raw} = {}", spec::describe(&s)),
            _ => raw.to_string(),
        }
    }

    fn error(&self, reason: String) -> ObjectError {
        let slot = (self.relo.insn_off / 8) as usize;
        let program =
            self.code.func_at(slot).map_or_else(|| self.code.name.clone(), |f| self.code.funcs[f].name.clone());
        let lines = &self.extras.lines;
        let i = lines.partition_point(|l| l.insn <= slot);
        CoreError {
            program,
            section: self.code.name.clone(),
            insn: slot,
            kind: self.relo.kind.name(),
            type_name: type_name(self.btf, self.relo.type_id),
            access: self.access(),
            reason: format!("relo #{}: {reason}", self.no),
            line: i.checked_sub(1).map(|i| lines[i].to_string()),
        }
        .into()
    }

    fn poison_reason(&self, res: &Res) -> String {
        let what = if res.fail_memsz_adjust {
            format!("field size changed from {} to {} bytes and the access cannot be adjusted", res.orig_sz, res.new_sz)
        } else {
            "no matching target".to_string()
        };
        format!(
            "relo #{}: {} of {} (access {}): {what}",
            self.no,
            self.relo.kind.name(),
            type_name(self.btf, self.relo.type_id),
            self.access()
        )
    }

    /// libbpf's `bpf_core_calc_relo_insn`, with candidate search.
    fn resolve(&self, target: Result<Option<&CoreTarget>, ObjectError>) -> Result<Res, ObjectError> {
        let kind = self.relo.kind;
        if let CoreReloKind::Unknown(k) = kind {
            return Err(self.error(format!("unknown relocation kind {k}")));
        }
        let slot = (self.relo.insn_off / 8) as usize;
        if !self.relo.insn_off.is_multiple_of(8) || slot >= self.code.insns.len() {
            return Err(self.error(format!("instruction offset {} is outside the section", self.relo.insn_off)));
        }
        let access =
            self.relo.access_str(self.btf).ok_or_else(|| self.error("access string offset is invalid".into()))?;
        let local = spec::parse(self.btf, self.relo.type_id, access, kind)
            .map_err(|e| self.error(format!("cannot parse the access: {e}")))?;
        if kind == CoreReloKind::TypeIdLocal {
            let id = u64::from(self.relo.type_id.0);
            return Ok(Res { orig: id, new: id, ..Res::default() });
        }
        let root = self.btf.type_by_id(self.relo.type_id).ok_or_else(|| self.error("dangling local type".into()))?;
        if root.name().is_empty() {
            return Err(self.error("relocations against anonymous types are not supported".into()));
        }
        let target = match target {
            Ok(Some(t)) => t,
            Ok(None) => {
                return Err(
                    self.error("no target BTF: /sys/kernel/btf/vmlinux is absent; set LoadOptions::target_btf".into())
                );
            }
            Err(e) => return Err(self.error(e.to_string())),
        };
        let tb = target.btf();
        let mut chosen: Option<(Res, spec::Spec<'_>, TypeId)> = None;
        for &cand in target.candidates(compat::essential(root.name())) {
            let Some(ct) = tb.type_by_id(cand) else { continue };
            if !kind_compat(ct.kind(), root.kind()) {
                continue;
            }
            let Some(cspec) = spec::matches(&local, tb, cand).map_err(|e| self.error(e))? else { continue };
            let res = calc(&local, Some(&cspec)).map_err(|e| self.error(e))?;
            match &chosen {
                None => chosen = Some((res, cspec, cand)),
                Some((first, fspec, fid)) => {
                    let name = |id: TypeId| tb.type_by_id(id).map_or("", |t| t.name()).to_string();
                    if spec::is_field(kind) && fspec.bit_offset != cspec.bit_offset {
                        return Err(self.error(format!(
                            "field offset ambiguity: candidates [{fid}] {} and [{cand}] {} put it at bits {} and {}",
                            name(*fid),
                            name(cand),
                            fspec.bit_offset,
                            cspec.bit_offset
                        )));
                    }
                    if first.poison != res.poison || first.new != res.new {
                        return Err(self.error(format!(
                            "ambiguous: candidates [{fid}] {} and [{cand}] {} give different values ({} != {})",
                            name(*fid),
                            name(cand),
                            first.new,
                            res.new
                        )));
                    }
                }
            }
        }
        match chosen {
            Some((res, ..)) => Ok(res),
            None => calc(&local, None).map_err(|e| self.error(e)),
        }
    }
}
