//! Hive's JIT and interpreter.

use hive_interp::{Memory, Options, RegionKind, Vm};
use hive_isa::Code;
use hive_jit::{JitOptions, JitProgram};
use hive_maps::{Map, MapSpec, MapType};

use super::Engine;
use crate::clock::CpuTimer;
use crate::helpers::{BenchHelpers, Seen};
use crate::lowmem::{LowBuf, xdp_md};
use crate::program::{Input, Prepared};
use crate::{BenchError, kfunc::KfuncIds};

/// Which Hive engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HiveMode {
    /// `hive_jit`.
    Jit,
    /// `hive_interp`.
    Interp,
}

/// A program on one of Hive's engines, with its own input copy and maps.
#[derive(Debug)]
pub struct HiveEngine {
    mode: HiveMode,
    code: Code,
    jit: Option<JitProgram>,
    maps: Vec<Map>,
    input: LowBuf,
    raw: bool,
    kfuncs: KfuncIds,
}

/// The JIT's options for the bench: the defaults, except that no frame is zeroed (neither
/// frame 0 before a run nor a bpf-to-bpf callee's on entry). The suite's programs are
/// verified by the kernel (which never zeroes frames either) and the corpus programs are
/// trusted, so no program reads stack it did not write; the cross-check with the
/// interpreter (which does zero) would show it if one did. The `bpf_iter_num_*` kfuncs are
/// inlined when their BTF ids are known, and `bpf_loop` as the kernel's verifier inlines it.
pub fn jit_options() -> JitOptions {
    let ids = crate::kfunc::KfuncIds::load();
    let iter_num_kfuncs = JitOptions::iter_num_ids(|name| ids.id(name));
    let mut o = JitOptions {
        zero_frames: false,
        zero_stack: false,
        iter_num_kfuncs,
        inline_bpf_loop: true,
        ..JitOptions::default()
    };
    if let Some(a) = std::env::var("HIVE_ALIGN").ok().and_then(|v| v.parse().ok()) {
        o.align_loops = a;
    }
    o
}

fn err(mode: HiveMode, e: impl std::fmt::Display) -> BenchError {
    BenchError::engine(if mode == HiveMode::Jit { "hive-jit" } else { "hive-interp" }, e)
}

impl HiveEngine {
    /// Decodes (and for the JIT compiles) `p`, creating its maps in `hive-maps`.
    pub fn new(p: &Prepared, mode: HiveMode) -> Result<HiveEngine, BenchError> {
        let code = Code::decode(&p.hive_insns()).map_err(|e| err(mode, e))?;
        let maps = p
            .linked
            .maps
            .iter()
            .map(|d| {
                let ty = MapType::from_raw(d.map_type).ok_or_else(|| err(mode, format!("map type {}", d.map_type)))?;
                let mut spec = MapSpec::new(ty, d.key_size, d.value_size, d.max_entries);
                spec.map_flags = d.map_flags;
                Map::create(spec, 1).map_err(|e| err(mode, e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // The maps live in the engine (a `Vec` that never grows), so the addresses the
        // compiled code embeds stay valid as long as the program.
        let jit = match mode {
            HiveMode::Jit => Some(
                hive_jit::compile_with(&code, &jit_options(), &crate::helpers::natives::natives(&maps))
                    .map_err(|e| err(mode, e))?,
            ),
            HiveMode::Interp => None,
        };
        let input = LowBuf::new(p.input.bytes()).map_err(|e| err(mode, e))?;
        Ok(HiveEngine { mode, code, jit, maps, input, raw: matches!(p.input, Input::Raw(_)), kfuncs: p.kfuncs.clone() })
    }

    /// The compiled program (JIT mode).
    pub fn jit(&self) -> Option<&JitProgram> {
        self.jit.as_ref()
    }

    /// Runs `n` times; returns the last `r0` and the elapsed time of the loop.
    #[allow(unsafe_code)]
    fn batch(&mut self, n: u32) -> Result<(u64, f64), BenchError> {
        let HiveEngine { mode, code, jit, maps, input, raw, kfuncs } = self;
        let mode = *mode;
        let seen = Seen::default();
        let (len, addr32) = (input.len(), input.addr32());
        let mut ctx = xdp_md(addr32, len);
        let mut mem = Memory::new();
        let data = mem.add_region(if *raw { RegionKind::Input } else { RegionKind::Packet }, &mut input[..]);
        let args = if *raw {
            [data, len as u64, 0, 0, 0]
        } else {
            [mem.add_region(RegionKind::Context, &mut ctx), 0, 0, 0, 0]
        };
        let interp = mode == HiveMode::Interp;
        if interp {
            mem.set_resolver(&seen);
        }
        let mut helpers = BenchHelpers::new(maps, interp.then_some(&seen), kfuncs.clone(), len);
        let mut r0 = 0;
        let start;
        match jit {
            Some(jit) => {
                start = CpuTimer::start();
                for _ in 0..n {
                    // SAFETY: the suite's programs are accepted by the kernel verifier (the
                    // tests load each one) and the corpus programs are trusted; each touches
                    // only its input, its context, its stack and map values handed out by
                    // the helpers, and terminates.
                    r0 = unsafe { jit.run(&mut mem, &mut helpers, args) }.map_err(|e| err(mode, e))?;
                }
            }
            None => {
                let mut vm = Vm::new(code, Options::default());
                start = CpuTimer::start();
                for _ in 0..n {
                    r0 = vm.run(&mut mem, &mut helpers, args).map_err(|e| err(mode, e))?;
                }
            }
        }
        Ok((r0, start.elapsed_ns() / f64::from(n.max(1))))
    }
}

impl Engine for HiveEngine {
    fn name(&self) -> &'static str {
        match self.mode {
            HiveMode::Jit => "hive-jit",
            HiveMode::Interp => "hive-interp",
        }
    }

    fn run_once(&mut self) -> Result<u64, BenchError> {
        Ok(self.batch(1)?.0)
    }

    fn run_batch(&mut self, n: u32) -> Result<f64, BenchError> {
        Ok(self.batch(n)?.1)
    }

    fn code_bytes(&self) -> Option<usize> {
        self.jit.as_ref().map(|j| j.machine_code().len())
    }
}
