//! Why a run stopped abnormally: a [`Fault`] names the instruction, and a [`FaultKind`] the rule
//! it broke.

use std::fmt;

use hive_isa::{Insn, Pseudo};

use crate::helpers::HelperError;

/// Direction of a memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// A load (or the read half of an atomic).
    Read,
    /// A store (or the write half of an atomic).
    Write,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Read => "read",
            Access::Write => "write",
        })
    }
}

/// Why one memory access was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum AccessError {
    /// No registered region (nor a live stack frame) contains every byte of the access.
    #[error("{access} of {size} bytes at {addr:#x} is outside every region")]
    Unmapped {
        /// First byte.
        addr: u64,
        /// Bytes accessed.
        size: usize,
        /// Read or write.
        access: Access,
    },
    /// The address is inside a region that may only be read.
    #[error("write of {size} bytes at {addr:#x} into a read-only region")]
    ReadOnly {
        /// First byte.
        addr: u64,
        /// Bytes accessed.
        size: usize,
    },
    /// The bytes lie in a region of atomic words, which cannot be borrowed as a byte slice
    /// ([`crate::Memory::read`], [`crate::Memory::slice_mut`]); copy them with
    /// [`crate::Memory::read_into`] and [`crate::Memory::write`] instead.
    #[error("{size} bytes at {addr:#x} are in a word region and cannot be borrowed as bytes")]
    Words {
        /// First byte.
        addr: u64,
        /// Bytes accessed.
        size: usize,
    },
}

impl AccessError {
    /// The first byte of the refused access.
    pub fn addr(&self) -> u64 {
        match *self {
            AccessError::Unmapped { addr, .. } | AccessError::ReadOnly { addr, .. } | AccessError::Words { addr, .. } => {
                addr
            }
        }
    }
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaultKind {
    /// A load, store or atomic touched memory outside the registered regions.
    #[error(transparent)]
    Memory(#[from] AccessError),
    /// The instruction budget ([`crate::Options::budget`]) ran out.
    #[error("instruction budget of {limit} exhausted")]
    Budget {
        /// The budget.
        limit: u64,
    },
    /// Execution reached the end of the program without `exit`.
    #[error("fell off the end of the program")]
    FellOffEnd,
    /// A call would need more than [`hive_isa::MAX_CALL_FRAMES`] frames.
    #[error("call depth limit of {limit} frames exceeded")]
    CallDepth {
        /// The frame limit.
        limit: usize,
    },
    /// `callx` found a value that names no helper or subprogram.
    #[error("callx target {value:#x} is not a valid {what}")]
    BadCallxTarget {
        /// The register value.
        value: u64,
        /// "helper id" or "instruction index".
        what: &'static str,
    },
    /// A helper failed (unknown id, bad memory, or its own error).
    #[error("helper {id}: {error}")]
    Helper {
        /// Helper id.
        id: i32,
        /// What the helper reported.
        error: HelperError,
    },
    /// A kfunc failed.
    #[error("kfunc {btf_id} (module {module}): {error}")]
    Kfunc {
        /// BTF id of the function.
        btf_id: i32,
        /// Module BTF selector (`off` field).
        module: i16,
        /// What the kfunc reported.
        error: HelperError,
    },
    /// An `lddw` whose immediate must be resolved by a loader (map fd, BTF id, ...).
    #[error("unresolved pseudo lddw ({pseudo:?}); relocate it to a constant before running")]
    UnresolvedPseudo {
        /// The pseudo source.
        pseudo: Pseudo,
    },
    /// `LD_ABS`/`LD_IND` without a packet ([`crate::Memory::set_packet`]).
    #[error("legacy packet access without a packet")]
    NoPacket,
    /// `LD_ABS`/`LD_IND` while `r6` is not the packet's context.
    #[error("legacy packet access needs the skb context in r6, found {r6:#x}")]
    PacketContext {
        /// The value of `r6`.
        r6: u64,
    },
    /// Strict mode: a register was read before anything was written to it in this frame.
    #[error("R{reg} !read_ok (read before write)")]
    UninitRegister {
        /// The register number.
        reg: u8,
    },
    /// Strict mode: an instruction writes the read-only frame pointer.
    #[error("frame pointer is read only")]
    FramePointerWrite,
    /// A helper asked for a tail call ([`crate::Flow::TailCall`]) in a run that cannot
    /// perform one: [`crate::Vm::run`] (use [`crate::Vm::run_outcome`]), or from inside a
    /// bpf-to-bpf call or callback, which this interpreter does not support.
    #[error("tail call not possible here ({0})")]
    TailCall(&'static str),
    /// The engine does not implement what a helper asked for (the JIT and
    /// [`crate::Flow::Call`] or [`crate::Flow::TailCall`]).
    #[error("not supported by this engine: {0}")]
    Unsupported(&'static str),
}

/// An abnormal end of a run: where and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fault at pc {pc} ({}): {kind}", InsnDisplay(.insn))]
pub struct Fault {
    /// Slot index of the faulting instruction (the program length for [`FaultKind::FellOffEnd`]).
    pub pc: usize,
    /// The faulting instruction (`None` past the end).
    pub insn: Option<Insn>,
    /// What went wrong.
    pub kind: FaultKind,
}

struct InsnDisplay<'a>(&'a Option<Insn>);

impl fmt::Display for InsnDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(insn) => f.write_str(&hive_asm::format_insn(insn, hive_asm::Syntax::Kernel)),
            None => f.write_str("end of program"),
        }
    }
}
