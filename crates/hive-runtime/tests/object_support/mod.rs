//! Shared by the object tests: the corpora, the bundled example, a runtime with a trace
//! pipe, and loading an object's programs into the host kernel with kernel maps.
#![allow(dead_code)]

use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hive::{Runtime, RuntimeConfig, TracePipe};
use hive_isa::{Pseudo, RawInsn};
use hive_kernel::{LoadOptions as KLoad, MapFd, MapSpec, MapType as KMapType, ProgFd, ProgType as KType};
use hive_object::{LoadOptions, ObjectSpec, ProgramSelection, ProgramSpec, TargetBtf};
use hive_platform::prog::ProgType;

#[allow(unused_imports)] // each test binary uses its own subset
pub use hive_corpus::paths::{corpus, elf_files};

/// The repository's `examples/bpf` folder.
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/bpf")
}

/// The bundled example's packets, by file name.
pub fn example_packets() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(examples().join("packets"))
        .expect("examples/bpf/packets")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    v.sort();
    v
}

/// Parses an object file (CO-RE against its own BTF, libbpf's autoload selection).
pub fn parse(path: &Path) -> ObjectSpec {
    parse_with(path, ProgramSelection::Autoload)
}

/// Parses an object file, loading the `programs` selection.
pub fn parse_with(path: &Path, programs: ProgramSelection) -> ObjectSpec {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ObjectSpec::parse(&bytes, &LoadOptions { target_btf: TargetBtf::Own, programs, ..Default::default() })
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A runtime with two executors, a fixed seed and a trace pipe to read.
pub fn runtime() -> (Runtime, Arc<TracePipe>) {
    let trace = Arc::new(TracePipe::default());
    let rt = Runtime::new(RuntimeConfig { executors: 2, prandom_seed: 7, trace: trace.clone(), ..RuntimeConfig::default() });
    (rt, trace)
}

/// The host kernel, if this process may use it (prints why not otherwise).
pub fn kernel() -> bool {
    match hive_kernel::available() {
        Ok(()) => true,
        Err(why) => {
            println!("note: skipping the kernel comparison: {why}");
            false
        }
    }
}

/// The kernel's program type for Hive's (the types hive-kernel test-runs).
pub fn ktype(t: ProgType) -> Option<KType> {
    Some(match t {
        ProgType::Xdp => KType::Xdp,
        ProgType::SocketFilter => KType::SocketFilter,
        ProgType::SchedCls => KType::SchedCls,
        ProgType::RawTracepoint => KType::RawTracepoint,
        ProgType::Syscall => KType::Syscall,
        _ => return None,
    })
}

/// An object's maps in the host kernel, created on first use with their initial data
/// (no BTF: hive-kernel creates plain maps).
#[derive(Default)]
pub struct KernelMaps {
    pub fds: Vec<Option<MapFd>>,
}

impl KernelMaps {
    /// `p`'s instructions with `fd_array` indexes turned into kernel map fds (what libbpf
    /// does for kernels without `fd_array` support).
    pub fn relocate(&mut self, spec: &ObjectSpec, p: &ProgramSpec) -> Result<Vec<RawInsn>, String> {
        self.fds.resize_with(spec.maps.len(), || None);
        let mut insns = p.insns.clone();
        let mut i = 0;
        while i + 1 < insns.len() {
            let src = insns[i].src;
            if insns[i].code == 0x18 && (src == Pseudo::MapIdx.src() || src == Pseudo::MapIdxValue.src()) {
                let idx = insns[i].imm as usize;
                let def = spec.maps.get(idx).ok_or("map index out of range")?;
                if self.fds[idx].is_none() {
                    let ks = MapSpec {
                        map_type: KMapType(def.map_type as u32),
                        key_size: def.key_size,
                        value_size: def.value_size,
                        max_entries: def.max_entries,
                        map_flags: def.flags,
                        name: hive::object::kernel_map_name("", def),
                    };
                    let fd = MapFd::create(&ks).map_err(|e| format!("map {}: {e}", def.name))?;
                    if let Some(data) = &def.initial_data {
                        fd.update(&0u32.to_le_bytes(), data, 0).map_err(|e| format!("map {}: {e}", def.name))?;
                    }
                    self.fds[idx] = Some(fd);
                }
                insns[i].src = if src == Pseudo::MapIdx.src() { Pseudo::MapFd.src() } else { Pseudo::MapValue.src() };
                insns[i].imm = self.fds[idx].as_ref().unwrap().as_raw_fd();
                i += 2;
            } else {
                i += if insns[i].code == 0x18 { 2 } else { 1 };
            }
        }
        Ok(insns)
    }

    /// Loads `p` into the kernel as `ty`.
    pub fn load(&mut self, spec: &ObjectSpec, p: &ProgramSpec, ty: KType) -> Result<ProgFd, String> {
        let insns = self.relocate(spec, p)?;
        let opts = KLoad {
            license: &spec.license,
            name: &hive::object::kernel_prog_name(&p.name),
            expected_attach_type: p.expected_attach_type.0,
            ..KLoad::new(ty)
        };
        hive_kernel::load(&opts, &insns).map_err(|e| format!("{e}\n{}", e.log))
    }

    /// Fills the initial slots of the object's prog arrays that `relocate` created, loading
    /// each named program into the kernel as `ty`; returns the programs (which must live as
    /// long as the slots are used).
    pub fn fill_prog_arrays(&mut self, spec: &ObjectSpec, ty: KType) -> Result<Vec<ProgFd>, String> {
        let mut progs = Vec::new();
        for (idx, def) in spec.maps.iter().enumerate() {
            if self.fds.get(idx).is_none_or(Option::is_none) {
                continue;
            }
            for (slot, init) in def.initial_values.iter().enumerate() {
                let Some(hive_object::MapInit::Program(name)) = init else { continue };
                let p = spec.program(name).ok_or_else(|| format!("no program {name}"))?;
                let prog = self.load(spec, p, ty)?;
                let fd = prog.as_raw_fd() as u32;
                let map = self.fds[idx].as_ref().unwrap();
                map.update(&(slot as u32).to_ne_bytes(), &fd.to_ne_bytes(), 0).map_err(|e| e.to_string())?;
                progs.push(prog);
            }
        }
        Ok(progs)
    }

    /// Every (key, value) of the kernel map at `idx`, sorted.
    pub fn entries(&self, idx: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        let Some(Some(m)) = self.fds.get(idx) else { return Vec::new() };
        let mut v: Vec<_> =
            m.keys().unwrap().into_iter().filter_map(|k| m.lookup(&k).unwrap().map(|val| (k, val))).collect();
        v.sort();
        v
    }
}
