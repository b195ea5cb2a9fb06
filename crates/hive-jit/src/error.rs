//! Why a program could not be compiled. A refusal is never a crash: the runtime falls back to
//! the interpreter.

use hive_isa::{LayoutError, Pseudo};

/// A program the JIT cannot (or will not) compile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JitError {
    /// The subprogram layout breaks the kernel's rules (a jump leaves its subprogram, a
    /// subprogram does not end in `exit` or `ja`).
    #[error("program layout: {0}")]
    Layout(#[from] LayoutError),
    /// An `lddw` whose immediate a loader must resolve first (map fd, map value, BTF id).
    #[error("unresolved pseudo lddw ({pseudo:?}) at pc {pc}; relocate it to a constant first")]
    UnresolvedPseudo {
        /// Slot index.
        pc: usize,
        /// The pseudo source.
        pseudo: Pseudo,
    },
    /// An instruction writes `r10`, which the verifier forbids ("frame pointer is read only")
    /// and which the JIT's frame chaining relies on.
    #[error("instruction at pc {pc} writes the frame pointer r10")]
    FramePointerWrite {
        /// Slot index.
        pc: usize,
    },
    /// A subprogram can reach itself through bpf-to-bpf calls (the kernel refuses recursion).
    #[error("recursive bpf-to-bpf call: the subprogram at pc {start} can call itself")]
    Recursion {
        /// First slot of the subprogram.
        start: usize,
    },
    /// The deepest chain of bpf-to-bpf calls needs more frames than allowed.
    #[error("a call chain needs {frames} frames, more than the limit of {limit}")]
    CallDepth {
        /// Frames of the deepest chain, the main program included.
        frames: usize,
        /// [`hive_isa::MAX_CALL_FRAMES`].
        limit: usize,
    },
    /// A construct the JIT does not implement.
    #[error("pc {pc}: {what} is not supported by the JIT")]
    Unsupported {
        /// Slot index (0 for whole-program options).
        pc: usize,
        /// What.
        what: &'static str,
    },
    /// The assembler reported an error (an internal bug).
    #[error("code generation failed: {0}")]
    Assembler(String),
    /// Executable memory could not be mapped or protected.
    #[error("executable memory: {0}")]
    ExecutableMemory(String),
}
