//! The kernel's messages on minimal programs, and the shape of the graph.

use super::*;
use hive_asm::{Syntax, assemble};

fn asm(src: &str) -> Vec<RawInsn> {
    assemble(src, Syntax::Kernel).unwrap()
}

fn priv_() -> VerifyOptions {
    VerifyOptions::privileged()
}

fn unpriv() -> VerifyOptions {
    VerifyOptions::unprivileged()
}

/// The rejection of `raw`, as (kind, insn, message).
fn reject(raw: &[RawInsn], opts: VerifyOptions) -> (RejectKind, Option<usize>, String) {
    let e = check(raw, &opts).expect_err("must be rejected");
    (e.kind, e.insn, e.message)
}

fn r(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> RawInsn {
    RawInsn::new(code, dst, src, off, imm)
}

#[test]
fn kernel_messages() {
    use RejectKind::*;
    let cases: [(&str, VerifyOptions, RejectKind, usize, &str); 8] = [
        ("exit\nexit", priv_(), Unreachable, 1, "unreachable insn 1"),
        ("goto +1\ngoto +0\nexit", priv_(), Unreachable, 1, "unreachable insn 1"),
        ("r0 = 0", priv_(), LastInsnNotExit, 0, "last insn is not an exit or jmp"),
        ("r0 = 0\nif r0 > 1 goto -2\nexit", unpriv(), BackEdge, 1, "back-edge from insn 1 to 0"),
        ("l: r0 += 1\ngoto l\nexit", unpriv(), BackEdge, 1, "back-edge from insn 1 to 0"),
        ("call pc+1\nexit\nr0 = 0\nexit", unpriv(), CallsNotAllowed, 0,
            "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN"),
        ("call pc+1\nexit\nr0 = 0\ngoto -4\nexit", priv_(), JumpOutOfRange, 3, "jump out of range from insn 3 to 0"),
        ("call pc+1\nexit\nr0 = 0", priv_(), LastInsnNotExit, 2, "last insn is not an exit or jmp"),
    ];
    for (src, opts, kind, insn, msg) in cases {
        assert_eq!(reject(&asm(src), opts), (kind, Some(insn), msg.to_string()), "{src}");
    }
    // Loops are fine for privileged programs; the back-edge is recorded.
    let (_, g) = check(&asm("r0 = 0\nif r0 > 1 goto -2\nexit"), &priv_()).unwrap();
    assert_eq!(g.back_edges(), &[(1, 0)]);
}

#[test]
fn raw_level_messages() {
    use RejectKind::*;
    let exit = r(0x95, 0, 0, 0, 0);
    // Jump targets outside the program or into an lddw cannot be decoded into a `Code`.
    assert_eq!(
        reject(&[r(0x05, 0, 0, 5, 0), exit], priv_()),
        (JumpOutOfRange, Some(0), "jump out of range from insn 0 to 6".into())
    );
    assert_eq!(
        reject(&[r(0x15, 1, 0, 1, 0), r(0x18, 0, 0, 0, 7), r(0, 0, 0, 0, 0), exit], priv_()),
        (JumpIntoLdImm64, Some(1), "jump into the middle of ldimm64 insn 1".into())
    );
    assert_eq!(
        reject(&[r(0x85, 0, 1, 0, -5), exit], priv_()),
        (InvalidCallTarget, Some(0), "call to invalid destination".into())
    );
    assert_eq!(reject(&[r(0xff, 0, 0, 0, 0), exit], priv_()), (UnknownOpcode, Some(0), "unknown opcode ff".into()));
    assert_eq!(reject(&[r(0x8d, 2, 0, 0, 0), exit], priv_()), (UnknownOpcode, Some(0), "unknown opcode 8d".into()));
    assert_eq!(reject(&[r(0x01, 0, 0, 0, 0), exit], priv_()), (ReservedFields, Some(0), "BPF_LDX uses reserved fields".into()));
    assert_eq!(reject(&[r(0x18, 0, 0, 0, 0), exit], priv_()), (InvalidLdImm64, Some(0), "invalid bpf_ld_imm64 insn".into()));
    assert_eq!(reject(&[r(0x7f, 15, 15, -1, -1), exit], priv_()), (ReservedFields, Some(0), "BPF_ALU uses reserved fields".into()));
    assert_eq!(reject(&[r(0xbf, 11, 0, 0, 0), exit], priv_()), (InvalidRegister, Some(0), "R11 is invalid".into()));
    // The kernel checks subprogram layout before opcodes: a lone junk slot is "not an exit".
    assert_eq!(reject(&[r(0, 0, 0, 0, 0)], priv_()).0, LastInsnNotExit);
    assert_eq!(reject(&[], priv_()).0, Empty);
}

#[test]
fn size_limits() {
    let mut raw = vec![r(0xb7, 0, 0, 0, 0); MAX_INSNS_UNPRIVILEGED];
    raw.push(r(0x95, 0, 0, 0, 0));
    assert_eq!(reject(&raw, unpriv()).0, RejectKind::TooLarge);
    assert!(check(&raw, &priv_()).is_ok());
}

use crate::verdict::MAX_INSNS_UNPRIVILEGED;

#[test]
fn call_depth() {
    // A chain main -> f1 -> ... -> fN, each function `call next; exit`.
    let chain = |n: usize| {
        let mut src = String::new();
        for _ in 0..n {
            src.push_str("call pc+1\nexit\n");
        }
        src.push_str("r0 = 0\nexit\n");
        asm(&src)
    };
    // Eight frames: main and seven callees.
    assert!(check(&chain(7), &priv_()).is_ok());
    let (kind, insn, msg) = reject(&chain(8), priv_());
    assert_eq!((kind, msg.as_str()), (RejectKind::CallStackTooDeep, "the call stack of 9 frames is too deep"));
    assert_eq!(insn, Some(14), "the call made from the eighth frame");
    // Recursion, even through a dead branch.
    let rec = asm("call pc+1\nexit\nif r1 == 0 goto +1\ncall pc-2\nr0 = 0\nexit");
    assert_eq!(reject(&rec, priv_()).0, RejectKind::CallStackTooDeep);
}

#[test]
fn graph_shape() {
    // 0: r0 = 0
    // 1: r1 = func[pc+6]    (slots 1-2)   callback reference -> 8
    // 3: if r0 > 10 goto +3 -> 7   <- loop head
    // 4: call pc+5          -> 10 (subprog), returns to 5
    // 5: r0 += 1
    // 6: goto -4            -> 3
    // 7: exit
    // 8: r0 = 1  (callback)
    // 9: exit
    // 10: r0 = 2 (callee)
    // 11: exit
    let raw = asm(
        "r0 = 0\nr1 = func[pc+6]\nif r0 > 10 goto +3\ncall pc+5\nr0 += 1\ngoto -4\nexit\nr0 = 1\nexit\nr0 = 2\nexit",
    );
    let (code, g) = check(&raw, &priv_()).unwrap();
    assert_eq!(code.len(), 12);
    let starts: Vec<usize> = g.subprogs().iter().map(|s| s.start).collect();
    assert_eq!(starts, vec![0, 8, 10]);
    let main = &g.subprogs()[0];
    assert_eq!(main.calls, vec![CallSite { insn: 4, callee: 2 }]);
    assert_eq!(main.func_refs, vec![CallSite { insn: 1, callee: 1 }]);
    let spans: Vec<(usize, usize)> = g.blocks().iter().map(|b| (b.start, b.end)).collect();
    assert_eq!(spans, vec![(0, 3), (3, 4), (4, 5), (5, 7), (7, 8), (8, 10), (10, 12)]);
    let b = |pc| g.block_at(pc).unwrap();
    assert_eq!(g.block(b(3)).succs, vec![Edge { to: b(4), kind: EdgeKind::NotTaken }, Edge { to: b(7), kind: EdgeKind::Taken }]);
    assert_eq!(g.block(b(4)).succs, vec![Edge { to: b(5), kind: EdgeKind::AfterCall }]);
    assert_eq!(g.block(b(5)).succs, vec![Edge { to: b(3), kind: EdgeKind::Jump }]);
    assert_eq!(g.block(b(0)).succs, vec![Edge { to: b(3), kind: EdgeKind::Fallthrough }]);
    assert_eq!(g.block(b(3)).preds, vec![b(0), b(5)]);
    assert_eq!(g.loop_heads(), vec![b(3)]);
    assert_eq!(g.back_edges(), &[(6, 3)]);
    assert_eq!(g.block_containing(6), Some(b(5)));
    assert_eq!(g.block_containing(2), Some(b(0)));
    assert_eq!(g.subprog_of(9), Some(1));
    // Main program: b0 (b1 b2 b3) b4.
    let mut order = Vec::new();
    for e in &main.wto {
        e.blocks(&mut order);
    }
    assert_eq!(order, vec![b(0), b(3), b(4), b(5), b(7)]);
    assert!(matches!(&main.wto[1], WtoElem::Component(c) if c.head == b(3) && c.body.len() == 2));
    assert_eq!(g.subprogs()[2].entry(), b(10));
}

#[test]
fn verify_logs_at_each_level() {
    use crate::log::LogLevel;
    let raw = asm("call pc+1\nexit\nr0 = 0\nexit");
    let v = crate::verify_raw(&raw, &priv_().with_log_level(LogLevel::Verbose)).unwrap();
    assert_eq!(v.log, "func#0 @0\nfunc#1 @2\n");
    assert!(!v.is_safety_proof());
    assert_eq!(crate::verify(&v.code, &priv_()).unwrap().log, "");
    let bad = asm("exit\nexit");
    let e = crate::verify_raw(&bad, &priv_()).unwrap_err();
    assert_eq!(e.log, "unreachable insn 1\n");
    assert_eq!(e.to_string(), "insn 1: unreachable insn 1");
    let e = crate::verify_raw(&bad, &priv_().with_log_level(LogLevel::Off)).unwrap_err();
    assert_eq!((e.log.as_str(), e.message.as_str()), ("", "unreachable insn 1"));
}
