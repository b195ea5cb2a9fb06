//! Externs: undefined symbols that BTF places in `.kconfig` or `.ksyms`.
//!
//! libbpf's rule (`bpf_object__collect_externs`): an extern is an undefined `STT_NOTYPE`
//! symbol with global or weak binding, and the object's BTF must declare it, as an extern
//! `VAR` or `FUNC` listed in the `.kconfig` or `.ksyms` `DATASEC`.
//!
//! - `.kconfig` variables become bytes of the `.kconfig` map ([`crate::kconfig`]); loads of
//!   them become `Pseudo::MapIdxValue` references into it.
//! - `.ksyms` functions are kfuncs: a `call` to one becomes
//!   `CallTarget::Kfunc { btf_id: 0, off: 0 }` and a [`ExternRef`] names it, so the runtime
//!   resolves the name against its own kfunc registry and patches the id (or, for a weak
//!   kfunc it does not have, poisons the call as libbpf does).
//! - `.ksyms` variables are kernel variables: `lddw rX, sym` becomes a `Pseudo::BtfId` load
//!   (typed ksym) or a plain `lddw rX, 0` (typeless `extern void sym __ksym`, an address), with
//!   an [`ExternRef`] for the runtime.
//!
//! Which kfuncs and kernel variables exist is the runtime's business, not the object's:
//! nothing here consults a target BTF.

use std::collections::HashMap;

use hive_btf::{Btf, FuncLinkage, Kind, TypeId, VarLinkage};
use object::elf;

use crate::elf::{Elf, SymSection};
use crate::error::{ObjectError, extern_err};

/// What an extern reference in a program refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternKind {
    /// A call to a kfunc (`call` with `src = BPF_PSEUDO_KFUNC_CALL`).
    Kfunc,
    /// `lddw rX, kfunc`: the kfunc's address, as `bpf_ksym_exists()` takes it
    /// (`Pseudo::BtfId`).
    KfuncAddr,
    /// `lddw rX, var` of a typed kernel variable (`Pseudo::BtfId`).
    TypedVar,
    /// `lddw rX, var` of a typeless kernel symbol (`extern void x __ksym`): a plain
    /// 64-bit address the runtime fills in.
    Address,
}

/// One instruction that refers to a `.ksyms` extern, for the runtime to resolve.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExternRef {
    /// The instruction (slot index in the final program).
    pub insn: usize,
    /// The extern's name.
    pub name: String,
    /// What it is.
    pub kind: ExternKind,
    /// Declared `__weak`: may be missing (then libbpf loads 0 or poisons the call).
    pub weak: bool,
    /// The local BTF declaration: the `FUNC` of a kfunc (its prototype is what the kernel
    /// checks against), the variable's type for a typed ksym.
    pub btf_type_id: Option<TypeId>,
}

/// A `.kconfig` value's C type, as libbpf classifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KcfgType {
    Bool,
    Char,
    Tristate,
    Int { signed: bool },
    CharArray,
}

/// One extern of the object.
#[derive(Clone, Debug)]
pub(crate) enum Extern {
    Kconfig { ty: KcfgType, size: u32, align: u32, weak: bool },
    Kfunc { weak: bool, func: TypeId },
    Var { weak: bool, typed: bool, type_id: TypeId },
}

/// The object's externs by name, or why one is unusable (reported when a program uses it).
#[derive(Debug, Default)]
pub(crate) struct Externs {
    pub by_name: HashMap<String, Result<Extern, ObjectError>>,
}

impl Externs {
    pub fn get(&self, name: &str) -> Result<&Extern, ObjectError> {
        match self.by_name.get(name) {
            Some(Ok(e)) => Ok(e),
            Some(Err(e)) => Err(e.clone()),
            None => Err(extern_err(name, "not an extern of this object")),
        }
    }
}

fn kcfg_type(btf: &Btf<'_>, ty: TypeId) -> Option<KcfgType> {
    let t = btf.skip_modifiers(ty)?;
    match t.kind() {
        Kind::Int => {
            let i = t.int()?;
            let size = t.size_or_type();
            if i.is_bool() && size == 1 {
                Some(KcfgType::Bool)
            } else if i.is_char() && size == 1 {
                Some(KcfgType::Char)
            } else if matches!(size, 1 | 2 | 4 | 8) && i.offset == 0 && u32::from(i.bits) == size * 8 {
                Some(KcfgType::Int { signed: i.is_signed() })
            } else {
                None
            }
        }
        Kind::Enum | Kind::Enum64 if t.name() == "libbpf_tristate" && t.size_or_type() == 4 => Some(KcfgType::Tristate),
        Kind::Array => {
            let a = t.array()?;
            let e = btf.skip_modifiers(a.elem_type)?;
            let char_like = e.kind() == Kind::Int && e.size_or_type() == 1 && e.int().is_some_and(|i| !i.is_bool());
            char_like.then_some(KcfgType::CharArray)
        }
        _ => None,
    }
}

/// Classifies every extern symbol of the object.
pub(crate) fn collect(elf: &Elf<'_>, btf: Option<&Btf<'_>>) -> Externs {
    let mut out = Externs::default();
    let undefined = elf.symbols.iter().filter(|s| {
        s.section == SymSection::Undefined && s.is_global() && s.st_type == elf::STT_NOTYPE && !s.name.is_empty()
    });
    let (kconfig, ksyms) = match btf {
        Some(b) => (secinfo_ids(b, ".kconfig"), secinfo_ids(b, ".ksyms")),
        None => (Vec::new(), Vec::new()),
    };
    for sym in undefined {
        let weak = sym.is_weak();
        let r = classify(btf, &sym.name, weak, &kconfig, &ksyms);
        out.by_name.insert(sym.name.clone(), r);
    }
    out
}

fn secinfo_ids(btf: &Btf<'_>, name: &str) -> Vec<TypeId> {
    let ds = btf.find_by_name_kind(name, Kind::Datasec).and_then(|id| btf.type_by_id(id));
    ds.map(|t| t.secinfos().map(|v| v.ty).collect()).unwrap_or_default()
}

fn classify(
    btf: Option<&Btf<'_>>,
    name: &str,
    weak: bool,
    kconfig: &[TypeId],
    ksyms: &[TypeId],
) -> Result<Extern, ObjectError> {
    let btf = btf.ok_or_else(|| {
        extern_err(name, "undefined symbol, and the object has no BTF to declare it as __kconfig or __ksym")
    })?;
    let named = |ids: &[TypeId]| ids.iter().copied().find(|&id| btf.type_by_id(id).is_some_and(|t| t.name() == name));
    if let Some(id) = named(kconfig) {
        let var = btf
            .type_by_id(id)
            .filter(|t| t.kind() == Kind::Var)
            .ok_or_else(|| extern_err(name, ".kconfig entry is not a variable"))?;
        check_extern_var(name, var.var_linkage())?;
        let ty = TypeId(var.size_or_type());
        let kind = kcfg_type(btf, ty).ok_or_else(|| {
            extern_err(name, "__kconfig type is unsupported (bool, char, tristate, integers and char arrays are)")
        })?;
        let size = btf.resolve_size(ty).map_err(|e| extern_err(name, format!("cannot size the type: {e}")))?;
        let align = btf.align_of(ty).unwrap_or(1).max(1);
        return Ok(Extern::Kconfig { ty: kind, size, align, weak });
    }
    if let Some(id) = named(ksyms) {
        let t = btf.type_by_id(id).ok_or_else(|| extern_err(name, "dangling .ksyms entry"))?;
        return match t.kind() {
            Kind::Func => {
                if t.func_linkage() != Some(FuncLinkage::Extern) {
                    return Err(extern_err(name, "kfunc declaration is not extern"));
                }
                Ok(Extern::Kfunc { weak, func: id })
            }
            Kind::Var => {
                check_extern_var(name, t.var_linkage())?;
                let ty = TypeId(t.size_or_type());
                let typed = btf.skip_modifiers(ty).is_some_and(|t| t.kind() != Kind::Void);
                Ok(Extern::Var { weak, typed, type_id: ty })
            }
            k => Err(extern_err(name, format!(".ksyms entry is a {k}, not a FUNC or VAR"))),
        };
    }
    Err(extern_err(name, "undefined symbol that is neither __kconfig nor __ksym (no .kconfig/.ksyms DATASEC lists it)"))
}

fn check_extern_var(name: &str, linkage: Option<VarLinkage>) -> Result<(), ObjectError> {
    match linkage {
        Some(VarLinkage::GlobalExtern) => Ok(()),
        _ => Err(extern_err(name, "declaration is not extern")),
    }
}
