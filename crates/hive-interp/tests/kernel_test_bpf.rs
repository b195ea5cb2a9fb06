//! The kernel's own interpreter/JIT suite (`lib/test_bpf.c`, Linux 6.12) run on hive-interp.
//!
//! Reading the corpus and building each subtest's context (an skb with its packet, a large
//! buffer, or NULL) is shared with the JIT's run of the same suite:
//! [`hive_corpus::test_bpf`] documents it. Classic tests are checked and converted by
//! `hive_interp::classic`. The low 32 bits of `r0` must equal `result`; tests the kernel
//! refuses to load (`expected_fail`) must be refused by the decoder or the classic checks.
//!
//! The fill file holds 14.5 M instruction slots (8.7 M instructions executed); the whole file
//! decodes and runs in about 2 s under `cargo test` (opt-level 1), so it always runs in full.

use hive_corpus::test_bpf::{self, Subtest};
use hive_interp::classic::skb::ClassicHelpers;
use hive_interp::{NoHelpers, Options, Vm};

/// Both files in one test, so that one summary line covers the whole suite.
#[test]
fn test_bpf() {
    let Some(dir) = test_bpf::corpus() else { return };
    let suite = test_bpf::run_suite(&dir, &mut |code| {
        let mut vm = Vm::new(code, Options::default());
        let run: Subtest = Box::new(move |mem, ctx| {
            let r0 = vm.run(mem, &mut ClassicHelpers::new(NoHelpers), [ctx, 0, 0, 0, 0]).map_err(|f| f.to_string())?;
            Ok((r0, vm.stats().insns))
        });
        Ok(run)
    });
    assert_eq!(suite.failed(), 0, "{}", suite.line());
}
