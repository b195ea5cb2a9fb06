//! [`ObjectSpec::parse`]: the pipeline from ELF bytes to programs and maps.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hive_btf::{Btf, BtfExt, Kind, TypeId};
use hive_platform::prog::section::SecFlags;
use hive_platform::prog::{AttachType, ProgType, parse_section};
use object::elf::{STT_OBJECT, STV_DEFAULT};

use crate::btf_fixup;
use crate::core::{self, CoreTarget, TargetBtf};
use crate::elf::Elf;
use crate::error::ObjectError;
use crate::kconfig::{KconfigValues, kconfig_map};
use crate::link::{SectionExtras, link};
use crate::maps::{self, MapDef, MapTable};
use crate::program::{LineInfo, ProgramSpec};
use crate::relocate::{Kconfig, relocate};
use crate::sections::{self, Layout};

/// Which programs must load (and so make [`ObjectSpec::parse`] fail when they cannot).
///
/// The others are still built when they can be, with [`ProgramSpec::autoload`] off; those
/// that cannot are listed in [`ObjectSpec::skipped`] with their error. `Only(vec![])`
/// requires nothing, which is what a tool listing an object wants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ProgramSelection {
    /// libbpf's default: every program whose section does not start with `?`.
    #[default]
    Autoload,
    /// Every program.
    All,
    /// Exactly these programs, by name (libbpf's `bpf_program__set_autoload`).
    Only(Vec<String>),
}

/// What [`ObjectSpec::parse`] needs besides the bytes.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The types CO-RE relocations are resolved against.
    pub target_btf: TargetBtf,
    /// Values of `__kconfig` externs.
    pub kconfig: KconfigValues,
    /// Which programs must relocate.
    pub programs: ProgramSelection,
}

/// A program that was not selected and could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedProgram {
    /// Its name.
    pub name: String,
    /// Its section.
    pub section: String,
    /// Why it cannot be built.
    pub error: ObjectError,
}

/// A named variable of a global-data section (what a skeleton exposes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariableSpec {
    /// The symbol name.
    pub name: String,
    /// The data map ([`ObjectSpec::maps`] index).
    pub map: usize,
    /// Byte offset in the map's value.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
    /// The variable's type in the object's BTF.
    pub type_id: Option<TypeId>,
    /// Global with default visibility (not `static`, not `__hidden`).
    pub global: bool,
}

/// Everything a loader needs from one object file.
#[derive(Clone, Debug)]
pub struct ObjectSpec {
    /// Entry programs, in section and offset order.
    pub programs: Vec<ProgramSpec>,
    /// Map definitions; instructions refer to them by index.
    pub maps: Vec<MapDef>,
    /// Named global variables.
    pub variables: Vec<VariableSpec>,
    /// The `license` section.
    pub license: String,
    /// The `version` section.
    pub kern_version: Option<u32>,
    /// The object's BTF after libbpf's fix-ups (DATASEC sizes and variable offsets, extern
    /// linkage; see `btf_fixup`), as `BPF_BTF_LOAD` takes it. Type ids and string offsets
    /// are the file's, so map type ids and [`ProgramSpec::func_info`] and
    /// [`ProgramSpec::line_info`] refer to it; programs are loaded with their own BTF
    /// ([`ProgramSpec::btf`]).
    pub btf: Option<Arc<Btf<'static>>>,
    /// Programs left out of the selection that could not be built.
    pub skipped: Vec<SkippedProgram>,
}

impl ObjectSpec {
    /// Reads, relocates and links an object (see the crate documentation).
    pub fn parse(bytes: &[u8], opts: &LoadOptions) -> Result<ObjectSpec, ObjectError> {
        let elf = Elf::parse(bytes)?;
        let mut layout = sections::classify(&elf)?;
        let (btf, ext) = own_btf(&elf, &layout)?;
        let externs = crate::ksyms::collect(&elf, btf.as_deref());
        let kconfig = kconfig_map(btf.as_deref(), &externs, &opts.kconfig)?;
        let btf = match btf {
            Some(b) => {
                let fixed = btf_fixup::finalize(&b, &elf, kconfig.as_ref().map(|k| &k.1))?;
                Some(Arc::new(Btf::from_vec(fixed).map_err(|e| ObjectError::Btf(format!("after fix-ups: {e}")))?))
            }
            None => None,
        };
        let mut table = MapTable::default();
        maps::legacy_maps(&elf, &layout, btf.as_ref(), &mut table)?;
        maps::btf_maps(&elf, &layout, btf.as_ref(), &mut table)?;
        maps::data_maps(&elf, &layout, btf.as_ref(), &mut table)?;
        let kconfig = kconfig.map(|(def, lay)| (table.push(def, usize::MAX, 0, 0), lay));
        maps::struct_ops_maps(&elf, &layout, btf.as_ref(), &mut table)?;
        let entries: HashSet<String> =
            layout.code.iter().flat_map(|c| c.funcs.iter().filter(|f| f.entry).map(|f| f.name.clone())).collect();
        maps::map_relocations(&elf, &layout, btf.as_ref(), &mut table, &|n| entries.contains(n))?;

        let kc = kconfig.as_ref().map(|(map, layout)| Kconfig { map: *map, layout });
        layout.code.push(crate::builtins::section());
        let relocs = relocate(&elf, &mut layout, &table, &externs, kc);
        let mut extras: Vec<SectionExtras> =
            relocs.into_iter().map(|r| SectionExtras { relocs: r, ..Default::default() }).collect();
        if let (Some(btf), Some(ext)) = (&btf, &ext) {
            debug_info(&layout, btf, ext, &mut extras);
            if ext.core_relos().len() > 0 {
                let target = core_target(&opts.target_btf, btf);
                let target_ref = target.as_ref().map(|t| t.as_deref()).map_err(Clone::clone);
                core::apply(&mut layout.code, &mut extras, btf, ext, target_ref);
            }
        }
        let (programs, skipped) = build_programs(&layout, &extras, btf.as_deref(), opts)?;
        let variables = variables(&elf, &layout, &table, btf.as_deref());
        Ok(ObjectSpec {
            programs,
            maps: table.defs,
            variables,
            license: layout.license,
            kern_version: layout.kern_version,
            btf,
            skipped,
        })
    }

    /// The program called `name`.
    pub fn program(&self, name: &str) -> Option<&ProgramSpec> {
        self.programs.iter().find(|p| p.name == name)
    }

    /// The map called `name` and its index.
    pub fn map(&self, name: &str) -> Option<(usize, &MapDef)> {
        self.maps.iter().enumerate().find(|(_, m)| m.name == name)
    }
}

/// The object's `.BTF` and `.BTF.ext`. Like libbpf, an object whose BTF cannot be read
/// still loads when nothing needs the BTF; unlike libbpf, `.BTF.ext` CO-RE records that
/// cannot be applied (unreadable, or without `.BTF` to interpret them) are an error rather
/// than silently ignored, since the instructions would keep the compiler's offsets.
#[allow(clippy::type_complexity)]
fn own_btf(
    elf: &Elf<'_>,
    layout: &Layout,
) -> Result<(Option<Arc<Btf<'static>>>, Option<BtfExt<'static>>), ObjectError> {
    let (btf, btf_error) = match elf.section_by_name(".BTF").map(|s| Btf::from_vec(s.data.to_vec())) {
        Some(Ok(b)) => (Some(Arc::new(b)), None),
        Some(Err(e)) => (None, Some(e.to_string())),
        None => (None, None),
    };
    if let Some(e) = &btf_error
        && (layout.btf_maps.is_some() || !layout.struct_ops.is_empty())
    {
        return Err(ObjectError::Btf(format!(".BTF cannot be read ({e}), and the object's maps are defined in it")));
    }
    let Some(ext_sec) = elf.section_by_name(".BTF.ext") else { return Ok((btf, None)) };
    let ext = match BtfExt::from_vec(ext_sec.data.to_vec()) {
        Ok(ext) => ext,
        Err(e) if btf.is_some() => return Err(ObjectError::Btf(format!(".BTF.ext cannot be read: {e}"))),
        // Without types the records mean nothing; old objects carry such a .BTF.ext.
        Err(_) => return Ok((None, None)),
    };
    if btf.is_none() {
        if ext.core_relos().len() > 0 {
            let why = btf_error.unwrap_or_else(|| "missing".into());
            return Err(ObjectError::Btf(format!(".BTF.ext has CO-RE relocations but .BTF is {why}")));
        }
        return Ok((None, None));
    }
    Ok((btf, Some(ext)))
}

fn core_target(choice: &TargetBtf, own: &Arc<Btf<'static>>) -> Result<Option<Arc<CoreTarget>>, ObjectError> {
    Ok(match choice {
        TargetBtf::Host => CoreTarget::host_shared()?,
        TargetBtf::Own => Some(Arc::new(CoreTarget::new(own.clone()))),
        TargetBtf::File(p) => Some(Arc::new(CoreTarget::from_file(p)?)),
        TargetBtf::Given(t) => Some(t.clone()),
    })
}

/// Func info and line info of `.BTF.ext`, by code section, in section slots.
fn debug_info(layout: &Layout, btf: &Btf<'_>, ext: &BtfExt<'_>, extras: &mut [SectionExtras]) {
    let by_name = |name: Option<&str>| name.and_then(|n| layout.code.iter().position(|c| c.name == n));
    for sec in ext.func_info() {
        let Some(ci) = by_name(sec.name(btf)) else { continue };
        let x = &mut extras[ci];
        for r in sec.records().filter(|r| r.insn_off % 8 == 0) {
            let name = btf.type_by_id(r.type_id).filter(|t| t.kind() == Kind::Func).map_or("", |t| t.name());
            x.funcs.push(((r.insn_off / 8) as usize, r.type_id, name.to_string()));
        }
        x.funcs.sort_by_key(|f| f.0);
    }
    let mut strings: HashMap<u32, Arc<str>> = HashMap::new();
    let mut intern = |off: u32| strings.entry(off).or_insert_with(|| Arc::from(btf.str_at(off).unwrap_or(""))).clone();
    for sec in ext.line_info() {
        let Some(ci) = by_name(sec.name(btf)) else { continue };
        let x = &mut extras[ci];
        for r in sec.records().filter(|r| r.insn_off % 8 == 0) {
            x.lines.push(LineInfo {
                insn: (r.insn_off / 8) as usize,
                file: intern(r.file_name_off),
                text: intern(r.line_off),
                line: r.line,
                col: r.col,
                file_name_off: r.file_name_off,
                line_off: r.line_off,
            });
        }
        x.lines.sort_by_key(|l| l.insn);
    }
}

fn build_programs(
    layout: &Layout,
    extras: &[SectionExtras],
    btf: Option<&Btf<'_>>,
    opts: &LoadOptions,
) -> Result<(Vec<ProgramSpec>, Vec<crate::SkippedProgram>), ObjectError> {
    if let ProgramSelection::Only(names) = &opts.programs {
        for n in names {
            let known = layout.code.iter().any(|c| c.funcs.iter().any(|f| f.entry && &f.name == n));
            if !known {
                return Err(ObjectError::NoSuchProgram(n.clone()));
            }
        }
    }
    let (mut programs, mut skipped) = (Vec::new(), Vec::new());
    for (ci, c) in layout.code.iter().enumerate() {
        let sec = parse_section(&c.name);
        for (fi, f) in c.funcs.iter().enumerate().filter(|(_, f)| f.entry) {
            let autoload = match &opts.programs {
                ProgramSelection::Autoload => !c.name.starts_with('?'),
                ProgramSelection::All => true,
                ProgramSelection::Only(names) => names.contains(&f.name),
            };
            let linked = link(&layout.code, extras, ci, fi).and_then(|mut l| {
                let own = match btf {
                    Some(btf) => crate::prog_btf::build(btf, &mut l, &f.name)?,
                    None => None,
                };
                Ok((l, own))
            });
            match linked {
                Ok((l, own)) => programs.push(ProgramSpec {
                    name: f.name.clone(),
                    section: c.name.clone(),
                    prog_type: sec.map_or(ProgType::Unspec, |m| m.def.prog_type),
                    expected_attach_type: sec.map_or(AttachType::default(), |m| m.def.attach),
                    attach_target: sec.and_then(|m| m.target).map(str::to_string),
                    sec_flags: sec.map_or(SecFlags::NONE, |m| m.def.flags),
                    autoload,
                    license: layout.license.clone(),
                    kern_version: layout.kern_version,
                    insns: l.insns,
                    func_info: l.func_info,
                    line_info: l.line_info,
                    btf: own,
                    externs: l.externs,
                    poisoned: l.poisoned,
                    subprograms: l.subprograms,
                }),
                Err(e) if autoload => return Err(e),
                Err(error) => {
                    skipped.push(crate::SkippedProgram { name: f.name.clone(), section: c.name.clone(), error })
                }
            }
        }
    }
    Ok((programs, skipped))
}

fn variables(elf: &Elf<'_>, layout: &Layout, table: &MapTable, btf: Option<&Btf<'_>>) -> Vec<VariableSpec> {
    let mut out = Vec::new();
    for &(index, _) in &layout.data {
        let Some(map) = table.data(index) else { continue };
        let ds = btf.and_then(|b| maps::datasec(b, &elf.sections[index].name).and_then(|id| b.type_by_id(id)));
        let secinfos: Vec<_> = ds.map(|t| t.secinfos().collect()).unwrap_or_default();
        for sym in elf.symbols_in(index).filter(|s| s.st_type == STT_OBJECT) {
            let type_id = secinfos.iter().find_map(|v| {
                let var = btf?.type_by_id(v.ty)?;
                (var.kind() == Kind::Var && var.name() == sym.name).then(|| TypeId(var.size_or_type()))
            });
            out.push(VariableSpec {
                name: sym.name.clone(),
                map,
                offset: u32::try_from(sym.value).unwrap_or(u32::MAX),
                size: u32::try_from(sym.size).unwrap_or(u32::MAX),
                type_id,
                global: sym.is_global() && sym.visibility == STV_DEFAULT,
            });
        }
    }
    out
}
