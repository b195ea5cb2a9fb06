//! `LD_ABS`/`LD_IND` against the interpreter: linear data, fragments, negative offsets,
//! failures (which return 0 from the current function) and faults.

mod common;
use common::*;
use hive_interp::{Fault, FaultKind, Memory, NoHelpers, Options, Packet, RegionKind, Vm};
use hive_jit::{JitOptions, compile};

#[derive(Clone, Copy)]
enum Setup {
    Packet,
    NoPacket,
}

#[allow(unsafe_code)]
fn run(on_jit: bool, code: &Code, setup: Setup) -> Result<u64, Fault> {
    let mut ctx = [0u8; 32];
    let mut data: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
    let frags: Vec<u8> = (0..40u8).map(|i| 0xf0 ^ i).collect();
    let mut mem = Memory::new();
    let c = mem.add_region(RegionKind::Context, &mut ctx);
    let d = mem.add_region(RegionKind::Packet, &mut data);
    if let Setup::Packet = setup {
        mem.set_packet(Packet { ctx: Some(c), frags: &frags, ..Packet::linear(d, 64, 14) });
    }
    if on_jit {
        let prog = compile(code, &JitOptions::default()).unwrap();
        // SAFETY: the programs only read the packet through LD_ABS/LD_IND.
        unsafe { prog.run(&mut mem, &mut NoHelpers, [c, 0, 0, 0, 0]) }
    } else {
        Vm::new(code, Options::default()).run(&mut mem, &mut NoHelpers, [c, 0, 0, 0, 0])
    }
}

fn both(src: &str, setup: Setup) -> Result<u64, Fault> {
    let code = asm(src);
    let (a, b) = (run(false, &code, setup), run(true, &code, setup));
    assert_eq!(a, b, "{src}");
    b
}

#[test]
fn loads_in_network_order() {
    let mut src = String::from("r6 = r1\nr7 = 0\n");
    for (size, k) in [("u8", 0), ("u16", 3), ("u32", 5), ("u32", 60), ("u16", 63), ("u32", 62), ("u32", 100)] {
        src += &format!("r0 = *({size} *)skb[{k}]\nr7 <<= 5\nr7 ^= r0\n");
    }
    src += "r0 = r7\nexit";
    both(&src, Setup::Packet).unwrap();
}

#[test]
fn indirect_and_negative_offsets() {
    for base in [0i64, 7, 63, 64, 100, 103, 104, 200, -1, -0x100000, -0x100000 + 2, -0x200000, -0x200000 + 62, -0x300000] {
        for imm in [0, 1, -1, 3] {
            for size in ["u8", "u16", "u32"] {
                let src = format!(
                    "r6 = r1\nr2 = {base} ll\nr0 = *({size} *)skb[r2 + {imm}]\nr0 += 1\nexit"
                );
                let src = src.replace("+ -1]", "- 1]");
                both(&src, Setup::Packet).unwrap();
            }
        }
    }
}

#[test]
fn a_failed_load_returns_zero_from_the_current_function() {
    assert_eq!(both("r6 = r1\nr0 = 5\nr0 = *(u32 *)skb[1000]\nr0 = 7\nexit", Setup::Packet), Ok(0));
    let sub = "r6 = r1\ncall f\nr0 += 100\nexit\nf:\nr6 = r1\nr0 = *(u32 *)skb[1000]\nr0 = 7\nexit";
    assert_eq!(both(sub, Setup::Packet), Ok(100));
}

#[test]
fn faults_match() {
    let e = both("r6 = r1\nr0 = *(u8 *)skb[0]\nexit", Setup::NoPacket).unwrap_err();
    assert_eq!(e.kind, FaultKind::NoPacket);
    assert_eq!(e.pc, 1);
    let e = both("r6 = 0\nr0 = *(u8 *)skb[0]\nexit", Setup::Packet).unwrap_err();
    assert_eq!(e.kind, FaultKind::PacketContext { r6: 0 });
}
