//! [`ProgramSpec`]: one loadable program, linked and relocated, with its debug info.

use std::sync::Arc;

use hive_btf::TypeId;
use hive_isa::{Code, DecodeError, RawInsn};
use hive_platform::prog::section::SecFlags;
use hive_platform::prog::{AttachType, ProgType};

use crate::ksyms::ExternRef;

/// A function's BTF description at its first instruction (`struct bpf_func_info`, with the
/// offset in instructions as the kernel takes it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncInfo {
    /// First slot of the function in the final program.
    pub insn: usize,
    /// Its `FUNC` type in the object's BTF (in [`ProgramBtf::func_info`], in the program's).
    pub type_id: TypeId,
    /// The function's name (from that type).
    pub name: String,
}

/// The C source position of an instruction (`struct bpf_line_info`, resolved).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LineInfo {
    /// Slot in the final program.
    pub insn: usize,
    /// Source file.
    pub file: Arc<str>,
    /// The source line's text.
    pub text: Arc<str>,
    /// Line number.
    pub line: u32,
    /// Column.
    pub col: u32,
    /// Raw `file_name_off` in the object's BTF strings (in [`ProgramBtf::line_info`], in
    /// the program's BTF strings, which is what `BPF_PROG_LOAD` takes).
    pub file_name_off: u32,
    /// Raw `line_off` in the object's BTF strings (in [`ProgramBtf::line_info`], in the
    /// program's).
    pub line_off: u32,
}

impl LineInfo {
    /// `line_col` as `struct bpf_line_info` packs it: `line << 10 | column`.
    pub fn line_col(&self) -> u32 {
        (self.line << 10) | (self.col & 0x3ff)
    }
}

impl std::fmt::Display for LineInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.file.rsplit('/').next().unwrap_or(&self.file);
        write!(f, "{file}:{}: {}", self.line, self.text.trim())
    }
}

/// An instruction CO-RE replaced by libbpf's poison marker, `call 0xbad2310` (see
/// [`crate::core`]). The verifier reports it if it is reachable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Poison {
    /// Slot in the final program (for an `lddw`, both slots carry the marker).
    pub insn: usize,
    /// The relocation and why it has no target (`field byte_off of struct nonexist
    /// (access 0:0): no matching target`).
    pub reason: String,
}

/// Where a function's copy sits inside a linked program.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Subprogram {
    /// The function's symbol name.
    pub name: String,
    /// Its ELF section.
    pub section: String,
    /// First slot in the final program (0 for the entry function).
    pub start: usize,
    /// Number of slots.
    pub len: usize,
}

/// A program's own BTF: what Hive hands to `BPF_BTF_LOAD` and then to `BPF_PROG_LOAD` as
/// `prog_btf_fd` for this program alone, as cilium/ebpf does (libbpf loads the whole object's
/// BTF once and gives every program that).
///
/// It holds the `FUNC`s of the program's func info and the types of its
/// `bpf_core_type_id_local` relocations, with everything they refer to, renumbered from 1
/// (`hive_btf::Btf::subset`), plus the file names and source lines its line info points at.
/// The instructions of [`ProgramSpec::insns`] already carry the local type ids *of this
/// BTF*, so an id a program passes to the kernel (`bpf_obj_new(T)`) indexes the BTF it is
/// loaded with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramBtf {
    /// The BTF blob (little-endian, as `BPF_BTF_LOAD` takes it).
    pub bytes: Vec<u8>,
    /// [`ProgramSpec::func_info`] with `type_id` in this BTF (same records, same order).
    pub func_info: Vec<FuncInfo>,
    /// [`ProgramSpec::line_info`] with `file_name_off` and `line_off` in this BTF's strings
    /// (same records, same order).
    pub line_info: Vec<LineInfo>,
    /// `(id in the object's BTF, id in this BTF)` of every type it holds, in the order of
    /// the second.
    pub type_ids: Vec<(TypeId, TypeId)>,
}

impl ProgramBtf {
    /// The BTF, parsed.
    pub fn btf(&self) -> Result<hive_btf::Btf<'_>, hive_btf::Error> {
        hive_btf::Btf::parse(&self.bytes)
    }

    /// [`Self::func_info`] and [`Self::line_info`] as the records `BPF_PROG_LOAD` takes
    /// (`hive_kernel::LoadOptions::func_info`, `line_info`), for a load with this BTF as
    /// `prog_btf_fd`.
    pub fn kernel_records(&self) -> (Vec<hive_kernel::FuncInfo>, Vec<hive_kernel::LineInfo>) {
        let func_info =
            self.func_info.iter().map(|f| hive_kernel::FuncInfo { insn_off: f.insn as u32, type_id: f.type_id.0 }).collect();
        let line_info = self
            .line_info
            .iter()
            .map(|l| hive_kernel::LineInfo {
                insn_off: l.insn as u32,
                file_name_off: l.file_name_off,
                line_off: l.line_off,
                line_col: l.line_col(),
            })
            .collect();
        (func_info, line_info)
    }

    /// The id in this BTF of the object's type `object_id`.
    pub fn type_id(&self, object_id: TypeId) -> Option<TypeId> {
        if object_id.is_void() {
            return Some(TypeId::VOID);
        }
        self.type_ids.iter().find(|(o, _)| *o == object_id).map(|&(_, p)| p)
    }
}

/// A program as libbpf would hand it to `BPF_PROG_LOAD`: linked with its subprograms,
/// relocated (maps as `fd_array` indexes into [`crate::ObjectSpec::maps`], CO-RE against the
/// target BTF), with its type from the section name and its func and line info re-based to
/// the final instruction offsets.
///
/// Func and line info come twice: in the object's BTF terms ([`ProgramSpec::func_info`],
/// [`ProgramSpec::line_info`], for tools that read the object's types and source text) and in
/// the terms of the program's own BTF ([`ProgramSpec::btf`]), which is what a loader passes
/// to the kernel. `bpf_core_type_id_local` constants in [`ProgramSpec::insns`] are ids in
/// the program's own BTF (see [`crate::core`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramSpec {
    /// The entry function's name.
    pub name: String,
    /// The ELF section, as written (a leading `?` included).
    pub section: String,
    /// Program type from libbpf's section table; [`ProgType::Unspec`] when the section name
    /// is not in it (libbpf then needs the type set by hand).
    pub prog_type: ProgType,
    /// `expected_attach_type` (0 when the section implies none).
    pub expected_attach_type: AttachType,
    /// The attach target after the section prefix (`kprobe/do_unlinkat` → `do_unlinkat`).
    pub attach_target: Option<String>,
    /// The section definition's flags (sleepable, BTF attach, XDP frags, ...).
    pub sec_flags: SecFlags,
    /// Loaded by default: the section did not start with `?` (or the caller selected it).
    pub autoload: bool,
    /// The object's `license` section ("" when absent).
    pub license: String,
    /// The object's `version` section.
    pub kern_version: Option<u32>,
    /// The final instruction stream.
    pub insns: Vec<RawInsn>,
    /// Function info, one record per function copy, sorted by instruction; type ids in the
    /// object's BTF ([`crate::ObjectSpec::btf`]).
    pub func_info: Vec<FuncInfo>,
    /// Line info, sorted by instruction; string offsets in the object's BTF.
    pub line_info: Vec<LineInfo>,
    /// The program's own BTF, with func and line info in its terms: what to load the program
    /// with. `None` when the object has no BTF, or when the program refers to none of its
    /// types (no func info, no local type id); it then loads without BTF.
    pub btf: Option<ProgramBtf>,
    /// References to `.ksyms` externs, for the runtime to resolve.
    pub externs: Vec<ExternRef>,
    /// Instructions poisoned by CO-RE.
    pub poisoned: Vec<Poison>,
    /// The functions the program is made of, in placement order (the entry first).
    pub subprograms: Vec<Subprogram>,
}

impl ProgramSpec {
    /// The instructions decoded (fails on slots that do not decode, such as a bad opcode
    /// the object carries; the verifier reports those properly).
    pub fn code(&self) -> Result<Code, DecodeError> {
        Code::decode(&self.insns)
    }

    /// The source line that covers slot `insn`: the last line-info record at or before it.
    pub fn source_line(&self, insn: usize) -> Option<&LineInfo> {
        let i = self.line_info.partition_point(|l| l.insn <= insn);
        i.checked_sub(1).map(|i| &self.line_info[i])
    }

    /// Whether the license lets the program call GPL-only helpers.
    pub fn gpl_compatible(&self) -> bool {
        hive_platform::is_gpl_compatible(&self.license)
    }
}
