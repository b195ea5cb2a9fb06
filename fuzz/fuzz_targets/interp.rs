//! Arbitrary programs in the checked interpreter: every run ends in a value or a fault,
//! within its budget, and never panics.
#![no_main]

use hive_interp::{HelperTable, Memory, Options, RegionKind, Vm};
use hive_isa::Code;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.len().min(64);
    let (input, prog) = data.split_at(split);
    let prog = &prog[..prog.len() - prog.len() % 8];
    let Ok(code) = Code::from_bytes(prog) else { return };
    let mut buf = input.to_vec();
    for strict in [false, true] {
        let mut mem = Memory::new();
        let addr = mem.add_region(RegionKind::Input, &mut buf);
        let mut vm = Vm::new(&code, Options { budget: 100_000, strict, ..Options::default() });
        let _ = vm.run(&mut mem, &mut HelperTable::conformance(), [addr, input.len() as u64, 0, 0, 0]);
        assert!(vm.stats().insns <= 100_000);
    }
});
