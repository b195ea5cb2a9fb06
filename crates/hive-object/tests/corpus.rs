//! hive-object against the ELF corpora: every little-endian object reads, big-endian ones are
//! refused clearly, and malformed or mutated files give errors, never panics.

use std::path::{Path, PathBuf};

use hive_object::{ObjectError, program_sections};

fn corpus(sub: &str) -> Option<PathBuf> {
    let root = match std::env::var_os("HIVE_CORPORA") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    };
    let p = root.join(sub);
    if p.exists() {
        Some(p)
    } else {
        println!("note: skipping, corpus {} is absent", p.display());
        None
    }
}

fn elf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p).is_ok_and(|b| b.starts_with(b"\x7fELF")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn samples_read() {
    for sub in ["ebpf-samples", "cilium-ebpf"] {
        let Some(dir) = corpus(sub) else { continue };
        let (mut ok, mut be, mut sections, mut functions) = (0, 0, 0, 0);
        for path in elf_files(&dir) {
            let rel = path.strip_prefix(&dir).unwrap_or(&path).display().to_string();
            let bytes = std::fs::read(&path).expect("read");
            match program_sections(&bytes) {
                Ok(progs) => {
                    ok += 1;
                    sections += progs.len();
                    for p in &progs {
                        functions += p.functions.len();
                        for f in &p.functions {
                            assert!(f.offset <= p.insns.len(), "{rel}: {} outside {}", f.name, p.name);
                        }
                    }
                }
                Err(ObjectError::BigEndian) => {
                    assert!(rel.contains("-eb."), "{rel}: refused as big-endian");
                    be += 1;
                }
                Err(e) => assert!(rel.starts_with("invalid/"), "{rel}: {e}"),
            }
        }
        println!("{sub}: {ok} objects read ({sections} program sections, {functions} functions), {be} big-endian refused");
        assert!(ok > 30);
    }
}

#[test]
fn cilium_loader_functions() {
    let Some(dir) = corpus("cilium-ebpf") else { return };
    let bytes = std::fs::read(dir.join("testdata/loader-el.elf")).expect("read loader-el.elf");
    let progs = program_sections(&bytes).expect("parse");
    let text = progs.iter().find(|p| p.name == ".text").expect(".text");
    let names: Vec<_> = text.functions.iter().map(|f| (f.name.as_str(), f.offset, f.global)).collect();
    assert_eq!(names, [("global_fn2", 0, true), ("global_fn", 3, true)]);
    let xdp = progs.iter().find(|p| p.name == "xdp").expect("xdp");
    assert_eq!(xdp.functions[0].name, "xdp_prog");
    assert_eq!(xdp.functions[0].len, xdp.insns.len());
}

/// A small deterministic generator, so the mutations are the same on every run.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn malformed_and_mutated_files_never_panic() {
    let Some(dir) = corpus("ebpf-samples") else { return };
    let mut files = elf_files(&dir);
    if let Some(c) = corpus("cilium-ebpf") {
        files.extend(elf_files(&c).into_iter().step_by(4));
    }
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut tried = 0;
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        let _ = program_sections(&bytes);
        for k in 0..16 {
            let _ = program_sections(&bytes[..bytes.len() * k / 16]);
            let mut m = bytes.clone();
            for _ in 0..4 {
                let at = (xorshift(&mut state) as usize) % m.len().max(1);
                if let Some(b) = m.get_mut(at) {
                    *b ^= (xorshift(&mut state) as u8) | 1;
                }
            }
            let _ = program_sections(&m);
            tried += 2;
        }
    }
    println!("{tried} truncated or mutated objects read without panicking");
}
