//! Why a byte sequence is not a valid instruction stream.

use std::fmt;

/// What is wrong with one instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// No form has this opcode byte.
    UnknownOpcode(u8),
    /// The opcode exists but the selecting field holds a value no form accepts.
    BadSelector {
        /// The opcode byte.
        code: u8,
        /// `off`, `imm` or `src`.
        field: &'static str,
        /// What it holds.
        value: i64,
        /// The values it may hold.
        allowed: Vec<i64>,
    },
    /// A field the form does not use is not zero.
    ReservedNonZero {
        /// The form's mnemonic.
        mnemonic: &'static str,
        /// The opcode byte.
        code: u8,
        /// `dst`, `src`, `off` or `imm`.
        field: &'static str,
        /// What it holds.
        value: i64,
    },
    /// A register field names a register above `r10`.
    BadRegister {
        /// `dst` or `src`.
        field: &'static str,
        /// The register number.
        value: u8,
    },
    /// An `lddw` is the last slot of the program.
    TruncatedLdImm64,
    /// The second slot of an `lddw` has a non-zero field other than `imm`.
    BadLdImm64Tail {
        /// The offending field.
        field: &'static str,
        /// What it holds.
        value: i64,
    },
    /// A jump, call or function reference lands outside the program.
    TargetOutOfRange {
        /// The computed target slot.
        target: i64,
        /// Program length in slots.
        len: usize,
    },
    /// A jump, call or function reference lands on the second slot of an `lddw`.
    TargetInsideLdImm64 {
        /// The computed target slot.
        target: i64,
    },
    /// The byte length is not a multiple of 8.
    PartialSlot {
        /// The byte length.
        len: usize,
    },
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::UnknownOpcode(c) => write!(f, "unknown opcode 0x{c:02x}"),
            DecodeErrorKind::BadSelector { code, field, value, allowed } => {
                let list: Vec<String> = allowed.iter().map(|v| v.to_string()).collect();
                write!(f, "invalid {field}={value} for opcode 0x{code:02x} (expected one of {})", list.join(", "))
            }
            DecodeErrorKind::ReservedNonZero { mnemonic, code, field, value } => {
                write!(f, "reserved field {field} must be 0 in {mnemonic} (opcode 0x{code:02x}), found {value}")
            }
            DecodeErrorKind::BadRegister { field, value } => {
                write!(f, "invalid {field} register r{value} (registers are r0-r10)")
            }
            DecodeErrorKind::TruncatedLdImm64 => write!(f, "incomplete lddw: the program ends after its first slot"),
            DecodeErrorKind::BadLdImm64Tail { field, value } => {
                write!(f, "invalid lddw second slot: {field} must be 0, found {value}")
            }
            DecodeErrorKind::TargetOutOfRange { target, len } => {
                write!(f, "jump out of range: target {target} outside 0..{len}")
            }
            DecodeErrorKind::TargetInsideLdImm64 { target } => {
                write!(f, "jump into the middle of an lddw at {target}")
            }
            DecodeErrorKind::PartialSlot { len } => {
                write!(f, "program length {len} bytes is not a multiple of 8")
            }
        }
    }
}

/// A decoding failure at one instruction slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The slot index.
    pub pc: usize,
    /// What is wrong.
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "insn {}: {}", self.pc, self.kind)
    }
}

impl std::error::Error for DecodeError {}

/// An [`crate::Insn`] that has no encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError {
    /// What cannot be encoded.
    pub reason: String,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot encode: {}", self.reason)
    }
}

impl std::error::Error for EncodeError {}

/// A program whose subprograms break the kernel's layout rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutError {
    /// There is no instruction.
    Empty,
    /// A subprogram's last instruction is neither `exit` nor an unconditional jump.
    LastNotExit {
        /// Its slot.
        pc: usize,
    },
    /// A jump leaves its subprogram.
    JumpOutOfSubprogram {
        /// The jump.
        from: usize,
        /// Its target.
        to: i64,
    },
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::Empty => write!(f, "empty program"),
            LayoutError::LastNotExit { pc } => write!(f, "last insn is not an exit or jmp (insn {pc})"),
            LayoutError::JumpOutOfSubprogram { from, to } => write!(f, "jump out of range from insn {from} to {to}"),
        }
    }
}

impl std::error::Error for LayoutError {}
