//! The on-disk layout of `.BTF` and `.BTF.ext`, declared once (uapi `linux/btf.h`).
//!
//! Every struct here is `#[repr(C)]`, made of little-endian, unaligned integers
//! ([`zerocopy::little_endian`]), so a record is read *by reference* straight out of the blob
//! at any byte offset without `unsafe`. Big-endian blobs are byte-swapped into an owned
//! little-endian copy before they reach these types (every field after the 4-byte magic/version/
//! flags prefix is a 32-bit word, which makes the swap mechanical).
//!
//! The constants carry the kernel's spellings, so `BTF_MAX_TYPE` here is `BTF_MAX_TYPE` there.

use zerocopy::little_endian::{I32, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `BTF_MAGIC`: the first two bytes of every BTF blob, `0xeB9F` (read little-endian).
pub const BTF_MAGIC: u16 = 0xeb9f;
/// `BTF_VERSION`: the only version the kernel accepts.
pub const BTF_VERSION: u8 = 1;
/// `BTF_MAX_TYPE`: type ids are 20 bits (the kernel keeps `id < BTF_MAX_TYPE`).
pub const BTF_MAX_TYPE: u32 = 0x000f_ffff;
/// `BTF_MAX_NAME_OFFSET`: string offsets are 24 bits.
pub const BTF_MAX_NAME_OFFSET: u32 = 0x00ff_ffff;
/// `BTF_MAX_VLEN`: the 16-bit `vlen` field (members, enumerators, parameters, variables).
pub const BTF_MAX_VLEN: u32 = 0xffff;
/// The kernel's `BTF_MAX_SIZE`: `BPF_BTF_LOAD` refuses blobs larger than 16 MiB.
pub const BTF_MAX_SIZE: usize = 16 * 1024 * 1024;
/// The kernel's `KSYM_NAME_LEN`, the longest identifier it accepts in a type name.
pub const KSYM_NAME_LEN: usize = 512;
/// The kernel's `BTF_INFO_MASK`: `info` bits outside it must be zero (bits 16-23, 29-30).
pub const BTF_INFO_MASK: u32 = 0x9f00_ffff;
/// The kernel's `BTF_INT_MASK`: bits 28-31 of an INT's data word must be zero.
pub const BTF_INT_MASK: u32 = 0x0fff_ffff;

/// `BTF_INT_SIGNED`: INT encoding bit.
pub const BTF_INT_SIGNED: u8 = 1 << 0;
/// `BTF_INT_CHAR`: INT encoding bit.
pub const BTF_INT_CHAR: u8 = 1 << 1;
/// `BTF_INT_BOOL`: INT encoding bit.
pub const BTF_INT_BOOL: u8 = 1 << 2;

/// `struct btf_header`: 24 bytes, followed (after `hdr_len` bytes) by the type and string
/// sections at `type_off` and `str_off`, both relative to the end of the header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct Header {
    /// `BTF_MAGIC`.
    pub magic: U16,
    /// `BTF_VERSION`.
    pub version: u8,
    /// Must be zero.
    pub flags: u8,
    /// Length of this header; the kernel accepts a longer one whose tail is zero.
    pub hdr_len: U32,
    /// Offset of the type section, from the end of the header.
    pub type_off: U32,
    /// Length of the type section.
    pub type_len: U32,
    /// Offset of the string section, from the end of the header.
    pub str_off: U32,
    /// Length of the string section.
    pub str_len: U32,
}

/// `struct btf_type`: the 12-byte record that starts every type, followed by kind-specific
/// data (see [`crate::Kind::extra_len`]).
///
/// `info` packs `vlen` (bits 0-15), `kind` (bits 24-28) and `kind_flag` (bit 31);
/// `size_type` is `size` for INT, ENUM, ENUM64, STRUCT, UNION, DATASEC, FLOAT and `type` for
/// the kinds that refer to one other type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawType {
    /// Offset of the name in the string section (0: anonymous).
    pub name_off: U32,
    /// `vlen | kind << 24 | kind_flag << 31`.
    pub info: U32,
    /// `size` or `type`, by kind.
    pub size_type: U32,
}

impl RawType {
    /// `BTF_INFO_VLEN(info)`.
    pub fn vlen(&self) -> u16 {
        (self.info.get() & 0xffff) as u16
    }
    /// `BTF_INFO_KIND(info)`: 5 bits, not checked against the known kinds.
    pub fn kind_raw(&self) -> u8 {
        ((self.info.get() >> 24) & 0x1f) as u8
    }
    /// `BTF_INFO_KFLAG(info)`.
    pub fn kflag(&self) -> bool {
        self.info.get() >> 31 != 0
    }
}

/// `struct btf_array`, after an ARRAY's [`RawType`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawArray {
    /// Element type.
    pub elem_type: U32,
    /// Index type (an INT for C arrays).
    pub index_type: U32,
    /// Number of elements.
    pub nelems: U32,
}

/// `struct btf_member`, `vlen` of them after a STRUCT's or UNION's [`RawType`].
///
/// With the parent's `kind_flag` set, `offset` packs `bitfield_size << 24 | bit_offset`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawMember {
    /// Member name (0: anonymous member, e.g. an embedded anonymous union).
    pub name_off: U32,
    /// Member type.
    pub type_: U32,
    /// Bit offset, or `bitfield_size << 24 | bit_offset` under `kind_flag`.
    pub offset: U32,
}

/// `struct btf_enum`, `vlen` of them after an ENUM's [`RawType`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawEnum {
    /// Enumerator name.
    pub name_off: U32,
    /// Value (signed when the ENUM's `kind_flag` is set).
    pub val: U32,
}

/// `struct btf_enum64`, `vlen` of them after an ENUM64's [`RawType`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawEnum64 {
    /// Enumerator name.
    pub name_off: U32,
    /// Low 32 bits of the value.
    pub val_lo32: U32,
    /// High 32 bits of the value.
    pub val_hi32: U32,
}

/// `struct btf_param`, `vlen` of them after a FUNC_PROTO's [`RawType`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawParam {
    /// Parameter name (0: unnamed).
    pub name_off: U32,
    /// Parameter type; 0 in the last slot means `...`.
    pub type_: U32,
}

/// `struct btf_var`, after a VAR's [`RawType`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawVar {
    /// `BTF_VAR_STATIC` (0), `BTF_VAR_GLOBAL_ALLOCATED` (1), `BTF_VAR_GLOBAL_EXTERN` (2).
    pub linkage: U32,
}

/// `struct btf_var_secinfo`, `vlen` of them after a DATASEC's [`RawType`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawVarSecinfo {
    /// The VAR (or FUNC, for `.ksyms`) in the section.
    pub type_: U32,
    /// Byte offset in the section.
    pub offset: U32,
    /// Size in bytes.
    pub size: U32,
}

/// `struct btf_decl_tag`, after a DECL_TAG's [`RawType`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawDeclTag {
    /// -1: the tag applies to the whole target; otherwise a member or parameter index.
    pub component_idx: I32,
}

/// `struct btf_ext_header`: the first 32 bytes of `.BTF.ext` (the CO-RE fields are optional:
/// a 24-byte header, from before CO-RE, is still valid).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ExtHeader {
    /// `BTF_MAGIC`.
    pub magic: U16,
    /// `BTF_VERSION`.
    pub version: u8,
    /// Must be zero.
    pub flags: u8,
    /// Header length: 24 (no CO-RE) or 32 and up.
    pub hdr_len: U32,
    /// Offset of the func info subsection, from the end of the header.
    pub func_info_off: U32,
    /// Length of the func info subsection.
    pub func_info_len: U32,
    /// Offset of the line info subsection.
    pub line_info_off: U32,
    /// Length of the line info subsection.
    pub line_info_len: U32,
    /// Offset of the CO-RE relocation subsection (header of 32 bytes or more).
    pub core_relo_off: U32,
    /// Length of the CO-RE relocation subsection.
    pub core_relo_len: U32,
}

/// Length of the `.BTF.ext` header before CO-RE was added.
pub const EXT_HEADER_MIN_LEN: u32 = 24;

/// `struct bpf_func_info` as stored in `.BTF.ext` (`insn_off` in bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawFuncInfo {
    /// Byte offset of the function's first instruction in its section.
    pub insn_off: U32,
    /// The FUNC type.
    pub type_id: U32,
}

/// `struct bpf_line_info` as stored in `.BTF.ext` (`insn_off` in bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawLineInfo {
    /// Byte offset of the instruction in its section.
    pub insn_off: U32,
    /// Source file name (string section of `.BTF`).
    pub file_name_off: U32,
    /// Source line text (string section of `.BTF`).
    pub line_off: U32,
    /// `line << 10 | column`.
    pub line_col: U32,
}

/// `struct bpf_core_relo`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawCoreRelo {
    /// Byte offset of the relocated instruction in its section.
    pub insn_off: U32,
    /// The local root type.
    pub type_id: U32,
    /// Access string such as `"0:1:2"` (string section of `.BTF`).
    pub access_str_off: U32,
    /// `enum bpf_core_relo_kind`.
    pub kind: U32,
}
