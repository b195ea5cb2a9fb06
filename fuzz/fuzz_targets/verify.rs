//! Arbitrary programs through Hive's verifier: it never panics or hangs, and a program it
//! proves safe runs in the strict checked interpreter without a fault. Every access is
//! checked there, so a fault (other than running out of budget or calling a helper the
//! interpreter here does not provide) is a soundness bug in the verifier. A program that
//! runs to its end is then compiled by the JIT with the verifier's facts at block starts
//! (as the runtime compiles) and run again in the same memory: a different `r0` or context
//! is a wrong fact, or a JIT bug.
//!
//! Input: byte 0 picks privileged or unprivileged loading, bytes 1..65 seed the context (a
//! syscall program's buffer, 64 KiB as the kernel allows), the rest are instruction slots.
#![no_main]

use hive_interp::{FaultKind, Memory, NoHelpers, Options, RegionKind, Vm};
use hive_isa::{Code, RawInsn};
use hive_platform::prog::ProgType;
use hive_jit::{JitOptions, KnownReg, Natives};
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
    let r0 = match vm.run(&mut mem, &mut NoHelpers, [addr, 0, 0, 0, 0]) {
        Ok(r0) => r0,
        Err(f) => {
            let benign = matches!(f.kind, FaultKind::Budget { .. } | FaultKind::Helper { .. } | FaultKind::Kfunc { .. });
            assert!(benign, "verified program faulted: {f}\n{}", verified.log);
            return;
        }
    };
    // The same memory (stack and context at the same addresses, so that pointers a program
    // stores or returns compare equal), the context reset to its input.
    let after = mem.slice_mut(addr, CTX).expect("the context").to_vec();
    let input = mem.slice_mut(addr, CTX).expect("the context");
    input.fill(0);
    input[..64].copy_from_slice(&head[1..65]);
    let mut natives = Natives::<NoHelpers>::new();
    for (pc, regs) in verified.facts.iter() {
        natives.block_entry(pc, regs.map(|r| KnownReg { value: r.value, mask: r.mask, nonzero: r.nonzero, nonzero32: r.nonzero32 }));
    }
    let Ok(jit) = hive_jit::compile_with(&code, &JitOptions::default(), &natives) else { return };
    // SAFETY: the verifier proved the program safe, and the checked interpreter just ran it to
    // its end on an identical context.
    #[allow(unsafe_code)]
    let jit_r0 = unsafe { jit.run(&mut mem, &mut NoHelpers, [addr, 0, 0, 0, 0]) };
    assert_eq!(jit_r0, Ok(r0), "JIT with the verifier's facts vs interpreter\n{}", verified.log);
    assert!(mem.slice_mut(addr, CTX).expect("the context") == &after[..], "contexts differ after the run");
});
