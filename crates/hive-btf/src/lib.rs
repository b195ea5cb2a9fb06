//! # hive-btf: BPF Type Format, read, checked, written and shown
//!
//! BTF is the type information that travels with BPF: the kernel's own (`/sys/kernel/btf/vmlinux`),
//! a module's (split BTF on top of vmlinux), and a program's (`.BTF` in a `clang -g -target bpf`
//! object, with `.BTF.ext` beside it for line info, function info and CO-RE relocations). This
//! crate owns everything Hive does with it, and depends on no other Hive crate:
//!
//! ```text
//!  bytes ──Btf::parse──────────▶ Btf { types by TypeId, strings }   (zero-copy, never panics)
//!        ──Btf::parse_strict───▶   … plus every check of the kernel's BPF_BTF_LOAD
//!  bytes ──BtfExt::parse───────▶ BtfExt { func info, line info, CO-RE relos per section }
//!  Btf   ──dump_raw / dump_c───▶ text, as `bpftool btf dump file X [format c]` prints it
//!  Btf + TypeId + &[u8] ──format_value──▶ `{"pid": 42, "comm": "bash", ...}` (map dumps, events)
//!  TypeDefs ──BtfBuilder──────▶ bytes                               (tests, BPF_BTF_LOAD)
//!  Btf + root TypeIds ──Btf::subset──▶ Subset: the roots and all they refer to, renumbered
//!                                       (a program's own BTF, as cilium/ebpf loads it)
//! ```
//!
//! ## Invariants
//!
//! - **Zero-copy.** A [`Btf`] keeps the blob (borrowed, or owned when it had to be byte-swapped
//!   from big-endian) and an index of where each type record starts; [`Type`] views read the
//!   on-disk structs of [`raw`] in place through `zerocopy`, so this crate has no `unsafe`.
//! - **Typed ids.** Type ids are [`TypeId`], never bare integers; id 0 is `void`; in split BTF
//!   ids and string offsets continue the base's ([`Btf::parse_split`]).
//! - **No panics on input.** Every parser accepts any byte slice and returns [`Error`]; every
//!   accessor on a parsed BTF returns `Option`/`Result` or an empty iterator instead of
//!   indexing blindly. Property tests feed random and mutated blobs to check this.
//! - **Kernel wording.** [`Btf::parse_strict`] follows `kernel/bpf/btf.c` check by check and
//!   reports the first failure with the kernel's message (`"Invalid member bits_offset"`,
//!   `"Loop detected"`, ...), measured against the kernel's own `btf_raw_tests`.
//! - **Cheap errors.** [`Error`] is `Copy`: a kind with the kernel's text and the type id.
//!
//! ## Example
//!
//! ```
//! use hive_btf::{Btf, BtfBuilder, TypeDef, MemberDef, TypeId};
//!
//! // Build `struct event { int pid; char comm[8]; }` ...
//! let mut b = BtfBuilder::new();
//! let int = b.int("int", 4, true);
//! let chr = b.add(TypeDef::Int { name: "char".into(), size: 1, encoding: 0, offset: 0, bits: 8 });
//! let arr = b.array(chr, int, 8);
//! let ev = b.add(TypeDef::Composite {
//!     union: false, name: "event".into(), size: 12, kflag: false,
//!     members: vec![
//!         MemberDef { name: "pid".into(), ty: int, bit_offset: 0, bitfield_size: 0 },
//!         MemberDef { name: "comm".into(), ty: arr, bit_offset: 32, bitfield_size: 0 },
//!     ],
//! });
//! let bytes = b.to_bytes();
//!
//! // ... read it back with the kernel's checks, and use it.
//! let btf = Btf::parse_strict(&bytes).unwrap();
//! assert_eq!(btf.resolve_size(ev).unwrap(), 12);
//! assert_eq!(hive_btf::dump_raw(&btf).lines().next().unwrap(),
//!            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED");
//! assert!(hive_btf::dump_c(&btf).contains("struct event {\n\tint pid;\n\tchar comm[8];\n};"));
//! let value = *b"\x2a\0\0\0bash\0\0\0\0";
//! assert_eq!(hive_btf::format_value(&btf, ev, &value), r#"{"pid": 42, "comm": "bash"}"#);
//! ```
//!
//! ## Map of the crate
//!
//! | module | what |
//! |---|---|
//! | [`raw`] | on-disk structs and constants (`btf_header`, `btf_type`, `btf_member`, ...) |
//! | `types` | [`Kind`], [`TypeId`], the [`Type`] view and its records |
//! | `parse` | [`Btf`]: header, sections, type index, split BTF, lookups |
//! | `validate` | the kernel's meta, resolve and type-tag checks |
//! | `resolve` | sizes, alignment, skipping modifiers, member lookup |
//! | `ext` | [`BtfExt`]: func info, line info, CO-RE relocations |
//! | `dump_raw`, `dump_c` | bpftool's two output formats |
//! | `pretty` | [`format_value`]: a value shown through its type |
//! | `builder` | [`BtfBuilder`] and [`TypeDef`] |
//! | `subset` | [`Btf::subset`]: a minimal self-contained BTF for some root types |
//! | `elf` | `.BTF` / `.BTF.ext` out of an ELF object (feature `elf`) |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod builder;
mod dump_c;
mod dump_ext;
mod dump_raw;
#[cfg(feature = "elf")]
mod elf;
mod error;
mod ext;
mod parse;
mod pretty;
pub mod raw;
mod resolve;
mod subset;
mod swap;
mod types;
mod validate;

pub use builder::{BtfBuilder, MemberDef, TypeDef};
pub use dump_c::{c_decl, dump_c, CDump};
pub use dump_ext::dump_ext;
pub use dump_raw::{dump_raw, format_type_raw};
#[cfg(feature = "elf")]
pub use elf::{ElfBtf, elf_sections};
pub use error::{Error, ErrorKind};
pub use ext::{BtfExt, CoreRelo, CoreReloKind, ExtSection, FuncInfo, LineInfo};
pub use parse::{Btf, Validation};
pub use pretty::{format_value, format_value_pretty};
pub use resolve::{MAX_CHAIN, PTR_SIZE};
pub use subset::Subset;
pub use validate::Rules;
pub use types::{
    Array, EnumValue, FuncLinkage, Int, Kind, Member, Param, StrOffset, Type, TypeId, VarLinkage, VarSecinfo,
};
