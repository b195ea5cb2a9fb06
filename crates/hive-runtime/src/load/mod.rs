//! `BPF_PROG_LOAD`: the load pipeline.
//!
//! ```text
//!  ProgLoadAttr { insns, type, attach type, license, name, fd_array, log }
//!    1. attributes     name, flags, sizes, program type         (EINVAL, E2BIG)
//!    2. decode         hive_isa::Code                           (EINVAL)
//!    3. tag            SHA-256 of the instructions as loaded    (bpf_prog_calc_tag)
//!    4. pseudo lddw    map fds / fd_array indices → handles and value addresses  (pseudo)
//!    5. calls          helper ids, program-type sets, GPL, kfuncs             (calls)
//!    6. context        find and rewrite context accesses (convert_ctx_access)  (ctx)
//!    7. verifier       the seam: Verifier::verify on the loaded insns → Verdict (verify)
//!    8. engine         the JIT for verified code it can run, else the interpreter (crate::jit)
//!    9. register       id, descriptor, load log
//! ```
//!
//! Each step logs what it did when `log_level > 0`; a refusal stops the pipeline with the
//! kernel's errno and message, and the log so far (`Error::Load`).

pub(crate) mod calls;
pub(crate) mod ctx;
pub(crate) mod pseudo;
pub mod tag;
pub mod verify;

use std::sync::Arc;

use hive_isa::{Code, RawInsn};
use hive_platform::is_gpl_compatible;
use hive_platform::prog::{AttachType, LoadContext, ProgType, Sleepable};
use parking_lot::Mutex;

use crate::btf::BtfObject;
use crate::context::ContextKind;
use crate::error::{Error, Result};
use crate::fd::{Client, Object};
use crate::ids::{Fd, ProgId};
use crate::map::check_name;
use crate::prog::{LoadedInfo, ProgObject};
use verify::{LoadMaps, Verifier, VerifyInput};

/// `BPF_COMPLEXITY_LIMIT_INSNS`: the most instructions a privileged load may have.
pub const MAX_INSNS: usize = 1_000_000;

/// `BPF_F_STRICT_ALIGNMENT`.
pub const BPF_F_STRICT_ALIGNMENT: u32 = 1 << 0;
/// `BPF_F_ANY_ALIGNMENT`.
pub const BPF_F_ANY_ALIGNMENT: u32 = 1 << 1;
/// `BPF_F_TEST_RND_HI32`.
pub const BPF_F_TEST_RND_HI32: u32 = 1 << 2;
/// `BPF_F_TEST_STATE_FREQ`.
pub const BPF_F_TEST_STATE_FREQ: u32 = 1 << 3;
/// `BPF_F_SLEEPABLE`.
pub const BPF_F_SLEEPABLE: u32 = 1 << 4;
/// `BPF_F_XDP_HAS_FRAGS`.
pub const BPF_F_XDP_HAS_FRAGS: u32 = 1 << 5;
/// `BPF_F_XDP_DEV_BOUND_ONLY`.
pub const BPF_F_XDP_DEV_BOUND_ONLY: u32 = 1 << 6;
/// `BPF_F_TEST_REG_INVARIANTS`.
pub const BPF_F_TEST_REG_INVARIANTS: u32 = 1 << 7;
const KNOWN_FLAGS: u32 = (1 << 8) - 1;

/// One `struct bpf_func_info` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuncInfo {
    /// First instruction of the function.
    pub insn_off: u32,
    /// Its `BTF_KIND_FUNC` type.
    pub type_id: u32,
}

/// One `struct bpf_line_info` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineInfo {
    /// Instruction.
    pub insn_off: u32,
    /// File name (string offset in the program's BTF).
    pub file_name_off: u32,
    /// Source line text (string offset).
    pub line_off: u32,
    /// `line << 10 | column`.
    pub line_col: u32,
}

/// `BPF_PROG_LOAD` attributes.
///
/// Map references come either as descriptors (`lddw rX, map[fd:N]`, `BPF_PSEUDO_MAP_FD`) or,
/// as a libbpf-style loader emits them, as indices into `fd_array` (`BPF_PSEUDO_MAP_IDX`,
/// `BPF_PSEUDO_MAP_IDX_VALUE`): a loader creates the object's maps, puts their descriptors in
/// `fd_array` in the object's map order, and passes the programs unchanged.
#[derive(Clone, Debug)]
pub struct ProgLoadAttr {
    /// Program type.
    pub prog_type: ProgType,
    /// `expected_attach_type`.
    pub expected_attach_type: AttachType,
    /// The instructions.
    pub insns: Vec<RawInsn>,
    /// License string (`"GPL"`, `"Dual BSD/GPL"`, `"Proprietary"`...).
    pub license: String,
    /// Name (at most 15 bytes of `[A-Za-z0-9_.]`).
    pub name: String,
    /// `prog_flags` (`BPF_F_SLEEPABLE`, ...).
    pub prog_flags: u32,
    /// Descriptors that `MAP_IDX` pseudos index.
    pub fd_array: Vec<Fd>,
    /// 0: no log; 1: the pipeline's steps; 2: also every rewrite.
    pub log_level: u32,
    /// Size of the log buffer (0: unlimited); a longer log fails the load with `ENOSPC`, as
    /// the kernel's fixed-size log does.
    pub log_size: u32,
    /// The program's BTF (for func and line info).
    pub prog_btf_fd: Option<Fd>,
    /// `func_info` records.
    pub func_info: Vec<FuncInfo>,
    /// `line_info` records.
    pub line_info: Vec<LineInfo>,
}

impl ProgLoadAttr {
    /// Attributes for `insns` of `prog_type`, GPL, no name, no log (`BPF_F_SLEEPABLE` for
    /// syscall programs, which the kernel requires).
    pub fn new(prog_type: ProgType, insns: Vec<RawInsn>) -> ProgLoadAttr {
        let prog_flags = if prog_type == ProgType::Syscall { BPF_F_SLEEPABLE } else { 0 };
        ProgLoadAttr {
            prog_type,
            expected_attach_type: AttachType(0),
            insns,
            license: "GPL".into(),
            name: String::new(),
            prog_flags,
            fd_array: Vec::new(),
            log_level: 0,
            log_size: 0,
            prog_btf_fd: None,
            func_info: Vec::new(),
            line_info: Vec::new(),
        }
    }

    /// The same with `license`.
    pub fn license(mut self, license: &str) -> Self {
        self.license = license.into();
        self
    }

    /// The same with `name`.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    /// The same with `fd_array`.
    pub fn fd_array(mut self, fds: Vec<Fd>) -> Self {
        self.fd_array = fds;
        self
    }

    /// The same with `log_level`.
    pub fn log_level(mut self, level: u32) -> Self {
        self.log_level = level;
        self
    }

    /// The same with `expected_attach_type`.
    pub fn attach_type(mut self, t: AttachType) -> Self {
        self.expected_attach_type = t;
        self
    }
}

/// The load log: lines kept when asked for, and the refusal.
#[derive(Debug, Default)]
pub(crate) struct Log {
    level: u32,
    text: String,
}

impl Log {
    pub(crate) fn line(&mut self, s: impl AsRef<str>) {
        if self.level > 0 {
            self.text.push_str(s.as_ref());
            self.text.push('\n');
        }
    }

    /// Records a refusal and turns it into the load error (the refusal is always logged).
    pub(crate) fn refuse(&mut self, errno: i32, message: String) -> Error {
        self.text.push_str(&message);
        self.text.push('\n');
        Error::Load { errno, message, log: self.text.clone() }
    }
}

fn check_attrs(attr: &ProgLoadAttr, log: &mut Log) -> Result<()> {
    if attr.insns.is_empty() || attr.insns.len() > MAX_INSNS {
        return Err(Error::TooBig("insn_cnt must be 1..=1000000"));
    }
    check_name(&attr.name)?;
    if attr.prog_flags & !KNOWN_FLAGS != 0 {
        return Err(Error::invalid("unknown prog_flags"));
    }
    let t = attr.prog_type;
    if t == ProgType::Unspec {
        return Err(Error::invalid("BPF_PROG_TYPE_UNSPEC cannot be loaded"));
    }
    let sleepable = attr.prog_flags & BPF_F_SLEEPABLE != 0;
    match t.info().sleepable() {
        Sleepable::Required if !sleepable => {
            return Err(log.refuse(libc::EINVAL, "Syscall programs can only be sleepable".into()));
        }
        Sleepable::Never if sleepable => {
            return Err(log.refuse(
                libc::EINVAL,
                "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable".into(),
            ));
        }
        _ => {}
    }
    if attr.func_info.windows(2).any(|w| w[0].insn_off >= w[1].insn_off)
        || attr.func_info.first().is_some_and(|f| f.insn_off != 0)
        || attr.line_info.windows(2).any(|w| w[0].insn_off > w[1].insn_off)
        || attr.line_info.iter().any(|l| l.insn_off as usize >= attr.insns.len())
    {
        return Err(log.refuse(libc::EINVAL, "func_info/line_info out of order or out of range".into()));
    }
    if (!attr.func_info.is_empty() || !attr.line_info.is_empty()) && attr.prog_btf_fd.is_none() {
        return Err(log.refuse(libc::EINVAL, "func_info or line_info without prog_btf_fd".into()));
    }
    Ok(())
}

impl Client {
    /// `BPF_PROG_LOAD` with the runtime's verifier ([`crate::Runtime::set_verifier`]): see
    /// the module documentation.
    #[doc(alias = "BPF_PROG_LOAD")]
    pub fn prog_load(&self, attr: &ProgLoadAttr) -> Result<Fd> {
        let verifier = self.shared.verifier.read().clone();
        self.prog_load_with(attr, &*verifier)
    }

    /// `BPF_PROG_LOAD` with an explicit verifier (the seam `hive-verifier` plugs into).
    pub fn prog_load_with(&self, attr: &ProgLoadAttr, verifier: &dyn Verifier) -> Result<Fd> {
        let mut log = Log { level: attr.log_level, text: String::new() };
        let result = self.load_pipeline(attr, verifier, &mut log);
        if let Ok(fd) = &result
            && attr.log_size != 0
            && log.text.len() + 1 > attr.log_size as usize
        {
            let _ = self.close(*fd);
            let mut text = log.text;
            text.truncate(attr.log_size.saturating_sub(1) as usize);
            return Err(Error::Load { errno: libc::ENOSPC, message: "log buffer too small".into(), log: text });
        }
        result
    }

    fn load_pipeline(&self, attr: &ProgLoadAttr, verifier: &dyn Verifier, log: &mut Log) -> Result<Fd> {
        // 1. attributes
        check_attrs(attr, log)?;
        let t = attr.prog_type;
        let gpl = is_gpl_compatible(&attr.license);
        let btf: Option<Arc<BtfObject>> = attr.prog_btf_fd.map(|fd| self.btf(fd)).transpose()?;
        log.line(format!(
            "hive: loading {} program '{}' ({} insns, license \"{}\", {}GPL-compatible)",
            t.name(),
            attr.name,
            attr.insns.len(),
            attr.license,
            if gpl { "" } else { "not " }
        ));
        // 2. decode (the original program must decode; pseudo sources are checked next)
        let code = Code::decode(&attr.insns).map_err(|e| log.refuse(libc::EINVAL, e.to_string()))?;
        // 3. tag
        let tag = tag::prog_tag(&attr.insns);
        // 4. pseudo lddw
        let mut resolved = pseudo::resolve(self, &attr.insns, &attr.fd_array, log)?;
        for m in &resolved.maps {
            if m.map_type() == hive_maps::MapType::ProgArray && !m.claim_owner(t) {
                return Err(
                    log.refuse(libc::EINVAL, format!("prog array map id {} serves another program type", m.id()))
                );
            }
        }
        // 5. calls
        let lctx = LoadContext {
            attach_type: attr.expected_attach_type,
            sleepable: attr.prog_flags & BPF_F_SLEEPABLE != 0,
            ..LoadContext::default()
        };
        calls::check(&code, t, &lctx, gpl, &self.shared.kfuncs, log)?;
        // 6. context accesses
        let report = ctx::rewrite(&code, &mut resolved.run, t, log)?;
        log.line(format!(
            "context: {} access(es) through the context, max offset {}",
            report.accesses.len(),
            report.max_ctx_offset
        ));
        let run = Code::decode(&resolved.run).map_err(|e| log.refuse(libc::EINVAL, format!("after rewrites: {e}")))?;
        // What `xlated_prog_insns` shows: the rewritten program with map ids (not handles).
        // An `lddw` is one instruction: both of its slots come from the same source.
        let mut xlated = resolved.run.clone();
        for (pc, _) in run.iter() {
            let slots = if resolved.run[pc].code == 0x18 { 2 } else { 1 };
            if (pc..pc + slots).any(|k| resolved.xlated[k] != attr.insns[k]) {
                xlated[pc..pc + slots].copy_from_slice(&resolved.xlated[pc..pc + slots]);
            }
        }
        // 7. verifier seam
        let maps = LoadMaps::new(self, &attr.insns, &attr.fd_array);
        let input = VerifyInput {
            code: &run,
            insns: &attr.insns,
            maps: &maps,
            kfuncs: Some(&self.shared.kfuncs),
            prog_type: t,
            attach_type: attr.expected_attach_type,
            gpl,
            sleepable: attr.prog_flags & BPF_F_SLEEPABLE != 0,
            log_level: attr.log_level,
        };
        let verdict = verifier.verify(&input).map_err(|r| {
            log.text.push_str(&r.log);
            log.refuse(r.errno, r.message)
        })?;
        log.line(match &verdict {
            verify::Verdict::Unverified => "verifier: no safety proof; runs are checked".to_string(),
            verify::Verdict::Verified { processed, .. } => {
                format!("verifier: processed {processed} insns")
            }
        });
        // 8. engine
        let config = &self.shared.config;
        let options = config.jit.then(|| crate::jit::options(&self.shared.kfuncs, config.jit_blind_constants));
        let (engine, jit) = crate::jit::choose(&verdict, &run, options.as_ref(), &resolved.maps);
        log.line(engine.describe());
        // 9. register
        let info = LoadedInfo {
            name: attr.name.clone(),
            prog_type: t,
            expected_attach_type: attr.expected_attach_type,
            license: attr.license.clone(),
            gpl_compatible: gpl,
            tag,
            load_time_ns: crate::sys::clock_ns(crate::sys::Clock::Boottime),
            created_by_uid: crate::sys::getuid(),
            btf,
            func_info: attr.func_info.clone(),
            line_info: attr.line_info.clone(),
        };
        let mut table = self.shared.progs.lock();
        let id = ProgId(table.alloc()?);
        log.line(format!("hive: program id {id}, tag {}", tag.iter().map(|b| format!("{b:02x}")).collect::<String>()));
        let prog = Arc::new(ProgObject {
            id,
            info,
            orig: attr.insns.clone(),
            xlated,
            code: run,
            maps: resolved.maps,
            direct: resolved.direct,
            ctx: ContextKind::of(t),
            max_ctx_offset: report.max_ctx_offset,
            verdict,
            engine,
            jit,
            vms: Mutex::new(Vec::new()),
            log: log.text.clone(),
        });
        table.live.insert(id.0, Arc::downgrade(&prog));
        drop(table);
        Ok(self.install(Object::Prog(prog)))
    }
}
