//! BTF to C: a compilable header, as `bpftool btf dump file X format c` writes `vmlinux.h`.
//!
//! Two passes per requested type, following the contract of libbpf's `btf_dump`:
//!
//! 1. **Order** ([`CDump::order`]): a depth-first walk that puts every named definition the
//!    type needs (structs, unions, enums, typedefs, forward declarations) in a queue before
//!    it. A link through a pointer to a *named* struct is weak (a forward declaration will
//!    do); an embedded member, an array element or anything through an anonymous type is
//!    strong (the full definition must come first).
//! 2. **Emit** ([`CDump::emit`]): definitions in queue order, each preceded by the forward
//!    declarations its weak links need. Anonymous structs, unions and enums are written
//!    inline where they are used; member declarations are built with a stack of the type
//!    chain, so `int (*f[4])(void)` and `const char * const *p` come out in C's order.
//!
//! Struct layout is reproduced exactly: explicit padding members (`long: 64;`, `int: 0;`)
//! fill gaps the compiler would not, bitfields keep their widths, and a struct whose
//! members are not naturally aligned is marked `__attribute__((packed))`. Names that C would
//! see twice get `___2` suffixes, as libbpf does.
//!
//! Malformed (cyclic) BTF cannot make it loop or overflow the stack: every recursion is
//! bounded and gives up on the one type it cannot print.

use crate::types::{Kind, Type, TypeId};
use crate::Btf;
use std::collections::HashMap;
use std::fmt::Write;

const MAX_DEPTH: usize = 256;
const PREFIXES: &str = "\t\t\t\t\t\t\t\t\t\t\t\t\t";

fn pfx(lvl: usize) -> &'static str {
    &PREFIXES[..lvl.min(PREFIXES.len())]
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Order {
    #[default]
    NotOrdered,
    Ordering,
    Ordered,
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Emit {
    #[default]
    NotEmitted,
    Emitting,
    Emitted,
}

#[derive(Clone, Copy, Default)]
struct State {
    order: Order,
    emit: Emit,
    fwd_emitted: bool,
    name_resolved: bool,
    referenced: bool,
}

/// A stateful C dumper: definitions emitted once stay emitted, so dumping several types in
/// turn writes each dependency once.
#[derive(Debug)]
pub struct CDump<'b> {
    btf: &'b Btf<'b>,
    states: Vec<StateDbg>,
    cached: Vec<Option<String>>,
    type_names: HashMap<String, usize>,
    ident_names: HashMap<String, usize>,
    queue: Vec<u32>,
    out: String,
    /// Steps left before giving up on malformed (cyclic, exponentially unfolding) input.
    budget: u64,
}

/// `State` with a `Debug` impl that does not print every field of every type.
#[derive(Clone, Copy, Default)]
struct StateDbg(State);

impl std::fmt::Debug for StateDbg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("State")
    }
}

/// The whole BTF (with its base, for split BTF) as a C header, byte for byte what
/// `bpftool btf dump file X format c` prints, guards and `preserve_access_index` included.
pub fn dump_c(btf: &Btf<'_>) -> String {
    let mut d = CDump::new(btf);
    d.out.push_str(
        "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n\
         #pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n",
    );
    // As bpftool does, a split BTF's header includes the base types (it must compile alone).
    for id in 1..btf.type_count() {
        d.dump_type(TypeId(id));
    }
    d.out.push_str(
        "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n",
    );
    d.out
}

/// The C declaration of `name` with type `id` (`"const char *name"`, `"int (*name)[4]"`),
/// or the bare type when `name` is empty. Anonymous structs and enums are written inline.
pub fn c_decl(btf: &Btf<'_>, id: TypeId, name: &str) -> String {
    let mut d = CDump::new(btf);
    d.emit_type_decl(id.0, name, 0, 0);
    d.out
}

impl<'b> CDump<'b> {
    /// A dumper with nothing emitted yet.
    pub fn new(btf: &'b Btf<'_>) -> Self {
        let n = btf.type_count() as usize;
        let mut d = CDump {
            btf,
            states: vec![StateDbg::default(); n],
            cached: vec![None; n],
            type_names: HashMap::new(),
            ident_names: HashMap::new(),
            queue: Vec::new(),
            out: String::new(),
            budget: 10_000 + 64 * btf.as_bytes().len() as u64,
        };
        d.states[0].0.order = Order::Ordered;
        d.states[0].0.emit = Emit::Emitted;
        for id in 1..n as u32 {
            d.mark_referenced(id);
        }
        d
    }

    /// Emit `id` and every definition it depends on that was not emitted before.
    pub fn dump_type(&mut self, id: TypeId) {
        if id.0 as usize >= self.states.len() {
            return;
        }
        self.queue.clear();
        if self.order(id.0, false, 0).is_err() {
            return;
        }
        for q in std::mem::take(&mut self.queue) {
            self.emit(q, 0, 0);
        }
    }

    /// The text emitted so far.
    pub fn into_string(self) -> String {
        self.out
    }

    /// Spend one step; `false` once the budget is gone.
    fn tick(&mut self) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        true
    }

    fn ty(&self, id: u32) -> Option<Type<'b>> {
        self.btf.type_by_id(TypeId(id))
    }

    fn st(&mut self, id: u32) -> &mut State {
        let i = (id as usize).min(self.states.len() - 1);
        &mut self.states[i].0
    }

    fn name_of(&self, off: u32) -> String {
        self.btf.str_bytes_at(off).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    }

    fn mark_referenced(&mut self, id: u32) {
        let Some(t) = self.ty(id) else { return };
        let mut refs: Vec<u32> = Vec::new();
        match t.kind() {
            Kind::Volatile | Kind::Const | Kind::Restrict | Kind::Ptr | Kind::Typedef | Kind::Func | Kind::Var
            | Kind::DeclTag | Kind::TypeTag => refs.push(t.size_or_type()),
            Kind::Array => {
                if let Some(a) = t.array() {
                    refs.extend([a.index_type.0, a.elem_type.0]);
                }
            }
            Kind::Struct | Kind::Union => refs.extend(t.members().map(|m| m.ty.0)),
            Kind::FuncProto => refs.extend(t.params().map(|p| p.ty.0)),
            Kind::Datasec => refs.extend(t.secinfos().map(|v| v.ty.0)),
            _ => {}
        }
        for r in refs {
            if (r as usize) < self.states.len() {
                self.states[r as usize].0.referenced = true;
            }
        }
    }

    /// Pass 1: queue the definitions `id` needs. `Ok(true)` for a strong link.
    fn order(&mut self, id: u32, through_ptr: bool, depth: usize) -> Result<bool, ()> {
        if depth > MAX_DEPTH || id as usize >= self.states.len() || !self.tick() {
            return Err(());
        }
        if self.st(id).order == Order::Ordered {
            return Ok(true);
        }
        let t = self.ty(id).ok_or(())?;
        let named = t.name_off() != 0;
        if self.st(id).order == Order::Ordering {
            // A cycle is fine only through a pointer to a named struct/union.
            return if t.kind().is_composite() && through_ptr && named { Ok(false) } else { Err(()) };
        }
        match t.kind() {
            Kind::Int | Kind::Float => {
                self.st(id).order = Order::Ordered;
                Ok(false)
            }
            Kind::Ptr => {
                let r = self.order(t.size_or_type(), true, depth + 1);
                self.st(id).order = Order::Ordered;
                r
            }
            Kind::Array => self.order(t.array().ok_or(())?.elem_type.0, false, depth + 1),
            Kind::Struct | Kind::Union => {
                if through_ptr && named {
                    return Ok(false);
                }
                self.st(id).order = Order::Ordering;
                for m in t.members() {
                    self.order(m.ty.0, false, depth + 1)?;
                }
                if named {
                    self.queue.push(id);
                }
                self.st(id).order = Order::Ordered;
                Ok(true)
            }
            Kind::Enum | Kind::Enum64 | Kind::Fwd => {
                if named || !self.st(id).referenced {
                    self.queue.push(id);
                }
                self.st(id).order = Order::Ordered;
                Ok(true)
            }
            Kind::Typedef => {
                let strong = self.order(t.size_or_type(), through_ptr, depth + 1)?;
                if through_ptr && !strong {
                    return Ok(false);
                }
                self.queue.push(id);
                self.st(id).order = Order::Ordered;
                Ok(true)
            }
            Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.order(t.size_or_type(), through_ptr, depth + 1)
            }
            Kind::FuncProto => {
                let mut strong = self.order(t.size_or_type(), through_ptr, depth + 1)?;
                for p in t.params() {
                    strong |= self.order(p.ty.0, through_ptr, depth + 1)?;
                }
                Ok(strong)
            }
            Kind::Func | Kind::Var | Kind::Datasec | Kind::DeclTag => {
                self.st(id).order = Order::Ordered;
                Ok(false)
            }
            Kind::Void => Ok(false),
        }
    }

    /// Pass 2: emit the definition of `id` (top level when `cont_id == 0`), first forward
    /// declaring what it refers to weakly.
    fn emit(&mut self, id: u32, cont_id: u32, depth: usize) {
        if depth > MAX_DEPTH || id as usize >= self.states.len() || !self.tick() {
            return;
        }
        let top_level = cont_id == 0;
        if self.st(id).emit == Emit::Emitted {
            return;
        }
        let Some(t) = self.ty(id) else { return };
        let kind = t.kind();
        if self.st(id).emit == Emit::Emitting {
            if self.st(id).fwd_emitted {
                return;
            }
            match kind {
                Kind::Struct | Kind::Union => {
                    if id == cont_id || t.name_off() == 0 {
                        return;
                    }
                    self.emit_struct_fwd(id, &t);
                    self.out.push_str(";\n\n");
                    self.st(id).fwd_emitted = true;
                }
                Kind::Typedef => {
                    if !self.is_blacklisted(&t) {
                        self.emit_typedef_def(id, &t, 0, depth);
                        self.out.push_str(";\n\n");
                    }
                    self.st(id).fwd_emitted = true;
                }
                _ => {}
            }
            return;
        }
        match kind {
            Kind::Int => self.st(id).emit = Emit::Emitted,
            Kind::Enum | Kind::Enum64 => {
                if top_level {
                    self.emit_enum_def(id, &t, 0);
                    self.out.push_str(";\n\n");
                }
                self.st(id).emit = Emit::Emitted;
            }
            Kind::Ptr | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag => {
                self.emit(t.size_or_type(), cont_id, depth + 1)
            }
            Kind::Array => {
                if let Some(a) = t.array() {
                    self.emit(a.elem_type.0, cont_id, depth + 1);
                }
            }
            Kind::Fwd => {
                self.emit_fwd_def(id, &t);
                self.out.push_str(";\n\n");
                self.st(id).emit = Emit::Emitted;
            }
            Kind::Typedef => {
                self.st(id).emit = Emit::Emitting;
                self.emit(t.size_or_type(), id, depth + 1);
                if !self.st(id).fwd_emitted && !self.is_blacklisted(&t) {
                    self.emit_typedef_def(id, &t, 0, depth);
                    self.out.push_str(";\n\n");
                }
                self.st(id).emit = Emit::Emitted;
            }
            Kind::Struct | Kind::Union => {
                self.st(id).emit = Emit::Emitting;
                let anon = t.name_off() == 0;
                if top_level || anon {
                    let new_cont = if anon { cont_id } else { id };
                    let members: Vec<u32> = t.members().map(|m| m.ty.0).collect();
                    for m in members {
                        self.emit(m, new_cont, depth + 1);
                    }
                } else if !self.st(id).fwd_emitted && id != cont_id {
                    self.emit_struct_fwd(id, &t);
                    self.out.push_str(";\n\n");
                    self.st(id).fwd_emitted = true;
                }
                if top_level {
                    self.emit_struct_def(id, &t, 0, depth);
                    self.out.push_str(";\n\n");
                    self.st(id).emit = Emit::Emitted;
                } else {
                    self.st(id).emit = Emit::NotEmitted;
                }
            }
            Kind::FuncProto => {
                self.emit(t.size_or_type(), cont_id, depth + 1);
                let params: Vec<u32> = t.params().map(|p| p.ty.0).collect();
                for p in params {
                    self.emit(p, cont_id, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// `__builtin_va_list` is the compiler's own; a typedef of it would not compile.
    fn is_blacklisted(&self, t: &Type<'_>) -> bool {
        t.name_off() != 0 && t.name() == "__builtin_va_list"
    }

    /// The name to print for `id`, with a `___N` suffix for the N-th distinct type of that
    /// name in its namespace (`idents`: typedefs; otherwise struct/union/enum tags).
    fn resolve_name(&mut self, id: u32, idents: bool) -> String {
        let Some(t) = self.ty(id) else { return String::new() };
        if t.name_off() == 0 {
            return String::new();
        }
        let orig = self.name_of(t.name_off());
        let i = id as usize;
        if self.states[i].0.name_resolved {
            return self.cached[i].clone().unwrap_or(orig);
        }
        self.states[i].0.name_resolved = true;
        if t.kind() == Kind::Fwd || (t.kind() == Kind::Enum && t.vlen() == 0) {
            return orig;
        }
        let map = if idents { &mut self.ident_names } else { &mut self.type_names };
        let n = map.entry(orig.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let s = format!("{orig}___{n}");
            self.cached[i] = Some(s.clone());
            return s;
        }
        orig
    }

    fn type_name(&mut self, id: u32) -> String {
        self.resolve_name(id, false)
    }

    fn ident_name(&mut self, id: u32) -> String {
        self.resolve_name(id, true)
    }

    fn emit_struct_fwd(&mut self, id: u32, t: &Type<'_>) {
        let kw = if t.kind() == Kind::Struct { "struct" } else { "union" };
        let name = self.type_name(id);
        let sep = if t.name_off() != 0 { " " } else { "" };
        let _ = write!(self.out, "{kw}{sep}{name}");
    }

    fn emit_fwd_def(&mut self, id: u32, t: &Type<'_>) {
        let name = self.type_name(id);
        let _ = write!(self.out, "{} {name}", if t.kflag() { "union" } else { "struct" });
    }

    fn emit_typedef_def(&mut self, id: u32, t: &Type<'_>, lvl: usize, depth: usize) {
        let name = self.ident_name(id);
        if t.size_or_type() == 0 && name == "__gnuc_va_list" {
            self.out.push_str("typedef __builtin_va_list __gnuc_va_list");
            return;
        }
        self.out.push_str("typedef ");
        self.emit_type_decl(t.size_or_type(), &name, lvl, depth + 1);
    }

    fn is_packed(&self, t: &Type<'_>) -> bool {
        let mut max_align = 1;
        for m in t.members() {
            let align = self.btf.align_of(m.ty).unwrap_or(0);
            if align != 0 && m.bitfield_size == 0 && m.bit_offset % (8 * align) != 0 {
                return true;
            }
            max_align = max_align.max(align);
        }
        !t.size_or_type().is_multiple_of(max_align)
    }

    fn emit_bit_padding(&mut self, cur_off: i64, next_off: i64, next_align: i64, in_bitfield: bool, lvl: usize) {
        const PADS: [(&str, i64); 4] = [("long", 64), ("int", 32), ("short", 16), ("char", 8)];
        let mut cur = cur_off;
        if cur >= next_off {
            return;
        }
        let roundup = |x: i64, y: i64| (x + y - 1) / y * y;
        let (mut pad_type, mut pad_bits, mut new_off) = ("char", 8, 0);
        for (name, bits) in PADS {
            pad_type = name;
            pad_bits = bits;
            new_off = roundup(cur, bits);
            if new_off <= next_off {
                break;
            }
        }
        if new_off > cur && new_off <= next_off {
            if in_bitfield
                || (new_off == next_off && roundup(cur, next_align.max(1) * 8) != new_off)
                || (new_off != next_off && next_off - new_off <= new_off - cur)
            {
                let _ = write!(self.out, "\n{}{pad_type}: {};", pfx(lvl), if in_bitfield { new_off - cur } else { 0 });
            }
            cur = new_off;
        }
        while cur != next_off {
            // Each padding line costs a step: a (malformed) 4 GiB struct must not print
            // half a billion of them.
            if !self.tick() {
                return;
            }
            let bits = (next_off - cur).min(pad_bits);
            if bits == pad_bits {
                let _ = write!(self.out, "\n{}{pad_type}: {pad_bits};", pfx(lvl));
                cur += bits;
                continue;
            }
            for (name, pbits) in PADS.iter().rev() {
                if *pbits < bits {
                    continue;
                }
                pad_type = name;
                pad_bits = *pbits;
                let _ = write!(self.out, "\n{}{name}: {bits};", pfx(lvl));
                cur += bits;
                break;
            }
        }
    }

    fn emit_struct_def(&mut self, id: u32, t: &Type<'_>, lvl: usize, depth: usize) {
        let is_struct = t.kind() == Kind::Struct;
        let align = self.btf.align_of(TypeId(id)).unwrap_or(0) as i64;
        let packed = is_struct && self.is_packed(t);
        let name = self.type_name(id);
        let sep = if t.name_off() != 0 { " " } else { "" };
        let _ = write!(self.out, "{}{sep}{name} {{", if is_struct { "struct" } else { "union" });
        let mut off: i64 = 0;
        let mut prev_bitfield = false;
        for m in t.members() {
            let m_sz = m.bitfield_size as i64;
            let m_off = m.bit_offset as i64;
            let m_align = if packed { 1 } else { self.btf.align_of(m.ty).unwrap_or(0) as i64 };
            let in_bitfield = prev_bitfield && m_sz != 0;
            self.emit_bit_padding(off, m_off, m_align, in_bitfield, lvl + 1);
            let _ = write!(self.out, "\n{}", pfx(lvl + 1));
            let fname = self.name_of(m.name_off);
            self.emit_type_decl(m.ty.0, &fname, lvl + 1, depth + 1);
            if m_sz != 0 {
                let _ = write!(self.out, ": {m_sz}");
                off = m_off + m_sz;
                prev_bitfield = true;
            } else {
                let sz = self.btf.resolve_size(m.ty).unwrap_or(0) as i64;
                off = m_off + sz * 8;
                prev_bitfield = false;
            }
            self.out.push(';');
        }
        if is_struct {
            self.emit_bit_padding(off, t.size_or_type() as i64 * 8, align, false, lvl + 1);
        }
        if t.vlen() != 0 || t.size_or_type() != 0 {
            let _ = write!(self.out, "\n{}}}", pfx(lvl));
        } else {
            self.out.push('}');
        }
        if packed {
            self.out.push_str(" __attribute__((packed))");
        }
    }

    fn name_dups(&mut self, name: &str) -> usize {
        let n = self.ident_names.entry(name.to_owned()).or_insert(0);
        *n += 1;
        *n
    }

    fn emit_enum_def(&mut self, id: u32, t: &Type<'_>, lvl: usize) {
        let name = self.type_name(id);
        let sep = if t.name_off() != 0 { " " } else { "" };
        let _ = write!(self.out, "enum{sep}{name}");
        if t.vlen() == 0 {
            return;
        }
        self.out.push_str(" {");
        let values: Vec<_> = t.enum_values().collect();
        for e in &values {
            let ename = self.name_of(e.name_off);
            let dups = self.name_dups(&ename);
            let suffix = if dups > 1 { format!("___{dups}") } else { String::new() };
            let _ = match (e.is64, e.signed) {
                (false, false) => write!(self.out, "\n{}{ename}{suffix} = {},", pfx(lvl + 1), e.bits as u32),
                (false, true) => write!(self.out, "\n{}{ename}{suffix} = {},", pfx(lvl + 1), e.bits as u32 as i32),
                (true, false) => write!(self.out, "\n{}{ename}{suffix} = {}ULL,", pfx(lvl + 1), e.bits),
                (true, true) => write!(self.out, "\n{}{ename}{suffix} = {}LL,", pfx(lvl + 1), e.bits as i64),
            };
        }
        let _ = write!(self.out, "\n{}}}", pfx(lvl));
        let size = t.size_or_type();
        if size == 1 {
            self.out.push_str(" __attribute__((mode(byte)))");
        } else if size == 8 {
            let needs_word = t.kind() == Kind::Enum || values.iter().all(|e| e.bits >> 32 == 0);
            if needs_word {
                self.out.push_str(" __attribute__((mode(word)))");
            }
        }
    }

    /// A declaration of `fname` with type `id`, in C syntax.
    fn emit_type_decl(&mut self, id: u32, fname: &str, lvl: usize, depth: usize) {
        let mut stack: Vec<u32> = Vec::new();
        let mut cur = id;
        loop {
            stack.push(cur);
            if cur == 0 || stack.len() > MAX_DEPTH {
                break;
            }
            let Some(t) = self.ty(cur) else { break };
            match t.kind() {
                Kind::Ptr | Kind::Volatile | Kind::Const | Kind::Restrict | Kind::FuncProto | Kind::TypeTag => {
                    cur = t.size_or_type()
                }
                Kind::Array => match t.array() {
                    Some(a) => cur = a.elem_type.0,
                    None => break,
                },
                _ => break,
            }
        }
        self.emit_type_chain(&mut stack, fname, lvl, depth);
    }

    fn emit_mods(&mut self, decls: &mut Vec<u32>) {
        while let Some(&id) = decls.last() {
            let Some(t) = self.ty(id) else { return };
            let s = match t.kind() {
                Kind::Volatile => "volatile ",
                Kind::Const => "const ",
                Kind::Restrict => "restrict ",
                _ => return,
            };
            self.out.push_str(s);
            decls.pop();
        }
    }

    fn drop_mods(&mut self, decls: &mut Vec<u32>) {
        while let Some(&id) = decls.last() {
            match self.ty(id).map(|t| t.kind()) {
                Some(Kind::Volatile | Kind::Const | Kind::Restrict | Kind::TypeTag) => {
                    decls.pop();
                }
                _ => return,
            }
        }
    }

    fn emit_name(&mut self, name: &str, last_was_ptr: bool) {
        if !name.is_empty() && !last_was_ptr {
            self.out.push(' ');
        }
        self.out.push_str(name);
    }

    /// Pops the stack of a type chain (outermost type first, as pushed) and writes it.
    fn emit_type_chain(&mut self, decls: &mut Vec<u32>, fname: &str, lvl: usize, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let mut last_was_ptr = true;
        while let Some(id) = decls.pop() {
            if !self.tick() {
                return;
            }
            if id == 0 {
                self.emit_mods(decls);
                self.out.push_str("void");
                last_was_ptr = false;
                continue;
            }
            let Some(t) = self.ty(id) else { return };
            let kind = t.kind();
            match kind {
                Kind::Int | Kind::Float => {
                    self.emit_mods(decls);
                    let n = self.name_of(t.name_off());
                    self.out.push_str(&n);
                }
                Kind::Struct | Kind::Union => {
                    self.emit_mods(decls);
                    if t.name_off() == 0 {
                        self.emit_struct_def(id, &t, lvl, depth + 1);
                    } else {
                        self.emit_struct_fwd(id, &t);
                    }
                }
                Kind::Enum | Kind::Enum64 => {
                    self.emit_mods(decls);
                    if t.name_off() == 0 {
                        self.emit_enum_def(id, &t, lvl);
                    } else {
                        let n = self.type_name(id);
                        let _ = write!(self.out, "enum {n}");
                    }
                }
                Kind::Fwd => {
                    self.emit_mods(decls);
                    self.emit_fwd_def(id, &t);
                }
                Kind::Typedef => {
                    self.emit_mods(decls);
                    let n = self.ident_name(id);
                    self.out.push_str(&n);
                }
                Kind::Ptr => self.out.push_str(if last_was_ptr { "*" } else { " *" }),
                Kind::Volatile => self.out.push_str(" volatile"),
                Kind::Const => self.out.push_str(" const"),
                Kind::Restrict => self.out.push_str(" restrict"),
                Kind::TypeTag => {
                    self.emit_mods(decls);
                    let n = self.name_of(t.name_off());
                    if t.kflag() {
                        let _ = write!(self.out, " __attribute__(({n}))");
                    } else {
                        let _ = write!(self.out, " __attribute__((btf_type_tag(\"{n}\")))");
                    }
                }
                Kind::Array => {
                    let nelems = t.array().map_or(0, |a| a.nelems);
                    self.drop_mods(decls);
                    if decls.is_empty() {
                        self.emit_name(fname, last_was_ptr);
                        let _ = write!(self.out, "[{nelems}]");
                        return;
                    }
                    let multidim = decls.last().and_then(|&n| self.ty(n)).is_some_and(|n| n.kind() == Kind::Array);
                    if !fname.is_empty() && !last_was_ptr {
                        self.out.push(' ');
                    }
                    if !multidim {
                        self.out.push('(');
                    }
                    self.emit_type_chain(decls, fname, lvl, depth + 1);
                    if !multidim {
                        self.out.push(')');
                    }
                    let _ = write!(self.out, "[{nelems}]");
                    return;
                }
                Kind::FuncProto => {
                    self.drop_mods(decls);
                    if decls.is_empty() {
                        self.emit_name(fname, last_was_ptr);
                    } else {
                        self.out.push_str(" (");
                        self.emit_type_chain(decls, fname, lvl, depth + 1);
                        self.out.push(')');
                    }
                    self.out.push('(');
                    let params: Vec<_> = t.params().collect();
                    if params.is_empty() || (params.len() == 1 && params[0].ty.0 == 0) {
                        self.out.push_str("void)");
                        return;
                    }
                    for (i, p) in params.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        if i == params.len() - 1 && p.ty.0 == 0 {
                            self.out.push_str("...");
                            break;
                        }
                        let pname = self.name_of(p.name_off);
                        self.emit_type_decl(p.ty.0, &pname, lvl, depth + 1);
                    }
                    self.out.push(')');
                    return;
                }
                _ => return,
            }
            last_was_ptr = kind == Kind::Ptr;
        }
        self.emit_name(fname, last_was_ptr);
    }
}
