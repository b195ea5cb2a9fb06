//! bpf-to-bpf calls, helpers (`Flow::Exit`, errors, panics, memory), `callx`, kfuncs and
//! `may_goto`, against the interpreter.

mod common;
use common::*;
use hive_interp::{Flow, FaultKind, HelperError, HelperTable};
use hive_jit::{JitError, JitOptions, compile};

/// main -> f1 -> ... -> f{depth-1}: each callee clobbers r6-r9, reads its fresh frame and
/// records its frame pointer relative to the caller's.
fn chain(depth: usize) -> Code {
    let mut s = String::from(
        "*(u64 *)(r10 - 8) = r1\nr6 = 100\nr7 = 200\nr8 = 300\nr9 = 400\nr1 = 1\nr2 = r10\ncall f1\n\
         r2 = *(u64 *)(r10 - 8)\n*(u64 *)(r2 + 0) = r6\n*(u64 *)(r2 + 8) = r7\n*(u64 *)(r2 + 16) = r8\n\
         *(u64 *)(r2 + 24) = r9\n*(u64 *)(r2 + 32) = r0\nexit\n",
    );
    for k in 1..depth {
        s += &format!(
            "f{k}:\nr6 = r2\nr6 -= r10\nr7 = *(u64 *)(r10 - 16)\nr8 = r1\nr9 = r1\n*(u64 *)(r10 - 16) = r6\nr1 += 1\n"
        );
        if k + 1 < depth {
            s += &format!("call f{}\nr0 *= 3\n", k + 1);
        } else {
            s += "r0 = 5\n";
        }
        s += "r0 += r6\nr0 += r7\nr0 += r8\nr0 += r9\nr7 = *(u64 *)(r10 - 16)\nr0 += r7\nexit\n";
    }
    asm(&s)
}

#[test]
fn eight_frames_keep_callee_saved_registers_and_get_fresh_frames() {
    let seen = agree_with(&chain(8), &[0u8; 40], &JitOptions::default(), HelperTable::new);
    let word = |i: usize| u64::from_le_bytes(seen.buf[8 * i..8 * i + 8].try_into().unwrap());
    assert_eq!([word(0), word(1), word(2), word(3)], [100, 200, 300, 400]);
    // the deepest frame's r10 is 7 * 512 below main's
    let mut r0 = 5u64;
    for k in (1..8u64).rev() {
        if k < 7 {
            r0 *= 3;
        }
        // r6 = 512k (frame distance), r7 = 0 (fresh frame), r8 = r9 = k, then r7 = 512k
        r0 += 512 * k + 2 * k + 512 * k;
    }
    assert_eq!(word(4), r0);
}

#[test]
fn nine_frames_are_refused() {
    let code = chain(9);
    assert_eq!(compile(&code, &JitOptions::default()).unwrap_err(), JitError::CallDepth { frames: 9, limit: 8 });
    let seen = interp(&code, &[0u8; 40], &JitOptions::default(), &mut HelperTable::new());
    assert!(matches!(seen.result.unwrap_err().kind, FaultKind::CallDepth { .. }));
}

fn helpers() -> HelperTable {
    let mut t = HelperTable::new();
    t.add_helper(1, |a, _| Ok(Flow::Return(a[0].wrapping_mul(31) ^ a[1] ^ (a[2] << 1) ^ (a[3] << 2) ^ (a[4] << 3))));
    t.add_helper(2, |a, _| Ok(Flow::Exit(a[0])));
    t.add_helper(3, |_, _| Err(HelperError::Failed("no".into())));
    t.add_helper(4, |_, _| panic!("helper 4 panics"));
    // memfrob-like: xor 8 bytes at r1 with r2
    t.add_helper(5, |a, mem| {
        let v = mem.load(a[0], Size::DW)? ^ a[1];
        mem.store(a[0], Size::DW, v)?;
        Ok(Flow::Return(v))
    });
    t.add_kfunc(77, 0, |a, _| Ok(Flow::Return(a[0] + 1000)));
    t
}

fn run_both(src: &str) -> Seen {
    agree_with(&asm(src), &[0u8; 32], &JitOptions::default(), helpers)
}

#[test]
fn helper_arguments_and_result() {
    let s = run_both("r1 = 3\nr2 = 5\nr3 = 7\nr4 = 11\nr5 = 13\ncall 1\nr0 += 1\nexit");
    assert_eq!(s.result, Ok(((3u64 * 31) ^ 5 ^ (7 << 1) ^ (11 << 2) ^ (13 << 3)) + 1));
}

#[test]
fn helper_exit_ends_the_whole_run_from_any_depth() {
    let s = run_both("r6 = r1\ncall f\nr0 = 99\nexit\nf:\ncall g\nr0 = 98\nexit\ng:\nr1 = 42\ncall 2\nr0 = 97\nexit");
    assert_eq!(s.result, Ok(42));
    // and the program works again afterwards (nothing was left on the native stack)
    assert_eq!(run_both("r1 = 7\ncall 2\nexit").result, Ok(7));
}

#[test]
fn helper_errors_are_the_interpreters_faults() {
    let s = run_both("r0 = 1\ncall f\nexit\nf:\ncall 3\nexit");
    let fault = s.result.unwrap_err();
    assert_eq!(fault.pc, 3);
    assert!(matches!(fault.kind, FaultKind::Helper { id: 3, .. }), "{fault}");
    let fault = run_both("call 12345\nexit").result.unwrap_err();
    assert!(matches!(fault.kind, FaultKind::Helper { id: 12345, error: HelperError::Unknown }), "{fault}");
    // a helper's bad pointer is caught by Memory, as under the interpreter
    let fault = run_both("r1 = 16\ncall 5\nexit").result.unwrap_err();
    assert!(matches!(fault.kind, FaultKind::Helper { id: 5, error: HelperError::Memory(_) }), "{fault}");
}

#[test]
fn helpers_reach_the_stack_and_regions() {
    let s = run_both(
        "r6 = r1\n*(u64 *)(r10 - 8) = 5\nr1 = r10\nr1 += -8\nr2 = 3\ncall 5\nr0 = *(u64 *)(r10 - 8)\n\
         *(u64 *)(r6 + 8) = r0\nr1 = r6\nr2 = -1\ncall 5\nexit",
    );
    assert_eq!(s.result, Ok(u64::MAX));
    assert_eq!(&s.buf[8..16], &6u64.to_le_bytes());
}

#[test]
fn helpers_reach_callee_frames() {
    run_both("call f\nexit\nf:\n*(u64 *)(r10 - 8) = 5\nr1 = r10\nr1 += -8\nr2 = 3\ncall 5\nexit");
}

#[test]
fn helper_panics_propagate_and_leave_the_program_usable() {
    let code = asm("call f\nexit\nf:\ncall 4\nexit");
    let prog = compile(&code, &JitOptions::default()).unwrap();
    let caught = std::panic::catch_unwind(|| jit(&code, &[], &JitOptions::default(), &mut helpers()));
    let msg = caught.unwrap_err();
    assert_eq!(msg.downcast_ref::<&str>(), Some(&"helper 4 panics"));
    drop(prog);
    assert_eq!(run_both("r1 = 9\ncall 2\nexit").result, Ok(9));
}

#[test]
fn callx_and_kfuncs() {
    assert_eq!(run_both("r1 = 8\nr2 = 2\ncallx r2\nexit").result, Ok(8));
    assert_eq!(run_both("r1 = 3\nr2 = 0\nr5 = 1\ncallx r5\nr0 += 1\nexit").result, Ok(((3u64 * 31) ^ (1 << 3)) + 1));
    let fault = run_both("r3 = 1\nr3 <<= 32\ncallx r3\nexit").result.unwrap_err();
    assert!(matches!(fault.kind, FaultKind::BadCallxTarget { value: 0x1_0000_0000, .. }), "{fault}");
    assert_eq!(run_both("r1 = 5\ncall kfunc[id:77]\nexit").result, Ok(1005));
    let fault = run_both("call kfunc[id:78,fd_idx:2]\nexit").result.unwrap_err();
    assert!(matches!(fault.kind, FaultKind::Kfunc { btf_id: 78, module: 2, .. }), "{fault}");
}

#[test]
fn may_goto_budget_is_per_frame() {
    // main loops until its budget runs out, calling f each time; f loops on its own budget.
    let src = "r6 = 0\nr7 = 0\nloop:\nmay_goto +3\nr6 += 1\ncall f\ngoto loop\nr0 = r6\nr0 <<= 32\nr0 |= r7\nexit\n\
               f:\nr1 = 0\nl2:\nmay_goto +2\nr1 += 1\ngoto l2\nr7 += r1\nexit";
    // r7 is callee-saved: f adds to its own copy, so main's r7 stays 0
    for loops in [0, 1, 3, 100] {
        let o = JitOptions { may_goto_loops: loops, ..JitOptions::default() };
        let s = agree_with(&asm(src), &[], &o, HelperTable::new);
        assert_eq!(s.result, Ok(loops << 32));
    }
    let counted = "r0 = 0\nloop:\nmay_goto +2\nr0 += 1\ngoto loop\nexit";
    let s = agree_with(&asm(counted), &[], &JitOptions::default(), HelperTable::new);
    assert_eq!(s.result, Ok(hive_interp::BPF_MAX_LOOPS));
}

#[test]
fn can_loop_latches_count_like_the_interpreter() {
    // `may_goto; goto head` at the bottom of the loop (one fused branch), and a latch whose
    // `goto` is itself a jump target (left as two branches).
    let latch = "r0 = 0\nloop:\nr0 += 1\nmay_goto +1\ngoto loop\nr0 += 100\nexit";
    let targeted = "r0 = 0\nloop:\nr0 += 1\nif r0 == 1000000 goto back\nmay_goto +2\nback:\ngoto loop\nr0 += 100\nexit";
    for loops in [0, 1, 2, 5, 300] {
        let o = JitOptions { may_goto_loops: loops, ..JitOptions::default() };
        assert_eq!(agree_with(&asm(latch), &[], &o, HelperTable::new).result, Ok(loops + 101));
        agree_with(&asm(targeted), &[], &o, HelperTable::new);
    }
}

#[test]
fn function_references_load_slot_indices() {
    let s = run_both("r0 = func[f]\nexit\nf:\nr0 = 1\nexit");
    assert_eq!(s.result, Ok(3));
}

#[test]
fn unresolved_pseudos_and_frame_pointer_writes_are_refused() {
    let e = compile(&asm("r1 = map[fd:3]\nr0 = 0\nexit"), &JitOptions::default()).unwrap_err();
    assert_eq!(e, JitError::UnresolvedPseudo { pc: 0, pseudo: Pseudo::MapFd });
    let e = compile(&asm("r10 = 0\nr0 = 0\nexit"), &JitOptions::default()).unwrap_err();
    assert_eq!(e, JitError::FramePointerWrite { pc: 0 });
    let e = compile(&asm("r0 = 0\nif r0 == 0 goto +2\ncall f\nexit\nf:\nexit"), &JitOptions::default());
    assert!(matches!(e, Err(JitError::Layout(hive_isa::LayoutError::JumpOutOfSubprogram { .. }))), "{e:?}");
    let o = JitOptions { callx: hive_interp::CallxMode::InsnIndex, ..JitOptions::default() };
    assert!(matches!(compile(&asm("r0 = 0\nexit"), &o), Err(JitError::Unsupported { .. })));
}

#[test]
fn falling_off_the_end_is_the_interpreters_fault() {
    let fault = run_both("r0 = 1\nif r0 == 1 goto +1\nexit\nr0 = 2").result.unwrap_err();
    assert_eq!((fault.pc, fault.kind), (4, FaultKind::FellOffEnd));
    // dead code at the end is fine when it is never reached
    assert_eq!(run_both("r0 = 1\nexit\nr0 = 2").result, Ok(1));
    // only the last subprogram may end without exit
    let e = compile(&asm("call f\nr0 = 1\nf:\nr0 = 2\nexit"), &JitOptions::default()).unwrap_err();
    assert!(matches!(e, JitError::Layout(hive_isa::LayoutError::LastNotExit { pc: 1 })), "{e}");
}

/// The interpreter's side of the inlined `bpf_iter_num` kfuncs (ids 100-102): the kernel's
/// `kernel/bpf/bpf_iter.c`, `cur + 1` wrapping in 32 bits.
fn iter_num_helpers() -> HelperTable {
    fn set(mem: &mut hive_interp::Memory<'_>, it: u64, cur: i32, end: i32) -> Result<(), HelperError> {
        Ok(mem.store(it, Size::DW, cur as u32 as u64 | (end as u32 as u64) << 32)?)
    }
    let mut t = HelperTable::new();
    t.add_kfunc(100, 0, |a, mem| {
        let (it, start, end) = (a[0], a[1] as i32, a[2] as i32);
        if start > end {
            set(mem, it, 0, 0)?;
            return Ok(Flow::Return(-22i64 as u64));
        }
        if end as i64 - start as i64 > hive_interp::BPF_MAX_LOOPS as i64 {
            set(mem, it, 0, 0)?;
            return Ok(Flow::Return(-7i64 as u64));
        }
        set(mem, it, start.wrapping_sub(1), end)?;
        Ok(Flow::Return(0))
    });
    t.add_kfunc(101, 0, |a, mem| {
        let state = mem.load(a[0], Size::DW)?;
        let (cur, end) = (state as u32 as i32, (state >> 32) as u32 as i32);
        if cur.wrapping_add(1) as i64 >= end as i64 {
            set(mem, a[0], 0, 0)?;
            return Ok(Flow::Return(0));
        }
        set(mem, a[0], cur.wrapping_add(1), end)?;
        Ok(Flow::Return(a[0]))
    });
    t.add_kfunc(102, 0, |a, mem| {
        set(mem, a[0], 0, 0)?;
        Ok(Flow::Return(0))
    });
    t
}

#[test]
fn iter_num_kfuncs_are_inlined_with_the_kernels_semantics() {
    let inline = JitOptions { iter_num_kfuncs: Some([100, 101, 102]), ..JitOptions::default() };
    let ranges: [(i64, i64); 9] = [
        (-3, 5),
        (5, 5),
        (6, 5),
        (i32::MIN as i64, i32::MIN as i64 + 3),
        (i32::MAX as i64 - 2, i32::MAX as i64),
        (i32::MIN as i64, i32::MAX as i64),
        (0, 8 * 1024 * 1024 + 1),
        (0x1_0000_0002, 0xffff_0000_0000_0006u64 as i64), // only the low 32 bits count
        (-1, 0),
    ];
    for (start, end) in ranges {
        let src = format!(
            "r6 = r1\n*(u64 *)(r10 - 8) = r6\nr1 = r10\nr1 += -8\nr2 = {start} ll\nr3 = {end} ll\ncall kfunc[id:100]\n\
             *(u64 *)(r6 + 0) = r0\nr1 = *(u64 *)(r10 - 8)\n*(u64 *)(r6 + 8) = r1\nr7 = 0\nr8 = 0\n\
             loop:\nr1 = r10\nr1 += -8\ncall kfunc[id:101]\nif r0 == 0 goto out\n\
             r1 = *(u32 *)(r0 + 0)\nr7 += r1\nr8 += 1\nr0 -= r10\n*(u64 *)(r6 + 16) = r0\ngoto loop\n\
             out:\n*(u64 *)(r6 + 24) = r7\n*(u64 *)(r6 + 32) = r8\nr1 = *(u64 *)(r10 - 8)\n*(u64 *)(r6 + 40) = r1\n\
             r1 = r10\nr1 += -8\ncall kfunc[id:101]\n*(u64 *)(r6 + 48) = r0\n\
             *(u64 *)(r10 - 8) = r6\nr1 = r10\nr1 += -8\ncall kfunc[id:102]\nr1 = *(u64 *)(r10 - 8)\n\
             *(u64 *)(r6 + 56) = r1\nr0 = r8\nexit\n"
        );
        let code = asm(&src);
        let sizes = [&inline, &JitOptions::default()].map(|o| compile(&code, o).unwrap().machine_code().len());
        assert_ne!(sizes[0], sizes[1], "the kfuncs are inlined");
        let inlined = jit(&code, &[0u8; 64], &inline, &mut iter_num_helpers());
        let reference = interp(&code, &[0u8; 64], &inline, &mut iter_num_helpers());
        assert_eq!(inlined, reference, "range {start}..{end}");
        // and the same program through the kfunc trampoline
        agree_with(&code, &[0u8; 64], &JitOptions::default(), iter_num_helpers);
        let word = |i: usize| u64::from_le_bytes(inlined.buf[8 * i..8 * i + 8].try_into().unwrap());
        let (s, e) = (start as i32 as i64, end as i32 as i64);
        let expect_new = if s > e { -22i64 as u64 } else if e - s > 8 * 1024 * 1024 { -7i64 as u64 } else { 0 };
        assert_eq!(word(0), expect_new, "range {start}..{end}");
        let n = if expect_new == 0 { (e - s) as u64 } else { 0 };
        assert_eq!(inlined.result, Ok(n), "range {start}..{end}");
        let sum: i64 = (s..s + n as i64).map(|i| i as i32 as u32 as i64).sum();
        assert_eq!(word(3), sum as u64);
        assert_eq!([word(5), word(6), word(7)], [0, 0, 0]);
        if n > 0 {
            assert_eq!(word(2), -8i64 as u64, "next returns &cur");
        }
    }
}
