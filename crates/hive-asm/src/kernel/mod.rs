//! Kernel/LLVM syntax: `r0 = *(u32 *)(r1 + 4)`, `if r1 s> 3 goto +2`, `call bpf_map_lookup_elem`.

pub(crate) mod parse;
pub(crate) mod print;
