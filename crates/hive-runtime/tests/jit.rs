//! The JIT in the runtime: verified programs run as x86-64 code, everything else in the
//! interpreter, and both engines give the same results. Each program is loaded into two
//! runtimes with the same seed and executors, one with the JIT (the default) and one
//! without (`RuntimeConfig::jit = false`), run on the same inputs, and compared: retval,
//! `data_out`, `ctx_out`, map contents and trace lines.

mod common;
mod object_support;

use std::sync::Arc;

use hive::load::verify::{Engine, NoVerifier};
use hive::object::ObjectLoadOptions;
use hive::{Client, Fd, MapCreateAttr, ProgLoadAttr, Runtime, RuntimeConfig, TestRunAttr, TestRunOutput, TracePipe};
use hive_maps::MapType;
use hive_platform::prog::ProgType;

/// A runtime (with its trace pipe), JIT on or off.
fn runtime(jit: bool) -> (Runtime, Arc<TracePipe>) {
    let trace = Arc::new(TracePipe::default());
    let rt = Runtime::new(RuntimeConfig {
        executors: 2,
        prandom_seed: 7,
        trace: trace.clone(),
        jit,
        ..RuntimeConfig::default()
    });
    (rt, trace)
}

/// One side of a comparison.
struct Side {
    rt: Runtime,
    trace: Arc<TracePipe>,
}

impl Side {
    fn new(jit: bool) -> Side {
        let (rt, trace) = runtime(jit);
        Side { rt, trace }
    }

    fn client(&self) -> Client {
        self.rt.client()
    }
}

/// Runs `test` on a runtime with the JIT (`jit` true) and on one without, asserts that both
/// give the same result, and returns it.
fn on_both_engines<T: PartialEq + std::fmt::Debug>(test: impl Fn(&Side, bool) -> T) -> T {
    let compiled = test(&Side::new(true), true);
    let interpreted = test(&Side::new(false), false);
    assert_eq!(compiled, interpreted, "the JIT and the interpreter disagree");
    compiled
}

/// The trace lines without their `comm-pid [cpu] flags timestamp: ` prefix.
fn messages(trace: &TracePipe) -> Vec<String> {
    trace.take().iter().map(|l| l.split_once("bpf_trace_printk: ").map_or(l.clone(), |(_, m)| m.to_string())).collect()
}

fn engine(c: &Client, fd: Fd) -> Engine {
    c.prog_object(fd).unwrap().engine().clone()
}

/// The program's machine code, disassembled with its BPF instructions (`; pc: insn` lines).
fn jited_text(c: &Client, fd: Fd) -> String {
    let info = c.prog_info(fd).unwrap();
    let code = hive_isa::Code::decode(&info.xlated_prog_insns).unwrap();
    hive_jit::disassemble_annotated(&info.jited_prog_insns, &code, &info.jited_insn_offsets, &mut |_, _| {})
}

/// The machine code of BPF slot `pc` (up to the next slot's line).
fn slot_code(text: &str, pc: usize) -> &str {
    let at = text.find(&format!(";{pc:>6}: ")).unwrap_or_else(|| panic!("slot {pc} in\n{text}"));
    let rest = &text[at..];
    let end = rest[1..].find("\n;").map_or(rest.len(), |e| e + 2);
    &rest[..end]
}

fn sorted_entries(c: &Client, fd: Fd) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    let mut key: Option<Vec<u8>> = None;
    let mut next = [0u8; 4];
    while c.map_get_next_key(fd, key.as_deref(), &mut next).is_ok() {
        let v = c.map_lookup(fd, &next).unwrap();
        out.push((next.to_vec(), v));
        key = Some(next.to_vec());
    }
    out.sort();
    out
}

/// What a run shows, engine-independent.
fn observable(out: &TestRunOutput) -> (u32, u64, Vec<u8>, Option<Vec<u8>>) {
    (out.retval, out.report.r0, out.data_out.clone(), out.ctx_out.clone())
}

/// An Ethernet + IPv4 + L4 packet of `len` bytes.
fn ipv4(proto: u8, dport: u16, len: usize) -> Vec<u8> {
    let mut p = vec![0u8; len];
    p[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
    p[14] = 0x45;
    p[16..18].copy_from_slice(&((len - 14) as u16).to_be_bytes());
    p[23] = proto;
    p[36..38].copy_from_slice(&dport.to_be_bytes());
    p
}

fn packets() -> Vec<Vec<u8>> {
    let mut arp = vec![0u8; 42];
    arp[12..14].copy_from_slice(&0x0806u16.to_be_bytes());
    vec![ipv4(6, 80, 74), ipv4(17, 53, 60), ipv4(6, 23, 54), ipv4(1, 0, 98), arp, vec![0xff; 14], ipv4(6, 443, 1500)]
}

/// Per-protocol packet and byte counters in an array (lookup, atomic adds), a hash of
/// destination ports (lookup, update), `XDP_DROP` for TCP port 23, and the packet's TTL
/// rewritten: packet parsing with bounds checks, map helpers, packet writes.
fn parser(counts: Fd, ports: Fd) -> String {
    format!(
        "r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 4)\n\
         r2 = r6\nr2 += 34\nif r2 > r7 goto pass\n\
         r3 = *(u16 *)(r6 + 12)\nif r3 != 0x8 goto pass\n\
         r8 = *(u8 *)(r6 + 23)\n\
         r4 = *(u8 *)(r6 + 22)\nr4 += -1\n*(u8 *)(r6 + 22) = r4\n\
         *(u32 *)(r10 - 4) = r8\n\
         r1 = map[fd:{counts}] ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\n\
         if r0 == 0 goto ports\n\
         r1 = 1\nlock *(u64 *)(r0 + 0) += r1\n\
         r1 = r7\nr1 -= r6\nlock *(u64 *)(r0 + 8) += r1\n\
         ports:\n\
         if r8 != 6 goto pass\n\
         r2 = r6\nr2 += 38\nif r2 > r7 goto pass\n\
         r9 = *(u16 *)(r6 + 36)\nr9 = be16 r9\n\
         *(u32 *)(r10 - 8) = r9\n\
         r1 = map[fd:{ports}] ll\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\n\
         if r0 == 0 goto new\n\
         r1 = *(u64 *)(r0 + 0)\nr1 += 1\n*(u64 *)(r0 + 0) = r1\ngoto verdict\n\
         new:\n\
         *(u64 *)(r10 - 16) = 1\n\
         r1 = map[fd:{ports}] ll\nr2 = r10\nr2 += -8\nr3 = r10\nr3 += -16\nr4 = 0\ncall bpf_map_update_elem\n\
         verdict:\n\
         if r9 != 23 goto pass\nr0 = 1\nexit\n\
         pass:\nr0 = 2\nexit",
        counts = counts.0,
        ports = ports.0
    )
}

#[test]
fn packet_parsing_and_maps_agree_between_jit_and_interpreter() {
    let result = on_both_engines(|side, jit| {
        let c = side.client();
        let counts = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 16, 256)).unwrap();
        let ports = c.map_create(&MapCreateAttr::new(MapType::Hash, 4, 8, 16)).unwrap();
        let fd = common::load(&c, ProgType::Xdp, &parser(counts, ports));
        match engine(&c, fd) {
            Engine::Jit { code_bytes } => {
                assert!(jit);
                assert!(code_bytes > 0);
                let info = c.prog_info(fd).unwrap();
                assert_eq!(info.jited_prog_len as usize, code_bytes);
                assert_eq!(info.jited_prog_insns.len(), code_bytes);
                let log = c.prog_object(fd).unwrap().load_log().to_string();
                assert!(log.contains(&format!("jit: {code_bytes} bytes of x86-64 code; engine: jit")), "{log}");
            }
            Engine::Interpreter { reason } => {
                assert!(!jit);
                assert_eq!(reason, "disabled in the runtime configuration");
                assert_eq!(c.prog_info(fd).unwrap().jited_prog_len, 0);
            }
        }
        let mut outs = Vec::new();
        for _ in 0..3 {
            for p in packets() {
                outs.push(observable(&c.prog_test_run(fd, &TestRunAttr::packet(&p)).unwrap()));
            }
        }
        // The TTL byte was decremented in place; TCP 23 dropped.
        assert_eq!(outs[0].2[22], 0xff);
        assert_eq!(outs[2].0, 1);
        (outs, sorted_entries(&c, counts), sorted_entries(&c, ports))
    });
    let ports = &result.2;
    assert_eq!(ports.len(), 3, "{ports:?}");
}

/// `RuntimeConfig::jit_blind_constants`: the program's immediates are absent from its
/// machine code (`jited_prog_insns`), present without blinding, and the result is the same.
#[test]
fn blinded_constants_stay_out_of_the_machine_code() {
    let marker = 0x4a6b_1190u32;
    let src = format!("r0 = {marker:#x}\nr0 ^= 0x4a6b2290\nr0 += 7\nexit");
    let has_marker = |code: &[u8]| code.windows(4).any(|w| w == marker.to_le_bytes());
    for blind in [false, true] {
        let rt = Runtime::new(RuntimeConfig { executors: 1, jit_blind_constants: blind, ..RuntimeConfig::default() });
        let c = rt.client();
        let fd = common::load(&c, ProgType::Xdp, &src);
        assert!(matches!(engine(&c, fd), Engine::Jit { .. }));
        assert_eq!(has_marker(&c.prog_info(fd).unwrap().jited_prog_insns), !blind);
        let out = c.prog_test_run(fd, &TestRunAttr::packet(&[0u8; 64])).unwrap();
        assert_eq!(out.retval, (0x4a6b_1190 ^ 0x4a6b_2290) + 7);
    }
}

/// Lookups in a plain array compile in line (no call in their code), and a value pointer
/// obtained that way still works as a helper argument (here the value stored into a hash),
/// exactly as when the helper handed it out in the interpreter.
#[test]
fn inlined_array_lookups_feed_helpers() {
    let result = on_both_engines(|side, jit| {
        let c = side.client();
        let array = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 16, 8)).unwrap();
        let hash = c.map_create(&MapCreateAttr::new(MapType::Hash, 4, 16, 8)).unwrap();
        c.map_update_elem(array, &3u32.to_ne_bytes(), &[0x5a; 16], 0).unwrap();
        let src = format!(
            "*(u32 *)(r10 - 4) = 3\n\
             r1 = map[fd:{array}] ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\n\
             if r0 == 0 goto out\n\
             r6 = r0\nr1 = *(u64 *)(r6 + 8)\nr1 += 1\n*(u64 *)(r6 + 8) = r1\n\
             r1 = map[fd:{hash}] ll\nr2 = r10\nr2 += -4\nr3 = r6\nr4 = 0\ncall bpf_map_update_elem\n\
             out:\nr0 = 2\nexit",
            array = array.0,
            hash = hash.0
        );
        let fd = common::load(&c, ProgType::Xdp, &src);
        if jit {
            let text = jited_text(&c, fd);
            let lookup = slot_code(&text, 5);
            assert!(lookup.contains("call bpf_map_lookup_elem") && !lookup.contains("call    "), "{lookup}");
            let update = slot_code(&text, 17);
            assert!(update.contains("call    qword ptr"), "through the trampoline: {update}");
        }
        for _ in 0..2 {
            assert_eq!(c.prog_test_run(fd, &TestRunAttr::packet(&[0u8; 64])).unwrap().retval, 2);
        }
        (sorted_entries(&c, array), sorted_entries(&c, hash))
    });
    let mut expected = [0x5a; 16].to_vec();
    expected[8..16].copy_from_slice(&(0x5a5a_5a5a_5a5a_5a5au64 + 2).to_le_bytes());
    assert_eq!(result.1, vec![(3u32.to_ne_bytes().to_vec(), expected)]);
}

/// The verifier's facts reach the compiler: a divisor it knows is at least 3 on entry to the
/// dividing block (a range, which the compiler's own known bits could not say) is divided
/// by without a test for 0, and the results are the interpreter's.
#[test]
fn verifier_facts_spare_division_checks() {
    let src = "r0 = 0\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\n\
               r4 = r2\nr4 += 1\nif r4 > r3 goto out\n\
               r5 = *(u8 *)(r2 + 0)\nif r5 < 3 goto out\ngoto div\n\
               out:\nexit\n\
               div:\nr0 = 1000\nr0 /= r5\nexit";
    let results = on_both_engines(|side, jit| {
        let c = side.client();
        let fd = common::load(&c, ProgType::Xdp, src);
        if jit {
            let div = jited_text(&c, fd);
            let div = slot_code(&div, 11);
            assert!(div.contains("r0 /= r5") && div.contains("div ") && !div.contains("test"), "{div}");
        }
        [0u8, 2, 3, 7, 200].map(|first| c.prog_test_run(fd, &TestRunAttr::packet(&[first; 16])).unwrap().retval)
    });
    assert_eq!(results, [0, 0, 333, 142, 5]);
}

/// Time, random numbers (same seed), the executor id, and `bpf_trace_printk` from JIT code.
#[test]
fn helpers_agree_between_jit_and_interpreter() {
    // r6 = ktime; r7 = ktime; r0 = (r7 >= r6) | prandom << 1 ... stored in ctx; printk.
    let text = "r9 = r1\n\
                call bpf_ktime_get_ns\nr6 = r0\ncall bpf_ktime_get_ns\nr7 = r0\n\
                r0 = 0\nif r6 == 0 goto +3\nif r7 < r6 goto +2\nr0 = 1\n\
                *(u64 *)(r9 + 0) = r0\n\
                call bpf_get_prandom_u32\n*(u64 *)(r9 + 8) = r0\n\
                call bpf_get_prandom_u32\n*(u64 *)(r9 + 16) = r0\n\
                call bpf_get_smp_processor_id\n*(u64 *)(r9 + 24) = r0\n\
                r1 = 0x253d732064253d78 ll\n*(u64 *)(r10 - 24) = r1\nr1 = 0x0a73\n*(u64 *)(r10 - 16) = r1\n\
                r1 = 0x6968\n*(u64 *)(r10 - 32) = r1\n\
                r1 = r10\nr1 += -24\nr2 = 12\nr3 = -5\nr4 = r10\nr4 += -32\ncall bpf_trace_printk\nexit";
    let result = on_both_engines(|side, jit| {
        let c = side.client();
        let fd = common::load(&c, ProgType::Syscall, text);
        assert_eq!(engine(&c, fd).is_jit(), jit, "{:?}", engine(&c, fd));
        if jit {
            // Pointer-free helpers are called directly, the others through the trampoline.
            let text = jited_text(&c, fd);
            let ktime = slot_code(&text, 1);
            assert!(ktime.contains("call    r11"), "{ktime}");
            let printk = slot_code(&text, 29);
            assert!(printk.contains("call bpf_trace_printk") && printk.contains("call    qword ptr"), "{printk}");
        }
        let out = c.prog_test_run(fd, &TestRunAttr::context(&[0; 32])).unwrap();
        let ctx = out.ctx_out.clone().unwrap();
        assert_eq!(ctx[0], 1, "two ktime readings, non-zero and monotonic");
        (observable(&out), messages(&side.trace))
    });
    assert_eq!(result.1, ["x=-5 s=hi"]);
}

/// A helper's error return reaches JIT code as it reaches the interpreter.
#[test]
fn helper_errors_agree_between_jit_and_interpreter() {
    // bpf_trace_printk with a format that is not NUL-terminated within its size.
    let text =
        "r1 = 0x4141414141414141 ll\n*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -8\nr2 = 8\ncall bpf_trace_printk\nexit";
    let result = on_both_engines(|side, jit| {
        let c = side.client();
        let fd = common::load(&c, ProgType::Syscall, text);
        assert_eq!(engine(&c, fd).is_jit(), jit);
        let out =
            c.prog_test_run(fd, &TestRunAttr::context(&[0; 8])).map(|o| observable(&o)).map_err(|e| e.to_string());
        (out, messages(&side.trace))
    });
    assert_eq!(result.0.as_ref().map(|o| o.1 as i64), Ok(-(libc::EINVAL as i64)));
}

/// `bpf_loop`'s callback runs in compiled code, called back from the helper, with the same
/// results as in the interpreter.
#[test]
fn callback_programs_run_in_the_jit() {
    let text = "r6 = r1\n*(u64 *)(r10 - 8) = 0\nr1 = 10\nr2 = func[cb]\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_loop\n\
                *(u64 *)(r6 + 0) = r0\nr1 = *(u64 *)(r10 - 8)\n*(u64 *)(r6 + 8) = r1\nr0 = 0\nexit\n\
                cb:\nr3 = *(u64 *)(r2 + 0)\nr3 += r1\n*(u64 *)(r2 + 0) = r3\nr0 = 0\nif r1 != 6 goto +1\nr0 = 1\nexit";
    on_both_engines(|side, jit| {
        let c = side.client();
        let fd = common::load(&c, ProgType::Syscall, text);
        assert_eq!(engine(&c, fd).is_jit(), jit);
        assert_eq!(c.prog_info(fd).unwrap().jited_prog_len > 0, jit);
        let out = c.prog_test_run(fd, &TestRunAttr::context(&[0; 16])).unwrap();
        let ctx = out.ctx_out.clone().unwrap();
        assert_eq!(u64::from_le_bytes(ctx[0..8].try_into().unwrap()), 7);
        assert_eq!(u64::from_le_bytes(ctx[8..16].try_into().unwrap()), 21);
        observable(&out)
    });
}

/// `bpf_tail_call` from JIT code: the run ends there and goes on in the target, as from the
/// interpreter; the first tail call (to an empty slot) falls through.
#[test]
fn tail_calls_go_from_jit_code_to_their_targets() {
    on_both_engines(|side, jit| {
        let c = side.client();
        let target = common::load(
            &c,
            ProgType::Xdp,
            "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = r3\nr0 -= r2\nr0 += 42\nexit",
        );
        assert_eq!(engine(&c, target).is_jit(), jit);
        let pa = c.map_create(&MapCreateAttr::new(MapType::ProgArray, 4, 4, 4)).unwrap();
        c.map_update_elem(pa, &1u32.to_ne_bytes(), &target.0.to_ne_bytes(), 0).unwrap();
        let text = format!(
            "r6 = r1\nr2 = map[fd:{pa}] ll\nr3 = 3\ncall bpf_tail_call\n\
             r1 = r6\nr2 = map[fd:{pa}] ll\nr3 = 1\ncall bpf_tail_call\nr0 = 7\nexit",
            pa = pa.0
        );
        let fd = common::load(&c, ProgType::Xdp, &text);
        assert_eq!(engine(&c, fd).is_jit(), jit);
        let out = c.prog_test_run(fd, &TestRunAttr::packet(&[0; 64])).unwrap();
        assert_eq!((out.retval, out.report.tail_calls), (64 + 42, 1));
        observable(&out)
    });
}

/// Programs loaded without the verifier never get the JIT, even when it is on.
#[test]
fn unverified_programs_stay_in_the_interpreter() {
    let (rt, _) = runtime(true);
    rt.set_verifier(Arc::new(NoVerifier));
    let c = rt.client();
    let fd = c.prog_load(&ProgLoadAttr::new(ProgType::Xdp, common::asm("r0 = 2\nexit")).log_level(1)).unwrap();
    assert_eq!(engine(&c, fd), Engine::Interpreter { reason: "unverified".into() });
    assert!(c.prog_object(fd).unwrap().load_log().contains("jit: not used (unverified); engine: interpreter"));
    assert_eq!(c.prog_info(fd).unwrap().jited_prog_len, 0);
    assert_eq!(c.prog_test_run(fd, &TestRunAttr::packet(&[0; 14])).unwrap().retval, 2);
}

/// The bundled clang-built example (packet parsing, a hash map, `bpf_printk`, a
/// subprogram) runs in the JIT with the interpreter's results on every sample packet.
#[test]
fn the_example_object_agrees_between_jit_and_interpreter() {
    let spec = object_support::parse(&object_support::examples().join("xdp_stats.bpf.o"));
    let opts = ObjectLoadOptions { object_name: "xdp_stats".into(), ..Default::default() };
    let result = on_both_engines(|side, jit| {
        let c = side.client();
        let obj = c.load_object(&spec, &opts).unwrap_or_else(|e| panic!("{e}\n{}", e.log()));
        let prog = obj.prog("xdp_stats").unwrap();
        assert_eq!(engine(&c, prog).is_jit(), jit, "{:?}", engine(&c, prog));
        let mut outs = Vec::new();
        for _ in 0..2 {
            for (name, packet) in object_support::example_packets() {
                outs.push((name, observable(&c.prog_test_run(prog, &TestRunAttr::packet(&packet)).unwrap())));
            }
        }
        let mut entries = obj.map_entries("stats").unwrap();
        entries.sort();
        (outs, entries, messages(&side.trace))
    });
    assert_eq!(result.2.len(), 2, "{:?}", result.2);
}

/// `bpf_for` (the `bpf_iter_num_*` kfuncs, compiled in line) and `bpf_for_each_map_elem`
/// (a callback run from the helper) give the interpreter's results.
#[test]
fn iterators_and_map_callbacks_agree_between_jit_and_interpreter() {
    on_both_engines(|side, jit| {
        let c = side.client();
        let id = |n: &str| side.rt.kfuncs().by_name(n).unwrap().0.0;
        let arr = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 8)).unwrap();
        for k in 0..8u32 {
            c.map_update_elem(arr, &k.to_ne_bytes(), &u64::from(k * k + 1).to_ne_bytes(), 0).unwrap();
        }
        // sum of i for i in 3..40, then the sum of the array's values through a callback
        // that stops after the sixth element.
        let text = format!(
            "r6 = r1\nr8 = 0\nr1 = r10\nr1 += -8\nr2 = 3\nr3 = 40\ncall kfunc[id:{new}]\n\
             loop:\nr1 = r10\nr1 += -8\ncall kfunc[id:{next}]\nif r0 == 0 goto done\nr1 = *(u32 *)(r0 + 0)\nr8 += r1\ngoto loop\n\
             done:\nr1 = r10\nr1 += -8\ncall kfunc[id:{destroy}]\n*(u64 *)(r6 + 0) = r8\n\
             *(u64 *)(r10 - 16) = 0\nr1 = map[fd:{arr}] ll\nr2 = func[cb]\nr3 = r10\nr3 += -16\nr4 = 0\n\
             call bpf_for_each_map_elem\n*(u64 *)(r6 + 8) = r0\nr1 = *(u64 *)(r10 - 16)\n*(u64 *)(r6 + 16) = r1\nr0 = 0\nexit\n\
             cb:\nr0 = *(u64 *)(r3 + 0)\nr1 = *(u64 *)(r4 + 0)\nr1 += r0\n*(u64 *)(r4 + 0) = r1\nr0 = 0\n\
             r1 = *(u32 *)(r2 + 0)\nif r1 != 5 goto +1\nr0 = 1\nexit",
            new = id("bpf_iter_num_new"),
            next = id("bpf_iter_num_next"),
            destroy = id("bpf_iter_num_destroy"),
            arr = arr.0
        );
        let fd = common::load(&c, ProgType::Syscall, &text);
        assert_eq!(engine(&c, fd).is_jit(), jit, "{:?}", engine(&c, fd));
        let out = c.prog_test_run(fd, &TestRunAttr::context(&[0; 24])).unwrap();
        let ctx = out.ctx_out.clone().unwrap();
        let at = |o: usize| u64::from_le_bytes(ctx[o..o + 8].try_into().unwrap());
        assert_eq!((at(0), at(8), at(16)), ((3..40).sum::<u64>(), 6, (0..6).map(|k| k * k + 1).sum::<u64>()));
        observable(&out)
    });
}
