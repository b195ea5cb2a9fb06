//! Loading programs into the host kernel and test-running them.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use hive_isa::RawInsn;

use crate::error::{KernelError, LoadError};
use crate::sys::{self, Cmd};

/// The program types this crate loads and test-runs (`enum bpf_prog_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProgType {
    /// `BPF_PROG_TYPE_SOCKET_FILTER`: context `__sk_buff`, packet in `data_in`.
    #[doc(alias = "BPF_PROG_TYPE_SOCKET_FILTER")]
    SocketFilter,
    /// `BPF_PROG_TYPE_SCHED_CLS` (tc): context `__sk_buff`, packet in `data_in`.
    #[doc(alias = "BPF_PROG_TYPE_SCHED_CLS")]
    SchedCls,
    /// `BPF_PROG_TYPE_XDP`: context `xdp_md`, packet in `data_in`; the return value is 32-bit.
    #[doc(alias = "BPF_PROG_TYPE_XDP")]
    Xdp,
    /// `BPF_PROG_TYPE_RAW_TRACEPOINT`: context is an array of `u64` arguments (`ctx_in`); a test
    /// run executes once and does not copy the context back.
    #[doc(alias = "BPF_PROG_TYPE_RAW_TRACEPOINT")]
    RawTracepoint,
    /// `BPF_PROG_TYPE_SYSCALL`: context is an arbitrary, readable and writable byte buffer
    /// (`ctx_in`, at most 65535 bytes) that a test run copies back. Always loaded sleepable
    /// (`BPF_F_SLEEPABLE`), which the kernel requires; a test run executes once.
    #[doc(alias = "BPF_PROG_TYPE_SYSCALL")]
    Syscall,
    /// Any other type, by its `enum bpf_prog_type` number: for verifier verdicts only
    /// ([`load`]); [`ProgFd::test_run`] treats it as a type without a packet.
    Other(u32),
}

impl ProgType {
    /// Every supported type.
    pub const ALL: [ProgType; 5] =
        [ProgType::SocketFilter, ProgType::SchedCls, ProgType::Xdp, ProgType::RawTracepoint, ProgType::Syscall];

    /// The `enum bpf_prog_type` value.
    pub const fn raw(self) -> u32 {
        match self {
            ProgType::SocketFilter => 1,
            ProgType::SchedCls => 3,
            ProgType::Xdp => 6,
            ProgType::RawTracepoint => 17,
            ProgType::Syscall => 31,
            ProgType::Other(n) => n,
        }
    }

    /// Whether a test run takes a packet (`data_in`) and may repeat.
    pub const fn takes_packet(self) -> bool {
        matches!(self, ProgType::SocketFilter | ProgType::SchedCls | ProgType::Xdp)
    }
}

/// `BPF_F_SLEEPABLE`.
const BPF_F_SLEEPABLE: u32 = 1 << 4;
/// The largest verifier log buffer this crate will allocate when the kernel asks for more.
const MAX_LOG: usize = 64 << 20;

/// Everything `BPF_PROG_LOAD` is told besides the instructions.
#[derive(Clone, Debug)]
pub struct LoadOptions<'a> {
    /// Program type.
    pub prog_type: ProgType,
    /// License string; `"GPL"` unlocks GPL-only helpers.
    pub license: &'a str,
    /// Verifier log level: 0 (none), 1 (the path that failed), 2 (every state), 4 (statistics),
    /// or a combination. With 0, a failed load is retried once at level 1 to obtain the reason.
    pub log_level: u32,
    /// Initial log buffer size in bytes; grown once if the kernel reports that it needs more.
    pub log_size: usize,
    /// Program name (at most 15 bytes are kept; `[A-Za-z0-9_.]` only).
    pub name: &'a str,
    /// Extra `prog_flags` (`BPF_F_*`); `BPF_F_SLEEPABLE` is added for syscall programs.
    pub prog_flags: u32,
    /// `expected_attach_type`.
    pub expected_attach_type: u32,
    /// `prog_btf_fd`: the program's BTF, which `func_info` and `line_info` refer to.
    pub btf: Option<&'a BtfFd>,
    /// `func_info` records (needs `btf`).
    pub func_info: &'a [FuncInfo],
    /// `line_info` records (needs `btf`).
    pub line_info: &'a [LineInfo],
}

/// One `struct bpf_func_info`: the `FUNC` type (in the program's BTF) of the function that
/// starts at instruction `insn_off`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FuncInfo {
    /// First instruction of the function.
    pub insn_off: u32,
    /// Its `FUNC` type id.
    pub type_id: u32,
}

/// One `struct bpf_line_info`: the source position of instruction `insn_off`, with strings
/// in the program's BTF.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineInfo {
    /// The instruction.
    pub insn_off: u32,
    /// Offset of the file name in the BTF's strings.
    pub file_name_off: u32,
    /// Offset of the source line's text.
    pub line_off: u32,
    /// `line << 10 | column`.
    pub line_col: u32,
}

/// A BTF object loaded into the kernel (`BPF_BTF_LOAD`); closed on drop (programs loaded
/// with it keep their own reference).
#[derive(Debug)]
pub struct BtfFd {
    fd: OwnedFd,
}

impl BtfFd {
    /// `BPF_BTF_LOAD` of a BTF blob. A refusal carries the kernel's BTF log (asked for only
    /// after a first attempt without one fails).
    pub fn load(btf: &[u8]) -> Result<BtfFd, LoadError> {
        match sys::btf_load(btf, 0, &mut []) {
            Ok(fd) => Ok(BtfFd { fd }),
            Err((errno, _)) if errno == libc::EPERM => Err(LoadError { errno, log: String::new() }),
            Err(_) => {
                let mut log = vec![0u8; 1 << 20];
                let res = sys::btf_load(btf, 1, &mut log);
                let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
                log.truncate(end);
                let log = String::from_utf8_lossy(&log).into_owned();
                match res {
                    Ok(fd) => Ok(BtfFd { fd }),
                    Err((errno, _)) => Err(LoadError { errno, log }),
                }
            }
        }
    }
}

impl AsRawFd for BtfFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for BtfFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl<'a> LoadOptions<'a> {
    /// Options for `prog_type` with license `"GPL"`, no log, a 256 KiB log buffer on demand.
    pub fn new(prog_type: ProgType) -> Self {
        LoadOptions {
            prog_type,
            license: "GPL",
            log_level: 0,
            log_size: 256 << 10,
            name: "",
            prog_flags: 0,
            expected_attach_type: 0,
            btf: None,
            func_info: &[],
            line_info: &[],
        }
    }
}

/// A loaded program. The descriptor is closed on drop, which lets the kernel free it.
#[derive(Debug)]
pub struct ProgFd {
    fd: OwnedFd,
    prog_type: ProgType,
    log: String,
}

/// The result of one `BPF_PROG_TEST_RUN`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestRunResult {
    /// The program's return value (the kernel reports only the low 32 bits of `r0`).
    pub retval: u32,
    /// The packet after the run (empty for types without a packet).
    pub data_out: Vec<u8>,
    /// The context after the run: `ctx_out` for packet types given a `ctx_in`, the rewritten
    /// context for syscall programs, empty otherwise.
    pub ctx_out: Vec<u8>,
    /// Mean time of one run in nanoseconds over `repeat` runs (0 for run-once types).
    pub duration_ns: u32,
}

/// Loads `insns` as a program of `prog_type`; see [`load`] for the details.
pub fn prog_load(prog_type: ProgType, insns: &[RawInsn], license: &str, log_level: u32) -> Result<ProgFd, LoadError> {
    load(&LoadOptions { license, log_level, ..LoadOptions::new(prog_type) }, insns)
}

fn c_string(s: &str) -> Vec<u8> {
    let mut v: Vec<u8> = s.bytes().filter(|&b| b != 0).collect();
    v.push(0);
    v
}

/// Loads a program with explicit options. On success the verifier log (if a level was asked
/// for) is kept in [`ProgFd::load_log`]; on failure it is in [`LoadError::log`].
pub fn load(opts: &LoadOptions<'_>, insns: &[RawInsn]) -> Result<ProgFd, LoadError> {
    let bytes = RawInsn::slice_to_bytes(insns);
    let license = c_string(opts.license);
    let mut name = [0u8; 16];
    for (d, s) in name.iter_mut().zip(opts.name.bytes().take(15)) {
        *d = s;
    }
    let mut prog_flags = opts.prog_flags;
    if opts.prog_type == ProgType::Syscall {
        prog_flags |= BPF_F_SLEEPABLE;
    }
    let func_info: Vec<u8> =
        opts.func_info.iter().flat_map(|f| [f.insn_off, f.type_id]).flat_map(u32::to_ne_bytes).collect();
    let line_info: Vec<u8> = opts
        .line_info
        .iter()
        .flat_map(|l| [l.insn_off, l.file_name_off, l.line_off, l.line_col])
        .flat_map(u32::to_ne_bytes)
        .collect();
    let attempt = |log_level: u32, log_size: usize| {
        let mut log = vec![0u8; if log_level == 0 { 0 } else { log_size.max(128) }];
        let res = sys::prog_load(sys::ProgLoad {
            prog_type: opts.prog_type.raw(),
            expected_attach_type: opts.expected_attach_type,
            prog_flags,
            insns: &bytes,
            license: &license,
            name,
            log_level,
            log: &mut log,
            btf: opts.btf.map(AsFd::as_fd),
            func_info: &func_info,
            line_info: &line_info,
        });
        let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
        log.truncate(end);
        (res, String::from_utf8_lossy(&log).into_owned())
    };
    let mut level = opts.log_level;
    let mut size = opts.log_size;
    let mut retried = false;
    loop {
        match attempt(level, size) {
            (Ok((fd, _)), log) => return Ok(ProgFd { fd, prog_type: opts.prog_type, log }),
            // The rotating log did not fit: the kernel says how much it needs.
            (Err((libc::ENOSPC, true_size)), _) if level != 0 && size < MAX_LOG && !retried => {
                size = (true_size as usize + 1).max(size * 4).min(MAX_LOG);
                retried = true;
            }
            // No log was asked for: ask again for the reason.
            (Err((errno, _)), _) if level == 0 && errno != libc::EPERM && !retried => {
                level = 1;
                retried = true;
            }
            (Err((errno, _)), log) => return Err(LoadError { errno, log }),
        }
    }
}

/// What `BPF_OBJ_GET_INFO_BY_FD` reports about a loaded program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgInfo {
    /// Global program id.
    pub id: u32,
    /// The program tag (a hash of the instructions as loaded).
    pub tag: [u8; 8],
    /// Bytes of JIT-compiled machine code (0 when interpreted).
    pub jited_len: u32,
    /// The instructions after the verifier's rewrites (`bpftool prog dump xlated`).
    pub xlated: Vec<RawInsn>,
}

impl ProgFd {
    /// The program type it was loaded as.
    pub fn prog_type(&self) -> ProgType {
        self.prog_type
    }

    /// The verifier log of a successful load (empty at log level 0).
    pub fn load_log(&self) -> &str {
        &self.log
    }

    /// Runs the program once on `data_in` (packet types) and `ctx_in`.
    ///
    /// - socket filter, sched_cls, XDP: `data_in` is the packet (at least 14 bytes for skb
    ///   types); `ctx_in` is an optional `__sk_buff` / `xdp_md`; `repeat` runs are averaged in
    ///   `duration_ns`.
    /// - raw_tracepoint: `data_in` must be empty, `ctx_in` holds the `u64` arguments, `repeat`
    ///   must be 0 or 1.
    /// - syscall: `data_in` must be empty, `ctx_in` is the context, which the program may
    ///   modify and which comes back in `ctx_out`; `repeat` must be 0 or 1.
    pub fn test_run(&self, data_in: &[u8], ctx_in: Option<&[u8]>, repeat: u32) -> Result<TestRunResult, KernelError> {
        if self.prog_type.takes_packet() {
            let ctx_in = ctx_in.unwrap_or(&[]);
            let mut data_out = vec![0u8; data_in.len() + 512];
            let mut ctx_out = vec![0u8; ctx_in.len()];
            let out = sys::test_run(
                self.fd.as_fd(),
                sys::TestRun { data_in, data_out: &mut data_out, ctx_in, ctx_out: &mut ctx_out, repeat, flags: 0, cpu: 0 },
            )
            .map_err(|e| KernelError::sys(Cmd::ProgTestRun, e))?;
            data_out.truncate(out.data_size_out as usize);
            ctx_out.truncate(out.ctx_size_out as usize);
            return Ok(TestRunResult { retval: out.retval, data_out, ctx_out, duration_ns: out.duration });
        }
        if !data_in.is_empty() {
            return Err(KernelError::Invalid(format!("{:?} programs take no packet (data_in)", self.prog_type)));
        }
        if repeat > 1 {
            return Err(KernelError::Invalid(format!("{:?} programs run once per test run (repeat {repeat})", self.prog_type)));
        }
        let mut ctx = ctx_in.unwrap_or(&[]).to_vec();
        let retval = sys::test_run_inout(self.fd.as_fd(), &mut ctx, 0, 0).map_err(|e| KernelError::sys(Cmd::ProgTestRun, e))?;
        if self.prog_type != ProgType::Syscall {
            ctx.clear();
        }
        Ok(TestRunResult { retval, data_out: Vec::new(), ctx_out: ctx, duration_ns: 0 })
    }

    /// The kernel's view of the loaded program, including the rewritten instructions.
    pub fn info(&self) -> Result<ProgInfo, KernelError> {
        let sys::RawProgInfo { id, tag, jited_len, xlated } =
            sys::prog_info(self.fd.as_fd()).map_err(|e| KernelError::sys(Cmd::ObjGetInfoByFd, e))?;
        let xlated = RawInsn::slice_from_bytes(&xlated)
            .ok_or_else(|| KernelError::Invalid(format!("xlated length {} is not a multiple of 8", xlated.len())))?;
        Ok(ProgInfo { id, tag, jited_len, xlated })
    }
}

impl AsFd for ProgFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for ProgFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
