//! [`ObjectError`]: why an object (or one of its programs) cannot be turned into specs.

use std::fmt;

/// Why an object file, or one program in it, cannot be read or relocated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// The bytes are not an ELF file.
    #[error("not an ELF file")]
    NotElf,
    /// A 32-bit ELF file: BPF objects are ELF64.
    #[error("32-bit ELF file: BPF objects are 64-bit ELF")]
    Not64Bit,
    /// A big-endian BPF object (`-target bpfeb`), which Hive does not load.
    #[error(
        "big-endian BPF object (bpfeb) is not supported: rebuild with -target bpfel or -target bpf on a little-endian host"
    )]
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
    /// The object's `.BTF` or `.BTF.ext` cannot be read, and something needs it.
    #[error("BTF: {0}")]
    Btf(String),
    /// A map definition (BTF `.maps`, legacy `maps`, a data section) is invalid.
    #[error("map {map}: {reason}")]
    Map {
        /// The map's name.
        map: String,
        /// What is wrong.
        reason: String,
    },
    /// An ELF relocation in a program cannot be applied.
    #[error("section {section}, insn {insn}: {reason}")]
    Reloc {
        /// The program section.
        section: String,
        /// Instruction index within the section.
        insn: usize,
        /// What is wrong.
        reason: String,
    },
    /// An `extern` (`__kconfig`, `__ksym`, or an undefined symbol) cannot be resolved.
    #[error("extern {name}: {reason}")]
    Extern {
        /// The symbol.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Linking a program with its subprograms failed.
    #[error("program {program}: {reason}")]
    Link {
        /// The entry program.
        program: String,
        /// What is wrong.
        reason: String,
    },
    /// A CO-RE relocation cannot be resolved against the target BTF.
    #[error(transparent)]
    Core(Box<CoreError>),
    /// The CO-RE target BTF cannot be obtained or read.
    #[error("target BTF: {0}")]
    TargetBtf(String),
    /// [`crate::ProgramSelection::Only`] names a program the object does not have.
    #[error("no program named {0}")]
    NoSuchProgram(String),
}

/// A CO-RE relocation that could not be resolved: which one, where, and why.
///
/// Rendered like libbpf's log lines, with the C source line when `.BTF.ext` has line info:
///
/// ```text
/// program err_ambiguous (section socket_filter/err_ambiguous, insn 0): CO-RE relocation
/// target_type_id of struct ambiguous (access 0): ambiguous: candidates [12] ambiguous and
/// [14] ambiguous___flavour give different values (12 != 14)
///   at relocs.c:249: return bpf_core_type_id_kernel(struct ambiguous);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreError {
    /// The program (function) holding the instruction.
    pub program: String,
    /// Its ELF section.
    pub section: String,
    /// Instruction index within the section.
    pub insn: usize,
    /// libbpf's name of the relocation kind (`byte_off`, `enumval_value`, ...).
    pub kind: &'static str,
    /// The local root type, as C (`struct s`, `enum e`, `s_t`).
    pub type_name: String,
    /// The access string (`0:1:2`) and, for fields, the path it spells (`s.a[2].b`).
    pub access: String,
    /// What went wrong.
    pub reason: String,
    /// `file:line: source text` of the instruction, from line info.
    pub line: Option<String>,
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "program {} (section {}, insn {}): CO-RE relocation {} of {} (access {}): {}",
            self.program, self.section, self.insn, self.kind, self.type_name, self.access, self.reason
        )?;
        if let Some(line) = &self.line {
            write!(f, "\n  at {line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CoreError {}

impl From<CoreError> for ObjectError {
    fn from(e: CoreError) -> Self {
        ObjectError::Core(Box::new(e))
    }
}

pub(crate) fn map_err(map: &str, reason: impl Into<String>) -> ObjectError {
    ObjectError::Map { map: map.to_string(), reason: reason.into() }
}

pub(crate) fn reloc_err(section: &str, insn: usize, reason: impl Into<String>) -> ObjectError {
    ObjectError::Reloc { section: section.to_string(), insn, reason: reason.into() }
}

pub(crate) fn extern_err(name: &str, reason: impl Into<String>) -> ObjectError {
    ObjectError::Extern { name: name.to_string(), reason: reason.into() }
}
