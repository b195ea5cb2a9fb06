//! Arbitrary and mutated input: every entry point returns, none panics or hangs.

mod common;

use hive_btf::{Btf, BtfBuilder, BtfExt, MemberDef, TypeDef, TypeId};
use proptest::prelude::*;

/// Everything a consumer might do with a parsed BTF.
fn exercise(btf: &Btf<'_>) {
    let _ = btf.validate();
    let _ = hive_btf::dump_raw(btf);
    let _ = hive_btf::dump_c(btf);
    for i in 0..btf.type_count().min(64) + 2 {
        let id = TypeId(i);
        let _ = btf.resolve_size(id);
        let _ = btf.align_of(id);
        let _ = btf.type_id_size(id);
        let _ = btf.find_member(id, "a");
        let _ = hive_btf::format_value(btf, id, &[0xa5; 40]);
        let _ = hive_btf::format_value_pretty(btf, id, &[0x5a; 3]);
        let _ = hive_btf::c_decl(btf, id, "x");
    }
}

fn seed() -> Vec<u8> {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, true);
    let p = b.ptr(TypeId(3));
    let s = b.add(TypeDef::Composite {
        union: false,
        name: "s".into(),
        size: 16,
        kflag: true,
        members: vec![
            MemberDef { name: "a".into(), ty: int, bit_offset: 0, bitfield_size: 3 },
            MemberDef { name: "b".into(), ty: p, bit_offset: 64, bitfield_size: 0 },
        ],
    });
    let arr = b.array(s, int, 2);
    b.add(TypeDef::FuncProto { ret: int, params: vec![("x".into(), arr), (String::new(), TypeId(0))] });
    b.add(TypeDef::Typedef { name: "t".into(), ty: arr });
    b.add(TypeDef::Enum64 { name: "e".into(), size: 8, signed: true, values: vec![("A".into(), u64::MAX)] });
    b.to_bytes()
}

fn ext_seed() -> Vec<u8> {
    let mut v = Vec::new();
    let w = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    v.extend_from_slice(&[0x9f, 0xeb, 1, 0]);
    for x in [32, 0, 20, 20, 28, 48, 28] {
        w(&mut v, x);
    }
    // func info: rec 8, one section with one record.
    for x in [8, 1, 1, 0, 5] {
        w(&mut v, x);
    }
    // line info: rec 16, one section, one record.
    for x in [16, 1, 1, 0, 1, 1, 5 << 10 | 2] {
        w(&mut v, x);
    }
    // core relo: rec 16, one section, one record.
    for x in [16, 1, 1, 0, 3, 1, 0] {
        w(&mut v, x);
    }
    assert_eq!(v.len(), 32 + 20 + 28 + 28);
    v
}

#[test]
fn seeds_are_valid() {
    let s = seed();
    Btf::parse_strict(&s).unwrap();
    let e = ext_seed();
    let ext = BtfExt::parse(&e).unwrap();
    assert_eq!(ext.func_info().count(), 1);
    assert_eq!(ext.line_info().next().unwrap().records().next().unwrap().line, 5);
    assert_eq!(ext.core_relos().next().unwrap().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes(data in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(b) = Btf::parse(&data) { exercise(&b); }
        let _ = Btf::parse_strict(&data);
        let _ = BtfExt::parse(&data);
        let _ = hive_btf::elf_sections(&data);
    }

    #[test]
    fn random_bytes_behind_a_valid_header(body in prop::collection::vec(any::<u8>(), 0..200), split in 0usize..200) {
        let split = split.min(body.len());
        let mut data = vec![0x9f, 0xeb, 1, 0, 24, 0, 0, 0];
        for x in [0u32, split as u32 & !3, split as u32 & !3, (body.len() - (split & !3)) as u32] {
            data.extend_from_slice(&x.to_le_bytes());
        }
        data.extend_from_slice(&body);
        if let Ok(b) = Btf::parse(&data) { exercise(&b); }
        if let Ok(b) = Btf::parse_strict(&data) { exercise(&b); }
    }

    #[test]
    fn mutated_btf(muts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), be in any::<bool>()) {
        let mut data = seed();
        for (i, b) in muts {
            let i = i.index(data.len());
            data[i] = b;
        }
        if be { data[0] = 0xeb; data[1] = 0x9f; }
        if let Ok(b) = Btf::parse(&data) { exercise(&b); }
        if let Ok(b) = Btf::parse_strict(&data) { exercise(&b); }
        let base_bytes = seed();
        let base = Btf::parse(&base_bytes).unwrap();
        if let Ok(b) = Btf::parse_split(&data[..], &base) { exercise(&b); }
    }

    #[test]
    fn mutated_ext(muts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6), cut in any::<prop::sample::Index>()) {
        let mut data = ext_seed();
        for (i, b) in muts {
            let i = i.index(data.len());
            data[i] = b;
        }
        let data = &data[..cut.index(data.len() + 1).max(data.len() / 2)];
        let btf_bytes = seed();
        let btf = Btf::parse(&btf_bytes).unwrap();
        if let Ok(ext) = BtfExt::parse(data) {
            for s in ext.func_info() { let _ = s.name(&btf); for r in s.records() { let _ = btf.type_by_id(r.type_id); } }
            for s in ext.line_info() { for r in s.records() { let _ = (r.file_name(&btf), r.line_text(&btf)); } }
            for s in ext.core_relos() { for r in s.records() { let _ = r.access_spec(&btf); } }
        }
    }
}

#[test]
fn cyclic_types_do_not_hang_the_dumps() {
    // PTR -> CONST -> PTR ... and a struct that embeds itself: structurally fine, semantically
    // refused, and every consumer must still return.
    let mut b = BtfBuilder::new();
    b.add(TypeDef::Ptr { ty: TypeId(2) });
    b.add(TypeDef::Const { ty: TypeId(1) });
    b.add(TypeDef::Typedef { name: "loop".into(), ty: TypeId(4) });
    b.add(TypeDef::Volatile { ty: TypeId(3) });
    b.add(TypeDef::Composite {
        union: false,
        name: "self".into(),
        size: 8,
        kflag: false,
        members: vec![MemberDef { name: "me".into(), ty: TypeId(5), bit_offset: 0, bitfield_size: 0 }],
    });
    b.add(TypeDef::Array { elem: TypeId(6), index: TypeId(0), nelems: 2 });
    let bytes = b.to_bytes();
    let btf = Btf::parse(&bytes).unwrap();
    exercise(&btf);
    assert!(Btf::parse_strict(&bytes).is_err());
}
