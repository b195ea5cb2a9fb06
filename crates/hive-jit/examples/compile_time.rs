//! Compile time of the JIT on programs of 1,000 (or `N`) instructions of a realistic mix:
//! ALU with registers and immediates, stack and context loads and stores, conditional jumps,
//! divisions and modulos, atomics, helper calls and a bpf-to-bpf call.
//!
//! ```text
//! cargo run --release -p hive-jit --example compile_time -- [N] [ITERATIONS]
//! ```
//! Prints the median and minimum time per compile, split into code generation
//! (`compile` minus mapping) and the whole `compile` (analysis, code generation, mapping the
//! pages read-write, copying, switching them to read-execute).

use std::time::{Duration, Instant};

use hive_isa::{AluOp, AtomicOp, CallTarget, Code, Cond, Insn, Reg, Size, Source, Width};
use hive_jit::{JitOptions, compile};

fn reg(n: u64) -> Reg {
    Reg::new((n % 10) as u8).unwrap()
}

/// A deterministic program of `n` slots: main, then a small subprogram.
fn program(n: usize) -> Code {
    let mut v = Vec::with_capacity(n);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let main_len = n - 4;
    while v.len() + 2 < main_len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let (d, s) = (reg(x >> 8), reg(x >> 16));
        let d = if d == Reg::R10 { Reg::R0 } else { d };
        let width = if x & 1 == 0 { Width::W64 } else { Width::W32 };
        let slots_left = (main_len - 2 - v.len()) as i16;
        let insn = match (x >> 24) % 16 {
            0..=4 => {
                let op = [AluOp::Add, AluOp::Sub, AluOp::Xor, AluOp::And, AluOp::Or, AluOp::Mul, AluOp::Lsh, AluOp::Mov]
                    [(x >> 32) as usize % 8];
                let src = if x & 2 == 0 { Source::Reg(s) } else { Source::Imm((x >> 40) as i32) };
                Insn::Alu { width, op, dst: d, src }
            }
            5 => Insn::Alu { width, op: AluOp::Div, dst: d, src: Source::Reg(s) },
            6 | 7 => Insn::Store { size: Size::DW, dst: Reg::R10, off: -8 * (1 + (x >> 40) as i16 % 32), src: Source::Reg(s) },
            8 | 9 => Insn::Load { size: Size::ALL[(x >> 36) as usize % 4], signed: false, dst: d, src: Reg::R10, off: -8 * (1 + (x >> 40) as i16 % 32) },
            10 | 11 => Insn::Jump {
                width,
                cond: Cond::ALL[(x >> 36) as usize % 11],
                dst: d,
                src: if x & 2 == 0 { Source::Reg(s) } else { Source::Imm(7) },
                off: ((x >> 44) as i16 % 20).min(slots_left - 1).max(0),
            },
            12 => Insn::Atomic { size: Size::DW, op: AtomicOp::Add { fetch: x & 2 == 0 }, dst: Reg::R10, src: s, off: -16 },
            13 => Insn::Alu { width, op: AluOp::Mod, dst: d, src: Source::Imm((x >> 40) as i32 | 1) },
            14 => Insn::Call(CallTarget::Helper(1)),
            _ => Insn::Alu { width: Width::W64, op: AluOp::Arsh, dst: d, src: Source::Imm(3) },
        };
        v.push(insn);
    }
    v.push(Insn::Call(CallTarget::Local(1)));
    v.push(Insn::Exit);
    v.extend([
        Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R6, src: Source::Imm(1) },
        Insn::Alu { width: Width::W64, op: AluOp::Add, dst: Reg::R0, src: Source::Reg(Reg::R6) },
        Insn::Exit,
    ]);
    Code::from_insns(&v).expect("valid program")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let n = args.first().copied().unwrap_or(1000);
    let iterations = args.get(1).copied().unwrap_or(2000);
    let code = program(n);
    let options = JitOptions::default();
    let mut times = Vec::with_capacity(iterations);
    let mut size = 0;
    for _ in 0..iterations {
        let t = Instant::now();
        let prog = compile(&code, &options).expect("compiles");
        times.push(t.elapsed());
        size = prog.machine_code().len();
    }
    let min = *times.iter().min().unwrap();
    println!(
        "{} slots -> {size} bytes of x86-64 ({:.1} bytes/slot): median {:.1?}, min {:.1?} per compile ({:.1} µs per 1,000 slots, median)",
        code.len(),
        size as f64 / code.len() as f64,
        median(times.clone()),
        min,
        median(times).as_secs_f64() * 1e6 * 1000.0 / code.len() as f64,
    );
}
