//! The host kernel as a second engine for a whole object (feature `kernel`): the object's
//! programs go into the kernel with the same relocated instructions Hive loads, and kernel
//! maps created from the object's map definitions with the same initial data; programs are
//! then test-run with `BPF_PROG_TEST_RUN`. Nothing is attached. Maps are created without BTF
//! (plain kernel maps of the same type and sizes), the way `hive-kernel` creates them.
//! Programs are loaded as Hive's loader loads them: with their own BTF
//! ([`hive_object::ProgramBtf`], through `BPF_BTF_LOAD`) as `prog_btf_fd` and their func and
//! line info in its terms, which the kernel needs for programs with callbacks (`bpf_loop`)
//! and which gives `bpf_core_type_id_local` constants their meaning. A kernel that refuses
//! the BTF gets the program without it.

use std::os::fd::AsRawFd;

use hive_isa::{Pseudo, RawInsn};
use hive_kernel::{BtfFd, LoadOptions as KLoad, MapFd, MapSpec, MapType as KMapType, ProgFd, ProgType as KType};
use hive_object::{MapInit, ObjectSpec, ProgramSpec};
use hive_platform::prog::ProgType;

pub use hive_kernel::{TestRunResult, available};

/// The kernel's program type for Hive's, for the types the kernel test-runs here.
pub fn kernel_prog_type(t: ProgType) -> Option<KType> {
    Some(match t {
        ProgType::Xdp => KType::Xdp,
        ProgType::SocketFilter => KType::SocketFilter,
        ProgType::SchedCls => KType::SchedCls,
        ProgType::RawTracepoint => KType::RawTracepoint,
        ProgType::Syscall => KType::Syscall,
        _ => return None,
    })
}

/// An object's maps and programs in the host kernel; everything is closed when dropped.
#[derive(Default)]
pub struct KernelObject {
    /// One slot per map of the spec, created when a program first uses it.
    maps: Vec<Option<MapFd>>,
    /// Programs loaded for prog-array slots, kept open while the slots are used.
    tails: Vec<ProgFd>,
}

impl std::fmt::Debug for KernelObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let maps = self.maps.iter().flatten().count();
        f.debug_struct("KernelObject").field("maps", &maps).field("tail_programs", &self.tails.len()).finish()
    }
}

/// One map entry: key bytes and value bytes.
pub type Entry = (Vec<u8>, Vec<u8>);

impl KernelObject {
    /// Loads program `p` of `spec` as `t` (creating the maps it uses, and filling prog-array
    /// slots the object initialises with programs of the same type).
    pub fn load(&mut self, spec: &ObjectSpec, p: &ProgramSpec, t: ProgType) -> Result<ProgFd, String> {
        let ty = kernel_prog_type(t).ok_or_else(|| format!("the kernel cannot test-run {} programs here", t.name()))?;
        let prog = self.load_one(spec, p, ty)?;
        for (idx, def) in spec.maps.iter().enumerate() {
            if self.maps.get(idx).is_none_or(Option::is_none) {
                continue;
            }
            for (slot, init) in def.initial_values.iter().enumerate() {
                let Some(MapInit::Program(name)) = init else { continue };
                let tp = spec.program(name).ok_or_else(|| format!("no program {name}"))?;
                let tail = self.load_one(spec, tp, ty)?;
                let fd = tail.as_raw_fd() as u32;
                let map = self.maps[idx].as_ref().expect("created above");
                map.update(&(slot as u32).to_ne_bytes(), &fd.to_ne_bytes(), 0).map_err(|e| e.to_string())?;
                self.tails.push(tail);
            }
        }
        Ok(prog)
    }

    fn load_one(&mut self, spec: &ObjectSpec, p: &ProgramSpec, ty: KType) -> Result<ProgFd, String> {
        let insns = self.relocate(spec, p)?;
        let own = p.btf.as_ref().and_then(|own| Some((own, BtfFd::load(&own.bytes).ok()?)));
        let (func_info, line_info) = own.as_ref().map(|(own, _)| own.kernel_records()).unwrap_or_default();
        let opts = KLoad {
            license: &spec.license,
            name: &crate::object::kernel_prog_name(&p.name),
            expected_attach_type: p.expected_attach_type.0,
            btf: own.as_ref().map(|(_, fd)| fd),
            func_info: &func_info,
            line_info: &line_info,
            ..KLoad::new(ty)
        };
        // The program keeps its own reference to the BTF.
        hive_kernel::load(&opts, &insns).map_err(|e| format!("program {}: {e}\n{}", p.name, e.log))
    }

    /// `p`'s instructions with map indexes turned into kernel map fds.
    fn relocate(&mut self, spec: &ObjectSpec, p: &ProgramSpec) -> Result<Vec<RawInsn>, String> {
        self.maps.resize_with(spec.maps.len(), || None);
        let mut insns = p.insns.clone();
        let mut i = 0;
        while i + 1 < insns.len() {
            let src = insns[i].src;
            if insns[i].code == 0x18 && (src == Pseudo::MapIdx.src() || src == Pseudo::MapIdxValue.src()) {
                let idx = insns[i].imm as usize;
                let def = spec.maps.get(idx).ok_or("map index out of range")?;
                if self.maps[idx].is_none() {
                    let ks = MapSpec {
                        map_type: KMapType(def.map_type as u32),
                        key_size: def.key_size,
                        value_size: def.value_size,
                        max_entries: def.max_entries,
                        map_flags: def.flags,
                        name: crate::object::kernel_map_name("", def),
                    };
                    let fd = MapFd::create(&ks).map_err(|e| format!("map {}: {e}", def.name))?;
                    if let Some(data) = &def.initial_data {
                        fd.update(&0u32.to_le_bytes(), data, 0).map_err(|e| format!("map {}: {e}", def.name))?;
                    }
                    self.maps[idx] = Some(fd);
                }
                insns[i].src = if src == Pseudo::MapIdx.src() { Pseudo::MapFd.src() } else { Pseudo::MapValue.src() };
                insns[i].imm = self.maps[idx].as_ref().expect("created above").as_raw_fd();
                i += 2;
            } else {
                i += if insns[i].code == 0x18 { 2 } else { 1 };
            }
        }
        Ok(insns)
    }

    /// Every (key, value) of the kernel copy of the spec's map `idx`, sorted by key; `None`
    /// when no loaded program uses that map.
    pub fn map_entries(&self, idx: usize) -> Option<Result<Vec<Entry>, String>> {
        let m = self.maps.get(idx)?.as_ref()?;
        let read = || -> Result<Vec<Entry>, hive_kernel::KernelError> {
            let mut v = Vec::new();
            for k in m.keys()? {
                if let Some(val) = m.lookup(&k)? {
                    v.push((k, val));
                }
            }
            v.sort();
            Ok(v)
        };
        Some(read().map_err(|e| e.to_string()))
    }
}
