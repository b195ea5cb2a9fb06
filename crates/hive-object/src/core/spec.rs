//! Access specifications: what a relocation's access string means in the local BTF, and the
//! same access found again in a candidate target type (libbpf's `bpf_core_parse_spec` and
//! `bpf_core_spec_match`).
//!
//! An access string `0:1:2` on root type `T` reads: element 0 of an array of `T` (the
//! pointer the program dereferences), then member 1, then member (or element) 2. Members
//! are matched by name in the target, looking through anonymous structs and unions, and
//! must be [`fields_are_compat`]; array elements by index, within the target's bounds
//! unless the array is a flexible last member. The target spec accumulates the target's
//! bit offset as it goes.

use hive_btf::{Btf, CoreReloKind, Type, TypeId};

use super::compat::{TooDeep, essential, fields_are_compat, types_are_compat, types_match};

/// libbpf's `BPF_CORE_SPEC_MAX_LEN`.
const MAX_SPEC_LEN: usize = 64;

/// One step of an access: a named member, an enumerator, or an array index (`name: None`).
#[derive(Clone, Debug)]
pub(crate) struct Accessor {
    /// The composite, enum or array element type the step applies to.
    pub type_id: TypeId,
    /// Member, enumerator or element index.
    pub idx: u32,
    /// Member or enumerator name; `None` for array indexing.
    pub name: Option<String>,
}

/// A parsed access: root type, named steps, raw indices, and the bit offset they reach.
#[derive(Clone, Debug)]
pub(crate) struct Spec<'b> {
    pub btf: &'b Btf<'b>,
    pub root: TypeId,
    pub kind: CoreReloKind,
    pub accessors: Vec<Accessor>,
    pub raw: Vec<u32>,
    pub bit_offset: u64,
}

pub(crate) fn is_field(k: CoreReloKind) -> bool {
    use CoreReloKind::*;
    matches!(k, FieldByteOffset | FieldByteSize | FieldExists | FieldSigned | FieldLshiftU64 | FieldRshiftU64)
}

pub(crate) fn is_type(k: CoreReloKind) -> bool {
    use CoreReloKind::*;
    matches!(k, TypeIdLocal | TypeIdTarget | TypeExists | TypeSize | TypeMatches)
}

pub(crate) fn is_enumval(k: CoreReloKind) -> bool {
    matches!(k, CoreReloKind::EnumvalExists | CoreReloKind::EnumvalValue)
}

fn size_of(btf: &Btf<'_>, id: TypeId) -> Result<u64, String> {
    btf.resolve_size(id).map(u64::from).map_err(|e| format!("cannot size type [{id}]: {e}"))
}

/// `base + idx * size * 8`, refusing offsets no type can have.
fn add_bits(base: u64, idx: u32, size: u64) -> Result<u64, String> {
    u64::from(idx)
        .checked_mul(size * 8)
        .and_then(|b| base.checked_add(b))
        .ok_or_else(|| "bit offset overflows".to_string())
}

/// A flexible array: unsized, and the last member of the struct the previous step named.
fn is_flex(btf: &Btf<'_>, prev: Option<&Accessor>, nelems: u32) -> bool {
    let Some(prev) = prev.filter(|p| p.name.is_some()) else { return false };
    nelems == 0 && btf.type_by_id(prev.type_id).is_some_and(|t| u32::from(t.vlen()) == prev.idx + 1)
}

/// libbpf's `bpf_core_parse_spec`. Errors are reasons (the caller adds the context).
pub(crate) fn parse<'b>(btf: &'b Btf<'b>, root: TypeId, access: &str, kind: CoreReloKind) -> Result<Spec<'b>, String> {
    let mut spec = Spec { btf, root, kind, accessors: Vec::new(), raw: Vec::new(), bit_offset: 0 };
    if access.is_empty() || access.starts_with(':') {
        return Err(format!("malformed access string {access:?}"));
    }
    if is_type(kind) {
        return if access == "0" {
            Ok(spec)
        } else {
            Err(format!("type relocation with access string {access:?} (expected \"0\")"))
        };
    }
    for part in access.split(':') {
        let v: u32 = part.parse().map_err(|_| format!("malformed access string {access:?}"))?;
        if spec.raw.len() == MAX_SPEC_LEN {
            return Err("access string too long".into());
        }
        spec.raw.push(v);
    }
    let t = btf.skip_modifiers(root).ok_or("dangling root type")?;
    let mut id = t.id();
    let first = spec.raw[0];
    if is_enumval(kind) {
        if !t.kind().is_enum() || spec.raw.len() > 1 || first >= u32::from(t.vlen()) {
            return Err(format!("enum value relocation with access {access:?} on a {}", t.kind()));
        }
        let name = t.enum_values().nth(first as usize).map(|e| e.name.to_string());
        spec.accessors.push(Accessor { type_id: id, idx: first, name });
        return Ok(spec);
    }
    if !is_field(kind) {
        return Err(format!("relocation kind {} is not supported", kind.name()));
    }
    spec.accessors.push(Accessor { type_id: id, idx: first, name: None });
    spec.bit_offset = add_bits(0, first, size_of(btf, id)?)?;
    for &idx in &spec.raw[1..] {
        let t = btf.skip_modifiers(id).ok_or("dangling type")?;
        id = t.id();
        if t.kind().is_composite() {
            let m = t.member(idx as usize).ok_or_else(|| format!("member {idx} of [{id}] does not exist"))?;
            spec.bit_offset = spec.bit_offset.checked_add(u64::from(m.bit_offset)).ok_or("bit offset overflows")?;
            if !m.name.is_empty() {
                spec.accessors.push(Accessor { type_id: id, idx, name: Some(m.name.to_string()) });
            }
            id = m.ty;
        } else if let Some(a) = t.array() {
            let elem = btf.skip_modifiers(a.elem_type).ok_or("dangling array element")?.id();
            if !is_flex(btf, spec.accessors.last(), a.nelems) && idx >= a.nelems {
                return Err(format!("index {idx} past the end of an array of {}", a.nelems));
            }
            spec.accessors.push(Accessor { type_id: elem, idx, name: None });
            spec.bit_offset = add_bits(spec.bit_offset, idx, size_of(btf, elem)?)?;
            id = elem;
        } else {
            return Err(format!("access {access:?} steps into [{id}], a {}", t.kind()));
        }
    }
    Ok(spec)
}

/// The spec of a target candidate, if the access exists there (libbpf's
/// `bpf_core_spec_match`). `Err` only for malformed or too deep types.
pub(crate) fn matches<'b>(local: &Spec<'_>, tb: &'b Btf<'b>, targ_id: TypeId) -> Result<Option<Spec<'b>>, String> {
    let deep = |_: TooDeep| "type comparison too deep or dangling".to_string();
    let mut t =
        Spec { btf: tb, root: targ_id, kind: local.kind, accessors: Vec::new(), raw: Vec::new(), bit_offset: 0 };
    if is_type(local.kind) {
        let ok = if local.kind == CoreReloKind::TypeMatches {
            types_match(local.btf, local.root, tb, targ_id).map_err(deep)?
        } else {
            types_are_compat(local.btf, local.root, tb, targ_id).map_err(deep)?
        };
        return Ok(ok.then_some(t));
    }
    if is_enumval(local.kind) {
        let tt = tb.skip_modifiers(targ_id).ok_or("dangling target type")?;
        if !tt.kind().is_enum() {
            return Ok(None);
        }
        let want = essential(local.accessors[0].name.as_deref().unwrap_or(""));
        let Some(i) = tt.enum_values().position(|e| essential(e.name) == want) else { return Ok(None) };
        let name = tt.enum_values().nth(i).map(|e| e.name.to_string());
        t.accessors.push(Accessor { type_id: tt.id(), idx: i as u32, name });
        t.raw.push(i as u32);
        return Ok(Some(t));
    }
    let mut id = targ_id;
    for (i, acc) in local.accessors.iter().enumerate() {
        let tt = tb.skip_modifiers(id).ok_or("dangling target type")?;
        id = tt.id();
        if let Some(name) = &acc.name {
            let lt = local.btf.type_by_id(acc.type_id).ok_or("dangling local type")?;
            let lm = lt.member(acc.idx as usize).ok_or("local member vanished")?;
            match match_member(local.btf, lm.ty, name, tb, tt, &mut t, 0)? {
                Some(next) => id = next,
                None => return Ok(None),
            }
        } else {
            if i > 0 {
                let Some(a) = tt.array() else { return Ok(None) };
                if !is_flex(tb, t.accessors.last(), a.nelems) && acc.idx >= a.nelems {
                    return Ok(None);
                }
                id = tb.skip_modifiers(a.elem_type).ok_or("dangling target element")?.id();
            }
            if t.raw.len() == MAX_SPEC_LEN {
                return Err("access too deep".into());
            }
            t.accessors.push(Accessor { type_id: id, idx: acc.idx, name: None });
            t.raw.push(acc.idx);
            t.bit_offset = add_bits(t.bit_offset, acc.idx, size_of(tb, id)?)?;
        }
    }
    Ok(Some(t))
}

/// Finds member `name` of target composite `tt`, descending into anonymous members; on
/// success pushes the accessor and returns the member's type (libbpf's
/// `bpf_core_match_member`).
fn match_member(
    lb: &Btf<'_>,
    local_ty: TypeId,
    name: &str,
    tb: &Btf<'_>,
    tt: Type<'_>,
    spec: &mut Spec<'_>,
    depth: usize,
) -> Result<Option<TypeId>, String> {
    if depth > super::compat::MAX_DEPTH as usize {
        return Err("anonymous members nested too deep".into());
    }
    if !tt.kind().is_composite() {
        return Ok(None);
    }
    for m in tt.members() {
        if spec.raw.len() == MAX_SPEC_LEN {
            return Err("access too deep".into());
        }
        spec.bit_offset = spec.bit_offset.checked_add(u64::from(m.bit_offset)).ok_or("bit offset overflows")?;
        spec.raw.push(u32::from(m.index));
        if m.name.is_empty() {
            if let Some(inner) = tb.skip_modifiers(m.ty)
                && let Some(found) = match_member(lb, local_ty, name, tb, inner, spec, depth + 1)?
            {
                return Ok(Some(found));
            }
        } else if m.name == name {
            let ok = fields_are_compat(lb, local_ty, tb, m.ty).map_err(|_| "type comparison too deep".to_string())?;
            if !ok {
                spec.bit_offset -= u64::from(m.bit_offset);
                spec.raw.pop();
                return Ok(None);
            }
            spec.accessors.push(Accessor { type_id: tt.id(), idx: u32::from(m.index), name: Some(name.to_string()) });
            return Ok(Some(m.ty));
        }
        spec.bit_offset -= u64::from(m.bit_offset);
        spec.raw.pop();
    }
    Ok(None)
}

/// The access as C (`s.a[2].b`) for messages.
pub(crate) fn describe(spec: &Spec<'_>) -> String {
    let mut out = String::new();
    for (i, a) in spec.accessors.iter().enumerate() {
        match &a.name {
            Some(n) if is_enumval(spec.kind) => out.push_str(n),
            Some(n) => {
                out.push('.');
                out.push_str(n);
            }
            None if i == 0 && a.idx == 0 => {}
            None => out.push_str(&format!("[{}]", a.idx)),
        }
    }
    out
}
