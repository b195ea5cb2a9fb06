//! Building BTF: owned type definitions ([`TypeDef`]) and a serialiser ([`BtfBuilder`]).
//!
//! Used for test BTF and for what a runtime hands to `BPF_BTF_LOAD`. The output is always a
//! little-endian, 24-byte-header blob with the type section first and a deduplicated string
//! section after it, exactly the layout `clang` and `pahole` produce (strings added on their
//! own with [`BtfBuilder::add_str`], such as line info's source text, come first, then the
//! type names in type order).
//!
//! [`Btf::to_defs`] goes the other way, so `parse(serialise(defs)).to_defs() == defs` holds
//! for any list of definitions (and, through the defs, for any well-formed BTF).
//! [`Btf::subset`] takes some types and everything they refer to (see [`Subset`](crate::Subset)).

use crate::raw::{BTF_MAGIC, BTF_VERSION};
use crate::types::{FuncLinkage, Kind, Type, TypeId, VarLinkage, VarSecinfo};
use crate::Btf;
use std::collections::HashMap;

/// A struct or union member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberDef {
    /// Name ("" for anonymous).
    pub name: String,
    /// Type.
    pub ty: TypeId,
    /// Offset in bits.
    pub bit_offset: u32,
    /// Bitfield width (needs `kflag` on the parent to be encoded).
    pub bitfield_size: u32,
}

/// One type, owned. Names are plain strings; ids refer to other entries (the first entry
/// gets the builder's first id).
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum TypeDef {
    /// INT: `encoding` is a combination of `BTF_INT_*` bits.
    Int { name: String, size: u32, encoding: u8, offset: u8, bits: u8 },
    Ptr { ty: TypeId },
    Array { elem: TypeId, index: TypeId, nelems: u32 },
    /// STRUCT (or UNION with `union`); `kflag` selects the bitfield encoding of offsets.
    Composite { union: bool, name: String, size: u32, kflag: bool, members: Vec<MemberDef> },
    /// ENUM with 32-bit values (stored as their low 32 bits).
    Enum { name: String, size: u32, signed: bool, values: Vec<(String, u32)> },
    Fwd { name: String, union: bool },
    Typedef { name: String, ty: TypeId },
    Volatile { ty: TypeId },
    Const { ty: TypeId },
    Restrict { ty: TypeId },
    Func { name: String, proto: TypeId, linkage: FuncLinkage },
    /// FUNC_PROTO; a last parameter of type void is `...`.
    FuncProto { ret: TypeId, params: Vec<(String, TypeId)> },
    Var { name: String, ty: TypeId, linkage: VarLinkage },
    Datasec { name: String, size: u32, vars: Vec<VarSecinfo> },
    Float { name: String, size: u32 },
    DeclTag { value: String, target: TypeId, component_idx: i32 },
    TypeTag { value: String, ty: TypeId },
    Enum64 { name: String, size: u32, signed: bool, values: Vec<(String, u64)> },
}

impl TypeDef {
    /// The kind this definition encodes to.
    pub fn kind(&self) -> Kind {
        match self {
            TypeDef::Int { .. } => Kind::Int,
            TypeDef::Ptr { .. } => Kind::Ptr,
            TypeDef::Array { .. } => Kind::Array,
            TypeDef::Composite { union: false, .. } => Kind::Struct,
            TypeDef::Composite { union: true, .. } => Kind::Union,
            TypeDef::Enum { .. } => Kind::Enum,
            TypeDef::Fwd { .. } => Kind::Fwd,
            TypeDef::Typedef { .. } => Kind::Typedef,
            TypeDef::Volatile { .. } => Kind::Volatile,
            TypeDef::Const { .. } => Kind::Const,
            TypeDef::Restrict { .. } => Kind::Restrict,
            TypeDef::Func { .. } => Kind::Func,
            TypeDef::FuncProto { .. } => Kind::FuncProto,
            TypeDef::Var { .. } => Kind::Var,
            TypeDef::Datasec { .. } => Kind::Datasec,
            TypeDef::Float { .. } => Kind::Float,
            TypeDef::DeclTag { .. } => Kind::DeclTag,
            TypeDef::TypeTag { .. } => Kind::TypeTag,
            TypeDef::Enum64 { .. } => Kind::Enum64,
        }
    }

    /// Calls `f` on every type id this definition refers to, in record order, to rewrite
    /// them (`void` included: leave it alone to keep it `void`).
    pub fn for_each_id_mut(&mut self, mut f: impl FnMut(&mut TypeId)) {
        match self {
            TypeDef::Int { .. } | TypeDef::Enum { .. } | TypeDef::Enum64 { .. } | TypeDef::Fwd { .. } => {}
            TypeDef::Float { .. } => {}
            TypeDef::Ptr { ty }
            | TypeDef::Typedef { ty, .. }
            | TypeDef::Volatile { ty }
            | TypeDef::Const { ty }
            | TypeDef::Restrict { ty }
            | TypeDef::Var { ty, .. }
            | TypeDef::TypeTag { ty, .. } => f(ty),
            TypeDef::Array { elem, index, .. } => {
                f(elem);
                f(index);
            }
            TypeDef::Composite { members, .. } => members.iter_mut().for_each(|m| f(&mut m.ty)),
            TypeDef::Func { proto, .. } => f(proto),
            TypeDef::FuncProto { ret, params } => {
                f(ret);
                params.iter_mut().for_each(|p| f(&mut p.1));
            }
            TypeDef::Datasec { vars, .. } => vars.iter_mut().for_each(|v| f(&mut v.ty)),
            TypeDef::DeclTag { target, .. } => f(target),
        }
    }
}

/// Collects [`TypeDef`]s and serialises them to a BTF blob.
///
/// ```
/// use hive_btf::{BtfBuilder, Btf, TypeDef, MemberDef, TypeId};
/// let mut b = BtfBuilder::new();
/// let int = b.int("int", 4, true);
/// let s = b.add(TypeDef::Composite {
///     union: false, name: "pair".into(), size: 8, kflag: false,
///     members: vec![
///         MemberDef { name: "a".into(), ty: int, bit_offset: 0, bitfield_size: 0 },
///         MemberDef { name: "b".into(), ty: int, bit_offset: 32, bitfield_size: 0 },
///     ],
/// });
/// let bytes = b.to_bytes();
/// let btf = Btf::parse_strict(&bytes).unwrap();
/// assert_eq!(btf.resolve_size(s).unwrap(), 8);
/// assert_eq!(btf.to_defs(), b.defs());
/// ```
#[derive(Clone, Debug)]
pub struct BtfBuilder {
    defs: Vec<TypeDef>,
    start_id: u32,
    /// Strings added with [`BtfBuilder::add_str`]; type names follow them when serialising.
    strs: Strings,
}

impl Default for BtfBuilder {
    fn default() -> Self {
        BtfBuilder::new()
    }
}

impl BtfBuilder {
    /// An empty builder for a base BTF (first id 1).
    pub fn new() -> Self {
        BtfBuilder::from_defs(Vec::new())
    }

    /// Start from existing definitions.
    pub fn from_defs(defs: Vec<TypeDef>) -> Self {
        BtfBuilder { defs, start_id: 1, strs: Strings::default() }
    }

    /// Put `s` in the string section (once: an equal string gives the same offset) and
    /// return its offset, which stays valid whatever is added later: what `.BTF.ext` line
    /// info (`file_name_off`, `line_off`) refers to.
    ///
    /// ```
    /// let mut b = hive_btf::BtfBuilder::new();
    /// b.int("int", 4, true);
    /// let off = b.add_str("return 0;");
    /// assert_eq!(b.add_str("return 0;"), off);
    /// let bytes = b.to_bytes();
    /// let btf = hive_btf::Btf::parse_strict(&bytes).unwrap();
    /// assert_eq!(btf.str_at(off), Some("return 0;"));
    /// ```
    pub fn add_str(&mut self, s: &str) -> u32 {
        self.strs.add(s)
    }

    /// Add a definition; returns its id.
    pub fn add(&mut self, def: TypeDef) -> TypeId {
        self.defs.push(def);
        TypeId(self.start_id + self.defs.len() as u32 - 1)
    }

    /// Add a byte-aligned INT of `size` bytes.
    pub fn int(&mut self, name: &str, size: u32, signed: bool) -> TypeId {
        let encoding = if signed { crate::raw::BTF_INT_SIGNED } else { 0 };
        self.add(TypeDef::Int { name: name.into(), size, encoding, offset: 0, bits: (size * 8).min(255) as u8 })
    }

    /// Add a PTR.
    pub fn ptr(&mut self, ty: TypeId) -> TypeId {
        self.add(TypeDef::Ptr { ty })
    }

    /// Add an ARRAY.
    pub fn array(&mut self, elem: TypeId, index: TypeId, nelems: u32) -> TypeId {
        self.add(TypeDef::Array { elem, index, nelems })
    }

    /// The definitions added so far.
    pub fn defs(&self) -> Vec<TypeDef> {
        self.defs.clone()
    }

    /// Serialise to a little-endian BTF blob.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut strs = self.strs.clone();
        let mut types: Vec<u8> = Vec::new();
        let w = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
        let head = |v: &mut Vec<u8>, name: u32, kind: Kind, kflag: bool, vlen: usize, st: u32| {
            w(v, name);
            w(v, (vlen as u32 & 0xffff) | (kind as u32) << 24 | u32::from(kflag) << 31);
            w(v, st);
        };
        for d in &self.defs {
            let k = d.kind();
            match d {
                TypeDef::Int { name, size, encoding, offset, bits } => {
                    head(&mut types, strs.add(name), k, false, 0, *size);
                    w(&mut types, (*encoding as u32) << 24 | (*offset as u32) << 16 | *bits as u32);
                }
                TypeDef::Ptr { ty } | TypeDef::Volatile { ty } | TypeDef::Const { ty } | TypeDef::Restrict { ty } => {
                    head(&mut types, 0, k, false, 0, ty.0)
                }
                TypeDef::Array { elem, index, nelems } => {
                    head(&mut types, 0, k, false, 0, 0);
                    for x in [elem.0, index.0, *nelems] {
                        w(&mut types, x);
                    }
                }
                TypeDef::Composite { name, size, kflag, members, .. } => {
                    head(&mut types, strs.add(name), k, *kflag, members.len(), *size);
                    for m in members {
                        w(&mut types, strs.add(&m.name));
                        w(&mut types, m.ty.0);
                        let off = if *kflag { m.bitfield_size << 24 | (m.bit_offset & 0x00ff_ffff) } else { m.bit_offset };
                        w(&mut types, off);
                    }
                }
                TypeDef::Enum { name, size, signed, values } => {
                    head(&mut types, strs.add(name), k, *signed, values.len(), *size);
                    for (n, v) in values {
                        w(&mut types, strs.add(n));
                        w(&mut types, *v);
                    }
                }
                TypeDef::Enum64 { name, size, signed, values } => {
                    head(&mut types, strs.add(name), k, *signed, values.len(), *size);
                    for (n, v) in values {
                        w(&mut types, strs.add(n));
                        w(&mut types, *v as u32);
                        w(&mut types, (*v >> 32) as u32);
                    }
                }
                TypeDef::Fwd { name, union } => head(&mut types, strs.add(name), k, *union, 0, 0),
                TypeDef::Typedef { name, ty } => head(&mut types, strs.add(name), k, false, 0, ty.0),
                TypeDef::TypeTag { value, ty } => head(&mut types, strs.add(value), k, false, 0, ty.0),
                TypeDef::Func { name, proto, linkage } => {
                    head(&mut types, strs.add(name), k, false, linkage.raw() as usize, proto.0)
                }
                TypeDef::FuncProto { ret, params } => {
                    head(&mut types, 0, k, false, params.len(), ret.0);
                    for (n, t) in params {
                        w(&mut types, strs.add(n));
                        w(&mut types, t.0);
                    }
                }
                TypeDef::Var { name, ty, linkage } => {
                    head(&mut types, strs.add(name), k, false, 0, ty.0);
                    w(&mut types, linkage.raw());
                }
                TypeDef::Datasec { name, size, vars } => {
                    head(&mut types, strs.add(name), k, false, vars.len(), *size);
                    for v in vars {
                        for x in [v.ty.0, v.offset, v.size] {
                            w(&mut types, x);
                        }
                    }
                }
                TypeDef::Float { name, size } => head(&mut types, strs.add(name), k, false, 0, *size),
                TypeDef::DeclTag { value, target, component_idx } => {
                    head(&mut types, strs.add(value), k, false, 0, target.0);
                    w(&mut types, *component_idx as u32);
                }
            }
        }
        let mut out = Vec::with_capacity(24 + types.len() + strs.bytes.len());
        out.extend_from_slice(&BTF_MAGIC.to_le_bytes());
        out.push(BTF_VERSION);
        out.push(0);
        for x in [24, 0, types.len() as u32, types.len() as u32, strs.bytes.len() as u32] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend_from_slice(&types);
        out.extend_from_slice(&strs.bytes);
        out
    }
}

/// A deduplicating string section that starts with the empty string.
#[derive(Clone, Debug)]
struct Strings {
    bytes: Vec<u8>,
    index: HashMap<String, u32>,
}

impl Default for Strings {
    fn default() -> Self {
        let mut index = HashMap::new();
        index.insert(String::new(), 0);
        Strings { bytes: vec![0], index }
    }
}

impl Strings {
    fn add(&mut self, s: &str) -> u32 {
        if let Some(&off) = self.index.get(s) {
            return off;
        }
        let off = self.bytes.len() as u32;
        self.bytes.extend_from_slice(s.as_bytes());
        self.bytes.push(0);
        self.index.insert(s.to_owned(), off);
        off
    }
}

impl Btf<'_> {
    /// Owned definitions of this BTF's own types, in id order (the inverse of
    /// [`BtfBuilder::to_bytes`]).
    pub fn to_defs(&self) -> Vec<TypeDef> {
        self.types().map(|t| def_of(&t)).collect()
    }
}

/// The owned definition of one type (ids as they are).
pub(crate) fn def_of(t: &Type<'_>) -> TypeDef {
    let name = t.name().to_owned();
    let ty = TypeId(t.size_or_type());
    let size = t.size_or_type();
    match t.kind() {
        Kind::Void => TypeDef::Ptr { ty: TypeId(0) },
        Kind::Int => {
            let i = t.int().unwrap_or(crate::types::Int::from_raw(0));
            TypeDef::Int { name, size, encoding: i.encoding, offset: i.offset, bits: i.bits }
        }
        Kind::Ptr => TypeDef::Ptr { ty },
        Kind::Array => {
            let a = t.array().unwrap_or(crate::types::Array { elem_type: TypeId(0), index_type: TypeId(0), nelems: 0 });
            TypeDef::Array { elem: a.elem_type, index: a.index_type, nelems: a.nelems }
        }
        Kind::Struct | Kind::Union => TypeDef::Composite {
            union: t.kind() == Kind::Union,
            name,
            size,
            kflag: t.kflag(),
            members: t
                .members()
                .map(|m| MemberDef { name: m.name.to_owned(), ty: m.ty, bit_offset: m.bit_offset, bitfield_size: m.bitfield_size })
                .collect(),
        },
        Kind::Enum => TypeDef::Enum {
            name,
            size,
            signed: t.kflag(),
            values: t.enum_values().map(|e| (e.name.to_owned(), e.bits as u32)).collect(),
        },
        Kind::Enum64 => TypeDef::Enum64 {
            name,
            size,
            signed: t.kflag(),
            values: t.enum_values().map(|e| (e.name.to_owned(), e.bits)).collect(),
        },
        Kind::Fwd => TypeDef::Fwd { name, union: t.kflag() },
        Kind::Typedef => TypeDef::Typedef { name, ty },
        Kind::Volatile => TypeDef::Volatile { ty },
        Kind::Const => TypeDef::Const { ty },
        Kind::Restrict => TypeDef::Restrict { ty },
        Kind::Func => TypeDef::Func { name, proto: ty, linkage: FuncLinkage::from_raw(t.vlen()) },
        Kind::FuncProto => TypeDef::FuncProto { ret: ty, params: t.params().map(|p| (p.name.to_owned(), p.ty)).collect() },
        Kind::Var => TypeDef::Var { name, ty, linkage: t.var_linkage().unwrap_or(VarLinkage::Static) },
        Kind::Datasec => TypeDef::Datasec { name, size, vars: t.secinfos().collect() },
        Kind::Float => TypeDef::Float { name, size },
        Kind::DeclTag => TypeDef::DeclTag { value: name, target: ty, component_idx: t.decl_tag_component().unwrap_or(-1) },
        Kind::TypeTag => TypeDef::TypeTag { value: name, ty },
    }
}
