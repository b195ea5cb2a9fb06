//! Resolution helpers: following modifiers and typedefs, sizes, alignments, member lookup.
//!
//! These work on any parsed BTF, validated or not: chains are followed at most
//! [`MAX_CHAIN`] steps, so a cycle gives an error instead of a hang.

use crate::error::{Error, ErrorKind};
use crate::types::{Kind, Member, Type, TypeId};
use crate::Btf;

/// How many links a chain of modifiers, typedefs and arrays may have (libbpf's
/// `MAX_RESOLVE_DEPTH`).
pub const MAX_CHAIN: usize = 32;

/// How many types one recursive query may visit: malformed BTF can make a type graph whose
/// unfolding is exponential (a struct embedding itself twice), and queries must still return.
const WORK_BUDGET: u32 = 1 << 20;

/// The pointer size assumed for BPF (and for the x86-64 and arm64 hosts Hive runs on).
pub const PTR_SIZE: u32 = 8;

pub(crate) fn resolve_size_with(btf: &Btf<'_>, id: TypeId, ptr_size: u32) -> Result<u32, Error> {
    let mut cur = id;
    let mut nelems: u64 = 1;
    for _ in 0..MAX_CHAIN {
        let t = btf.type_by_id(cur).ok_or(Error::at(cur.0, ErrorKind::TypeIdOutOfRange(cur.0)))?;
        let k = t.kind();
        let size = match k {
            k if k.has_size() && k != Kind::Datasec => t.size_or_type() as u64,
            Kind::Datasec => t.size_or_type() as u64,
            Kind::Ptr => ptr_size as u64,
            Kind::Typedef | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag | Kind::Var => {
                cur = TypeId(t.size_or_type());
                continue;
            }
            Kind::Array => {
                let a = t.array().ok_or(Error::at(cur.0, ErrorKind::InvalidElem))?;
                nelems = nelems.saturating_mul(a.nelems as u64);
                cur = a.elem_type;
                continue;
            }
            _ => return Err(Error::at(cur.0, ErrorKind::InvalidType)),
        };
        let total = nelems.saturating_mul(size);
        return u32::try_from(total).map_err(|_| Error::at(id.0, ErrorKind::ArraySizeOverflow));
    }
    Err(Error::at(id.0, ErrorKind::ResolveDepth))
}

impl<'a> Btf<'a> {
    /// The byte size of a type (libbpf's `btf__resolve_size`): follows modifiers, typedefs and
    /// VARs, multiplies array lengths; pointers are 8 bytes. Errors for `void`, FWD, FUNC,
    /// FUNC_PROTO, DECL_TAG, cycles and sizes above `u32::MAX`.
    pub fn resolve_size(&self, id: TypeId) -> Result<u32, Error> {
        resolve_size_with(self, id, PTR_SIZE)
    }

    /// Follow CONST, VOLATILE, RESTRICT, TYPE_TAG and TYPEDEF links (the kernel's
    /// `btf_type_skip_modifiers`). Returns the first other type, or `None` on a dangling id
    /// or an over-long chain.
    pub fn skip_modifiers(&self, id: TypeId) -> Option<Type<'_>> {
        let mut t = self.type_by_id(id)?;
        for _ in 0..MAX_CHAIN {
            if !t.kind().is_modifier() {
                return Some(t);
            }
            t = self.type_by_id(TypeId(t.size_or_type()))?;
        }
        None
    }

    /// Follow CONST, VOLATILE, RESTRICT and TYPE_TAG, but stop at a TYPEDEF (the kernel's
    /// `btf_type_skip_qualifiers`).
    pub fn skip_qualifiers(&self, id: TypeId) -> Option<Type<'_>> {
        let mut t = self.type_by_id(id)?;
        for _ in 0..MAX_CHAIN {
            if !t.kind().is_modifier() || t.kind() == Kind::Typedef {
                return Some(t);
            }
            t = self.type_by_id(TypeId(t.size_or_type()))?;
        }
        None
    }

    /// The natural alignment of a type (libbpf's `btf__align_of`): scalars align to their
    /// size capped at 8, pointers to 8, arrays to their element, structs to their most aligned
    /// member, or 1 when their layout shows they are packed. `None` for void, FWD, functions.
    pub fn align_of(&self, id: TypeId) -> Option<u32> {
        self.align_of_depth(id, 0, &mut WORK_BUDGET.clone())
    }

    fn align_of_depth(&self, id: TypeId, depth: usize, budget: &mut u32) -> Option<u32> {
        if depth > MAX_CHAIN || *budget == 0 {
            return None;
        }
        *budget -= 1;
        let t = self.type_by_id(id)?;
        match t.kind() {
            Kind::Int | Kind::Enum | Kind::Enum64 | Kind::Float => Some(t.size_or_type().min(PTR_SIZE)),
            Kind::Ptr => Some(PTR_SIZE),
            Kind::Typedef | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.align_of_depth(TypeId(t.size_or_type()), depth + 1, budget)
            }
            Kind::Array => self.align_of_depth(t.array()?.elem_type, depth + 1, budget),
            Kind::Struct | Kind::Union => {
                // A struct cannot contain itself: treat a cycle as malformed at once.
                if depth > 0 && self.skip_modifiers(id).is_none() {
                    return None;
                }
                let mut max_align = 1;
                for m in t.members() {
                    if m.ty == id {
                        return None;
                    }
                    let align = self.align_of_depth(m.ty, depth + 1, budget)?;
                    if align == 0 {
                        return None;
                    }
                    max_align = max_align.max(align);
                    if m.bitfield_size == 0 && m.bit_offset % (8 * align) != 0 {
                        return Some(1);
                    }
                }
                if t.size_or_type() % max_align != 0 {
                    return Some(1);
                }
                Some(max_align)
            }
            _ => None,
        }
    }

    /// The member named `name` of a struct or union, looking inside anonymous members; the
    /// returned offset is in bits from the start of the outer type.
    pub fn find_member(&self, id: TypeId, name: &str) -> Option<(Member<'_>, u32)> {
        self.find_member_depth(id, name, 0, &mut WORK_BUDGET.clone())
    }

    fn find_member_depth(&self, id: TypeId, name: &str, depth: usize, budget: &mut u32) -> Option<(Member<'_>, u32)> {
        if depth > MAX_CHAIN || *budget == 0 {
            return None;
        }
        *budget -= 1;
        let t = self.skip_modifiers(id)?;
        for m in t.members() {
            if m.name == name {
                return Some((m, m.bit_offset));
            }
            if m.name.is_empty()
                && let Some((inner, off)) = self.find_member_depth(m.ty, name, depth + 1, budget) {
                    return Some((inner, off.saturating_add(m.bit_offset)));
                }
        }
        None
    }
}

impl<'a> Btf<'a> {
    /// The kernel's `btf_type_id_size`, as map creation uses it to check a map's key and
    /// value types: the sized type behind `id` (through CONST/VOLATILE/RESTRICT/TYPE_TAG,
    /// TYPEDEF and VAR) and its byte size. `None` for void, FWD, FUNC, FUNC_PROTO and
    /// DECL_TAG, which cannot describe a map key or value.
    pub fn type_id_size(&self, id: TypeId) -> Option<(TypeId, u32)> {
        let mut cur = id;
        for _ in 0..MAX_CHAIN {
            let t = self.type_by_id(cur)?;
            match t.kind() {
                Kind::Void | Kind::Fwd | Kind::Func | Kind::FuncProto | Kind::DeclTag => return None,
                k if k.has_size() => return Some((cur, t.size_or_type())),
                Kind::Ptr => return Some((cur, PTR_SIZE)),
                Kind::Array => return self.resolve_size(cur).ok().map(|s| (cur, s)),
                _ => cur = TypeId(t.size_or_type()),
            }
        }
        None
    }

    /// The kernel's `map_check_btf` for the parts that do not depend on the map type: with a
    /// key type (`key != VOID`) its size must be `key_size`; the value type's size must be
    /// `value_size`. Map types add their own rules (an array's key must be a 32-bit INT).
    pub fn check_map_types(&self, key: TypeId, key_size: u32, value: TypeId, value_size: u32) -> bool {
        if !key.is_void() && self.type_id_size(key).is_none_or(|(_, s)| s != key_size) {
            return false;
        }
        self.type_id_size(value).is_some_and(|(_, s)| s == value_size)
    }
}

impl<'a> Btf<'a> {
    /// Where a member's value lives, in bits from the start of its struct: `(offset, size)`.
    ///
    /// Covers both bitfield encodings: with the struct's `kind_flag` the member carries the
    /// width itself; without it (older producers) the member points at an INT whose `offset`
    /// and `bits` describe the field. A plain member gets its type's full size.
    pub fn member_bits(&self, m: &Member<'_>) -> Option<(u32, u32)> {
        if m.bitfield_size != 0 {
            return Some((m.bit_offset, m.bitfield_size));
        }
        let t = self.skip_modifiers(m.ty)?;
        if let Some(i) = t.int()
            && (i.offset != 0 || i.bits as u32 != t.size_or_type().saturating_mul(8))
        {
            return Some((m.bit_offset.checked_add(i.offset as u32)?, i.bits as u32));
        }
        Some((m.bit_offset, self.resolve_size(m.ty).ok()?.checked_mul(8)?))
    }
}
