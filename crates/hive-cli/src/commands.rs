//! One function per subcommand: read the inputs, call the libraries, print.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use hive_asm::Syntax;
use hive_corpus::conformance::{Engine, data_test_helpers, run_paths};
use hive_interp::{Memory, Options, RegionKind, Vm};
use hive_isa::{Code, RawInsn};

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn asm(file: &Path, output: Option<PathBuf>, syntax: Syntax) -> Result<ExitCode> {
    let src = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let raw = hive_asm::assemble(&src, syntax).with_context(|| format!("{}", file.display()))?;
    let out = output.unwrap_or_else(|| file.with_extension("bin"));
    std::fs::write(&out, RawInsn::slice_to_bytes(&raw)).with_context(|| format!("cannot write {}", out.display()))?;
    println!("{}: {} instructions, {} bytes", out.display(), raw.len(), raw.len() * RawInsn::SIZE);
    Ok(ExitCode::SUCCESS)
}

pub fn disasm(file: &Path, syntax: Syntax) -> Result<ExitCode> {
    let bytes = read(file)?;
    if bytes.starts_with(b"\x7fELF") {
        let sections = hive_object::program_sections(&bytes).with_context(|| format!("{}", file.display()))?;
        for (k, section) in sections.iter().enumerate() {
            if k > 0 {
                println!();
            }
            println!("; section {} ({} instructions)", section.name, section.insns.len());
            print_with_functions(&section.insns, &section.functions, syntax);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(raw) = RawInsn::slice_from_bytes(&bytes) else {
        bail!("{}: {} bytes is not a whole number of 8-byte instructions", file.display(), bytes.len());
    };
    print!("{}", hive_asm::disassemble(&raw, syntax));
    Ok(ExitCode::SUCCESS)
}

/// Prints a section function by function, each under a `name:` label.
fn print_with_functions(insns: &[RawInsn], functions: &[hive_object::Function], syntax: Syntax) {
    let mut starts: Vec<(usize, &str)> = functions.iter().map(|f| (f.offset, f.name.as_str())).collect();
    starts.sort();
    starts.dedup_by_key(|(offset, _)| *offset);
    if starts.first().is_none_or(|(offset, _)| *offset != 0) {
        starts.insert(0, (0, ""));
    }
    for (k, &(start, name)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(insns.len(), |(offset, _)| *offset).min(insns.len());
        if !name.is_empty() {
            println!("{name}:");
        }
        print!("{}", hive_asm::disassemble(&insns[start.min(end)..end], syntax));
    }
}

pub fn run_raw(file: &Path, mem_file: Option<&Path>, budget: u64, strict: bool, stats: bool) -> Result<ExitCode> {
    let bytes = read(file)?;
    let code = Code::from_bytes(&bytes).with_context(|| format!("{}", file.display()))?;
    code.check_layout().with_context(|| format!("{}", file.display()))?;
    let mut input = match mem_file {
        Some(p) => read(p)?,
        None => Vec::new(),
    };
    let len = input.len() as u64;
    let mut mem = Memory::new();
    let addr = if input.is_empty() { 0 } else { mem.add_region(RegionKind::Input, &mut input) };
    let mut vm = Vm::new(&code, Options { budget, strict, ..Options::default() });
    let result = vm.run(&mut mem, &mut data_test_helpers(), [addr, len, 0, 0, 0]);
    if stats {
        let s = vm.stats();
        eprintln!("{} instructions, {} helper calls, {} local calls", s.insns, s.helper_calls, s.local_calls);
    }
    match result {
        Ok(r0) => {
            println!("r0 = {r0:#x} ({r0})");
            Ok(ExitCode::SUCCESS)
        }
        Err(fault) => {
            eprintln!("hive: {fault}");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub fn conformance(paths: &[PathBuf], engine: Engine, strict: bool, verbose: bool) -> Result<ExitCode> {
    let summary = run_paths(paths, engine, strict);
    for (file, why) in &summary.failed {
        println!("FAIL {}: {why}", file.display());
    }
    for (file, why) in &summary.skipped {
        println!("SKIP {}: {why}", file.display());
    }
    if verbose {
        for (file, expected, ours) in &summary.refusals {
            println!("REFUSED {}: expected {expected:?}; hive: {ours}", file.display());
        }
    }
    println!("{}", summary.line());
    Ok(if summary.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub fn btf_dump(file: &Path, format: &[String], base: Option<&Path>) -> Result<ExitCode> {
    let kind = match format {
        [] => "raw",
        [word, kind] if word == "format" => kind.as_str(),
        _ => bail!("expected `format raw`, `format c` or `format ext` after the file"),
    };
    let bytes = read(file)?;
    let (btf_bytes, ext_bytes) = match hive_btf::elf_sections(&bytes) {
        Ok(s) => {
            let btf = s.btf.with_context(|| format!("{}: no .BTF section", file.display()))?;
            (btf.to_vec(), s.btf_ext.map(<[u8]>::to_vec))
        }
        Err(_) => (bytes, None),
    };
    let base_bytes = base.map(read).transpose()?;
    let base = match &base_bytes {
        Some(b) => Some(hive_btf::Btf::parse(b).context("base BTF")?),
        None => None,
    };
    let btf = match &base {
        Some(b) => hive_btf::Btf::parse_split(&btf_bytes, b),
        None => hive_btf::Btf::parse(&btf_bytes),
    }
    .with_context(|| format!("{}", file.display()))?;
    match kind {
        "raw" => print!("{}", hive_btf::dump_raw(&btf)),
        "c" => print!("{}", hive_btf::dump_c(&btf)),
        "ext" => {
            let ext = ext_bytes.with_context(|| format!("{}: no .BTF.ext section", file.display()))?;
            let ext = hive_btf::BtfExt::parse(&ext).with_context(|| format!("{}: .BTF.ext", file.display()))?;
            print!("{}", hive_btf::dump_ext(&btf, &ext));
        }
        other => bail!("unknown format `{other}` (raw, c or ext)"),
    }
    Ok(ExitCode::SUCCESS)
}
