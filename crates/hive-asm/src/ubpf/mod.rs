//! uBPF syntax, as the `.data` files of bpf_conformance and uBPF write it:
//! `mov %r1, 5`, `ldxw %r0, [%r1+4]`, `jne %r0, %r1, label`, `lock fetch add [%r10-8], %r1`.
//!
//! Mnemonics come from the opcode table ([`hive_isa::Form::mnemonic`]); the parser also takes
//! `swapN` for `bswapN`, a `64` suffix on 64-bit ALU and jump mnemonics (`add64`), `call %rN`
//! for `callx`, `call helper N` and `call runtime N` (the older conformance spellings of a
//! helper and a kfunc call), and helper names after `call`. Extensions beyond what uBPF itself
//! reads, all printed only when the instruction needs them: the `lddw` pseudo operands of
//! [`crate::pseudo`] (`lddw %r1, map[fd:3]`), `call kfunc ID[, OFF]`, `may_goto`,
//! `load_acquire{b,h,w,dw} %rD, [%rS+off]`, `store_release{b,h,w,dw} [%rD+off], %rS`,
//! `ldabs{b,h,w} IMM` and `ldind{b,h,w} %rS, IMM`.

pub(crate) mod parse;
pub(crate) mod print;
