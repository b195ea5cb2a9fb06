//! A minimal, self-contained BTF cut out of a larger one: [`Btf::subset`].
//!
//! A loader that gives each program a BTF of its own (cilium/ebpf does, and so does Hive)
//! needs the program's `FUNC`s and the types its `bpf_core_type_id_local` relocations name,
//! plus everything those refer to, renumbered from 1, with the strings its line info points
//! at. The result is a base BTF that `BPF_BTF_LOAD` accepts whenever the types it was cut
//! from are acceptable: every reference inside it resolves, and every record is copied
//! unchanged except for its ids.
//!
//! What is taken, and in which order: see [`Subset`]. `void` (id 0) stays 0 and is never
//! renumbered.

use std::collections::HashMap;

use crate::builder::{BtfBuilder, TypeDef, def_of};
use crate::error::{Error, ErrorKind};
use crate::types::{Kind, TypeId};
use crate::Btf;

/// Some types of a [`Btf`] and everything they refer to, renumbered: a [`BtfBuilder`] to add
/// strings to and serialise, and the map from the source's ids to the new ones.
///
/// What [`Btf::subset`] takes, in new-id order:
///
/// 1. The roots, in the order given, each followed depth first by the types it refers to
///    (in record order: a struct's members, a prototype's return type then its parameters,
///    an array's element then its index). A type gets its id the first time it is reached,
///    so the same roots and source always give the same bytes.
/// 2. Every `DECL_TAG` of the source whose target was taken, in source id order (the kernel
///    reads `arg:ctx` and `exception_callback:` tags from a program's BTF).
///
/// Records are copied unchanged but for their ids, so the result passes the kernel's checks
/// whenever the taken types did in the source.
///
/// ```
/// use hive_btf::{Btf, BtfBuilder, TypeDef, TypeId, FuncLinkage};
/// let mut b = BtfBuilder::new();
/// let unused = b.int("long", 8, true);
/// let int = b.int("int", 4, true);
/// let proto = b.add(TypeDef::FuncProto { ret: int, params: vec![("x".into(), int)] });
/// let f = b.add(TypeDef::Func { name: "f".into(), proto, linkage: FuncLinkage::Global });
/// let bytes = b.to_bytes();
/// let btf = Btf::parse(&bytes).unwrap();
///
/// let mut sub = btf.subset([f]).unwrap();
/// assert_eq!(sub.id(f), Some(TypeId(1)));
/// assert_eq!(sub.id(proto), Some(TypeId(2)));
/// assert_eq!(sub.id(int), Some(TypeId(3)));
/// assert_eq!(sub.id(unused), None);
/// let line = sub.add_str("return x;");
/// let out = sub.to_bytes();
/// let small = Btf::parse_strict(&out).unwrap();
/// assert_eq!(small.type_count(), 4);
/// assert_eq!(small.str_at(line), Some("return x;"));
/// ```
#[derive(Clone, Debug)]
pub struct Subset {
    builder: BtfBuilder,
    /// Source id of each new id (index = new id - 1).
    old: Vec<TypeId>,
    new: HashMap<TypeId, TypeId>,
}

impl Btf<'_> {
    /// The types `roots` and every type they refer to, directly or not, as a new base BTF
    /// (see [`Subset`]). `void` roots are ignored; an id past the last type is an
    /// `Invalid type_id` error naming it. Types of a split BTF's base are taken like its own.
    pub fn subset(&self, roots: impl IntoIterator<Item = TypeId>) -> Result<Subset, Error> {
        let mut new: HashMap<TypeId, TypeId> = HashMap::new();
        let mut old: Vec<TypeId> = Vec::new();
        let mut defs: Vec<TypeDef> = Vec::new();
        fn take(id: TypeId, def: TypeDef, old: &mut Vec<TypeId>, new: &mut HashMap<TypeId, TypeId>, defs: &mut Vec<TypeDef>) {
            old.push(id);
            new.insert(id, TypeId(old.len() as u32));
            defs.push(def);
        }
        for root in roots {
            let mut stack = vec![root];
            while let Some(id) = stack.pop() {
                if id.is_void() || new.contains_key(&id) {
                    continue;
                }
                let t = self.type_by_id(id).ok_or(Error::at(id.0, ErrorKind::InvalidTypeId))?;
                let mut def = def_of(&t);
                let mut refs = Vec::new();
                def.for_each_id_mut(|r| refs.push(*r));
                stack.extend(refs.into_iter().rev());
                take(id, def, &mut old, &mut new, &mut defs);
            }
        }
        for id in (1..self.type_count()).map(TypeId) {
            let Some(t) = self.type_by_id(id) else { continue };
            if t.kind() == Kind::DeclTag && !new.contains_key(&id) && new.contains_key(&TypeId(t.size_or_type())) {
                take(id, def_of(&t), &mut old, &mut new, &mut defs);
            }
        }
        for d in &mut defs {
            d.for_each_id_mut(|id| {
                if !id.is_void() {
                    // Every reference of a taken type was taken (depth first above; a tag's
                    // target by the filter).
                    *id = new[id];
                }
            });
        }
        Ok(Subset { builder: BtfBuilder::from_defs(defs), old, new })
    }
}

impl Subset {
    /// The new id of the source's type `old` (`void` for `void`), `None` when it was not
    /// taken.
    pub fn id(&self, old: TypeId) -> Option<TypeId> {
        if old.is_void() { Some(TypeId::VOID) } else { self.new.get(&old).copied() }
    }

    /// `(source id, new id)` of every type taken, in new-id order.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = (TypeId, TypeId)> + '_ {
        self.old.iter().enumerate().map(|(i, &o)| (o, TypeId(i as u32 + 1)))
    }

    /// Number of types taken.
    pub fn len(&self) -> usize {
        self.old.len()
    }

    /// No type was taken: the BTF would be refused (`No type found`).
    pub fn is_empty(&self) -> bool {
        self.old.is_empty()
    }

    /// Put a string in the new string section and return its offset
    /// ([`BtfBuilder::add_str`]).
    pub fn add_str(&mut self, s: &str) -> u32 {
        self.builder.add_str(s)
    }

    /// The builder (to add more types after the taken ones).
    pub fn builder_mut(&mut self) -> &mut BtfBuilder {
        &mut self.builder
    }

    /// The new BTF as bytes ([`BtfBuilder::to_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.builder.to_bytes()
    }
}
