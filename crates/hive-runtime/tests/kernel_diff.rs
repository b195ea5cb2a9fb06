//! Hive's `BPF_PROG_TEST_RUN` against the host kernel's, on hand-written programs: the same
//! retval, data_out and ctx_out for XDP, socket filters and tc, helper results compared where
//! the kernel can compute them (csum_diff, strncmp, snprintf, the XDP adjust helpers, tail
//! calls), and the program tag. Skips with a note where `bpf()` is not permitted.
#![allow(unsafe_code)] // one raw BPF_MAP_FREEZE call, see `freeze`.

mod common;

use std::os::fd::AsRawFd;

use common::*;
use hive::{MapCreateAttr, ProgLoadAttr, TestRunAttr};
use hive_maps::{MapType, flags};
use hive_platform::prog::ProgType;

/// Runs each case on both and compares retval, data_out and ctx_out.
fn agree(t: ProgType, cases: &[(&str, &str)], data: &[u8], ctx: Option<&[u8]>) -> usize {
    let mut n = 0;
    for (name, text) in cases {
        eprintln!("{t} {name} ({} bytes, ctx {})", data.len(), ctx.is_some());
        let (h, k) = both(t, text, data, ctx);
        assert_eq!(h.retval, k.retval, "{t} {name}: retval (hive {:#x}, kernel {:#x})\n{text}", h.retval, k.retval);
        assert_eq!(h.data_out, k.data_out, "{t} {name}: data_out\n{text}");
        if ctx.is_some() && t != ProgType::Syscall {
            assert_eq!(h.ctx_out.as_deref().unwrap_or(&[]), &k.ctx_out[..], "{t} {name}: ctx_out\n{text}");
        }
        if t == ProgType::Syscall {
            assert_eq!(h.ctx_out.as_deref().unwrap_or(&[]), &k.ctx_out[..], "{t} {name}: ctx\n{text}");
        }
        n += 1;
    }
    n
}

const XDP: &[(&str, &str)] = &[
    ("len", "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = r3\nr0 -= r2\nexit"),
    ("ifindex_queue", "r0 = *(u32 *)(r1 + 12)\nr2 = *(u32 *)(r1 + 16)\nr0 <<= 8\nr0 |= r2\nexit"),
    ("meta_empty", "r2 = *(u32 *)(r1 + 8)\nr3 = *(u32 *)(r1 + 0)\nr0 = r3\nr0 -= r2\nexit"),
    (
        "swap_macs",
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto drop\n\
         r5 = *(u32 *)(r2 + 0)\nr6 = *(u16 *)(r2 + 4)\nr7 = *(u32 *)(r2 + 6)\nr8 = *(u16 *)(r2 + 10)\n\
         *(u32 *)(r2 + 0) = r7\n*(u16 *)(r2 + 4) = r8\n*(u32 *)(r2 + 6) = r5\n*(u16 *)(r2 + 10) = r6\n\
         r0 = 3\nexit\ndrop:\nr0 = 1\nexit",
    ),
    (
        "bounds_fail",
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 4000\nif r4 > r3 goto drop\nr0 = 2\nexit\ndrop:\nr0 = 1\nexit",
    ),
    (
        "adjust_head_push",
        "r6 = r1\nr2 = -16\ncall bpf_xdp_adjust_head\nif r0 != 0 goto fail\n\
         r2 = *(u32 *)(r6 + 0)\nr3 = *(u32 *)(r6 + 4)\nr4 = r2\nr4 += 16\nif r4 > r3 goto fail\n\
         r5 = 0x11223344\n*(u32 *)(r2 + 0) = r5\n*(u32 *)(r2 + 12) = r5\nr0 = 2\nexit\nfail:\nr0 = 0\nexit",
    ),
    ("adjust_head_pop", "r2 = 20\ncall bpf_xdp_adjust_head\nexit"),
    ("adjust_head_max", "r2 = -216\ncall bpf_xdp_adjust_head\nexit"),
    ("adjust_head_too_far", "r2 = -217\ncall bpf_xdp_adjust_head\nexit"),
    ("adjust_head_past_end", "r2 = 51\ncall bpf_xdp_adjust_head\nexit"),
    ("adjust_tail_shrink", "r2 = -10\ncall bpf_xdp_adjust_tail\nexit"),
    ("adjust_tail_grow", "r2 = 100\ncall bpf_xdp_adjust_tail\nexit"),
    ("adjust_tail_too_big", "r2 = 4000\ncall bpf_xdp_adjust_tail\nexit"),
    ("adjust_tail_too_small", "r2 = -60\ncall bpf_xdp_adjust_tail\nexit"),
    (
        "adjust_meta",
        "r6 = r1\nr2 = -8\ncall bpf_xdp_adjust_meta\nif r0 != 0 goto out\n\
         r2 = *(u32 *)(r6 + 8)\nr3 = *(u32 *)(r6 + 0)\nr4 = r2\nr4 += 8\nif r4 > r3 goto out\n\
         r5 = 0x0a0b0c0d\n*(u32 *)(r2 + 0) = r5\n*(u32 *)(r2 + 4) = r5\nr0 = 2\nexit\nout:\nexit",
    ),
    ("adjust_meta_unaligned", "r2 = -6\ncall bpf_xdp_adjust_meta\nexit"),
    ("adjust_meta_big", "r2 = -36\ncall bpf_xdp_adjust_meta\nexit"),
    ("adjust_meta_max", "r2 = -252\ncall bpf_xdp_adjust_meta\nexit"),
    ("adjust_meta_too_big", "r2 = -256\ncall bpf_xdp_adjust_meta\nexit"),
    ("adjust_meta_positive", "r2 = 4\ncall bpf_xdp_adjust_meta\nexit"),
    ("redirect", "r1 = 5\nr2 = 0\ncall bpf_redirect\nexit"),
    ("redirect_bad_flags", "r1 = 5\nr2 = 1\ncall bpf_redirect\nexit"),
    (
        "csum_diff",
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 48\nif r4 > r3 goto out\n\
         r1 = r2\nr3 = r2\nr3 += 20\nr2 = 20\nr4 = 24\nr5 = 0x1234\ncall bpf_csum_diff\nexit\nout:\nr0 = 0\nexit",
    ),
    (
        "csum_diff_push",
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 48\nif r4 > r3 goto out\n\
         r3 = r2\nr1 = 0\nr2 = 0\nr4 = 44\nr5 = -1\ncall bpf_csum_diff\nexit\nout:\nr0 = 0\nexit",
    ),
    (
        "csum_diff_pull_odd_words",
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 48\nif r4 > r3 goto out\n\
         r1 = r2\nr2 = 12\nr3 = 0\nr4 = 0\nr5 = 0x7fff0000\ncall bpf_csum_diff\nexit\nout:\nr0 = 0\nexit",
    ),
    (
        "csum_diff_odd_sizes",
        "r1 = r10\nr1 += -8\nr2 = 0x0102030405060708 ll\n*(u64 *)(r1 + 0) = r2\nr3 = r1\nr3 += 1\nr2 = 6\nr4 = 5\nr5 = 9\ncall bpf_csum_diff\nexit",
    ),
    ("csum_diff_seed_only", "r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0xabcdef12\ncall bpf_csum_diff\nexit"),
    ("ret64", "r0 = -1\nexit"),
];

#[test]
fn xdp_agrees_with_the_kernel() {
    if !kernel() {
        return;
    }
    let mut n = 0;
    for len in [14usize, 64, 100] {
        n += agree(ProgType::Xdp, XDP, &packet(len), None);
    }
    // With an xdp_md: metadata supplied by the caller.
    let data = packet(72);
    let mut md = [0u8; 24];
    md[0..4].copy_from_slice(&8u32.to_le_bytes());
    md[4..8].copy_from_slice(&72u32.to_le_bytes());
    n += agree(ProgType::Xdp, XDP, &data, Some(&md));
    eprintln!("xdp: {n} runs agree with the kernel");
}

const SKB_COMMON: &[(&str, &str)] = &[
    ("len", "r0 = *(u32 *)(r1 + 0)\nexit"),
    (
        "proto_pkt_type_ifindex",
        "r0 = *(u32 *)(r1 + 16)\nr2 = *(u32 *)(r1 + 4)\nr2 <<= 16\nr0 |= r2\nr3 = *(u32 *)(r1 + 40)\nr3 <<= 24\nr0 |= r3\nexit",
    ),
    ("narrow_len", "r0 = *(u8 *)(r1 + 0)\nr2 = *(u16 *)(r1 + 16)\nr2 <<= 8\nr0 |= r2\nexit"),
    ("mark_priority", "r0 = *(u32 *)(r1 + 8)\nr2 = *(u32 *)(r1 + 32)\nr2 <<= 16\nr0 += r2\nexit"),
    (
        "cb_rw",
        "r2 = *(u32 *)(r1 + 52)\nr2 += 1\n*(u32 *)(r1 + 48) = r2\nr3 = 0x77\n*(u32 *)(r1 + 64) = r3\nr0 = *(u32 *)(r1 + 48)\nexit",
    ),
    ("gso_segs", "r0 = *(u32 *)(r1 + 164)\nexit"),
    ("ingress_ifindex", "r0 = *(u32 *)(r1 + 36)\nexit"),
    (
        "ld_abs",
        "r6 = r1\nr0 = *(u8 *)skb[9]\nr7 = r0\nr0 = *(u16 *)skb[2]\nr7 <<= 16\nr0 |= r7\nexit",
    ),
    ("ld_abs_oob", "r6 = r1\nr0 = *(u32 *)skb[5000]\nr0 = 9\nexit"),
    (
        "load_bytes",
        "r6 = r1\nr2 = 3\nr3 = r10\nr3 += -8\nr4 = 8\ncall bpf_skb_load_bytes\nif r0 != 0 goto out\nr0 = *(u32 *)(r10 - 4)\nout:\nexit",
    ),
    ("load_bytes_oob", "r2 = 30\nr3 = r10\nr3 += -8\nr4 = 8\ncall bpf_skb_load_bytes\nexit"),
];

const TC_ONLY: &[(&str, &str)] = &[
    (
        "direct_access",
        "r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)\nr4 = r2\nr4 += 20\nif r4 > r3 goto out\n\
         r5 = 0xee\n*(u8 *)(r2 + 19) = r5\nr0 = r3\nr0 -= r2\nexit\nout:\nr0 = 2\nexit",
    ),
    ("wire_len_gso", "r0 = *(u32 *)(r1 + 160)\nr2 = *(u32 *)(r1 + 164)\nr2 <<= 20\nr0 |= r2\nexit"),
    ("data_meta", "r2 = *(u32 *)(r1 + 140)\nr3 = *(u32 *)(r1 + 76)\nr0 = r3\nr0 -= r2\nexit"),
    ("mark_write", "r2 = 0x55\n*(u32 *)(r1 + 8) = r2\nr2 = 9\n*(u32 *)(r1 + 32) = r2\nr0 = *(u32 *)(r1 + 8)\nexit"),
    (
        "store_bytes",
        "r2 = 0x01020304\n*(u32 *)(r10 - 4) = r2\nr2 = 2\nr3 = r10\nr3 += -4\nr4 = 4\nr5 = 0\ncall bpf_skb_store_bytes\nexit",
    ),
    ("store_bytes_oob", "r2 = 30\nr3 = r10\nr3 += -4\n*(u32 *)(r10 - 4) = r2\nr4 = 4\nr5 = 0\ncall bpf_skb_store_bytes\nexit"),
    ("redirect", "r1 = 3\nr2 = 1\ncall bpf_redirect\nexit"),
    ("redirect_bad_flags", "r1 = 3\nr2 = 2\ncall bpf_redirect\nexit"),
    ("tc_index_classid", "r2 = 7\n*(u32 *)(r1 + 44) = r2\n*(u32 *)(r1 + 72) = r2\nr0 = *(u32 *)(r1 + 44)\nexit"),
];

fn skb_ctx() -> [u8; 192] {
    let mut c = [0u8; 192];
    c[8..12].copy_from_slice(&5u32.to_le_bytes()); // mark
    c[32..36].copy_from_slice(&6u32.to_le_bytes()); // priority
    c[52..56].copy_from_slice(&9u32.to_le_bytes()); // cb[1]
    c[164..168].copy_from_slice(&3u32.to_le_bytes()); // gso_segs
    c
}

#[test]
fn socket_filter_and_tc_agree_with_the_kernel() {
    if !kernel() {
        return;
    }
    let mut n = 0;
    for len in [34usize, 60, 200] {
        let data = packet(len);
        n += agree(ProgType::SocketFilter, SKB_COMMON, &data, None);
        n += agree(ProgType::SchedCls, SKB_COMMON, &data, None);
        n += agree(ProgType::SchedCls, TC_ONLY, &data, None);
        n += agree(ProgType::SocketFilter, SKB_COMMON, &data, Some(&skb_ctx()));
        n += agree(ProgType::SchedCls, SKB_COMMON, &data, Some(&skb_ctx()));
        n += agree(ProgType::SchedCls, TC_ONLY, &data, Some(&skb_ctx()));
    }
    // Broadcast, multicast and 802.2 frames.
    for head in [[0xffu8; 6], [0x01, 0, 0x5e, 0, 0, 1], [0, 0, 0, 0, 0, 0]] {
        let mut data = packet(64);
        data[..6].copy_from_slice(&head);
        data[12..14].copy_from_slice(&[0x00, 0x40]);
        n += agree(ProgType::SocketFilter, &SKB_COMMON[..2], &data, None);
    }
    eprintln!("skb: {n} runs agree with the kernel");
}

#[test]
fn tail_calls_agree_with_the_kernel() {
    if !kernel() {
        return;
    }
    // Hive: prog array slot 0 holds a program returning 42 + the packet length.
    let rt = runtime();
    let c = rt.client();
    let pa = c.map_create(&MapCreateAttr::new(MapType::ProgArray, 4, 4, 2)).unwrap();
    let target = "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = r3\nr0 -= r2\nr0 += 42\nexit";
    let caller = |fd: u32, idx: u32| format!("r2 = map[fd:{fd}] ll\nr3 = {idx}\ncall bpf_tail_call\nr0 = 1\nexit");
    let t = load(&c, ProgType::Xdp, target);
    c.map_update_elem(pa, &0u32.to_ne_bytes(), &t.0.to_ne_bytes(), 0).unwrap();
    let kspec = hive_kernel::MapSpec { map_type: hive_kernel::MapType(3), key_size: 4, value_size: 4, max_entries: 2, map_flags: 0, name: String::new() };
    let kpa = hive_kernel::MapFd::create(&kspec).unwrap();
    let kt = hive_kernel::prog_load(hive_kernel::ProgType::Xdp, &asm(target), "GPL", 0).unwrap();
    kpa.update(&0u32.to_ne_bytes(), &(kt.as_raw_fd() as u32).to_ne_bytes(), 0).unwrap();
    for idx in [0u32, 1, 7] {
        let h = load(&c, ProgType::Xdp, &caller(pa.0, idx));
        let hr = c.prog_test_run(h, &TestRunAttr::packet(&packet(64))).unwrap();
        let k = hive_kernel::prog_load(hive_kernel::ProgType::Xdp, &asm(&caller(kpa.as_raw_fd() as u32, idx)), "GPL", 0)
            .unwrap();
        let kr = k.test_run(&packet(64), None, 1).unwrap();
        assert_eq!(hr.retval, kr.retval, "slot {idx}");
        assert_eq!(hr.data_out, kr.data_out);
    }
}

/// `BPF_MAP_FREEZE` on a kernel map (hive-kernel has no command for it): the kernel wants
/// read-only, frozen maps for constant strings.
fn freeze(fd: i32) {
    let mut attr = [0u64; 16];
    attr[0] = fd as u32 as u64;
    // SAFETY: `attr` is a zeroed `union bpf_attr` with `map_fd` set, of the size passed.
    let rc = unsafe { libc::syscall(libc::SYS_bpf, 22, attr.as_mut_ptr(), std::mem::size_of_val(&attr)) };
    assert_eq!(rc, 0, "BPF_MAP_FREEZE");
}

/// A read-only, frozen kernel array holding `s`, and the same array in Hive.
fn const_string(c: &hive::Client, s: &[u8]) -> (hive_kernel::MapFd, hive::Fd) {
    let mut v = vec![0u8; 128];
    v[..s.len()].copy_from_slice(s);
    let spec = hive_kernel::MapSpec {
        map_type: hive_kernel::MapType::ARRAY,
        key_size: 4,
        value_size: 128,
        max_entries: 1,
        map_flags: flags::RDONLY_PROG,
        name: String::new(),
    };
    let k = hive_kernel::MapFd::create(&spec).unwrap();
    k.update(&0u32.to_ne_bytes(), &v, 0).unwrap();
    freeze(k.as_raw_fd());
    let h = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 128, 1).flags(flags::RDONLY_PROG)).unwrap();
    c.map_update_elem(h, &0u32.to_ne_bytes(), &v, 0).unwrap();
    (k, h)
}

/// Runs a syscall program (with `{MAP}` standing for the constant string's map) on `ctx`.
/// The kernel's verifier checks a constant format string at load time ("Invalid format
/// string"); Hive, without a verifier, refuses it when the helper runs (`-EINVAL`). Such a
/// case comes back as the kernel's retval `-EINVAL` and an unchanged context.
fn syscall_both(fmt_or_str: &[u8], text: &str, ctx: &[u8]) -> (hive::TestRunOutput, hive_kernel::TestRunResult) {
    // Unverified: bpf_snprintf's data array holds a spilled stack pointer (for `%s`), which the
    // privileged kernel admits but Hive's verifier refuses (a helper never reads a spilled
    // pointer there); what is compared here is the helpers' output.
    let rt = unverified_runtime();
    let c = rt.client();
    let (kmap, hmap) = const_string(&c, fmt_or_str);
    let htext = text.replace("{MAP}", &hmap.0.to_string());
    let ktext = text.replace("{MAP}", &kmap.as_raw_fd().to_string());
    let h = load(&c, ProgType::Syscall, &htext);
    let hr = c.prog_test_run(h, &TestRunAttr::context(ctx)).unwrap();
    let kr = match hive_kernel::prog_load(hive_kernel::ProgType::Syscall, &asm(&ktext), "GPL", 1) {
        Ok(k) => k.test_run(&[], Some(ctx), 1).unwrap(),
        Err(e) if e.log.contains("Invalid format string") => hive_kernel::TestRunResult {
            retval: -libc::EINVAL as u32,
            ctx_out: hr.ctx_out.clone().unwrap_or_default(),
            ..Default::default()
        },
        Err(e) => panic!("{e}\n{}", e.log),
    };
    (hr, kr)
}

#[test]
fn strncmp_agrees_with_the_kernel() {
    if !kernel() {
        return;
    }
    // s1 = the 16-byte context copied to the stack; s2 = the constant string.
    let prog = "r2 = *(u64 *)(r1 + 0)\n*(u64 *)(r10 - 16) = r2\nr2 = *(u64 *)(r1 + 8)\n*(u64 *)(r10 - 8) = r2\n\
                r1 = r10\nr1 += -16\nr2 = *(u32 *)(r1 + 0)\nr2 = 16\nr3 = map_value[fd:{MAP}]+0 ll\ncall bpf_strncmp\nexit";
    let mut n = 0;
    for (s2, s1) in [
        (&b"hello"[..], &b"hello\0\0\0\0\0\0\0\0\0\0\0"[..]),
        (b"hello", b"hellp\0\0\0\0\0\0\0\0\0\0\0"),
        (b"hello", b"hell\0\0\0\0\0\0\0\0\0\0\0\0"),
        (b"", b"a\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
        (b"abcdefghijklmnopq", b"abcdefghijklmnop"),
        (b"\x80x", b"\x7fx\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
    ] {
        let (h, k) = syscall_both(s2, prog, s1);
        assert_eq!(h.retval, k.retval, "strncmp({s1:?}, {s2:?})");
        n += 1;
    }
    eprintln!("strncmp: {n} cases agree");
}

#[test]
fn snprintf_agrees_with_the_kernel() {
    if !kernel() {
        return;
    }
    // data (6 u64s) at r10-112, a string "net" at r10-120, output 64 bytes at r10-64;
    // the output is copied into the 64-byte context.
    let mut prog = String::from(
        "r6 = r1\nr2 = 0x74656e\n*(u64 *)(r10 - 120) = r2\n\
         r2 = -42\n*(u64 *)(r10 - 112) = r2\nr2 = 4000000000 ll\n*(u64 *)(r10 - 104) = r2\n\
         r2 = 255\n*(u64 *)(r10 - 96) = r2\nr2 = r10\nr2 += -120\n*(u64 *)(r10 - 88) = r2\n\
         r2 = 65\n*(u64 *)(r10 - 80) = r2\nr2 = 0xfffffffde78ee600 ll\n*(u64 *)(r10 - 72) = r2\n",
    );
    for i in 0..8 {
        prog += &format!("*(u64 *)(r10 - {}) = 0\n", 64 - 8 * i);
    }
    prog += "r1 = r10\nr1 += -64\nr2 = 64\nr3 = map_value[fd:{MAP}]+0 ll\nr4 = r10\nr4 += -112\nr5 = 48\n\
             call bpf_snprintf\nr7 = r0\n";
    for i in 0..8 {
        prog += &format!("r2 = *(u64 *)(r10 - {})\n*(u64 *)(r6 + {}) = r2\n", 64 - 8 * i, 8 * i);
    }
    prog += "r0 = r7\nexit";
    let mut n = 0;
    for fmt in [
        &b"%d|%u|%x|%s|%c|%lld"[..],
        b"[%5d] [%-12u] [%08x] [%6s] [%3c] [%+lld]",
        b"%i %lu %llx %s",
        b"100%% %d",
        b"%d %d %d %d %d %d %d",
        b"%f",
        b"%.3d",
        b"long output %d %u %x %s %c %lld and then some more text to overflow the sixty-four byte buffer",
    ] {
        let (h, k) = syscall_both(fmt, &prog, &[0u8; 64]);
        assert_eq!(h.retval, k.retval, "snprintf({:?})", String::from_utf8_lossy(fmt));
        assert_eq!(h.ctx_out.unwrap(), k.ctx_out, "snprintf({:?})", String::from_utf8_lossy(fmt));
        n += 1;
    }
    eprintln!("snprintf: {n} formats agree");
}

#[test]
fn raw_tracepoint_and_syscall_contexts_agree() {
    if !kernel() {
        return;
    }
    let args: Vec<u8> = (1..=4u64).flat_map(|v| (v * 1000).to_le_bytes()).collect();
    let tp = [("sum", "r0 = *(u64 *)(r1 + 0)\nr2 = *(u64 *)(r1 + 24)\nr0 += r2\nexit")];
    agree(ProgType::RawTracepoint, &tp, &[], Some(&args));
    let sys = [("rw", "r2 = *(u32 *)(r1 + 4)\nr2 *= 3\n*(u32 *)(r1 + 8) = r2\nr0 = *(u8 *)(r1 + 1)\nexit")];
    let ctx: Vec<u8> = (0..16).collect();
    agree(ProgType::Syscall, &sys, &[], Some(&ctx));
}

#[test]
fn tags_match_the_kernel() {
    if !kernel() {
        return;
    }
    let rt = runtime();
    let c = rt.client();
    let hmap = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 1)).unwrap();
    let kmap = hive_kernel::MapFd::create(&hive_kernel::MapSpec {
        map_type: hive_kernel::MapType::ARRAY,
        key_size: 4,
        value_size: 8,
        max_entries: 1,
        map_flags: 0,
        name: String::new(),
    })
    .unwrap();
    let progs = [
        "r0 = 0\nexit".to_string(),
        "r0 = 0x1122334455667788 ll\nr0 += 1\nexit".into(),
        "r1 = map[fd:{M}] ll\nr2 = r10\nr2 += -4\n*(u32 *)(r10 - 4) = 0\ncall bpf_map_lookup_elem\nr0 = 0\nexit".into(),
        "r1 = map_value[fd:{M}]+4 ll\nr0 = *(u32 *)(r1 + 0)\nexit".into(),
    ];
    for p in &progs {
        let h = load(&c, ProgType::Xdp, &p.replace("{M}", &hmap.0.to_string()));
        let k = hive_kernel::prog_load(hive_kernel::ProgType::Xdp, &asm(&p.replace("{M}", &kmap.as_raw_fd().to_string())), "GPL", 0)
            .unwrap();
        assert_eq!(c.prog_info(h).unwrap().tag, k.info().unwrap().tag, "{p}");
    }
    // The tag ignores map descriptors: the same program with another map has the same tag.
    let other = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 1)).unwrap();
    let a = load(&c, ProgType::Xdp, &progs[2].replace("{M}", &hmap.0.to_string()));
    let b = load(&c, ProgType::Xdp, &progs[2].replace("{M}", &other.0.to_string()));
    assert_eq!(c.prog_info(a).unwrap().tag, c.prog_info(b).unwrap().tag);
}

#[test]
fn load_refusals_match_the_kernel_wording() {
    if !kernel() {
        return;
    }
    let rt = runtime();
    let c = rt.client();
    let cases: &[(ProgType, &str, &str)] = &[
        (ProgType::Xdp, "GPL", "call 9999\nr0 = 0\nexit"),
        (ProgType::SocketFilter, "GPL", "call bpf_xdp_adjust_head\nr0 = 0\nexit"),
        (ProgType::Xdp, "Proprietary", "r1 = r10\nr2 = 8\ncall bpf_trace_printk\nr0 = 0\nexit"),
    ];
    for (t, license, text) in cases {
        let err = c.prog_load(&ProgLoadAttr::new(*t, asm(text)).license(license)).unwrap_err();
        let k = hive_kernel::prog_load(ktype(*t), &asm(text), license, 1).unwrap_err();
        assert_eq!(err.errno(), k.errno, "{text}");
        let Error::Load { message, .. } = &err else { panic!("{err}") };
        let msg = message.split_once(": ").map_or(message.as_str(), |(_, m)| m);
        assert!(k.log.contains(msg), "kernel log lacks {msg:?}:\n{}", k.log);
    }
}

use hive::Error;
