//! Arbitrary programs through Hive's verifier: it never panics or hangs, and a program it
//! proves safe runs in the strict checked interpreter without a fault. Every access is
//! checked there, so a fault (other than running out of budget or calling a helper the
//! interpreter here does not provide) is a soundness bug in the verifier.
//!
//! Input: byte 0 picks privileged or unprivileged loading, bytes 1..65 seed the context (a
//! syscall program's buffer, 64 KiB as the kernel allows), the rest are instruction slots.
#![no_main]

use hive_interp::{FaultKind, Memory, NoHelpers, Options, RegionKind, Vm};
use hive_isa::{Code, RawInsn};
use hive_platform::prog::ProgType;
use hive_verifier::{ProgramEnv, VerifyOptions, verify_program};
use libfuzzer_sys::fuzz_target;

const CTX: usize = 65536 + 8;

fuzz_target!(|data: &[u8]| {
    if data.len() < 65 {
        return;
    }
    let (head, prog) = data.split_at(65);
    let raw: Vec<RawInsn> = prog.chunks_exact(8).map(|c| RawInsn::from_u64(u64::from_le_bytes(c.try_into().unwrap()))).collect();
    let opts = if head[0] & 1 == 0 { VerifyOptions::privileged() } else { VerifyOptions::unprivileged() };
    let env = ProgramEnv::new(ProgType::Syscall);
    let Ok(verified) = verify_program(&raw, &env, &opts) else { return };
    if !verified.is_safety_proof() {
        return;
    }
    let code = Code::decode(&raw).expect("an accepted program decodes");
    let mut ctx = vec![0u8; CTX];
    ctx[..64].copy_from_slice(&head[1..65]);
    let mut mem = Memory::new();
    let addr = mem.add_region(RegionKind::Context, &mut ctx);
    let mut vm = Vm::new(&code, Options { budget: 2_000_000, strict: true, ..Options::default() });
    if let Err(f) = vm.run(&mut mem, &mut NoHelpers, [addr, 0, 0, 0, 0]) {
        let benign = matches!(f.kind, FaultKind::Budget { .. } | FaultKind::Helper { .. } | FaultKind::Kfunc { .. });
        assert!(benign, "verified program faulted: {f}\n{}", verified.log);
    }
});
