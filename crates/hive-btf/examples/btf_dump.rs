//! `btf_dump FILE [raw|c|ext|check] [BASE]`: what `hive btf dump` does, on a raw BTF blob
//! (such as `/sys/kernel/btf/vmlinux`) or the `.BTF` of an ELF object.
//!
//! - `raw` (default): bpftool's `btf dump file FILE`;
//! - `c`: bpftool's `btf dump file FILE format c`;
//! - `ext`: the `.BTF.ext` records (func info, line info with source, CO-RE relocations);
//! - `check`: the kernel's `BPF_BTF_LOAD` verdict (Linux 6.12 rules);
//! - `BASE`: a base BTF, for split BTF (bpftool's `-B`).

use hive_btf::{Btf, BtfExt};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: btf_dump FILE [raw|c|ext|check] [BASE]");
        std::process::exit(2);
    };
    let mode = args.get(2).map(String::as_str).unwrap_or("raw");
    let bytes = std::fs::read(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
    let (btf_bytes, ext_bytes) = match hive_btf::elf_sections(&bytes) {
        Ok(s) => (s.btf.unwrap_or_else(|| fail("no .BTF section")).to_vec(), s.btf_ext.map(<[u8]>::to_vec)),
        Err(_) => (bytes, None),
    };
    let base_bytes = args.get(3).map(|b| std::fs::read(b).unwrap_or_else(|e| fail(&format!("{b}: {e}"))));
    let base = base_bytes.as_ref().map(|b| Btf::parse(b).unwrap_or_else(|e| fail(&format!("base: {e}"))));
    let btf = match &base {
        Some(b) => Btf::parse_split(&btf_bytes, b),
        None => Btf::parse(&btf_bytes),
    }
    .unwrap_or_else(|e| fail(&e.to_string()));
    match mode {
        "raw" => print!("{}", hive_btf::dump_raw(&btf)),
        "c" => print!("{}", hive_btf::dump_c(&btf)),
        "check" => match btf.validate() {
            Ok(()) => println!("accepted"),
            Err(e) => println!("refused: {e}"),
        },
        "ext" => {
            let ext = ext_bytes.unwrap_or_else(|| fail("no .BTF.ext section"));
            let ext = BtfExt::parse(&ext).unwrap_or_else(|e| fail(&e.to_string()));
            print!("{}", hive_btf::dump_ext(&btf, &ext));
        }
        other => fail(&format!("unknown mode {other}")),
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("btf_dump: {msg}");
    std::process::exit(1)
}
