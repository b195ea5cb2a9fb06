//! A frame's stack: 8-byte slots, each byte invalid (never written), unknown data, a known
//! zero, part of a spilled register or part of an open-coded iterator (`STACK_INVALID`,
//! `STACK_MISC`, `STACK_ZERO`, `STACK_SPILL`, `STACK_ITER`).
//!
//! An iterator slot (`bpf_iter_num_new` to `_destroy`) holds the generation of the iterator
//! in `spill.id` (a fresh id per `_new`); only the iterator kfuncs touch its bytes.
//!
//! A spill always starts at a slot boundary: an 8-byte store of any register there, or a
//! narrower store of a scalar, keeps the register's full abstract value in the slot; a
//! narrower store elsewhere only marks bytes. Byte `k` of slot `i` is the byte at
//! `fp - 8(i+1) + k`, so a spill of `n` bytes covers bytes `0..n`.

use super::reg::Reg;

/// What one stack byte holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Byte {
    /// Never written (`STACK_INVALID`).
    Invalid,
    /// Some data (`STACK_MISC`).
    Misc,
    /// A zero (`STACK_ZERO`).
    Zero,
    /// Part of the spilled register (`STACK_SPILL`).
    Spill,
    /// Part of an open-coded iterator's state (`STACK_ITER`).
    Iter,
}

impl Byte {
    /// The kernel's letter for the byte in logs.
    pub fn letter(self) -> char {
        match self {
            Byte::Invalid => '?',
            Byte::Misc => 'm',
            Byte::Zero => '0',
            Byte::Spill => 'r',
            Byte::Iter => 'i',
        }
    }

    /// Whether reading it yields data (not an uninitialised read).
    pub fn is_init(self) -> bool {
        self != Byte::Invalid
    }
}

/// One 8-byte stack slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slot {
    /// The bytes, lowest address first.
    pub bytes: [Byte; 8],
    /// The spilled register when `bytes[0]` is [`Byte::Spill`].
    pub spill: Reg,
}

impl Slot {
    /// A slot never written.
    pub const EMPTY: Slot = Slot { bytes: [Byte::Invalid; 8], spill: Reg::NOT_INIT };

    /// An initialised iterator of generation `generation`.
    pub fn iter(generation: u32) -> Slot {
        Slot { bytes: [Byte::Iter; 8], spill: Reg { id: generation, ..Reg::NOT_INIT } }
    }

    /// The generation of the iterator the slot holds, if it holds one.
    pub fn iter_gen(&self) -> Option<u32> {
        self.bytes.iter().all(|&b| b == Byte::Iter).then_some(self.spill.id)
    }

    /// Whether any of its bytes belong to an iterator.
    pub fn has_iter(&self) -> bool {
        self.bytes.contains(&Byte::Iter)
    }

    /// Whether it holds a spilled register.
    pub fn is_spill(&self) -> bool {
        self.bytes[0] == Byte::Spill
    }

    /// How many bytes of spill start the slot.
    pub fn spill_size(&self) -> usize {
        self.bytes.iter().take_while(|b| **b == Byte::Spill).count()
    }

    /// Forgets a spill, keeping its bytes as unknown data (`scrub_spilled_slot`).
    pub fn scrub(&mut self) {
        if self.is_spill() {
            for b in self.bytes.iter_mut() {
                if *b == Byte::Spill {
                    *b = Byte::Misc;
                }
            }
            self.spill = Reg::NOT_INIT;
        }
    }
}

/// The slot index and byte of stack offset `off` (negative, from the frame pointer).
pub fn locate(off: i64) -> (usize, usize) {
    debug_assert!(off < 0);
    let slot = ((-off - 1) / 8) as usize;
    let base = -8 * (slot as i64 + 1);
    (slot, (off - base) as usize)
}
