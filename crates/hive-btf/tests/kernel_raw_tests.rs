//! The kernel's `btf_raw_tests` (tools/testing/selftests/bpf/prog_tests/btf.c, Linux 6.12):
//! raw BTF blobs that `BPF_BTF_LOAD` must accept or refuse with a given message, and a few
//! that load but must fail map creation. Every verdict and every message must agree.

mod common;

use hive_btf::{Btf, Kind, TypeId};

#[test]
fn btf_raw_tests_agree_with_the_kernel() {
    let Some(dir) = common::corpus("kernel-verifier/btf_raw_tests/btf_raw_tests.json") else { return };
    let cases: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(dir).unwrap()).unwrap();
    let (mut verdict_ok, mut msg_ok, mut msg_total, mut map_ok, mut map_total) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for c in &cases {
        let descr = c["descr"].as_str().unwrap();
        let blob = common::unhex(c["btf_hex"].as_str().unwrap());
        let expect_err = c["btf_load_err"].as_bool().unwrap();
        let got = Btf::parse_strict(&blob);
        match (&got, expect_err) {
            (Ok(_), false) => verdict_ok += 1,
            (Err(e), true) => {
                verdict_ok += 1;
                if let Some(want) = c["err_str"].as_str() {
                    msg_total += 1;
                    if e.to_string().contains(want) {
                        msg_ok += 1;
                    } else {
                        failures.push(format!("{descr}: message {:?}, kernel says {want:?}", e.to_string()));
                    }
                }
            }
            (Ok(_), true) => failures.push(format!("{descr}: accepted, kernel refuses ({:?})", c["err_str"])),
            (Err(e), false) => failures.push(format!("{descr}: refused with {e}, kernel accepts")),
        }
        // Map creation with the loaded BTF (array maps: map_type 2).
        if let (Ok(btf), false, Some(1..)) = (&got, expect_err, c["map_type"].as_u64()) {
            map_total += 1;
            let key = TypeId(c["key_type_id"].as_u64().unwrap() as u32);
            let value = TypeId(c["value_type_id"].as_u64().unwrap() as u32);
            let ks = c["key_size"].as_u64().unwrap() as u32;
            let vs = c["value_size"].as_u64().unwrap() as u32;
            let mut ok = btf.check_map_types(key, ks, value, vs);
            if ok && c["map_type"].as_u64() == Some(2) {
                ok = if key.is_void() {
                    c["max_entries"].as_u64() == Some(1)
                        && btf.type_by_id(value).is_some_and(|t| t.kind() == Kind::Datasec)
                } else {
                    btf.type_by_id(key).and_then(|t| t.int()).is_some_and(|i| i.bits == 32 && i.offset == 0)
                };
            }
            if ok == c["map_create_err"].as_bool().unwrap() {
                failures.push(format!("{descr}: map creation {}", if ok { "succeeds, kernel fails" } else { "fails, kernel succeeds" }));
            } else {
                map_ok += 1;
            }
        }
    }
    println!(
        "btf_raw_tests: {verdict_ok}/{} load verdicts agree, {msg_ok}/{msg_total} error messages contain the kernel's, {map_ok}/{map_total} map-creation verdicts agree",
        cases.len()
    );
    for f in &failures {
        println!("  DISAGREE {f}");
    }
    assert!(failures.is_empty(), "{} disagreements with the kernel", failures.len());
}
