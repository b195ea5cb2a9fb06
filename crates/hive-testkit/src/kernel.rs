//! The host kernel as an [`Engine`] (feature `kernel`).

use std::time::{Duration, Instant};

use hive_kernel::{KernelError, LoadError, LoadOptions, ProgType};

use crate::engine::{Engine, Observation};
use crate::generator::GeneratedProgram;

/// Why the kernel produced no observation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OracleError {
    /// The verifier rejected the program: a generator bug.
    #[error("kernel rejected the program: {}\n{}", .0.reason(), .0)]
    Rejected(LoadError),
    /// The test run failed.
    #[error("kernel test run failed: {0}")]
    Run(#[from] KernelError),
    /// The kernel's answer contradicts itself or the layout.
    #[error("inconsistent kernel result: {0}")]
    Inconsistent(String),
}

/// Loads `prog` as a `BPF_PROG_TYPE_SYSCALL` program, test-runs it once on `ctx_in` and returns
/// the observation. `r0` is read from the register dump in the context (the kernel reports
/// only its low 32 bits as `retval`, which is checked against the dump).
pub fn observe(prog: &GeneratedProgram) -> Result<Observation, OracleError> {
    observe_with(prog, 0).map(|(obs, _)| obs)
}

/// Like [`observe`], loading at verifier `log_level` and also returning the load log (which
/// holds `processed N insns` at level 4).
pub fn observe_with(prog: &GeneratedProgram, log_level: u32) -> Result<(Observation, String), OracleError> {
    let opts = LoadOptions { log_level, name: "hive_testkit", ..LoadOptions::new(ProgType::Syscall) };
    let fd = hive_kernel::load(&opts, &prog.raw).map_err(OracleError::Rejected)?;
    let res = fd.test_run(&[], Some(&prog.ctx_in), 0)?;
    if res.ctx_out.len() != prog.ctx_in.len() {
        return Err(OracleError::Inconsistent(format!(
            "ctx_out has {} bytes, ctx_in {}",
            res.ctx_out.len(),
            prog.ctx_in.len()
        )));
    }
    let at = prog.layout.regs;
    let r0 = u64::from_le_bytes(res.ctx_out[at..at + 8].try_into().expect("8 bytes"));
    if r0 as u32 != res.retval {
        return Err(OracleError::Inconsistent(format!("retval {:#x} but r0 dump {r0:#x}", res.retval)));
    }
    Ok((Observation { r0, ctx_out: res.ctx_out, calls: Vec::new() }, fd.load_log().to_string()))
}

/// The host kernel as an [`Engine`], counting what it did.
#[derive(Debug, Default)]
pub struct KernelEngine {
    /// Programs run successfully.
    pub runs: u64,
    /// Programs the verifier rejected.
    pub rejected: u64,
    /// Time spent in load + test run.
    pub busy: Duration,
}

impl KernelEngine {
    /// A fresh engine; check [`hive_kernel::available`] first.
    pub fn new() -> Self {
        KernelEngine::default()
    }
}

impl Engine for KernelEngine {
    fn run(&mut self, prog: &GeneratedProgram) -> Result<Observation, String> {
        let start = Instant::now();
        let res = observe(prog);
        self.busy += start.elapsed();
        match &res {
            Ok(_) => self.runs += 1,
            Err(OracleError::Rejected(_)) => self.rejected += 1,
            Err(_) => {}
        }
        res.map_err(|e| e.to_string())
    }

    fn name(&self) -> &str {
        "kernel"
    }
}
