//! # hive-object: BPF ELF objects, as libbpf reads them
//!
//! This crate turns the ELF files that `clang -g -O2 -target bpf` writes into an
//! [`ObjectSpec`]: loadable programs and the maps they need, following libbpf's conventions
//! (`SEC()` names, BTF-defined maps, global data, externs, CO-RE). It is the *definitions*
//! half of a loader, in aya's sense: it creates nothing. Instructions refer to maps by
//! index into [`ObjectSpec::maps`] (`Pseudo::MapIdx`, `Pseudo::MapIdxValue`, as the kernel's
//! `fd_array` does), kfuncs and kernel variables by name ([`ExternRef`]), and a runtime
//! turns each [`MapDef`] into a live map and patches the indexes.
//!
//! ## The pipeline
//!
//! ```text
//!  ELF bytes
//!   │ elf        sections, symbols, relocation tables (64-bit little-endian EM_BPF only)
//!   │ sections   program sections and their functions; .data/.rodata/.bss; maps, .maps,
//!   │            .struct_ops; license; version
//!   │ ksyms      externs: undefined symbols declared in the .kconfig / .ksyms DATASECs
//!   │ kconfig    the .kconfig map filled from KconfigValues
//!   │ btf_fixup  DATASEC sizes and offsets, extern linkage: BTF the kernel would accept
//!   │ maps       legacy maps, BTF .maps (inner maps, initial `values`), global data,
//!   │            .kconfig, struct_ops values
//!   │ relocate   per instruction: map and data references, externs, call/func edges
//!   │ builtins   memset/memcpy/memmove/memcmp subprograms and `bpf_<helper>` externs
//!   │ core       CO-RE relocations of .BTF.ext against the target BTF (poison if no target)
//!   │ link       per entry function: append called subprograms, fix call offsets, re-base
//!   │            func info, line info, extern refs and poison marks
//!   │ prog_btf   per program: its own minimal BTF (functions, local type ids, line strings),
//!   ▼            TYPE_ID_LOCAL constants renumbered into it
//!  ObjectSpec { programs, maps, variables, btf }
//! ```
//!
//! Every step up to `link` works on the sections in place; a failure that concerns one
//! instruction (an unresolvable relocation, a CO-RE relocation without a consistent target)
//! is attributed to it, and only programs whose linked code contains it fail. Programs the
//! caller asked for ([`ProgramSelection`]) make [`ObjectSpec::parse`] fail; the others are
//! listed in [`ObjectSpec::skipped`] with their error, the way libbpf ignores programs whose
//! autoload is off.
//!
//! ## Programs
//!
//! Each function of an executable section is a program (several may share a section);
//! `.text` holds subprograms only, unless it is the only code of the object (objects built
//! without `SEC()`, which libbpf before 1.0 and PREVAIL load). A leading `?` in the section
//! name turns autoload off. The section name gives the program type, expected attach type
//! and attach target through `hive-platform`'s copy of libbpf's table; an unknown name gives
//! [`ProgType::Unspec`](hive_platform::prog::ProgType::Unspec). Callees may live in any
//! executable section (libbpf only allows `.text`; cilium/ebpf allows any, and so does Hive).
//!
//! ## Where Hive parts from libbpf (1.x), and why
//!
//! | libbpf | Hive |
//! |---|---|
//! | legacy `maps` sections refused | read (20-byte `bpf_map_def`, the samples' 28-byte and iproute2's 36-byte layouts, `maps/<name>` sections), as cilium/ebpf and older libbpf do |
//! | callees must be in `.text`; static functions in other sections refused | callees may be in any program section (cilium/ebpf agrees) |
//! | a `.text`-only object has no programs | its global functions are programs (libbpf < 1.0, PREVAIL) |
//! | an unreadable `.BTF.ext` is ignored, CO-RE silently skipped | an error when it holds CO-RE records |
//! | a reference through the `maps` section symbol finds the map at offset 0 | section offset plus the instruction's addend |
//! | `SHT_RELA` ignored | applied (old ovs objects use it) |
//! | kfuncs and ksyms resolved against vmlinux BTF / kallsyms at load | left to the runtime by name ([`ExternRef`]); `btf_id` 0 until then |
//! | internal maps named `<obj>.rodata` | named after the section (`.rodata`), as cilium/ebpf does |
//! | programs loaded with the object's BTF; `bpf_core_type_id_local` gives the object's ids | each program has a minimal BTF of its own ([`ProgramBtf`]), and local type ids are ids in it, as cilium/ebpf does; maps keep the object's BTF |
//! | creation-time fix-ups (`perf_event_array` sizes, `max_entries` = CPUs) | left to the runtime; [`MapDef`] holds what the ELF says |
//!
//! Everything else (section table, map attributes, global-data flags, `.kconfig` layout and
//! value spelling, CO-RE matching, poisoning and patching, linking order) follows libbpf.
//!
//! ## Invariants
//!
//! - Any byte slice is accepted: malformed input is an [`ObjectError`], never a panic (the
//!   `ebpf-samples/invalid` corpus and thousands of truncated and mutated objects check it).
//! - Only 64-bit little-endian `EM_BPF` (or `EM_NONE`, as old LLVM wrote) objects are read;
//!   big-endian ones are refused with [`ObjectError::BigEndian`].
//! - No relocation is ever silently wrong: a CO-RE relocation whose compiled-in value does
//!   not match the local BTF, or whose candidates disagree, is an error naming the
//!   relocation, the type, the access and the C source line; one with no target at all is
//!   either 0 (existence checks) or poisoned exactly as libbpf does (see [`core`]).
//!
//! ## Example
//!
//! ```
//! use hive_isa::{Insn, Pseudo};
//! use hive_object::{LoadOptions, ObjectSpec, TargetBtf};
//! use hive_platform::prog::ProgType;
//!
//! // tests/data/features.bpf.c, compiled by clang-19.
//! let bytes = include_bytes!("../tests/data/features.bpf.o");
//! let spec = ObjectSpec::parse(bytes, &LoadOptions { target_btf: TargetBtf::Own, ..Default::default() }).unwrap();
//!
//! // Two programs share SEC("socket"); `first` calls a static and a global subprogram,
//! // which are appended to it, with their func info re-based.
//! let p = spec.program("first").unwrap();
//! assert_eq!((p.section.as_str(), p.prog_type), ("socket", ProgType::SocketFilter));
//! let parts: Vec<_> = p.subprograms.iter().map(|s| s.name.as_str()).collect();
//! assert_eq!(parts, ["first", "twice", "global_add"]);
//! assert_eq!(p.func_info[2].insn, p.subprograms[2].start);
//!
//! // The program is loaded with a BTF of its own: its three functions and their types,
//! // renumbered, with func info in its terms.
//! let own = p.btf.as_ref().unwrap();
//! let btf = own.btf().unwrap();
//! let f = &own.func_info[2];
//! assert_eq!((f.insn, btf.type_by_id(f.type_id).unwrap().name()), (p.subprograms[2].start, "global_add"));
//! assert!(btf.type_count() < spec.btf.as_ref().unwrap().type_count());
//!
//! // `int counter = 1;` lives in the `.data` array map; `global_add` reads it through an
//! // `lddw` that names the map by index and the variable by offset.
//! let (data, def) = spec.map(".data").unwrap();
//! assert_eq!(def.initial_data.as_deref(), Some(&1i32.to_le_bytes()[..]));
//! let code = p.code().unwrap();
//! assert!(code.iter().any(|(_, i)| matches!(i,
//!     Insn::LdImm64 { pseudo: Pseudo::MapIdxValue, imm, next_imm: 0, .. } if *imm as usize == data)));
//!
//! // SEC("?xdp") is not loaded by default.
//! assert!(!spec.program("not_autoloaded").unwrap().autoload);
//! ```
//!
//! [`program_sections`] is the raw view (section instructions and function symbols, no
//! relocation) that disassemblers use.
#![forbid(unsafe_code)]

mod btf_fixup;
mod builtins;
pub mod core;
mod elf;
mod error;
pub mod kconfig;
mod ksyms;
mod link;
mod maps;
mod object_spec;
mod prog_btf;
mod program;
mod relocate;
mod sections;

pub use crate::core::{CoreTarget, TargetBtf};
pub use error::{CoreError, ObjectError};
pub use kconfig::{DEFAULT_KERNEL_VERSION, KconfigValues, kernel_version};
pub use ksyms::{ExternKind, ExternRef};
pub use maps::{
    BPF_F_LINK, BPF_F_MMAPABLE, BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, MapDef, MapInit, MapKind, Pinning, StructOpsDef,
    StructOpsSlot,
};
pub use object_spec::{LoadOptions, ObjectSpec, ProgramSelection, SkippedProgram, VariableSpec};
pub use program::{FuncInfo, LineInfo, Poison, ProgramBtf, ProgramSpec, Subprogram};
pub use sections::{DataKind, Function, ProgramSection, program_sections};

pub use crate::core::POISON_HELPER;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_elf() {
        assert_eq!(program_sections(b""), Err(ObjectError::NotElf));
        assert_eq!(program_sections(&[0x7f, b'E', b'L', b'F']), Err(ObjectError::NotElf));
        assert_eq!(ObjectSpec::parse(b"not an ELF file", &LoadOptions::default()).unwrap_err(), ObjectError::NotElf);
    }
}
