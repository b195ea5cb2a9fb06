//! The crate's one error type: cheap (`Copy`, no allocation) and worded like the kernel.
//!
//! [`ErrorKind`]'s `Display` is the exact text the kernel's BTF verifier logs for the same
//! problem (`kernel/bpf/btf.c`), so a test that expects `"Invalid member bits_offset"` from
//! `BPF_BTF_LOAD` can expect it from [`crate::Btf::parse_strict`] too. [`Error`] adds the type
//! id the kernel prints as `[id]` at the start of its log line.

use crate::TypeId;
use std::fmt;

/// A BTF or `.BTF.ext` blob that cannot be read, or that the kernel would refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// The type being checked, when the problem belongs to one (`[id]` in the kernel log).
    pub type_id: Option<TypeId>,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error { type_id: None, kind }
    }
    pub(crate) fn at(id: u32, kind: ErrorKind) -> Self {
        Error { type_id: Some(TypeId(id)), kind }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.type_id {
            Some(id) => write!(f, "[{}] {}", id.0, self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for Error {}

/// What is wrong with a blob. The first group is the kernel's wording, verbatim; the last
/// group (`.BTF.ext`, ELF, lenient reference checks) has no kernel counterpart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Larger than `BTF_MAX_SIZE` (the kernel returns `E2BIG` without a message).
    #[error("BTF blob of {0} bytes exceeds BTF_MAX_SIZE")]
    TooBig(usize),
    /// Shorter than the first 8 header bytes.
    #[error("hdr_len not found")]
    HdrLenNotFound,
    /// Shorter than `hdr_len`.
    #[error("btf_header not found")]
    HeaderNotFound,
    /// A header longer than the known one with non-zero bytes in its tail.
    #[error("Unsupported btf_header")]
    UnsupportedHeader,
    /// Wrong magic.
    #[error("Invalid magic")]
    InvalidMagic,
    /// Version other than 1.
    #[error("Unsupported version")]
    UnsupportedVersion,
    /// Non-zero flags.
    #[error("Unsupported flags")]
    UnsupportedFlags,
    /// Nothing after the header.
    #[error("No data")]
    NoData,
    /// A section starting past the end of the blob.
    #[error("Invalid section offset")]
    InvalidSectionOffset,
    /// A gap between sections, or bytes after the last one.
    #[error("Unsupported section found")]
    UnsupportedSection,
    /// Two sections overlap.
    #[error("Section overlap found")]
    SectionOverlap,
    /// A section running past the end of the blob.
    #[error("Total section length too long")]
    SectionTooLong,
    /// The string section is not the last thing in the blob.
    #[error("String section is not at the end")]
    StringSectionNotAtEnd,
    /// The string section is empty, too long, does not end (or, for base BTF, start) with NUL.
    #[error("Invalid string section")]
    InvalidStringSection,
    /// `type_off` not a multiple of 4.
    #[error("Unaligned type_off")]
    UnalignedTypeOff,
    /// A base BTF without types.
    #[error("No type found")]
    NoTypeFound,
    /// A type record runs past the end of the type section.
    #[error("meta_left:{left} meta_needed:{needed}")]
    MetaLeft {
        /// Bytes left in the type section.
        left: u32,
        /// Bytes the record needs.
        needed: u32,
    },
    /// Reserved `info` bits set.
    #[error("Invalid btf_info:{0:x}")]
    InvalidBtfInfo(u32),
    /// Kind 0 or above `BTF_KIND_MAX`.
    #[error("Invalid kind:{0}")]
    InvalidKind(u8),
    /// A type's `name_off` outside the string section.
    #[error("Invalid name_offset:{0}")]
    InvalidNameOffset(u32),
    /// A member's `name_off` outside the string section.
    #[error("Invalid member name_offset:{0}")]
    InvalidMemberNameOffset(u32),
    /// Too many types.
    #[error("Exceeded max num of types")]
    TooManyTypes,
    /// Non-zero `vlen` where none is allowed.
    #[error("vlen != 0")]
    VlenNotZero,
    /// `kind_flag` where the kind does not allow it.
    #[error("Invalid btf_info kind_flag")]
    InvalidKindFlag,
    /// INT data word with reserved bits set.
    #[error("Invalid int_data:{0:x}")]
    InvalidIntData(u32),
    /// INT `bits + offset` above 128.
    #[error("nr_bits exceeds 128")]
    IntBitsExceed128,
    /// INT bits do not fit its size.
    #[error("nr_bits exceeds type_size")]
    IntBitsExceedSize,
    /// INT encoding with more than one bit.
    #[error("Unsupported encoding")]
    UnsupportedEncoding,
    /// A reference to a type id that does not exist or has the wrong kind.
    #[error("Invalid type_id")]
    InvalidTypeId,
    /// A name that is missing, present where forbidden, or not a valid identifier.
    #[error("Invalid name")]
    InvalidName,
    /// FWD with a non-zero type.
    #[error("type != 0")]
    TypeNotZero,
    /// ARRAY with a non-zero size.
    #[error("size != 0")]
    SizeNotZero,
    /// DATASEC of size 0.
    #[error("size == 0")]
    SizeZero,
    /// Bad array element type.
    #[error("Invalid elem")]
    InvalidElem,
    /// Bad array index type.
    #[error("Invalid index")]
    InvalidIndex,
    /// Array of a bitfield-like INT.
    #[error("Invalid array of int")]
    InvalidArrayOfInt,
    /// Array byte size overflows 32 bits.
    #[error("Array size overflows U32_MAX")]
    ArraySizeOverflow,
    /// Member offsets going backwards, or a non-zero offset in a union.
    #[error("Invalid member bits_offset")]
    InvalidMemberBitsOffset,
    /// Member starting past the end of its struct.
    #[error("Member bits_offset exceeds its struct size")]
    MemberOffsetExceedsSize,
    /// Member of a type that has no size (void, FWD, FUNC...) or a VAR/DATASEC/DECL_TAG.
    #[error("Invalid member")]
    InvalidMember,
    /// Non-bitfield member of byte-aligned type not on a byte boundary.
    #[error("Member is not byte aligned")]
    MemberNotByteAligned,
    /// Member running past the end of its struct.
    #[error("Member exceeds struct_size")]
    MemberExceedsStructSize,
    /// Bitfield size not allowed for the member's type.
    #[error("Invalid member bitfield_size")]
    InvalidMemberBitfieldSize,
    /// `kind_flag` member whose INT is itself a bitfield-style INT.
    #[error("Invalid member base type")]
    InvalidMemberBaseType,
    /// `kind_flag` non-bitfield INT member off a byte boundary.
    #[error("Invalid member offset")]
    InvalidMemberOffset,
    /// INT bit offset arithmetic overflows.
    #[error("bits_offset exceeds U32_MAX")]
    BitsOffsetOverflow,
    /// A member that spans more than 128 bits.
    #[error("nr_copy_bits exceeds 128")]
    CopyBitsExceed128,
    /// FLOAT member misaligned.
    #[error("Member is not properly aligned")]
    MemberNotProperlyAligned,
    /// ENUM/ENUM64 size not 1, 2, 4 or 8.
    #[error("Unexpected size")]
    UnexpectedSize,
    /// FUNC linkage (its `vlen`) above `BTF_FUNC_GLOBAL`.
    #[error("Invalid func linkage")]
    InvalidFuncLinkage,
    /// VAR linkage other than static or global-allocated.
    #[error("Linkage not supported")]
    LinkageNotSupported,
    /// DATASEC variable starting before the previous one ends, or past the section.
    #[error("Invalid offset")]
    InvalidOffset,
    /// DATASEC variable of size 0, larger than the section or smaller than its type.
    #[error("Invalid size")]
    InvalidSize,
    /// DATASEC variable running past the section.
    #[error("Invalid offset+size")]
    InvalidOffsetSize,
    /// DATASEC variables adding up to more than the section.
    #[error("Invalid btf_info size")]
    InvalidInfoSize,
    /// DATASEC entry that is not a VAR.
    #[error("Not a VAR kind member")]
    NotAVar,
    /// DATASEC variable whose type has no size.
    #[error("Invalid type")]
    InvalidType,
    /// FLOAT size not 2, 4, 8, 12 or 16.
    #[error("Invalid type_size")]
    InvalidTypeSize,
    /// DECL_TAG with an empty value.
    #[error("Invalid value")]
    InvalidValue,
    /// DECL_TAG `component_idx` out of range for its target.
    #[error("Invalid component_idx")]
    InvalidComponentIdx,
    /// FUNC_PROTO return type missing or without size.
    #[error("Invalid return type")]
    InvalidReturnType,
    /// FUNC_PROTO argument (1-based) invalid.
    #[error("Invalid arg#{0}")]
    InvalidArg(u32),
    /// Type chain deeper than the kernel's `MAX_RESOLVE_DEPTH` (32).
    #[error("Exceeded max resolving depth:32")]
    ResolveDepth,
    /// A cycle that does not go through a pointer.
    #[error("Loop detected")]
    LoopDetected,
    /// The kernel's final sanity check after resolving failed.
    #[error("Invalid resolve state")]
    InvalidResolveState,
    /// A TYPE_TAG after a CONST/VOLATILE/RESTRICT/TYPEDEF in a modifier chain.
    #[error("Type tags don't precede modifiers")]
    TypeTagOrder,
    /// Modifier chain longer than 32 or cyclic.
    #[error("Max chain length or cycle detected")]
    ModifierChain,

    /// Lenient parse: a reference to a type id past the last type.
    #[error("type id {0} out of range")]
    TypeIdOutOfRange(u32),
    /// Lenient parse: a string offset outside the string section.
    #[error("string offset {0} out of range")]
    StrOffsetOutOfRange(u32),
    /// `.BTF.ext`: truncated or inconsistent header or subsection.
    #[error(".BTF.ext: {0}")]
    Ext(&'static str),
    /// ELF container problem.
    #[error("ELF: {0}")]
    Elf(&'static str),
}
