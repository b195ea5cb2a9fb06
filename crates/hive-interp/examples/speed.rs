//! Rough interpreter throughput: a counting loop with ALU, a stack store/load and a branch.
//!
//! `cargo run --release -p hive-interp --example speed`

use std::time::Instant;

use hive_interp::{Memory, NoHelpers, Options, Vm};
use hive_isa::{Code, RawInsn};

fn main() {
    // r0 = 0; r1 = N; loop: r0 += r1; *(u64 *)(r10 - 8) = r0; r2 = *(u64 *)(r10 - 8);
    // r0 ^= r2; r0 += 3; r1 -= 1; if r1 != 0 goto loop; exit
    let n = 20_000_000;
    let code = Code::decode(&[
        RawInsn::new(0xb7, 0, 0, 0, 0),
        RawInsn::new(0xb7, 1, 0, 0, n),
        RawInsn::new(0x0f, 0, 1, 0, 0),
        RawInsn::new(0x7b, 10, 0, -8, 0),
        RawInsn::new(0x79, 2, 10, -8, 0),
        RawInsn::new(0xaf, 0, 2, 0, 0),
        RawInsn::new(0x07, 0, 0, 0, 3),
        RawInsn::new(0x17, 1, 0, 0, 1),
        RawInsn::new(0x55, 1, 0, -7, 0),
        RawInsn::new(0x95, 0, 0, 0, 0),
    ])
    .unwrap();
    let mut vm = Vm::new(&code, Options { budget: u64::MAX, ..Options::default() });
    let mut mem = Memory::new();
    let t = Instant::now();
    let r0 = vm.run(&mut mem, &mut NoHelpers, [0; 5]).unwrap();
    let dt = t.elapsed();
    let insns = vm.stats().insns;
    println!(
        "r0 = {r0:#x}: {insns} instructions in {dt:.2?}, {:.1} M insns/s",
        insns as f64 / dt.as_secs_f64() / 1e6
    );
}
