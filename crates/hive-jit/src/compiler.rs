//! The driver: one pass over the program, one `emit_*` call per instruction, then label
//! resolution by dynasmrt.
//!
//! There is no size-convergence loop as in the kernel: a forward branch is emitted in its
//! 32-bit form, so each instruction's code has a size known when it is emitted and dynamic
//! labels resolve all targets in one go. A backward branch's distance is known when it is
//! emitted, so it takes the 2-byte form when it fits ([`Compiler::short_back`]).

use dynasmrt::x64::X64Relocation;
use dynasmrt::{AssemblyOffset, DynamicLabel, DynasmApi, VecAssembler};
use hive_isa::{CallTarget, Code, Insn};

use crate::analysis::Subprog;
use crate::emit;
use crate::error::JitError;
use crate::facts::Facts;
use crate::native::Table;
use crate::program::JitOptions;
use crate::switch::Switch;

/// The assembler: code goes into a `Vec<u8>` and is copied into executable memory at the end.
pub(crate) type Asm = VecAssembler<X64Relocation>;

/// Emits with dynasm's x64 syntax into an [`Asm`].
macro_rules! asm {
    ($ops:expr, $($t:tt)*) => {{
        #[allow(unused_imports)]
        use dynasmrt::{DynasmApi as _, DynasmLabelApi as _};
        // dynasm converts dynamic register numbers with `.into()`, already `u8` here.
        #[allow(clippy::useless_conversion)]
        let emitted = dynasmrt::dynasm!($ops ; .arch x64 $($t)*);
        emitted
    }};
}
pub(crate) use asm;

/// The native frame of the subprogram being emitted (see the crate docs for the layout).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// Offset of the saved environment pointer from `rsp` in the body.
    pub env_off: i32,
    /// Where `exit` jumps: the epilogue.
    pub epilogue: DynamicLabel,
    /// Out-of-line handling of a non-zero status after `LD_ABS`/`LD_IND`.
    pub packet_status: DynamicLabel,
}

/// Everything emission needs.
pub(crate) struct Compiler<'a> {
    pub ops: Asm,
    pub code: &'a Code,
    pub subs: &'a [Subprog],
    pub options: &'a JitOptions,
    /// Direct helpers and known maps.
    pub natives: &'a Table,
    /// Per slot: whether some jump lands there (a basic block starts there).
    pub targets: Vec<bool>,
    /// Per slot: an upper bound of the bytes emitted from the start of slot 0 to the start
    /// of this slot, not counting out-of-line code (see [`Compiler::short_fwd`]); empty when
    /// forward jumps take the 32-bit form only.
    bound: Vec<u32>,
    /// Per slot: how many slots the longest backward jump landing there spans, 0 if none
    /// (not a loop head).
    loop_spans: Vec<u32>,
    /// Per slot: the offset of the instruction's code once emitted (`u32::MAX` before).
    offsets: Vec<u32>,
    /// Per slot: its label, created on the first jump to it.
    labels: Vec<Option<DynamicLabel>>,
    /// Per subprogram: its prologue, the target of calls.
    pub entries: Vec<DynamicLabel>,
    /// Per subprogram: the offset of its prologue, once emitted.
    pub sub_offsets: Vec<u32>,
    /// Shared stub: unwind to the entry frame (`rsp = rdx`) and return `rax`.
    pub unwind: DynamicLabel,
    /// The current subprogram's frame.
    pub frame: Frame,
    /// Set by an emitter whose last x86 instruction left ZF reflecting the whole value of
    /// this register (`true`: after a 32-bit operation, whose result is zero-extended).
    pub flags: Option<(hive_isa::Reg, bool)>,
    /// What `flags` said after the previous instruction, if control can only come from it.
    pub prev_flags: Option<(hive_isa::Reg, bool)>,
    /// Out-of-line `may_goto` exits of the current subprogram: (stub, target).
    pub may_goto_exits: Vec<(DynamicLabel, DynamicLabel)>,
    /// Out-of-line NULL results of inlined lookups of the current subprogram: (stub, target).
    pub null_exits: Vec<(DynamicLabel, DynamicLabel)>,
    /// The known bits of the registers before the instruction being emitted.
    pub facts: Facts,
    /// Keys for [`JitOptions::blind_constants`], when on.
    pub blinding: Option<emit::blind::Blinding>,
    /// Decision trees to look up as tables, by root slot in slot order (none when blinding:
    /// the tables would hold the program's immediates).
    switches: Vec<(usize, Switch)>,
    /// Tables of the lookups emitted so far, placed after the code.
    pub tables: Vec<emit::switch::Table>,
    /// Out-of-line moves of taken edges of the current subprogram ([`emit::sink`]).
    pub edge_stubs: Vec<emit::sink::EdgeStub>,
}

impl<'a> Compiler<'a> {
    fn new(code: &'a Code, subs: &'a [Subprog], options: &'a JitOptions, natives: &'a Table, short: bool) -> Self {
        // About 12 bytes of x86 per BPF instruction on average; reserve generously.
        let mut ops =
            Asm::new_with_capacity(0, code.len() * 16 + 512, 0, 0, code.len() / 2 + subs.len() + 8, 0, code.len());
        let entries = (0..subs.len()).map(|_| ops.new_dynamic_label()).collect();
        let unwind = ops.new_dynamic_label();
        let placeholder = ops.new_dynamic_label();
        let frame = Frame { env_off: 0, epilogue: placeholder, packet_status: placeholder };
        let (offsets, labels) = (vec![u32::MAX; code.len()], vec![None; code.len()]);
        let mut targets = vec![false; code.len()];
        let mut loop_spans = vec![0u32; code.len()];
        for (pc, insn) in code.iter() {
            if let (Insn::Ja { .. } | Insn::Jump { .. } | Insn::MayGoto { .. }, Some(delta)) =
                (insn, insn.branch_delta())
                && let Some(t) = targets.get_mut((pc as i64 + 1 + delta) as usize)
            {
                *t = true;
                if delta < 0 {
                    let span = &mut loop_spans[(pc as i64 + 1 + delta) as usize];
                    *span = (*span).max((-delta) as u32);
                }
            }
        }
        let switches = if options.blind_constants { Vec::new() } else { crate::switch::find(code, subs) };
        // A lookup jumps to where its tree ends: a basic block starts there.
        for (_, s) in &switches {
            for end in s.ends() {
                targets[end] = true;
            }
        }
        let bound = if short { bounds(code, &loop_spans, &switches, options) } else { Vec::new() };
        Compiler {
            switches,
            tables: Vec::new(),
            edge_stubs: Vec::new(),
            facts: Facts::unknown(),
            blinding: options.blind_constants.then(emit::blind::Blinding::new),
            bound,
            ops,
            code,
            subs,
            options,
            natives,
            targets,
            loop_spans,
            offsets,
            labels,
            sub_offsets: vec![u32::MAX; subs.len()],
            entries,
            unwind,
            frame,
            flags: None,
            prev_flags: None,
            may_goto_exits: Vec::new(),
            null_exits: Vec::new(),
        }
    }

    fn subprogram(&mut self, k: usize) -> Result<(), JitError> {
        let sub = &self.subs[k];
        emit::call::prologue(self, k);
        self.flags = None;
        let mut pc = sub.start;
        while pc < sub.end {
            let Some(insn) = self.code.get(pc) else {
                pc += 1;
                continue;
            };
            // Loops start on an alignment boundary: fewer fetch blocks and uop cache lines
            // per iteration, and timings that do not depend on where the loop happens to
            // fall. (The head of a loop is often far from its body's bulk in clang's layout,
            // so every loop is aligned, whatever its span.)
            if self.loop_spans[pc] != 0 && self.options.align_loops > 1 {
                self.pad_to(self.options.align_loops as usize);
            }
            let here = self.ops.offset();
            self.offsets[pc] = here.0 as u32;
            if let Some(label) = self.labels[pc] {
                self.define(label, here);
            }
            self.prev_flags = if self.targets[pc] { None } else { self.flags.take() };
            self.flags = None;
            if self.targets[pc] || pc == sub.start {
                self.facts = self.natives.block_entries.get(&pc).map_or_else(Facts::unknown, Facts::at_entry);
            }
            // Groups of instructions with a better translation than their members'.
            let taken = match *insn {
                // An inlined array lookup and its NULL check.
                Insn::Call(CallTarget::Helper(crate::native::BPF_FUNC_MAP_LOOKUP_ELEM)) => {
                    emit::call::lookup_then_test(self, pc, sub.end)
                }
                // A `can_loop` latch.
                Insn::MayGoto { .. } => emit::jump::may_goto_latch(self, pc, sub.end),
                // A load whose value only feeds the next operation.
                Insn::Load { .. } => emit::fuse::load_op(self, pc, sub.end),
                // A jump the known bits settle; a short forward jump over moves, as
                // conditional moves; a jump over a `goto`, as one jump.
                Insn::Jump { width, cond, dst, src, off } => {
                    if let Some(s) = self.switch_at(pc) {
                        emit::switch::lookup(self, pc, &s);
                    }
                    if let Some(taken) = self.facts.decide(width, cond, dst, src) {
                        if taken {
                            emit::jump::ja(self, pc, off as i64);
                        }
                        1
                    } else {
                        // Conditional moves of immediates would encode them.
                        match if self.blinding.is_some() { 0 } else { emit::jump::select(self, pc, sub.end) } {
                            0 => emit::jump::inverted(self, pc, sub.end),
                            n => n,
                        }
                    }
                }
                // The first that applies of: a rotate written as two shifts and an `or`; moves
                // before a conditional jump, on the edges that read them; an addition that only
                // moves the address of the next access, into its displacement; else one or two
                // operations and the zero-extension after them, or two instructions as one.
                Insn::Alu { .. } | Insn::Neg { .. } => {
                    let mut n = emit::fuse::rotate(self, pc, sub.end);
                    if n == 0 {
                        n = emit::sink::moves_at_jump(self, pc, sub.end);
                    }
                    if n == 0 {
                        n = emit::fuse::offset_into_access(self, pc, sub.end);
                    }
                    if n == 0 {
                        n = self.alu_group(pc, insn, sub.end)?;
                    }
                    n
                }
                _ => 0,
            };
            let next = if taken != 0 {
                pc + taken
            } else {
                self.insn(pc, insn)?;
                pc + 1
            };
            for q in pc..next {
                if let Some(insn) = self.code.get(q) {
                    self.facts.step(q, insn);
                }
            }
            pc = next;
        }
        if sub.falls_off {
            emit::call::fell_off_end(self);
        }
        emit::call::epilogue(self, k);
        Ok(())
    }

    fn insn(&mut self, pc: usize, insn: &Insn) -> Result<(), JitError> {
        use emit::{alu, call, jump, mem};
        match *insn {
            Insn::Alu { width, op, dst, src } => alu::alu(self, width, op, dst, src),
            Insn::Neg { width, dst } => alu::neg(self, width, dst),
            Insn::Endian { op, bits, dst } => alu::endian(self, op, bits, dst),
            Insn::LdImm64 { dst, pseudo, imm, next_imm } => alu::ld_imm64(self, pc, dst, pseudo, imm, next_imm),
            Insn::Load { size, signed, dst, src, off } => mem::load(self, size, signed, dst, src, off as i32),
            Insn::Store { size, dst, off, src } => mem::store(self, size, dst, off as i32, src),
            Insn::Atomic { size, op, dst, src, off } => return mem::atomic(self, pc, size, op, dst, src, off),
            Insn::LoadPacket { mode, size, src, imm } => call::load_packet(self, pc, mode, size, src, imm),
            Insn::Ja { off, .. } => jump::ja(self, pc, off as i64),
            Insn::Jump { width, cond, dst, src, off } => jump::cond(self, pc, width, cond, dst, src, off),
            Insn::MayGoto { off } => jump::may_goto(self, pc, off),
            Insn::Call(CallTarget::Local(imm)) => call::local(self, pc, imm),
            Insn::Call(CallTarget::Helper(id)) => call::helper(self, pc, id),
            Insn::Call(CallTarget::Kfunc { .. }) => call::kfunc(self, pc),
            Insn::CallX { reg } => call::callx(self, pc, reg),
            Insn::Exit => call::exit(self, pc),
        }
        Ok(())
    }

    /// Groups starting with the ALU instruction at `pc`, when nothing jumps into them:
    /// `op; zext` and `op; op; zext` (a 64-bit result truncated to 32 bits right away, as
    /// clang widens `u32` values) as the 32-bit operations, and [`emit::fuse::pair`]s.
    /// Returns the number of slots emitted, 0 for none.
    fn alu_group(&mut self, pc: usize, insn: &Insn, end: usize) -> Result<usize, JitError> {
        use emit::fuse::{narrowed, pair, zext_at};
        let here = self.ops.offset().0 as u32;
        let next = self.code.get(pc + 1).filter(|_| pc + 1 < end && !self.targets[pc + 1]).copied();
        let covered = |c: &mut Self, n: usize| {
            for q in pc + 1..pc + n {
                c.note_offset(q, here);
            }
            n
        };
        if let Some((a32, dst)) = narrowed(insn) {
            if zext_at(self, pc + 1, dst, end) {
                self.insn(pc, &a32)?;
                return Ok(covered(self, 3));
            }
            if let Some((b32, d2)) = next.as_ref().and_then(narrowed)
                && d2 == dst
                && zext_at(self, pc + 2, dst, end)
                && self.blinding.is_none()
                && pair(self, &a32, &b32)
            {
                return Ok(covered(self, 4));
            }
        }
        match next {
            // Pairs fold immediates into `lea` and `imul` encodings.
            Some(next) if self.blinding.is_none() && pair(self, insn, &next) => Ok(covered(self, 2)),
            _ => Ok(0),
        }
    }

    /// Whether a decision tree looked up as a table is rooted at `pc` (not yet emitted).
    pub fn switch_root(&self, pc: usize) -> bool {
        self.switches.binary_search_by_key(&pc, |(root, _)| *root).is_ok()
    }

    /// The decision tree rooted at `pc`, if it is to be looked up as a table (once).
    fn switch_at(&mut self, pc: usize) -> Option<Switch> {
        let i = self.switches.binary_search_by_key(&pc, |(root, _)| *root).ok()?;
        Some(self.switches.remove(i).1)
    }

    /// Records where the code of `pc` starts when it is emitted as part of another
    /// instruction's (nothing jumps to it).
    pub fn note_offset(&mut self, pc: usize, at: u32) {
        self.offsets[pc] = at;
    }

    /// The label of the instruction at `pc + 1 + delta`. Labels exist only for jump targets:
    /// made on the first jump to a slot, and defined at once for a slot already emitted (a
    /// backward jump) or when the slot is reached (a forward one).
    pub fn target(&mut self, pc: usize, delta: i64) -> DynamicLabel {
        let t = (pc as i64 + 1 + delta) as usize;
        if let Some(label) = self.labels[t] {
            return label;
        }
        let label = self.ops.new_dynamic_label();
        self.labels[t] = Some(label);
        if self.offsets[t] != u32::MAX {
            self.define(label, AssemblyOffset(self.offsets[t] as usize));
        }
        label
    }

    /// Whether a 2-byte jump emitted as (the end of) slot `pc` surely reaches the instruction
    /// at `pc + 1 + delta`, a forward target: the bound of the code in between fits in a
    /// signed byte. (A wrong bound would fail assembly, and [`generate`] would then compile
    /// again with 32-bit forward jumps only.)
    pub fn short_fwd(&self, pc: usize, delta: i64) -> bool {
        let t = pc as i64 + 1 + delta;
        if self.bound.is_empty() || delta <= 0 || t as usize >= self.bound.len() {
            return false;
        }
        // The padding of slot pc + 1 (if it starts a loop) is not in the difference.
        let head = self.loop_spans[pc + 1] != 0;
        let pad = if head && self.options.align_loops > 1 { self.options.align_loops as u32 - 1 } else { 0 };
        self.bound[t as usize] - self.bound[pc + 1] + pad <= i8::MAX as u32
    }

    /// Whether a 2-byte jump (`jmp rel8`/`jcc rel8`) emitted next reaches the instruction at
    /// `pc + 1 + delta`: only for a backward target, whose offset is already known.
    pub fn short_back(&self, pc: usize, delta: i64) -> bool {
        let t = (pc as i64 + 1 + delta) as usize;
        let at = self.offsets[t];
        if at == u32::MAX || delta >= 0 {
            return false;
        }
        let rel = at as i64 - (self.ops.offset().0 as i64 + 2);
        rel >= i8::MIN as i64
    }

    /// Pads with multi-byte `nop`s to a multiple of `align` bytes.
    pub fn pad_to(&mut self, align: usize) {
        const NOPS: [&[u8]; 9] = [
            &[0x90],
            &[0x66, 0x90],
            &[0x0f, 0x1f, 0x00],
            &[0x0f, 0x1f, 0x40, 0x00],
            &[0x0f, 0x1f, 0x44, 0x00, 0x00],
            &[0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
            &[0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
            &[0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
            &[0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        ];
        let mut n = (align - self.ops.offset().0 % align) % align;
        while n > 0 {
            let k = n.min(NOPS.len());
            self.ops.extend(NOPS[k - 1].iter().copied());
            n -= k;
        }
    }

    fn define(&mut self, label: DynamicLabel, at: AssemblyOffset) {
        // A fresh label is defined once, so this cannot fail.
        let _ = self.ops.labels_mut().define_dynamic(label, at);
    }
}

/// Machine code and where things are in it.
pub(crate) struct Generated {
    pub bytes: Vec<u8>,
    /// Offset of the entry stub.
    pub entry: usize,
    /// Per subprogram: offset of its prologue.
    pub sub_offsets: Vec<u32>,
    /// Per slot: offset of its code (`u32::MAX` for the second slot of `lddw`).
    pub offsets: Vec<u32>,
}

/// Compiles every subprogram and the entry stub into position-independent machine code.
pub(crate) fn generate(
    code: &Code,
    subs: &[Subprog],
    options: &JitOptions,
    natives: &Table,
) -> Result<Generated, JitError> {
    match generate_with(code, subs, options, natives, true) {
        // A short forward jump that does not reach after all: long ones only.
        Err(JitError::Assembler(_)) => generate_with(code, subs, options, natives, false),
        other => other,
    }
}

fn generate_with(
    code: &Code,
    subs: &[Subprog],
    options: &JitOptions,
    natives: &Table,
    short: bool,
) -> Result<Generated, JitError> {
    let mut c = Compiler::new(code, subs, options, natives, short);
    let entry = emit::call::entry_stub(&mut c);
    for k in 0..subs.len() {
        c.subprogram(k)?;
    }
    emit::switch::tables(&mut c);
    let offsets = std::mem::take(&mut c.offsets);
    let sub_offsets = std::mem::take(&mut c.sub_offsets);
    let bytes = c.ops.finalize().map_err(|e| JitError::Assembler(e.to_string()))?;
    Ok(Generated { bytes, entry, sub_offsets, offsets })
}

/// Upper bounds of the in-line code of each instruction, summed (see `Compiler::bound`):
/// generous per kind, plus the most padding an aligned loop head may get. Fused and
/// rewritten groups of instructions emit less than their members' bounds together.
fn bounds(code: &Code, loop_spans: &[u32], switches: &[(usize, Switch)], options: &JitOptions) -> Vec<u32> {
    let pad = if options.align_loops > 1 { options.align_loops as u32 - 1 } else { 0 };
    let mut out = Vec::with_capacity(code.len() + 1);
    let mut sum = 0u32;
    let mut switches = switches.iter().peekable();
    for (pc, &span) in loop_spans.iter().enumerate().take(code.len()) {
        let aligned = span != 0;
        if aligned {
            sum += pad;
        }
        out.push(sum);
        sum += match code.get(pc) {
            None => 0,
            Some(insn) => bound_of(insn, options),
        };
        if let Some((_, s)) = switches.next_if(|(root, _)| *root == pc) {
            sum += emit::switch::bound(s);
        }
    }
    out.push(sum);
    out
}

/// An upper bound of the in-line bytes of one instruction (dynasm's encodings: a REX prefix
/// and a SIB byte on every register operand and memory access). If-conversion emits up to
/// 11 bytes (`mov r11, imm32; cmov`) per skipped move, which the `mov` bounds cover.
fn bound_of(insn: &Insn, options: &JitOptions) -> u32 {
    use hive_isa::{AluOp, Source};
    match *insn {
        Insn::Alu { op: AluOp::Div | AluOp::Mod | AluOp::SDiv | AluOp::SMod, .. } => 100,
        Insn::Alu { op: AluOp::Lsh | AluOp::Rsh | AluOp::Arsh, src: Source::Reg(_), .. } if !options.bmi2 => 24,
        Insn::Alu { op: AluOp::Lsh | AluOp::Rsh | AluOp::Arsh, .. } => 5,
        Insn::Alu { src: Source::Imm(_), .. } => 11,
        Insn::Alu { .. } => 5,
        Insn::Load { .. } | Insn::Store { .. } => 12,
        Insn::LdImm64 { .. } => 10,
        Insn::Neg { .. } => 4,
        Insn::Endian { .. } => 9,
        Insn::Ja { .. } | Insn::Exit => 5,
        Insn::Jump { .. } => 14,
        Insn::MayGoto { .. } => 14,
        Insn::Call(CallTarget::Local(_)) => 32,
        _ => 160,
    }
}
