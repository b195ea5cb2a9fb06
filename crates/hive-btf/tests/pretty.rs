//! Values shown through their BTF types.

mod common;

use hive_btf::{format_value, format_value_pretty, Btf, BtfBuilder, MemberDef, TypeDef, TypeId, VarLinkage, VarSecinfo};

fn m(name: &str, ty: TypeId, bit_offset: u32, bitfield_size: u32) -> MemberDef {
    MemberDef { name: name.into(), ty, bit_offset, bitfield_size }
}

/// `struct sample { int a; unsigned b:3; int c:5; enum color e; char name[6]; _Bool ok;
/// void *p; union { u16 half; u8 bytes[2]; }; double d; __int128 big; long neg; }`
fn sample() -> (Vec<u8>, TypeId) {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, true); // 1
    let uint = b.int("unsigned int", 4, false); // 2
    let chr = b.add(TypeDef::Int { name: "char".into(), size: 1, encoding: 0, offset: 0, bits: 8 }); // 3
    let color = b.add(TypeDef::Enum {
        name: "color".into(),
        size: 4,
        signed: true,
        values: vec![("RED".into(), 0), ("GREEN".into(), 1), ("MINUS".into(), -1i32 as u32)],
    }); // 4
    let name = b.array(chr, int, 6); // 5
    let boolean = b.add(TypeDef::Int { name: "_Bool".into(), size: 1, encoding: 4, offset: 0, bits: 8 }); // 6
    let ptr = b.ptr(TypeId(0)); // 7
    let u16t = b.int("u16", 2, false); // 8
    let u8t = b.int("u8", 1, false); // 9
    let bytes = b.array(u8t, int, 2); // 10
    let un = b.add(TypeDef::Composite {
        union: true,
        name: String::new(),
        size: 2,
        kflag: false,
        members: vec![m("half", u16t, 0, 0), m("bytes", bytes, 0, 0)],
    }); // 11
    let dbl = b.add(TypeDef::Float { name: "double".into(), size: 8 }); // 12
    let i128t = b.add(TypeDef::Int { name: "__int128".into(), size: 16, encoding: 1, offset: 0, bits: 128 }); // 13
    let long = b.int("long", 8, true); // 14
    let s = b.add(TypeDef::Composite {
        union: false,
        name: "sample".into(),
        size: 72,
        kflag: true,
        members: vec![
            m("a", int, 0, 0),
            m("b", uint, 32, 3),
            m("c", int, 35, 5),
            m("e", color, 64, 0),
            m("name", name, 96, 0),
            m("ok", boolean, 144, 0),
            m("p", ptr, 192, 0),
            m("", un, 256, 0),
            m("d", dbl, 320, 0),
            m("big", i128t, 384, 0),
            m("neg", long, 512, 0),
        ],
    });
    (b.to_bytes(), s)
}

fn sample_value() -> Vec<u8> {
    let mut v = vec![0u8; 72];
    v[0..4].copy_from_slice(&(-7i32).to_le_bytes());
    v[4] = 0b1111_0101; // b = 5 (bits 0-2), c = bits 3-7 = 0b11110 = -2
    v[8..12].copy_from_slice(&(-1i32).to_le_bytes());
    v[12..18].copy_from_slice(b"hive\0\0");
    v[18] = 1;
    v[24..32].copy_from_slice(&0xffff_8880_1234_5678u64.to_le_bytes());
    v[32..34].copy_from_slice(&0x0102u16.to_le_bytes());
    v[40..48].copy_from_slice(&1.5f64.to_le_bytes());
    v[48..64].copy_from_slice(&(1u128 << 64 | 2).to_le_bytes());
    v[64..72].copy_from_slice(&(-3i64).to_le_bytes());
    v
}

#[test]
fn every_kind_of_member() {
    let (bytes, s) = sample();
    let btf = Btf::parse_strict(&bytes).unwrap();
    let v = sample_value();
    assert_eq!(
        format_value(&btf, s, &v),
        r#"{"a": -7, "b": 5, "c": -2, "e": "MINUS", "name": "hive", "ok": true, "p": 0xffff888012345678, "": {"half": 258, "bytes": [2, 1]}, "d": 1.5, "big": 0x10000000000000002, "neg": -3}"#
    );
    let pretty = format_value_pretty(&btf, s, &v);
    assert!(pretty.starts_with("{\n    \"a\": -7,\n    \"b\": 5,"), "{pretty}");
    assert!(pretty.contains("\n    \"\": {\n        \"half\": 258,\n        \"bytes\": [\n            2,\n            1\n        ]\n    },"), "{pretty}");
    assert!(pretty.ends_with("\n}"));
}

#[test]
fn short_buffers_print_null_and_never_panic() {
    let (bytes, s) = sample();
    let btf = Btf::parse(&bytes).unwrap();
    let v = sample_value();
    for n in 0..v.len() {
        let out = format_value(&btf, s, &v[..n]);
        assert!(out.starts_with('{') && out.ends_with('}'), "{out}");
        if n < 4 {
            assert!(out.starts_with(r#"{"a": null"#), "{out}");
        }
    }
    assert!(format_value(&btf, s, &[]).matches("null").count() >= 10);
    // Unknown type ids and non-value kinds do not panic either.
    assert_eq!(format_value(&btf, TypeId(999), &v), "null");
}

#[test]
fn datasec_shows_its_variables() {
    let mut b = BtfBuilder::new();
    let int = b.int("int", 4, true);
    let x = b.add(TypeDef::Var { name: "x".into(), ty: int, linkage: VarLinkage::GlobalAllocated });
    let y = b.add(TypeDef::Var { name: "y".into(), ty: int, linkage: VarLinkage::Static });
    let sec = b.add(TypeDef::Datasec {
        name: ".data".into(),
        size: 8,
        vars: vec![VarSecinfo { ty: x, offset: 0, size: 4 }, VarSecinfo { ty: y, offset: 4, size: 4 }],
    });
    let bytes = b.to_bytes();
    let btf = Btf::parse_strict(&bytes).unwrap();
    assert_eq!(format_value(&btf, sec, &[1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]), r#"{"x": 1, "y": -2}"#);
}

#[test]
fn every_vmlinux_struct_formats_from_short_and_zero_buffers() {
    let Some(data) = common::cilium_vmlinux() else { return };
    let btf = Btf::parse(&data).unwrap();
    let zeros = vec![0u8; 1 << 16];
    let mut n = 0;
    for t in btf.types().filter(|t| t.kind().is_composite()).step_by(7) {
        let size = btf.resolve_size(t.id()).unwrap_or(0) as usize;
        let full = format_value(&btf, t.id(), &zeros[..size.min(zeros.len())]);
        assert!(full.starts_with('{') && full.ends_with('}'));
        let _ = format_value(&btf, t.id(), &zeros[..(size / 2).min(zeros.len())]);
        n += 1;
    }
    let ts = btf.find_by_name_kind("task_struct", hive_btf::Kind::Struct).unwrap();
    let size = btf.resolve_size(ts).unwrap() as usize;
    let mut buf = vec![0u8; size];
    let (pid, off) = btf.find_member(ts, "pid").unwrap();
    buf[off as usize / 8..off as usize / 8 + 4].copy_from_slice(&1234i32.to_le_bytes());
    let (_, comm) = btf.find_member(ts, "comm").unwrap();
    buf[comm as usize / 8..comm as usize / 8 + 5].copy_from_slice(b"bash\0");
    let out = format_value(&btf, ts, &buf);
    assert!(out.contains(r#""pid": 1234"#) && out.contains(r#""comm": "bash""#), "{pid:?}");
    println!("formatted {n} vmlinux structs");
}

#[test]
fn old_style_bitfields_use_the_int_encoding() {
    // Without kind_flag, `unsigned x:3` is a member of type INT(size 4, bits 3).
    let mut b = BtfBuilder::new();
    let u3 = b.add(TypeDef::Int { name: "unsigned int".into(), size: 4, encoding: 0, offset: 0, bits: 3 });
    let int = b.int("int", 4, true);
    let s = b.add(TypeDef::Composite {
        union: false,
        name: "old".into(),
        size: 4,
        kflag: false,
        members: vec![m("z", int, 0, 0), m("x", u3, 0, 0), m("y", u3, 3, 0)],
    });
    let bytes = b.to_bytes();
    let btf = Btf::parse_strict(&bytes).unwrap();
    let t = btf.type_by_id(s).unwrap();
    let bits: Vec<_> = t.members().map(|m| btf.member_bits(&m).unwrap()).collect();
    assert_eq!(bits, [(0, 32), (0, 3), (3, 3)]);
    assert_eq!(format_value(&btf, s, &[0b0010_1101, 0, 0, 0]), r#"{"z": 45, "x": 5, "y": 5}"#);
}
