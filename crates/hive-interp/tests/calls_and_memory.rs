//! Calls (local, helper, kfunc, callx), stack frames, packet loads and memory faults.

mod common;
use common::*;
use Width::W64;

#[test]
fn local_calls_pass_args_and_preserve_callee_saved() {
    // bpf_conformance call_local.data in spirit.
    let mut p = vec![mov(0, 0)];
    p.extend((1..=9).map(|i| mov(i, i as i32)));
    p.extend([
        call_local(7),
        jmp(Cond::Ne, 0, 15, 4),
        jmp(Cond::Ne, 6, 6, 3),
        jmp(Cond::Ne, 9, 9, 2),
        jmp(Cond::Ne, 5, 5, 1), // the kernel interpreter keeps the caller's r1-r5 too
        EXIT,
        mov(0, -1),
        EXIT,
    ]);
    // callee: r0 = r1 + .. + r5 + r6 (r6 starts at 0 in a new frame); clobber r6-r9.
    p.extend([
        movr(0, 1),
        alur(W64, AluOp::Add, 0, 2),
        alur(W64, AluOp::Add, 0, 3),
        alur(W64, AluOp::Add, 0, 4),
        alur(W64, AluOp::Add, 0, 5),
        alur(W64, AluOp::Add, 0, 6),
        mov(6, 0),
        mov(9, 0),
        EXIT,
    ]);
    assert_eq!(run(&p).unwrap(), 15);
}

#[test]
fn frames_are_fresh_isolated_and_die_on_return() {
    let p = [
        st(Size::DW, 10, -8, 11),
        movr(1, 10),
        call_local(4),
        ldx(Size::DW, 0, 10, -8), // still 11: the callee wrote its own fp-8
        alur(W64, AluOp::Add, 0, 7),
        EXIT,
        // callee: fp-8 starts zeroed; it may read the caller's slot through r1.
        ldx(Size::DW, 7, 10, -8),
        st(Size::DW, 10, -8, 99),
        ldx(Size::DW, 0, 1, -8),
        EXIT,
    ];
    // r7 in the caller is 0 (restored), so r0 = 11 + 0.
    assert_eq!(run(&p).unwrap(), 11);
    // A callee's frame is dead once it returned.
    let p = [call_local(2), ldx(Size::DW, 0, 0, -8), EXIT, movr(0, 10), EXIT];
    let f = run(&p).unwrap_err();
    assert_eq!(f.pc, 1);
    assert!(matches!(f.kind, FaultKind::Memory(AccessError::Unmapped { access: Access::Read, size: 8, .. })));
    // Above frame 0's top there is nothing.
    assert!(run(&[ldx(Size::B, 0, 10, 0), EXIT]).is_err());
    assert!(run(&[ldx(Size::B, 0, 10, -512), EXIT]).is_ok());
    assert!(run(&[ldx(Size::B, 0, 10, -513), EXIT]).is_err());
}

#[test]
fn call_depth_is_limited_to_eight_frames() {
    // f(n): if n == 0 return 0; return f(n - 1) + 1, entered with r1 = depth wanted.
    let p = |n| {
        [mov(1, n), call_local(1), EXIT, jmp(Cond::Eq, 1, 0, 4), alu(W64, AluOp::Sub, 1, 1), call_local(-3), alu(W64, AluOp::Add, 0, 1), EXIT, mov(0, 0), EXIT]
    };
    let mut mem = Memory::new();
    let mut vm = Vm::new(&code(&p(6)), Options::default());
    assert_eq!(vm.run(&mut mem, &mut NoHelpers, [0; 5]), Ok(6));
    assert_eq!(vm.stats().max_depth, 7, "main + 7 nested frames");
    let f = run(&p(7)).unwrap_err();
    assert_eq!(f.kind, FaultKind::CallDepth { limit: 8 });
    assert_eq!(f.insn, Some(call_local(-3)));
}

#[test]
fn helpers_unwind_and_callx() {
    // callx.data: `mov r2, 5; call r2` calls helper 5.
    let callx = [mov(1, -1), mov(2, 5), Insn::CallX { reg: r(2) }, mov(0, 2), EXIT];
    let mut mem = Memory::new();
    let mut table = HelperTable::conformance();
    assert_eq!(Vm::new(&code(&callx), Options::default()).run(&mut mem, &mut table, [0; 5]), Ok(2));
    // unwind with r1 = 0 ends the program with 0, even from a subprogram.
    let p = [call_local(2), mov(0, 2), EXIT, mov(1, 0), call(UNWIND_HELPER), mov(0, 3), EXIT];
    assert_eq!(Vm::new(&code(&p), Options::default()).run(&mut mem, &mut table, [0; 5]), Ok(0));
    // Unknown helpers fault.
    let f = Vm::new(&code(&[call(7), EXIT]), Options::default()).run(&mut mem, &mut table, [0; 5]).unwrap_err();
    assert_eq!(f.kind, FaultKind::Helper { id: 7, error: HelperError::Unknown });
    let f = run(&[lddw(2, 1 << 40), Insn::CallX { reg: r(2) }, EXIT]).unwrap_err();
    assert_eq!(f.kind, FaultKind::BadCallxTarget { value: 1 << 40, what: "helper id" });
}

#[test]
fn callx_insn_index_mode_calls_subprograms() {
    let opts = Options { callx: CallxMode::InsnIndex, ..Options::default() };
    let func = Insn::LdImm64 { dst: r(2), pseudo: Pseudo::Func, imm: 3, next_imm: 0 };
    // slots: 0-1 lddw, 2 callx, 3 exit, 4 (target = 0 + 1 + 3) mov r0, 42, 5 exit
    let p = [func, Insn::CallX { reg: r(2) }, EXIT, mov(0, 42), EXIT];
    assert_eq!(run_opts(&p, opts, [0; 5]).unwrap(), 42);
    // Slot 0 is an instruction start: the program calls itself until the frames run out.
    let f = run_opts(&[lddw(2, 0), Insn::CallX { reg: r(2) }, EXIT], opts, [0; 5]).unwrap_err();
    assert_eq!(f.kind, FaultKind::CallDepth { limit: 8 });
    let f = run_opts(&[lddw(2, 1), Insn::CallX { reg: r(2) }, EXIT], opts, [0; 5]).unwrap_err();
    assert_eq!(f.kind, FaultKind::BadCallxTarget { value: 1, what: "instruction index" }, "inside an lddw");
}

#[test]
fn helpers_reach_memory_through_memory() {
    // Helper 1 sums the n bytes at r1; it may read the stack.
    let mut table = HelperTable::new();
    table.add_helper(1, |a, mem| Ok(Flow::Return(mem.read(a[0], a[1] as usize)?.iter().map(|&b| b as u64).sum())));
    table.add_kfunc(1234, 0, |a, mem| {
        mem.write(a[0], &[7; 4])?;
        Ok(Flow::Return(0))
    });
    let kf = Insn::Call(CallTarget::Kfunc { btf_id: 1234, off: 0 });
    let p = [
        st(Size::DW, 10, -8, 0x0102_0304),
        movr(1, 10),
        alu(W64, AluOp::Add, 1, -8),
        mov(2, 8),
        call(1),
        movr(6, 0),
        movr(1, 10),
        alu(W64, AluOp::Add, 1, -4),
        kf,
        ldx(Size::W, 0, 10, -4),
        alur(W64, AluOp::Add, 0, 6),
        EXIT,
    ];
    let mut mem = Memory::new();
    assert_eq!(Vm::new(&code(&p), Options::default()).run(&mut mem, &mut table, [0; 5]), Ok(0x0707_0707 + 10));
    // A helper reading outside the regions faults, naming the helper.
    let p = [mov(1, 0), mov(2, 1), call(1), EXIT];
    let f = Vm::new(&code(&p), Options::default()).run(&mut mem, &mut table, [0; 5]).unwrap_err();
    assert!(matches!(f.kind, FaultKind::Helper { id: 1, error: HelperError::Memory(_) }), "{f}");
    let f = Vm::new(&code(&[Insn::Call(CallTarget::Kfunc { btf_id: 1, off: 2 }), EXIT]), Options::default())
        .run(&mut mem, &mut table, [0; 5])
        .unwrap_err();
    assert_eq!(f.kind, FaultKind::Kfunc { btf_id: 1, module: 2, error: HelperError::Unknown });
}

#[test]
fn out_of_bounds_accesses_fault_with_address_size_and_direction() {
    let mut d = [0u8; 16];
    let f = run_mem(&[ldx(Size::DW, 0, 1, 9), EXIT], &mut d).unwrap_err();
    let FaultKind::Memory(AccessError::Unmapped { addr, size: 8, access: Access::Read }) = f.kind else { panic!("{f}") };
    assert_eq!(f.pc, 0);
    let msg = f.to_string();
    assert!(msg.starts_with("fault at pc 0 (r0 = *(u64 *)(r1 + 9)): read of 8 bytes at "), "{msg}");
    assert!(msg.contains(&format!("{addr:#x}")));
    // Below the region, NULL, and address arithmetic that wraps around.
    assert!(run_mem(&[ldx(Size::B, 0, 1, -1), EXIT], &mut d).is_err());
    assert!(run(&[ldx(Size::B, 0, 1, 0), EXIT]).is_err());
    let f = run(&[lddw(1, u64::MAX - 2), stx(Size::W, 1, 0, 1), EXIT]).unwrap_err();
    assert_eq!(f.kind, FaultKind::Memory(AccessError::Unmapped { addr: u64::MAX - 2, size: 4, access: Access::Write }));
    let f = run_mem(&[lddw(2, u64::MAX), alur(W64, AluOp::Add, 1, 2), ldx(Size::B, 0, 1, 1), EXIT], &mut d);
    assert_eq!(f, Ok(0), "r1 - 1 + 1 wraps back into the region");
    assert!(run_mem(&[lddw(2, 1 << 63), alur(W64, AluOp::Add, 1, 2), ldx(Size::B, 0, 1, 0), EXIT], &mut d).is_err());
    // The last byte is fine, one past is not.
    assert!(run_mem(&[ldx(Size::B, 0, 1, 15), EXIT], &mut d).is_ok());
    assert!(run_mem(&[ldx(Size::H, 0, 1, 15), EXIT], &mut d).is_err());
    // Read-only regions refuse stores.
    let ro = [1u8; 4];
    let mut mem = Memory::new();
    let a = mem.add_readonly(RegionKind::Context, &ro);
    let p = code(&[st(Size::B, 1, 0, 0), EXIT]);
    let f = Vm::new(&p, Options::default()).run(&mut mem, &mut NoHelpers, [a, 0, 0, 0, 0]).unwrap_err();
    assert_eq!(f.kind, FaultKind::Memory(AccessError::ReadOnly { addr: a, size: 1 }));
}

#[test]
fn unresolved_pseudo_lddw_faults() {
    let p = [Insn::LdImm64 { dst: r(1), pseudo: Pseudo::MapFd, imm: 3, next_imm: 0 }, mov(0, 0), EXIT];
    let f = run(&p).unwrap_err();
    assert_eq!(f.kind, FaultKind::UnresolvedPseudo { pseudo: Pseudo::MapFd });
}

fn ld_abs(size: Size, imm: i32) -> Insn {
    Insn::LoadPacket { mode: PacketMode::Abs, size, src: r(0), imm }
}

fn ld_ind(size: Size, src: u8, imm: i32) -> Insn {
    Insn::LoadPacket { mode: PacketMode::Ind, size, src: r(src), imm }
}

/// Runs with a 20-byte packet 0x00, 0x01, ... (network header at 14), `frags` after it and
/// the skb context in r1 and r6.
fn run_packet(insns: &[Insn], frags: &[u8]) -> Result<u64, Fault> {
    let mut data: Vec<u8> = (0..20).collect();
    let mut skb = [0u8; 64];
    let mut mem = Memory::new();
    let ctx = mem.add_region(RegionKind::Context, &mut skb);
    let addr = mem.add_region(RegionKind::Packet, &mut data);
    mem.set_packet(Packet { frags, ctx: Some(ctx), ..Packet::linear(addr, 20, 14) });
    let mut p = vec![movr(6, 1)];
    p.extend_from_slice(insns);
    Vm::new(&code(&p), Options::default()).run(&mut mem, &mut NoHelpers, [ctx, 0, 0, 0, 0])
}

#[test]
fn legacy_packet_loads() {
    assert_eq!(run_packet(&[ld_abs(Size::B, 3), EXIT], &[]), Ok(3));
    assert_eq!(run_packet(&[ld_abs(Size::H, 3), EXIT], &[]), Ok(0x0304), "network byte order");
    assert_eq!(run_packet(&[ld_abs(Size::W, 16), EXIT], &[]), Ok(0x1011_1213));
    // Out of bounds ends the program with 0.
    assert_eq!(run_packet(&[ld_abs(Size::W, 17), mov(0, 9), EXIT], &[]), Ok(0));
    assert_eq!(run_packet(&[ld_abs(Size::B, i32::MAX), mov(0, 9), EXIT], &[]), Ok(0));
    // Fragments follow the linear data.
    assert_eq!(run_packet(&[ld_abs(Size::W, 18), EXIT], &[0xaa, 0xbb, 0xcc]), Ok(0x1213_aabb));
    assert_eq!(run_packet(&[ld_abs(Size::B, 22), EXIT], &[0xaa, 0xbb, 0xcc]), Ok(0xcc));
    // LD_IND: src + imm as a 32-bit int.
    assert_eq!(run_packet(&[mov(7, 2), ld_ind(Size::H, 7, 3), EXIT], &[]), Ok(0x0506));
    assert_eq!(run_packet(&[lddw(7, 0x1_0000_0002), ld_ind(Size::B, 7, 3), EXIT], &[]), Ok(5));
    assert_eq!(run_packet(&[mov(7, -1), ld_ind(Size::B, 7, 3), EXIT], &[]), Ok(2));
    // Negative offsets: SKF_NET_OFF is relative to the network header, SKF_LL_OFF to the MAC.
    let net = packet::SKF_NET_OFF;
    let ll = packet::SKF_LL_OFF;
    assert_eq!(run_packet(&[ld_abs(Size::H, net + 2), EXIT], &[]), Ok(0x1011));
    assert_eq!(run_packet(&[ld_abs(Size::B, ll + 1), EXIT], &[]), Ok(1));
    assert_eq!(run_packet(&[ld_abs(Size::W, net + 3), mov(0, 9), EXIT], &[]), Ok(0), "past the linear tail");
    assert_eq!(run_packet(&[ld_abs(Size::B, ll - 1), mov(0, 9), EXIT], &[]), Ok(0), "below SKF_LL_OFF");
    assert_eq!(run_packet(&[ld_abs(Size::B, -1), mov(0, 9), EXIT], &[]), Ok(0), "SKF_NET_OFF + 0xfffff");
}

#[test]
fn legacy_packet_load_side_effects_and_faults() {
    // r1 = r6 (the context) and r2 = the offset afterwards, like the kernel's rewrite.
    let r1 = run_packet(&[mov(1, 0), ld_abs(Size::B, 0), movr(0, 1), EXIT], &[]).unwrap();
    assert_ne!(r1, 0);
    assert_eq!(run_packet(&[mov(7, 4), ld_ind(Size::B, 7, 1), movr(0, 2), EXIT], &[]), Ok(5));
    // A failing load in a subprogram returns 0 from that subprogram only.
    // (A new frame starts with r6 = 0, so the subprogram sets it from r1 first.)
    let p = [call_local(2), alu(W64, AluOp::Add, 0, 100), EXIT, movr(6, 1), ld_abs(Size::B, 99), EXIT];
    assert_eq!(run_packet(&p, &[]), Ok(100));
    // r6 must be the context.
    let f = run_packet(&[mov(6, 0), ld_abs(Size::B, 0), EXIT], &[]).unwrap_err();
    assert_eq!(f.kind, FaultKind::PacketContext { r6: 0 });
    // No packet at all.
    let f = run(&[ld_abs(Size::B, 0), EXIT]).unwrap_err();
    assert_eq!(f.kind, FaultKind::NoPacket);
}
