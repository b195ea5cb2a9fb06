//! Programs as registry objects: what a loaded program is made of, its info
//! (`BPF_OBJ_GET_INFO_BY_FD`), and lookup by id.

use std::sync::Arc;

use hive_interp::{Options, Vm};
use hive_isa::{Code, RawInsn};
use hive_platform::prog::{AttachType, ProgType};
use parking_lot::Mutex;

use crate::btf::BtfObject;
use crate::context::ContextKind;
use crate::error::{Error, Result};
use crate::fd::{Client, Object};
use crate::ids::{Fd, MapId, ProgId};
use crate::load::verify::{Engine, Verdict};
use crate::load::{FuncInfo, LineInfo};
use crate::map::MapRef;

/// What the load recorded about a program.
#[derive(Debug)]
pub(crate) struct LoadedInfo {
    pub name: String,
    pub prog_type: ProgType,
    pub expected_attach_type: AttachType,
    pub license: String,
    pub gpl_compatible: bool,
    pub tag: [u8; 8],
    pub load_time_ns: u64,
    pub created_by_uid: u32,
    pub btf: Option<Arc<BtfObject>>,
    pub func_info: Vec<FuncInfo>,
    pub line_info: Vec<LineInfo>,
}

/// A loaded program.
#[derive(Debug)]
pub struct ProgObject {
    pub(crate) id: ProgId,
    pub(crate) info: LoadedInfo,
    /// The instructions as loaded.
    pub(crate) orig: Vec<RawInsn>,
    /// The instructions as `xlated_prog_insns` shows them.
    pub(crate) xlated: Vec<RawInsn>,
    /// What runs.
    pub(crate) code: Code,
    /// The maps the program uses (it holds them alive).
    pub(crate) maps: Vec<MapRef>,
    /// Indices into `maps` of arrays whose value the program addresses directly.
    pub(crate) direct: Vec<usize>,
    pub(crate) ctx: ContextKind,
    pub(crate) max_ctx_offset: u32,
    pub(crate) verdict: Verdict,
    pub(crate) engine: Engine,
    /// Machine code, when the engine is the JIT.
    pub(crate) jit: Option<crate::jit::JitCode>,
    /// Interpreter instances ready to run (one per concurrent run).
    pub(crate) vms: Mutex<Vec<Vm>>,
    pub(crate) log: String,
}

impl ProgObject {
    /// Its global id.
    pub fn id(&self) -> ProgId {
        self.id
    }

    /// Its type.
    pub fn prog_type(&self) -> ProgType {
        self.info.prog_type
    }

    /// The instructions that run (pseudos resolved, context accesses rewritten).
    pub fn code(&self) -> &Code {
        &self.code
    }

    /// The verifier's verdict.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }

    /// The engine that runs it.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The load log (empty when loaded with log level 0).
    pub fn load_log(&self) -> &str {
        &self.log
    }

    pub(crate) fn take_vm(&self) -> Vm {
        self.vms.lock().pop().unwrap_or_else(|| Vm::new(&self.code, Options::default()))
    }

    pub(crate) fn put_vm(&self, vm: Vm) {
        let mut vms = self.vms.lock();
        if vms.len() < 64 {
            vms.push(vm);
        }
    }
}

/// What `BPF_OBJ_GET_INFO_BY_FD` reports about a program (`struct bpf_prog_info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgInfo {
    /// Program type.
    pub prog_type: ProgType,
    /// Global id.
    pub id: ProgId,
    /// The kernel's tag: the first 8 bytes of SHA-256 (6.18) of the instructions as loaded, map immediates zeroed.
    pub tag: [u8; 8],
    /// Bytes of JIT code (0: the program runs in the interpreter).
    pub jited_prog_len: u32,
    /// The JIT's machine code (empty: the program runs in the interpreter).
    pub jited_prog_insns: Vec<u8>,
    /// Per xlated instruction, the offset of its machine code in `jited_prog_insns`
    /// (`u32::MAX`: none, as for the second slot of `lddw`); empty without JIT code. Finer
    /// than the kernel's `jited_line_info` (one address per line record): a disassembler
    /// interleaves BPF instructions and source lines with it.
    pub jited_insn_offsets: Vec<u32>,
    /// Bytes of `xlated_prog_insns`.
    pub xlated_prog_len: u32,
    /// The instructions as they run, map references shown as map ids.
    pub xlated_prog_insns: Vec<RawInsn>,
    /// When it was loaded (`CLOCK_BOOTTIME` ns).
    pub load_time: u64,
    /// Who loaded it.
    pub created_by_uid: u32,
    /// Ids of the maps it uses.
    pub map_ids: Vec<MapId>,
    /// Name.
    pub name: String,
    /// `expected_attach_type`.
    pub expected_attach_type: AttachType,
    /// Whether the license is GPL-compatible.
    pub gpl_compatible: bool,
    /// The license string (Hive reports it; the kernel only keeps the flag).
    pub license: String,
    /// BTF id (0: none).
    pub btf_id: u32,
    /// `func_info` as loaded.
    pub func_info: Vec<FuncInfo>,
    /// `line_info` as loaded.
    pub line_info: Vec<LineInfo>,
    /// Instructions the verifier processed (0: not verified).
    pub verified_insns: u32,
}

impl Client {
    /// `BPF_PROG_GET_FD_BY_ID`.
    #[doc(alias = "BPF_PROG_GET_FD_BY_ID")]
    pub fn prog_get_fd_by_id(&self, id: ProgId) -> Result<Fd> {
        let p = self.shared.progs.lock().live.get(&id.0).and_then(|w| w.upgrade());
        let p = p.ok_or(Error::NotFound("no program with this id"))?;
        Ok(self.install(Object::Prog(p)))
    }

    /// The program behind a descriptor (for embedders and the typed API).
    pub fn prog_object(&self, fd: Fd) -> Result<Arc<ProgObject>> {
        self.prog(fd)
    }

    /// `BPF_OBJ_GET_INFO_BY_FD` on a program descriptor.
    pub fn prog_info(&self, fd: Fd) -> Result<ProgInfo> {
        let p = self.prog(fd)?;
        let i = &p.info;
        Ok(ProgInfo {
            prog_type: i.prog_type,
            id: p.id,
            tag: i.tag,
            jited_prog_len: p.jit.as_ref().map_or(0, |j| j.len() as u32),
            jited_prog_insns: p.jit.as_ref().map_or_else(Vec::new, |j| j.machine_code().to_vec()),
            jited_insn_offsets: p.jit.as_ref().map_or_else(Vec::new, |j| j.insn_offsets().to_vec()),
            xlated_prog_len: (p.xlated.len() * 8) as u32,
            xlated_prog_insns: p.xlated.clone(),
            load_time: i.load_time_ns,
            created_by_uid: i.created_by_uid,
            map_ids: p.maps.iter().map(|m| m.id()).collect(),
            name: i.name.clone(),
            expected_attach_type: i.expected_attach_type,
            gpl_compatible: i.gpl_compatible,
            license: i.license.clone(),
            btf_id: i.btf.as_ref().map_or(0, |b| b.id().0),
            func_info: i.func_info.clone(),
            line_info: i.line_info.clone(),
            verified_insns: match p.verdict {
                Verdict::Verified { processed, .. } => processed.min(u32::MAX as u64) as u32,
                Verdict::Unverified => 0,
            },
        })
    }

    /// The instructions as loaded (`orig_prog_insns`, which the kernel keeps too).
    pub fn prog_orig_insns(&self, fd: Fd) -> Result<Vec<RawInsn>> {
        Ok(self.prog(fd)?.orig.clone())
    }
}
