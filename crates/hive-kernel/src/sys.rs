//! The raw `bpf()` system call: `#[repr(C)]` attributes laid out as in `linux/bpf.h` and one
//! safe wrapper per command. This is the only module of Hive that contains `unsafe` code.
//!
//! Every wrapper takes Rust slices, builds the attribute block with pointers into those
//! slices, and calls the kernel while the slices are borrowed, so the kernel never sees a
//! dangling pointer and never writes past a buffer whose length it was told. The attribute
//! structs are zero-initialised in full (including padding and every field this crate does not
//! use), because the kernel rejects a non-zero tail it does not know (`E2BIG`/`EINVAL`).

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// `enum bpf_cmd` values used here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Cmd {
    MapCreate = 0,
    MapLookupElem = 1,
    MapUpdateElem = 2,
    MapDeleteElem = 3,
    MapGetNextKey = 4,
    ProgLoad = 5,
    ProgTestRun = 10,
    ObjGetInfoByFd = 15,
    BtfLoad = 18,
}

impl Cmd {
    /// The kernel's spelling, for error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Cmd::MapCreate => "BPF_MAP_CREATE",
            Cmd::MapLookupElem => "BPF_MAP_LOOKUP_ELEM",
            Cmd::MapUpdateElem => "BPF_MAP_UPDATE_ELEM",
            Cmd::MapDeleteElem => "BPF_MAP_DELETE_ELEM",
            Cmd::MapGetNextKey => "BPF_MAP_GET_NEXT_KEY",
            Cmd::ProgLoad => "BPF_PROG_LOAD",
            Cmd::ProgTestRun => "BPF_PROG_TEST_RUN",
            Cmd::ObjGetInfoByFd => "BPF_OBJ_GET_INFO_BY_FD",
            Cmd::BtfLoad => "BPF_BTF_LOAD",
        }
    }
}

/// The `BPF_PROG_LOAD` member of `union bpf_attr` (through `log_true_size`, kernel 6.4+).
#[repr(C)]
#[derive(Default)]
struct ProgLoadAttr {
    prog_type: u32,
    insn_cnt: u32,
    insns: u64,
    license: u64,
    log_level: u32,
    log_size: u32,
    log_buf: u64,
    kern_version: u32,
    prog_flags: u32,
    prog_name: [u8; 16],
    prog_ifindex: u32,
    expected_attach_type: u32,
    prog_btf_fd: u32,
    func_info_rec_size: u32,
    func_info: u64,
    func_info_cnt: u32,
    line_info_rec_size: u32,
    line_info: u64,
    line_info_cnt: u32,
    attach_btf_id: u32,
    attach_prog_fd: u32,
    core_relo_cnt: u32,
    fd_array: u64,
    core_relos: u64,
    core_relo_rec_size: u32,
    log_true_size: u32,
}

/// The `BPF_PROG_TEST_RUN` member of `union bpf_attr`.
#[repr(C)]
#[derive(Default)]
struct TestRunAttr {
    prog_fd: u32,
    retval: u32,
    data_size_in: u32,
    data_size_out: u32,
    data_in: u64,
    data_out: u64,
    repeat: u32,
    duration: u32,
    ctx_size_in: u32,
    ctx_size_out: u32,
    ctx_in: u64,
    ctx_out: u64,
    flags: u32,
    cpu: u32,
    batch_size: u32,
    _pad: u32,
}

/// The `BPF_MAP_CREATE` member of `union bpf_attr`.
#[repr(C)]
#[derive(Default)]
struct MapCreateAttr {
    map_type: u32,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    map_flags: u32,
    inner_map_fd: u32,
    numa_node: u32,
    map_name: [u8; 16],
    map_ifindex: u32,
    btf_fd: u32,
    btf_key_type_id: u32,
    btf_value_type_id: u32,
    btf_vmlinux_value_type_id: u32,
    map_extra: u64,
}

/// The `BPF_MAP_*_ELEM` member of `union bpf_attr` (`value` doubles as `next_key`).
#[repr(C)]
#[derive(Default)]
struct MapElemAttr {
    map_fd: u32,
    _pad: u32,
    key: u64,
    value: u64,
    flags: u64,
}

/// The `BPF_BTF_LOAD` member of `union bpf_attr` (through `btf_log_true_size`, kernel 6.4+).
#[repr(C)]
#[derive(Default)]
struct BtfLoadAttr {
    btf: u64,
    btf_log_buf: u64,
    btf_size: u32,
    btf_log_size: u32,
    btf_log_level: u32,
    btf_log_true_size: u32,
}

/// The `BPF_OBJ_GET_INFO_BY_FD` member of `union bpf_attr`.
#[repr(C)]
#[derive(Default)]
struct InfoAttr {
    bpf_fd: u32,
    info_len: u32,
    info: u64,
}

/// The first fields of `struct bpf_prog_info`; the kernel fills only the prefix it is given.
#[repr(C)]
#[derive(Default)]
struct ProgInfoPrefix {
    prog_type: u32,
    id: u32,
    tag: [u8; 8],
    jited_prog_len: u32,
    xlated_prog_len: u32,
    jited_prog_insns: u64,
    xlated_prog_insns: u64,
}

// The layouts must match `linux/bpf.h` exactly.
const _: () = {
    assert!(size_of::<ProgLoadAttr>() == 144);
    assert!(std::mem::offset_of!(ProgLoadAttr, prog_name) == 48);
    assert!(std::mem::offset_of!(ProgLoadAttr, fd_array) == 120);
    assert!(size_of::<TestRunAttr>() == 80);
    assert!(std::mem::offset_of!(TestRunAttr, ctx_in) == 48);
    assert!(size_of::<MapCreateAttr>() == 72);
    assert!(std::mem::offset_of!(MapCreateAttr, map_extra) == 64);
    assert!(size_of::<MapElemAttr>() == 32);
    assert!(size_of::<ProgInfoPrefix>() == 40);
    assert!(size_of::<BtfLoadAttr>() == 32);
    assert!(std::mem::offset_of!(ProgLoadAttr, prog_btf_fd) == 72);
    assert!(std::mem::offset_of!(ProgLoadAttr, line_info) == 96);
};

/// A pointer as the `__aligned_u64` the kernel expects (null for an empty buffer).
fn ptr(bytes: &[u8]) -> u64 {
    if bytes.is_empty() { 0 } else { bytes.as_ptr() as u64 }
}

fn mut_ptr(bytes: &mut [u8]) -> u64 {
    if bytes.is_empty() { 0 } else { bytes.as_mut_ptr() as u64 }
}

fn len32(bytes: &[u8]) -> Result<u32, i32> {
    u32::try_from(bytes.len()).map_err(|_| libc::E2BIG)
}

/// Calls `bpf(cmd, attr, sizeof(*attr))` and returns its non-negative result or `errno`.
///
/// # Safety
///
/// Every pointer stored in `attr` must be null or valid for the access the command makes
/// through it, for the length stored beside it, for the duration of the call.
unsafe fn bpf<T>(cmd: Cmd, attr: &mut T) -> Result<i64, i32> {
    // SAFETY: `attr` is a live, exclusively borrowed `#[repr(C)]` attribute block of exactly
    // `size_of::<T>()` bytes, which the kernel may read and (for output fields) write; the
    // pointers inside it are valid per this function's contract.
    let ret = unsafe {
        libc::syscall(libc::SYS_bpf, cmd as libc::c_long, attr as *mut T, size_of::<T>() as libc::c_long)
    };
    if ret < 0 { Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)) } else { Ok(ret) }
}

/// Takes ownership of a descriptor the kernel just returned.
fn own(fd: i64) -> OwnedFd {
    let fd = RawFd::try_from(fd).expect("bpf() returns descriptors that fit an int");
    // SAFETY: `fd` was returned by a successful bpf() command that creates a new descriptor, so
    // it is open and nobody else owns it; wrapping it makes Drop close it exactly once.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// Arguments of `BPF_PROG_LOAD` this crate supports.
pub(crate) struct ProgLoad<'a> {
    pub prog_type: u32,
    pub expected_attach_type: u32,
    pub prog_flags: u32,
    pub insns: &'a [u8],
    /// NUL-terminated.
    pub license: &'a [u8],
    pub name: [u8; 16],
    pub log_level: u32,
    /// Empty when `log_level` is 0.
    pub log: &'a mut [u8],
    /// `prog_btf_fd`, which `func_info` and `line_info` refer to.
    pub btf: Option<BorrowedFd<'a>>,
    /// `struct bpf_func_info` records (8 bytes each).
    pub func_info: &'a [u8],
    /// `struct bpf_line_info` records (16 bytes each).
    pub line_info: &'a [u8],
}

/// `sizeof(struct bpf_func_info)`.
pub(crate) const FUNC_INFO_SIZE: u32 = 8;
/// `sizeof(struct bpf_line_info)`.
pub(crate) const LINE_INFO_SIZE: u32 = 16;

/// `BPF_PROG_LOAD`; on failure the log (if any) has been written into `args.log`.
/// Returns the descriptor and `log_true_size` (0 on kernels that do not report it).
pub(crate) fn prog_load(args: ProgLoad<'_>) -> Result<(OwnedFd, u32), (i32, u32)> {
    debug_assert!(args.license.ends_with(&[0]));
    let mut attr = ProgLoadAttr {
        prog_type: args.prog_type,
        insn_cnt: len32(args.insns).map_err(|e| (e, 0))? / 8,
        insns: ptr(args.insns),
        license: ptr(args.license),
        log_level: args.log_level,
        log_size: len32(args.log).map_err(|e| (e, 0))?,
        log_buf: mut_ptr(args.log),
        prog_flags: args.prog_flags,
        prog_name: args.name,
        expected_attach_type: args.expected_attach_type,
        prog_btf_fd: args.btf.map_or(0, |fd| fd.as_raw_fd() as u32),
        func_info_rec_size: if args.func_info.is_empty() { 0 } else { FUNC_INFO_SIZE },
        func_info: ptr(args.func_info),
        func_info_cnt: len32(args.func_info).map_err(|e| (e, 0))? / FUNC_INFO_SIZE,
        line_info_rec_size: if args.line_info.is_empty() { 0 } else { LINE_INFO_SIZE },
        line_info: ptr(args.line_info),
        line_info_cnt: len32(args.line_info).map_err(|e| (e, 0))? / LINE_INFO_SIZE,
        ..Default::default()
    };
    if !args.func_info.len().is_multiple_of(FUNC_INFO_SIZE as usize)
        || !args.line_info.len().is_multiple_of(LINE_INFO_SIZE as usize)
    {
        return Err((libc::EINVAL, 0));
    }
    // SAFETY: `insns` (insn_cnt * 8 bytes), the NUL-terminated `license`, `func_info`
    // (func_info_cnt records of func_info_rec_size bytes: its whole length) and `line_info`
    // (likewise) are borrowed for the call and only read; `log` is exclusively borrowed and the
    // kernel writes at most `log_size` bytes into it; every other pointer field is null. The
    // BTF descriptor is borrowed, so it stays open during the call.
    match unsafe { bpf(Cmd::ProgLoad, &mut attr) } {
        Ok(fd) => Ok((own(fd), attr.log_true_size)),
        Err(errno) => Err((errno, attr.log_true_size)),
    }
}

/// `BPF_BTF_LOAD` of `btf`; on failure the log (if `log_level` is not 0) has been written into
/// `log`. Returns the descriptor, or the errno and `btf_log_true_size`.
pub(crate) fn btf_load(btf: &[u8], log_level: u32, log: &mut [u8]) -> Result<OwnedFd, (i32, u32)> {
    let mut attr = BtfLoadAttr {
        btf: ptr(btf),
        btf_size: len32(btf).map_err(|e| (e, 0))?,
        btf_log_buf: mut_ptr(log),
        btf_log_size: len32(log).map_err(|e| (e, 0))?,
        btf_log_level: log_level,
        ..Default::default()
    };
    // SAFETY: `btf` (btf_size bytes) is borrowed for the call and only read; `log` is
    // exclusively borrowed and the kernel writes at most `btf_log_size` bytes into it.
    match unsafe { bpf(Cmd::BtfLoad, &mut attr) } {
        Ok(fd) => Ok(own(fd)),
        Err(errno) => Err((errno, attr.btf_log_true_size)),
    }
}

/// Arguments and results of `BPF_PROG_TEST_RUN`.
pub(crate) struct TestRun<'a> {
    pub data_in: &'a [u8],
    /// Receives the output packet; empty for "no data_out".
    pub data_out: &'a mut [u8],
    pub ctx_in: &'a [u8],
    /// Receives the output context; empty for "no ctx_out".
    pub ctx_out: &'a mut [u8],
    pub repeat: u32,
    pub flags: u32,
    pub cpu: u32,
}

/// What `BPF_PROG_TEST_RUN` reports besides the buffers.
#[derive(Debug)]
pub(crate) struct TestRunOut {
    pub retval: u32,
    pub duration: u32,
    pub data_size_out: u32,
    pub ctx_size_out: u32,
}

/// `BPF_PROG_TEST_RUN`. Program types whose test run writes the context back into `ctx_in`
/// (`BPF_PROG_TYPE_SYSCALL`) must be given a `ctx_in` buffer they own: see [`test_run_inout`].
pub(crate) fn test_run(prog: BorrowedFd<'_>, args: TestRun<'_>) -> Result<TestRunOut, i32> {
    let mut attr = TestRunAttr {
        prog_fd: prog.as_raw_fd() as u32,
        data_size_in: len32(args.data_in)?,
        data_size_out: len32(args.data_out)?,
        data_in: ptr(args.data_in),
        data_out: mut_ptr(args.data_out),
        repeat: args.repeat,
        ctx_size_in: len32(args.ctx_in)?,
        ctx_size_out: len32(args.ctx_out)?,
        ctx_in: ptr(args.ctx_in),
        ctx_out: mut_ptr(args.ctx_out),
        flags: args.flags,
        cpu: args.cpu,
        ..Default::default()
    };
    // SAFETY: the input buffers are borrowed for the call and only read (their program types
    // never write through ctx_in; the write-back case goes through `test_run_inout`); the output
    // buffers are exclusively borrowed and the kernel writes at most their stated sizes.
    unsafe { bpf(Cmd::ProgTestRun, &mut attr) }?;
    Ok(TestRunOut {
        retval: attr.retval,
        duration: attr.duration,
        data_size_out: attr.data_size_out,
        ctx_size_out: attr.ctx_size_out,
    })
}

/// `BPF_PROG_TEST_RUN` for program types that take only a context and copy it back into
/// `ctx_in` (`syscall`) or ignore it afterwards (`raw_tracepoint`); `ctx` is read and rewritten.
pub(crate) fn test_run_inout(prog: BorrowedFd<'_>, ctx: &mut [u8], flags: u32, cpu: u32) -> Result<u32, i32> {
    let mut attr = TestRunAttr {
        prog_fd: prog.as_raw_fd() as u32,
        ctx_size_in: len32(ctx)?,
        ctx_in: mut_ptr(ctx),
        flags,
        cpu,
        ..Default::default()
    };
    // SAFETY: `ctx` is exclusively borrowed for the call; the kernel reads `ctx_size_in` bytes
    // from it and may write the same number back (bpf_prog_test_run_syscall copies the context
    // to ctx_in); every other pointer is null.
    unsafe { bpf(Cmd::ProgTestRun, &mut attr) }?;
    Ok(attr.retval)
}

/// What [`prog_info`] reads.
pub(crate) struct RawProgInfo {
    pub id: u32,
    pub tag: [u8; 8],
    pub jited_len: u32,
    pub xlated: Vec<u8>,
}

/// `BPF_OBJ_GET_INFO_BY_FD` for a program.
pub(crate) fn prog_info(prog: BorrowedFd<'_>) -> Result<RawProgInfo, i32> {
    let mut info = ProgInfoPrefix::default();
    let mut attr = InfoAttr {
        bpf_fd: prog.as_raw_fd() as u32,
        info_len: size_of::<ProgInfoPrefix>() as u32,
        info: &mut info as *mut ProgInfoPrefix as u64,
    };
    // SAFETY: `info` is a live, exclusively borrowed struct of `info_len` bytes; its two
    // pointer fields are null, so the kernel only reports lengths in this first call.
    unsafe { bpf(Cmd::ObjGetInfoByFd, &mut attr) }?;
    let mut xlated = vec![0u8; info.xlated_prog_len as usize];
    let (id, tag, jited_len) = (info.id, info.tag, info.jited_prog_len);
    info = ProgInfoPrefix {
        xlated_prog_len: len32(&xlated)?,
        xlated_prog_insns: mut_ptr(&mut xlated),
        ..Default::default()
    };
    let mut attr = InfoAttr {
        bpf_fd: prog.as_raw_fd() as u32,
        info_len: size_of::<ProgInfoPrefix>() as u32,
        info: &mut info as *mut ProgInfoPrefix as u64,
    };
    // SAFETY: as above; `xlated_prog_insns` points into `xlated`, exclusively borrowed, and the
    // kernel writes at most `xlated_prog_len` bytes into it.
    unsafe { bpf(Cmd::ObjGetInfoByFd, &mut attr) }?;
    xlated.truncate(info.xlated_prog_len.min(xlated.len() as u32) as usize);
    Ok(RawProgInfo { id, tag, jited_len, xlated })
}

/// A map descriptor together with the buffer sizes its element commands read and write.
///
/// Only [`map_create`] builds one, from the sizes the kernel accepted, which is what makes the
/// length checks in [`map_elem`] sufficient for memory safety.
#[derive(Debug)]
pub(crate) struct RawMap {
    fd: OwnedFd,
    key_size: usize,
    /// Bytes of one value as user space sees it (per-CPU maps: one 8-aligned slot per CPU).
    value_len: usize,
}

impl RawMap {
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    pub(crate) fn key_size(&self) -> usize {
        self.key_size
    }

    pub(crate) fn value_len(&self) -> usize {
        self.value_len
    }
}

/// `BPF_MAP_CREATE`. `value_len` is the size of one value buffer as the element commands
/// transfer it (the caller computes the per-CPU size).
pub(crate) fn map_create(
    map_type: u32,
    key_size: u32,
    value_size: u32,
    value_len: usize,
    max_entries: u32,
    map_flags: u32,
    name: [u8; 16],
) -> Result<RawMap, i32> {
    if value_len < value_size as usize {
        return Err(libc::EINVAL);
    }
    let mut attr = MapCreateAttr { map_type, key_size, value_size, max_entries, map_flags, map_name: name, ..Default::default() };
    // SAFETY: the attribute block contains no pointers.
    let fd = unsafe { bpf(Cmd::MapCreate, &mut attr) }.map(own)?;
    Ok(RawMap { fd, key_size: key_size as usize, value_len })
}

/// `BPF_MAP_LOOKUP_ELEM`, `BPF_MAP_UPDATE_ELEM`, `BPF_MAP_DELETE_ELEM` and
/// `BPF_MAP_GET_NEXT_KEY`.
pub(crate) enum ElemOp<'a> {
    Lookup { key: &'a [u8], value: &'a mut [u8] },
    Update { key: &'a [u8], value: &'a [u8], flags: u64 },
    Delete { key: &'a [u8] },
    /// `key` empty asks for the first key.
    NextKey { key: &'a [u8], next: &'a mut [u8] },
}

/// Runs one element command; `EINVAL` without a system call when a buffer has the wrong size.
pub(crate) fn map_elem(map: &RawMap, op: ElemOp<'_>) -> Result<(), i32> {
    let map_fd = map.fd.as_raw_fd() as u32;
    let (k, v) = (map.key_size, map.value_len);
    let (cmd, ok, mut attr) = match op {
        ElemOp::Lookup { key, value } => (
            Cmd::MapLookupElem,
            key.len() == k && value.len() == v,
            MapElemAttr { map_fd, key: ptr(key), value: mut_ptr(value), ..Default::default() },
        ),
        ElemOp::Update { key, value, flags } => (
            Cmd::MapUpdateElem,
            key.len() == k && value.len() == v,
            MapElemAttr { map_fd, key: ptr(key), value: ptr(value), flags, ..Default::default() },
        ),
        ElemOp::Delete { key } => {
            (Cmd::MapDeleteElem, key.len() == k, MapElemAttr { map_fd, key: ptr(key), ..Default::default() })
        }
        ElemOp::NextKey { key, next } => (
            Cmd::MapGetNextKey,
            (key.is_empty() || key.len() == k) && next.len() == k,
            MapElemAttr { map_fd, key: ptr(key), value: mut_ptr(next), ..Default::default() },
        ),
    };
    if !ok {
        return Err(libc::EINVAL);
    }
    // SAFETY: the buffers are borrowed for the call and their lengths were just checked against
    // the sizes the kernel accepted at map creation: it reads key_size bytes at `key` (or none
    // when null), and reads or writes value_len bytes at `value` (key_size for next_key).
    unsafe { bpf(cmd, &mut attr) }.map(|_| ())
}
