//! Arbitrary text through both assemblers: nothing panics, and whatever assembles
//! disassembles to text that assembles to the same slots.
#![no_main]

use hive_asm::{Syntax, assemble, disassemble};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    for syntax in [Syntax::Kernel, Syntax::Ubpf] {
        if let Ok(raw) = assemble(src, syntax) {
            let text = disassemble(&raw, syntax);
            assert_eq!(assemble(&text, syntax).ok(), Some(raw), "{syntax}:\n{text}");
        }
    }
});
