//! The kernel's `lib/test_bpf.c` suite (static and fill files, eBPF and classic tests through
//! hive-interp's classic-to-eBPF conversion) on the JIT. Reading and context set-up are
//! shared with hive-interp's run of the same suite ([`hive_corpus::test_bpf`]); the totals
//! must be the same: every test the interpreter passes, the JIT passes.
//!
//! test_bpf.c feeds its programs to the kernel's interpreter and JIT without the verifier;
//! they are trusted programs written for exactly that, which is the JIT's safety contract.

use hive_corpus::test_bpf::{self, Subtest};
use hive_interp::NoHelpers;
use hive_interp::classic::skb::ClassicHelpers;
use hive_jit::{JitOptions, compile};

#[test]
fn test_bpf_on_the_jit() {
    run_with(JitOptions::default());
}

/// The same with every immediate blinded (test_bpf's own `bpf_jit_harden` coverage).
#[test]
fn test_bpf_on_the_jit_with_blinded_constants() {
    run_with(JitOptions { blind_constants: true, ..JitOptions::default() });
}

#[allow(unsafe_code)]
fn run_with(options: JitOptions) {
    let Some(dir) = test_bpf::corpus() else {
        return;
    };
    let mut compiled = 0usize;
    let suite = test_bpf::run_suite(&dir, &mut |code| {
        let prog = compile(code, &options).map_err(|e| format!("jit: {e}"))?;
        compiled += 1;
        let run: Subtest = Box::new(move |mem, ctx| {
            // SAFETY: test_bpf's programs are the kernel's trusted JIT tests; each touches only
            // its context, packet and stack, which `mem` describes, and terminates.
            let r0 = unsafe { prog.run(mem, &mut ClassicHelpers::new(NoHelpers), [ctx, 0, 0, 0, 0]) };
            Ok((r0.map_err(|f| f.to_string())?, 0))
        });
        Ok(run)
    });
    println!("{compiled} programs compiled");
    assert_eq!(suite.line(), "test_bpf: 1048 passed, 0 failed, 1 not applicable");
}
