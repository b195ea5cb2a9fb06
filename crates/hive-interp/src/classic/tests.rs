use super::*;
use crate::{Memory, NoHelpers, Options, Packet, RegionKind, Vm};

fn ins(code: u16, jt: u8, jf: u8, k: u32) -> ClassicInsn {
    ClassicInsn::new(code, jt, jf, k)
}

/// Runs `filter` on a packet with an skb context whose `len` is the packet length.
fn run(filter: &[ClassicInsn], packet: &[u8]) -> u64 {
    let code = convert(filter).unwrap();
    let mut data = packet.to_vec();
    let mut ctx = [0u8; skb::SIZE];
    ctx[..4].copy_from_slice(&(packet.len() as u32).to_le_bytes());
    let mut mem = Memory::new();
    let c = mem.add_region(RegionKind::Context, &mut ctx);
    let d = mem.add_region(RegionKind::Packet, &mut data);
    mem.set_packet(Packet { ctx: Some(c), ..Packet::linear(d, packet.len(), 14) });
    let mut helpers = skb::ClassicHelpers::new(NoHelpers);
    Vm::new(&code, Options::default()).run(&mut mem, &mut helpers, [c, 0, 0, 0, 0]).unwrap()
}

#[test]
fn checks_refuse_like_the_kernel() {
    let ret = ins(0x06, 0, 0, 0);
    assert_eq!(check(&[]), Err(ClassicError::Length { len: 0 }));
    assert_eq!(check(&[ins(0x00, 0, 0, 1)]), Err(ClassicError::MissingRet));
    assert_eq!(check(&[ins(0x34, 0, 0, 0), ret]), Err(ClassicError::DivisionByZero { pc: 0 }));
    assert_eq!(check(&[ins(0x64, 0, 0, 32), ret]), Err(ClassicError::ShiftTooLarge { pc: 0, k: 32 }));
    assert_eq!(check(&[ins(0x21, 0, 0, 0), ret]), Err(ClassicError::UnknownOpcode { pc: 0, code: 0x21 }));
    assert_eq!(check(&[ins(0x0e, 0, 0, 0)]), Err(ClassicError::UnknownOpcode { pc: 0, code: 0x0e }));
    assert_eq!(check(&[ins(0x03, 0, 0, 16), ret]), Err(ClassicError::ScratchIndex { pc: 0, k: 16 }));
    assert_eq!(check(&[ins(0x05, 0, 0, 1), ret]), Err(ClassicError::JumpOutOfRange { pc: 0 }));
    assert_eq!(check(&[ins(0x15, 1, 0, 1), ret]), Err(ClassicError::JumpOutOfRange { pc: 0 }));
    assert_eq!(check(&[ins(0x20, 0, 0, -1i32 as u32), ret]), Err(ClassicError::UnknownAncillary { pc: 0, k: u32::MAX }));
    assert_eq!(check(&[ins(0x60, 0, 0, 3), ret]), Err(ClassicError::UninitScratch { pc: 0, k: 3 }));
    // Stored on one path only.
    let p = [ins(0x15, 0, 1, 0), ins(0x02, 0, 0, 3), ins(0x60, 0, 0, 3), ret];
    assert_eq!(check(&p), Err(ClassicError::UninitScratch { pc: 2, k: 3 }));
    assert_eq!(check(&vec![ret; BPF_MAXINSNS + 1]), Err(ClassicError::Length { len: 4097 }));
}

#[test]
fn arithmetic_scratch_and_jumps() {
    // A = 7; X = A; A *= 3; M[2] = A; A = X; A = M[2]; A -= X; ret A  -> 14
    let p = [
        ins(0x00, 0, 0, 7),
        ins(0x07, 0, 0, 0),
        ins(0x24, 0, 0, 3),
        ins(0x02, 0, 0, 2),
        ins(0x87, 0, 0, 0),
        ins(0x60, 0, 0, 2),
        ins(0x1c, 0, 0, 0),
        ins(0x16, 0, 0, 0),
    ];
    assert_eq!(run(&p, &[]), 14);
    // Division by X == 0 returns 0.
    assert_eq!(run(&[ins(0x00, 0, 0, 7), ins(0x3c, 0, 0, 0), ins(0x06, 0, 0, 1)], &[]), 0);
    // jgt with jt/jf, 32-bit unsigned compare against k.
    let p = |a: u32| [ins(0x00, 0, 0, a), ins(0x25, 1, 0, 0x8000_0000), ins(0x06, 0, 0, 1), ins(0x06, 0, 0, 2)];
    assert_eq!(run(&p(0x8000_0001), &[]), 2);
    assert_eq!(run(&p(5), &[]), 1);
}

#[test]
fn packet_loads_len_and_msh() {
    let pkt: Vec<u8> = (0..40).collect();
    assert_eq!(run(&[ins(0x28, 0, 0, 2), ins(0x16, 0, 0, 0)], &pkt), 0x0203);
    assert_eq!(run(&[ins(0x80, 0, 0, 0), ins(0x16, 0, 0, 0)], &pkt), 40);
    // X = 4 * (P[3] & 0xf) = 12 keeps A; then ld [X + 1].
    let p = [ins(0x00, 0, 0, 99), ins(0xb1, 0, 0, 3), ins(0x16, 0, 0, 0)];
    assert_eq!(run(&p, &pkt), 99);
    let p = [ins(0x00, 0, 0, 99), ins(0xb1, 0, 0, 3), ins(0x50, 0, 0, 1), ins(0x16, 0, 0, 0)];
    assert_eq!(run(&p, &pkt), 13);
    // Out of bounds returns 0.
    assert_eq!(run(&[ins(0x20, 0, 0, 38), ins(0x06, 0, 0, 5)], &pkt), 0);
}

#[test]
fn long_jumps_convert_with_gotol() {
    // Many MSH before the end make the conditional and unconditional jumps exceed 16 bits.
    let mut p = vec![ins(0x15, 0, 0, 1), ins(0x05, 0, 0, 0)];
    p[1].k = (BPF_MAXINSNS - 4) as u32;
    let n = p[1].k as usize;
    p.extend(std::iter::repeat_n(ins(0xb1, 0, 0, 0), n));
    p.push(ins(0x06, 0, 0, 0xab));
    p.push(ins(0x06, 0, 0, 0xcd));
    p[0].jt = 1; // A == 1? no: A = 0, so fall into the ja
    let code = convert(&p).unwrap();
    assert!(code.len() > 6 * n);
    assert_eq!(run(&p, &[0; 20]), 0xab);
}
