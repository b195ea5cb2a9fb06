//! The seam where the verifier plugs in, and where the engine is chosen.
//!
//! The load pipeline calls a [`Verifier`] after its own load-time checks. It is given the
//! program **as loaded** ([`VerifyInput::insns`]: pseudo `lddw`s unresolved, context accesses
//! not yet rewritten, as the kernel's `do_check` sees it) with a [`MapResolver`] that answers
//! for the descriptors and `fd_array` entries the program names, plus the rewritten
//! instructions that will run ([`VerifyInput::code`]). A refusal becomes the `BPF_PROG_LOAD`
//! error with the verifier's errno ([`errno_for`]: `EACCES` for a safety violation, `EINVAL`
//! for a malformed program, as the kernel) and its log.
//!
//! [`HiveVerifier`] is `hive-verifier` behind this seam. Its acceptance counts as
//! [`Verdict::Verified`] only when it is a safety proof ([`hive_verifier::Verified::is_safety_proof`]);
//! otherwise an accepted program stays [`Verdict::Unverified`] and runs in the checked
//! interpreter, which enforces memory safety and termination at run time. A
//! [`Verdict::Verified`] program is compiled by `hive-jit` unless the JIT is disabled or
//! refuses it (`crate::jit`). [`HiveVerifier`] is the runtime's default
//! ([`crate::Runtime::set_verifier`]); [`NoVerifier`] skips verification: such a program may
//! only ever run in the interpreter (`hive run --no-verify`).

use hive_isa::{Code, RawInsn};
use hive_platform::kfunc::KfuncRegistry;
use hive_platform::prog::{AttachType, ProgType};
use hive_verifier::{BlockFacts, LogLevel, MapMeta, MapResolver, RejectKind, VerifyOptions};

use crate::fd::Client;
use crate::ids::Fd;
use crate::map::MapRef;

/// What a verifier is told about the program.
pub struct VerifyInput<'a> {
    /// The instructions as they will run (pseudos resolved, context accesses rewritten).
    pub code: &'a Code,
    /// The instructions as loaded (pseudo `lddw`s naming descriptors or `fd_array` slots).
    pub insns: &'a [RawInsn],
    /// The maps those pseudos name.
    pub maps: &'a dyn MapResolver,
    /// The kfuncs the runtime offers.
    pub kfuncs: Option<&'a KfuncRegistry>,
    /// Program type.
    pub prog_type: ProgType,
    /// Expected attach type.
    pub attach_type: AttachType,
    /// Whether the license is GPL-compatible.
    pub gpl: bool,
    /// `BPF_F_SLEEPABLE`.
    pub sleepable: bool,
    /// `log_level` of the load (0: none, 1: the failing path, 2: everything).
    pub log_level: u32,
}

impl std::fmt::Debug for VerifyInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyInput")
            .field("insns", &self.insns.len())
            .field("prog_type", &self.prog_type)
            .field("attach_type", &self.attach_type)
            .field("gpl", &self.gpl)
            .field("sleepable", &self.sleepable)
            .field("log_level", &self.log_level)
            .finish_non_exhaustive()
    }
}

/// A verifier's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Proven safe: the JIT runs it without run-time checks. A [`Verifier`] answers this
    /// only for a safety proof (for `hive-verifier`, `Assurance::Safe`): memory accesses
    /// within the run's regions, termination, no read of an unreadable register.
    Verified {
        /// Instructions the verifier processed (`processed N insns`).
        processed: u64,
        /// What holds of the registers where blocks start (`hive_verifier::BlockFacts`),
        /// for the JIT; empty when the verifier says nothing.
        facts: BlockFacts,
    },
    /// Not proven: only the checked interpreter may run it.
    Unverified,
}

/// A refusal: errno, message and log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The errno `BPF_PROG_LOAD` returns (`EACCES`, `EINVAL`, ...).
    pub errno: i32,
    /// The message (kernel wording).
    pub message: String,
    /// The verifier log before the message.
    pub log: String,
}

/// A program verifier.
pub trait Verifier: Send + Sync {
    /// Proves `input` safe or refuses it.
    fn verify(&self, input: &VerifyInput<'_>) -> Result<Verdict, Rejection>;
}

/// No verification: every program is [`Verdict::Unverified`] (interpreter only).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoVerifier;

impl Verifier for NoVerifier {
    fn verify(&self, _: &VerifyInput<'_>) -> Result<Verdict, Rejection> {
        Ok(Verdict::Unverified)
    }
}

/// `hive-verifier` behind the seam.
#[derive(Clone, Copy, Debug)]
pub struct HiveVerifier {
    /// Verify as a `CAP_BPF` loader (Hive loads for the user who runs it).
    pub privileged: bool,
}

impl Default for HiveVerifier {
    fn default() -> Self {
        HiveVerifier { privileged: true }
    }
}

/// The errno the kernel returns for a verifier refusal of this kind.
pub fn errno_for(kind: RejectKind) -> i32 {
    match kind {
        RejectKind::Empty | RejectKind::TooLarge | RejectKind::TooManySubprogs | RejectKind::CallStackTooDeep => {
            libc::E2BIG
        }
        RejectKind::CallsNotAllowed => libc::EPERM,
        RejectKind::InvalidCallTarget
        | RejectKind::JumpOutOfRange
        | RejectKind::LastInsnNotExit
        | RejectKind::InvalidLdImm64
        | RejectKind::UnknownOpcode
        | RejectKind::ReservedFields
        | RejectKind::InvalidRegister
        | RejectKind::InvalidInsn
        | RejectKind::BackEdge
        | RejectKind::Unreachable
        | RejectKind::JumpIntoLdImm64 => libc::EINVAL,
        RejectKind::Internal => libc::EFAULT,
        _ => libc::EACCES,
    }
}

impl Verifier for HiveVerifier {
    fn verify(&self, input: &VerifyInput<'_>) -> Result<Verdict, Rejection> {
        let mut env = hive_verifier::ProgramEnv::new(input.prog_type);
        env.attach_type = input.attach_type;
        env.gpl = input.gpl;
        env.maps = input.maps;
        env.kfuncs = input.kfuncs;
        env.sleepable = input.sleepable;
        let level = match input.log_level {
            0 => LogLevel::Off,
            1 => LogLevel::Basic,
            _ => LogLevel::Verbose,
        };
        let opts = if self.privileged { VerifyOptions::privileged() } else { VerifyOptions::unprivileged() };
        match hive_verifier::verify_program(input.insns, &env, &opts.with_log_level(level)) {
            Ok(v) if v.is_safety_proof() => {
                let processed =
                    v.log.rfind("processed ").and_then(|at| v.log[at + 10..].split_whitespace().next()?.parse().ok());
                Ok(Verdict::Verified { processed: processed.unwrap_or(0), facts: v.facts })
            }
            Ok(_) => Ok(Verdict::Unverified),
            Err(r) => {
                // The pipeline appends the message; keep the log before it.
                let log = r.log.strip_suffix('\n').unwrap_or(&r.log);
                let log = log.strip_suffix(r.message.as_str()).unwrap_or(log).to_string();
                Err(Rejection { errno: errno_for(r.kind), message: r.message.clone(), log })
            }
        }
    }
}

/// The verifier's view of a live map.
pub(crate) fn map_meta(m: &hive_maps::MapSpec) -> MapMeta {
    let t = hive_platform::map::MapType::from_raw(m.map_type.to_raw()).unwrap_or(hive_platform::map::MapType::Unspec);
    let mut meta = MapMeta::new(t, m.key_size, m.value_size, m.max_entries);
    meta.map_flags = m.map_flags;
    meta.spin_lock_off = m.spin_lock_off;
    meta.inner = m.inner.as_ref().map(|i| Box::new(map_meta(i)));
    meta
}

/// The maps a program's pseudo `lddw`s name, by descriptor and by `fd_array` index.
#[derive(Debug, Default)]
pub(crate) struct LoadMaps {
    by_fd: Vec<(i32, MapMeta)>,
    by_idx: Vec<(u32, MapMeta)>,
}

impl LoadMaps {
    /// Looks up every map `insns` names (the ones `pseudo::resolve` accepted).
    pub(crate) fn new(client: &Client, insns: &[RawInsn], fd_array: &[Fd]) -> LoadMaps {
        let mut out = LoadMaps::default();
        let meta = |fd: Fd| client.map(fd).ok().map(|m: MapRef| map_meta(m.map().spec()));
        for w in insns.windows(2) {
            let insn = w[0];
            if insn.code != 0x18 {
                continue;
            }
            match insn.src {
                1 | 2 if !out.by_fd.iter().any(|(f, _)| *f == insn.imm) => {
                    if let Some(m) = meta(Fd(insn.imm as u32)) {
                        out.by_fd.push((insn.imm, m));
                    }
                }
                5 | 6 if !out.by_idx.iter().any(|(i, _)| *i == insn.imm as u32) => {
                    if let Some(m) = fd_array.get(insn.imm as u32 as usize).and_then(|&fd| meta(fd)) {
                        out.by_idx.push((insn.imm as u32, m));
                    }
                }
                _ => {}
            }
        }
        out
    }
}

impl MapResolver for LoadMaps {
    fn by_fd(&self, fd: i32) -> Option<MapMeta> {
        self.by_fd.iter().find(|(f, _)| *f == fd).map(|(_, m)| m.clone())
    }
    fn by_index(&self, idx: u32) -> Option<MapMeta> {
        self.by_idx.iter().find(|(i, _)| *i == idx).map(|(_, m)| m.clone())
    }
}

/// Which engine runs a loaded program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Compiled by the x86-64 JIT (`hive-jit`): only for [`Verdict::Verified`] programs.
    Jit {
        /// Bytes of machine code (`jited_prog_len`).
        code_bytes: usize,
    },
    /// The checked interpreter (`hive-interp`), with the reason the JIT is not used.
    Interpreter {
        /// Why not the JIT: `unverified`, disabled by the configuration, a feature the JIT
        /// does not run (callbacks, tail calls), or the JIT's refusal.
        reason: String,
    },
}

impl Engine {
    /// A one-line description for the load log.
    pub fn describe(&self) -> String {
        match self {
            Engine::Jit { code_bytes } => format!("jit: {code_bytes} bytes of x86-64 code; engine: jit"),
            Engine::Interpreter { reason } => format!("jit: not used ({reason}); engine: interpreter"),
        }
    }

    /// Whether the JIT runs the program.
    pub fn is_jit(&self) -> bool {
        matches!(self, Engine::Jit { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::Arc;

    use crate::error::Error;
    use crate::load::ProgLoadAttr;
    use crate::{Runtime, map::MapCreateAttr};

    fn load(rt: &Runtime, insns: Vec<RawInsn>) -> crate::error::Result<crate::ids::Fd> {
        rt.client().prog_load(&ProgLoadAttr::new(ProgType::SocketFilter, insns).log_level(1))
    }

    #[test]
    fn refusals_carry_the_kernel_errno_and_log() {
        let rt = Runtime::default();
        rt.set_verifier(Arc::new(HiveVerifier::default()));
        let exit = RawInsn::new(0x95, 0, 0, 0, 0);
        let mov = RawInsn::new(0xb7, 0, 0, 0, 0);
        match load(&rt, vec![mov, exit, exit]) {
            Err(Error::Load { errno, message, log }) => {
                assert_eq!(errno, libc::EINVAL);
                assert_eq!(message, "unreachable insn 2");
                assert_eq!(log.matches("unreachable insn 2").count(), 1, "{log}");
            }
            other => panic!("{other:?}"),
        }
        // Without a verifier the same program loads (and runs checked).
        rt.set_verifier(Arc::new(NoVerifier));
        assert!(load(&rt, vec![mov, exit, exit]).is_ok());
    }

    #[test]
    fn map_pseudos_reach_the_verifier() {
        let rt = Runtime::default();
        rt.set_verifier(Arc::new(HiveVerifier::default()));
        let client = rt.client();
        let fd = client.map_create(&MapCreateAttr::new(hive_maps::MapType::Array, 4, 48, 1)).unwrap();
        let insns = vec![
            RawInsn::new(0x18, 1, 1, 0, fd.0 as i32),
            RawInsn::new(0, 0, 0, 0, 0),
            RawInsn::new(0xb7, 0, 0, 0, 0),
            RawInsn::new(0x95, 0, 0, 0, 0),
        ];
        let maps = LoadMaps::new(&client, &insns, &[]);
        let m = maps.by_fd(fd.0 as i32).unwrap();
        assert_eq!((m.map_type, m.value_size), (hive_platform::map::MapType::Array, 48));
        assert!(maps.by_fd(fd.0 as i32 + 1).is_none());
        assert!(client.prog_load(&ProgLoadAttr::new(ProgType::SocketFilter, insns)).is_ok());
    }

    #[test]
    fn errnos() {
        assert_eq!(errno_for(RejectKind::BackEdge), libc::EINVAL);
        assert_eq!(errno_for(RejectKind::TooLarge), libc::E2BIG);
        assert_eq!(errno_for(RejectKind::Internal), libc::EFAULT);
    }
}
