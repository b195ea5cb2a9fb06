//! Prints a suite or corpus program's BPF instructions and the x86-64 code Hive's JIT
//! makes of it (iced-x86, Intel syntax), to see where the JIT spends its time.
//! `cargo run --release -p hive-bench --example jit_dump NAME`
use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};

fn main() {
    let name = std::env::args().nth(1).expect("usage: jit_dump NAME");
    let mut all = hive_bench::suite_programs(None).expect("suite");
    all.extend(hive_bench::corpus_programs(None).expect("corpus"));
    let p = all.into_iter().find(|p| p.name == name).expect("no such program");
    let code = hive_isa::Code::decode(&p.hive_insns()).expect("decodes");
    for pc in 0..code.len() {
        if let Some(insn) = code.get(pc) {
            println!("{pc:5}: {}", hive_asm::format_insn(insn, hive_asm::Syntax::Kernel));
        }
    }
    let jit = hive_jit::compile(&code, &hive_bench::engines::jit_options()).expect("compiles");
    let bytes = jit.machine_code();
    println!("\n{} bytes of x86-64", bytes.len());
    let mut decoder = Decoder::with_ip(64, bytes, 0, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    let mut text = String::new();
    for insn in &mut decoder {
        text.clear();
        formatter.format(&insn, &mut text);
        println!("{:6x}  {text}", insn.ip());
    }
}
