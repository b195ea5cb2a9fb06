//! `Btf::subset`: the roots and everything they refer to, renumbered deterministically, as a
//! BTF the kernel's checks accept; every taken type is the source's with its ids mapped.

mod common;

use hive_btf::{Btf, BtfBuilder, BtfExt, FuncLinkage, Kind, MemberDef, Subset, TypeDef, TypeId};

/// Every taken type is its source type with ids mapped, and nothing else is in the subset.
fn assert_faithful(src: &Btf<'_>, sub: &Subset, bytes: &[u8]) {
    let all = src.to_defs();
    let out = Btf::parse(bytes).unwrap().to_defs();
    assert_eq!(out.len(), sub.len());
    for (old, new) in sub.ids() {
        let mut want = all[old.0 as usize - 1].clone();
        want.for_each_id_mut(|id| *id = sub.id(*id).expect("a reference of a taken type was not taken"));
        assert_eq!(out[new.0 as usize - 1], want, "[{old}] -> [{new}]");
    }
}

/// A small BTF with a cycle, a decl tag, and types nothing refers to.
fn sample() -> (Vec<u8>, [TypeId; 8]) {
    let mut b = BtfBuilder::new();
    let unused = b.add(TypeDef::Composite { union: false, name: "unused".into(), size: 0, kflag: false, members: vec![] }); // 1
    let int = b.int("int", 4, true); // 2
    let node = TypeId(4);
    let ptr = b.ptr(node); // 3
    let s = b.add(TypeDef::Composite {
        // 4: struct node { struct node *next; int v; }
        union: false,
        name: "node".into(),
        size: 16,
        kflag: false,
        members: vec![
            MemberDef { name: "next".into(), ty: ptr, bit_offset: 0, bitfield_size: 0 },
            MemberDef { name: "v".into(), ty: int, bit_offset: 64, bitfield_size: 0 },
        ],
    });
    assert_eq!(s, node);
    let proto = b.add(TypeDef::FuncProto { ret: int, params: vec![("n".into(), ptr)] }); // 5
    let f = b.add(TypeDef::Func { name: "walk".into(), proto, linkage: FuncLinkage::Global }); // 6
    let tag = b.add(TypeDef::DeclTag { value: "arg:ctx".into(), target: f, component_idx: 0 }); // 7
    let other_tag = b.add(TypeDef::DeclTag { value: "x".into(), target: unused, component_idx: -1 }); // 8
    (b.to_bytes(), [unused, int, ptr, s, proto, f, tag, other_tag])
}

#[test]
fn closure_order_tags_and_validity() {
    let (bytes, [unused, int, ptr, s, proto, f, tag, other_tag]) = sample();
    let btf = Btf::parse_strict(&bytes).unwrap();
    let sub = btf.subset([f]).unwrap();
    // Depth first from the root, references in record order, then the tag on the FUNC.
    let order: Vec<TypeId> = sub.ids().map(|(old, _)| old).collect();
    assert_eq!(order, [f, proto, int, ptr, s, tag]);
    assert_eq!(sub.id(unused), None);
    assert_eq!(sub.id(other_tag), None);
    assert_eq!(sub.id(TypeId::VOID), Some(TypeId::VOID));
    let out = sub.to_bytes();
    Btf::parse_strict(&out).expect("the subset passes the kernel's checks");
    assert_faithful(&btf, &sub, &out);
    assert_eq!(
        hive_btf::dump_raw(&Btf::parse(&out).unwrap()).lines().next(),
        Some("[1] FUNC 'walk' type_id=2 linkage=global")
    );

    // Deterministic: the same roots give the same bytes; other roots another order.
    assert_eq!(btf.subset([f]).unwrap().to_bytes(), out);
    let by_struct = btf.subset([s, f]).unwrap();
    assert_eq!(by_struct.ids().map(|(o, _)| o).collect::<Vec<_>>(), [s, ptr, int, f, proto, tag]);
    // Roots already taken, and void, add nothing.
    assert_eq!(btf.subset([f, int, TypeId::VOID, f]).unwrap().to_bytes(), out);
    // Nothing asked, nothing taken (and such a BTF would be refused).
    let none = btf.subset([]).unwrap();
    assert!(none.is_empty());
    assert!(Btf::parse_strict(&none.to_bytes()).is_err());
    // An id past the end is an error that names it.
    let e = btf.subset([TypeId(99)]).unwrap_err();
    assert_eq!(e.to_string(), "[99] Invalid type_id");
}

#[test]
fn strings_added_keep_their_offsets() {
    let (bytes, [.., f, _, _]) = sample();
    let btf = Btf::parse(&bytes).unwrap();
    let mut sub = btf.subset([f]).unwrap();
    let file = sub.add_str("/src/walk.c");
    let line = sub.add_str("\treturn n->v;");
    assert_eq!(sub.add_str("/src/walk.c"), file);
    assert_eq!(sub.add_str(""), 0);
    let out = sub.to_bytes();
    let small = Btf::parse_strict(&out).unwrap();
    assert_eq!(small.str_at(file), Some("/src/walk.c"));
    assert_eq!(small.str_at(line), Some("\treturn n->v;"));
    assert_eq!(small.type_by_id(TypeId(1)).unwrap().name(), "walk");
    // A type name equal to an added string shares it.
    let mut sub = btf.subset([f]).unwrap();
    let walk = sub.add_str("walk");
    let small_bytes = sub.to_bytes();
    let small = Btf::parse(&small_bytes).unwrap();
    assert_eq!(small.type_by_id(TypeId(1)).unwrap().name_off(), walk);
}

/// The FUNCs of every object's func info, per section, cut out of its BTF: what a loader
/// gives a program. Each subset must pass the kernel's checks and be faithful.
#[test]
fn every_objects_functions_make_a_valid_btf() {
    let (mut objects, mut subsets) = (0, 0);
    for sub in ["ebpf-samples", "cilium-ebpf"] {
        let Some(dir) = common::corpus(sub) else { continue };
        for f in common::files_with_ext(&dir, &[".o", ".elf"]) {
            let data = std::fs::read(&f).unwrap();
            let Ok(secs) = hive_btf::elf_sections(&data) else { continue };
            let (Some(raw), Some(raw_ext)) = (secs.btf, secs.btf_ext) else { continue };
            let (Ok(btf), Ok(ext)) = (Btf::parse(raw), BtfExt::parse(raw_ext)) else { continue };
            if btf.is_big_endian() {
                continue;
            }
            objects += 1;
            for sec in ext.func_info() {
                let roots: Vec<TypeId> = sec.records().map(|r| r.type_id).collect();
                if roots.iter().any(|&r| btf.type_by_id(r).is_none_or(|t| t.kind() != Kind::Func)) {
                    continue;
                }
                let sub = btf.subset(roots.iter().copied()).unwrap();
                let out = sub.to_bytes();
                Btf::parse_strict(&out).unwrap_or_else(|e| panic!("{}: {:?}: {e}", f.display(), sec.name(&btf)));
                assert_faithful(&btf, &sub, &out);
                assert_eq!(btf.subset(roots.iter().copied()).unwrap().to_bytes(), out, "deterministic");
                subsets += 1;
            }
        }
    }
    println!("{subsets} program sections of {objects} objects: their functions' BTF passes the kernel's checks");
}

#[test]
fn a_vmlinux_struct_alone() {
    let Some(data) = common::cilium_vmlinux() else { return };
    let btf = Btf::parse(&data).unwrap();
    let task = btf.find_by_name_kind("task_struct", Kind::Struct).unwrap();
    let sub = btf.subset([task]).unwrap();
    let out = sub.to_bytes();
    let small = Btf::parse_strict(&out).unwrap();
    assert_eq!(sub.id(task), Some(TypeId(1)));
    assert_eq!(small.type_by_id(TypeId(1)).unwrap().name(), "task_struct");
    assert_eq!(small.resolve_size(TypeId(1)).unwrap(), btf.resolve_size(task).unwrap());
    assert_faithful(&btf, &sub, &out);
    println!("vmlinux: task_struct takes {} of {} types ({} bytes)", sub.len(), btf.type_count() - 1, out.len());
}
