//! Disassembles the program sections of a BPF ELF object, like `llvm-objdump -d`:
//! `cargo run -p hive-asm --example objdump -- prog.o [kernel|ubpf]`.

use hive_asm::{Syntax, disassemble};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: objdump FILE.o [kernel|ubpf]")?;
    let syntax: Syntax = args.next().as_deref().unwrap_or("kernel").parse()?;
    let bytes = std::fs::read(&path)?;
    for section in hive_object::program_sections(&bytes)? {
        println!("section {} ({} insns)", section.name, section.insns.len());
        for f in &section.functions {
            println!("  function {} at {} ({} insns{})", f.name, f.offset, f.len, if f.global { ", global" } else { "" });
        }
        print!("{}", disassemble(&section.insns, syntax));
        println!();
    }
    Ok(())
}
