//! Frames and everything that leaves straight-line code: the entry stub, subprogram prologues
//! and epilogues, bpf-to-bpf calls, helper/kfunc/`callx` calls through the run environment's
//! trampolines, `LD_ABS`/`LD_IND`, and `exit`.
//!
//! Native frame of a subprogram, from the return address down (`rsp` is 16-byte aligned in
//! the body, so every call from the body is System V aligned):
//!
//! ```text
//! [return address]
//! [saved rbx/r13/r14/r15: those of r6-r9 the subprogram writes]   (not in the main program)
//! [saved r12: the caller's may_goto budget]                      (if it has a may_goto)
//! [environment pointer]                                           <- rsp + env_off
//! [8 bytes of padding, if needed for alignment]                   <- rsp
//! ```
//!
//! A subprogram that never calls into the host, itself or through its callees
//! ([`crate::analysis::Subprog::env_free`]), has neither the environment pointer nor the
//! padding.
//!
//! The BPF stack is not on the native stack: `rbp` (BPF `r10`) points into the
//! [`hive_interp::Memory`] stack, frame `k` at `512 * k` below frame 0, exactly where the
//! interpreter puts it; a call moves `rbp` down 512 bytes and back up after the return.

use std::mem::offset_of;

use dynasmrt::DynasmApi;

use hive_isa::{CallTarget, Insn, PacketMode, Reg, STACK_SIZE, Size};

use crate::analysis::subprog_at;
use crate::compiler::{Compiler, Frame, asm};
use crate::emit::alu::load_const;
use crate::entry::{Env, Trampolines};
use crate::native::{ArrayLayout, BPF_FUNC_MAP_LOOKUP_ELEM, MapEntry};
use crate::regmap::{AUX, CALLEE_SAVED, LOOPS, TMP, host, x86};

const SAVED_RSP: i32 = offset_of!(Env, saved_rsp) as i32;
const TRAMPOLINES: i32 = offset_of!(Env, trampolines) as i32;
const ENTER: i32 = offset_of!(Env, enter) as i32;
const ENTER_FP: i32 = offset_of!(Env, enter_fp) as i32;
const HELPER: i32 = offset_of!(Trampolines, helper) as i32;
const KFUNC: i32 = offset_of!(Trampolines, kfunc) as i32;
const CALLX: i32 = offset_of!(Trampolines, callx) as i32;
const PACKET: i32 = offset_of!(Trampolines, packet) as i32;
const TRAP: i32 = offset_of!(Trampolines, trap) as i32;
const CALL: i32 = offset_of!(Env, call) as i32;
const CALLX_VALUE: i32 = offset_of!(Env, callx_value) as i32;
const CALL_FP: i32 = offset_of!(Env, call_fp) as i32;
const NATIVE_CTX: i32 = offset_of!(Env, native_ctx) as i32;
const FRAME: i32 = STACK_SIZE as i32;
/// `BPF_FUNC_loop`.
const BPF_FUNC_LOOP: i32 = 181;

/// The entry stub, the one way Rust enters compiled code: `extern "sysv64" fn(env: *mut Env,
/// r1, r2, r3, r4, r5) -> u64`, every argument in a register. It saves the host's
/// callee-saved registers the program changes (`rbp`; `rbx`, `r13`-`r15` for the `r6`-`r9`
/// any subprogram writes; `r12` if one has a `may_goto`: an unwind skips the subprograms' own
/// epilogues), records its `rsp` in the environment (the unwind target), moves `r1`-`r5` into
/// place, sets `r10` to the environment's `enter_fp`, zeroes `r0` and the `r6`-`r9` it saved
/// as the interpreter does, and calls the subprogram whose prologue is at the environment's
/// `enter`: the main program for a run, a callback for a
/// helper's [`hive_interp::Flow::Call`] (which a trampoline runs while the calling program is
/// suspended in it). An unwind (`rsp = rdx`, the innermost stub's `rsp`) returns through the
/// stub's own epilogue: from a callback, to the trampoline that called it, which restores the
/// outer unwind target and passes the unwind on, so no Rust frame is ever skipped. Returns
/// the stub's offset.
///
/// A main program that never calls into the host ([`crate::analysis::Subprog::env_free`])
/// gets a stub of type `extern "sysv64" fn(fp, r1, r2, r3, r4, r5) -> u64` instead, which
/// falls into the program's body: such a run needs no environment at all.
pub(crate) fn entry_stub(c: &mut Compiler<'_>) -> usize {
    let offset = c.ops.offset().0;
    let touched = touched_callee_saved(c);
    let saved = stub_saved(c);
    // A main program that never calls into the host cannot unwind nor be called back: the
    // stub falls into its body (emitted next), whose epilogue is the stub's.
    let env_free = c.subs[0].env_free;
    asm!(c.ops, ; push rbp);
    for &r in &saved {
        asm!(c.ops, ; push Rq(r));
    }
    // The call below needs rsp 16-byte aligned: an odd number of pushes after the return address.
    let pad = if saved.len() % 2 == 1 && !env_free { 8 } else { 0 };
    if pad != 0 {
        asm!(c.ops, ; sub rsp, pad);
    }
    if !env_free {
        asm!(c.ops, ; mov [rdi + SAVED_RSP], rsp);
    }
    if env_free {
        // The first argument is frame 0's `r10` itself: such a run needs no environment.
        asm!(c.ops, ; mov rbp, rdi);
    } else {
        asm!(c.ops, ; mov r10, rdi ; mov rbp, [r10 + ENTER_FP]);
    }
    asm!(c.ops,
        ; mov rdi, rsi
        ; mov rsi, rdx
        ; mov rdx, rcx
        ; mov rcx, r8
        ; mov r8, r9
        ; xor eax, eax
    );
    if !env_free {
        asm!(c.ops, ; mov r9, r10);
    }
    for &r in &touched {
        asm!(c.ops, ; xor Rd(host(r)), Rd(host(r)));
    }
    if env_free {
        return offset;
    }
    asm!(c.ops, ; call QWORD [r10 + ENTER]);
    stub_return(c, &saved, pad);
    offset
}

/// The registers the entry stub saves besides `rbp`: those of `r6`-`r9` some subprogram
/// writes, and `r12` if one has a `may_goto`.
fn stub_saved(c: &Compiler<'_>) -> Vec<u8> {
    let touched = touched_callee_saved(c);
    touched.iter().map(|&r| host(r)).chain(c.subs.iter().any(|s| s.may_goto).then_some(LOOPS)).collect()
}

/// Drops the entry stub's `pad`, restores what it `saved` and returns to Rust; then the
/// unwind stub, which returns the same way from the `rsp` a trampoline hands over in `rdx`
/// (the stub's, after its pushes and `pad`), with the result in `rax`.
fn stub_return(c: &mut Compiler<'_>, saved: &[u8], pad: i32) {
    let (restore, unwind) = (c.ops.new_dynamic_label(), c.unwind);
    asm!(c.ops, ; =>restore);
    if pad != 0 {
        asm!(c.ops, ; add rsp, pad);
    }
    for &r in saved.iter().rev() {
        asm!(c.ops, ; pop Rq(r));
    }
    asm!(c.ops,
        ; pop rbp
        ; ret
        ; =>unwind
        ; mov rsp, rdx
        ; jmp =>restore
    );
}

/// Those of `r6`-`r9` that some subprogram writes (the analysis' [`crate::analysis::Subprog::saves`]).
fn touched_callee_saved(c: &Compiler<'_>) -> Vec<Reg> {
    let written = |i: usize| c.subs.iter().any(|s| s.saves[i]);
    CALLEE_SAVED.into_iter().enumerate().filter(|&(i, _)| written(i)).map(|(_, r)| r).collect()
}

/// Prologue of subprogram `k`; sets `c.frame`.
pub(crate) fn prologue(c: &mut Compiler<'_>, k: usize) {
    let sub = &c.subs[k];
    let label = c.entries[k];
    c.sub_offsets[k] = c.ops.offset().0 as u32;
    asm!(c.ops, ; =>label);
    let mut pushes = 0;
    if k != 0 {
        // The main program's caller (the entry stub) already saved every callee-saved register.
        for (i, &r) in CALLEE_SAVED.iter().enumerate() {
            if sub.saves[i] {
                asm!(c.ops, ; push Rq(host(r)));
                pushes += 1;
            }
        }
        if sub.may_goto {
            asm!(c.ops, ; push Rq(LOOPS));
            pushes += 1;
        }
    }
    if sub.may_goto {
        let loops = c.options.may_goto_loops as i64;
        asm!(c.ops, ; mov Rq(LOOPS), QWORD loops);
    }
    // Without calls into the host, neither the environment nor an aligned `rsp` is needed.
    let pad = if sub.env_free {
        0
    } else {
        asm!(c.ops, ; push Rq(AUX));
        pushes += 1;
        // Return address + pushes must be a multiple of 16 bytes.
        let pad = if pushes % 2 == 0 { 8 } else { 0 };
        if pad != 0 {
            asm!(c.ops, ; sub rsp, pad);
        }
        pad
    };
    if k != 0 && c.options.zero_frames {
        let zero = c.ops.new_dynamic_label();
        // A fresh frame starts zeroed, as in the interpreter: 512 bytes at rbp - 512.
        asm!(c.ops,
            ; pxor xmm0, xmm0
            ; mov Rq(TMP), -FRAME
            ; =>zero
            ; movdqu [rbp + Rq(TMP)], xmm0
            ; movdqu [rbp + Rq(TMP) + 16], xmm0
            ; movdqu [rbp + Rq(TMP) + 32], xmm0
            ; movdqu [rbp + Rq(TMP) + 48], xmm0
            ; add Rq(TMP), 64
            ; jnz =>zero
        );
    }
    let epilogue = c.ops.new_dynamic_label();
    let packet_status = c.ops.new_dynamic_label();
    c.frame = Frame { env_off: pad, epilogue, packet_status };
}

/// Epilogue of subprogram `k` (the target of its `exit`s), and the out-of-line status check
/// of its packet loads.
pub(crate) fn epilogue(c: &mut Compiler<'_>, k: usize) {
    let sub = &c.subs[k];
    let Frame { env_off, epilogue, packet_status } = c.frame;
    asm!(c.ops, ; =>epilogue);
    if k == 0 && sub.env_free {
        // The entry stub fell into this body: return for it. (No code the main program runs
        // unwinds; the unwind stub serves its unreachable subprograms.)
        let saved = stub_saved(c);
        stub_return(c, &saved, 0);
    } else {
        if !sub.env_free {
            asm!(c.ops, ; add rsp, env_off + 8);
        }
        if k != 0 {
            if sub.may_goto {
                asm!(c.ops, ; pop Rq(LOOPS));
            }
            for (i, &r) in CALLEE_SAVED.iter().enumerate().rev() {
                if sub.saves[i] {
                    asm!(c.ops, ; pop Rq(host(r)));
                }
            }
        }
        asm!(c.ops, ; ret);
    }
    crate::emit::jump::may_goto_exits(c);
    null_exits(c);
    crate::emit::sink::edge_stubs(c);
    if sub.packet {
        // rdx = 1: the load failed, return 0 (already in rax) from this function;
        // otherwise rdx is the unwind target.
        let unwind = c.unwind;
        asm!(c.ops, ; =>packet_status ; cmp rdx, 1 ; je =>epilogue ; jmp =>unwind);
    }
}

/// Execution reached the end of the program without `exit`: the interpreter's
/// `FellOffEnd` fault, reported at `pc` = the program's length.
pub(crate) fn fell_off_end(c: &mut Compiler<'_>) {
    let (env, unwind, len) = (c.frame.env_off, c.unwind, c.code.len() as i32);
    asm!(c.ops,
        ; mov Rq(AUX), [rsp + env]
        ; mov edi, len
        ; mov Rq(TMP), [Rq(AUX) + TRAMPOLINES]
        ; call QWORD [Rq(TMP) + TRAP]
        ; jmp =>unwind
    );
}

/// `exit`: jump to the epilogue, or fall into it from the subprogram's last slot.
pub(crate) fn exit(c: &mut Compiler<'_>, pc: usize) {
    let last = subprog_end(c, pc) == pc + 1;
    if !last {
        let e = c.frame.epilogue;
        asm!(c.ops, ; jmp =>e);
    }
}

fn subprog_end(c: &Compiler<'_>, pc: usize) -> usize {
    let k = c.subs.partition_point(|s| s.start <= pc) - 1;
    c.subs[k].end
}

/// bpf-to-bpf call: the callee gets the next 512-byte frame and the environment in r9.
pub(crate) fn local(c: &mut Compiler<'_>, pc: usize, imm: i32) {
    let target = (pc as i64 + 1 + imm as i64) as usize;
    let callee = subprog_at(c.subs, target).expect("local calls target subprogram starts");
    let (entry, env) = (c.entries[callee], c.frame.env_off);
    if !c.subs[callee].env_free {
        asm!(c.ops, ; mov Rq(AUX), [rsp + env]);
    }
    asm!(c.ops,
        ; sub rbp, FRAME
        ; call =>entry
        ; add rbp, FRAME
    );
}

/// Calls trampoline `slot` of the environment with r1-r5 as arguments 1-5 and the
/// environment as argument 6, after storing the call word `pc << 32 | imm`; a non-zero `rdx`
/// on return means "end the run", with `rdx` the entry frame's `rsp`.
fn through_env(c: &mut Compiler<'_>, pc: usize, imm: u32, slot: i32) {
    let env = c.frame.env_off;
    let word = ((pc as u64) << 32 | imm as u64) as i64;
    let unwind = c.unwind;
    asm!(c.ops,
        ; mov Rq(AUX), [rsp + env]
        ; mov Rq(TMP), QWORD word
        ; mov [Rq(AUX) + CALL], Rq(TMP)
        ; mov [Rq(AUX) + CALL_FP], rbp
        ; mov Rq(TMP), [Rq(AUX) + TRAMPOLINES]
        ; call QWORD [Rq(TMP) + slot]
        ; test rdx, rdx
        ; jnz =>unwind
    );
}

/// `call id`: an inlined or direct map lookup when the map is known, a direct call when the
/// helper has a native function, else the trampoline.
pub(crate) fn helper(c: &mut Compiler<'_>, pc: usize, id: i32) {
    if id == BPF_FUNC_MAP_LOOKUP_ELEM
        && let Some(map) = map_at(c, pc)
    {
        if let Some(layout) = map.array {
            return array_lookup(c, layout);
        }
        if let Some((func, object)) = map.lookup {
            load_const(c, x86::RDI, object);
            return native_call(c, func);
        }
    }
    if id == BPF_FUNC_LOOP
        && c.options.inline_bpf_loop
        && let Some((hive_isa::Pseudo::Func, slot)) = lddw_reaching(c, pc, Reg::R2)
        && let Some(callee) = subprog_at(c.subs, slot as usize)
    {
        return bpf_loop(c, callee);
    }
    if let Some(&func) = c.natives.helpers.get(&id) {
        return native_call(c, func);
    }
    through_env(c, pc, id as u32, HELPER);
}

/// The map `r1` names at the helper call at `pc`: from the call-site facts, or from an
/// `lddw r1, C` in the same basic block with no other write of `r1` (or call) in between.
fn map_at(c: &Compiler<'_>, pc: usize) -> Option<MapEntry> {
    let maps = &c.natives.maps;
    if maps.is_empty() {
        return None;
    }
    if let Some(facts) = c.natives.call_sites.get(&pc) {
        return facts.map.and_then(|v| maps.get(&v).copied());
    }
    match lddw_reaching(c, pc, Reg::R1)? {
        (hive_isa::Pseudo::None, value) => maps.get(&value).copied(),
        _ => None,
    }
}

/// The `lddw reg, ...` (pseudo and value) whose value `reg` holds at `pc`, found in the same
/// basic block with no other write of `reg` (or call) in between.
fn lddw_reaching(c: &Compiler<'_>, pc: usize, reg: Reg) -> Option<(hive_isa::Pseudo, u64)> {
    let start = c.subs[c.subs.partition_point(|s| s.start <= pc) - 1].start;
    let mut q = pc;
    while q > start {
        // Another path enters between the candidate and the call.
        if c.targets[q] {
            return None;
        }
        q -= 1;
        let Some(insn) = c.code.get(q) else { continue };
        match *insn {
            Insn::LdImm64 { dst, pseudo, imm, next_imm } if dst == reg => {
                let value = match pseudo {
                    hive_isa::Pseudo::Func => (q as i64 + 1 + imm as i64) as u64,
                    _ => Insn::imm64(imm, next_imm),
                };
                return Some((pseudo, value));
            }
            Insn::Call(_) | Insn::CallX { .. } | Insn::LoadPacket { .. } | Insn::Exit | Insn::Ja { .. } => return None,
            _ if insn.written_reg() == Some(reg) => return None,
            _ => {}
        }
    }
    None
}

/// `bpf_loop(r1 = n, r2 = callback, r3 = ctx, r4 = flags)` in line (see
/// [`crate::JitOptions::inline_bpf_loop`]). The loop keeps `n`, `ctx` and `i` in 32 bytes
/// of native stack (so `rsp` stays 16-byte aligned) and calls the callback like a
/// bpf-to-bpf call, in the next BPF frame.
fn bpf_loop(c: &mut Compiler<'_>, callee: usize) {
    let (entry, env) = (c.entries[callee], c.frame.env_off + 32);
    let (einval, e2big, top, done, end) = (
        c.ops.new_dynamic_label(),
        c.ops.new_dynamic_label(),
        c.ops.new_dynamic_label(),
        c.ops.new_dynamic_label(),
        c.ops.new_dynamic_label(),
    );
    let max = hive_interp::BPF_MAX_LOOPS as i32;
    asm!(c.ops,
        ; test rcx, rcx
        ; jnz =>einval
        ; mov edi, edi
        ; cmp rdi, max
        ; ja =>e2big
        ; sub rsp, 32
        ; mov [rsp], rdi
        ; mov [rsp + 8], rdx
        ; mov QWORD [rsp + 16], 0
        ; =>top
        ; mov rdi, [rsp + 16]
        ; cmp rdi, [rsp]
        ; jae =>done
        ; mov rsi, [rsp + 8]
        ; mov Rq(AUX), [rsp + env]
        ; sub rbp, FRAME
        ; call =>entry
        ; add rbp, FRAME
        ; add QWORD [rsp + 16], 1
        ; test rax, rax
        ; jz =>top
        ; =>done
        ; mov rax, [rsp + 16]
        ; add rsp, 32
        ; jmp =>end
        ; =>einval
        ; mov rax, -22
        ; jmp =>end
        ; =>e2big
        ; mov rax, -7
        ; =>end
    );
}

/// A direct System V call of `func(r1, ..., r5, helpers)`; its result is `r0`.
fn native_call(c: &mut Compiler<'_>, func: u64) {
    let env = c.frame.env_off;
    asm!(c.ops,
        ; mov Rq(AUX), [rsp + env]
        ; mov Rq(AUX), [Rq(AUX) + NATIVE_CTX]
        ; mov Rq(TMP), QWORD func as i64
        ; call Rq(TMP)
    );
}

/// `r0 = bpf_map_lookup_elem(array, r2)` inline, as the kernel's `array_map_gen_lookup`:
/// the `u32` key, checked against `max_entries`, scaled by the stride and added to the base;
/// NULL when out of bounds. Writes only `r0` and a scratch register.
fn array_lookup(c: &mut Compiler<'_>, a: ArrayLayout) {
    let (null, done) = (c.ops.new_dynamic_label(), c.ops.new_dynamic_label());
    array_index(c, a, null, false);
    asm!(c.ops,
        ; jmp BYTE =>done
        ; =>null
        ; xor eax, eax
        ; =>done
    );
}

/// `r0 = &array[*(u32 *)r2]` for an index below `max_entries`, else a jump to `null`
/// (`rel32` if `far`) with `r0` not yet 0.
fn array_index(c: &mut Compiler<'_>, a: ArrayLayout, null: dynasmrt::DynamicLabel, far: bool) {
    asm!(c.ops, ; mov eax, DWORD [rsi] ; cmp eax, a.max_entries as i32);
    if far {
        asm!(c.ops, ; jae =>null);
    } else {
        asm!(c.ops, ; jae BYTE =>null);
    }
    if a.stride.is_power_of_two() {
        let k = a.stride.trailing_zeros() as i8;
        if k != 0 {
            asm!(c.ops, ; shl rax, k);
        }
    } else if a.stride <= i32::MAX as u32 {
        asm!(c.ops, ; imul rax, rax, a.stride as i32);
    } else {
        asm!(c.ops, ; mov Rq(TMP), QWORD a.stride as i64 ; imul rax, Rq(TMP));
    }
    if let Ok(base) = i32::try_from(a.base as i64) {
        asm!(c.ops, ; add rax, base);
    } else {
        asm!(c.ops, ; mov Rq(TMP), QWORD a.base as i64 ; add rax, Rq(TMP));
    }
}

/// An inlined array lookup followed by its NULL check, `if r0 == 0 goto +off` (or `!=`),
/// when nothing jumps to the check: the bounds check branches straight to where the NULL
/// check would (through an out-of-line `r0 = 0` for `==`), so a hit takes no extra branch.
/// Returns the number of slots emitted, 0 if the pattern does not apply.
pub(crate) fn lookup_then_test(c: &mut Compiler<'_>, pc: usize, end: usize) -> usize {
    let (
        Some(&Insn::Call(CallTarget::Helper(BPF_FUNC_MAP_LOOKUP_ELEM))),
        Some(&Insn::Jump { width, cond, dst, src, off }),
    ) = (c.code.get(pc), c.code.get(pc + 1))
    else {
        return 0;
    };
    if pc + 1 >= end
        || c.targets[pc + 1]
        || width != hive_isa::Width::W64
        || dst != Reg::R0
        || src != hive_isa::Source::Imm(0)
        || !matches!(cond, hive_isa::Cond::Eq | hive_isa::Cond::Ne)
    {
        return 0;
    }
    let Some(layout) = map_at(c, pc).and_then(|m| m.array) else {
        return 0;
    };
    let target = c.target(pc + 1, off as i64);
    if cond == hive_isa::Cond::Eq {
        let stub = c.ops.new_dynamic_label();
        c.null_exits.push((stub, target));
        array_index(c, layout, stub, true);
        let here = c.ops.offset().0 as u32;
        c.note_offset(pc + 1, here);
    } else {
        let null = c.ops.new_dynamic_label();
        array_index(c, layout, null, false);
        let here = c.ops.offset().0 as u32;
        c.note_offset(pc + 1, here);
        asm!(c.ops, ; jmp =>target ; =>null ; xor eax, eax);
    }
    2
}

/// The out-of-line NULL results of the current subprogram's [`lookup_then_test`]s.
pub(crate) fn null_exits(c: &mut Compiler<'_>) {
    for (stub, target) in std::mem::take(&mut c.null_exits) {
        asm!(c.ops, ; =>stub ; xor eax, eax ; jmp =>target);
    }
}

/// `call kfunc`: the trampoline reads the BTF id and module from the instruction at `pc`;
/// the `bpf_iter_num` kfuncs named by [`crate::JitOptions::iter_num_kfuncs`] are inlined.
pub(crate) fn kfunc(c: &mut Compiler<'_>, pc: usize) {
    let (btf_id, module) = match c.code.get(pc) {
        Some(Insn::Call(CallTarget::Kfunc { btf_id, off })) => (*btf_id, *off),
        _ => (0, 0),
    };
    if module == 0
        && let Some(ids) = c.options.iter_num_kfuncs
        && let Some(which) = ids.iter().position(|&id| id == btf_id)
    {
        iter_num(c, which);
        return;
    }
    through_env(c, pc, btf_id as u32, KFUNC);
}

/// `bpf_iter_num_new(it, start, end)` (0), `_next(it)` (1), `_destroy(it)` (2) inline, on
/// `struct bpf_iter_num_kern { int cur; int end; }` at `r1`, as `kernel/bpf/bpf_iter.c`:
/// `new` fails with `-EINVAL` (start > end) or `-E2BIG` (more than `BPF_MAX_LOOPS`
/// iterations), zeroing the iterator, else stores `cur = start - 1` and returns 0; `next`
/// returns `&cur` after `cur++` while `cur + 1 < end` (the sum wrapping in 32 bits), else zeroes the iterator
/// and returns NULL; `destroy` zeroes it. Like any call, these clobber `r1`-`r5`; only r0
/// and the scratch registers are written here.
fn iter_num(c: &mut Compiler<'_>, which: usize) {
    let done = c.ops.new_dynamic_label();
    match which {
        0 => {
            let (einval, e2big) = (c.ops.new_dynamic_label(), c.ops.new_dynamic_label());
            let max = hive_interp::BPF_MAX_LOOPS as i32;
            asm!(c.ops,
                ; movsxd Rq(TMP), esi
                ; movsxd rax, edx
                ; sub rax, Rq(TMP)
                ; jl =>einval
                ; cmp rax, max
                ; jg =>e2big
                ; lea eax, [rsi - 1]
                ; mov DWORD [rdi], eax
                ; mov DWORD [rdi + 4], edx
                ; xor eax, eax
                ; jmp =>done
                ; =>einval
                ; mov QWORD [rdi], 0
                ; mov rax, -22
                ; jmp =>done
                ; =>e2big
                ; mov QWORD [rdi], 0
                ; mov rax, -7
                ; =>done
            );
        }
        1 => {
            let null = c.ops.new_dynamic_label();
            asm!(c.ops,
                // The kernel's `(s64)(s->cur + 1) >= s->end`, with the int sum wrapping
                // (-fno-strict-overflow): a 32-bit signed comparison.
                ; mov Rd(TMP), DWORD [rdi]
                ; add Rd(TMP), 1
                ; cmp Rd(TMP), DWORD [rdi + 4]
                ; jge =>null
                ; mov DWORD [rdi], Rd(TMP)
                ; mov rax, rdi
                ; jmp =>done
                ; =>null
                ; mov QWORD [rdi], 0
                ; xor eax, eax
                ; =>done
            );
        }
        _ => asm!(c.ops, ; mov QWORD [rdi], 0 ; xor eax, eax),
    }
}

/// `callx reg` (helper-id mode): the register's 64-bit value goes to the environment.
pub(crate) fn callx(c: &mut Compiler<'_>, pc: usize, reg: Reg) {
    let env = c.frame.env_off;
    asm!(c.ops, ; mov Rq(AUX), [rsp + env] ; mov [Rq(AUX) + CALLX_VALUE], Rq(host(reg)));
    through_env(c, pc, 0, CALLX);
}

/// `LD_ABS`/`LD_IND`: `r0 = load(ctx = r6, offset, size)` through the environment's packet
/// routine, which returns status 0 (loaded), 1 (failed: return 0 from this function) or the
/// unwind target (a fault).
pub(crate) fn load_packet(c: &mut Compiler<'_>, pc: usize, mode: PacketMode, size: Size, src: Reg, imm: i32) {
    let env = c.frame.env_off;
    // Blinded, the offset comes from r11.
    let blinded = (imm != 0 && crate::emit::blind::on(c)).then(|| crate::emit::blind::imm_in_tmp(c, true, imm));
    match (mode, blinded) {
        (PacketMode::Abs, Some(t)) => asm!(c.ops, ; mov rsi, Rq(t)),
        (PacketMode::Abs, None) => asm!(c.ops, ; mov rsi, DWORD imm),
        (PacketMode::Ind, _) => {
            let s = host(src);
            if s != host(Reg::R2) {
                asm!(c.ops, ; mov rsi, Rq(s));
            }
            match blinded {
                Some(t) => asm!(c.ops, ; add rsi, Rq(t)),
                None => asm!(c.ops, ; add rsi, imm),
            }
        }
    }
    let status = c.frame.packet_status;
    asm!(c.ops,
        ; mov Rq(AUX), [rsp + env]
        ; mov rdi, rbx
        ; mov edx, size.bytes() as i32
        ; mov ecx, pc as i32
        ; mov Rq(TMP), [Rq(AUX) + TRAMPOLINES]
        ; call QWORD [Rq(TMP) + PACKET]
        ; test rdx, rdx
        ; jnz =>status
    );
}
