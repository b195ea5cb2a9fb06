//! What the verifier proved about register values where basic blocks start, for a compiler.
//!
//! While it explores, the verifier joins the registers of every state it steps through at
//! each jump target and subprogram entry ([`BlockFacts`]): a scalar's known bits (its tnum,
//! with the bits above 32 known zero when its unsigned maximum fits in 32 bits) and whether
//! its value, or its low half, is never 0. Every path is explored or pruned against a state
//! that contains it (pruning compares every live register), so the join holds on every run
//! of the program; a register that holds a pointer or nothing readable there, or is dead,
//! is left unknown. A slot no path reaches has no entry.

use std::collections::BTreeMap;

use hive_isa::{Code, Insn};

use crate::state::{Frame, Reg, RegType};

/// One register's facts on entry to a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegFacts {
    /// Bits known to be 1.
    pub value: u64,
    /// Bits not known (the rest are known to be 0).
    pub mask: u64,
    /// The 64-bit value is never 0.
    pub nonzero: bool,
    /// The low 32 bits are never 0.
    pub nonzero32: bool,
}

impl RegFacts {
    /// Nothing known.
    pub const UNKNOWN: RegFacts = RegFacts { value: 0, mask: u64::MAX, nonzero: false, nonzero32: false };

    fn of(reg: &Reg) -> RegFacts {
        if reg.ty != RegType::Scalar || reg.var.is_bottom() {
            return RegFacts::UNKNOWN;
        }
        let t = reg.var.tnum();
        let upper = if reg.var.umax() <= u64::from(u32::MAX) { 0xffff_ffff } else { u64::MAX };
        RegFacts {
            value: t.value() & upper,
            mask: t.mask() & upper,
            nonzero: reg.var.umin() >= 1,
            nonzero32: reg.var.u32_min() >= 1,
        }
    }

    fn join(self, o: RegFacts) -> RegFacts {
        let mask = self.mask | o.mask | (self.value ^ o.value);
        RegFacts {
            value: self.value & !mask,
            mask,
            nonzero: self.nonzero && o.nonzero,
            nonzero32: self.nonzero32 && o.nonzero32,
        }
    }
}

/// `r0`-`r10` on entry to each block start the program reaches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockFacts {
    at: BTreeMap<usize, [RegFacts; 11]>,
}

impl BlockFacts {
    /// The facts on entry to slot `pc`, if it starts a block some path reaches.
    pub fn at(&self, pc: usize) -> Option<&[RegFacts; 11]> {
        self.at.get(&pc)
    }

    /// Every block start with its facts, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &[RegFacts; 11])> {
        self.at.iter().map(|(&pc, f)| (pc, f))
    }
}

/// Collects [`BlockFacts`] during an exploration.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    /// Per slot: a jump lands there, or a subprogram starts there.
    starts: Vec<bool>,
    facts: BlockFacts,
}

impl Collector {
    pub fn new(code: &Code) -> Collector {
        let mut starts = vec![false; code.len()];
        for s in code.subprogram_starts() {
            starts[s] = true;
        }
        for (pc, insn) in code.iter() {
            if let (Insn::Ja { .. } | Insn::Jump { .. } | Insn::MayGoto { .. }, Some(d)) = (insn, insn.branch_delta())
                && let Some(t) = starts.get_mut((pc as i64 + 1 + d) as usize)
            {
                *t = true;
            }
        }
        Collector { starts, facts: BlockFacts::default() }
    }

    /// A state about to execute slot `pc`, whose innermost frame is `frame`.
    pub fn observe(&mut self, pc: usize, frame: &Frame) {
        if !self.starts.get(pc).copied().unwrap_or(false) {
            return;
        }
        let now: [RegFacts; 11] = std::array::from_fn(|r| RegFacts::of(&frame.regs[r]));
        self.facts
            .at
            .entry(pc)
            .and_modify(|old| *old = std::array::from_fn(|r| old[r].join(now[r])))
            .or_insert(now);
    }

    pub fn finish(self) -> BlockFacts {
        self.facts
    }
}
