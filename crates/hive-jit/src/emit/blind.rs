//! Constant blinding ([`crate::JitOptions::blind_constants`]): no immediate the program
//! chose appears in the machine code.
//!
//! A program's immediates become bytes of executable memory at an address an attacker may
//! learn; chosen well, they decode as instructions of the attacker's own ("JIT spraying").
//! The kernel's `bpf_jit_blind_constants` rewrites each instruction with an immediate to go
//! through its scratch register `BPF_REG_AX`: `AX = imm ^ rnd; AX ^= rnd; dst op= AX`, with a
//! fresh random `rnd` per instruction. Hive does the same at the x86 level with its scratch
//! register `r11`: every emitter that would encode a program's immediate asks
//! [`imm_in_tmp`] for it in `r11` instead and uses the register form, and the groups
//! that fold immediates into other encodings (`lea` displacements, three-operand `imul`,
//! conditional moves of immediates) are not formed. Left in the clear are what the program
//! cannot choose freely: shift counts (6 bits), jump and memory offsets, the `2^k` and
//! `2^k - 1` of strength-reduced multiplications and divisions, helper ids, and the
//! embedder's own addresses and limits.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use hive_isa::Source;

use crate::compiler::{Compiler, asm};
use crate::regmap::{TMP, host};

/// The source of blinding keys: a xorshift generator seeded from the process's random
/// hash keys, a new stream per compilation.
#[derive(Clone, Debug)]
pub(crate) struct Blinding {
    state: u64,
}

impl Blinding {
    pub fn new() -> Self {
        Blinding { state: RandomState::new().hash_one(0x5eed_u64) | 1 }
    }

    fn key(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }
}

/// Whether the compiler blinds immediates.
pub(crate) fn on(c: &Compiler<'_>) -> bool {
    c.blinding.is_some()
}

/// Puts the immediate `imm` in `r11` (sign-extended to 64 bits, or zero-extended from 32 when
/// `!w64`) without encoding it: `mov r11, imm ^ key; xor r11, key`. Returns `r11`. Clobbers
/// the flags.
pub(crate) fn imm_in_tmp(c: &mut Compiler<'_>, w64: bool, imm: i32) -> u8 {
    let key = c.blinding.as_mut().map_or(0, Blinding::key) as i32;
    let masked = imm ^ key;
    if w64 {
        // Both immediates are sign-extended, and sext(a) ^ sext(b) = sext(a ^ b).
        asm!(c.ops, ; mov Rq(TMP), DWORD masked ; xor Rq(TMP), DWORD key);
    } else {
        asm!(c.ops, ; mov Rd(TMP), masked ; xor Rd(TMP), key);
    }
    TMP
}

/// The x86 operand of a BPF source operand.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Operand {
    /// A register: the BPF register's, or `r11` holding a blinded immediate.
    Reg(u8),
    /// An immediate to encode.
    Imm(i32),
}

/// `src` as an x86 operand: a BPF register's host register; a non-zero immediate in `r11`
/// ([`imm_in_tmp`], sign-extended when `w64`) when the compiler blinds constants and the
/// caller's encoding would carry it (`carried`); else the immediate itself.
pub(crate) fn operand(c: &mut Compiler<'_>, w64: bool, src: Source, carried: bool) -> Operand {
    match src {
        Source::Reg(s) => Operand::Reg(host(s)),
        Source::Imm(i) if i != 0 && carried && on(c) => Operand::Reg(imm_in_tmp(c, w64, i)),
        Source::Imm(i) => Operand::Imm(i),
    }
}

/// `d = v` without encoding `v`: `mov d, v ^ key; mov r11, key; xor d, r11`.
pub(crate) fn load_const(c: &mut Compiler<'_>, d: u8, v: u64) {
    let key = c.blinding.as_mut().map_or(0, Blinding::key);
    asm!(c.ops, ; mov Rq(d), QWORD (v ^ key) as i64 ; mov Rq(TMP), QWORD key as i64 ; xor Rq(d), Rq(TMP));
}
