//! Sorting an object's sections into what libbpf sees in them: executable sections with their
//! functions, global-data sections, map-definition sections, `license` and `version`.
//!
//! Rules (libbpf's `bpf_object__elf_collect`):
//! - a program section is `SHT_PROGBITS` with `SHF_EXECINSTR` and a non-zero size;
//! - global data is `SHT_PROGBITS` named `.data`, `.data.*`, `.rodata`, `.rodata.*`, or
//!   `SHT_NOBITS` named `.bss`, `.bss.*`, with a non-zero size;
//! - `maps` holds legacy `struct bpf_map_def`s, `.maps` BTF-defined maps, `.struct_ops` and
//!   `.struct_ops.link` struct_ops values;
//! - everything else (`.BTF`, DWARF, `.eh_frame`, `.llvm_addrsig`, ...) is ignored.

use hive_isa::RawInsn;
use object::elf;

use crate::elf::{Elf, Section};
use crate::error::ObjectError;

/// A function symbol inside a program section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// The symbol name.
    pub name: String,
    /// First slot of the function within its section.
    pub offset: usize,
    /// Length in slots as the symbol states it (0 when the symbol has no size).
    pub len: usize,
    /// `STB_GLOBAL` or `STB_WEAK` (an entry point libbpf may load) rather than `STB_LOCAL`.
    pub global: bool,
}

/// One executable section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramSection {
    /// The section name (`xdp`, `socket/1`, `.text`, ...).
    pub name: String,
    /// The ELF section index.
    pub index: usize,
    /// The instructions.
    pub insns: Vec<RawInsn>,
    /// The `STT_FUNC` symbols defined in the section, by offset.
    pub functions: Vec<Function>,
}

/// Returns every program section of a little-endian BPF ELF object, in section order.
///
/// This is the raw view (no relocation, no linking) that disassemblers want; see
/// [`crate::ObjectSpec`] for loadable programs.
pub fn program_sections(elf_bytes: &[u8]) -> Result<Vec<ProgramSection>, ObjectError> {
    let elf = Elf::parse(elf_bytes)?;
    let mut out = Vec::new();
    for s in elf.sections.iter().filter(|s| s.is_exec() && s.size > 0) {
        out.push(program_section(&elf, s)?);
    }
    Ok(out)
}

pub(crate) fn program_section(elf: &Elf<'_>, s: &Section<'_>) -> Result<ProgramSection, ObjectError> {
    let insns = RawInsn::slice_from_bytes(s.data)
        .ok_or_else(|| ObjectError::PartialInsn { section: s.name.clone(), size: s.data.len() })?;
    let mut functions = Vec::new();
    for sym in elf.symbols.iter().filter(|y| y.st_type == elf::STT_FUNC && y.in_section(s.index)) {
        let slot = |bytes: u64| usize::try_from(bytes / 8).unwrap_or(usize::MAX);
        if sym.value % 8 != 0 || slot(sym.value) > insns.len() {
            return Err(ObjectError::Malformed(format!(
                "function {} at byte {} is not an instruction of section {}",
                sym.name, sym.value, s.name
            )));
        }
        functions.push(Function {
            name: sym.name.clone(),
            offset: slot(sym.value),
            len: slot(sym.size),
            global: sym.is_global(),
        });
    }
    functions.sort_by(|a, b| (a.offset, &a.name).cmp(&(b.offset, &b.name)));
    functions.dedup_by_key(|f| f.offset);
    Ok(ProgramSection { name: s.name.clone(), index: s.index, insns, functions })
}

/// A function with its extent, as the linker uses it.
#[derive(Clone, Debug)]
pub(crate) struct Func {
    pub name: String,
    /// First slot in the section.
    pub start: usize,
    /// One past the last slot.
    pub end: usize,
    pub global: bool,
    /// An entry program (rather than only a subprogram).
    pub entry: bool,
}

/// A program section ready for relocation: instructions (patched in place by the later
/// stages) and the functions that partition it.
#[derive(Clone, Debug)]
pub(crate) struct CodeSection {
    pub index: usize,
    pub name: String,
    pub insns: Vec<RawInsn>,
    pub funcs: Vec<Func>,
}

impl CodeSection {
    /// The function whose body holds slot `insn`.
    pub fn func_at(&self, insn: usize) -> Option<usize> {
        self.funcs.iter().position(|f| f.start <= insn && insn < f.end)
    }
    /// The function starting at slot `insn`.
    pub fn func_starting_at(&self, insn: usize) -> Option<usize> {
        self.funcs.iter().position(|f| f.start == insn)
    }
}

/// Kind of a global-data section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataKind {
    /// `.data`, `.data.*`: read-write, initialised.
    Data,
    /// `.rodata`, `.rodata.*`: read-only for programs (`BPF_F_RDONLY_PROG`), frozen.
    Rodata,
    /// `.bss`, `.bss.*`: read-write, zeroed.
    Bss,
}

impl DataKind {
    /// The kind for a section name and type, as libbpf decides it.
    pub(crate) fn of(name: &str, sh_type: u32) -> Option<DataKind> {
        let is = |base: &str| name == base || name.strip_prefix(base).is_some_and(|r| r.starts_with('.'));
        match sh_type {
            elf::SHT_PROGBITS if is(".data") => Some(DataKind::Data),
            elf::SHT_PROGBITS if is(".rodata") => Some(DataKind::Rodata),
            elf::SHT_NOBITS if is(".bss") => Some(DataKind::Bss),
            _ => None,
        }
    }
}

/// The classified object.
#[derive(Debug)]
pub(crate) struct Layout {
    pub code: Vec<CodeSection>,
    /// Section index and kind of each global-data section, in section order.
    pub data: Vec<(usize, DataKind)>,
    /// `maps` and the `maps/<name>` sections of older loaders.
    pub legacy_maps: Vec<usize>,
    pub btf_maps: Option<usize>,
    pub struct_ops: Vec<usize>,
    pub license: String,
    pub kern_version: Option<u32>,
}

pub(crate) fn classify(elf: &Elf<'_>) -> Result<Layout, ObjectError> {
    let mut layout = Layout {
        code: Vec::new(),
        data: Vec::new(),
        legacy_maps: Vec::new(),
        btf_maps: None,
        struct_ops: Vec::new(),
        license: String::new(),
        kern_version: None,
    };
    for s in &elf.sections {
        match s.name.as_str() {
            "license" => {
                let text = s.data.split(|&b| b == 0).next().unwrap_or(&[]);
                layout.license = String::from_utf8_lossy(text).into_owned();
                continue;
            }
            "version" => {
                let bytes: [u8; 4] = s.data.try_into().map_err(|_| {
                    ObjectError::Malformed(format!("version section has {} bytes, expected 4", s.data.len()))
                })?;
                layout.kern_version = Some(u32::from_le_bytes(bytes));
                continue;
            }
            n if (n == "maps" || n.starts_with("maps/")) && s.sh_type == elf::SHT_PROGBITS => {
                layout.legacy_maps.push(s.index)
            }
            ".maps" if s.sh_type == elf::SHT_PROGBITS => layout.btf_maps = Some(s.index),
            ".struct_ops" | ".struct_ops.link" if s.sh_type == elf::SHT_PROGBITS => layout.struct_ops.push(s.index),
            _ => {}
        }
        if s.size == 0 {
            continue;
        }
        if s.is_exec() {
            let raw = program_section(elf, s)?;
            layout.code.push(code_section(elf, raw));
        } else if let Some(kind) = DataKind::of(&s.name, s.sh_type) {
            layout.data.push((s.index, kind));
        }
    }
    // Entry points: every function of a section other than `.text`; `.text` only holds
    // subprograms, unless it is the only code there is (objects built without SEC(), which
    // libbpf before 1.0 and PREVAIL load as programs).
    let only_text = layout.code.iter().all(|c| c.name == ".text");
    for c in &mut layout.code {
        let text = c.name == ".text";
        for f in &mut c.funcs {
            f.entry = !text || (only_text && f.global);
        }
        if text && only_text && !c.funcs.iter().any(|f| f.entry) {
            c.funcs.iter_mut().for_each(|f| f.entry = true);
        }
    }
    Ok(layout)
}

/// Functions with extents. A symbol without a size ends where the next function starts; a
/// section without function symbols (very old objects) is one function named after a global
/// symbol at its start, or after the section.
fn code_section(elf: &Elf<'_>, raw: ProgramSection) -> CodeSection {
    let n = raw.insns.len();
    let mut funcs: Vec<Func> = Vec::new();
    for (i, f) in raw.functions.iter().enumerate() {
        let next = raw.functions.get(i + 1).map_or(n, |g| g.offset);
        let end = if f.len > 0 { f.offset.saturating_add(f.len).min(n) } else { next };
        funcs.push(Func {
            name: f.name.clone(),
            start: f.offset,
            end: end.max(f.offset),
            global: f.global,
            entry: false,
        });
    }
    if funcs.is_empty() {
        let name = elf
            .symbols_in(raw.index)
            .find(|s| s.value == 0 && s.is_global())
            .map_or_else(|| raw.name.clone(), |s| s.name.clone());
        funcs.push(Func { name, start: 0, end: n, global: true, entry: false });
    }
    CodeSection { index: raw.index, name: raw.name, insns: raw.insns, funcs }
}
