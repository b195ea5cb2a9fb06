//! Running verified programs with the x86-64 JIT (`hive-jit`).
//!
//! At load, [`choose`] picks the engine: a program gets the JIT only when the verifier's
//! verdict is [`Verdict::Verified`] (a safety proof: `hive-verifier`'s
//! [`hive_verifier::Assurance::Safe`]), the runtime's JIT is enabled
//! ([`crate::RuntimeConfig::jit`]) and `hive_jit::compile` accepts it. Everything else runs
//! in the checked interpreter, with the reason recorded in its [`Engine`] (shown in the load
//! log and by `hive prog show`).
//!
//! Compiled code runs helper callbacks (`bpf_loop`, `bpf_for_each_map_elem`: the helper
//! answers [`hive_interp::Flow::Call`], the JIT enters the callback in the next frame and
//! hands its result to the helper's `resume`) and ends on `bpf_tail_call`
//! ([`hive_interp::Flow::TailCall`], [`JitCode::run`] returns [`Outcome::TailCall`]) so that
//! the run loop (`run::execute`) starts the target program, JIT or interpreter, exactly as
//! after an interpreted run.
//!
//! Compiled code calls the runtime's helpers through the same [`hive_interp::Helpers`]
//! implementation as the interpreter (the JIT's trampolines, with the run's checked
//! [`hive_interp::Memory`]), so helper arguments are validated exactly as in the interpreter.
//! The one exception is `bpf_map_lookup_elem` on an array map whose values are one block
//! ([`hive_maps::Map::value_block`]: plain arrays), which is compiled in line as the kernel's
//! `array_map_gen_lookup` ([`hive_jit::ArrayLayout`]): no call at all. Such a value pointer
//! never went through a helper, so the run's [`crate::run`] `Exposed` resolves pointers into
//! those arrays' values on demand when a helper is handed one.
//!
//! The compiler also gets what the verifier proved where blocks start
//! ([`hive_verifier::BlockFacts`]: known bits, non-zero values), so that, for instance, a
//! division by a loop counter the verifier knows is at least 3 needs no test for 0.
//!
//! The only `unsafe` of the runtime is [`JitCode::run`]'s call of compiled code; a
//! [`JitCode`] can only be made from a [`Verdict::Verified`] program.

use hive_interp::{Fault, Helpers, Memory, Outcome};
use hive_isa::Code;
use hive_jit::{ArrayLayout, JitOptions, JitProgram, KnownReg, MapFacts, Natives};
use hive_verifier::BlockFacts;
use hive_platform::kfunc::KfuncRegistry;

use crate::load::verify::{Engine, Verdict};
use crate::map::MapRef;
use crate::run::RunHelpers;

/// Machine code for a program the verifier proved safe.
#[derive(Debug)]
pub(crate) struct JitCode(JitProgram);

impl JitCode {
    /// Bytes of machine code (`jited_prog_len`).
    pub(crate) fn len(&self) -> usize {
        self.0.machine_code().len()
    }

    /// The machine code (`jited_prog_insns`).
    pub(crate) fn machine_code(&self) -> &[u8] {
        self.0.machine_code()
    }

    /// Per instruction slot, the offset of its machine code (`jited_insn_offsets`).
    pub(crate) fn insn_offsets(&self) -> &[u32] {
        self.0.insn_offsets()
    }

    /// Runs the program with `r1`-`r5` = `args`, like the interpreter's `Vm::run_outcome`.
    #[allow(unsafe_code)]
    pub(crate) fn run<H: Helpers + ?Sized>(
        &self,
        mem: &mut Memory<'_>,
        helpers: &mut H,
        args: [u64; 5],
    ) -> Result<Outcome, Fault> {
        // SAFETY: a `JitCode` is only made by `choose`, for a program whose verdict is
        // `Verdict::Verified`: `hive-verifier` accepted it with `Assurance::Safe` (or an
        // embedder's verifier vouched for the same), so on every input the program only
        // reads and writes its stack, its context, the packet between `data` and
        // `data_end`, and the map values and buffers helpers hand it, which are the
        // regions of `mem` and the run's exposed values; it terminates; and it never reads
        // a register the verifier considers unreadable. The run sets `mem` up as the
        // verifier assumed (the context and packet the program type describes).
        // `hive-jit`'s `JitProgram::run_outcome` asks for exactly this.
        unsafe { self.0.run_outcome(mem, helpers, args) }
    }
}

/// How the runtime compiles: `bpf_loop` with a callback known at the call and the
/// `bpf_iter_num_*` kfuncs (under the ids `kfuncs` gives them) compiled in line, with the
/// semantics of the runtime's own helper and kfuncs (`helpers::callback`, `helpers::kfunc`).
pub(crate) fn options(kfuncs: &KfuncRegistry, blind_constants: bool) -> JitOptions {
    let iter_num_kfuncs = JitOptions::iter_num_ids(|name| kfuncs.by_name(name).map(|(id, _)| id.0 as i32));
    JitOptions { inline_bpf_loop: true, iter_num_kfuncs, blind_constants, ..JitOptions::default() }
}

/// The engine for a program with this verdict, and its machine code when it is the JIT's
/// (`options`: `None` when the runtime's JIT is disabled).
pub(crate) fn choose(
    verdict: &Verdict,
    code: &Code,
    options: Option<&JitOptions>,
    maps: &[MapRef],
) -> (Engine, Option<JitCode>) {
    let interp = |reason: String| (Engine::Interpreter { reason }, None);
    if matches!(verdict, Verdict::Unverified) {
        return interp("unverified".into());
    }
    let Some(options) = options else {
        return interp("disabled in the runtime configuration".into());
    };
    let Verdict::Verified { facts, .. } = verdict else { unreachable!("checked above") };
    match hive_jit::compile_with(code, options, &natives(maps, facts)) {
        Ok(p) => {
            let jit = JitCode(p);
            (Engine::Jit { code_bytes: jit.len() }, Some(jit))
        }
        Err(e) => interp(format!("the JIT refused the program: {e}")),
    }
}

/// What the compiler is told: the helpers it calls directly (`helpers::direct`), the
/// program's arrays whose lookups compile in line, keyed by their `lddw` value (the map's
/// handle), and the verifier's facts at block starts. The
/// helper type is the run's (`run::RunHelpers`); compiled code checks its name, which
/// carries no lifetime.
fn natives(maps: &[MapRef], facts: &BlockFacts) -> Natives<RunHelpers<'static>> {
    let mut natives = Natives::new();
    crate::helpers::direct::register(&mut natives);
    for (pc, regs) in facts.iter() {
        let known = regs.map(|r| KnownReg { value: r.value, mask: r.mask, nonzero: r.nonzero, nonzero32: r.nonzero32 });
        natives.block_entry(pc, known);
    }
    for m in maps {
        if let Some(b) = m.map().value_block() {
            let array = ArrayLayout { base: b.base, stride: b.stride, max_entries: b.count };
            natives.map(m.handle(), MapFacts { array: Some(array), lookup: None });
        }
    }
    natives
}

#[cfg(test)]
mod tests {
    use hive_isa::RawInsn;

    use super::*;

    fn code(text: &str) -> Code {
        Code::decode(&hive_asm::assemble(text, hive_asm::Syntax::Kernel).unwrap()).unwrap()
    }

    fn reason(e: Engine) -> String {
        match e {
            Engine::Interpreter { reason } => reason,
            Engine::Jit { .. } => panic!("compiled"),
        }
    }

    #[test]
    fn only_verified_programs_are_compiled() {
        let verified = Verdict::Verified { processed: 2, facts: Default::default() };
        let on = options(&KfuncRegistry::with_builtins(), false);
        assert!(on.inline_bpf_loop && on.iter_num_kfuncs.is_some());
        let on = Some(&on);
        let plain = code("r0 = 2\nexit");
        let (engine, jit) = choose(&verified, &plain, on, &[]);
        assert_eq!(engine, Engine::Jit { code_bytes: jit.as_ref().unwrap().len() });
        let (engine, jit) = choose(&Verdict::Unverified, &plain, on, &[]);
        assert!(jit.is_none());
        assert_eq!(reason(engine), "unverified");
        assert_eq!(reason(choose(&verified, &plain, None, &[]).0), "disabled in the runtime configuration");
        let each = code("r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\ncall bpf_for_each_map_elem\nexit");
        assert!(choose(&verified, &each, on, &[]).1.is_some());
        // An unresolved map pseudo: the JIT's own refusal.
        let pseudo = Code::decode(&[
            RawInsn::new(0x18, 1, 1, 0, 3),
            RawInsn::new(0, 0, 0, 0, 0),
            RawInsn::new(0x95, 0, 0, 0, 0),
        ])
        .unwrap();
        assert!(reason(choose(&verified, &pseudo, on, &[]).0).starts_with("the JIT refused the program: "));
    }
}
