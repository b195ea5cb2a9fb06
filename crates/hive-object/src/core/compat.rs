//! When a target type may stand for a local one: libbpf's three notions of compatibility.
//!
//! - [`types_are_compat`] (type-based relocations, candidate filtering): same kind after
//!   skipping modifiers and typedefs (any two enums count as one kind); composites, enums
//!   and forward declarations match by kind alone; integers unless one is a legacy bitfield
//!   integer (non-zero `offset`); pointers and arrays by their targets; function prototypes
//!   by arity, parameters and return type.
//! - [`fields_are_compat`] (each step of a field access): any two composites; enums and
//!   forwards when their essential names agree or one is anonymous; integers, pointers and
//!   floats by kind; arrays by element.
//! - [`types_match`] (`bpf_core_type_matches`): a structural match, names included, members
//!   by name, enums by enumerator names and size, integers by size and signedness, with
//!   looser rules behind a pointer (a struct matches a forward declaration there).
//!
//! Recursion is bounded by [`MAX_DEPTH`] (libbpf's 32); running out is an error, not a hang.

use hive_btf::{Btf, Kind, Type, TypeId};

/// Recursion limit of every comparison.
pub(crate) const MAX_DEPTH: i32 = 32;

/// The type comparison went too deep or hit a dangling id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooDeep;

/// A name without its `___flavour` suffix: everything before the last `___` that has a
/// non-underscore on both sides (libbpf's `bpf_core_essential_name_len`).
pub(crate) fn essential(name: &str) -> &str {
    let b = name.as_bytes();
    if b.len() >= 5 {
        for i in (0..=b.len() - 5).rev() {
            if b[i] != b'_' && b[i + 1] == b'_' && b[i + 2] == b'_' && b[i + 3] == b'_' && b[i + 4] != b'_' {
                return &name[..=i];
            }
        }
    }
    name
}

/// Same kind, or both enums of either width.
pub(crate) fn kind_compat(a: Kind, b: Kind) -> bool {
    a == b || (a.is_enum() && b.is_enum())
}

fn skip<'b>(btf: &'b Btf<'_>, id: TypeId) -> Result<Type<'b>, TooDeep> {
    btf.skip_modifiers(id).ok_or(TooDeep)
}

fn int_plain(t: &Type<'_>) -> bool {
    t.int().is_some_and(|i| i.offset == 0)
}

/// libbpf's `bpf_core_types_are_compat`.
pub(crate) fn types_are_compat(lb: &Btf<'_>, lid: TypeId, tb: &Btf<'_>, tid: TypeId) -> Result<bool, TooDeep> {
    compat_rec(lb, lid, tb, tid, MAX_DEPTH)
}

fn compat_rec(lb: &Btf<'_>, mut lid: TypeId, tb: &Btf<'_>, mut tid: TypeId, level: i32) -> Result<bool, TooDeep> {
    let mut depth = MAX_DEPTH;
    loop {
        depth -= 1;
        if depth < 0 || level <= 0 {
            return Err(TooDeep);
        }
        let (l, t) = (skip(lb, lid)?, skip(tb, tid)?);
        if !kind_compat(l.kind(), t.kind()) {
            return Ok(false);
        }
        match l.kind() {
            Kind::Void | Kind::Struct | Kind::Union | Kind::Enum | Kind::Enum64 | Kind::Fwd => return Ok(true),
            Kind::Int => return Ok(int_plain(&l) && int_plain(&t)),
            Kind::Ptr => (lid, tid) = (TypeId(l.size_or_type()), TypeId(t.size_or_type())),
            Kind::Array => {
                let (la, ta) = (l.array().ok_or(TooDeep)?, t.array().ok_or(TooDeep)?);
                (lid, tid) = (la.elem_type, ta.elem_type);
            }
            Kind::FuncProto => {
                if l.vlen() != t.vlen() {
                    return Ok(false);
                }
                for (lp, tp) in l.params().zip(t.params()) {
                    if !compat_rec(lb, lp.ty, tb, tp.ty, level - 1)? {
                        return Ok(false);
                    }
                }
                (lid, tid) = (TypeId(l.size_or_type()), TypeId(t.size_or_type()));
            }
            _ => return Ok(false),
        }
    }
}

/// libbpf's `bpf_core_fields_are_compat`.
pub(crate) fn fields_are_compat(lb: &Btf<'_>, mut lid: TypeId, tb: &Btf<'_>, mut tid: TypeId) -> Result<bool, TooDeep> {
    let mut depth = MAX_DEPTH;
    loop {
        depth -= 1;
        if depth < 0 {
            return Err(TooDeep);
        }
        let (l, t) = (skip(lb, lid)?, skip(tb, tid)?);
        if l.kind().is_composite() && t.kind().is_composite() {
            return Ok(true);
        }
        if !kind_compat(l.kind(), t.kind()) {
            return Ok(false);
        }
        match l.kind() {
            Kind::Ptr | Kind::Float => return Ok(true),
            Kind::Fwd | Kind::Enum | Kind::Enum64 => {
                let (ln, tn) = (essential(l.name()), essential(t.name()));
                return Ok(ln.is_empty() || tn.is_empty() || ln == tn);
            }
            Kind::Int => return Ok(int_plain(&l) && int_plain(&t)),
            Kind::Array => {
                let (la, ta) = (l.array().ok_or(TooDeep)?, t.array().ok_or(TooDeep)?);
                (lid, tid) = (la.elem_type, ta.elem_type);
            }
            _ => return Ok(false),
        }
    }
}

/// Essential names agree; an anonymous target only matches an anonymous local.
fn names_match(l: &str, t: &str) -> bool {
    if t.is_empty() {
        return l.is_empty();
    }
    essential(l) == essential(t)
}

/// libbpf's `bpf_core_types_match`.
pub(crate) fn types_match(lb: &Btf<'_>, lid: TypeId, tb: &Btf<'_>, tid: TypeId) -> Result<bool, TooDeep> {
    match_rec(lb, lid, tb, tid, false, MAX_DEPTH)
}

fn match_rec(
    lb: &Btf<'_>,
    mut lid: TypeId,
    tb: &Btf<'_>,
    mut tid: TypeId,
    mut behind_ptr: bool,
    level: i32,
) -> Result<bool, TooDeep> {
    if level <= 0 {
        return Err(TooDeep);
    }
    let mut depth = MAX_DEPTH;
    loop {
        depth -= 1;
        if depth < 0 {
            return Err(TooDeep);
        }
        let (l, t) = (skip(lb, lid)?, skip(tb, tid)?);
        if !names_match(l.name(), t.name()) {
            return Ok(false);
        }
        let (lk, tk) = (l.kind(), t.kind());
        match lk {
            Kind::Void => return Ok(lk == tk),
            Kind::Fwd => {
                let lf = l.kflag();
                return Ok(if behind_ptr && tk != Kind::Fwd {
                    (tk == Kind::Struct && !lf) || (tk == Kind::Union && lf)
                } else {
                    tk == Kind::Fwd && lf == t.kflag()
                });
            }
            Kind::Enum | Kind::Enum64 => {
                if !tk.is_enum() || l.size_or_type() != t.size_or_type() || l.vlen() > t.vlen() {
                    return Ok(false);
                }
                let all = l.enum_values().all(|lv| t.enum_values().any(|tv| names_match(lv.name, tv.name)));
                return Ok(all);
            }
            Kind::Struct | Kind::Union => {
                if behind_ptr {
                    return Ok(lk == tk || (tk == Kind::Fwd && (lk == Kind::Union) == t.kflag()));
                }
                if lk != tk || l.vlen() > t.vlen() {
                    return Ok(false);
                }
                for lm in l.members() {
                    let mut found = false;
                    for tm in t.members().filter(|tm| names_match(lm.name, tm.name)) {
                        if match_rec(lb, lm.ty, tb, tm.ty, behind_ptr, level - 1)? {
                            found = true;
                            break;
                        }
                    }
                    if !found {
                        return Ok(false);
                    }
                }
                return Ok(true);
            }
            Kind::Int => {
                let (li, ti) = match (l.int(), t.int()) {
                    (Some(a), Some(b)) if tk == Kind::Int => (a, b),
                    _ => return Ok(false),
                };
                return Ok(l.size_or_type() == t.size_or_type() && li.is_signed() == ti.is_signed());
            }
            Kind::Ptr => {
                if tk != Kind::Ptr {
                    return Ok(false);
                }
                behind_ptr = true;
                (lid, tid) = (TypeId(l.size_or_type()), TypeId(t.size_or_type()));
            }
            Kind::Array => {
                let (Some(la), Some(ta)) = (l.array(), t.array()) else { return Ok(false) };
                if la.nelems != ta.nelems {
                    return Ok(false);
                }
                (lid, tid) = (la.elem_type, ta.elem_type);
            }
            Kind::FuncProto => {
                if tk != Kind::FuncProto || l.vlen() != t.vlen() {
                    return Ok(false);
                }
                for (lp, tp) in l.params().zip(t.params()) {
                    if !match_rec(lb, lp.ty, tb, tp.ty, behind_ptr, level - 1)? {
                        return Ok(false);
                    }
                }
                (lid, tid) = (TypeId(l.size_or_type()), TypeId(t.size_or_type()));
            }
            _ => return Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn essential_names() {
        assert_eq!(essential("task_struct___old"), "task_struct");
        assert_eq!(essential("ambiguous___flavour"), "ambiguous");
        assert_eq!(essential("a___b___c"), "a___b");
        assert_eq!(essential("____btf"), "____btf");
        assert_eq!(essential("x____y"), "x____y");
        assert_eq!(essential("abc"), "abc");
    }
}
