//! What the code generator needs to know before emitting anything: the subprograms, what each
//! one writes and uses, and proof that bpf-to-bpf calls stay within [`MAX_CALL_FRAMES`].
//!
//! These are checks the verifier also makes; the JIT repeats the cheap ones it relies on for
//! its own frame layout (no recursion, bounded depth, `r10` never written), so that a program
//! breaking them is refused with a [`JitError`] instead of corrupting the run.

use hive_isa::{AtomicOp, CallTarget, Code, Insn, LayoutError, MAX_CALL_FRAMES, Pseudo, Reg};

use crate::error::JitError;
use crate::regmap::CALLEE_SAVED;

/// One subprogram: slots `start..end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Subprog {
    /// First slot.
    pub start: usize,
    /// One past the last slot.
    pub end: usize,
    /// Which of `r6`-`r9` ([`CALLEE_SAVED`]) the subprogram writes, and so must save.
    pub saves: [bool; 4],
    /// Whether it contains `may_goto` (and so needs its own budget).
    pub may_goto: bool,
    /// Whether it contains `LD_ABS`/`LD_IND` (which may return from it early).
    pub packet: bool,
    /// Whether it never needs the run's environment: no call into the host (helper, kfunc,
    /// `callx`), no `LD_ABS`/`LD_IND`, no falling off the end, neither itself nor any
    /// subprogram it calls. Its frame then holds no environment pointer, and its `rsp` need
    /// not be aligned (nothing it runs calls System V code).
    pub env_free: bool,
    /// Indices of the subprograms it calls.
    pub callees: Vec<usize>,
    /// Its last instruction can fall through (only allowed for the last subprogram, where
    /// reaching the end is the interpreter's "fell off the end" fault).
    pub falls_off: bool,
    /// Frames its deepest chain of calls occupies, its own included (1: it calls nothing).
    /// A helper's callback entered at frame `d` needs `d + height <= MAX_CALL_FRAMES`.
    pub height: usize,
}

/// The subprogram index of the function starting at `slot`.
pub(crate) fn subprog_at(subs: &[Subprog], slot: usize) -> Option<usize> {
    subs.binary_search_by_key(&slot, |s| s.start).ok()
}

fn writes(insn: &Insn) -> Option<Reg> {
    match *insn {
        // Only the old value of a fetching atomic is written back (`written_reg` covers it).
        Insn::Atomic { op: AtomicOp::StoreRelease, .. } => None,
        _ => insn.written_reg(),
    }
}

/// Splits `code` into subprograms and checks what the JIT relies on.
///
/// The layout rules are the kernel's (`Code::check_layout`) but for one: the program's very
/// last instruction may fall through, as in test_bpf's unverified programs with dead code at
/// the end; the JIT then emits the interpreter's "fell off the end" fault there.
#[cfg(test)]
pub(crate) fn analyze(code: &Code) -> Result<Vec<Subprog>, JitError> {
    analyze_with(code, false)
}

/// `analyze`, counting a function reference (`lddw rX, func`) as a call of that function
/// when `callbacks` (the compiler may call it as a `bpf_loop` callback), for the depth and
/// recursion checks.
pub(crate) fn analyze_with(code: &Code, callbacks: bool) -> Result<Vec<Subprog>, JitError> {
    if code.is_empty() {
        return Err(LayoutError::Empty.into());
    }
    let starts = code.subprogram_starts();
    let mut subs: Vec<Subprog> = starts
        .iter()
        .enumerate()
        .map(|(k, &start)| Subprog {
            start,
            end: starts.get(k + 1).copied().unwrap_or(code.len()),
            saves: [false; 4],
            may_goto: false,
            packet: false,
            env_free: true,
            callees: Vec::new(),
            falls_off: false,
            height: 1,
        })
        .collect();
    for k in 0..subs.len() {
        let (start, end) = (subs[k].start, subs[k].end);
        let last = (start..end).rev().find(|&pc| code.get(pc).is_some()).unwrap_or(start);
        if !matches!(code.get(last), Some(Insn::Exit | Insn::Ja { .. })) {
            if k + 1 != subs.len() {
                return Err(LayoutError::LastNotExit { pc: last }.into());
            }
            subs[k].falls_off = true;
            subs[k].env_free = false;
        }
        for pc in start..end {
            let Some(insn) = code.get(pc) else { continue };
            if let (Insn::Ja { .. } | Insn::Jump { .. } | Insn::MayGoto { .. }, Some(delta)) =
                (insn, insn.branch_delta())
            {
                let to = pc as i64 + 1 + delta;
                if to < start as i64 || to >= end as i64 {
                    return Err(LayoutError::JumpOutOfSubprogram { from: pc, to }.into());
                }
            }
            if let Some(w) = writes(insn) {
                if w == Reg::R10 {
                    return Err(JitError::FramePointerWrite { pc });
                }
                if let Some(i) = CALLEE_SAVED.iter().position(|&r| r == w) {
                    subs[k].saves[i] = true;
                }
            }
            if matches!(
                insn,
                Insn::Call(CallTarget::Helper(_) | CallTarget::Kfunc { .. })
                    | Insn::CallX { .. }
                    | Insn::LoadPacket { .. }
            ) {
                subs[k].env_free = false;
            }
            match *insn {
                Insn::LdImm64 { pseudo, .. } if !matches!(pseudo, Pseudo::None | Pseudo::Func) => {
                    return Err(JitError::UnresolvedPseudo { pc, pseudo });
                }
                Insn::LdImm64 { pseudo: Pseudo::Func, imm, .. } if callbacks => {
                    let target = (pc as i64 + 1 + imm as i64) as usize;
                    if let Some(callee) = subprog_at(&subs, target) {
                        subs[k].callees.push(callee);
                    }
                }
                Insn::MayGoto { .. } => subs[k].may_goto = true,
                Insn::LoadPacket { .. } => subs[k].packet = true,
                Insn::Call(CallTarget::Local(imm)) => {
                    let target = (pc as i64 + 1 + imm as i64) as usize;
                    let callee = subprog_at(&subs, target).expect("local call targets start subprograms");
                    subs[k].callees.push(callee);
                }
                _ => {}
            }
        }
    }
    check_depth(&mut subs)?;
    // A caller of a subprogram that needs the environment needs it too (the call graph has
    // no cycle: one pass per level of calls settles it).
    let mut changed = true;
    while changed {
        changed = false;
        for k in 0..subs.len() {
            if subs[k].env_free && subs[k].callees.iter().any(|&c| !subs[c].env_free) {
                subs[k].env_free = false;
                changed = true;
            }
        }
    }
    Ok(subs)
}

/// Rejects recursion and call chains deeper than [`MAX_CALL_FRAMES`] frames, and records
/// each subprogram's [`Subprog::height`].
fn check_depth(subs: &mut [Subprog]) -> Result<(), JitError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done(usize),
    }
    // Iterative depth-first search (programs may hold thousands of subprograms).
    let mut marks = vec![Mark::New; subs.len()];
    for root in 0..subs.len() {
        if marks[root] != Mark::New {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        marks[root] = Mark::Active;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&callee) = subs[node].callees.get(*next) {
                *next += 1;
                match marks[callee] {
                    Mark::Active => return Err(JitError::Recursion { start: subs[callee].start }),
                    Mark::New => {
                        marks[callee] = Mark::Active;
                        stack.push((callee, 0));
                    }
                    Mark::Done(_) => {}
                }
            } else {
                let depth = 1 + subs[node]
                    .callees
                    .iter()
                    .map(|&c| match marks[c] {
                        Mark::Done(d) => d,
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                if depth > MAX_CALL_FRAMES {
                    return Err(JitError::CallDepth { frames: depth, limit: MAX_CALL_FRAMES });
                }
                marks[node] = Mark::Done(depth);
                subs[node].height = depth;
                stack.pop();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hive_isa::{AluOp, Source, Width};

    fn call(imm: i32) -> Insn {
        Insn::Call(CallTarget::Local(imm))
    }

    #[test]
    fn subprograms_and_saves() {
        let mov7 = Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R7, src: Source::Imm(1) };
        // main: call +1; exit | sub: r7 = 1; may_goto +0; exit
        let code = Code::from_insns(&[call(1), Insn::Exit, mov7, Insn::MayGoto { off: 0 }, Insn::Exit]).unwrap();
        let subs = analyze(&code).unwrap();
        assert_eq!(subs.len(), 2);
        assert_eq!((subs[1].start, subs[1].end), (2, 5));
        assert_eq!(subs[1].saves, [false, true, false, false]);
        assert!(subs[1].may_goto && !subs[0].may_goto);
        assert_eq!(subs[0].callees, vec![1]);
    }

    #[test]
    fn recursion_and_depth_are_refused() {
        // sub at 2 calls itself
        let code = Code::from_insns(&[call(1), Insn::Exit, call(-1), Insn::Exit]).unwrap();
        assert_eq!(analyze(&code), Err(JitError::Recursion { start: 2 }));
        // a chain of n subprograms: each calls the next
        let chain = |n: usize| {
            let mut v = Vec::new();
            for _ in 0..n - 1 {
                v.extend([call(1), Insn::Exit]);
            }
            v.push(Insn::Exit);
            Code::from_insns(&v).unwrap()
        };
        assert!(analyze(&chain(MAX_CALL_FRAMES)).is_ok());
        assert_eq!(
            analyze(&chain(MAX_CALL_FRAMES + 1)),
            Err(JitError::CallDepth { frames: MAX_CALL_FRAMES + 1, limit: MAX_CALL_FRAMES })
        );
    }

    #[test]
    fn frame_pointer_writes_are_refused() {
        let w = Insn::Alu { width: Width::W64, op: AluOp::Add, dst: Reg::R10, src: Source::Imm(8) };
        let code = Code::from_insns(&[w, Insn::Exit]).unwrap();
        assert_eq!(analyze(&code), Err(JitError::FramePointerWrite { pc: 0 }));
    }
}
