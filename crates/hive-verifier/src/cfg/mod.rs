//! The control-flow graph: the kernel's `check_cfg` and the graph the abstract interpreter
//! iterates.
//!
//! [`check`] runs the kernel's structural checks on raw slots (see `checks.rs` for the exact
//! order and wording) and, for a program that passes, builds a [`Cfg`]:
//!
//! - **subprograms** ([`Subprog`]): the main program and every target of a bpf-to-bpf call or
//!   function reference, each a contiguous slot range with its calls and callbacks;
//! - **basic blocks** ([`Block`]): maximal straight-line runs. A block ends at a jump, an
//!   `exit`, or a bpf-to-bpf call (the callee runs between the call and its return point);
//!   helper and kfunc calls stay inside blocks;
//! - **edges** ([`Edge`]) labelled the way PREVAIL labels them: a conditional jump has an
//!   `Assume`-style [`EdgeKind::Taken`] and [`EdgeKind::NotTaken`] edge, so the transfer
//!   function of a branch is the refinement of its edge
//!   ([`crate::scalar::ScalarOf::refine`]);
//! - a **weak topological order** per subprogram ([`wto`]): the iteration order, with the
//!   loop heads where widening goes.
//!
//! ```
//! use hive_asm::{Syntax, assemble};
//! use hive_verifier::{cfg, VerifyOptions};
//!
//! // r0 = 0; loop: r0 += 1; if r0 < 10 goto loop; exit
//! let raw = assemble("r0 = 0\nr0 += 1\nif r0 < 10 goto -2\nexit", Syntax::Kernel).unwrap();
//! let (_, g) = cfg::check(&raw, &VerifyOptions::privileged()).unwrap();
//! assert_eq!(g.blocks().len(), 3);
//! assert_eq!(g.loop_heads(), vec![g.block_at(1).unwrap()]);
//! let err = cfg::check(&raw, &VerifyOptions::unprivileged()).unwrap_err();
//! assert_eq!(err.message, "back-edge from insn 2 to 1");
//! ```

mod checks;
#[cfg(test)]
mod tests;
pub mod wto;

use std::fmt;

use hive_isa::{CallTarget, Code, Insn, Pseudo, RawInsn};

use crate::log::{Log, LogLevel};
use crate::verdict::{RejectKind, VerifyOptions};
pub(crate) use checks::Fail;
pub use wto::{WtoComponent, WtoElem};

/// The index of a basic block in [`Cfg::blocks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockId(pub u32);

impl BlockId {
    /// The index as a `usize`.
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{}", self.0)
    }
}

/// How control reaches a block's successor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// The next instruction, the block having been cut by a jump target.
    Fallthrough,
    /// An unconditional jump (`goto`, `gotol`).
    Jump,
    /// A conditional jump (or `may_goto`) whose condition holds: the jump is taken.
    Taken,
    /// A conditional jump whose condition fails: the next instruction.
    NotTaken,
    /// The return point of a bpf-to-bpf call: the callee ran in between.
    AfterCall,
}

/// An edge between two blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Edge {
    /// The successor.
    pub to: BlockId,
    /// How it is reached.
    pub kind: EdgeKind,
}

/// A basic block: the instructions starting in slots `start..end`, run in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// First slot.
    pub start: usize,
    /// One past the last slot (an `lddw` at the end counts two slots).
    pub end: usize,
    /// The subprogram (index into [`Cfg::subprogs`]).
    pub subprog: usize,
    /// Successors, in the kernel's order (fall-through first).
    pub succs: Vec<Edge>,
    /// Predecessors.
    pub preds: Vec<BlockId>,
}

/// A bpf-to-bpf call site or function reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallSite {
    /// The `call` (or `lddw rX, func`) slot.
    pub insn: usize,
    /// The callee (index into [`Cfg::subprogs`]).
    pub callee: usize,
}

/// A subprogram: a function of the program (`bpf_subprog_info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subprog {
    /// First slot.
    pub start: usize,
    /// One past the last slot.
    pub end: usize,
    /// Its blocks, `entry` first, in slot order.
    pub blocks: std::ops::Range<u32>,
    /// bpf-to-bpf calls made by this subprogram.
    pub calls: Vec<CallSite>,
    /// Subprograms whose address this one takes (`lddw rX, func`: callbacks).
    pub func_refs: Vec<CallSite>,
    /// The iteration order of its blocks.
    pub wto: Vec<WtoElem>,
}

impl Subprog {
    /// The entry block.
    pub fn entry(&self) -> BlockId {
        BlockId(self.blocks.start)
    }
}

/// The control-flow graph of a program that passed [`check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cfg {
    subprogs: Vec<Subprog>,
    blocks: Vec<Block>,
    /// The block starting at each slot.
    starts: Vec<Option<BlockId>>,
    back_edges: Vec<(usize, usize)>,
}

impl Cfg {
    /// The subprograms, the main program first, in slot order.
    pub fn subprogs(&self) -> &[Subprog] {
        &self.subprogs
    }

    /// Every block, subprogram by subprogram, in slot order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// One block.
    pub fn block(&self, id: BlockId) -> &Block {
        &self.blocks[id.idx()]
    }

    /// The block that starts at slot `pc`, if one does.
    pub fn block_at(&self, pc: usize) -> Option<BlockId> {
        self.starts.get(pc).copied().flatten()
    }

    /// The block containing slot `pc`.
    pub fn block_containing(&self, pc: usize) -> Option<BlockId> {
        let i = self.blocks.partition_point(|b| b.start <= pc).checked_sub(1)?;
        (pc < self.blocks[i].end).then_some(BlockId(i as u32))
    }

    /// The subprogram containing slot `pc`.
    pub fn subprog_of(&self, pc: usize) -> Option<usize> {
        let i = self.subprogs.partition_point(|s| s.start <= pc).checked_sub(1)?;
        (pc < self.subprogs[i].end).then_some(i)
    }

    /// The heads of every loop (every WTO component), in order.
    pub fn loop_heads(&self) -> Vec<BlockId> {
        let mut out = Vec::new();
        for s in &self.subprogs {
            for e in &s.wto {
                e.heads(&mut out);
            }
        }
        out
    }

    /// The back-edges the kernel's depth-first search met, `(from, to)` slots: the loops it
    /// allows a privileged program.
    pub fn back_edges(&self) -> &[(usize, usize)] {
        &self.back_edges
    }
}

/// Runs the kernel's structural checks on raw slots and builds the graph.
///
/// On success, every slot decodes, every jump and call lands on an instruction start inside
/// its subprogram, every instruction is reachable from instruction 0 (through calls and
/// function references), every subprogram ends in `exit` or `goto`, no call chain needs more
/// than eight frames, and, unless `opts.privileged`, there is no loop and no call.
pub fn check(raw: &[RawInsn], opts: &VerifyOptions) -> Result<(Code, Cfg), crate::Rejection> {
    check_inner(raw, opts, &mut Log::new(LogLevel::Off)).map_err(|f| {
        let log = format!("{}\n", f.message);
        crate::Rejection { insn: f.insn, kind: f.kind, message: f.message, log }
    })
}

/// [`check`], writing the kernel's level-2 lines (`func#1 @5`) to `log`.
pub(crate) fn check_inner(raw: &[RawInsn], opts: &VerifyOptions, log: &mut Log) -> Result<(Code, Cfg), Fail> {
    if raw.is_empty() {
        return Err(Fail { insn: None, kind: RejectKind::Empty, message: "program has no instructions".into() });
    }
    if raw.len() > opts.max_insns() {
        let message = format!("program of {} insns is too large (limit {})", raw.len(), opts.max_insns());
        return Err(Fail { insn: None, kind: RejectKind::TooLarge, message });
    }
    let starts = checks::subprograms(raw, opts)?;
    if log.is_verbose() {
        for (k, s) in starts.iter().enumerate() {
            log.verbose(format!("func#{k} @{s}"));
        }
    }
    checks::check_subprogs(raw, &starts)?;
    checks::check_opcodes(raw)?;
    let dfs = checks::check_cfg(raw, opts)?;
    checks::check_decodes(raw)?;
    checks::check_call_depth(raw, &starts)?;
    let code = Code::decode(raw).map_err(|e| Fail {
        insn: Some(e.pc),
        kind: RejectKind::Internal,
        message: format!("verifier bug: a program that passed the CFG checks does not decode: {e}"),
    })?;
    let cfg = build(&code, &starts, dfs.back_edges);
    Ok((code, cfg))
}

/// The relative target of a control-flow instruction, as a slot.
fn target(pc: usize, insn: &Insn) -> usize {
    (pc as i64 + 1 + insn.branch_delta().expect("a control-flow instruction")) as usize
}

/// Builds blocks, edges and orders of a program that passed the checks.
fn build(code: &Code, starts: &[usize], back_edges: Vec<(usize, usize)>) -> Cfg {
    let len = code.len();
    let subprog_of = |pc: usize| starts.partition_point(|&s| s <= pc) - 1;
    let mut leader = vec![false; len + 1];
    for &s in starts {
        leader[s] = true;
    }
    let mut subprogs: Vec<Subprog> = starts
        .iter()
        .enumerate()
        .map(|(k, &start)| Subprog {
            start,
            end: starts.get(k + 1).copied().unwrap_or(len),
            blocks: 0..0,
            calls: Vec::new(),
            func_refs: Vec::new(),
            wto: Vec::new(),
        })
        .collect();
    for (pc, insn) in code.iter() {
        let next = pc + insn.slots();
        match insn {
            Insn::Ja { .. } | Insn::Jump { .. } | Insn::MayGoto { .. } => {
                leader[target(pc, insn)] = true;
                leader[next] = true;
            }
            Insn::Exit => leader[next] = true,
            Insn::Call(CallTarget::Local(_)) => {
                leader[next] = true;
                let site = CallSite { insn: pc, callee: subprog_of(target(pc, insn)) };
                subprogs[subprog_of(pc)].calls.push(site);
            }
            Insn::LdImm64 { pseudo: Pseudo::Func, .. } => {
                let site = CallSite { insn: pc, callee: subprog_of(target(pc, insn)) };
                subprogs[subprog_of(pc)].func_refs.push(site);
            }
            _ => {}
        }
    }
    // Blocks in slot order: each leader starts one, which runs to the next leader.
    let mut blocks: Vec<Block> = Vec::new();
    let mut block_at: Vec<Option<BlockId>> = vec![None; len];
    for (pc, _) in code.iter() {
        if leader[pc] {
            block_at[pc] = Some(BlockId(blocks.len() as u32));
            blocks.push(Block { start: pc, end: pc, subprog: subprog_of(pc), succs: Vec::new(), preds: Vec::new() });
        }
        let last = blocks.last_mut().expect("slot 0 is a leader");
        last.end = pc + code.get(pc).map_or(1, Insn::slots);
    }
    let at = |pc: usize| block_at[pc].expect("edges lead to block starts");
    for block in &mut blocks {
        let end = block.end;
        let last_pc = (block.start..end).rev().find(|&pc| code.get(pc).is_some()).expect("non-empty block");
        let insn = code.get(last_pc).expect("an instruction");
        let edge = |pc: usize, kind: EdgeKind| Edge { to: at(pc), kind };
        block.succs = match insn {
            Insn::Exit => vec![],
            Insn::Ja { .. } => vec![edge(target(last_pc, insn), EdgeKind::Jump)],
            Insn::Jump { .. } | Insn::MayGoto { .. } => {
                vec![edge(end, EdgeKind::NotTaken), edge(target(last_pc, insn), EdgeKind::Taken)]
            }
            Insn::Call(CallTarget::Local(_)) => vec![edge(end, EdgeKind::AfterCall)],
            _ => vec![edge(end, EdgeKind::Fallthrough)],
        };
    }
    for b in 0..blocks.len() {
        for e in blocks[b].succs.clone() {
            let preds = &mut blocks[e.to.idx()].preds;
            if !preds.contains(&BlockId(b as u32)) {
                preds.push(BlockId(b as u32));
            }
        }
    }
    for (k, s) in subprogs.iter_mut().enumerate() {
        let first = blocks.partition_point(|b| b.subprog < k) as u32;
        let last = blocks.partition_point(|b| b.subprog <= k) as u32;
        s.blocks = first..last;
        let succs: Vec<Vec<usize>> = (first..last)
            .map(|b| blocks[b as usize].succs.iter().map(|e| (e.to.0 - first) as usize).collect())
            .collect();
        s.wto = wto::wto(0, first, &succs);
    }
    Cfg { subprogs, blocks, starts: block_at, back_edges }
}
