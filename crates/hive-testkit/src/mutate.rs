//! Programs near the edge of safety: a generated program with a few instructions changed.
//!
//! [`generate`](crate::generate) makes programs the kernel verifier accepts, which test the
//! engines and the verifier's *precision* (it must accept them too) but never its
//! *soundness*. A mutant of such a program differs in one to a few slots: a memory offset
//! moved past the end of the stack or context, an access widened, a register swapped for
//! another (a scalar used as a base, a pointer stored or returned), a jump retargeted, a
//! constant changed. Many mutants are still safe, many are not, and the verdict depends on
//! exactly the facts a verifier tracks, so comparing verifiers on them (Hive against the
//! kernel) and running every accepted mutant in the checked interpreter finds both kinds of
//! verifier bug: a wrong rejection and, far worse, an acceptance of a program that faults.
//!
//! Mutation keeps the number of slots and never touches an `lddw` pair, so the program
//! still decodes; whether it is well formed otherwise (jump targets, reserved fields) is for
//! the verifiers to judge.

use hive_isa::RawInsn;

use crate::generator::GeneratedProgram;
use crate::rng::Rng;

const CLASS_LDX: u8 = 0x01;
const CLASS_ST: u8 = 0x02;
const CLASS_STX: u8 = 0x03;
const CLASS_JMP: u8 = 0x05;
const CLASS_JMP32: u8 = 0x06;
const LDDW: u8 = 0x18;
const CALL: u8 = 0x85;
const EXIT: u8 = 0x95;

/// What one mutation did, for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutation {
    /// The slot changed.
    pub slot: usize,
    /// The slot before.
    pub before: RawInsn,
    /// The slot after.
    pub after: RawInsn,
}

/// `prog` with `count` slots changed, chosen by `seed`; the mutations are returned too.
/// The result keeps `prog`'s context and layout (its `seed` field is `seed`).
pub fn mutate(prog: &GeneratedProgram, seed: u64, count: usize) -> (GeneratedProgram, Vec<Mutation>) {
    let mut rng = Rng::new(seed ^ 0x005e_ed0f_d1ff);
    let mut raw = prog.raw.clone();
    let candidates: Vec<usize> = (0..raw.len()).filter(|&i| mutable(&raw, i)).collect();
    let mut done = Vec::new();
    if !candidates.is_empty() {
        for _ in 0..count {
            let slot = rng.pick(&candidates);
            let before = raw[slot];
            raw[slot] = mutate_slot(before, &mut rng);
            done.push(Mutation { slot, before, after: raw[slot] });
        }
    }
    let insns = hive_isa::Code::decode(&raw).map(|c| c.iter().map(|(_, i)| *i).collect()).unwrap_or_default();
    let description = format!("{} mutated at {:?}", prog.description, done.iter().map(|m| m.slot).collect::<Vec<_>>());
    (GeneratedProgram { seed, insns, raw, ctx_in: prog.ctx_in.clone(), layout: prog.layout, description }, done)
}

/// Slots that may change: not half of an `lddw`, not the final `exit`.
fn mutable(raw: &[RawInsn], i: usize) -> bool {
    let is_lddw = |j: usize| raw.get(j).is_some_and(|r| r.code == LDDW);
    !(is_lddw(i) || (i > 0 && is_lddw(i - 1)) || i + 1 == raw.len())
}

fn mutate_slot(mut r: RawInsn, rng: &mut Rng) -> RawInsn {
    let class = r.code & 0x07;
    let memory = matches!(class, CLASS_LDX | CLASS_ST | CLASS_STX);
    let jump = matches!(class, CLASS_JMP | CLASS_JMP32) && r.code != CALL && r.code != EXIT;
    match rng.below(8) {
        // Move a memory access: past the frame, into the next slot, misaligned, negative.
        0 | 1 if memory => {
            let delta = rng.pick(&[-520i32, -512, -64, -8, -4, -1, 1, 2, 4, 8, 64, 512]);
            r.off = (i32::from(r.off) + delta).clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        }
        // Change the access size (B, H, W, DW), keeping class and mode.
        2 if memory => r.code = (r.code & !0x18) | (rng.pick(&[0u8, 1, 2, 3]) << 3),
        // Retarget a jump by a little.
        0..=2 if jump => {
            r.off = r.off.wrapping_add(rng.pick(&[-2i16, -1, 1, 2]));
        }
        // Another base or source register (pointer confusion, uninitialised reads, r10).
        3 | 4 => {
            if rng.chance(50) {
                r.dst = rng.below(11) as u8;
            } else {
                r.src = rng.below(11) as u8;
            }
        }
        // Another constant: bounds that matter to range tracking.
        5 => {
            r.imm = rng.pick(&[0, 1, -1, 7, 8, 64, 255, 511, 512, 4096, i32::MAX, i32::MIN]);
        }
        // Replace the instruction with a register copy (drops a check or a store) ...
        6 => r = RawInsn::new(0xbf, rng.below(10) as u8, rng.below(11) as u8, 0, 0),
        // ... or with a constant load into a register.
        _ => r = RawInsn::new(0xb7, rng.below(10) as u8, 0, 0, rng.pick(&[0, 1, 8, -8, 512, -512])),
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GenConfig, generate};

    #[test]
    fn mutants_keep_their_shape_and_are_deterministic() {
        for seed in 0..200 {
            let p = generate(seed, &GenConfig::default());
            let (m, done) = mutate(&p, seed, 2);
            assert_eq!(m.raw.len(), p.raw.len());
            assert_eq!(done.len(), 2);
            assert_eq!(mutate(&p, seed, 2).0, m);
            for d in &done {
                assert!(p.raw[d.slot].code != LDDW && d.slot + 1 < p.raw.len());
            }
            let changed = (0..p.raw.len()).filter(|&i| p.raw[i] != m.raw[i]).count();
            assert!(changed <= 2);
        }
    }
}
