//! Phase 2, the resolve pass: the kernel's depth-first walk with an explicit stack, its
//! three resolve modes, member checks and function prototype checks.

use super::{meta::name_valid_identifier, roundup_bytes, MAX_RESOLVE_DEPTH};
use crate::error::{Error, ErrorKind as E};
use crate::types::{Kind, Member, Type, TypeId};
use crate::Btf;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Tbd,
    Ptr,
    StructOrArray,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    NotVisited,
    Visited,
    Resolved,
}

struct Vertex {
    id: u32,
    next_member: u16,
}

/// Why one resolve step stopped: the kernel's `-EEXIST` and `-E2BIG` are reported against the
/// type the walk started from, everything else against the type being resolved.
enum Stop {
    Loop,
    TooDeep,
    Fail(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Fail(e)
    }
}

type Step = Result<(), Stop>;

pub(super) struct Env<'v, 'b> {
    btf: &'v Btf<'b>,
    /// First id whose state lives in the vectors below (0 for a base BTF: void included).
    first: u32,
    resolved_ids: Vec<u32>,
    resolved_sizes: Vec<u32>,
    visit: Vec<Visit>,
    stack: Vec<Vertex>,
    mode: Mode,
}

fn is(t: &Option<Type<'_>>, k: Kind) -> bool {
    t.as_ref().is_some_and(|t| t.kind() == k)
}
fn nosize(t: &Type<'_>) -> bool {
    matches!(t.kind(), Kind::Void | Kind::Fwd | Kind::Func | Kind::FuncProto)
}
fn nosize_or_null(t: &Option<Type<'_>>) -> bool {
    t.as_ref().is_none_or(nosize)
}
fn source_only(t: &Type<'_>) -> bool {
    matches!(t.kind(), Kind::Var | Kind::DeclTag | Kind::Datasec)
}
pub(super) fn needs_resolve(t: &Type<'_>) -> bool {
    let k = t.kind();
    k.is_modifier()
        || k.is_composite()
        || matches!(k, Kind::Ptr | Kind::Array | Kind::Var | Kind::Func | Kind::DeclTag | Kind::Datasec)
}
fn int_is_regular(t: &Type<'_>) -> bool {
    let Some(i) = t.int() else { return false };
    let bytes = roundup_bytes(i.bits as u32);
    i.bits & 7 == 0 && i.offset == 0 && matches!(bytes, 1 | 2 | 4 | 8 | 16)
}

impl<'v, 'b> Env<'v, 'b> {
    pub(super) fn new(btf: &'v Btf<'b>) -> Self {
        let first = if btf.base().is_some() { btf.start_id().0 } else { 0 };
        let n = (btf.type_count() - first) as usize;
        Env {
            btf,
            first,
            resolved_ids: vec![0; n],
            resolved_sizes: vec![0; n],
            visit: vec![Visit::NotVisited; n],
            stack: Vec::with_capacity(MAX_RESOLVE_DEPTH),
            mode: Mode::Tbd,
        }
    }

    fn get(&self, id: u32) -> Option<Type<'v>> {
        self.btf.type_by_id(TypeId(id))
    }

    fn slot(&self, id: u32) -> Option<usize> {
        id.checked_sub(self.first).map(|i| i as usize).filter(|&i| i < self.visit.len())
    }

    pub(super) fn is_resolved(&self, id: u32) -> bool {
        if id < self.first {
            return true;
        }
        self.slot(id).is_some_and(|i| self.visit[i] == Visit::Resolved)
    }

    fn is_sink(&self, t: &Type<'_>) -> bool {
        let k = t.kind();
        match self.mode {
            Mode::Tbd => !needs_resolve(t),
            Mode::Ptr => !k.is_modifier() && k != Kind::Ptr,
            Mode::StructOrArray => !k.is_modifier() && k != Kind::Array && !k.is_composite(),
        }
    }

    fn push(&mut self, t: &Type<'_>, id: u32) -> Step {
        if self.stack.len() == MAX_RESOLVE_DEPTH {
            return Err(Stop::TooDeep);
        }
        let Some(i) = self.slot(id).filter(|&i| self.visit[i] == Visit::NotVisited) else {
            return Err(Stop::Loop);
        };
        self.visit[i] = Visit::Visited;
        self.stack.push(Vertex { id, next_member: 0 });
        if self.mode == Mode::Tbd {
            if t.kind() == Kind::Ptr {
                self.mode = Mode::Ptr;
            } else if t.kind().is_composite() || t.kind() == Kind::Array {
                self.mode = Mode::StructOrArray;
            }
        }
        Ok(())
    }

    fn pop_resolved(&mut self, resolved_id: u32, resolved_size: u32) {
        if let Some(v) = self.stack.pop()
            && let Some(i) = self.slot(v.id) {
                self.resolved_ids[i] = resolved_id;
                self.resolved_sizes[i] = resolved_size;
                self.visit[i] = Visit::Resolved;
            }
    }

    /// `btf_resolved_type_id`; for a split BTF's base types (never resolved by the kernel
    /// either) the modifier chain is followed directly.
    fn resolved_id(&self, id: u32) -> u32 {
        match self.slot(id) {
            Some(i) => self.resolved_ids[i],
            None => {
                let mut cur = id;
                for _ in 0..MAX_RESOLVE_DEPTH {
                    match self.get(cur) {
                        Some(t) if t.kind().is_modifier() || t.kind() == Kind::Var => cur = t.size_or_type(),
                        _ => break,
                    }
                }
                cur
            }
        }
    }

    fn resolved_size(&self, id: u32) -> u32 {
        match self.slot(id) {
            Some(i) => self.resolved_sizes[i],
            None => crate::resolve::resolve_size_with(self.btf, TypeId(id), 8).unwrap_or(0),
        }
    }

    /// `btf_type_id_size`: the sized type behind `id` (following resolved modifiers and
    /// VARs) and its size.
    fn id_size(&self, id: u32) -> Option<(u32, u32)> {
        let t = self.get(id)?;
        if nosize(&t) {
            return None;
        }
        let k = t.kind();
        if k.has_size() {
            return Some((id, t.size_or_type()));
        }
        match k {
            Kind::Array => Some((id, self.resolved_size(id))),
            Kind::Ptr => Some((id, 8)),
            _ if k.is_modifier() || k == Kind::Var => {
                let rid = self.resolved_id(id);
                let rt = self.get(rid)?;
                if nosize(&rt) {
                    return None;
                }
                match rt.kind() {
                    k if k.has_size() => Some((rid, rt.size_or_type())),
                    Kind::Array => Some((rid, self.resolved_size(rid))),
                    Kind::Ptr => Some((rid, 8)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `btf_resolve`: resolve `id` and everything it needs, depth first.
    pub(super) fn resolve(&mut self, t: &Type<'_>, id: u32) -> Result<(), Error> {
        self.mode = Mode::Tbd;
        let mut res = self.push(t, id);
        while res.is_ok() {
            let Some(v) = self.stack.last() else { break };
            let (vid, next_member) = (v.id, v.next_member);
            res = self.resolve_one(vid, next_member);
        }
        match res {
            Err(Stop::TooDeep) => Err(Error::at(id, E::ResolveDepth)),
            Err(Stop::Loop) => Err(Error::at(id, E::LoopDetected)),
            Err(Stop::Fail(e)) => Err(e),
            Ok(()) if !self.resolve_valid(t, id) => Err(Error::at(id, E::InvalidResolveState)),
            Ok(()) => Ok(()),
        }
    }

    fn resolve_one(&mut self, vid: u32, next_member: u16) -> Step {
        let Some(t) = self.get(vid) else { return Err(Error::at(vid, E::InvalidTypeId).into()) };
        let fail = |k| Err(Stop::Fail(Error::at(vid, k)));
        let k = t.kind();
        match k {
            _ if k.is_modifier() || k == Kind::Ptr || k == Kind::Var => {
                let mut next_id = t.size_or_type();
                let next = self.get(next_id);
                let Some(next) = next.filter(|n| !source_only(n)) else { return fail(E::InvalidTypeId) };
                if !self.is_sink(&next) && !self.is_resolved(next_id) {
                    return self.push(&next, next_id);
                }
                if matches!(k, Kind::Ptr | Kind::Var) && next.kind().is_modifier() {
                    // PTR and VAR: continue from a modifier that stopped at a pointer.
                    let rid = self.resolved_id(next_id);
                    if let Some(rt) = self.get(rid)
                        && rt.kind() == Kind::Ptr && !self.is_sink(&rt) && !self.is_resolved(rid) {
                            return self.push(&rt, rid);
                        }
                }
                match self.id_size(next_id) {
                    Some((sid, _)) => next_id = sid,
                    None if k == Kind::Var => return fail(E::InvalidTypeId),
                    None => {
                        let mut nt = Some(next);
                        if self.is_resolved(next_id) {
                            next_id = self.resolved_id(next_id);
                            nt = self.get(next_id);
                        }
                        if !nt.is_some_and(|n| matches!(n.kind(), Kind::Void | Kind::Fwd | Kind::FuncProto)) {
                            return fail(E::InvalidTypeId);
                        }
                    }
                }
                self.pop_resolved(next_id, 0);
                Ok(())
            }
            Kind::Array => {
                let Some(a) = t.array() else { return fail(E::InvalidElem) };
                let index_id = a.index_type.0;
                let index = self.get(index_id);
                if nosize_or_null(&index) || index.as_ref().is_some_and(source_only) {
                    return fail(E::InvalidIndex);
                }
                let index = index.expect("checked above");
                if !self.is_sink(&index) && !self.is_resolved(index_id) {
                    return self.push(&index, index_id);
                }
                let idx_t = self.id_size(index_id).and_then(|(i, _)| self.get(i));
                if !idx_t.as_ref().is_some_and(|t| t.kind() == Kind::Int && int_is_regular(t)) {
                    return fail(E::InvalidIndex);
                }
                let elem_id = a.elem_type.0;
                let elem = self.get(elem_id);
                if nosize_or_null(&elem) || elem.as_ref().is_some_and(source_only) {
                    return fail(E::InvalidElem);
                }
                let elem = elem.expect("checked above");
                if !self.is_sink(&elem) && !self.is_resolved(elem_id) {
                    return self.push(&elem, elem_id);
                }
                let Some((eid, esize)) = self.id_size(elem_id) else { return fail(E::InvalidElem) };
                let et = self.get(eid);
                if is(&et, Kind::Int) && !et.as_ref().is_some_and(int_is_regular) {
                    return fail(E::InvalidArrayOfInt);
                }
                if a.nelems != 0 && esize > u32::MAX / a.nelems {
                    return fail(E::ArraySizeOverflow);
                }
                self.pop_resolved(eid, esize.wrapping_mul(a.nelems));
                Ok(())
            }
            Kind::Struct | Kind::Union => {
                let members: Vec<Member<'_>> = t.members().collect();
                if next_member > 0 {
                    let last = members[next_member as usize - 1];
                    if !self.is_resolved(last.ty.0) {
                        return fail(E::InvalidResolveState);
                    }
                    let lt = self.get(last.ty.0).ok_or(Error::at(vid, E::InvalidMember))?;
                    self.check_member(&t, &last, &lt)?;
                }
                for m in &members[next_member as usize..] {
                    let mt = self.get(m.ty.0);
                    if nosize_or_null(&mt) || mt.as_ref().is_some_and(source_only) {
                        return fail(E::InvalidMember);
                    }
                    let mt = mt.expect("checked above");
                    if !self.is_sink(&mt) && !self.is_resolved(m.ty.0) {
                        if let Some(v) = self.stack.last_mut() {
                            v.next_member = m.index + 1;
                        }
                        return self.push(&mt, m.ty.0);
                    }
                    self.check_member(&t, m, &mt)?;
                }
                self.pop_resolved(0, 0);
                Ok(())
            }
            Kind::Datasec => {
                // Since Linux 6.3 (9b459804ff99) each DATASEC variable is resolved from a
                // clean slate: a pointer seen in one VAR must not make the next VAR a sink.
                self.mode = Mode::Tbd;
                let infos: Vec<_> = t.secinfos().collect();
                for (i, vsi) in infos.iter().enumerate().skip(next_member as usize) {
                    let var = self.get(vsi.ty.0).filter(|v| v.kind() == Kind::Var);
                    let Some(var) = var else { return fail(E::NotAVar) };
                    if !self.is_sink(&var) && !self.is_resolved(vsi.ty.0) {
                        if let Some(v) = self.stack.last_mut() {
                            v.next_member = i as u16 + 1;
                        }
                        return self.push(&var, vsi.ty.0);
                    }
                    let Some((_, size)) = self.id_size(var.size_or_type()) else { return fail(E::InvalidType) };
                    if vsi.size < size {
                        return fail(E::InvalidSize);
                    }
                }
                self.pop_resolved(0, 0);
                Ok(())
            }
            Kind::Func => {
                let proto_id = t.size_or_type();
                let proto = self.get(proto_id).filter(|p| p.kind() == Kind::FuncProto);
                let Some(proto) = proto else { return fail(E::InvalidTypeId) };
                for (i, p) in proto.params().enumerate() {
                    if p.name_off == 0 && p.ty.0 != 0 {
                        return fail(E::InvalidArg(i as u32 + 1));
                    }
                }
                self.pop_resolved(proto_id, 0);
                Ok(())
            }
            Kind::DeclTag => {
                let next_id = t.size_or_type();
                let next = self.get(next_id).filter(|n| {
                    matches!(n.kind(), Kind::Func | Kind::Struct | Kind::Union | Kind::Var | Kind::Typedef)
                });
                let Some(next) = next else { return fail(E::InvalidTypeId) };
                if !self.is_sink(&next) && !self.is_resolved(next_id) {
                    return self.push(&next, next_id);
                }
                let cidx = t.decl_tag_component().unwrap_or(-1);
                if cidx != -1 {
                    let vlen = match next.kind() {
                        Kind::Var | Kind::Typedef => return fail(E::InvalidComponentIdx),
                        Kind::Struct | Kind::Union => next.vlen() as u32,
                        _ => self.get(next.size_or_type()).map_or(0, |p| p.vlen() as u32),
                    };
                    if cidx as u32 >= vlen {
                        return fail(E::InvalidComponentIdx);
                    }
                }
                self.pop_resolved(next_id, 0);
                Ok(())
            }
            _ => fail(E::InvalidResolveState),
        }
    }

    /// The per-kind `check_member` / `check_kflag_member` of the member's type.
    fn check_member(&self, s: &Type<'_>, m: &Member<'_>, mt: &Type<'_>) -> Result<(), Error> {
        let sid = s.id().0;
        let fail = |k| Err(Error::at(sid, k));
        let struct_size = s.size_or_type();
        let kflag = s.kflag();
        let k = mt.kind();
        if k.is_modifier() {
            let Some((rid, _)) = self.id_size(m.ty.0) else { return fail(E::InvalidMember) };
            let rt = self.get(rid).ok_or(Error::at(sid, E::InvalidMember))?;
            let rm = Member { ty: TypeId(rid), ..*m };
            return self.check_member(s, &rm, &rt);
        }
        if kflag && !matches!(k, Kind::Int | Kind::Enum | Kind::Enum64) {
            // btf_generic_check_kflag_member
            if m.bitfield_size != 0 {
                return fail(E::InvalidMemberBitfieldSize);
            }
        }
        // Without kind_flag (or with bitfield_size 0) the raw offset is the bit offset.
        let off = m.raw_offset;
        match k {
            Kind::Int => {
                let int = mt.int().unwrap_or(crate::types::Int::from_raw(0));
                if kflag {
                    if !int_is_regular(mt) {
                        return fail(E::InvalidMemberBaseType);
                    }
                    let mut nr_bits = m.bitfield_size;
                    let bit_off = m.bit_offset;
                    if nr_bits == 0 {
                        if bit_off & 7 != 0 {
                            return fail(E::InvalidMemberOffset);
                        }
                        nr_bits = int.bits as u32;
                    } else if nr_bits > int.bits as u32 {
                        return fail(E::InvalidMemberBitfieldSize);
                    }
                    let bytes_offset = bit_off >> 3;
                    let copy = nr_bits + (bit_off & 7);
                    if copy > 128 {
                        return fail(E::CopyBitsExceed128);
                    }
                    if struct_size < bytes_offset || struct_size - bytes_offset < roundup_bytes(copy) {
                        return fail(E::MemberExceedsStructSize);
                    }
                } else {
                    if u32::MAX - off < int.offset as u32 {
                        return fail(E::BitsOffsetOverflow);
                    }
                    let bits_off = off + int.offset as u32;
                    let bytes_offset = bits_off >> 3;
                    let copy = int.bits as u32 + (bits_off & 7);
                    if copy > 128 {
                        return fail(E::CopyBitsExceed128);
                    }
                    if struct_size < bytes_offset || struct_size - bytes_offset < roundup_bytes(copy) {
                        return fail(E::MemberExceedsStructSize);
                    }
                }
                Ok(())
            }
            Kind::Enum | Kind::Enum64 if kflag => {
                let bit_off = m.bit_offset;
                let mut nr_bits = m.bitfield_size;
                if nr_bits == 0 {
                    if bit_off & 7 != 0 {
                        return fail(E::MemberNotByteAligned);
                    }
                    nr_bits = 32;
                } else if nr_bits > 32 {
                    return fail(E::InvalidMemberBitfieldSize);
                }
                if struct_size < roundup_bytes(bit_off.wrapping_add(nr_bits)) {
                    return fail(E::MemberExceedsStructSize);
                }
                Ok(())
            }
            Kind::Ptr | Kind::Array | Kind::Struct | Kind::Union | Kind::Enum | Kind::Enum64 => {
                if off & 7 != 0 {
                    return fail(E::MemberNotByteAligned);
                }
                let need = match k {
                    Kind::Ptr => 8,
                    Kind::Array => self.id_size(m.ty.0).map_or(0, |(_, s)| s),
                    _ => mt.size_or_type(),
                };
                if struct_size.wrapping_sub(off >> 3) < need {
                    return fail(E::MemberExceedsStructSize);
                }
                Ok(())
            }
            Kind::Float => {
                let size = mt.size_or_type() as u64;
                let align_bits = size.min(8) * 8;
                if align_bits == 0 || !(off as u64).is_multiple_of(align_bits) {
                    return fail(E::MemberNotProperlyAligned);
                }
                if (off as u64 / 8) + size > struct_size as u64 {
                    return fail(E::MemberExceedsStructSize);
                }
                Ok(())
            }
            _ => fail(E::InvalidMember),
        }
    }

    /// `btf_resolve_valid`: the final sanity check on what resolving recorded.
    fn resolve_valid(&self, t: &Type<'_>, id: u32) -> bool {
        if !self.is_resolved(id) {
            return false;
        }
        let k = t.kind();
        let (rid, rsize) = match self.slot(id) {
            Some(i) => (self.resolved_ids[i], self.resolved_sizes[i]),
            None => return true,
        };
        if k.is_composite() || k == Kind::Datasec {
            return rid == 0 && rsize == 0;
        }
        if matches!(k, Kind::DeclTag | Kind::Func) {
            return rid != 0 && rsize == 0;
        }
        if k.is_modifier() || matches!(k, Kind::Ptr | Kind::Var) {
            return self.get(rid).is_some_and(|r| {
                let rk = r.kind();
                !rk.is_modifier() && rk != Kind::Var && rk != Kind::Datasec
            });
        }
        if k == Kind::Array {
            let Some(a) = t.array() else { return false };
            let Some((eid, esize)) = self.id_size(a.elem_type.0) else { return false };
            return self.get(eid).is_some_and(|e| !e.kind().is_modifier())
                && a.nelems.wrapping_mul(esize) == rsize;
        }
        false
    }

    /// `btf_func_proto_check`.
    pub(super) fn func_proto_check(&mut self, t: &Type<'_>) -> Result<(), Error> {
        let tid = t.id().0;
        let ret_id = t.size_or_type();
        if ret_id != 0 {
            let Some(ret) = self.get(ret_id) else { return Err(Error::at(tid, E::InvalidReturnType)) };
            if needs_resolve(&ret) && !self.is_resolved(ret_id) {
                self.resolve(&ret, ret_id)?;
            }
            if self.id_size(ret_id).is_none() {
                return Err(Error::at(tid, E::InvalidReturnType));
            }
        }
        let params: Vec<_> = t.params().collect();
        let mut n = params.len();
        if n == 0 {
            return Ok(());
        }
        if params[n - 1].ty.0 == 0 {
            if params[n - 1].name_off != 0 {
                return Err(Error::at(tid, E::InvalidArg(n as u32)));
            }
            n -= 1;
        }
        for (i, p) in params[..n].iter().enumerate() {
            let bad = Error::at(tid, E::InvalidArg(i as u32 + 1));
            let Some(at) = self.get(p.ty.0) else { return Err(bad) };
            if p.name_off != 0
                && (!self.btf.name_offset_valid(p.name_off) || !name_valid_identifier(self.btf, p.name_off))
            {
                return Err(bad);
            }
            if needs_resolve(&at) && !self.is_resolved(p.ty.0) {
                self.resolve(&at, p.ty.0)?;
            }
            if self.id_size(p.ty.0).is_none() {
                return Err(bad);
            }
        }
        Ok(())
    }
}
