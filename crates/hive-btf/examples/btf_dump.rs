//! `btf_dump FILE [c|raw|strict|hex HEX]`: dump a BTF blob or ELF object's `.BTF` like bpftool.

use hive_btf::{Btf, BtfExt};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(2).map(String::as_str).unwrap_or("raw");
    let bytes = if args[1] == "hex" {
        let s = &args[2];
        (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect()
    } else {
        std::fs::read(&args[1]).expect("read")
    };
    let (btf_bytes, ext) = match hive_btf::elf_sections(&bytes) {
        Ok(s) => (s.btf.expect("no .BTF").to_vec(), s.btf_ext.map(|e| e.to_vec())),
        Err(_) => (bytes, None),
    };
    let base_bytes = args.get(3).filter(|_| mode != "hex").map(|b| std::fs::read(b).expect("read base"));
    let base = base_bytes.as_ref().map(|b| Btf::parse(b).expect("base"));
    let btf = match &base {
        Some(b) => Btf::parse_split(&btf_bytes, b),
        None => Btf::parse(&btf_bytes),
    };
    let btf = match btf {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    match mode {
        "c" => print!("{}", hive_btf::dump_c(&btf)),
        "strict" => println!("{:?}", btf.validate()),
        "ext" => {
            let ext = BtfExt::parse(ext.as_deref().expect("no .BTF.ext")).expect("ext");
            for s in ext.line_info() {
                println!("{}: {} line records", s.name(&btf).unwrap_or("?"), s.len());
                for r in s.records() {
                    println!("  {:#x} {}:{}:{} {}", r.insn_off, r.file_name(&btf).unwrap_or("?"), r.line, r.col, r.line_text(&btf).unwrap_or(""));
                }
            }
        }
        _ => print!("{}", hive_btf::dump_raw(&btf)),
    }
}
