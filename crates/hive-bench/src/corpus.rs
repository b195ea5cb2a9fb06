//! The bpf-benchmark-2023 corpus (`shared/corpora/bpf-benchmark-2023`): eight raw programs
//! (`r1` = input memory, `r2` = its length) with their `.mem` inputs, the suite the uBPF,
//! rbpf and bpftime LLVM JITs were compared on. Here they run on Hive's engines and rbpf's.

use std::path::{Path, PathBuf};

use hive_isa::RawInsn;

use crate::BenchError;
use crate::program::Prepared;

/// The corpus folder (`$HIVE_CORPORA/bpf-benchmark-2023`).
pub fn dir() -> PathBuf {
    hive_corpus::paths::corpora_dir().join("bpf-benchmark-2023")
}

/// Every program of the corpus in `dir`, by name, with its input (empty if it has none).
pub fn load(dir: &Path) -> Result<Vec<Prepared>, BenchError> {
    fn io(path: &Path) -> impl Fn(std::io::Error) -> BenchError + '_ {
        move |source| BenchError::Io { path: path.display().to_string(), source }
    }
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".bpf.bin"))
        .collect();
    entries.sort();
    for path in entries {
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let name = file.trim_end_matches(".bpf.bin").to_string();
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        let insns =
            RawInsn::slice_from_bytes(&bytes).ok_or_else(|| BenchError::object(&name, "not whole instructions"))?;
        let mem_path = path.with_file_name(format!("{name}.mem"));
        let mem = if mem_path.exists() { std::fs::read(&mem_path).map_err(io(&mem_path))? } else { Vec::new() };
        out.push(Prepared::raw(&name, insns, mem));
    }
    Ok(out)
}
