//! rbpf 0.4 (crates.io), the Rust peer: its interpreter and its x86-64 JIT.
//!
//! XDP programs run in `EbpfVmMbuff` with the `xdp_md` as metadata buffer (`r1`) and the
//! packet as memory; raw programs in `EbpfVmRaw` (`r1` = memory; rbpf does not set `r2`,
//! which the bpf-benchmark-2023 programs never read). The VM borrows the program and the
//! JIT ties the metadata buffer to that borrow, so each batch builds (and for the JIT
//! compiles) its VM before the clock starts.

#![allow(unsafe_code)]

use super::Engine;
use crate::BenchError;
use crate::clock::CpuTimer;
use crate::lowmem::{LowBuf, xdp_md};
use crate::program::{Input, Prepared};

/// Which rbpf engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RbpfMode {
    /// `execute_program_jit`.
    Jit,
    /// `execute_program`.
    Interp,
}

/// A program on rbpf.
#[derive(Debug)]
pub struct RbpfEngine {
    mode: RbpfMode,
    prog: Vec<u8>,
    input: LowBuf,
    raw: bool,
}

/// Runs `f`, turning a panic into `Err` without printing it. rbpf's JIT compiles into one
/// fixed 4 KiB page and panics (an assertion in its emitter) when the code does not fit.
/// The panic hook is process-wide, so it is swapped under a lock; a panic on another
/// thread during that window would go unprinted.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    r
}

fn name(mode: RbpfMode) -> &'static str {
    match mode {
        RbpfMode::Jit => "rbpf-jit",
        RbpfMode::Interp => "rbpf-interp",
    }
}

impl RbpfEngine {
    /// Prepares `p` for rbpf, or says why rbpf cannot run it. The program is checked (and
    /// for the JIT compiled) once here, so a refusal shows before anything is timed.
    pub fn new(p: &Prepared, mode: RbpfMode) -> Result<RbpfEngine, BenchError> {
        if let Some(why) = p.rbpf_refusal() {
            return Err(BenchError::engine(name(mode), format!("cannot run programs with {why}")));
        }
        let input = LowBuf::new(p.input.bytes()).map_err(|e| BenchError::engine(name(mode), e))?;
        let mut e = RbpfEngine { mode, prog: p.rbpf_bytes(), input, raw: matches!(p.input, Input::Raw(_)) };
        quietly(|| e.batch(0)).map_err(|_| {
            BenchError::engine(
                name(mode),
                "cannot run it: its machine code overflows rbpf's one-page (4 KiB) JIT buffer",
            )
        })??;
        Ok(e)
    }

    /// Median time of `rbpf`'s JIT compilation of this program, in µs, over `n` compiles.
    pub fn compile_us(&self, n: usize) -> Option<f64> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let start = std::time::Instant::now();
            let mut vm = rbpf::EbpfVmRaw::new(Some(&self.prog)).ok()?;
            quietly(|| vm.jit_compile()).ok()?.ok()?;
            times.push(start.elapsed().as_secs_f64() * 1e6);
        }
        Some(crate::stats::median(&mut times))
    }

    fn batch(&mut self, n: u32) -> Result<(u64, f64), BenchError> {
        let mode = self.mode;
        let e = |e: std::io::Error| BenchError::engine(name(mode), e);
        let (len, addr32) = (self.input.len(), self.input.addr32());
        let mut ctx = xdp_md(addr32, len);
        let mut r0 = 0;
        let start;
        if self.raw {
            let mut vm = rbpf::EbpfVmRaw::new(Some(&self.prog)).map_err(e)?;
            if mode == RbpfMode::Jit {
                vm.jit_compile().map_err(e)?;
            }
            start = CpuTimer::start();
            for _ in 0..n {
                r0 = match mode {
                    RbpfMode::Interp => vm.execute_program(&mut self.input).map_err(e)?,
                    // SAFETY: trusted corpus programs that only touch their input and stack.
                    RbpfMode::Jit => unsafe { vm.execute_program_jit(&mut self.input) }.map_err(e)?,
                };
            }
        } else {
            let mut vm = rbpf::EbpfVmMbuff::new(Some(&self.prog)).map_err(e)?;
            if mode == RbpfMode::Jit {
                vm.jit_compile().map_err(e)?;
            }
            start = CpuTimer::start();
            for _ in 0..n {
                r0 = match mode {
                    RbpfMode::Interp => vm.execute_program(&self.input, &ctx).map_err(e)?,
                    // SAFETY: kernel-verified programs that only touch the packet (below
                    // 4 GiB, reached through the 32-bit pointers of `ctx`), `ctx` and the stack.
                    RbpfMode::Jit => unsafe { vm.execute_program_jit(&mut self.input, &mut ctx) }.map_err(e)?,
                };
            }
        }
        Ok((r0, start.elapsed_ns() / f64::from(n.max(1))))
    }
}

impl Engine for RbpfEngine {
    fn name(&self) -> &'static str {
        name(self.mode)
    }

    fn run_once(&mut self) -> Result<u64, BenchError> {
        Ok(self.batch(1)?.0)
    }

    fn run_batch(&mut self, n: u32) -> Result<f64, BenchError> {
        Ok(self.batch(n)?.1)
    }
}
