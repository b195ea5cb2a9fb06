//! Decision trees on one register, found so that they can run as table lookups.
//!
//! BPF has no indirect jump, so clang compiles a `switch` into a tree of comparisons of one
//! register with immediates: on random input a tree of depth 5 or 6 mispredicts a few of its
//! branches per run. A [`Switch`] is found by running the tree itself: for each value `v` of a
//! range taken from the tree's immediates, the instructions from the root are stepped with the
//! register equal to `v` (the conditional jumps on known values, `goto`, moves of constants)
//! until the first other instruction, where that value's case starts. Then, exactly for values
//! in the range:
//! - when every case starts at the same instruction with the same registers assigned
//!   (`switch (x) { case 0: v = 56; break; case 1: v = 43; ... }`), the tree is a function
//!   from the value to those constants: [`Dispatch::Values`], one load per register from a
//!   table, no branch to mispredict;
//! - otherwise [`Dispatch::Branches`]: one indirect jump through a table of jumps to each
//!   case (with its constants assigned on the way), one branch to mispredict instead of several.
//!
//! The compiled code looks the value up when the register is in the range and runs the tree
//! itself otherwise (the tree's code stays, for other values and for jumps into its middle).

use hive_isa::{AluOp, Code, Insn, Reg, Source, Width};

use crate::analysis::Subprog;

/// Fewest comparisons of the register for a tree worth a table.
const MIN_COMPARISONS: usize = 4;
/// Fewest distinct places the values continue at for a table of jumps.
const MIN_CASES: usize = 4;
/// Most table entries (values of the range).
const MAX_ENTRIES: u64 = 512;
/// Most instructions examined from one root while looking for the tree.
const MAX_NODES: usize = 1024;
/// Most instructions stepped for one value.
const MAX_STEPS: usize = 64;
/// Instructions the whole search may step, per instruction of the program: the search costs
/// at most a small multiple of what compiling costs anyway.
const STEPS_PER_SLOT: usize = 32;

/// A decision tree rooted at a conditional jump, as a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Switch {
    /// The register compared.
    pub reg: Reg,
    /// The first value of the range (as a signed 64-bit value).
    pub lo: i32,
    /// The number of values: the range is `lo..lo + len`.
    pub len: u32,
    /// What the values of the range do.
    pub how: Dispatch,
}

/// What the values of a [`Switch`]'s range do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Dispatch {
    /// All continue at `end`, with the same registers assigned: per register, its value for
    /// each value of the range.
    Values { end: usize, writes: Vec<(Reg, Vec<u64>)> },
    /// Per value of the range: where it continues and the registers assigned on the way.
    Branches(Vec<Case>),
}

/// Where one value continues, and the registers (with their values) assigned on the way.
pub(crate) type Case = (usize, Vec<(Reg, u64)>);

/// The decision trees of `code` that are tables, by root slot, in slot order. A slot belongs
/// to at most one examined tree, and the values stepped are bounded by [`STEPS_PER_SLOT`].
pub(crate) fn find(code: &Code, subs: &[Subprog]) -> Vec<(usize, Switch)> {
    let mut found = Vec::new();
    let mut seen = vec![false; code.len()];
    let mut budget = STEPS_PER_SLOT * code.len();
    for sub in subs {
        for pc in sub.start..sub.end {
            if seen[pc] {
                continue;
            }
            if let Some(&Insn::Jump { dst, src: Source::Imm(_), off, .. }) = code.get(pc)
                && [pc + 1, (pc as i64 + 1 + off as i64) as usize].into_iter().any(|t| compares(code, t, dst))
                && let Some(s) = at_root(code, sub, pc, dst, &mut seen, &mut budget)
            {
                found.push((pc, s));
            }
        }
    }
    found
}

/// Whether the instruction at `pc` compares `reg` with an immediate (a tree's inner node).
fn compares(code: &Code, pc: usize, reg: Reg) -> bool {
    matches!(code.get(pc), Some(Insn::Jump { dst, src: Source::Imm(_), .. }) if *dst == reg)
}

/// The tree rooted at `pc` comparing `reg`, if it is a table; marks what it examined.
fn at_root(code: &Code, sub: &Subprog, pc: usize, reg: Reg, seen: &mut [bool], budget: &mut usize) -> Option<Switch> {
    // The tree: what can be reached from the root through comparisons of `reg` with
    // immediates, `goto`s and moves of constants; its immediates give the range.
    let (mut lo, mut hi, mut comparisons) = (i64::MAX, i64::MIN, 0);
    let mut stack = vec![pc];
    let mut visited = 0;
    while let Some(p) = stack.pop() {
        if p < sub.start || p >= sub.end || seen[p] || visited == MAX_NODES {
            continue;
        }
        visited += 1;
        match code.get(p) {
            Some(Insn::Jump { dst, src: Source::Imm(imm), off, .. }) if *dst == reg => {
                seen[p] = true;
                (lo, hi, comparisons) = (lo.min(*imm as i64), hi.max(*imm as i64), comparisons + 1);
                stack.push(p + 1);
                stack.push((p as i64 + 1 + *off as i64) as usize);
            }
            Some(Insn::Ja { off, .. }) => {
                seen[p] = true;
                stack.push((p as i64 + 1 + *off as i64) as usize);
            }
            Some(Insn::Alu { op: AluOp::Mov, dst, .. }) if *dst != reg => {
                seen[p] = true;
                stack.push(p + 1);
            }
            _ => {}
        }
    }
    if comparisons < MIN_COMPARISONS {
        return None;
    }
    // A tree of `c` comparisons tells at most `c + 1` intervals apart: a range much wider
    // than that is mostly a few runs of equal entries, not worth a table.
    let len = u64::try_from(hi - lo + 1).ok().filter(|&n| (2..=MAX_ENTRIES).contains(&n))?;
    if len > 8 * comparisons as u64 {
        return None;
    }
    let lo32 = i32::try_from(lo).ok()?;
    let outcomes: Vec<Outcome> =
        (0..len).map(|i| run(code, sub, pc, reg, (lo + i as i64) as u64, budget)).collect::<Option<_>>()?;
    let end = outcomes[0].end;
    let how = if outcomes.iter().all(|o| o.end == end) {
        let mut assigned: Vec<Reg> = outcomes.iter().flat_map(|o| o.assigned()).collect();
        assigned.sort_by_key(|r| r.idx());
        assigned.dedup();
        // Each assigned register's final value, for every value (the compared register is
        // known on paths that leave it alone; any other must be assigned on every path).
        let writes = assigned
            .into_iter()
            .map(|r| Some((r, outcomes.iter().map(|o| o.regs[r.idx()]).collect::<Option<Vec<u64>>>()?)))
            .collect::<Option<Vec<_>>>()?;
        Dispatch::Values { end, writes }
    } else {
        // A few ways out are as many well-predicted branches (bounds checks): keep the tree.
        let mut ends: Vec<usize> = outcomes.iter().map(|o| o.end).collect();
        ends.sort_unstable();
        ends.dedup();
        if ends.len() < MIN_CASES {
            return None;
        }
        let case = |o: &Outcome| (o.end, o.assigned().filter_map(|r| Some((r, o.regs[r.idx()]?))).collect());
        Dispatch::Branches(outcomes.iter().map(case).collect())
    };
    Some(Switch { reg, lo: lo32, len: len as u32, how })
}

/// Where stepping the tree with one value ends, and the registers known there.
struct Outcome {
    end: usize,
    /// Known values (the compared register and what was assigned).
    regs: [Option<u64>; Reg::COUNT],
    /// Which registers were assigned.
    written: [bool; Reg::COUNT],
}

impl Switch {
    /// Every instruction a value of the range continues at.
    pub fn ends(&self) -> Vec<usize> {
        match &self.how {
            Dispatch::Values { end, .. } => vec![*end],
            Dispatch::Branches(cases) => cases.iter().map(|c| c.0).collect(),
        }
    }
}

impl Outcome {
    fn assigned(&self) -> impl Iterator<Item = Reg> + '_ {
        Reg::all().filter(|r| self.written[r.idx()])
    }
}

/// Steps the instructions from `pc` with `reg = value`: conditional jumps whose operands are
/// known, `goto`s, moves of known values; stops at the first other instruction. `None` when
/// the walk leaves the subprogram, does not stop, or exhausts the search's `budget`.
fn run(code: &Code, sub: &Subprog, mut pc: usize, reg: Reg, value: u64, budget: &mut usize) -> Option<Outcome> {
    let mut regs = [None; Reg::COUNT];
    let mut written = [false; Reg::COUNT];
    regs[reg.idx()] = Some(value);
    for _ in 0..MAX_STEPS {
        if pc < sub.start || pc >= sub.end || *budget == 0 {
            return None;
        }
        *budget -= 1;
        let operand = |regs: &[Option<u64>; Reg::COUNT], src: Source, width: Width| match src {
            Source::Imm(imm) => Some(match width {
                Width::W64 => imm as i64 as u64,
                Width::W32 => imm as u32 as u64,
            }),
            Source::Reg(r) => regs[r.idx()].map(|v| if width == Width::W32 { v as u32 as u64 } else { v }),
        };
        match code.get(pc) {
            Some(&Insn::Jump { width, cond, dst, src, off }) => {
                let (Some(a), Some(b)) = (regs[dst.idx()], operand(&regs, src, Width::W64)) else {
                    return Some(Outcome { end: pc, regs, written });
                };
                pc = if cond.holds(a, b, width) { (pc as i64 + 1 + off as i64) as usize } else { pc + 1 };
            }
            Some(&Insn::Ja { off, .. }) => pc = (pc as i64 + 1 + off as i64) as usize,
            Some(&Insn::Alu { op: AluOp::Mov, width, dst, src }) => match operand(&regs, src, width) {
                Some(v) if dst != Reg::R10 => {
                    regs[dst.idx()] = Some(v);
                    written[dst.idx()] = true;
                    pc += 1;
                }
                _ => return Some(Outcome { end: pc, regs, written }),
            },
            _ => return Some(Outcome { end: pc, regs, written }),
        }
    }
    None
}
