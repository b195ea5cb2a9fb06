//! Helper callbacks (`Flow::Call` + `Helpers::resume`), tail calls (`Flow::TailCall`) and
//! word regions (`Memory::add_words`, `Resolver`).
mod common;

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use common::*;

const EXIT: Insn = Insn::Exit;
const W64: Width = Width::W64;

fn call(id: i32) -> Insn {
    Insn::Call(CallTarget::Helper(id))
}

/// A `bpf_loop` look-alike: helper 1 (n, callback, ctx) calls `callback(i, ctx)` for
/// i in 0..n until it returns non-zero, then returns the number of calls.
#[derive(Default)]
struct Looper {
    /// Pending loops, innermost last: (i, n, callback, ctx).
    stack: Vec<(u64, u64, u64, u64)>,
    resumes: usize,
}

impl Helpers for Looper {
    fn call_helper(&mut self, id: i32, a: [u64; 5], _: &mut Memory<'_>) -> Result<Flow, HelperError> {
        match id {
            1 if a[0] == 0 => Ok(Flow::Return(0)),
            1 => {
                self.stack.push((0, a[0], a[1], a[2]));
                Ok(Flow::Call { target: a[1], args: [0, a[2], 0, 0, 0] })
            }
            2 => Ok(Flow::TailCall(a[1])),
            _ => Err(HelperError::Unknown),
        }
    }

    fn resume(&mut self, ret: u64, _: &mut Memory<'_>) -> Result<Flow, HelperError> {
        self.resumes += 1;
        let (i, n, cb, ctx) = self.stack.last_mut().ok_or(HelperError::Unknown)?;
        *i += 1;
        if ret != 0 || *i == *n {
            let done = *i;
            self.stack.pop();
            return Ok(Flow::Return(done));
        }
        Ok(Flow::Call { target: *cb, args: [*i, *ctx, 0, 0, 0] })
    }
}

fn code(p: &[Insn]) -> Code {
    Code::from_insns(p).unwrap()
}

#[test]
fn loop_callback_sums_indices_through_the_callers_stack() {
    // main: *(u64 *)(r10 - 8) = 0; r1 = 10; r2 = &cb; r3 = r10 - 8; call 1;
    //       r6 = r0; r0 = *(u64 *)(r10 - 8); r0 += r6 * 1000 ... (keep simple: r0 = sum, r7 = calls)
    // cb(i, ctx): *(u64 *)ctx += i; r0 = 0; exit
    let p = [
        st(Size::DW, 10, -8, 0),         // 0
        mov(1, 10),                      // 1
        Insn::LdImm64 { dst: r(2), pseudo: Pseudo::Func, imm: 9, next_imm: 0 }, // 2-3 -> 12
        movr(3, 10),                     // 4
        alu(W64, AluOp::Add, 3, -8),     // 5
        call(1),                         // 6
        movr(7, 0),                      // 7
        ldx(Size::DW, 0, 10, -8),        // 8
        alu(W64, AluOp::Mul, 7, 1000),   // 9
        alur(W64, AluOp::Add, 0, 7),     // 10
        EXIT,                            // 11
        ldx(Size::DW, 3, 2, 0),          // 12: cb
        alur(W64, AluOp::Add, 3, 1),     // 13
        stx(Size::DW, 2, 0, 3),          // 14
        mov(0, 0),                       // 15
        EXIT,                            // 16
    ];
    let mut vm = Vm::new(&code(&p), Options::default());
    let mut mem = Memory::new();
    let mut h = Looper::default();
    // 10 calls, sum 0..10 = 45.
    assert_eq!(vm.run(&mut mem, &mut h, [0; 5]), Ok(10_045));
    assert_eq!(h.resumes, 10);
    assert!(h.stack.is_empty());
    assert_eq!(vm.stats().local_calls, 10);
}

#[test]
fn callback_may_stop_early_and_callbacks_nest() {
    // cb returns 1 when i == 3: the loop reports 4 calls. The callback itself runs an inner
    // loop of 2 iterations over a second callback, which returns 0.
    let p = [
        mov(1, 100),                                                              // 0
        Insn::LdImm64 { dst: r(2), pseudo: Pseudo::Func, imm: 4, next_imm: 0 },   // 1-2 -> 6
        mov(3, 0),                                                                // 3
        call(1),                                                                  // 4
        EXIT,                                                                     // 5
        movr(6, 1),                                                               // 6: outer cb
        mov(1, 2),                                                                // 7
        Insn::LdImm64 { dst: r(2), pseudo: Pseudo::Func, imm: 7, next_imm: 0 },   // 8-9 -> 16
        call(1),                                                                  // 10
        mov(0, 0),                                                                // 11
        jmp(Cond::Ne, 6, 3, 1),                                                   // 12
        mov(0, 1),                                                                // 13
        EXIT,                                                                     // 14
        EXIT,                                                                     // 15 (padding)
        mov(0, 0),                                                                // 16: inner cb
        EXIT,                                                                     // 17
    ];
    let mut vm = Vm::new(&code(&p), Options::default());
    let mut mem = Memory::new();
    let mut h = Looper::default();
    assert_eq!(vm.run(&mut mem, &mut h, [0; 5]), Ok(4));
    // 4 outer resumes + 4 * 2 inner.
    assert_eq!(h.resumes, 12);
}

#[test]
fn bad_callback_targets_and_depth_fault() {
    let p = [mov(1, 1), lddw(2, 1000), call(1), EXIT];
    let mut vm = Vm::new(&code(&p), Options::default());
    let f = vm.run(&mut Memory::new(), &mut Looper::default(), [0; 5]).unwrap_err();
    assert_eq!(f.kind, FaultKind::BadCallxTarget { value: 1000, what: "callback instruction index" });
    assert_eq!(f.pc, 3);
    // A callback that loops into itself runs out of frames.
    let p = [mov(1, 1), Insn::LdImm64 { dst: r(2), pseudo: Pseudo::Func, imm: -2, next_imm: 0 }, call(1), EXIT];
    let f = Vm::new(&code(&p), Options::default()).run(&mut Memory::new(), &mut Looper::default(), [0; 5]).unwrap_err();
    assert_eq!(f.kind, FaultKind::CallDepth { limit: 8 });
}

#[test]
fn resume_errors_are_attributed_to_the_helper() {
    struct NoResume;
    impl Helpers for NoResume {
        fn call_helper(&mut self, _: i32, a: [u64; 5], _: &mut Memory<'_>) -> Result<Flow, HelperError> {
            Ok(Flow::Call { target: a[1], args: [0; 5] })
        }
    }
    let p = [Insn::LdImm64 { dst: r(2), pseudo: Pseudo::Func, imm: 3, next_imm: 0 }, call(7), EXIT, mov(0, 0), EXIT];
    let f = Vm::new(&code(&p), Options::default()).run(&mut Memory::new(), &mut NoResume, [0; 5]).unwrap_err();
    assert_eq!(f.pc, 2);
    assert!(matches!(f.kind, FaultKind::Helper { id: 7, .. }), "{f}");
}

#[test]
fn tail_calls_end_the_run_with_a_token() {
    let p = [mov(6, 5), mov(2, 77), call(2), mov(0, 1), EXIT];
    let mut vm = Vm::new(&code(&p), Options::default());
    let mut mem = Memory::new();
    assert_eq!(vm.run_outcome(&mut mem, &mut Looper::default(), [0; 5]), Ok(Outcome::TailCall(77)));
    let f = vm.run(&mut mem, &mut Looper::default(), [0; 5]).unwrap_err();
    assert!(matches!(f.kind, FaultKind::TailCall(_)));
    assert_eq!(f.pc, 2);
    // Not from a subprogram.
    let p = [Insn::Call(CallTarget::Local(1)), EXIT, call(2), EXIT];
    let f = Vm::new(&code(&p), Options::default()).run_outcome(&mut Memory::new(), &mut Looper::default(), [0; 5]);
    assert!(matches!(f.unwrap_err().kind, FaultKind::TailCall(_)));
}

/// Resolves the addresses of a fixed set of word slices.
struct Words<'a>(RefCell<Vec<WordRegion<'a>>>);

impl<'a> Resolver<'a> for Words<'a> {
    fn resolve(&self, addr: u64, len: usize) -> Option<WordRegion<'a>> {
        self.0.borrow().iter().copied().find(|w| addr >= w.base() && addr + len as u64 <= w.base() + w.len as u64)
    }
}

#[test]
fn word_regions_registered_or_resolved() {
    let value: Vec<AtomicU64> = (0..2).map(|_| AtomicU64::new(0)).collect();
    let shared: Vec<AtomicU64> = (0..1).map(|_| AtomicU64::new(0x1122_3344_5566_7788)).collect();
    let resolver = Words(RefCell::new(vec![WordRegion { words: &value, len: 12, kind: RegionKind::MapValue, writable: true }]));
    let mut mem = Memory::new();
    let ro = WordRegion { words: &shared, len: 8, kind: RegionKind::MapValue, writable: false };
    let ro_addr = mem.add_words(ro);
    mem.set_resolver(&resolver);
    let base = value[0].as_ptr() as u64;

    // Program: r1 = value; *(u32 *)(r1 + 8) = 7; lock *(u64 *)(r1 + 0) += 5;
    //          r0 = *(u16 *)(r2 + 1); r0 += *(u32 *)(r1 + 8); exit
    let p = [
        st(Size::W, 1, 8, 7),
        mov(3, 5),
        atomic(Size::DW, AtomicOp::Add { fetch: false }, 1, 3, 0),
        ldx(Size::H, 0, 2, 1),
        ldx(Size::W, 4, 1, 8),
        alur(W64, AluOp::Add, 0, 4),
        EXIT,
    ];
    let mut vm = Vm::new(&code(&p), Options::default());
    assert_eq!(vm.run(&mut mem, &mut NoHelpers, [base, ro_addr, 0, 0, 0]), Ok(0x6677 + 7));
    assert_eq!(value[0].load(Ordering::Relaxed), 5);
    assert_eq!(value[1].load(Ordering::Relaxed), 7);

    // Bytes 12..16 of the second word are outside `len`.
    assert!(matches!(mem.load(base + 12, Size::B), Err(AccessError::Unmapped { .. })));
    assert!(matches!(mem.load(base + 10, Size::W), Err(AccessError::Unmapped { .. })));
    // Read-only words refuse stores and atomics, but not loads.
    assert_eq!(mem.store(ro_addr, Size::B, 0), Err(AccessError::ReadOnly { addr: ro_addr, size: 1 }));
    // Byte views are refused, copies work.
    assert_eq!(mem.read(base, 4), Err(AccessError::Words { addr: base, size: 4 }));
    mem.write(base + 2, &[0xaa, 0xbb]).unwrap();
    let mut out = [0u8; 4];
    mem.read_into(base, &mut out).unwrap();
    assert_eq!(out, [5, 0, 0xaa, 0xbb]);
    assert_eq!(mem.regions().count(), 1, "resolved regions are not listed");
}
