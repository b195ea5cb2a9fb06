//! Arbitrary bytes through the decoder and the disassembler: nothing panics, whatever decodes
//! re-encodes to the same bytes, and every disassembly re-assembles to the same slots.
#![no_main]

use hive_asm::{Syntax, assemble, disassemble};
use hive_isa::{Code, RawInsn};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let whole = &data[..data.len() - data.len() % 8];
    if let Ok(code) = Code::from_bytes(whole) {
        assert_eq!(code.to_bytes(), whole);
        let _ = code.check_layout();
    }
    let Some(raw) = RawInsn::slice_from_bytes(whole) else { return };
    if raw.is_empty() {
        return;
    }
    for syntax in [Syntax::Kernel, Syntax::Ubpf] {
        let text = disassemble(&raw, syntax);
        let back = assemble(&text, syntax).unwrap_or_else(|e| panic!("{syntax}: {e}\n{text}"));
        assert_eq!(back, raw, "{syntax}:\n{text}");
    }
});
