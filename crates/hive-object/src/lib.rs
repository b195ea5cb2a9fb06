//! # hive-object: BPF ELF objects
//!
//! This crate reads the ELF files that `clang -target bpf` writes. For now it owns one thing:
//! finding the program sections and their instructions ([`program_sections`]), which the
//! disassembler's corpus tests and tools need. A later stage grows it into a libbpf-style
//! loader (map definitions, relocations, BTF, CO-RE) behind the same error type.
//!
//! What counts as a program section follows libbpf: a section of type `SHT_PROGBITS` with the
//! `SHF_EXECINSTR` flag and a non-zero size. Each comes with its `STT_FUNC` symbols (entry
//! points and subprograms) as slot offsets, sorted by offset.
//!
//! Invariants:
//! - Any byte slice is accepted as input: a malformed file is an [`ObjectError`], never a panic
//!   (the `ebpf-samples/invalid` corpus and truncated copies of every sample check this).
//! - Only 64-bit little-endian ELF files for `EM_BPF` (247) are read, and, as libbpf does,
//!   `EM_NONE` (0), which early LLVM releases wrote for BPF. Big-endian objects
//!   (`-target bpfeb`) are refused with [`ObjectError::BigEndian`] rather than byte-swapped:
//!   the host this runs on executes little-endian BPF only, and swapping every instruction,
//!   relocation and BTF record would be a loader feature of its own.
//!
//! ```
//! // A file that is not ELF at all is an error, not a panic.
//! assert!(hive_object::program_sections(b"not an ELF file").is_err());
//! ```
#![forbid(unsafe_code)]

use hive_isa::RawInsn;
use object::elf;
use object::read::elf::{FileHeader, SectionHeader, Sym};
use object::{Endianness, FileKind};

/// Why an object file cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// The bytes are not an ELF file.
    #[error("not an ELF file")]
    NotElf,
    /// A 32-bit ELF file: BPF objects are ELF64.
    #[error("32-bit ELF file: BPF objects are 64-bit ELF")]
    Not64Bit,
    /// A big-endian BPF object (`-target bpfeb`), which Hive does not load.
    #[error("big-endian BPF object (bpfeb) is not supported: rebuild with -target bpfel or -target bpf on a little-endian host")]
    BigEndian,
    /// The ELF machine is neither `EM_BPF` nor `EM_NONE` (which old LLVM releases wrote).
    #[error("ELF machine {0} is not BPF (expected EM_BPF = 247)")]
    NotBpf(u16),
    /// The ELF structure is malformed (headers, section table, names, symbols).
    #[error("malformed ELF: {0}")]
    Malformed(String),
    /// A program section's size is not a whole number of 8-byte instructions.
    #[error("program section {section}: size {size} is not a multiple of 8")]
    PartialInsn {
        /// The section name.
        section: String,
        /// Its size in bytes.
        size: usize,
    },
}

fn malformed(e: object::read::Error) -> ObjectError {
    ObjectError::Malformed(e.to_string())
}

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
pub fn program_sections(elf_bytes: &[u8]) -> Result<Vec<ProgramSection>, ObjectError> {
    match FileKind::parse(elf_bytes) {
        Ok(FileKind::Elf64) => {}
        Ok(FileKind::Elf32) => return Err(ObjectError::Not64Bit),
        _ => return Err(ObjectError::NotElf),
    }
    let header = elf::FileHeader64::<Endianness>::parse(elf_bytes).map_err(malformed)?;
    let endian = header.endian().map_err(malformed)?;
    if endian == Endianness::Big {
        return Err(ObjectError::BigEndian);
    }
    // Old LLVM releases wrote EM_NONE; libbpf accepts those objects too.
    let machine = header.e_machine(endian);
    if machine != elf::EM_BPF && machine != elf::EM_NONE {
        return Err(ObjectError::NotBpf(machine));
    }
    let sections = header.sections(endian, elf_bytes).map_err(malformed)?;
    let symbols = sections.symbols(endian, elf_bytes, elf::SHT_SYMTAB).map_err(malformed)?;

    let mut out = Vec::new();
    for (index, sh) in sections.enumerate() {
        let exec = sh.sh_flags(endian) & u64::from(elf::SHF_EXECINSTR) != 0;
        if sh.sh_type(endian) != elf::SHT_PROGBITS || !exec || sh.sh_size(endian) == 0 {
            continue;
        }
        let name = sections.section_name(endian, sh).map_err(malformed)?;
        let name = String::from_utf8_lossy(name).into_owned();
        let data = sh.data(endian, elf_bytes).map_err(malformed)?;
        let insns = RawInsn::slice_from_bytes(data)
            .ok_or_else(|| ObjectError::PartialInsn { section: name.clone(), size: data.len() })?;
        let mut functions = Vec::new();
        for sym in symbols.iter() {
            if sym.st_type() != elf::STT_FUNC || usize::from(sym.st_shndx(endian)) != index.0 {
                continue;
            }
            let sym_name = symbols.symbol_name(endian, sym).map_err(malformed)?;
            let (value, size) = (sym.st_value(endian), sym.st_size(endian));
            let sym_name = String::from_utf8_lossy(sym_name).into_owned();
            let slot = |bytes: u64| usize::try_from(bytes / 8).unwrap_or(usize::MAX);
            if value % 8 != 0 || slot(value) > insns.len() {
                return Err(ObjectError::Malformed(format!(
                    "function {sym_name} at byte {value} is not an instruction of section {name}"
                )));
            }
            functions.push(Function {
                name: sym_name,
                offset: slot(value),
                len: slot(size),
                global: matches!(sym.st_bind(), elf::STB_GLOBAL | elf::STB_WEAK),
            });
        }
        functions.sort_by(|a, b| (a.offset, &a.name).cmp(&(b.offset, &b.name)));
        out.push(ProgramSection { name, index: index.0, insns, functions });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_elf() {
        assert_eq!(program_sections(b""), Err(ObjectError::NotElf));
        assert_eq!(program_sections(&[0x7f, b'E', b'L', b'F']), Err(ObjectError::NotElf));
    }
}
