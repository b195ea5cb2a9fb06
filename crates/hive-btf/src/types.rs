//! Typed, borrowed views of BTF types: [`Kind`], [`Type`] and the records that follow a type
//! ([`Member`], [`EnumValue`], [`Param`], [`VarSecinfo`]...).
//!
//! A [`Type`] is three references (the 12-byte record, its kind-specific tail and the [`Btf`]
//! it came from); nothing is copied until a field is read. Accessors for a kind-specific part
//! return `None` (or an empty iterator) on a type of another kind, never panic.

use crate::raw::{
    RawArray, RawDeclTag, RawEnum, RawEnum64, RawMember, RawParam, RawType, RawVar, RawVarSecinfo,
};
use crate::Btf;
use std::fmt;
use zerocopy::FromBytes;

/// A BTF type id. Id 0 is `void`; in split BTF, ids continue after the base's last id.
#[doc(alias = "btf_id")]
#[doc(alias = "BtfTypeId")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub u32);

impl TypeId {
    /// `void`: the type id 0 that no record describes.
    pub const VOID: TypeId = TypeId(0);
    /// Whether this is [`TypeId::VOID`].
    pub fn is_void(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for TypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An offset into a BTF string section (continuing the base's offsets in split BTF).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StrOffset(pub u32);

/// The kind of a BTF type (`BTF_KIND_*`), with the kernel's numbering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Kind {
    /// `void`: only type id 0 has it (`BTF_KIND_UNKN`).
    #[doc(alias = "BTF_KIND_UNKN")]
    Void = 0,
    /// Integer, `char` and `_Bool`, including bitfield-style ints with an offset.
    #[doc(alias = "BTF_KIND_INT")]
    Int = 1,
    /// Pointer.
    #[doc(alias = "BTF_KIND_PTR")]
    Ptr = 2,
    /// Array.
    #[doc(alias = "BTF_KIND_ARRAY")]
    Array = 3,
    /// `struct`.
    #[doc(alias = "BTF_KIND_STRUCT")]
    Struct = 4,
    /// `union`.
    #[doc(alias = "BTF_KIND_UNION")]
    Union = 5,
    /// `enum` with 32-bit enumerators.
    #[doc(alias = "BTF_KIND_ENUM")]
    Enum = 6,
    /// Forward declaration of a struct (or union, with `kind_flag`).
    #[doc(alias = "BTF_KIND_FWD")]
    Fwd = 7,
    /// `typedef`.
    #[doc(alias = "BTF_KIND_TYPEDEF")]
    Typedef = 8,
    /// `volatile`.
    #[doc(alias = "BTF_KIND_VOLATILE")]
    Volatile = 9,
    /// `const`.
    #[doc(alias = "BTF_KIND_CONST")]
    Const = 10,
    /// `restrict`.
    #[doc(alias = "BTF_KIND_RESTRICT")]
    Restrict = 11,
    /// A function (name and linkage), pointing at its FUNC_PROTO.
    #[doc(alias = "BTF_KIND_FUNC")]
    Func = 12,
    /// A function signature.
    #[doc(alias = "BTF_KIND_FUNC_PROTO")]
    FuncProto = 13,
    /// A variable.
    #[doc(alias = "BTF_KIND_VAR")]
    Var = 14,
    /// A data section (`.data`, `.bss`, `.maps`...) listing its variables.
    #[doc(alias = "BTF_KIND_DATASEC")]
    Datasec = 15,
    /// Floating point.
    #[doc(alias = "BTF_KIND_FLOAT")]
    Float = 16,
    /// `__attribute__((btf_decl_tag("...")))` on a declaration or one of its members.
    #[doc(alias = "BTF_KIND_DECL_TAG")]
    DeclTag = 17,
    /// `__attribute__((btf_type_tag("...")))` in a pointer chain.
    #[doc(alias = "BTF_KIND_TYPE_TAG")]
    TypeTag = 18,
    /// `enum` with 64-bit enumerators.
    #[doc(alias = "BTF_KIND_ENUM64")]
    Enum64 = 19,
}

impl Kind {
    /// `BTF_KIND_MAX`.
    pub const MAX: u8 = 19;

    /// The kind for a raw 5-bit kind number, `None` for 0 and unknown kinds.
    pub fn from_raw(k: u8) -> Option<Kind> {
        use Kind::*;
        Some(match k {
            1 => Int,
            2 => Ptr,
            3 => Array,
            4 => Struct,
            5 => Union,
            6 => Enum,
            7 => Fwd,
            8 => Typedef,
            9 => Volatile,
            10 => Const,
            11 => Restrict,
            12 => Func,
            13 => FuncProto,
            14 => Var,
            15 => Datasec,
            16 => Float,
            17 => DeclTag,
            18 => TypeTag,
            19 => Enum64,
            _ => return None,
        })
    }

    /// The kernel's and bpftool's spelling: `"INT"`, `"FUNC_PROTO"`, `"UNKNOWN"` for void.
    pub fn name(self) -> &'static str {
        use Kind::*;
        match self {
            Void => "UNKNOWN",
            Int => "INT",
            Ptr => "PTR",
            Array => "ARRAY",
            Struct => "STRUCT",
            Union => "UNION",
            Enum => "ENUM",
            Fwd => "FWD",
            Typedef => "TYPEDEF",
            Volatile => "VOLATILE",
            Const => "CONST",
            Restrict => "RESTRICT",
            Func => "FUNC",
            FuncProto => "FUNC_PROTO",
            Var => "VAR",
            Datasec => "DATASEC",
            Float => "FLOAT",
            DeclTag => "DECL_TAG",
            TypeTag => "TYPE_TAG",
            Enum64 => "ENUM64",
        }
    }

    /// Bytes of kind-specific data after the 12-byte [`RawType`] record, for `vlen` entries.
    pub fn extra_len(self, vlen: u16) -> usize {
        use Kind::*;
        let n = vlen as usize;
        match self {
            Int | Var | DeclTag => 4,
            Array => 12,
            Struct | Union | Datasec | Enum64 => 12 * n,
            Enum | FuncProto => 8 * n,
            _ => 0,
        }
    }

    /// The kernel's `btf_type_is_modifier`: TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG.
    pub fn is_modifier(self) -> bool {
        matches!(self, Kind::Typedef | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag)
    }

    /// STRUCT or UNION.
    pub fn is_composite(self) -> bool {
        matches!(self, Kind::Struct | Kind::Union)
    }

    /// ENUM or ENUM64.
    pub fn is_enum(self) -> bool {
        matches!(self, Kind::Enum | Kind::Enum64)
    }

    /// Kinds whose third word is a size (`btf_type_has_size`).
    pub fn has_size(self) -> bool {
        use Kind::*;
        matches!(self, Int | Struct | Union | Enum | Datasec | Float | Enum64)
    }

    /// Kinds whose third word is a type id.
    pub fn has_ref_type(self) -> bool {
        use Kind::*;
        matches!(
            self,
            Ptr | Typedef | Volatile | Const | Restrict | Func | FuncProto | Var | DeclTag | TypeTag
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The data word of an INT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int {
    /// `BTF_INT_ENCODING`: a combination of [`crate::raw::BTF_INT_SIGNED`], `_CHAR`, `_BOOL`.
    pub encoding: u8,
    /// `BTF_INT_OFFSET`: bit offset of the value within the INT's storage.
    pub offset: u8,
    /// `BTF_INT_BITS`: number of value bits.
    pub bits: u8,
    /// The raw data word.
    pub raw: u32,
}

impl Int {
    /// Decode an INT data word.
    pub fn from_raw(raw: u32) -> Int {
        Int { encoding: ((raw >> 24) & 0x0f) as u8, offset: ((raw >> 16) & 0xff) as u8, bits: (raw & 0xff) as u8, raw }
    }
    /// `BTF_INT_SIGNED` is set.
    pub fn is_signed(&self) -> bool {
        self.encoding & crate::raw::BTF_INT_SIGNED != 0
    }
    /// `BTF_INT_CHAR` is set.
    pub fn is_char(&self) -> bool {
        self.encoding & crate::raw::BTF_INT_CHAR != 0
    }
    /// `BTF_INT_BOOL` is set.
    pub fn is_bool(&self) -> bool {
        self.encoding & crate::raw::BTF_INT_BOOL != 0
    }
}

/// The element and index types and length of an ARRAY.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Array {
    /// Element type.
    pub elem_type: TypeId,
    /// Index type.
    pub index_type: TypeId,
    /// Number of elements.
    pub nelems: u32,
}

/// A STRUCT or UNION member, with `kind_flag` already applied to its offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member<'b> {
    /// Position among the members.
    pub index: u16,
    /// Name (empty for an anonymous member).
    pub name: &'b str,
    /// Raw name offset.
    pub name_off: u32,
    /// Member type.
    pub ty: TypeId,
    /// Offset in bits from the start of the struct.
    pub bit_offset: u32,
    /// Bitfield width in bits; 0 for a plain member (and for every member without `kind_flag`,
    /// where a bitfield is described by an INT with `bits` below its size instead).
    pub bitfield_size: u32,
    /// The raw `offset` word.
    pub raw_offset: u32,
}

/// An ENUM or ENUM64 enumerator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnumValue<'b> {
    /// Name.
    pub name: &'b str,
    /// Raw name offset.
    pub name_off: u32,
    /// The value's bits: 32 (ENUM, zero-extended) or 64 (ENUM64).
    pub bits: u64,
    /// The enum's `kind_flag`: values are signed.
    pub signed: bool,
    /// Whether this comes from an ENUM64.
    pub is64: bool,
}

impl EnumValue<'_> {
    /// The value as a mathematical integer, honouring signedness and width.
    pub fn value(&self) -> i128 {
        match (self.is64, self.signed) {
            (false, false) => self.bits as u32 as i128,
            (false, true) => self.bits as u32 as i32 as i128,
            (true, false) => self.bits as i128,
            (true, true) => self.bits as i64 as i128,
        }
    }
}

/// A FUNC_PROTO parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param<'b> {
    /// Name (empty when unnamed).
    pub name: &'b str,
    /// Raw name offset.
    pub name_off: u32,
    /// Type; [`TypeId::VOID`] in the last position means `...`.
    pub ty: TypeId,
}

/// A DATASEC entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VarSecinfo {
    /// The VAR (or FUNC for `.ksyms`).
    pub ty: TypeId,
    /// Byte offset in the section.
    pub offset: u32,
    /// Byte size.
    pub size: u32,
}

/// FUNC linkage (stored in the FUNC's `vlen`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuncLinkage {
    /// `BTF_FUNC_STATIC`.
    #[doc(alias = "BTF_FUNC_STATIC")]
    Static,
    /// `BTF_FUNC_GLOBAL`.
    #[doc(alias = "BTF_FUNC_GLOBAL")]
    Global,
    /// `BTF_FUNC_EXTERN`.
    #[doc(alias = "BTF_FUNC_EXTERN")]
    Extern,
    /// Any other value.
    Unknown(u16),
}

impl FuncLinkage {
    /// Decode the `vlen` of a FUNC.
    pub fn from_raw(v: u16) -> Self {
        match v {
            0 => FuncLinkage::Static,
            1 => FuncLinkage::Global,
            2 => FuncLinkage::Extern,
            x => FuncLinkage::Unknown(x),
        }
    }
    /// The raw value.
    pub fn raw(self) -> u16 {
        match self {
            FuncLinkage::Static => 0,
            FuncLinkage::Global => 1,
            FuncLinkage::Extern => 2,
            FuncLinkage::Unknown(x) => x,
        }
    }
}

/// VAR linkage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarLinkage {
    /// `BTF_VAR_STATIC`.
    #[doc(alias = "BTF_VAR_STATIC")]
    Static,
    /// `BTF_VAR_GLOBAL_ALLOCATED`.
    #[doc(alias = "BTF_VAR_GLOBAL_ALLOCATED")]
    GlobalAllocated,
    /// `BTF_VAR_GLOBAL_EXTERN`.
    #[doc(alias = "BTF_VAR_GLOBAL_EXTERN")]
    GlobalExtern,
    /// Any other value.
    Unknown(u32),
}

impl VarLinkage {
    /// Decode a `btf_var.linkage`.
    pub fn from_raw(v: u32) -> Self {
        match v {
            0 => VarLinkage::Static,
            1 => VarLinkage::GlobalAllocated,
            2 => VarLinkage::GlobalExtern,
            x => VarLinkage::Unknown(x),
        }
    }
    /// The raw value.
    pub fn raw(self) -> u32 {
        match self {
            VarLinkage::Static => 0,
            VarLinkage::GlobalAllocated => 1,
            VarLinkage::GlobalExtern => 2,
            VarLinkage::Unknown(x) => x,
        }
    }
}

/// A borrowed view of one BTF type.
#[derive(Clone, Copy)]
pub struct Type<'b> {
    pub(crate) id: TypeId,
    pub(crate) raw: &'b RawType,
    pub(crate) extra: &'b [u8],
    pub(crate) btf: &'b Btf<'b>,
}

impl fmt::Debug for Type<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Type")
            .field("id", &self.id.0)
            .field("kind", &self.kind())
            .field("name", &self.name())
            .field("vlen", &self.vlen())
            .field("size_type", &self.raw.size_type.get())
            .finish()
    }
}

pub(crate) static VOID_RAW: RawType = RawType {
    name_off: zerocopy::little_endian::U32::ZERO,
    info: zerocopy::little_endian::U32::ZERO,
    size_type: zerocopy::little_endian::U32::ZERO,
};

fn slice<T: FromBytes + zerocopy::KnownLayout + zerocopy::Immutable>(b: &[u8]) -> &[T] {
    <[T]>::ref_from_bytes(b).unwrap_or(&[])
}

impl<'b> Type<'b> {
    /// This type's id.
    pub fn id(&self) -> TypeId {
        self.id
    }
    /// The kind ([`Kind::Void`] for id 0).
    pub fn kind(&self) -> Kind {
        Kind::from_raw(self.raw.kind_raw()).unwrap_or(Kind::Void)
    }
    /// The raw 12-byte record.
    pub fn raw(&self) -> &'b RawType {
        self.raw
    }
    /// The kind-specific bytes after the record.
    pub fn extra(&self) -> &'b [u8] {
        self.extra
    }
    /// The BTF this type belongs to.
    pub fn btf(&self) -> &'b Btf<'b> {
        self.btf
    }
    /// Raw name offset.
    pub fn name_off(&self) -> u32 {
        self.raw.name_off.get()
    }
    /// The name, or `""` when anonymous (or not valid UTF-8).
    pub fn name(&self) -> &'b str {
        self.btf.str_at(self.name_off()).unwrap_or("")
    }
    /// `vlen`.
    pub fn vlen(&self) -> u16 {
        self.raw.vlen()
    }
    /// `kind_flag`.
    pub fn kflag(&self) -> bool {
        self.raw.kflag()
    }
    /// The third word, whatever it means for this kind.
    pub fn size_or_type(&self) -> u32 {
        self.raw.size_type.get()
    }
    /// The byte size stored in the record, for kinds that have one ([`Kind::has_size`]).
    pub fn size(&self) -> Option<u32> {
        self.kind().has_size().then(|| self.raw.size_type.get())
    }
    /// The referenced type for PTR, modifiers, TYPEDEF, FUNC, VAR, DECL_TAG, TYPE_TAG and
    /// FUNC_PROTO (its return type).
    pub fn ref_type(&self) -> Option<TypeId> {
        self.kind().has_ref_type().then(|| TypeId(self.raw.size_type.get()))
    }
    /// INT data.
    pub fn int(&self) -> Option<Int> {
        if self.kind() != Kind::Int {
            return None;
        }
        let w = zerocopy::little_endian::U32::ref_from_prefix(self.extra).ok()?.0;
        Some(Int::from_raw(w.get()))
    }
    /// ARRAY data.
    pub fn array(&self) -> Option<Array> {
        if self.kind() != Kind::Array {
            return None;
        }
        let a = RawArray::ref_from_prefix(self.extra).ok()?.0;
        Some(Array { elem_type: TypeId(a.elem_type.get()), index_type: TypeId(a.index_type.get()), nelems: a.nelems.get() })
    }
    /// Raw STRUCT/UNION members (empty for other kinds).
    pub fn raw_members(&self) -> &'b [RawMember] {
        if self.kind().is_composite() { slice(self.extra) } else { &[] }
    }
    /// STRUCT/UNION members with offsets decoded (empty for other kinds).
    pub fn members(&self) -> impl ExactSizeIterator<Item = Member<'b>> + 'b {
        let kflag = self.kflag();
        let btf = self.btf;
        self.raw_members().iter().enumerate().map(move |(i, m)| {
            let off = m.offset.get();
            let (bit_offset, bitfield_size) = if kflag { (off & 0x00ff_ffff, off >> 24) } else { (off, 0) };
            Member {
                index: i as u16,
                name: btf.str_at(m.name_off.get()).unwrap_or(""),
                name_off: m.name_off.get(),
                ty: TypeId(m.type_.get()),
                bit_offset,
                bitfield_size,
                raw_offset: off,
            }
        })
    }
    /// The member at `index`.
    pub fn member(&self, index: usize) -> Option<Member<'b>> {
        self.members().nth(index)
    }
    /// Raw ENUM enumerators.
    pub fn raw_enums(&self) -> &'b [RawEnum] {
        if self.kind() == Kind::Enum { slice(self.extra) } else { &[] }
    }
    /// Raw ENUM64 enumerators.
    pub fn raw_enums64(&self) -> &'b [RawEnum64] {
        if self.kind() == Kind::Enum64 { slice(self.extra) } else { &[] }
    }
    /// ENUM or ENUM64 enumerators (empty for other kinds).
    pub fn enum_values(&self) -> impl Iterator<Item = EnumValue<'b>> + 'b {
        let signed = self.kflag();
        let btf = self.btf;
        let e32 = self.raw_enums().iter().map(move |e| EnumValue {
            name: btf.str_at(e.name_off.get()).unwrap_or(""),
            name_off: e.name_off.get(),
            bits: e.val.get() as u64,
            signed,
            is64: false,
        });
        let e64 = self.raw_enums64().iter().map(move |e| EnumValue {
            name: btf.str_at(e.name_off.get()).unwrap_or(""),
            name_off: e.name_off.get(),
            bits: (e.val_hi32.get() as u64) << 32 | e.val_lo32.get() as u64,
            signed,
            is64: true,
        });
        e32.chain(e64)
    }
    /// Raw FUNC_PROTO parameters.
    pub fn raw_params(&self) -> &'b [RawParam] {
        if self.kind() == Kind::FuncProto { slice(self.extra) } else { &[] }
    }
    /// FUNC_PROTO parameters (empty for other kinds).
    pub fn params(&self) -> impl ExactSizeIterator<Item = Param<'b>> + 'b {
        let btf = self.btf;
        self.raw_params().iter().map(move |p| Param {
            name: btf.str_at(p.name_off.get()).unwrap_or(""),
            name_off: p.name_off.get(),
            ty: TypeId(p.type_.get()),
        })
    }
    /// FUNC linkage.
    pub fn func_linkage(&self) -> Option<FuncLinkage> {
        (self.kind() == Kind::Func).then(|| FuncLinkage::from_raw(self.vlen()))
    }
    /// VAR linkage.
    pub fn var_linkage(&self) -> Option<VarLinkage> {
        if self.kind() != Kind::Var {
            return None;
        }
        Some(VarLinkage::from_raw(RawVar::ref_from_prefix(self.extra).ok()?.0.linkage.get()))
    }
    /// Raw DATASEC entries.
    pub fn raw_secinfos(&self) -> &'b [RawVarSecinfo] {
        if self.kind() == Kind::Datasec { slice(self.extra) } else { &[] }
    }
    /// DATASEC entries (empty for other kinds).
    pub fn secinfos(&self) -> impl ExactSizeIterator<Item = VarSecinfo> + 'b {
        self.raw_secinfos().iter().map(|v| VarSecinfo { ty: TypeId(v.type_.get()), offset: v.offset.get(), size: v.size.get() })
    }
    /// DECL_TAG `component_idx` (-1: the whole target).
    pub fn decl_tag_component(&self) -> Option<i32> {
        if self.kind() != Kind::DeclTag {
            return None;
        }
        Some(RawDeclTag::ref_from_prefix(self.extra).ok()?.0.component_idx.get())
    }
    /// FWD of a union (`kind_flag` set) rather than a struct.
    pub fn fwd_is_union(&self) -> bool {
        self.kind() == Kind::Fwd && self.kflag()
    }
}
