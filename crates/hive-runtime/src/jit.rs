//! Running verified programs with the x86-64 JIT (`hive-jit`).
//!
//! At load, [`choose`] picks the engine: a program gets the JIT only when the verifier's
//! verdict is [`Verdict::Verified`] (a safety proof: `hive-verifier`'s
//! [`hive_verifier::Assurance::Safe`]), the runtime's JIT is enabled
//! ([`crate::RuntimeConfig::jit`]), the program uses nothing the JIT cannot run, and
//! `hive_jit::compile` accepts it. Everything else runs in the checked interpreter, with the
//! reason recorded in its [`Engine`] (shown in the load log and by `hive prog show`).
//!
//! What the JIT cannot run, although it compiles it, is found before compiling, because
//! compiled code only learns it at run time (as a fault, after side effects):
//!
//! - helpers that call back into the program (`bpf_loop`, `bpf_for_each_map_elem`: the
//!   helper answers [`hive_interp::Flow::Call`], which needs the interpreter's frames),
//!   and function references (`lddw rX, func`), which only callbacks use;
//! - `bpf_tail_call` ([`hive_interp::Flow::TailCall`]: the run loop switches programs);
//! - `callx`, whose helper id is only known at run time.
//!
//! Compiled code calls the runtime's helpers through the same [`hive_interp::Helpers`]
//! implementation as the interpreter (the JIT's trampolines, with the run's checked
//! [`hive_interp::Memory`]), so helper arguments are validated exactly as in the interpreter.
//! No direct helpers or inlined map lookups are used ([`hive_jit::Natives`]): the helpers
//! must see every map value the program is handed (`run::Exposed`), so that a value pointer
//! passed back to a helper resolves.
//!
//! The only `unsafe` of the runtime is [`JitCode::run`]'s call of compiled code; a
//! [`JitCode`] can only be made from a [`Verdict::Verified`] program.

use hive_interp::{Fault, Helpers, Memory};
use hive_isa::{CallTarget, Code, Insn, Pseudo};
use hive_jit::{JitOptions, JitProgram};

use crate::load::verify::{Engine, Verdict};

/// `BPF_FUNC_tail_call`.
const TAIL_CALL: i32 = 12;
/// `BPF_FUNC_for_each_map_elem`.
const FOR_EACH_MAP_ELEM: i32 = 164;
/// `BPF_FUNC_loop`.
const LOOP: i32 = 181;

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

    /// Runs the program with `r1`-`r5` = `args`, like the interpreter's `Vm::run`.
    #[allow(unsafe_code)]
    pub(crate) fn run<H: Helpers + ?Sized>(
        &self,
        mem: &mut Memory<'_>,
        helpers: &mut H,
        args: [u64; 5],
    ) -> Result<u64, Fault> {
        // SAFETY: a `JitCode` is only made by `choose`, for a program whose verdict is
        // `Verdict::Verified`: `hive-verifier` accepted it with `Assurance::Safe` (or an
        // embedder's verifier vouched for the same), so on every input the program only
        // reads and writes its stack, its context, the packet between `data` and
        // `data_end`, and the map values and buffers helpers hand it, which are the
        // regions of `mem` and the run's exposed values; it terminates; and it never reads
        // a register the verifier considers unreadable. The run sets `mem` up as the
        // verifier assumed (the context and packet the program type describes), and the
        // helpers that would need the interpreter (callbacks, tail calls, `callx`) are
        // excluded by `choose`. `hive-jit`'s `JitProgram::run` asks for exactly this.
        unsafe { self.0.run(mem, helpers, args) }
    }
}

/// Why the JIT cannot run `code` although it may compile it (see the module docs).
fn unsupported(code: &Code) -> Option<String> {
    for (pc, insn) in code.iter() {
        let why = match insn {
            Insn::Call(CallTarget::Helper(TAIL_CALL)) => "tail calls (bpf_tail_call)",
            Insn::Call(CallTarget::Helper(LOOP)) => "helper callbacks (bpf_loop)",
            Insn::Call(CallTarget::Helper(FOR_EACH_MAP_ELEM)) => "helper callbacks (bpf_for_each_map_elem)",
            Insn::CallX { .. } => "callx",
            Insn::LdImm64 { pseudo: Pseudo::Func, .. } => "callback function references",
            _ => continue,
        };
        return Some(format!("{why} at insn {pc}"));
    }
    None
}

/// The engine for a program with this verdict, and its machine code when it is the JIT's.
pub(crate) fn choose(verdict: &Verdict, code: &Code, enabled: bool) -> (Engine, Option<JitCode>) {
    let interp = |reason: String| (Engine::Interpreter { reason }, None);
    if matches!(verdict, Verdict::Unverified) {
        return interp("unverified".into());
    }
    if !enabled {
        return interp("disabled in the runtime configuration".into());
    }
    if let Some(why) = unsupported(code) {
        return interp(format!("the JIT does not run {why}"));
    }
    match hive_jit::compile(code, &JitOptions::default()) {
        Ok(p) => {
            let jit = JitCode(p);
            (Engine::Jit { code_bytes: jit.len() }, Some(jit))
        }
        Err(e) => interp(format!("the JIT refused the program: {e}")),
    }
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
    fn only_verified_programs_without_callbacks_or_tail_calls_are_compiled() {
        let verified = Verdict::Verified { processed: 2 };
        let plain = code("r0 = 2\nexit");
        let (engine, jit) = choose(&verified, &plain, true);
        assert_eq!(engine, Engine::Jit { code_bytes: jit.as_ref().unwrap().len() });
        let (engine, jit) = choose(&Verdict::Unverified, &plain, true);
        assert!(jit.is_none());
        assert_eq!(reason(engine), "unverified");
        assert_eq!(reason(choose(&verified, &plain, false).0), "disabled in the runtime configuration");
        let each = code("r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\ncall bpf_for_each_map_elem\nexit");
        assert_eq!(
            reason(choose(&verified, &each, true).0),
            "the JIT does not run helper callbacks (bpf_for_each_map_elem) at insn 4"
        );
        let callx = Code::decode(&[RawInsn::new(0x8d, 1, 0, 0, 0), RawInsn::new(0x95, 0, 0, 0, 0)]).unwrap();
        assert_eq!(reason(choose(&verified, &callx, true).0), "the JIT does not run callx at insn 0");
        // An unresolved map pseudo: the JIT's own refusal.
        let pseudo = Code::decode(&[
            RawInsn::new(0x18, 1, 1, 0, 3),
            RawInsn::new(0, 0, 0, 0, 0),
            RawInsn::new(0x95, 0, 0, 0, 0),
        ])
        .unwrap();
        assert!(reason(choose(&verified, &pseudo, true).0).starts_with("the JIT refused the program: "));
    }
}
