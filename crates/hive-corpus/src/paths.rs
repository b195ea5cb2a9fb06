//! Where the shared corpora live, and how tests skip when they are absent.

use std::path::{Path, PathBuf};

/// The corpora folder: `$HIVE_CORPORA`, else `../shared/corpora` above the workspace root.
pub fn corpora_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("HIVE_CORPORA") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
}

/// A corpus sub-folder, or `None` after printing why a test skips.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let p = corpora_dir().join(sub);
    if p.exists() {
        Some(p)
    } else {
        println!("note: skipping, corpus {} is absent", p.display());
        None
    }
}

/// Files under `dir` (recursively) whose name ends with `suffix`, sorted.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// ELF files under `dir` (recursively, by their magic bytes, whatever their name), sorted.
pub fn elf_files(dir: &Path) -> Vec<PathBuf> {
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
