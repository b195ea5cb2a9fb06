//! One test (at least) per helper family, run through real programs. Helpers whose results
//! the kernel can compute are also compared with it in `kernel_diff.rs`.
//!
//! These programs exercise the helpers' run-time behaviour in the checked interpreter, some
//! with arguments no verifier admits (a wild pointer to `probe_read`, the context as a
//! buffer, a ring buffer record left unsubmitted on one path), so they load unverified
//! ([`unverified_runtime`]); what the verifier demands of helper calls is tested in
//! hive-verifier.

mod common;

use std::sync::Arc;

use common::*;
use hive::typed::{HashMap, Queue, RingBuf};
use hive::{Client, Fd, MapCreateAttr, RunOptions, RuntimeConfig, Task, TestRunAttr, TracePipe};
use hive_maps::{MapType, PerfEventBuffer, PerfRecord};
use hive_platform::prog::ProgType;

/// Runs a syscall program on `ctx`; returns (retval, context after).
fn sys(c: &Client, text: &str, ctx: &[u8]) -> (u32, Vec<u8>) {
    let fd = load(c, ProgType::Syscall, text);
    let out = c.prog_test_run(fd, &TestRunAttr::context(ctx)).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (out.retval, out.ctx_out.unwrap_or_default())
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

fn map(c: &Client, t: MapType, k: u32, v: u32, n: u32) -> Fd {
    c.map_create(&MapCreateAttr::new(t, k, v, n)).unwrap()
}

#[test]
fn map_helpers_lookup_update_delete() {
    let rt = unverified_runtime();
    let c = rt.client();
    let h = map(&c, MapType::Hash, 4, 8, 4);
    // key 1 = 10 (update), then lookup and add 5 through the pointer, delete key 2 (absent).
    let text = format!(
        "r6 = r1\n*(u32 *)(r10 - 4) = 1\nr1 = 10\n*(u64 *)(r10 - 16) = r1\n\
         r1 = map[fd:{h}] ll\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\nr4 = 0\ncall bpf_map_update_elem\n*(u64 *)(r6 + 0) = r0\n\
         r1 = map[fd:{h}] ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\n\
         r1 = *(u64 *)(r0 + 0)\nr1 += 5\n*(u64 *)(r0 + 0) = r1\n\
         *(u32 *)(r10 - 4) = 2\nr1 = map[fd:{h}] ll\nr2 = r10\nr2 += -4\ncall bpf_map_delete_elem\n*(u64 *)(r6 + 8) = r0\n\
         r1 = map[fd:{h}] ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\n*(u64 *)(r6 + 16) = r0\n\
         r0 = 1\nexit\nout:\nr0 = 0\nexit",
        h = h.0
    );
    let (ret, ctx) = sys(&c, &text, &[0; 24]);
    assert_eq!(ret, 1);
    assert_eq!(u64_at(&ctx, 0), 0, "update returns 0");
    assert_eq!(u64_at(&ctx, 8) as i64, -2, "deleting an absent key is -ENOENT");
    assert_eq!(u64_at(&ctx, 16), 0, "lookup of an absent key is NULL");
    let view: HashMap<'_, u32, u64> = HashMap::new(&c, h).unwrap();
    assert_eq!(view.get(&1).unwrap(), Some(15), "the program wrote through the value pointer");
}

#[test]
fn queue_helpers_push_pop_peek() {
    let rt = unverified_runtime();
    let c = rt.client();
    let q = c.map_create(&MapCreateAttr::new(MapType::Queue, 0, 8, 4)).unwrap();
    let text = format!(
        "r6 = r1\nr1 = 7\n*(u64 *)(r10 - 8) = r1\nr1 = map[fd:{q}] ll\nr2 = r10\nr2 += -8\nr3 = 0\ncall bpf_map_push_elem\n\
         r1 = 8\n*(u64 *)(r10 - 8) = r1\nr1 = map[fd:{q}] ll\nr2 = r10\nr2 += -8\nr3 = 0\ncall bpf_map_push_elem\n\
         r1 = map[fd:{q}] ll\nr2 = r10\nr2 += -16\ncall bpf_map_peek_elem\nr1 = *(u64 *)(r10 - 16)\n*(u64 *)(r6 + 0) = r1\n\
         r1 = map[fd:{q}] ll\nr2 = r10\nr2 += -16\ncall bpf_map_pop_elem\nr1 = *(u64 *)(r10 - 16)\n*(u64 *)(r6 + 8) = r1\nexit",
        q = q.0
    );
    let (_, ctx) = sys(&c, &text, &[0; 16]);
    assert_eq!((u64_at(&ctx, 0), u64_at(&ctx, 8)), (7, 7));
    assert_eq!(Queue::<u64>::new(&c, q).unwrap().pop().unwrap(), Some(8));
}

#[test]
fn percpu_and_executor_id() {
    let rt = unverified_runtime();
    let c = rt.client();
    let a = map(&c, MapType::PercpuArray, 4, 8, 1);
    let text = format!(
        "r6 = r1\ncall bpf_get_smp_processor_id\nr7 = r0\n*(u32 *)(r10 - 4) = 0\nr1 = map[fd:{a}] ll\nr2 = r10\nr2 += -4\n\
         call bpf_map_lookup_elem\nif r0 == 0 goto out\nr7 += 100\n*(u64 *)(r0 + 0) = r7\n\
         out:\nr0 = 0\nexit",
        a = a.0
    );
    let fd = load(&c, ProgType::RawTracepoint, &text);
    for cpu in [0usize, 1] {
        c.prog_run(fd, &mut [], &RunOptions { cpu, ..RunOptions::default() }).unwrap();
    }
    let v = hive::typed::PerCpuArray::<u64>::new(&c, a).unwrap().get(0).unwrap();
    assert_eq!(v, [100, 101]);
    assert!(c.prog_run(fd, &mut [], &RunOptions { cpu: 2, ..RunOptions::default() }).is_err());
}

#[test]
fn time_random_and_task_helpers() {
    let rt = unverified_runtime();
    let c = rt.client();
    let text = "r6 = r1\ncall bpf_ktime_get_ns\n*(u64 *)(r6 + 0) = r0\ncall bpf_ktime_get_ns\n*(u64 *)(r6 + 8) = r0\n\
                call bpf_ktime_get_boot_ns\n*(u64 *)(r6 + 16) = r0\nr0 = 1\n*(u64 *)(r6 + 24) = r0\n\
                call bpf_jiffies64\n*(u64 *)(r6 + 32) = r0\ncall bpf_get_prandom_u32\n*(u64 *)(r6 + 40) = r0\n\
                call bpf_get_current_pid_tgid\n*(u64 *)(r6 + 48) = r0\ncall bpf_get_current_uid_gid\n*(u64 *)(r6 + 56) = r0\n\
                r1 = r6\nr1 += 64\nr2 = 16\ncall bpf_get_current_comm\nr0 = 0\nexit";
    let fd = load(&c, ProgType::Syscall, text);
    let task = Task { pid: 11, tgid: 10, uid: 1000, gid: 100, comm: b"hive-test".to_vec() };
    let attr = TestRunAttr { task: Some(task), ..TestRunAttr::context(&[0xaa; 80]) };
    let ctx = c.prog_test_run(fd, &attr).unwrap().ctx_out.unwrap();
    assert!(u64_at(&ctx, 8) >= u64_at(&ctx, 0) && u64_at(&ctx, 0) > 0, "monotonic");
    assert!(u64_at(&ctx, 16) >= u64_at(&ctx, 0), "boot time is never behind monotonic");
    assert!(u64_at(&ctx, 24) > 0 && u64_at(&ctx, 32) > 0);
    assert!(u64_at(&ctx, 40) <= u32::MAX as u64);
    assert_eq!(u64_at(&ctx, 48), 10 << 32 | 11);
    assert_eq!(u64_at(&ctx, 56), 100 << 32 | 1000);
    assert_eq!(&ctx[64..80], b"hive-test\0\0\0\0\0\0\0", "strscpy_pad");
    // The same seed gives the same random numbers.
    let first = |seed| {
        let rt = hive::Runtime::new(RuntimeConfig { prandom_seed: seed, executors: 1, ..RuntimeConfig::default() });
        let c = rt.client();
        sys(&c, "call bpf_get_prandom_u32\nexit", &[]).0
    };
    assert_eq!(first(1), first(1));
    assert_ne!(first(1), first(2));
    // The coarse clock (not offered to tracing or syscall programs).
    let fd = load(&c, ProgType::Xdp, "call bpf_ktime_get_coarse_ns\nexit");
    assert!(c.prog_test_run(fd, &TestRunAttr::packet(&packet(64))).unwrap().report.r0 > 0);
}

#[test]
fn trace_printk_reaches_the_sink() {
    let pipe = Arc::new(TracePipe::default());
    let rt = hive::Runtime::new(RuntimeConfig { trace: pipe.clone(), executors: 1, ..RuntimeConfig::default() });
    let c = rt.client();
    // "x=%d s=%s\n" on the stack, then the string "hi".
    let text = "r1 = 0x253d732064253d78 ll\n*(u64 *)(r10 - 24) = r1\nr1 = 0x0a73\n*(u64 *)(r10 - 16) = r1\n\
                r1 = 0x6968\n*(u64 *)(r10 - 32) = r1\n\
                r1 = r10\nr1 += -24\nr2 = 12\nr3 = -5\nr4 = r10\nr4 += -32\ncall bpf_trace_printk\nexit";
    let fd = load(&c, ProgType::Syscall, text);
    let task = Task { pid: 4242, tgid: 4242, uid: 0, gid: 0, comm: b"hive".to_vec() };
    let out = c.prog_test_run(fd, &TestRunAttr { task: Some(task), ..TestRunAttr::default() }).unwrap();
    let lines = pipe.take();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("            hive-4242    [000] ..... "), "{}", lines[0]);
    assert!(lines[0].ends_with(": bpf_trace_printk: x=-5 s=hi"), "{}", lines[0]);
    assert_eq!(out.retval, "x=-5 s=hi\n".len() as u32);
}

static HOST_BYTES: [u8; 12] = *b"host memory\0";

#[test]
fn probe_reads_never_crash() {
    let rt = unverified_runtime();
    let c = rt.client();
    let addr = HOST_BYTES.as_ptr() as u64;
    // ctx: [addr u64][dst 16 bytes][ret u64] x 4 variants
    let text = "r6 = r1\nr7 = *(u64 *)(r6 + 0)\n\
                r1 = r6\nr1 += 8\nr2 = 11\nr3 = r7\ncall bpf_probe_read_kernel\n*(u64 *)(r6 + 24) = r0\n\
                r1 = r6\nr1 += 32\nr2 = 16\nr3 = r7\ncall bpf_probe_read_user_str\n*(u64 *)(r6 + 48) = r0\n\
                r1 = r6\nr1 += 56\nr2 = 8\nr3 = 16\ncall bpf_probe_read_kernel\n*(u64 *)(r6 + 64) = r0\n\
                r1 = r6\nr1 += 72\nr2 = 8\nr3 = 16\ncall bpf_probe_read_kernel_str\n*(u64 *)(r6 + 80) = r0\n\
                r1 = r6\nr1 += 88\nr2 = 4\nr3 = r7\ncall bpf_probe_read_kernel_str\n*(u64 *)(r6 + 96) = r0\nr0 = 0\nexit";
    let mut ctx = vec![0xeeu8; 104];
    ctx[..8].copy_from_slice(&addr.to_le_bytes());
    let (_, out) = sys(&c, text, &ctx);
    assert_eq!(&out[8..19], b"host memory");
    assert_eq!(u64_at(&out, 24), 0);
    assert_eq!(&out[32..44], b"host memory\0");
    assert_eq!(u64_at(&out, 48), 12, "length with the NUL");
    assert_eq!(&out[56..64], &[0; 8], "a failed read zero-fills");
    assert_eq!(u64_at(&out, 64) as i64, -14, "-EFAULT");
    assert_eq!(&out[72..80], &[0; 8]);
    assert_eq!(u64_at(&out, 80) as i64, -14);
    assert_eq!(&out[88..92], b"hos\0", "cut at size - 1");
    assert_eq!(u64_at(&out, 96), 4);
}

#[test]
fn ringbuf_reserve_submit_discard_output_query() {
    let rt = unverified_runtime();
    let c = rt.client();
    let rb = c.map_create(&MapCreateAttr::new(MapType::RingBuf, 0, 0, 4096)).unwrap();
    let text = format!(
        "r6 = r1\nr1 = map[fd:{rb}] ll\nr2 = 16\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto out\n\
         r1 = 0x1111\n*(u64 *)(r0 + 0) = r1\nr1 = 0x2222\n*(u64 *)(r0 + 8) = r1\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_submit\n\
         r1 = map[fd:{rb}] ll\nr2 = 8\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto out\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_discard\n\
         r1 = 0x3333\n*(u64 *)(r10 - 8) = r1\nr1 = map[fd:{rb}] ll\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall bpf_ringbuf_output\n\
         *(u64 *)(r6 + 0) = r0\nr1 = map[fd:{rb}] ll\nr2 = 0\ncall bpf_ringbuf_query\n*(u64 *)(r6 + 8) = r0\n\
         r1 = map[fd:{rb}] ll\nr2 = 5000\nr3 = 0\ncall bpf_ringbuf_reserve\n*(u64 *)(r6 + 16) = r0\n\
         out:\nr0 = 0\nexit",
        rb = rb.0
    );
    let (_, ctx) = sys(&c, &text, &[0; 24]);
    assert_eq!(u64_at(&ctx, 0), 0);
    assert_eq!(u64_at(&ctx, 8), 24 + 16 + 16, "three records with 8-byte headers, unconsumed");
    assert_eq!(u64_at(&ctx, 16), 0, "too large for the ring");
    let samples = RingBuf::new(&c, rb).unwrap().drain().unwrap();
    let mut first = 0x1111u64.to_ne_bytes().to_vec();
    first.extend_from_slice(&0x2222u64.to_ne_bytes());
    assert_eq!(samples, vec![first, 0x3333u64.to_ne_bytes().to_vec()], "the discarded record is skipped");
}

#[test]
fn perf_event_output_to_a_buffer() {
    let rt = unverified_runtime();
    let c = rt.client();
    let pa = c.map_create(&MapCreateAttr::new(MapType::PerfEventArray, 4, 4, 2)).unwrap();
    let buf = Arc::new(PerfEventBuffer::new(1024));
    c.perf_buffer_attach(pa, 0, buf.clone()).unwrap();
    let text = format!(
        "r1 = 0x4242\n*(u64 *)(r10 - 8) = r1\nr2 = map[fd:{pa}] ll\nr3 = 0xffffffff ll\nr4 = r10\nr4 += -8\nr5 = 8\n\
         call bpf_perf_event_output\nexit",
        pa = pa.0
    );
    let fd = load(&c, ProgType::RawTracepoint, &text);
    let r = c.prog_run(fd, &mut [], &RunOptions::default()).unwrap();
    assert_eq!(r.r0, 0);
    assert_eq!(buf.drain(), vec![PerfRecord::Sample(0x4242u64.to_ne_bytes().to_vec())]);
    // Slot 1 is empty.
    let fd = load(&c, ProgType::RawTracepoint, &text.replace("0xffffffff ll", "1 ll"));
    assert_eq!(c.prog_run(fd, &mut [], &RunOptions::default()).unwrap().r0 as i64, -2);
}

#[test]
fn bpf_loop_and_for_each_map_elem() {
    let rt = unverified_runtime();
    let c = rt.client();
    // sum of i for i in 0..10 into a stack slot through the callback; returns iterations.
    let text = "r6 = r1\n*(u64 *)(r10 - 8) = 0\nr1 = 10\nr2 = cb ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_loop\n\
                *(u64 *)(r6 + 0) = r0\nr1 = *(u64 *)(r10 - 8)\n*(u64 *)(r6 + 8) = r1\n\
                r1 = 9000000\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\n*(u64 *)(r6 + 16) = r0\nr0 = 0\nexit\n\
                cb:\nr3 = *(u64 *)(r2 + 0)\nr3 += r1\n*(u64 *)(r2 + 0) = r3\nr0 = 0\nif r1 != 6 goto +1\nr0 = 1\nexit";
    let text = text.replace("cb ll", "func[cb]");
    let (_, ctx) = sys(&c, &text, &[0; 24]);
    assert_eq!(u64_at(&ctx, 0), 7, "stops after the call that returned 1");
    assert_eq!(u64_at(&ctx, 8), 21, "0 + 1 + ... + 6");
    assert_eq!(u64_at(&ctx, 16) as i64, -7, "-E2BIG beyond BPF_MAX_LOOPS");

    let h = map(&c, MapType::Hash, 4, 8, 8);
    for k in 1..=4u32 {
        c.map_update_elem(h, &k.to_ne_bytes(), &(k as u64 * 10).to_ne_bytes(), 0).unwrap();
    }
    // callback(map, key, value, ctx): *ctx += *value; *value += 1.
    let text = format!(
        "r6 = r1\n*(u64 *)(r10 - 8) = 0\nr1 = map[fd:{h}] ll\nr2 = func[cb]\nr3 = r10\nr3 += -8\nr4 = 0\n\
         call bpf_for_each_map_elem\n*(u64 *)(r6 + 0) = r0\nr1 = *(u64 *)(r10 - 8)\n*(u64 *)(r6 + 8) = r1\nr0 = 0\nexit\n\
         cb:\nr1 = *(u64 *)(r3 + 0)\nr5 = *(u64 *)(r4 + 0)\nr5 += r1\n*(u64 *)(r4 + 0) = r5\nr1 += 1\n*(u64 *)(r3 + 0) = r1\nr0 = 0\nexit",
        h = h.0
    );
    let (_, ctx) = sys(&c, &text, &[0; 16]);
    assert_eq!(u64_at(&ctx, 0), 4);
    assert_eq!(u64_at(&ctx, 8), 100);
    let view: HashMap<'_, u32, u64> = HashMap::new(&c, h).unwrap();
    assert_eq!(view.get(&2).unwrap(), Some(21), "the callback wrote the value in place");
}

#[test]
fn spin_lock_serialises_and_refuses_nesting() {
    let rt = unverified_runtime();
    let c = rt.client();
    // struct { struct bpf_spin_lock l; u32 pad; u64 counter; }, described by BTF.
    let mut b = hive_btf::BtfBuilder::new();
    let u32t = b.int("unsigned int", 4, false);
    let u64t = b.int("unsigned long long", 8, false);
    let lock = b.add(hive_btf::TypeDef::Composite {
        union: false,
        name: "bpf_spin_lock".into(),
        size: 4,
        kflag: false,
        members: vec![hive_btf::MemberDef { name: "val".into(), ty: u32t, bit_offset: 0, bitfield_size: 0 }],
    });
    let val = b.add(hive_btf::TypeDef::Composite {
        union: false,
        name: "val".into(),
        size: 16,
        kflag: false,
        members: vec![
            hive_btf::MemberDef { name: "l".into(), ty: lock, bit_offset: 0, bitfield_size: 0 },
            hive_btf::MemberDef { name: "counter".into(), ty: u64t, bit_offset: 64, bitfield_size: 0 },
        ],
    });
    let btf = c.btf_load(&b.to_bytes()).unwrap();
    let attr = MapCreateAttr {
        btf_fd: Some(btf),
        btf_key_type_id: u32t.0,
        btf_value_type_id: val.0,
        ..MapCreateAttr::new(MapType::Array, 4, 16, 1)
    };
    let a = c.map_create(&attr).unwrap();
    let text = format!(
        "*(u32 *)(r10 - 4) = 0\nr1 = map[fd:{a}] ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\n\
         r6 = r0\nr1 = r6\ncall bpf_spin_lock\nr1 = *(u64 *)(r6 + 8)\nr1 += 1\n*(u64 *)(r6 + 8) = r1\nr1 = r6\ncall bpf_spin_unlock\n\
         out:\nr0 = 0\nexit",
        a = a.0
    );
    let fd = load(&c, ProgType::RawTracepoint, &text);
    std::thread::scope(|s| {
        for cpu in 0..2 {
            let c = &c;
            s.spawn(move || {
                for _ in 0..500 {
                    c.prog_run(fd, &mut [], &RunOptions { cpu, ..RunOptions::default() }).unwrap();
                }
            });
        }
    });
    let v = c.map_lookup(a, &0u32.to_ne_bytes()).unwrap();
    assert_eq!(u64::from_ne_bytes(v[8..16].try_into().unwrap()), 1000);
    // A BPF_F_LOCK lookup takes the same lock.
    let mut v = vec![0u8; 16];
    c.map_lookup_elem(a, &0u32.to_ne_bytes(), &mut v, hive_maps::elem::LOCK).unwrap();
    // Two locks at once is refused (the verifier's rule), and the held lock is released.
    let nested = text.replace("r1 = r6\ncall bpf_spin_unlock", "r1 = r6\ncall bpf_spin_lock");
    let fd = load(&c, ProgType::RawTracepoint, &nested);
    let err = c.prog_run(fd, &mut [], &RunOptions::default()).unwrap_err();
    assert!(err.to_string().contains("Locking two bpf_spin_locks"), "{err}");
    c.map_lookup_elem(a, &0u32.to_ne_bytes(), &mut v, hive_maps::elem::LOCK).unwrap();
}

#[test]
fn atomics_on_map_values_are_atomic_across_executors() {
    let rt = unverified_runtime();
    let c = rt.client();
    let a = map(&c, MapType::Array, 4, 8, 1);
    let text = format!("r1 = map_value[fd:{}]+0 ll\nr2 = 1\nlock *(u64 *)(r1 + 0) += r2\nr0 = 0\nexit", a.0);
    let fd = load(&c, ProgType::RawTracepoint, &text);
    std::thread::scope(|s| {
        for cpu in 0..2 {
            let c = &c;
            s.spawn(move || {
                for _ in 0..2000 {
                    c.prog_run(fd, &mut [], &RunOptions { cpu, ..RunOptions::default() }).unwrap();
                }
            });
        }
    });
    assert_eq!(c.map_lookup(a, &0u32.to_ne_bytes()).unwrap(), 4000u64.to_ne_bytes());
}

#[test]
fn tail_call_limit_is_33() {
    let rt = unverified_runtime();
    let c = rt.client();
    let pa = map(&c, MapType::ProgArray, 4, 4, 1);
    let counter = map(&c, MapType::Array, 4, 8, 1);
    // Count, then tail-call slot 0 (itself); when the call fails, return the count.
    let text = format!(
        "r6 = r1\nr7 = map_value[fd:{counter}]+0 ll\nr2 = 1\nlock *(u64 *)(r7 + 0) += r2\n\
         r1 = r6\nr2 = map[fd:{pa}] ll\nr3 = 0\ncall bpf_tail_call\nr0 = *(u64 *)(r7 + 0)\nexit",
        counter = counter.0,
        pa = pa.0
    );
    let fd = load(&c, ProgType::Xdp, &text);
    c.map_update_elem(pa, &0u32.to_ne_bytes(), &fd.0.to_ne_bytes(), 0).unwrap();
    let out = c.prog_test_run(fd, &TestRunAttr::packet(&packet(64))).unwrap();
    assert_eq!(out.report.tail_calls, 33);
    assert_eq!(out.retval, 34, "the first run plus 33 tail calls");
    // A socket filter cannot join an XDP prog array.
    let sf = load(&c, ProgType::SocketFilter, "r0 = 0\nexit");
    assert!(c.map_update_elem(pa, &0u32.to_ne_bytes(), &sf.0.to_ne_bytes(), 0).is_err());
}

#[test]
fn iter_num_kfuncs() {
    let rt = unverified_runtime();
    let c = rt.client();
    let id = |n: &str| rt.kfuncs().by_name(n).unwrap().0.0;
    // bpf_for(i, 3, 7) sum += i
    let text = format!(
        "r6 = r1\nr8 = 0\nr1 = r10\nr1 += -8\nr2 = 3\nr3 = 7\ncall kfunc[id:{new}]\n*(u64 *)(r6 + 8) = r0\n\
         loop:\nr1 = r10\nr1 += -8\ncall kfunc[id:{next}]\nif r0 == 0 goto done\nr1 = *(u32 *)(r0 + 0)\nr8 += r1\ngoto loop\n\
         done:\nr1 = r10\nr1 += -8\ncall kfunc[id:{destroy}]\n*(u64 *)(r6 + 0) = r8\n\
         r1 = r10\nr1 += -8\nr2 = 5\nr3 = 1\ncall kfunc[id:{new}]\n*(u64 *)(r6 + 16) = r0\nr0 = 0\nexit",
        new = id("bpf_iter_num_new"),
        next = id("bpf_iter_num_next"),
        destroy = id("bpf_iter_num_destroy")
    );
    let (_, ctx) = sys(&c, &text, &[0; 24]);
    assert_eq!(u64_at(&ctx, 0), 3 + 4 + 5 + 6);
    assert_eq!(u64_at(&ctx, 8), 0);
    assert_eq!(u64_at(&ctx, 16) as i64, -22, "start > end is -EINVAL");
}

#[test]
fn func_ip_and_raw_contexts() {
    let rt = unverified_runtime();
    let c = rt.client();
    // kprobe: pt_regs->di (offset 112) + bpf_get_func_ip
    let fd = load(&c, ProgType::Kprobe, "r6 = *(u64 *)(r1 + 112)\ncall bpf_get_func_ip\nr0 += r6\nexit");
    let mut regs = [0u8; 168];
    regs[112..120].copy_from_slice(&5u64.to_le_bytes());
    let r = c.prog_run(fd, &mut regs, &RunOptions { func_ip: 0x1000, ..RunOptions::default() }).unwrap();
    assert_eq!(r.r0, 0x1005);
    // Kprobes have no BPF_PROG_TEST_RUN in the kernel, nor here.
    assert_eq!(c.prog_test_run(fd, &TestRunAttr::context(&regs)).unwrap_err().errno(), hive::ENOTSUPP);
}

#[test]
fn redirect_is_reported() {
    let rt = unverified_runtime();
    let c = rt.client();
    let fd = load(&c, ProgType::SchedCls, "r1 = 3\nr2 = 1\ncall bpf_redirect\nexit");
    let out = c.prog_test_run(fd, &TestRunAttr::packet(&packet(64))).unwrap();
    assert_eq!(out.retval, 7);
    assert_eq!(out.report.redirect, Some(hive::Redirect { ifindex: 3, flags: 1 }));
}
