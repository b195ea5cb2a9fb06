//! Calls out of the program: helpers (`call N`) and kfuncs (`call kfunc`), supplied by the
//! embedder.

use std::collections::HashMap;
use std::fmt;

use crate::fault::AccessError;
use crate::memory::Memory;

/// What a helper asks the interpreter to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flow {
    /// Continue after the call with this value in `r0`.
    Return(u64),
    /// End the whole program now, returning this value ("unwind").
    Exit(u64),
    /// Call the subprogram whose first instruction is slot `target` (what `lddw rX, func`
    /// loads: a callback such as `bpf_loop`'s) with `args` in `r1`-`r5`, in a new frame, and
    /// when it returns hand its `r0` to [`Helpers::resume`], whose answer decides what
    /// happens next (another call, or a return to the program). The helper's state between
    /// calls is its own.
    Call {
        /// Slot index of the subprogram.
        target: u64,
        /// `r1`-`r5` for the callee.
        args: [u64; 5],
    },
    /// Replace the running program (`bpf_tail_call`): the run ends at once with
    /// [`crate::Outcome::TailCall`] carrying this token, and the embedder runs the target.
    /// Only [`crate::Vm::run_outcome`] accepts it, and only from the main program's frame.
    TailCall(u64),
}

/// Why a helper or kfunc call failed; the run ends with a [`crate::FaultKind::Helper`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HelperError {
    /// No function is registered under this id.
    #[error("unknown function")]
    Unknown,
    /// The helper touched memory outside the regions (through [`Memory`]).
    #[error(transparent)]
    Memory(#[from] AccessError),
    /// Any other failure, explained.
    #[error("{0}")]
    Failed(String),
}

/// The functions a program may call. Implementations get the arguments `r1`-`r5` and the
/// run's [`Memory`] (stack frames included), through which every pointer argument must be
/// read or written.
pub trait Helpers {
    /// `call id` (`src = 0`).
    fn call_helper(&mut self, id: i32, args: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError>;

    /// `call kfunc` (`src = 2`): `btf_id` is the `imm` field, `module` the `off` field. The
    /// default knows no kfunc.
    fn call_kfunc(
        &mut self,
        btf_id: i32,
        module: i16,
        args: [u64; 5],
        mem: &mut Memory<'_>,
    ) -> Result<Flow, HelperError> {
        let _ = (btf_id, module, args, mem);
        Err(HelperError::Unknown)
    }

    /// A callback requested with [`Flow::Call`] returned `ret`; says what to do next. Called
    /// once per finished callback, innermost first when callbacks nest. The default refuses.
    fn resume(&mut self, ret: u64, mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        let _ = (ret, mem);
        Err(HelperError::Failed("no callback is pending".into()))
    }
}

/// A helper set with no function at all: every call faults.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHelpers;

impl Helpers for NoHelpers {
    fn call_helper(&mut self, _: i32, _: [u64; 5], _: &mut Memory<'_>) -> Result<Flow, HelperError> {
        Err(HelperError::Unknown)
    }
}

/// One registered function.
pub type HelperFn = Box<dyn FnMut([u64; 5], &mut Memory<'_>) -> Result<Flow, HelperError>>;

/// A table of helper and kfunc closures keyed by id.
///
/// ```
/// use hive_interp::{Flow, HelperTable};
/// let mut table = HelperTable::new();
/// table.add_helper(1, |args, _mem| Ok(Flow::Return(args[0] + args[1])));
/// ```
#[derive(Default)]
pub struct HelperTable {
    helpers: HashMap<i32, HelperFn>,
    kfuncs: HashMap<(i32, i16), HelperFn>,
}

impl fmt::Debug for HelperTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut helpers: Vec<_> = self.helpers.keys().collect();
        helpers.sort();
        let mut kfuncs: Vec<_> = self.kfuncs.keys().collect();
        kfuncs.sort();
        f.debug_struct("HelperTable").field("helpers", &helpers).field("kfuncs", &kfuncs).finish()
    }
}

/// Helper id of the bpf_conformance "unwind" helper.
pub const UNWIND_HELPER: i32 = 5;

impl HelperTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The helper set the bpf_conformance suite expects: helper 5 ("unwind") returns `r1`,
    /// and when `r1` is 0 ends the program with 0.
    pub fn conformance() -> Self {
        let mut t = Self::new();
        t.add_helper(UNWIND_HELPER, |args, _| Ok(if args[0] == 0 { Flow::Exit(0) } else { Flow::Return(args[0]) }));
        t
    }

    /// Registers (or replaces) helper `id`.
    pub fn add_helper(
        &mut self,
        id: i32,
        f: impl FnMut([u64; 5], &mut Memory<'_>) -> Result<Flow, HelperError> + 'static,
    ) -> &mut Self {
        self.helpers.insert(id, Box::new(f));
        self
    }

    /// Registers (or replaces) kfunc `btf_id` of module BTF `module` (0 = vmlinux).
    pub fn add_kfunc(
        &mut self,
        btf_id: i32,
        module: i16,
        f: impl FnMut([u64; 5], &mut Memory<'_>) -> Result<Flow, HelperError> + 'static,
    ) -> &mut Self {
        self.kfuncs.insert((btf_id, module), Box::new(f));
        self
    }
}

impl Helpers for HelperTable {
    fn call_helper(&mut self, id: i32, args: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        match self.helpers.get_mut(&id) {
            Some(f) => f(args, mem),
            None => Err(HelperError::Unknown),
        }
    }

    fn call_kfunc(
        &mut self,
        btf_id: i32,
        module: i16,
        args: [u64; 5],
        mem: &mut Memory<'_>,
    ) -> Result<Flow, HelperError> {
        match self.kfuncs.get_mut(&(btf_id, module)) {
            Some(f) => f(args, mem),
            None => Err(HelperError::Unknown),
        }
    }
}
