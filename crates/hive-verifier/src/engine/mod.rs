//! The abstract interpreter: the kernel's `do_check`, exploring every path of the program
//! from the entry state, one instruction at a time, with state pruning.
//!
//! ## Exploration
//!
//! A path is a [`State`] at an instruction. Each instruction's transfer (in `alu.rs`,
//! `mem.rs`, `jump.rs`, `call.rs`) checks the instruction's obligations against the state,
//! failing with the kernel's message, and computes the next state. A conditional jump whose
//! outcome the state does not decide forks: the taken edge is pushed on a stack of pending
//! paths and the fall-through continues; when a path ends (the main function exits, or the
//! path is pruned) the next pending one resumes. Every path must end in an `exit` with a
//! valid return value and no reference held.
//!
//! ## Pruning
//!
//! At prune points (jump targets, the instructions after conditional jumps, calls) the state
//! is compared with the states already verified there ([`crate::state::prune::subsumes`]): a
//! state that one of them subsumes is safe and its path ends. Checkpoints form a tree, each
//! counting the paths still pending below it (`branches`); only a checkpoint with no pending
//! path is "verified" and may prune. Registers dead at the instruction (a static liveness
//! analysis, `liveness.rs`) are ignored in the comparison.
//!
//! Loops are explored iteration by iteration (privileged programs only; the CFG check
//! refuses back-edges otherwise). A loop ends when its condition is decided; a loop head
//! whose state equals an ancestor's on the same path is `infinite loop detected`; one that
//! never settles runs into the budget of [`MAX_PROCESSED`] instructions. `may_goto` loops and
//! callbacks of `bpf_loop`-like helpers are bounded by the runtime instead: there a state
//! subsumed by an ancestor at the same instruction is pruned, and after a few iterations the
//! state is widened ([`crate::state::prune::widen`]) so the exploration converges.
//!
//! The widening is every bound that moved, or (with [`Verifier::precision`], the second
//! exploration `verify_program` runs when the first fails after widening) the kernel's
//! `widen_imprecise_scalars`: the scalars precision marks name (`precise.rs`: what decided a
//! branch, moved a pointer or sized a helper's memory, traced back along the path to where
//! it came from) keep their exact values, and so do pointers. The kernel can afford exact
//! counters because its pruning ignores the imprecise scalars; Hive's compares them all, so
//! an exploration with exact counters may not converge where the widened one does, and the
//! widened one runs first.

mod alu;
mod call;
mod entry;
mod jump;
mod liveness;
mod mem;
mod precise;

use std::collections::HashMap;

use hive_isa::{Code, Insn};
use hive_platform::prog::context::ContextLayout;
use hive_platform::prog::{LoadContext, Privilege, ProgType, ProgTypeInfo};

use crate::cfg::{Cfg, Fail};
use crate::env::{MapMeta, ProgramEnv};
use crate::log::{Log, LogLevel, format_line};
use crate::state::prune::{Spare, subsumes, widen};
use crate::state::{Frame, FrameKind, Precise, State};
use crate::verdict::{RejectKind, VerifyOptions};
use precise::Segment;

/// `BPF_COMPLEXITY_LIMIT_INSNS`: instructions processed before giving up.
pub const MAX_PROCESSED: usize = 1_000_000;
/// Iterations of a runtime-bounded loop explored before its state is widened.
const WIDEN_AFTER: usize = 3;
/// States kept per instruction (older verified ones are dropped past this).
const MAX_STATES_PER_INSN: usize = 64;
/// States at one instruction past which no more are stored (all still being explored).
const MAX_PENDING_PER_INSN: usize = 256;
/// How far up its path a state looks for itself (infinite loops, runtime-bounded loops).
const ANCESTOR_WALK: usize = 64;

/// What exploration found, for [`crate::Verified`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Instructions processed (`insn_processed`).
    pub processed_insns: usize,
    /// The most states kept at one instruction.
    pub max_states_per_insn: usize,
    /// States stored in all.
    pub total_states: usize,
    /// The most states stored at once.
    pub peak_states: usize,
}

struct Checkpoint {
    pc: usize,
    state: State,
    branches: u32,
    parent: Option<usize>,
    dropped: bool,
    /// The path from the parent checkpoint to this one, and its last instruction.
    seg: Segment,
    last: Option<usize>,
    /// Scalars of `state` found precise so far.
    marks: Precise,
}

struct Pending {
    pc: usize,
    from: usize,
    state: State,
    parent: Option<usize>,
    log_pos: usize,
    seg: Segment,
}

/// How an instruction continues.
pub(crate) enum Next {
    /// At this instruction.
    Goto(usize),
    /// The path ended (main exit, async callback exit).
    End,
}

pub(crate) type Res<T> = Result<T, Fail>;

pub(crate) fn fail(insn: usize, kind: RejectKind, message: impl Into<String>) -> Fail {
    Fail { insn: Some(insn), kind, message: message.into() }
}

/// The verifier of one program.
pub(crate) struct Verifier<'a> {
    pub code: &'a Code,
    pub env: &'a ProgramEnv<'a>,
    pub opts: VerifyOptions,
    pub prog_type: ProgType,
    pub info: ProgTypeInfo,
    pub ctx: Option<&'static ContextLayout>,
    pub load_ctx: LoadContext,
    pub maps: Vec<MapMeta>,
    map_slots: HashMap<(bool, i32), u32>,
    pub log: Log,
    id_gen: u32,
    pending: Vec<Pending>,
    cps: Vec<Checkpoint>,
    cps_at: HashMap<usize, Vec<usize>>,
    prune_point: Vec<bool>,
    force_point: Vec<bool>,
    live: Vec<u16>,
    pub stats: Stats,
    live_states: usize,
    jmps_since: usize,
    insns_since: usize,
    /// The instruction being processed.
    pub pc: usize,
    /// The pointer kind each load or store first used.
    pub insn_ptr_kind: HashMap<usize, crate::state::PtrKind>,
    /// The deepest stack each function used, by its first instruction.
    pub depths: HashMap<usize, i64>,
    /// The level-1 log of the current path, written out at the end.
    trace: Vec<Trace>,
    /// The current path since its last checkpoint (`cur_parent`), for precision marks.
    seg: Segment,
    /// Whether the step to the current instruction was recorded in `seg`.
    hist_entered: bool,
    /// The instruction the current path executed before this one.
    prev_pc: Option<usize>,
    /// The current path's last checkpoint.
    cur_parent: Option<usize>,
    /// Track precision and widen as the kernel does ([`Spare::Kernel`]); otherwise widen
    /// every scalar and pointer offset that moved.
    pub precision: bool,
    /// Whether some state was widened.
    pub widened: bool,
    /// The registers where blocks start, joined over every state stepped there.
    pub facts: crate::facts::Collector,
}

/// One line of the level-1 log, formatted only if it is kept.
enum Trace {
    Insn(usize),
    Line(String),
}

impl<'a> Verifier<'a> {
    pub fn new(code: &'a Code, cfg: &'a Cfg, env: &'a ProgramEnv<'a>, opts: VerifyOptions, log: Log) -> Self {
        let prog_type = if env.prog_type.raw() == 0 { ProgType::SocketFilter } else { env.prog_type };
        let info = prog_type.info();
        let load_ctx = LoadContext {
            attach_type: env.attach_type,
            sleepable: env.sleepable,
            privilege: if opts.privileged { Privilege::SysAdmin } else { Privilege::Unprivileged },
            ..LoadContext::default()
        };
        let n = code.len();
        let mut prune_point = vec![false; n];
        let mut force_point = vec![false; n];
        for (pc, insn) in code.iter() {
            match insn {
                Insn::Jump { off, .. } => {
                    let t = pc as i64 + 1 + *off as i64;
                    if let Some(p) = prune_point.get_mut(t as usize) {
                        *p = true;
                    }
                    if pc + 1 < n {
                        prune_point[pc + 1] = true;
                    }
                    if t <= pc as i64 && t >= 0 {
                        force_point[t as usize] = true;
                    }
                }
                Insn::Ja { off, long } => {
                    let _ = long;
                    let t = pc as i64 + 1 + *off as i64;
                    if let Some(p) = prune_point.get_mut(t as usize) {
                        *p = true;
                    }
                    if t <= pc as i64 && t >= 0 {
                        force_point[t as usize] = true;
                    }
                }
                Insn::MayGoto { .. } => {
                    prune_point[pc] = true;
                    force_point[pc] = true;
                }
                Insn::Call(target) => {
                    prune_point[pc] = true;
                    let loops = match target {
                        hive_isa::CallTarget::Helper(id) => call::calls_callback(*id),
                        hive_isa::CallTarget::Kfunc { btf_id, .. } => call::is_iter_next(env, *btf_id),
                        _ => false,
                    };
                    if loops {
                        force_point[pc] = true;
                    }
                }
                _ => {}
            }
        }
        for &(_, to) in cfg.back_edges() {
            if to < n {
                prune_point[to] = true;
                force_point[to] = true;
            }
        }
        let live = liveness::analyse(code);
        Verifier {
            code,
            env,
            opts,
            prog_type,
            info,
            ctx: info.context(),
            load_ctx,
            maps: Vec::new(),
            map_slots: HashMap::new(),
            log,
            id_gen: 0,
            pending: Vec::new(),
            cps: Vec::new(),
            cps_at: HashMap::new(),
            prune_point,
            force_point,
            live,
            stats: Stats::default(),
            live_states: 0,
            jmps_since: 0,
            insns_since: 0,
            pc: 0,
            insn_ptr_kind: HashMap::new(),
            depths: HashMap::new(),
            trace: Vec::new(),
            seg: Segment::default(),
            hist_entered: false,
            prev_pc: None,
            cur_parent: None,
            precision: false,
            widened: false,
            facts: crate::facts::Collector::new(code),
        }
    }

    /// A line of the path's log.
    pub fn note(&mut self, line: String) {
        match self.log.level() {
            LogLevel::Off => {}
            LogLevel::Basic => self.trace.push(Trace::Line(line)),
            LogLevel::Verbose => self.log.verbose(line),
        }
    }

    /// Writes the path's level-1 log out, returning the whole log.
    pub fn take_log(&mut self) -> Log {
        for t in std::mem::take(&mut self.trace) {
            match t {
                Trace::Insn(pc) => {
                    if let Some(l) = crate::log::insn_line(self.code, pc) {
                        self.log.basic(l);
                    }
                }
                Trace::Line(l) => self.log.basic(l),
            }
        }
        std::mem::take(&mut self.log)
    }

    /// A fresh id (`++env->id_gen`).
    pub fn new_id(&mut self) -> u32 {
        self.id_gen += 1;
        self.id_gen
    }

    /// Whether the loader is privileged (`allow_ptr_leaks`, `allow_uninit_stack`, ...).
    pub fn privileged(&self) -> bool {
        self.opts.privileged
    }

    /// The slot of a map in [`Self::maps`], resolving it through the environment.
    pub fn map_slot(&mut self, by_index: bool, key: i32) -> Option<u32> {
        if let Some(&s) = self.map_slots.get(&(by_index, key)) {
            return Some(s);
        }
        let meta = if by_index { self.env.maps.by_index(key as u32) } else { self.env.maps.by_fd(key) }?;
        let slot = self.maps.len() as u32;
        self.maps.push(meta);
        self.map_slots.insert((by_index, key), slot);
        Some(slot)
    }

    /// Adds a map known only by its metadata (explicit entry states).
    pub fn add_map(&mut self, meta: MapMeta) -> u32 {
        self.maps.push(meta);
        (self.maps.len() - 1) as u32
    }

    /// Runs the exploration from `entry`.
    pub fn run(&mut self, entry: State) -> Res<()> {
        if self.env.sleepable && self.info.sleepable() == hive_platform::prog::Sleepable::Never {
            return Err(Fail {
                insn: None,
                kind: RejectKind::InvalidCall,
                message: "Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable".into(),
            });
        }
        let mut cur = entry;
        let mut pc = 0usize;
        let mut parent: Option<usize> = None;
        let mut from_branch: Option<usize> = None;
        self.seg = Segment::default();
        self.prev_pc = None;
        loop {
            self.stats.processed_insns += 1;
            if self.stats.processed_insns > MAX_PROCESSED {
                return Err(fail(
                    pc,
                    RejectKind::TooComplex,
                    format!("BPF program is too large. Processed {} insn", self.stats.processed_insns),
                ));
            }
            self.pc = pc;
            if pc >= self.code.len() {
                return Err(fail(pc, RejectKind::Internal, format!("invalid insn idx {pc} insn_cnt {}", self.code.len())));
            }
            self.hist_enter(pc, self.prev_pc);
            self.cur_parent = parent;
            if self.prune_point[pc] {
                match self.visit(pc, &mut cur, &mut parent)? {
                    Visit::Pruned => {
                        if self.log.is_verbose() {
                            self.log.verbose(format!("{pc}: safe"));
                        }
                        self.end_path(parent);
                        match self.pop() {
                            Some(p) => {
                                pc = p.0;
                                cur = p.1;
                                parent = p.2;
                                from_branch = Some(p.3);
                                self.stats.processed_insns -= 1;
                                continue;
                            }
                            None => return Ok(()),
                        }
                    }
                    Visit::Explore => {}
                }
                self.cur_parent = parent;
            }
            if let Some(from) = from_branch.take()
                && self.log.level() >= LogLevel::Basic
            {
                self.note(format!("from {from} to {pc}: {cur}"));
            }
            let insn = *self.code.get(pc).expect("pc at an instruction");
            match self.log.level() {
                LogLevel::Off => {}
                LogLevel::Basic => self.trace.push(Trace::Insn(pc)),
                LogLevel::Verbose => self.log.verbose(format_line(pc, &insn)),
            }
            self.insns_since += 1;
            self.facts.observe(pc, cur.cur());
            let next = self.step(pc, &insn, &mut cur, parent)?;
            if self.log.is_verbose() {
                self.log.verbose(format!("{pc}: {cur}"));
            }
            self.prev_pc = Some(pc);
            self.seg.len += 1;
            match next {
                Next::Goto(n) => pc = n,
                Next::End => {
                    self.end_path(parent);
                    match self.pop() {
                        Some(p) => {
                            pc = p.0;
                            cur = p.1;
                            parent = p.2;
                            from_branch = Some(p.3);
                        }
                        None => return Ok(()),
                    }
                }
            }
        }
    }

    fn step(&mut self, pc: usize, insn: &Insn, st: &mut State, parent: Option<usize>) -> Res<Next> {
        match *insn {
            Insn::Alu { width, op, dst, src } => self.alu(pc, st, width, op, dst.idx(), src).map(|_| Next::Goto(pc + 1)),
            Insn::Neg { width, dst } => self.neg(pc, st, width, dst.idx()).map(|_| Next::Goto(pc + 1)),
            Insn::Endian { op, bits, dst } => self.endian(pc, st, op, bits, dst.idx()).map(|_| Next::Goto(pc + 1)),
            Insn::LdImm64 { dst, pseudo, imm, next_imm } => {
                self.ld_imm64(pc, st, dst.idx(), pseudo, imm, next_imm).map(|_| Next::Goto(pc + 2))
            }
            Insn::Load { size, signed, dst, src, off } => {
                self.load(pc, st, size, signed, dst.idx(), src.idx(), off).map(|_| Next::Goto(pc + 1))
            }
            Insn::Store { size, dst, off, src } => self.store(pc, st, size, dst.idx(), off, src).map(|_| Next::Goto(pc + 1)),
            Insn::Atomic { size, op, dst, src, off } => {
                self.atomic(pc, st, size, op, dst.idx(), src.idx(), off).map(|_| Next::Goto(pc + 1))
            }
            Insn::LoadPacket { mode, size, src, imm } => {
                self.ld_abs(pc, st, mode, size, src.idx(), imm).map(|_| Next::Goto(pc + 1))
            }
            Insn::Ja { off, .. } => {
                self.jmps_since += 1;
                Ok(Next::Goto((pc as i64 + 1 + off as i64) as usize))
            }
            Insn::Jump { width, cond, dst, src, off } => {
                self.jmps_since += 1;
                self.cond_jump(pc, st, parent, width, cond, dst.idx(), src, off)
            }
            Insn::MayGoto { off } => {
                self.jmps_since += 1;
                // The exhausted-budget edge continues now; another iteration waits.
                let mut again = st.clone();
                again.may_goto_depth += 1;
                again.cur_mut().may_goto_passes += 1;
                self.push(pc + 1, pc, again, parent);
                Ok(Next::Goto((pc as i64 + 1 + off as i64) as usize))
            }
            Insn::Call(target) => self.call(pc, st, parent, target),
            Insn::CallX { reg } => Err(fail(
                pc,
                RejectKind::InvalidCall,
                format!("R{} indirect calls are not supported", reg.idx()),
            )),
            Insn::Exit => self.exit(pc, st),
        }
    }

    /// Queues the other edge of a branch.
    pub fn push(&mut self, pc: usize, from: usize, state: State, parent: Option<usize>) {
        if let Some(p) = parent {
            self.cps[p].branches += 1;
        }
        let log_pos = self.trace.len();
        let seg = if self.precision { self.seg.clone() } else { Segment::default() };
        self.pending.push(Pending { pc, from, state, parent, log_pos, seg });
    }

    fn pop(&mut self) -> Option<(usize, State, Option<usize>, usize)> {
        let p = self.pending.pop()?;
        self.trace.truncate(p.log_pos);
        self.seg = p.seg;
        self.prev_pc = Some(p.from);
        Some((p.pc, p.state, p.parent, p.from))
    }

    /// A path ended: its checkpoints lose a pending path (`update_branch_counts`).
    fn end_path(&mut self, mut parent: Option<usize>) {
        while let Some(p) = parent {
            let cp = &mut self.cps[p];
            cp.branches -= 1;
            if cp.branches > 0 {
                break;
            }
            parent = cp.parent;
        }
    }

    /// `is_state_visited`.
    fn visit(&mut self, pc: usize, cur: &mut State, parent: &mut Option<usize>) -> Res<Visit> {
        let live = self.live.get(pc).copied();
        let priv_ = self.privileged();
        // Ancestors on this path at the same instruction.
        let mut ancestors = Vec::new();
        let mut p = *parent;
        let mut walked = 0;
        while let Some(i) = p {
            if self.cps[i].pc == pc {
                ancestors.push(i);
            }
            walked += 1;
            if walked >= ANCESTOR_WALK {
                break;
            }
            p = self.cps[i].parent;
        }
        // Those that are earlier iterations of the same runtime-bounded loop as `cur`.
        let mut iterations = Vec::new();
        for &a in &ancestors {
            let old = &self.cps[a].state;
            if self.same_bounded_loop(pc, old, cur) {
                if subsumes(old, cur, live, priv_) {
                    self.propagate_precision(a, cur);
                    return Ok(Visit::Pruned);
                }
                iterations.push(a);
            } else if old == cur {
                return Err(fail(pc, RejectKind::InfiniteLoop, format!("infinite loop detected at insn {pc}")));
            }
        }
        let verified = self.cps_at.get(&pc).and_then(|list| {
            list.iter().copied().find(|&i| {
                let cp = &self.cps[i];
                cp.branches == 0 && !cp.dropped && subsumes(&cp.state, cur, live, priv_)
            })
        });
        if let Some(i) = verified {
            self.propagate_precision(i, cur);
            return Ok(Visit::Pruned);
        }
        if iterations.len() >= WIDEN_AFTER {
            let prev = &self.cps[iterations[0]];
            let spare = if self.precision { Spare::Kernel(&prev.marks) } else { Spare::Nothing };
            if let Some(w) = widen(&prev.state, cur, spare) {
                self.widened |= w != *cur;
                *cur = w;
            }
        }
        let force = self.force_point[pc];
        if !(force || self.jmps_since >= 2 && self.insns_since >= 8) {
            return Ok(Visit::Explore);
        }
        self.jmps_since = 0;
        self.insns_since = 0;
        if self.cps_at.get(&pc).is_some_and(|l| l.len() >= MAX_PENDING_PER_INSN) {
            return Ok(Visit::Explore);
        }
        let idx = self.cps.len();
        let mut seg = std::mem::replace(&mut self.seg, Segment::at(pc));
        if self.hist_entered {
            // The step into `pc` ends the parent's segment; this one starts at `pc`.
            seg.pop();
            self.hist_entered = false;
        }
        self.cps.push(Checkpoint {
            pc,
            state: cur.clone(),
            branches: 1,
            parent: *parent,
            dropped: false,
            seg,
            last: self.prev_pc,
            marks: Precise::default(),
        });
        let list = self.cps_at.entry(pc).or_default();
        list.push(idx);
        if list.len() > MAX_STATES_PER_INSN {
            // Drop the oldest verified state's copy (it stays in the tree for counting).
            if let Some(pos) = list.iter().position(|&i| self.cps[i].branches == 0) {
                let old = list.remove(pos);
                self.cps[old].dropped = true;
                self.cps[old].state = State { frames: Vec::new(), refs: Vec::new(), may_goto_depth: 0 };
                self.cps[old].seg = Segment::default();
                self.live_states -= 1;
            }
        }
        let n = list.len();
        self.stats.max_states_per_insn = self.stats.max_states_per_insn.max(n);
        self.stats.total_states += 1;
        self.live_states += 1;
        self.stats.peak_states = self.stats.peak_states.max(self.live_states);
        *parent = Some(idx);
        Ok(Visit::Explore)
    }

    /// Whether `old` and `cur`, two states at `pc` on one path, are iterations of one loop
    /// whose number of iterations the runtime bounds, so that `cur` may be pruned by `old`
    /// (and widened): the same frame's `may_goto`, gone past (spending budget, which only
    /// decreases within one call of the function) between the two; the same invocation of a
    /// callback-taking helper (back at the call after a callback returned); or `_next` of
    /// the same open-coded iterator (the same generation of the same stack slot, whose bytes
    /// nothing but the iterator kfuncs touch). A loop around such an instruction (a second
    /// `bpf_loop` call, a fresh iterator, another call of the function) is an ordinary loop.
    fn same_bounded_loop(&self, pc: usize, old: &State, cur: &State) -> bool {
        if old.frames.len() != cur.frames.len() {
            return false;
        }
        match self.code.get(pc) {
            Some(Insn::MayGoto { .. }) => {
                old.cur().instance == cur.cur().instance && cur.cur().may_goto_passes > old.cur().may_goto_passes
            }
            Some(Insn::Call(hive_isa::CallTarget::Helper(id))) if call::calls_callback(*id) => {
                matches!(cur.cur().cb_loop, Some((at, _)) if at == pc) && old.cur().cb_loop == cur.cur().cb_loop
            }
            Some(Insn::Call(hive_isa::CallTarget::Kfunc { btf_id, .. })) if call::is_iter_next(self.env, *btf_id) => {
                let generation = call::iter_arg_gen(old);
                generation.is_some() && generation == call::iter_arg_gen(cur)
            }
            _ => false,
        }
    }

    /// The entry state: `r1` the context, `r10` the frame pointer, or the environment's.
    pub fn entry_state(&mut self) -> State {
        let mut frame = Frame::new(0, 0, 0, FrameKind::Call);
        frame.regs[1] = crate::state::Reg::ptr(crate::state::PtrKind::Ctx);
        let mut st = State { frames: vec![frame], refs: Vec::new(), may_goto_depth: 0 };
        if let Some(e) = self.env.entry.clone() {
            self.apply_entry(&mut st, &e);
        }
        st
    }
}

impl Verifier<'_> {
    /// `check_max_stack_depth`: along every chain of bpf-to-bpf calls, the frames' stacks
    /// (each rounded up to 32 bytes) fit in [`crate::state::MAX_BPF_STACK`].
    pub fn check_stack_depth(&self, cfg: &Cfg) -> Res<()> {
        let subs = cfg.subprogs();
        let depth = |i: usize| {
            let d = self.depths.get(&subs[i].start).copied().unwrap_or(0).max(1);
            (d + 31) / 32 * 32
        };
        // Depth-first over call chains (the call graph is acyclic: recursion is refused).
        let mut stack: Vec<(usize, usize, i64)> = vec![(0, 1, depth(0))];
        while let Some((sp, frames, total)) = stack.pop() {
            if total > crate::state::MAX_BPF_STACK {
                return Err(Fail {
                    insn: None,
                    kind: RejectKind::CallStackTooDeep,
                    message: format!("combined stack size of {frames} calls is {total}. Too large"),
                });
            }
            for c in &subs[sp].calls {
                if frames < 64 {
                    stack.push((c.callee, frames + 1, total + depth(c.callee)));
                }
            }
        }
        Ok(())
    }
}

enum Visit {
    Pruned,
    Explore,
}
