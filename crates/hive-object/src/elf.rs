//! The ELF layer: sections, symbols and relocation tables read once through `object`, kept as
//! plain owned-index views that the later stages query by index. Nothing here knows about
//! BPF conventions beyond the file header checks (64-bit, little-endian, `EM_BPF`).

use object::elf;
use object::read::elf::{FileHeader, Rel as _, Rela as _, SectionHeader, Sym};
use object::{Endianness, FileKind};

use crate::error::ObjectError;

fn malformed(e: object::read::Error) -> ObjectError {
    ObjectError::Malformed(e.to_string())
}

/// One section header with its contents (empty for `SHT_NOBITS`).
#[derive(Clone, Debug)]
pub(crate) struct Section<'d> {
    pub index: usize,
    pub name: String,
    pub sh_type: u32,
    pub flags: u64,
    /// Size from the header (for `.bss` this is larger than `data`, which is empty).
    pub size: u64,
    pub data: &'d [u8],
}

impl Section<'_> {
    pub fn is_exec(&self) -> bool {
        self.sh_type == elf::SHT_PROGBITS && self.flags & u64::from(elf::SHF_EXECINSTR) != 0
    }
}

/// Where a symbol is defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SymSection {
    /// `SHN_UNDEF`: an extern.
    Undefined,
    /// A section index.
    Index(usize),
    /// `SHN_ABS`, `SHN_COMMON` or another reserved index.
    Special(u16),
}

/// One symbol table entry.
#[derive(Clone, Debug)]
pub(crate) struct Symbol {
    pub name: String,
    pub value: u64,
    pub size: u64,
    pub section: SymSection,
    pub st_type: u8,
    pub bind: u8,
    pub visibility: u8,
}

impl Symbol {
    pub fn in_section(&self, index: usize) -> bool {
        self.section == SymSection::Index(index)
    }
    pub fn is_global(&self) -> bool {
        matches!(self.bind, elf::STB_GLOBAL | elf::STB_WEAK)
    }
    pub fn is_weak(&self) -> bool {
        self.bind == elf::STB_WEAK
    }
}

/// One `SHT_REL` entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reloc {
    /// Byte offset in the target section.
    pub offset: u64,
    /// Symbol table index.
    pub symbol: usize,
    /// The explicit addend of an `SHT_RELA` entry (`None` for `SHT_REL`, whose addend is the
    /// instruction's own `imm`).
    pub addend: Option<i64>,
}

/// A parsed BPF ELF object.
#[derive(Debug)]
pub(crate) struct Elf<'d> {
    pub sections: Vec<Section<'d>>,
    pub symbols: Vec<Symbol>,
    /// Relocation tables by target section index.
    pub relocs: Vec<(usize, Vec<Reloc>)>,
}

impl<'d> Elf<'d> {
    pub fn parse(bytes: &'d [u8]) -> Result<Elf<'d>, ObjectError> {
        match FileKind::parse(bytes) {
            Ok(FileKind::Elf64) => {}
            Ok(FileKind::Elf32) => return Err(ObjectError::Not64Bit),
            _ => return Err(ObjectError::NotElf),
        }
        let header = elf::FileHeader64::<Endianness>::parse(bytes).map_err(malformed)?;
        let endian = header.endian().map_err(malformed)?;
        if endian == Endianness::Big {
            return Err(ObjectError::BigEndian);
        }
        // Old LLVM releases wrote EM_NONE; libbpf accepts those objects too.
        let machine = header.e_machine(endian);
        if machine != elf::EM_BPF && machine != elf::EM_NONE {
            return Err(ObjectError::NotBpf(machine));
        }
        let table = header.sections(endian, bytes).map_err(malformed)?;
        let mut sections = Vec::with_capacity(table.len());
        for (index, sh) in table.enumerate() {
            let name = table.section_name(endian, sh).map_err(malformed)?;
            let sh_type = sh.sh_type(endian);
            let data = if sh_type == elf::SHT_NOBITS { &[][..] } else { sh.data(endian, bytes).map_err(malformed)? };
            sections.push(Section {
                index: index.0,
                name: String::from_utf8_lossy(name).into_owned(),
                sh_type,
                flags: sh.sh_flags(endian),
                size: sh.sh_size(endian),
                data,
            });
        }
        let symtab = table.symbols(endian, bytes, elf::SHT_SYMTAB).map_err(malformed)?;
        let mut symbols = Vec::with_capacity(symtab.len());
        for sym in symtab.iter() {
            let name = symtab.symbol_name(endian, sym).map_err(malformed)?;
            let shndx = sym.st_shndx(endian);
            let section = match shndx {
                elf::SHN_UNDEF => SymSection::Undefined,
                x if x >= elf::SHN_LORESERVE => SymSection::Special(x),
                x if usize::from(x) < sections.len() => SymSection::Index(usize::from(x)),
                x => {
                    return Err(ObjectError::Malformed(format!(
                        "symbol {} is in section {x}, which does not exist",
                        String::from_utf8_lossy(name)
                    )));
                }
            };
            symbols.push(Symbol {
                name: String::from_utf8_lossy(name).into_owned(),
                value: sym.st_value(endian),
                size: sym.st_size(endian),
                section,
                st_type: sym.st_type(),
                bind: sym.st_bind(),
                visibility: sym.st_visibility(),
            });
        }
        let mut relocs = Vec::new();
        for (index, sh) in table.enumerate() {
            let rela = match sh.sh_type(endian) {
                elf::SHT_REL => false,
                // Some old toolchains (the ovs datapath in ebpf-samples) wrote RELA.
                elf::SHT_RELA => true,
                _ => continue,
            };
            let target = sh.sh_info(endian) as usize;
            if target >= sections.len() {
                return Err(ObjectError::Malformed(format!(
                    "relocation section {} targets section {target}, which does not exist",
                    sections[index.0].name
                )));
            }
            let name = &sections[index.0].name;
            let check = |symbol: usize| {
                if symbol >= symbols.len() {
                    return Err(ObjectError::Malformed(format!(
                        "relocation in {name} names symbol {symbol}, outside the symbol table"
                    )));
                }
                Ok(symbol)
            };
            let mut list = Vec::new();
            if rela {
                let Some((rels, _)) = sh.rela(endian, bytes).map_err(malformed)? else { continue };
                for r in rels {
                    let symbol = check(r.r_sym(endian, false) as usize)?;
                    let addend = Some(r.r_addend(endian));
                    list.push(Reloc { offset: r.r_offset(endian), symbol, addend });
                }
            } else {
                let Some((rels, _)) = sh.rel(endian, bytes).map_err(malformed)? else { continue };
                for r in rels {
                    let symbol = check(r.r_sym(endian) as usize)?;
                    list.push(Reloc { offset: r.r_offset(endian), symbol, addend: None });
                }
            }
            relocs.push((target, list));
        }
        Ok(Elf { sections, symbols, relocs })
    }

    /// The section called `name` (the first, if several are).
    pub fn section_by_name(&self, name: &str) -> Option<&Section<'d>> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The relocations that apply to section `index`, in file order.
    pub fn relocs_for(&self, index: usize) -> impl Iterator<Item = &Reloc> {
        self.relocs.iter().filter(move |(t, _)| *t == index).flat_map(|(_, r)| r.iter())
    }

    /// Named symbols defined in section `index` (no section or file symbols).
    pub fn symbols_in(&self, index: usize) -> impl Iterator<Item = &Symbol> {
        self.symbols.iter().filter(move |s| {
            s.in_section(index) && !s.name.is_empty() && !matches!(s.st_type, elf::STT_SECTION | elf::STT_FILE)
        })
    }
}
