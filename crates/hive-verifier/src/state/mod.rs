//! The verifier state at one instruction of one path: registers, stack and call frames, and
//! the references the path holds (the kernel's `struct bpf_verifier_state`).
//!
//! - [`reg`]: one register's value ([`Reg`]), pointer kinds and their kernel names.
//! - [`stack`]: a frame's stack as 8-byte slots whose bytes are invalid, unknown data, known
//!   zeros or part of a spilled register ([`Slot`]).
//! - [`prune`]: the order between states (`states_equal`): a state subsumed by one already
//!   verified at the same instruction needs no further exploration; and the widening that
//!   makes loops bounded by the runtime (`may_goto`, callbacks) converge.
//!
//! Frames are those of bpf-to-bpf calls and of callbacks: at most [`MAX_CALL_FRAMES`], each
//! with its own `r0`-`r10` and stack. Callee-saved `r6`-`r9` live in the caller's frame while a
//! callee runs, as in the kernel.

pub mod prune;
pub mod reg;
pub mod stack;

use std::fmt;

pub use reg::{PtrKind, Reg, RegType, flag};
pub use stack::{Byte, Slot};

/// `MAX_CALL_FRAMES`.
pub const MAX_CALL_FRAMES: usize = 8;
/// `MAX_BPF_STACK`: bytes of stack per frame.
pub const MAX_BPF_STACK: i64 = 512;

/// How a frame was entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// The program's entry or a bpf-to-bpf call.
    Call,
    /// A synchronous callback (`bpf_loop`, `bpf_for_each_map_elem`, ...): on exit the path
    /// returns to the calling instruction for another iteration; `r0` must be in `ret`.
    SyncCallback,
    /// An asynchronous callback (timers), verified as a program of its own.
    AsyncCallback,
}

/// One call frame (`struct bpf_func_state`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// `r0`..`r10`.
    pub regs: [Reg; 11],
    /// The stack, slot `i` covering `fp-8(i+1)`..`fp-8i`; grows on demand.
    pub stack: Vec<Slot>,
    /// The call instruction that created the frame (0 for the entry frame).
    pub callsite: usize,
    /// First instruction of the function.
    pub subprog: usize,
    /// How it was entered.
    pub kind: FrameKind,
    /// The range `r0` must be in when this frame exits (callbacks).
    pub ret: Option<(i64, i64)>,
    /// Which call made this frame (a fresh id per call; 0 for the entry frame): a loop
    /// bounded by the frame's own `may_goto` budget only ever repeats within one instance.
    pub instance: u32,
    /// `may_goto`s this frame went past (each spends one unit of its budget).
    pub may_goto_passes: u32,
    /// A callback frame: the invocation of the callback-taking helper it iterates for (one
    /// id per invocation, kept by every iteration).
    pub loop_gen: u32,
    /// Back at a callback-taking helper call after a callback returned: `(call, loop_gen)`;
    /// `None` once execution goes past the call.
    pub cb_loop: Option<(usize, u32)>,
}

impl Frame {
    /// A frame with only `r10` set.
    pub fn new(frameno: u8, callsite: usize, subprog: usize, kind: FrameKind) -> Frame {
        let mut regs = [Reg::NOT_INIT; 11];
        regs[10] = Reg::fp(frameno);
        Frame { regs, stack: Vec::new(), callsite, subprog, kind, ret: None, instance: 0, may_goto_passes: 0, loop_gen: 0, cb_loop: None }
    }

    /// The bytes of stack ever written (`allocated_stack`).
    pub fn allocated(&self) -> i64 {
        self.stack.len() as i64 * 8
    }
}

/// The scalars of a state marked precise (see the engine's precision tracking): per frame,
/// a bit per register and per stack slot holding a spilled scalar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Precise {
    frames: Vec<(u16, u64)>,
}

impl Precise {
    /// Register `r` of frame `fr`.
    pub fn reg(&self, fr: usize, r: usize) -> bool {
        self.frames.get(fr).is_some_and(|f| f.0 & (1 << r) != 0)
    }

    /// The spill in slot `s` (`fp-8(s+1)`) of frame `fr`.
    pub fn slot(&self, fr: usize, s: usize) -> bool {
        s < 64 && self.frames.get(fr).is_some_and(|f| f.1 & (1 << s) != 0)
    }

    /// The marks of frame `fr`: registers and slots.
    pub fn frame(&self, fr: usize) -> (u16, u64) {
        self.frames.get(fr).copied().unwrap_or_default()
    }

    fn frame_mut(&mut self, fr: usize) -> &mut (u16, u64) {
        if self.frames.len() <= fr {
            self.frames.resize(fr + 1, (0, 0));
        }
        &mut self.frames[fr]
    }

    /// Marks register `r` of frame `fr`.
    pub fn set_reg(&mut self, fr: usize, r: usize) {
        self.frame_mut(fr).0 |= 1 << r;
    }

    /// Marks the spill in slot `s` of frame `fr`.
    pub fn set_slot(&mut self, fr: usize, s: usize) {
        if s < 64 {
            self.frame_mut(fr).1 |= 1 << s;
        }
    }
}

/// The state of one path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    /// Call frames, the innermost last.
    pub frames: Vec<Frame>,
    /// References held: `(ref_obj_id, instruction that acquired it)`.
    pub refs: Vec<(u32, usize)>,
    /// `may_goto` iterations taken on this path.
    pub may_goto_depth: u32,
}

impl State {
    /// The innermost frame.
    pub fn cur(&self) -> &Frame {
        self.frames.last().expect("a state has a frame")
    }

    /// The innermost frame, mutably.
    pub fn cur_mut(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a state has a frame")
    }

    /// Register `r` of the innermost frame.
    pub fn reg(&self, r: usize) -> &Reg {
        &self.cur().regs[r]
    }

    /// Register `r` of the innermost frame, mutably.
    pub fn reg_mut(&mut self, r: usize) -> &mut Reg {
        &mut self.cur_mut().regs[r]
    }

    /// Every register and spilled register of every frame.
    pub fn for_each_reg(&mut self, mut f: impl FnMut(&mut Reg)) {
        for fr in &mut self.frames {
            for r in fr.regs.iter_mut() {
                f(r);
            }
            for s in fr.stack.iter_mut() {
                if s.bytes[0] == Byte::Spill {
                    f(&mut s.spill);
                }
            }
        }
    }
}

impl fmt::Display for State {
    /// `R1=ctx() R10=fp0 fp-8=mmmmmmmm`, the innermost frame (the kernel's
    /// `print_verifier_state`, shortened).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fr = self.cur();
        let mut sep = "";
        if self.frames.len() > 1 {
            write!(f, "frame{}: ", self.frames.len() - 1)?;
        }
        for (i, r) in fr.regs.iter().enumerate() {
            if r.ty != RegType::NotInit {
                write!(f, "{sep}R{i}={r}")?;
                sep = " ";
            }
        }
        for (i, s) in fr.stack.iter().enumerate() {
            if s.bytes.iter().all(|b| *b == Byte::Invalid) {
                continue;
            }
            let off = -8 * (i as i64 + 1);
            if s.bytes[0] == Byte::Spill && s.bytes.iter().all(|b| *b == Byte::Spill) {
                write!(f, "{sep}fp{off}={}", s.spill)?;
            } else {
                let txt: String = s.bytes.iter().rev().map(|b| b.letter()).collect();
                write!(f, "{sep}fp{off}={txt}")?;
            }
            sep = " ";
        }
        Ok(())
    }
}
