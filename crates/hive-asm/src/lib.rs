//! # hive-asm: eBPF assembler and disassembler
//!
//! This crate turns eBPF text into instruction slots and back, in two syntaxes:
//!
//! - [`Syntax::Kernel`] (the default), the C-like syntax that `llvm-objdump -d` and the kernel
//!   verifier log print: `r0 = *(u32 *)(r1 + 4)`, `if w1 == w2 goto -1`, `w0 s/= w1`,
//!   `call bpf_map_lookup_elem`, `lock *(u64 *)(r1 + 0) += r2`,
//!   `r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)`, `r0 = xchg_64(r1 + 0, r0)`,
//!   `r1 = 0x1122334455667788 ll`, `r0 = *(u8 *)skb[4]`, `r0 = load_acquire((u64 *)(r1 + 0))`.
//! - [`Syntax::Ubpf`], the syntax of the `.data` files of bpf_conformance and uBPF:
//!   `mov %r1, 5`, `ldxw %r0, [%r1+4]`, `jne %r0, %r1, label`, `lock fetch add [%r10-8], %r1`.
//!
//! Both are driven by the opcode table of [`hive_isa::table`]: the assembler builds a semantic
//! [`Insn`] and encodes it with [`hive_isa::encode`]; the disassembler decodes with
//! [`hive_isa::decode`] and prints the [`Insn`]. No opcode bits live here.
//!
//! ## The round-trip guarantee
//!
//! For every non-empty slice of slots `x` and either syntax `s`,
//! `assemble(&disassemble(x, s), s) == Ok(x)`, byte for byte. Slots that do not decode are
//! printed with the raw directive `.insn 0x<u64>` (the slot as the little-endian `u64` of the
//! corpora's `-- raw` sections) followed by a comment with the decode error, and the assembler
//! writes that slot verbatim. Jumps whose target lies outside the program or inside an `lddw`
//! print normally with a comment: the assembler encodes numeric offsets as written and leaves
//! target checks to the loader and verifier.
//!
//! ## Syntax decisions
//!
//! - Comments: `//`, `;`, and `#` at the start of a line or after white space (so the verifier
//!   log's `call bpf_map_lookup_elem#1` is read, not cut). Labels: `name:` at the start of a
//!   line, alone or before an instruction. Jump operands: `+N`, `-N`, `N`, `pc+N` or a label.
//!   A kernel-syntax line may start with the verifier log's `12: (bf) ` prefix.
//! - Numbers: decimal immediates are signed 32-bit values; hex immediates are bit patterns up
//!   to `0xffffffff`; offsets are signed 16-bit values in either base (see `operand.rs`).
//! - `lddw` pseudo sources: `map[fd:3]`, `map_value[fd:3]+8`, `map[idx:0]`,
//!   `map_value[idx:0]+8`, `ksym[id:123]` (`ksym[id:123,fd:4]` with a module BTF fd),
//!   `func[pc+3]` or `func[label]`, the same in both syntaxes (`lddw %r1, map[fd:3]`).
//! - Calls (kernel syntax): `call bpf_trace_printk` for known helpers, `call 12345` for unknown
//!   ids (`call 0x...` for negative ones), `call pc+3` or `call label` for bpf-to-bpf calls
//!   (a signed `call -1` / `call +3` is relative too, which is why negative helper ids print in hex),
//!   `call kfunc[id:123]` (`call kfunc[id:123,fd_idx:2]` with a module BTF fd-array index),
//!   `callx r2` with the register in the `dst` field. A label named like a helper is taken as
//!   the helper. uBPF syntax: `call 5`, `call local label`, `call kfunc 123`, `callx %r2`
//!   (or `call %r2`).
//! - 32-bit atomics print `w` registers (`lock *(u32 *)(r1 + 0) |= w2`,
//!   `w0 = xchg32_32(r1 + 0, w0)`), as llvm-objdump does; loads and stores print `r` registers
//!   as the kernel log does. Both letters are accepted wherever the width is implied.
//!
//! ```
//! use hive_asm::{Syntax, assemble, disassemble};
//! let raw = assemble("r0 = 1\nif r1 s> 3 goto +1\nr0 += -1\nexit", Syntax::Kernel).unwrap();
//! assert_eq!(raw.len(), 4);
//! let text = disassemble(&raw, Syntax::Ubpf);
//! assert_eq!(text, "mov %r0, 1\njsgt %r1, 3, +1\nadd %r0, -1\nexit\n");
//! assert_eq!(assemble(&text, Syntax::Ubpf).unwrap(), raw);
//! ```
#![forbid(unsafe_code)]

mod disasm;
mod error;
mod helpers;
mod kernel;
mod lexer;
mod operand;
mod program;
mod pseudo;
mod ubpf;

use std::fmt;
use std::str::FromStr;

use hive_isa::{Insn, RawInsn};

pub use error::AsmError;
pub use helpers::{helper_id, helper_name};

/// The assembly syntax.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// The C-like kernel/LLVM syntax: `r0 = *(u32 *)(r1 + 4)`.
    #[default]
    Kernel,
    /// The mnemonic syntax of uBPF and bpf_conformance `.data` files: `ldxw %r0, [%r1+4]`.
    Ubpf,
}

impl fmt::Display for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Syntax::Kernel => "kernel",
            Syntax::Ubpf => "ubpf",
        })
    }
}

impl FromStr for Syntax {
    type Err = String;

    /// `kernel` (or `llvm`) and `ubpf`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "kernel" | "llvm" => Ok(Syntax::Kernel),
            "ubpf" => Ok(Syntax::Ubpf),
            _ => Err(format!("unknown syntax `{s}` (expected kernel or ubpf)")),
        }
    }
}

/// Assembles a program. Errors name the first offending line.
///
/// A source without any instruction is refused (`empty program`).
pub fn assemble(src: &str, syntax: Syntax) -> Result<Vec<RawInsn>, AsmError> {
    program::assemble(src, syntax)
}

/// Disassembles slots, one line per instruction (an `lddw` is one line for two slots). Never
/// fails: slots that do not decode become `.insn 0x...` lines with the reason in a comment.
pub fn disassemble(raw: &[RawInsn], syntax: Syntax) -> String {
    disasm::disassemble(raw, syntax)
}

/// Formats one instruction; branch targets are printed as relative offsets (`goto +3`).
pub fn format_insn(insn: &Insn, syntax: Syntax) -> String {
    match syntax {
        Syntax::Kernel => kernel::print::format(insn),
        Syntax::Ubpf => ubpf::print::format(insn),
    }
}

/// Formats one slot as the raw directive both syntaxes accept: `.insn 0x0000000100000007`.
pub fn format_raw(raw: RawInsn) -> String {
    program::format_raw(raw)
}
