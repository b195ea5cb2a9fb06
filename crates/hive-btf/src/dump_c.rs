//! C header dump (placeholder, filled in below).
use crate::Btf;
/// The whole BTF as a compilable C header, like `bpftool btf dump file X format c`.
pub fn dump_c(_btf: &Btf<'_>) -> String { String::new() }
