//! The load pipeline: pseudo `lddw`s, call checks, context rewrites, the verifier seam, logs.

mod common;

use common::*;
use hive::load::verify::{Rejection, Verdict, Verifier, VerifyInput};
use hive::{Client, Error, Fd, MapCreateAttr, ProgLoadAttr, TestRunAttr};
use hive_maps::MapType;
use hive_platform::prog::ProgType;

fn refuse(c: &Client, attr: &ProgLoadAttr) -> (i32, String) {
    match c.prog_load(attr) {
        Err(Error::Load { errno, message, .. }) => (errno, message),
        Err(e) => (e.errno(), e.to_string()),
        Ok(_) => panic!("loaded: {attr:?}"),
    }
}

fn xdp(text: &str) -> ProgLoadAttr {
    ProgLoadAttr::new(ProgType::Xdp, asm(text))
}

#[test]
fn map_references_through_fd_array() {
    let rt = runtime();
    let c = rt.client();
    let a = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 1)).unwrap();
    let h = c.map_create(&MapCreateAttr::new(MapType::Hash, 4, 8, 1)).unwrap();
    c.map_update_elem(a, &0u32.to_ne_bytes(), &40u64.to_ne_bytes(), 0).unwrap();
    // map_value[idx:1] is fd_array[1] = the array; map[idx:0] the hash (unused but held).
    let text = "r2 = map[idx:0] ll\nr1 = map_value[idx:1]+0 ll\nr0 = *(u64 *)(r1 + 0)\nr0 += 2\nexit";
    let p = c.prog_load(&xdp(text).fd_array(vec![h, a])).unwrap();
    assert_eq!(c.prog_test_run(p, &TestRunAttr::packet(&packet(64))).unwrap().retval, 42);
    assert_eq!(c.prog_info(p).unwrap().map_ids.len(), 2);
    let (errno, msg) = refuse(&c, &xdp(text));
    assert_eq!((errno, msg.as_str()), (libc::EPROTO, "fd_idx without fd_array is invalid"));
    let (errno, _) = refuse(&c, &xdp(text).fd_array(vec![h]));
    assert_eq!(errno, libc::EINVAL);
}

#[test]
fn pseudo_refusals() {
    let rt = runtime();
    let c = rt.client();
    let h = c.map_create(&MapCreateAttr::new(MapType::Hash, 4, 8, 1)).unwrap();
    let a2 = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 2)).unwrap();
    let a1 = c.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 1)).unwrap();
    let cases = [
        ("r1 = map[fd:99] ll\nr0 = 0\nexit".to_string(), libc::EBADF, "fd 99 is not pointing to valid bpf_map".to_string()),
        (format!("r1 = map_value[fd:{}]+0 ll\nr0 = 0\nexit", h.0), libc::EINVAL, "no direct value access support for this map type".into()),
        (
            format!("r1 = map_value[fd:{}]+0 ll\nr0 = 0\nexit", a2.0),
            hive::ENOTSUPP,
            "invalid access to map value pointer, value_size=8 off=0".into(),
        ),
        (
            format!("r1 = map_value[fd:{}]+8 ll\nr0 = 0\nexit", a1.0),
            libc::EINVAL,
            "invalid access to map value pointer, value_size=8 off=8".into(),
        ),
    ];
    for (text, errno, msg) in cases {
        assert_eq!(refuse(&c, &xdp(&text)), (errno, msg), "{text}");
    }
    let (errno, msg) = refuse(&c, &xdp("r1 = ksym[id:5] ll\nr0 = 0\nexit"));
    assert_eq!(errno, libc::EOPNOTSUPP);
    assert!(msg.contains("BPF_PSEUDO_BTF_ID"), "{msg}");
    // A program descriptor is not a map.
    let p = load(&c, ProgType::Xdp, "r0 = 0\nexit");
    assert_eq!(refuse(&c, &xdp(&format!("r1 = map[fd:{}] ll\nr0 = 0\nexit", p.0))).0, libc::EBADF);
}

#[test]
fn call_refusals_use_the_kernel_messages() {
    let rt = runtime();
    let c = rt.client();
    let cases = [
        (xdp("call 0xfffffffd\nr0 = 0\nexit"), libc::EINVAL, "invalid func unknown#-3"),
        (xdp("call 212\nr0 = 0\nexit"), libc::EINVAL, "invalid func unknown#212"),
        (
            ProgLoadAttr::new(ProgType::SocketFilter, asm("call bpf_redirect\nr0 = 0\nexit")),
            libc::EINVAL,
            "program of this type cannot use helper bpf_redirect#23",
        ),
        (
            xdp("call bpf_trace_printk\nr0 = 0\nexit").license("MIT"),
            libc::EINVAL,
            "cannot call GPL-restricted function from non-GPL compatible program",
        ),
        (xdp("call kfunc[id:9999]\nr0 = 0\nexit"), libc::EINVAL, "kernel btf_id 9999 is not a function"),
        (xdp("r2 = 1\ncallx r2\nr0 = 0\nexit"), libc::EINVAL, "unknown opcode 8d"),
    ];
    for (attr, errno, msg) in cases {
        let (e, m) = refuse(&c, &attr);
        assert_eq!(e, errno, "{m}");
        assert!(m.ends_with(msg), "{m:?} does not end with {msg:?}");
    }
    // A helper the kernel offers but Hive does not implement yet is refused at load.
    let (e, m) = refuse(&c, &xdp("call bpf_fib_lookup\nr0 = 0\nexit"));
    assert_eq!(e, libc::EOPNOTSUPP, "{m}");
}

#[test]
fn context_accesses_are_followed_and_checked() {
    let rt = runtime();
    let c = rt.client();
    let run = |text: &str| {
        let p = load(&c, ProgType::Xdp, text);
        c.prog_test_run(p, &TestRunAttr::packet(&packet(64))).unwrap().retval
    };
    let len = "r0 = r3\nr0 -= r2\nexit";
    // Through a copy, a spill to the stack and a fill, a stack pointer copy, a subprogram.
    assert_eq!(run(&format!("r6 = r1\nr2 = *(u32 *)(r6 + 0)\nr3 = *(u32 *)(r6 + 4)\n{len}")), 64);
    assert_eq!(
        run(&format!(
            "*(u64 *)(r10 - 8) = r1\nr1 = 0\nr9 = r10\nr9 += -8\nr7 = *(u64 *)(r9 + 0)\nr2 = *(u32 *)(r7 + 0)\nr3 = *(u32 *)(r7 + 4)\n{len}"
        )),
        64
    );
    assert_eq!(run(&format!("call sub\nexit\nsub:\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\n{len}")), 64);
    // Into a bpf_loop callback as its context argument: the verifier refuses that (the
    // argument must point to the stack, as in the kernel); unverified, the loader still
    // follows the context into the callback and converts its accesses.
    let text = "r6 = r1\nr1 = 1\nr2 = func[cb]\nr3 = r6\nr4 = 0\ncall bpf_loop\nr0 = 2\nexit\n\
                cb:\nr3 = *(u32 *)(r2 + 0)\nr4 = *(u32 *)(r2 + 4)\nr0 = 0\nexit";
    assert_eq!(refuse(&c, &xdp(text)), (libc::EACCES, "R3 type=ctx expected=fp".into()));
    let unverified = unverified_runtime();
    let u = unverified.client();
    let p = load(&u, ProgType::Xdp, text);
    assert_eq!(u.prog_test_run(p, &TestRunAttr::packet(&packet(64))).unwrap().retval, 2);
    let refused = [
        ("r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit", libc::EACCES, "dereference of modified ctx ptr R1 off=4 disallowed"),
        ("r0 = *(u16 *)(r1 + 0)\nexit", libc::EACCES, "invalid bpf_context access off=0 size=2"),
        ("r2 = 1\n*(u32 *)(r1 + 12) = r2\nr0 = 0\nexit", libc::EACCES, "invalid bpf_context access off=12 size=4"),
        ("r0 = *(u32 *)(r1 + 24)\nexit", libc::EACCES, "invalid bpf_context access off=24 size=4"),
        (
            "if r2 == 0 goto +1\nr1 = r10\nr0 = *(u32 *)(r1 - 8)\nexit",
            libc::EINVAL,
            "same insn cannot be used with different pointers",
        ),
        ("r2 = 1\nlock *(u32 *)(r1 + 0) += r2\nr0 = 0\nexit", libc::EACCES, "BPF_ATOMIC stores into R1 ctx is not allowed"),
    ];
    for (text, errno, msg) in refused {
        let (e, m) = refuse(&c, &xdp(text));
        assert_eq!(e, errno, "{text}: {m}");
        assert!(m.ends_with(msg), "{m:?} does not end with {msg:?}");
    }
    // A context pointer the pass cannot follow (through a map value): the verifier refuses
    // the load from the map as a pointer; unverified, it faults on the guard instead of
    // reading a wrong field.
    let m = u.map_create(&MapCreateAttr::new(MapType::Array, 4, 8, 1)).unwrap();
    let text = format!(
        "r2 = map_value[fd:{}]+0 ll\n*(u64 *)(r2 + 0) = r1\nr3 = *(u64 *)(r2 + 0)\nr0 = *(u32 *)(r3 + 0)\nexit",
        m.0
    );
    let p = load(&u, ProgType::Xdp, &text);
    let err = u.prog_test_run(p, &TestRunAttr::packet(&packet(64))).unwrap_err();
    assert_eq!(err.errno(), libc::EFAULT, "{err}");
}

#[test]
fn attributes_and_logs() {
    let rt = runtime();
    let c = rt.client();
    assert_eq!(c.prog_load(&xdp("r0 = 0\nexit").name("way_too_long_a_name")).unwrap_err().errno(), libc::EINVAL);
    assert_eq!(c.prog_load(&ProgLoadAttr::new(ProgType::Xdp, vec![])).unwrap_err().errno(), libc::E2BIG);
    let not_sleepable = ProgLoadAttr { prog_flags: 0, ..ProgLoadAttr::new(ProgType::Syscall, asm("r0 = 0\nexit")) };
    assert_eq!(refuse(&c, &not_sleepable), (libc::EINVAL, "Syscall programs can only be sleepable".into()));
    let p = c.prog_load(&xdp("r0 = *(u32 *)(r1 + 12)\nexit").log_level(1)).unwrap();
    let log = c.prog_object(p).unwrap().load_log().to_string();
    assert!(log.contains("verifier: processed 2 insns"), "{log}");
    assert!(log.contains("ctx load off=12 size=4 -> off=56 size=4"), "{log}");
    let quiet = c.prog_load(&xdp("r0 = 0\nexit")).unwrap();
    assert!(c.prog_object(quiet).unwrap().load_log().is_empty());
    let tiny = ProgLoadAttr { log_size: 16, ..xdp("r0 = 0\nexit").log_level(1) };
    assert_eq!(c.prog_load(&tiny).unwrap_err().errno(), libc::ENOSPC);
    // Decoding errors.
    let bad = vec![hive_isa::RawInsn::new(0xff, 0, 0, 0, 0)];
    assert_eq!(c.prog_load(&ProgLoadAttr::new(ProgType::Xdp, bad)).unwrap_err().errno(), libc::EINVAL);
}

struct Picky;

impl Verifier for Picky {
    fn verify(&self, input: &VerifyInput<'_>) -> Result<Verdict, Rejection> {
        if input.code.len() > 2 {
            return Err(Rejection { errno: libc::EACCES, message: "too long for Picky".into(), log: "0: ...\n".into() });
        }
        Ok(Verdict::Verified { processed: input.code.len() as u64, facts: Default::default() })
    }
}

#[test]
fn the_verifier_seam() {
    let rt = runtime();
    let c = rt.client();
    let p = c.prog_load_with(&xdp("r0 = 2\nexit"), &Picky).unwrap();
    assert_eq!(c.prog_info(p).unwrap().verified_insns, 2);
    assert_eq!(c.prog_object(p).unwrap().verdict(), &Verdict::Verified { processed: 2, facts: Default::default() });
    let err = c.prog_load_with(&xdp("r0 = 2\nr0 += 1\nexit"), &Picky).unwrap_err();
    assert_eq!(err.errno(), libc::EACCES);
    assert!(err.log().contains("0: ...\ntoo long for Picky"), "{}", err.log());
    let _: Fd = p;
}
