//! The kernel's structural checks, in the kernel's order and with its words.
//!
//! `bpf_check` runs, before any value tracking: `add_subprog_and_kfunc` (call targets),
//! `check_subprogs` (jumps stay inside their subprogram, each subprogram ends in `exit` or
//! `goto`), the opcode and `lddw` sanity loop of `resolve_pseudo_ldimm64`, then `check_cfg`
//! (a depth-first search for back-edges, unreachable instructions and jumps into an `lddw`).
//! The kernel reads raw instruction bits at these stages, so these checks do too: a program
//! whose every slot decodes gets the same answers as one with junk in a dead corner, and the
//! first error reported is the one the kernel reports. What the kernel only finds while
//! simulating (reserved fields, invalid registers) comes after, then the static depth of
//! bpf-to-bpf call chains (`check_max_stack_depth`).

use hive_isa::{DecodeErrorKind, RawInsn, decode, lookup};

use hive_isa::MAX_CALL_FRAMES;

use crate::verdict::{MAX_SUBPROGS, RejectKind, VerifyOptions};

/// A rejection before it gets its log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fail {
    pub insn: Option<usize>,
    pub kind: RejectKind,
    pub message: String,
}

fn fail(insn: usize, kind: RejectKind, message: impl Into<String>) -> Fail {
    Fail { insn: Some(insn), kind, message: message.into() }
}

const LD_IMM64: u8 = 0x18;
const CLASS_LD: u8 = 0;
const CLASS_LDX: u8 = 1;
const CLASS_ST: u8 = 2;
const CLASS_STX: u8 = 3;
const CLASS_JMP: u8 = 5;
const CLASS_JMP32: u8 = 6;
const OP_JA: u8 = 0x00;
const OP_CALL: u8 = 0x80;
const OP_EXIT: u8 = 0x90;
const PSEUDO_CALL: u8 = 1;
const PSEUDO_KFUNC_CALL: u8 = 2;
const PSEUDO_FUNC: u8 = 4;

fn class(code: u8) -> u8 {
    code & 7
}

fn is_jmp_class(code: u8) -> bool {
    matches!(class(code), CLASS_JMP | CLASS_JMP32)
}

fn is_pseudo_call(r: &RawInsn) -> bool {
    r.code == (CLASS_JMP | OP_CALL) && r.src == PSEUDO_CALL
}

fn is_pseudo_func(r: &RawInsn) -> bool {
    r.code == LD_IMM64 && r.src == PSEUDO_FUNC
}

fn is_kfunc_call(r: &RawInsn) -> bool {
    r.code == (CLASS_JMP | OP_CALL) && r.src == PSEUDO_KFUNC_CALL
}

/// `pc + 1 + imm`: a call's or function reference's target.
fn imm_target(pc: usize, r: &RawInsn) -> i64 {
    pc as i64 + 1 + r.imm as i64
}

/// The target of a jump-class instruction other than `call` and `exit` (`gotol` keeps its
/// offset in `imm`).
fn jump_target(pc: usize, r: &RawInsn) -> i64 {
    if class(r.code) == CLASS_JMP32 && r.code & 0xf0 == OP_JA { imm_target(pc, r) } else { pc as i64 + 1 + r.off as i64 }
}

/// The control-flow successors of slot `pc` in the kernel's visiting order (`visit_insn`):
/// fall-through first, then the jump or callee.
pub(crate) fn successors(raw: &[RawInsn], pc: usize) -> ([i64; 2], usize) {
    let r = &raw[pc];
    let next = pc as i64 + 1;
    if is_pseudo_func(r) {
        return ([next + 1, imm_target(pc, r)], 2);
    }
    if !is_jmp_class(r.code) {
        return ([if r.code == LD_IMM64 { next + 1 } else { next }, 0], 1);
    }
    match r.code & 0xf0 {
        OP_EXIT => ([0, 0], 0),
        OP_CALL if is_pseudo_call(r) => ([next, imm_target(pc, r)], 2),
        OP_CALL => ([next, 0], 1),
        OP_JA => ([jump_target(pc, r), 0], 1),
        _ => ([next, jump_target(pc, r)], 2),
    }
}

/// `add_subprog_and_kfunc`: the subprogram starts, sorted, 0 first.
pub(crate) fn subprograms(raw: &[RawInsn], opts: &VerifyOptions) -> Result<Vec<usize>, Fail> {
    let mut starts = vec![0];
    for (pc, r) in raw.iter().enumerate() {
        if !(is_pseudo_call(r) || is_pseudo_func(r) || is_kfunc_call(r)) {
            continue;
        }
        if !opts.privileged {
            return Err(fail(
                pc,
                RejectKind::CallsNotAllowed,
                "loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN",
            ));
        }
        if is_kfunc_call(r) {
            continue;
        }
        let target = imm_target(pc, r);
        if target < 0 || target >= raw.len() as i64 {
            return Err(fail(pc, RejectKind::InvalidCallTarget, "call to invalid destination"));
        }
        if !starts.contains(&(target as usize)) {
            if starts.len() >= MAX_SUBPROGS {
                return Err(fail(pc, RejectKind::TooManySubprogs, "too many subprograms"));
            }
            starts.push(target as usize);
        }
    }
    starts.sort_unstable();
    Ok(starts)
}

/// `check_subprogs`: no jump leaves its subprogram, and each subprogram's last slot is an
/// `exit` or an unconditional jump.
pub(crate) fn check_subprogs(raw: &[RawInsn], starts: &[usize]) -> Result<(), Fail> {
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(raw.len());
        for (i, r) in raw.iter().enumerate().take(end).skip(start) {
            let op = r.code & 0xf0;
            if is_jmp_class(r.code) && op != OP_CALL && op != OP_EXIT {
                let target = jump_target(i, r);
                if target < start as i64 || target >= end as i64 {
                    return Err(fail(i, RejectKind::JumpOutOfRange, format!("jump out of range from insn {i} to {target}")));
                }
            }
            if i == end - 1 && !matches!(r.code, 0x95 | 0x05 | 0x06) {
                return Err(fail(i, RejectKind::LastInsnNotExit, "last insn is not an exit or jmp"));
            }
        }
    }
    Ok(())
}

/// Whether the kernel's opcode table (`bpf_opcode_in_insntable`) has this byte: hive-isa's
/// table, less `callx` (0x8d), which only uBPF and bpf_conformance define.
fn kernel_knows_opcode(r: &RawInsn) -> bool {
    r.code != 0x8d && !matches!(lookup(*r), Err(DecodeErrorKind::UnknownOpcode(_)))
}

/// The sanity loop of `resolve_pseudo_ldimm64`: `LDX` modes, `lddw` second slots, opcodes.
pub(crate) fn check_opcodes(raw: &[RawInsn]) -> Result<(), Fail> {
    let mut i = 0;
    while i < raw.len() {
        let r = &raw[i];
        let mode = r.code & 0xe0;
        if class(r.code) == CLASS_LDX && ((mode != 0x60 && mode != 0x80) || r.imm != 0) {
            return Err(fail(i, RejectKind::ReservedFields, "BPF_LDX uses reserved fields"));
        }
        if r.code == LD_IMM64 {
            let tail_ok = raw.get(i + 1).is_some_and(|t| t.code == 0 && t.dst == 0 && t.src == 0 && t.off == 0);
            if !tail_ok {
                return Err(fail(i, RejectKind::InvalidLdImm64, "invalid bpf_ld_imm64 insn"));
            }
            i += 2;
            continue;
        }
        if !kernel_knows_opcode(r) {
            return Err(fail(i, RejectKind::UnknownOpcode, format!("unknown opcode {:02x}", r.code)));
        }
        i += 1;
    }
    Ok(())
}

/// What the depth-first search of [`check_cfg`] found.
#[derive(Clone, Debug, Default)]
pub(crate) struct Dfs {
    /// Edges to an instruction still on the search stack: loops (allowed when privileged).
    pub back_edges: Vec<(usize, usize)>,
}

/// `check_cfg`: a depth-first search from instruction 0 through jumps, calls and function
/// references, in the kernel's order so that the same back-edge is named.
pub(crate) fn check_cfg(raw: &[RawInsn], opts: &VerifyOptions) -> Result<Dfs, Fail> {
    const UNSEEN: u8 = 0;
    const ON_STACK: u8 = 1;
    const EXPLORED: u8 = 2;
    let len = raw.len();
    let mut state = vec![UNSEEN; len];
    let mut next_edge = vec![0u8; len];
    let mut stack = vec![0usize];
    let mut dfs = Dfs::default();
    state[0] = ON_STACK;
    while let Some(&t) = stack.last() {
        let (succ, n) = successors(raw, t);
        let mut pushed = false;
        while (next_edge[t] as usize) < n {
            let w = succ[next_edge[t] as usize];
            if w < 0 || w >= len as i64 {
                return Err(fail(t, RejectKind::JumpOutOfRange, format!("jump out of range from insn {t} to {w}")));
            }
            let w = w as usize;
            next_edge[t] += 1;
            match state[w] {
                UNSEEN => {
                    state[w] = ON_STACK;
                    stack.push(w);
                    pushed = true;
                    break;
                }
                ON_STACK => {
                    if !opts.privileged {
                        return Err(fail(t, RejectKind::BackEdge, format!("back-edge from insn {t} to {w}")));
                    }
                    dfs.back_edges.push((t, w));
                }
                _ => {}
            }
        }
        if !pushed {
            state[t] = EXPLORED;
            stack.pop();
        }
    }
    let mut i = 0;
    while i < len {
        if state[i] != EXPLORED {
            return Err(fail(i, RejectKind::Unreachable, format!("unreachable insn {i}")));
        }
        if raw[i].code == LD_IMM64 {
            if state.get(i + 1).is_some_and(|&s| s != UNSEEN) {
                return Err(fail(i, RejectKind::JumpIntoLdImm64, format!("jump into the middle of ldimm64 insn {i}")));
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    Ok(dfs)
}

/// The kernel's name for the instruction group whose reserved fields are not zero.
fn reserved_fields_group(r: &RawInsn) -> &'static str {
    let op = r.code & 0xf0;
    match class(r.code) {
        CLASS_LD if r.code == LD_IMM64 => "BPF_LD_IMM64",
        CLASS_LD => "BPF_LD_[ABS|IND]",
        CLASS_LDX => "BPF_LDX",
        CLASS_ST => "BPF_ST",
        CLASS_STX if r.code & 0xe0 == 0xc0 => "BPF_ATOMIC",
        CLASS_STX => "BPF_STX",
        CLASS_JMP | CLASS_JMP32 => match op {
            OP_CALL => "BPF_CALL",
            OP_EXIT => "BPF_EXIT",
            OP_JA => "BPF_JA",
            _ => "BPF_JMP/JMP32",
        },
        _ => match op {
            0x80 => "BPF_NEG",
            0xd0 => "BPF_END",
            _ => "BPF_ALU",
        },
    }
}

/// Instructions that do not decode, in the kernel's words where it has them: what the
/// kernel reports while simulating (`do_check`), so after the CFG checks.
pub(crate) fn check_decodes(raw: &[RawInsn]) -> Result<(), Fail> {
    let mut i = 0;
    while i < raw.len() {
        match decode(raw[i], raw.get(i + 1).copied()) {
            Ok(insn) => i += insn.slots(),
            Err(e) => {
                let (kind, message) = match e {
                    DecodeErrorKind::BadRegister { value, .. } => (RejectKind::InvalidRegister, format!("R{value} is invalid")),
                    DecodeErrorKind::ReservedNonZero { .. } | DecodeErrorKind::BadSelector { .. } => {
                        (RejectKind::ReservedFields, format!("{} uses reserved fields", reserved_fields_group(&raw[i])))
                    }
                    other => (RejectKind::InvalidInsn, format!("invalid instruction: {other}")),
                };
                return Err(fail(i, kind, message));
            }
        }
    }
    Ok(())
}

/// The static part of `check_max_stack_depth`: following bpf-to-bpf calls (live or dead)
/// from the main program, no chain may need more than [`MAX_CALL_FRAMES`] frames. A
/// recursive call needs unboundedly many. The message is the one the kernel's simulation
/// prints when the ninth frame would be pushed.
pub(crate) fn check_call_depth(raw: &[RawInsn], starts: &[usize]) -> Result<(), Fail> {
    let subprog_of = |pc: usize| starts.partition_point(|&s| s <= pc) - 1;
    // Calls of each subprogram: (call site, callee).
    let mut calls: Vec<Vec<(usize, usize)>> = vec![Vec::new(); starts.len()];
    for (pc, r) in raw.iter().enumerate() {
        if is_pseudo_call(r) {
            calls[subprog_of(pc)].push((pc, subprog_of(imm_target(pc, r) as usize)));
        }
    }
    // Frames needed by the deepest chain starting in each subprogram, capped at one more
    // than allowed (a cycle reaches the cap): nine rounds of relaxation suffice.
    let too_deep = MAX_CALL_FRAMES + 1;
    let mut depth = vec![1usize; starts.len()];
    for _ in 0..too_deep {
        for s in 0..starts.len() {
            let d = calls[s].iter().map(|&(_, c)| depth[c] + 1).max().unwrap_or(1).min(too_deep);
            depth[s] = depth[s].max(d);
        }
    }
    if depth[0] < too_deep {
        return Ok(());
    }
    // Follow a deepest chain to the call that would push the ninth frame.
    let (mut sub, mut frame) = (0, 1);
    loop {
        let &(site, callee) =
            calls[sub].iter().find(|&&(_, c)| frame + depth[c] >= too_deep).expect("a deep chain continues");
        if frame == MAX_CALL_FRAMES {
            return Err(fail(site, RejectKind::CallStackTooDeep, format!("the call stack of {too_deep} frames is too deep")));
        }
        sub = callee;
        frame += 1;
    }
}
