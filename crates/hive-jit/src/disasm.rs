//! Disassembly of compiled code (iced-x86, Intel syntax), with each BPF instruction
//! printed before the x86 code generated for it, and whatever the caller adds before that
//! (such as the C source line).

use std::fmt::Write;

use iced_x86::{Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter};

use hive_isa::Code;

/// Disassembles `bytes`, the machine code compiled from `code`, where `offsets[pc]` is the
/// offset of slot `pc`'s code (`u32::MAX`: none, the second slot of `lddw`). Before the
/// first x86 instruction of each BPF instruction, `annotate(pc, out)` may add lines, then
/// `; pc: insn` (kernel syntax) follows; the entry stub and out-of-line code show without
/// one. Each x86 line is `offset:  hex bytes  instruction`.
pub fn disassemble_annotated(
    bytes: &[u8],
    code: &Code,
    offsets: &[u32],
    annotate: &mut dyn FnMut(usize, &mut String),
) -> String {
    // Which instruction starts at each offset (the first, if several emit nothing).
    let mut starts: Vec<(usize, usize)> = offsets
        .iter()
        .enumerate()
        .filter(|&(pc, &o)| o != u32::MAX && code.get(pc).is_some())
        .map(|(pc, &o)| (o as usize, pc))
        .collect();
    starts.sort_unstable();
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
            if let Some(i) = code.get(pc) {
                annotate(pc, &mut out);
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
