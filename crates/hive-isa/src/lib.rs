//! # hive-isa: the eBPF instruction set
//!
//! This crate owns the instruction set that every other part of Hive speaks: the 8-byte slot
//! ([`RawInsn`]), the semantic instruction ([`Insn`]) that analyses and engines match on, and the
//! single opcode table ([`table`]) from which decoding, encoding and both assembler syntaxes
//! derive. It covers RFC 9669 up to CPU v4 plus the Linux extensions (`may_goto`, kfunc calls,
//! every `lddw` pseudo source, load-acquire and store-release).
//!
//! Invariants:
//! - [`decode`] accepts exactly the rows of the table; reserved fields must be zero, registers
//!   must be `r0`..`r10`, and the error names the field and value that broke the rule.
//! - `encode(decode(x)) == x` for every slot that decodes (a property test checks it).
//! - A [`Code`] only exists when every control-flow target lands on an instruction start.
//!
//! ```
//! use hive_isa::{Code, Insn, RawInsn, Reg, Source, Width, AluOp};
//! // r0 = 7; exit
//! let raw = [RawInsn::new(0xb7, 0, 0, 0, 7), RawInsn::new(0x95, 0, 0, 0, 0)];
//! let code = Code::decode(&raw).unwrap();
//! assert_eq!(
//!     code.get(0),
//!     Some(&Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R0, src: Source::Imm(7) })
//! );
//! assert_eq!(code.to_raw(), raw);
//! ```
#![forbid(unsafe_code)]

mod code;
mod codec;
mod error;
mod insn;
mod raw;
pub mod table;
mod types;

pub use code::{Code, encode_all};
pub use codec::{decode, encode, lookup};
pub use error::{DecodeError, DecodeErrorKind, EncodeError, LayoutError};
pub use insn::Insn;
pub use raw::RawInsn;
pub use table::{CpuVersion, Form, Group, Kind};
pub use types::*;

/// Size of a BPF stack frame in bytes.
pub const STACK_SIZE: usize = 512;
/// Maximum call depth (frames) of bpf-to-bpf calls.
pub const MAX_CALL_FRAMES: usize = 8;
