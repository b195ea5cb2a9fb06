//! Corpus location and small helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `$HIVE_CORPORA`, else `../shared/corpora` above the workspace root.
pub fn corpora_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("HIVE_CORPORA") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
}

/// A corpus sub-path, or `None` with a printed note when it is absent.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let p = corpora_dir().join(sub);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: corpus {} not found, skipping", p.display());
        None
    }
}

/// Every regular file below `dir` whose name ends with one of `exts`, sorted.
pub fn files_with_ext(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Decode a hex string.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect()
}

/// The vmlinux BTF shipped with the cilium corpus, decompressed.
pub fn cilium_vmlinux() -> Option<Vec<u8>> {
    use std::io::Read;
    let p = corpus("cilium-ebpf/btf/testdata/vmlinux.btf.gz")?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(p).ok()?).read_to_end(&mut out).ok()?;
    Some(out)
}
