//! One test per semantic edge of the instruction set.

mod common;
use common::*;
use Width::{W32, W64};

const MIN64: u64 = i64::MIN as u64;

fn binop(width: Width, op: AluOp, a: u64, b: u64) -> u64 {
    run(&[lddw(0, a), lddw(1, b), alur(width, op, 0, 1), EXIT]).unwrap()
}

#[test]
fn division_by_zero_and_minus_one() {
    // Unsigned: x / 0 = 0, x % 0 = x; the 32-bit remainder keeps only the low half.
    assert_eq!(binop(W64, AluOp::Div, 7, 0), 0);
    assert_eq!(binop(W64, AluOp::Mod, 7, 0), 7);
    assert_eq!(binop(W32, AluOp::Div, 0xffff_ffff_0000_0007, 0), 0);
    assert_eq!(binop(W32, AluOp::Mod, 0xffff_ffff_0000_0007, 0), 7);
    assert_eq!(binop(W32, AluOp::Mod, 7, 0x1_0000_0000), 7, "32-bit divisor is the low half only");
    // Signed.
    assert_eq!(binop(W64, AluOp::SDiv, MIN64, u64::MAX), MIN64);
    assert_eq!(binop(W64, AluOp::SMod, MIN64, u64::MAX), 0);
    assert_eq!(binop(W64, AluOp::SDiv, 5, 0), 0);
    assert_eq!(binop(W64, AluOp::SMod, (-5i64) as u64, 0), (-5i64) as u64);
    assert_eq!(binop(W32, AluOp::SDiv, 0x8000_0000, 0xffff_ffff), 0x8000_0000);
    assert_eq!(binop(W32, AluOp::SMod, 0x8000_0000, 0xffff_ffff), 0);
    assert_eq!(binop(W32, AluOp::SMod, 0xdead_0000_ffff_fff9, 0), 0xffff_fff9, "s% 0 zero-extends");
    assert_eq!(binop(W32, AluOp::SDiv, (-7i32) as u32 as u64, 2), (-3i32) as u32 as u64);
    assert_eq!(binop(W32, AluOp::SMod, (-7i32) as u32 as u64, 2), (-1i32) as u32 as u64);
    assert_eq!(binop(W64, AluOp::SMod, 7, (-2i64) as u64), 1);
    // Immediate divisors are sign-extended for 64-bit operations.
    assert_eq!(run(&[mov(0, 10), alu(W64, AluOp::SDiv, 0, -2), EXIT]).unwrap(), (-5i64) as u64);
    assert_eq!(run(&[mov(0, 10), alu(W64, AluOp::Div, 0, -1), EXIT]).unwrap(), 0);
}

#[test]
fn alu32_zero_extends_and_shifts_mask() {
    assert_eq!(binop(W32, AluOp::Add, 0xffff_ffff_ffff_ffff, 1), 0);
    assert_eq!(binop(W32, AluOp::Mov, 0, 0xaaaa_bbbb_cccc_dddd), 0xcccc_dddd);
    assert_eq!(run(&[lddw(0, u64::MAX), alu(W32, AluOp::Mov, 0, -1), EXIT]).unwrap(), 0xffff_ffff);
    assert_eq!(run(&[lddw(0, u64::MAX), alu(W64, AluOp::Mov, 0, -1), EXIT]).unwrap(), u64::MAX);
    assert_eq!(binop(W64, AluOp::Lsh, 1, 64 + 3), 8);
    assert_eq!(binop(W32, AluOp::Lsh, 1, 32 + 3), 8);
    assert_eq!(binop(W32, AluOp::Rsh, 0xffff_ffff_8000_0000, 31), 1);
    assert_eq!(binop(W32, AluOp::Arsh, 0x8000_0000, 4), 0xf800_0000);
    assert_eq!(binop(W64, AluOp::Arsh, MIN64, 64 + 63), u64::MAX);
    assert_eq!(run(&[mov(0, 1), Insn::Neg { width: W32, dst: r(0) }, EXIT]).unwrap(), 0xffff_ffff);
    assert_eq!(run(&[mov(0, 1), Insn::Neg { width: W64, dst: r(0) }, EXIT]).unwrap(), u64::MAX);
    assert_eq!(binop(W64, AluOp::Mul, 1 << 63, 2), 0);
    assert_eq!(binop(W64, AluOp::Sub, 0, 1), u64::MAX);
}

#[test]
fn sign_extension() {
    assert_eq!(binop(W64, AluOp::MovSx8, 0, 0x80), 0xffff_ffff_ffff_ff80);
    assert_eq!(binop(W64, AluOp::MovSx16, 0, 0x1_7fff), 0x7fff);
    assert_eq!(binop(W64, AluOp::MovSx32, 0, 0x8000_0000), 0xffff_ffff_8000_0000);
    assert_eq!(binop(W32, AluOp::MovSx8, 0, 0xff), 0xffff_ffff);
    assert_eq!(binop(W32, AluOp::MovSx16, 0, 0x8000), 0xffff_8000);
    let mut data = [0x80, 0x80, 0xff, 0xff, 0, 0, 0, 0];
    assert_eq!(run_mem(&[ldxs(Size::B, 0, 1, 0), EXIT], &mut data).unwrap(), 0xffff_ffff_ffff_ff80);
    assert_eq!(run_mem(&[ldxs(Size::H, 0, 1, 0), EXIT], &mut data).unwrap(), 0xffff_ffff_ffff_8080);
    assert_eq!(run_mem(&[ldxs(Size::W, 0, 1, 0), EXIT], &mut data).unwrap(), 0xffff_ffff_ffff_8080);
    assert_eq!(run_mem(&[ldx(Size::W, 0, 1, 0), EXIT], &mut data).unwrap(), 0xffff_8080);
    // st imm sign-extends the immediate to the access size.
    assert_eq!(run_mem(&[st(Size::DW, 1, 0, -2), ldx(Size::DW, 0, 1, 0), EXIT], &mut data).unwrap(), u64::MAX - 1);
}

#[test]
fn byte_order() {
    let v = 0x0102_0304_0506_0708;
    let e = |op, bits| run(&[lddw(0, v), Insn::Endian { op, bits, dst: r(0) }, EXIT]).unwrap();
    assert_eq!(e(EndianOp::ToLe, 16), 0x0708);
    assert_eq!(e(EndianOp::ToLe, 32), 0x0506_0708);
    assert_eq!(e(EndianOp::ToLe, 64), v);
    assert_eq!(e(EndianOp::ToBe, 16), 0x0807);
    assert_eq!(e(EndianOp::ToBe, 32), 0x0807_0605);
    assert_eq!(e(EndianOp::ToBe, 64), 0x0807_0605_0403_0201);
    assert_eq!(e(EndianOp::Swap, 16), 0x0807);
    assert_eq!(e(EndianOp::Swap, 64), 0x0807_0605_0403_0201);
}

#[test]
fn atomics() {
    let fetch_add = AtomicOp::Add { fetch: true };
    // 64-bit fetch-add: memory updated, old value in src.
    let mut d = 40u64.to_le_bytes();
    let p = [mov(2, 2), atomic(Size::DW, fetch_add, 1, 2, 0), ldx(Size::DW, 0, 1, 0), alur(W64, AluOp::Mul, 0, 2), EXIT];
    assert_eq!(run_mem(&p, &mut d).unwrap(), 42 * 40);
    // 32-bit forms touch 4 bytes and zero-extend the fetched value.
    let mut d = [0xff, 0xff, 0xff, 0xff, 7, 7, 7, 7];
    let p = [lddw(2, 0xaaaa_aaaa_0000_0001), atomic(Size::W, fetch_add, 1, 2, 0), movr(0, 2), EXIT];
    assert_eq!(run_mem(&p, &mut d).unwrap(), 0xffff_ffff);
    assert_eq!(d, [0, 0, 0, 0, 7, 7, 7, 7]);
    for (op, want) in [
        (AtomicOp::Or { fetch: false }, 0b1110),
        (AtomicOp::And { fetch: false }, 0b0100),
        (AtomicOp::Xor { fetch: false }, 0b1010),
        (AtomicOp::Xchg, 0b0110),
    ] {
        let mut d = 0b1100u64.to_le_bytes();
        let p = [mov(2, 0b0110), atomic(Size::DW, op, 1, 2, 0), ldx(Size::DW, 0, 1, 0), EXIT];
        assert_eq!(run_mem(&p, &mut d).unwrap(), want, "{op:?}");
    }
    // xchg returns the old value in src.
    let mut d = 9u64.to_le_bytes();
    assert_eq!(run_mem(&[mov(2, 5), atomic(Size::DW, AtomicOp::Xchg, 1, 2, 0), movr(0, 2), EXIT], &mut d).unwrap(), 9);
    assert_eq!(u64::from_le_bytes(d), 5);
}

#[test]
fn cmpxchg() {
    let cx = |size, r0: u64, mem: u64| {
        let mut d = mem.to_le_bytes();
        let p = [lddw(0, r0), mov(2, 77), atomic(size, AtomicOp::Cmpxchg, 1, 2, 0), EXIT];
        let got = run_mem(&p, &mut d).unwrap();
        (got, u64::from_le_bytes(d))
    };
    assert_eq!(cx(Size::DW, 5, 5), (5, 77), "match: store, r0 = old");
    assert_eq!(cx(Size::DW, 6, 5), (5, 5), "mismatch: no store, r0 = old");
    // 32-bit: compares the low half of r0, zero-extends the old value into r0.
    assert_eq!(cx(Size::W, 0xffff_ffff_0000_0005, 0x1234_5678_0000_0005), (5, 0x1234_5678_0000_004d));
    assert_eq!(cx(Size::W, 0xffff_ffff_8000_0000, 0xffff_ffff), (0xffff_ffff, 0xffff_ffff));
}

#[test]
fn atomics_need_write_permission_and_acquire_release_work() {
    let ro = 5u64.to_le_bytes();
    let mut mem = Memory::new();
    let a = mem.add_readonly(RegionKind::Other, &ro);
    let p = code(&[mov(2, 1), atomic(Size::DW, AtomicOp::Cmpxchg, 1, 2, 0), EXIT]);
    let f = Vm::new(&p, Options::default()).run(&mut mem, &mut NoHelpers, [a, 0, 0, 0, 0]).unwrap_err();
    assert_eq!(f.kind, FaultKind::Memory(AccessError::ReadOnly { addr: a, size: 8 }));
    let p = code(&[atomic(Size::H, AtomicOp::LoadAcquire, 0, 1, 0), EXIT]);
    assert_eq!(Vm::new(&p, Options::default()).run(&mut mem, &mut NoHelpers, [a, 0, 0, 0, 0]), Ok(5));
    let mut d = [0u8; 4];
    let p = [mov(2, 0x1ff), atomic(Size::B, AtomicOp::StoreRelease, 1, 2, 1), ldx(Size::W, 0, 1, 0), EXIT];
    assert_eq!(run_mem(&p, &mut d).unwrap(), 0xff00);
}

#[test]
fn jumps() {
    // JMP32 compares the low halves only.
    let p = |j| run(&[lddw(1, 0x1_0000_0005), mov(0, 0), j, mov(0, 1), EXIT]).unwrap();
    assert_eq!(p(jmp32(Cond::Eq, 1, 5, 1)), 0);
    assert_eq!(p(jmp(Cond::Eq, 1, 5, 1)), 1);
    // 64-bit immediates are sign-extended.
    assert_eq!(run(&[lddw(1, u64::MAX), mov(0, 0), jmp(Cond::Eq, 1, -1, 1), mov(0, 1), EXIT]).unwrap(), 0);
    assert_eq!(run(&[mov(1, -1), mov(0, 0), jmp(Cond::Sgt, 1, 0, 1), mov(0, 1), EXIT]).unwrap(), 1);
    assert_eq!(run(&[mov(1, -1), mov(0, 0), jmp(Cond::Gt, 1, 0, 1), mov(0, 1), EXIT]).unwrap(), 0);
    // gotol: a 32-bit offset in imm.
    assert_eq!(run(&[mov(0, 1), Insn::Ja { off: 1, long: true }, mov(0, 2), EXIT]).unwrap(), 1);
    // Backward jump: count to 10.
    let p = [mov(0, 0), alu(W64, AluOp::Add, 0, 1), jmp(Cond::Lt, 0, 10, -2), EXIT];
    assert_eq!(run(&p).unwrap(), 10);
}

#[test]
fn may_goto_falls_through_while_budget_lasts() {
    // r0 counts iterations; `may_goto` leaves the loop once the per-frame budget is spent.
    let p = [mov(0, 0), Insn::MayGoto { off: 2 }, alu(W64, AluOp::Add, 0, 1), ja(-3), EXIT];
    let small = Options { may_goto_loops: 10, ..Options::default() };
    assert_eq!(run_opts(&p, small, [0; 5]).unwrap(), 10);
    assert_eq!(run(&p).unwrap(), BPF_MAX_LOOPS);
    // Each frame starts with a fresh budget: a subprogram loop after the caller's.
    let p = [
        mov(0, 0),
        Insn::MayGoto { off: 2 },
        alu(W64, AluOp::Add, 0, 1),
        ja(-3),
        movr(6, 0),
        call_local(2),
        alur(W64, AluOp::Add, 0, 6),
        EXIT,
        // subprogram
        mov(0, 0),
        Insn::MayGoto { off: 2 },
        alu(W64, AluOp::Add, 0, 1),
        ja(-3),
        EXIT,
    ];
    assert_eq!(run_opts(&p, small, [0; 5]).unwrap(), 20);
}

#[test]
fn budget_and_falling_off() {
    let opts = Options { budget: 1000, ..Options::default() };
    let mut mem = Memory::new();
    let mut vm = Vm::new(&code(&[mov(0, 0), ja(-1)]), opts);
    let f = vm.run(&mut mem, &mut NoHelpers, [0; 5]).unwrap_err();
    assert_eq!(f.kind, FaultKind::Budget { limit: 1000 });
    assert_eq!(vm.stats().insns, 1000);
    let f = run(&[mov(0, 0)]).unwrap_err();
    assert_eq!((f.pc, f.insn, f.kind), (1, None, FaultKind::FellOffEnd));
    let f = run(&[mov(0, 0), jmp(Cond::Eq, 0, 1, -2)]).unwrap_err();
    assert_eq!(f.kind, FaultKind::FellOffEnd, "a not-taken jump at the end falls off");
}

#[test]
fn registers_default_to_kernel_semantics() {
    // r0 and r6-r9 start at 0; r10 is the top of frame 0 and may be overwritten.
    assert_eq!(run(&[alur(W64, AluOp::Or, 0, 6), EXIT]).unwrap(), 0);
    let mut mem = Memory::new();
    let p = code(&[alur(W64, AluOp::Or, 0, 10), EXIT]);
    let fp = Vm::new(&p, Options::default()).run(&mut mem, &mut NoHelpers, [0; 5]).unwrap();
    assert_eq!(fp, mem.stack_base() + STACK_BYTES as u64);
    assert_eq!(run(&[mov(10, 3), movr(0, 10), EXIT]).unwrap(), 3);
}

#[test]
fn strict_mode_refuses_uninitialized_reads_and_fp_writes() {
    // bpf_conformance negative/error.data: `or %r0, %r10` with r0 never written.
    let f = run_opts(&[alur(W64, AluOp::Or, 0, 10), EXIT], strict(), [0; 5]).unwrap_err();
    assert_eq!(f.kind, FaultKind::UninitRegister { reg: 0 });
    assert_eq!(f.to_string(), "fault at pc 0 (r0 |= r10): R0 !read_ok (read before write)");
    let f = run_opts(&[mov(10, 0), EXIT], strict(), [0; 5]).unwrap_err();
    assert_eq!(f.kind, FaultKind::FramePointerWrite);
    // Exit needs r0.
    let f = run_opts(&[EXIT], strict(), [0; 5]).unwrap_err();
    assert_eq!(f.kind, FaultKind::UninitRegister { reg: 0 });
    // Arguments are readable; mov does not read its destination.
    assert_eq!(run_opts(&[movr(0, 5), EXIT], strict(), [1, 2, 3, 4, 5]).unwrap(), 5);
    // After a call r1-r5 are clobbered.
    let p = [call_local(2), alur(W64, AluOp::Add, 0, 1), EXIT, mov(0, 1), EXIT];
    let f = run_opts(&p, strict(), [0; 5]).unwrap_err();
    assert_eq!((f.pc, f.kind), (1, FaultKind::UninitRegister { reg: 1 }));
}

#[test]
fn unaligned_accesses_are_allowed() {
    let mut d = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    assert_eq!(run_mem(&[ldx(Size::DW, 0, 1, 3), EXIT], &mut d).unwrap(), 0x0b0a_0908_0706_0504);
    assert_eq!(run_mem(&[st(Size::W, 1, 1, -1), ldx(Size::H, 0, 1, 4), EXIT], &mut d).unwrap(), 0x06ff);
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[test]
fn hostile_random_programs_end_in_a_value_or_a_fault() {
    // Random instructions drawn from the opcode table (reserved fields zero, small offsets so
    // that many targets land inside), run against a region, a packet and the conformance
    // helpers: every run must return (no panic, no overflow) within the budget.
    use hive_isa::table::{Field, Select, forms};
    let mut rng = Rng(0x5eed);
    let mut data = [0u8; 64];
    let (mut ran, mut faults) = (0, 0);
    let options = Options { budget: 10_000, may_goto_loops: 50, ..Options::default() };
    for _ in 0..100_000 {
        let len = 2 + (rng.next() % 14) as usize;
        let mut raw = Vec::new();
        while raw.len() < len {
            let w = rng.next();
            let form = &forms()[(w % forms().len() as u64) as usize];
            let value = |f: Field, v: i64| match f {
                Field::Zero | Field::Selector => 0,
                Field::Reg => v.rem_euclid(11),
                Field::Value => v,
            };
            let off = match (w >> 16) % 4 {
                0 => ((w >> 20) % 8) as i64 - 4,
                1 => (w >> 24) as i16 as i64,
                _ => ((w >> 20) % 16) as i64,
            };
            let imm = match (w >> 40) % 4 {
                0 => (w >> 32) as i32 as i64,
                1 => 5,
                _ => ((w >> 44) % 64) as i64 - 8,
            };
            let mut insn = hive_isa::RawInsn::new(
                form.code,
                value(form.fields.dst, (w >> 8) as i64 % 16) as u8,
                value(form.fields.src, (w >> 12) as i64 % 16) as u8,
                value(form.fields.off, off) as i16,
                value(form.fields.imm, imm) as i32,
            );
            match form.select {
                Select::None => {}
                Select::Off(v) => insn.off = v,
                Select::Imm(v) => insn.imm = v,
                Select::Src(v) => insn.src = v,
            }
            raw.push(insn);
            if form.code == 0x18 {
                raw.push(hive_isa::RawInsn::new(0, 0, 0, 0, (w >> 48) as i32));
            }
        }
        let Ok(code) = Code::decode(&raw) else { continue };
        let mut mem = Memory::new();
        let addr = mem.add_region(RegionKind::Input, &mut data);
        mem.set_packet(Packet::linear(addr, 64, 14));
        let mut helpers = HelperTable::conformance();
        let mut vm = Vm::new(&code, options);
        ran += 1;
        if vm.run(&mut mem, &mut helpers, [addr, 64, 0, 0, 0]).is_err() {
            faults += 1;
        }
        assert!(vm.stats().insns <= 10_000);
    }
    assert!(ran > 10_000, "only {ran} programs decoded");
    println!("random programs: {ran} ran, {faults} faulted");
}
