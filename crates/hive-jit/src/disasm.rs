//! Disassembly of compiled code (iced-x86, Intel syntax), with each BPF instruction
//! printed before the x86 code generated for it.

use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter};

use crate::program::JitProgram;

/// See [`JitProgram::disassemble`].
pub(crate) fn disassemble(prog: &JitProgram) -> String {
    use std::fmt::Write;
    let bytes = prog.machine_code();
    // Which instruction starts at each offset (the first, if several emit nothing).
    let mut starts: Vec<(usize, usize)> =
        (0..prog.code().len()).filter_map(|pc| prog.insn_offset(pc).map(|o| (o, pc))).collect();
    starts.sort_by_key(|&(o, pc)| (o, pc));
    let mut next = 0;
    let mut out = String::new();
    let mut decoder = Decoder::with_ip(64, bytes, 0, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    formatter.options_mut().set_first_operand_char_index(8);
    let mut insn = Instruction::default();
    let mut text = String::new();
    while decoder.can_decode() {
        let at = decoder.position();
        while next < starts.len() && starts[next].0 <= at {
            let pc = starts[next].1;
            if let Some(i) = prog.code().get(pc) {
                let _ = writeln!(out, "; {pc:>5}: {}", hive_asm::format_insn(i, hive_asm::Syntax::Kernel));
            }
            next += 1;
        }
        decoder.decode_out(&mut insn);
        text.clear();
        formatter.format(&insn, &mut text);
        let hex: String = bytes[at..at + insn.len()].iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(out, "{at:6x}:  {hex:<24} {text}");
    }
    out
}
