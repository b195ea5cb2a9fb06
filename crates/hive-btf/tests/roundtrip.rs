//! The writer: `parse(serialise(defs)).to_defs() == defs`, for real BTF and random definitions.

mod common;

use hive_btf::{Btf, BtfBuilder, FuncLinkage, MemberDef, TypeDef, TypeId, VarLinkage, VarSecinfo};
use proptest::prelude::*;

fn round_trip(defs: &[TypeDef]) -> Vec<TypeDef> {
    let bytes = BtfBuilder::from_defs(defs.to_vec()).to_bytes();
    Btf::parse(&bytes).unwrap().to_defs()
}

#[test]
fn vmlinux_round_trips() {
    let Some(data) = common::cilium_vmlinux() else { return };
    let btf = Btf::parse(&data).unwrap();
    let defs = btf.to_defs();
    let bytes = BtfBuilder::from_defs(defs.clone()).to_bytes();
    let again = Btf::parse(&bytes).unwrap();
    assert_eq!(again.to_defs(), defs);
    // Same types, same dumps.
    assert_eq!(hive_btf::dump_raw(&again), hive_btf::dump_raw(&btf));
    println!("vmlinux: {} types round-trip; {} bytes in, {} bytes out", defs.len(), data.len(), bytes.len());
}

#[test]
fn every_object_round_trips() {
    let mut n = 0;
    for sub in ["ebpf-samples", "cilium-ebpf"] {
        let Some(dir) = common::corpus(sub) else { continue };
        for f in common::files_with_ext(&dir, &[".o", ".elf"]) {
            let data = std::fs::read(&f).unwrap();
            let Some(raw) = hive_btf::elf_sections(&data).ok().and_then(|s| s.btf) else { continue };
            let btf = Btf::parse(raw).unwrap();
            let defs = btf.to_defs();
            assert_eq!(round_trip(&defs), defs, "{}", f.display());
            // A little-endian object's BTF, rebuilt, is byte-identical when its string
            // section has no unused or duplicate strings; at least the dump is identical.
            let rebuilt = BtfBuilder::from_defs(defs).to_bytes();
            assert_eq!(hive_btf::dump_raw(&Btf::parse(&rebuilt).unwrap()), hive_btf::dump_raw(&btf));
            n += 1;
        }
    }
    println!("{n} object BTFs round-trip");
}

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}"
}

fn id(n: u32) -> impl Strategy<Value = TypeId> {
    (0..=n).prop_map(TypeId)
}

fn def(n: u32) -> impl Strategy<Value = TypeDef> {
    prop_oneof![
        (name(), 1u32..17, 0u8..8, any::<u8>(), any::<u8>())
            .prop_map(|(name, size, encoding, offset, bits)| TypeDef::Int { name, size, encoding, offset, bits }),
        id(n).prop_map(|ty| TypeDef::Ptr { ty }),
        (id(n), id(n), any::<u32>()).prop_map(|(elem, index, nelems)| TypeDef::Array { elem, index, nelems }),
        (any::<bool>(), name(), any::<u32>(), any::<bool>(), prop::collection::vec((name(), id(n), 0u32..1 << 24, 0u32..256), 0..5))
            .prop_map(|(union, name, size, kflag, ms)| TypeDef::Composite {
                union,
                name,
                size,
                kflag,
                members: ms
                    .into_iter()
                    .map(|(name, ty, bit_offset, bfs)| MemberDef { name, ty, bit_offset, bitfield_size: if kflag { bfs } else { 0 } })
                    .collect(),
            }),
        (name(), any::<u32>(), any::<bool>(), prop::collection::vec((name(), any::<u32>()), 0..4))
            .prop_map(|(name, size, signed, values)| TypeDef::Enum { name, size, signed, values }),
        (name(), any::<u32>(), any::<bool>(), prop::collection::vec((name(), any::<u64>()), 0..4))
            .prop_map(|(name, size, signed, values)| TypeDef::Enum64 { name, size, signed, values }),
        (name(), any::<bool>()).prop_map(|(name, union)| TypeDef::Fwd { name, union }),
        (name(), id(n)).prop_map(|(name, ty)| TypeDef::Typedef { name, ty }),
        id(n).prop_map(|ty| TypeDef::Volatile { ty }),
        id(n).prop_map(|ty| TypeDef::Const { ty }),
        id(n).prop_map(|ty| TypeDef::Restrict { ty }),
        (name(), id(n), 0u16..3).prop_map(|(name, proto, l)| TypeDef::Func { name, proto, linkage: FuncLinkage::from_raw(l) }),
        (id(n), prop::collection::vec((name(), id(n)), 0..4)).prop_map(|(ret, params)| TypeDef::FuncProto { ret, params }),
        (name(), id(n), 0u32..3).prop_map(|(name, ty, l)| TypeDef::Var { name, ty, linkage: VarLinkage::from_raw(l) }),
        (name(), any::<u32>(), prop::collection::vec((id(n), any::<u32>(), any::<u32>()), 0..3)).prop_map(|(name, size, v)| {
            TypeDef::Datasec { name, size, vars: v.into_iter().map(|(ty, offset, size)| VarSecinfo { ty, offset, size }).collect() }
        }),
        (name(), any::<u32>()).prop_map(|(name, size)| TypeDef::Float { name, size }),
        (name(), id(n), -1i32..4).prop_map(|(value, target, component_idx)| TypeDef::DeclTag { value, target, component_idx }),
        (name(), id(n)).prop_map(|(value, ty)| TypeDef::TypeTag { value, ty }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_definitions_round_trip(defs in prop::collection::vec(def(12), 1..12)) {
        // Ids may point past the last type: clamp them so the structural parse accepts.
        let n = defs.len() as u32;
        let bytes = BtfBuilder::from_defs(defs.clone()).to_bytes();
        match Btf::parse(&bytes) {
            Ok(btf) => prop_assert_eq!(btf.to_defs(), defs),
            Err(e) => prop_assert!(matches!(e.kind, hive_btf::ErrorKind::TypeIdOutOfRange(x) if x > n), "{e}"),
        }
    }
}
