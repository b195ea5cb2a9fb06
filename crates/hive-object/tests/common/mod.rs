//! Shared helpers: finding the corpora, and running a program in hive-interp the way a
//! runtime would after creating its global-data maps.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use hive_interp::{Helpers, Memory, NoHelpers, Options, RegionKind, Vm};
use hive_isa::{CallTarget, Code, Insn, Pseudo, RawInsn};
use hive_object::{ObjectSpec, ProgramSpec};

pub fn corpus(sub: &str) -> Option<PathBuf> {
    let root = match std::env::var_os("HIVE_CORPORA") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    };
    let p = root.join(sub);
    if p.exists() {
        Some(p)
    } else {
        println!("note: skipping, corpus {} is absent", p.display());
        None
    }
}

pub fn elf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p).is_ok_and(|b| b.starts_with(b"\x7fELF")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Size of `struct __sk_buff`, the context of socket filters.
pub const SK_BUFF_SIZE: usize = 192;

/// Why a program cannot run without a runtime: the helpers it calls, the maps it takes.
pub fn needs_runtime(p: &ProgramSpec) -> Option<String> {
    let code = match p.code() {
        Ok(c) => c,
        Err(e) => return Some(format!("does not decode: {e}")),
    };
    let mut needs = Vec::new();
    for (_, insn) in code.iter() {
        match insn {
            // CO-RE poison: the program must not reach it; if it does, the run faults.
            Insn::Call(CallTarget::Helper(hive_object::POISON_HELPER)) => {}
            Insn::Call(CallTarget::Helper(id)) => needs.push(format!("helper {id}")),
            Insn::Call(CallTarget::Kfunc { .. }) => needs.push("a kfunc".to_string()),
            Insn::LdImm64 { pseudo: Pseudo::MapIdx, imm, .. } => needs.push(format!("map #{imm}")),
            Insn::LdImm64 { pseudo: Pseudo::BtfId, .. } => needs.push("a ksym".to_string()),
            _ => {}
        }
    }
    needs.dedup();
    (!needs.is_empty()).then(|| needs.join(", "))
}

/// Runs `p` with a zeroed `__sk_buff`-sized context and every global-data map of `spec`
/// backed by a buffer holding its initial data (what the runtime's array maps would hold):
/// `Pseudo::MapIdxValue` loads become the buffer's address plus the offset.
pub fn run(spec: &ObjectSpec, p: &ProgramSpec) -> Result<u64, String> {
    run_with(spec, p, &mut NoHelpers)
}

/// [`run`] with helpers; `Pseudo::MapIdx` loads become the map's index (a stand-in for the
/// map pointer that the helpers receive).
pub fn run_with(spec: &ObjectSpec, p: &ProgramSpec, helpers: &mut dyn Helpers) -> Result<u64, String> {
    let mut buffers: Vec<Vec<u8>> = spec.maps.iter().map(|m| m.initial_data.clone().unwrap_or_default()).collect();
    let mut ctx = vec![0u8; SK_BUFF_SIZE];
    let mut mem = Memory::new();
    let ctx_addr = mem.add_region(RegionKind::Context, &mut ctx);
    let mut addrs = Vec::new();
    for b in buffers.iter_mut() {
        addrs.push(if b.is_empty() { 0 } else { mem.add_region(RegionKind::MapValue, b) });
    }
    let mut insns: Vec<RawInsn> = p.insns.clone();
    let mut i = 0;
    while i < insns.len() {
        if insns[i].code == 0x18 && i + 1 < insns.len() {
            if insns[i].src == Pseudo::MapIdxValue.src() {
                let map = insns[i].imm as usize;
                let base = *addrs.get(map).ok_or("map index out of range")?;
                let addr = base.wrapping_add(insns[i + 1].imm as u32 as u64);
                insns[i].src = 0;
                insns[i].imm = addr as u32 as i32;
                insns[i + 1].imm = (addr >> 32) as u32 as i32;
            } else if insns[i].src == Pseudo::MapIdx.src() {
                insns[i].src = 0;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    let code = Code::decode(&insns).map_err(|e| e.to_string())?;
    let mut vm = Vm::new(&code, Options::default());
    vm.run(&mut mem, helpers, [ctx_addr, 0, 0, 0, 0]).map_err(|f| f.to_string())
}

/// Reads a gzip file.
pub fn gunzip(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let f = std::fs::File::open(path).expect("open");
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(f).read_to_end(&mut out).expect("gunzip");
    out
}
