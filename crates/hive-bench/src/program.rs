//! A program ready for every engine: linked instructions, its packet, and the per-engine
//! rewrites of the references the object left open.
//!
//! | reference | Hive (JIT, interpreter) | kernel | rbpf |
//! |---|---|---|---|
//! | map (`lddw`) | plain constant: a map handle ([`crate::helpers::map_handle`]) | `BPF_PSEUDO_MAP_FD` with the new map's fd | not run |
//! | kfunc call | `src = 2`, `imm` = vmlinux BTF id | the same | not run |
//! | `may_goto` | as is | as is | `ja +0` (see [`Prepared::rbpf_bytes`]) |

use hive_isa::RawInsn;

use crate::elf::Linked;
use crate::kfunc::KfuncIds;
use crate::packets::PacketKind;

/// What a program is given as input.
#[derive(Clone, Debug)]
pub enum Input {
    /// An XDP packet (context `xdp_md`).
    Xdp(Vec<u8>),
    /// A raw memory block: `r1` = its address, `r2` = its length (bpf-benchmark-2023).
    Raw(Vec<u8>),
}

impl Input {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Input::Xdp(b) | Input::Raw(b) => b,
        }
    }
}

/// A linked program with its input.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Name in reports.
    pub name: String,
    /// The linked code.
    pub linked: Linked,
    /// Its input.
    pub input: Input,
    /// Kfunc ids.
    pub kfuncs: KfuncIds,
    /// The program's own BTF with its func and line info (`hive_object`'s), when the object
    /// loader lays the program out as the linker here does: what the kernel needs to load a
    /// program with callbacks.
    pub btf: Option<hive_object::ProgramBtf>,
}

impl Prepared {
    /// A suite program: links `elf` and builds `packet`.
    pub fn suite(name: &str, elf: &[u8], packet: PacketKind, kfuncs: &KfuncIds) -> Result<Prepared, crate::BenchError> {
        let linked = crate::elf::link(name, elf)?;
        for (_, k) in &linked.kfuncs {
            if kfuncs.id(k).is_none() {
                return Err(crate::BenchError::object(name, format!("unknown kfunc {k}")));
            }
        }
        let btf = program_btf(elf, &linked);
        Ok(Prepared { name: name.to_string(), linked, input: Input::Xdp(packet.build()), kfuncs: kfuncs.clone(), btf })
    }

    /// A raw program (no relocations) with its input memory.
    pub fn raw(name: &str, insns: Vec<RawInsn>, mem: Vec<u8>) -> Prepared {
        let linked = Linked {
            section: String::new(),
            name: name.to_string(),
            insns,
            maps: Vec::new(),
            map_refs: Vec::new(),
            kfuncs: Vec::new(),
        };
        Prepared { name: name.to_string(), linked, input: Input::Raw(mem), kfuncs: KfuncIds::load(), btf: None }
    }

    fn with_refs(&self, map_imm: impl Fn(usize) -> (u8, i32)) -> Vec<RawInsn> {
        let mut insns = self.linked.insns.clone();
        for &(slot, idx) in &self.linked.map_refs {
            let (src, imm) = map_imm(idx);
            insns[slot].src = src;
            insns[slot].imm = imm;
            insns[slot + 1].imm = 0;
        }
        for (slot, name) in &self.linked.kfuncs {
            insns[*slot].src = 2;
            insns[*slot].off = 0;
            insns[*slot].imm = self.kfuncs.id(name).expect("checked in Prepared::suite");
        }
        insns
    }

    /// Instructions for Hive's engines: maps become handles.
    pub fn hive_insns(&self) -> Vec<RawInsn> {
        self.with_refs(|idx| (0, crate::helpers::map_handle(idx) as i32))
    }

    /// Instructions for the kernel, with `fds[i]` the fd of map `i`.
    pub fn kernel_insns(&self, fds: &[i32]) -> Vec<RawInsn> {
        self.with_refs(|idx| (1, fds[idx]))
    }

    /// Why rbpf cannot run this program, if it cannot.
    pub fn rbpf_refusal(&self) -> Option<&'static str> {
        let l = &self.linked;
        if !l.maps.is_empty() {
            Some("maps")
        } else if !l.kfuncs.is_empty() {
            Some("kfuncs (bpf_for)")
        } else if !l.helper_ids().is_empty() {
            Some("helpers")
        } else if l.uses_v4() {
            Some("v4 instructions")
        } else {
            None
        }
    }

    /// The bytes rbpf runs. rbpf 0.4 does not know `may_goto`; each becomes `ja +0`, which
    /// is exact here because no suite program exhausts the 8M-iteration budget (it then
    /// never jumps), and spares rbpf the counter the other engines maintain.
    pub fn rbpf_bytes(&self) -> Vec<u8> {
        let insns: Vec<RawInsn> = self
            .linked
            .insns
            .iter()
            .map(|&i| if i.code == 0xe5 { RawInsn::new(0x05, 0, 0, 0, 0) } else { i })
            .collect();
        RawInsn::slice_to_bytes(&insns)
    }
}

/// `hive_object`'s BTF for the program `linked` was made from, if its instructions are laid
/// out the same (the program, then `.text`), so that func and line info offsets apply.
fn program_btf(elf: &[u8], linked: &Linked) -> Option<hive_object::ProgramBtf> {
    let opts = hive_object::LoadOptions {
        programs: hive_object::ProgramSelection::Only(vec![linked.name.clone()]),
        ..Default::default()
    };
    let spec = hive_object::ObjectSpec::parse(elf, &opts).ok()?;
    let p = spec.program(&linked.name)?;
    (p.insns.len() == linked.insns.len()).then(|| p.btf.clone()).flatten()
}
