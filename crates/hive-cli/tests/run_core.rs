//! `hive run --prog NAME` on cilium/ebpf's self-checking CO-RE objects: each program returns 0
//! when its relocations are right, the line of the failed check otherwise. Another program of
//! the object that cannot be relocated does not stop the one asked for.

use std::path::Path;
use std::process::Command;

fn testdata() -> Option<std::path::PathBuf> {
    hive_corpus::paths::corpus("cilium-ebpf/btf/testdata")
}

fn retval(obj: &Path, prog: &str, target: &Path) -> Result<u64, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_hive"))
        .args(["run", "--json", "--prog", prog, "--target-btf"])
        .arg(target)
        .arg(obj)
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let key = "\"retval\":";
    let at = text.find(key).ok_or_else(|| format!("no retval: {}", String::from_utf8_lossy(&out.stderr)))?;
    let digits: String = text[at + key.len()..].trim_start().chars().take_while(char::is_ascii_digit).collect();
    digits.parse().map_err(|e| format!("{e}: {text}"))
}

#[test]
fn self_checking_core_programs_return_zero() {
    let Some(dir) = testdata() else { return };
    let relocs = dir.join("relocs-el.elf");
    // type_ids also checks that local type ids (in the program's own BTF) differ from the
    // target's (the object's BTF).
    for prog in ["type_ids", "types", "enums", "fields"] {
        assert_eq!(retval(&relocs, prog, &relocs), Ok(0), "relocs {prog}");
    }
    let enums = dir.join("relocs_enum-el.elf");
    assert_eq!(retval(&enums, "core_ld64imm", &enums), Ok(0));
    assert_eq!(retval(&dir.join("relocs_read-el.elf"), "reads", &dir.join("relocs_read_tgt-el.elf")), Ok(0));
}

#[test]
fn an_unresolvable_relocation_is_refused_with_its_source_line() {
    let Some(dir) = testdata() else { return };
    let relocs = dir.join("relocs-el.elf");
    let out = Command::new(env!("CARGO_BIN_EXE_hive"))
        .args(["run", "--prog", "err_ambiguous", "--target-btf"])
        .arg(&relocs)
        .arg(&relocs)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("CO-RE relocation") && err.contains("relocs.c:286"), "{err}");
}
