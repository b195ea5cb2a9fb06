//! Shared by the integration tests: assembling, loading into Hive and into the host kernel.
#![allow(dead_code)]

use hive::{Client, Fd, ProgLoadAttr, Runtime, RuntimeConfig, TestRunAttr, TestRunOutput};
use hive_isa::RawInsn;
use hive_platform::prog::ProgType;

/// Kernel-syntax assembly.
pub fn asm(text: &str) -> Vec<RawInsn> {
    hive_asm::assemble(text, hive_asm::Syntax::Kernel).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// A runtime with two executors and a fixed random seed.
pub fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig { executors: 2, prandom_seed: 7, ..RuntimeConfig::default() })
}

/// Like [`runtime`], loading every program unverified (the checked interpreter runs it), for
/// tests of run-time behaviour on programs a verifier would refuse.
pub fn unverified_runtime() -> Runtime {
    let rt = runtime();
    rt.set_verifier(std::sync::Arc::new(hive::load::verify::NoVerifier));
    rt
}

/// Loads `text` as a `t` program (GPL) into Hive.
pub fn load(client: &Client, t: ProgType, text: &str) -> Fd {
    client.prog_load(&ProgLoadAttr::new(t, asm(text)).log_level(1)).unwrap_or_else(|e| panic!("{e}\n{}", e.log()))
}

/// The host kernel, if this process may use it (prints why not otherwise).
pub fn kernel() -> bool {
    match hive_kernel::available() {
        Ok(()) => true,
        Err(why) => {
            eprintln!("skipping the kernel comparison: {why}");
            false
        }
    }
}

/// The kernel's program type for Hive's.
pub fn ktype(t: ProgType) -> hive_kernel::ProgType {
    match t {
        ProgType::Xdp => hive_kernel::ProgType::Xdp,
        ProgType::SocketFilter => hive_kernel::ProgType::SocketFilter,
        ProgType::SchedCls => hive_kernel::ProgType::SchedCls,
        ProgType::RawTracepoint => hive_kernel::ProgType::RawTracepoint,
        ProgType::Syscall => hive_kernel::ProgType::Syscall,
        other => panic!("hive-kernel cannot load {other}"),
    }
}

/// Runs `text` in both engines on the same input; returns (hive, kernel).
pub fn both(t: ProgType, text: &str, data: &[u8], ctx: Option<&[u8]>) -> (TestRunOutput, hive_kernel::TestRunResult) {
    let rt = runtime();
    let client = rt.client();
    let fd = load(&client, t, text);
    let mut attr = TestRunAttr::packet(data);
    if let Some(c) = ctx {
        attr = attr.with_ctx(c);
    }
    if !matches!(t, ProgType::Xdp | ProgType::SocketFilter | ProgType::SchedCls) {
        attr = TestRunAttr { ctx_in: ctx.map(<[u8]>::to_vec), ..TestRunAttr::default() };
    }
    let h = client.prog_test_run(fd, &attr).unwrap_or_else(|e| panic!("hive: {e}\n{text}"));
    let k = hive_kernel::prog_load(ktype(t), &asm(text), "GPL", 0).unwrap_or_else(|e| panic!("kernel load: {e}\n{text}"));
    let kr = k.test_run(data, ctx, 1).unwrap_or_else(|e| panic!("kernel run: {e}\n{text}"));
    (h, kr)
}

/// An Ethernet + IPv4 + UDP packet of `len` bytes with varied contents.
pub fn packet(len: usize) -> Vec<u8> {
    let mut p: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
    if len >= 14 {
        p[..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
        p[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 2]);
        p[12..14].copy_from_slice(&[0x08, 0x00]);
    }
    if len >= 34 {
        p[14] = 0x45;
        p[23] = 17;
    }
    p
}
