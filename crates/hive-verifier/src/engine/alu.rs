//! ALU instructions on registers: scalars through [`Scalar::alu`], pointers through the
//! kernel's pointer-arithmetic rules (`adjust_ptr_min_max_vals`, `check_reg_sane_offset`,
//! and for unprivileged loaders the bounds `sanitize_check_bounds` enforces).

use hive_isa::{AluOp, EndianOp, Source, Width};

use super::{Res, Verifier, fail};
use crate::scalar::Scalar;
use crate::state::{PtrKind, Reg, State};
use crate::verdict::RejectKind;

/// `BPF_MAX_VAR_OFF`.
pub const MAX_VAR_OFF: i64 = 1 << 29;

/// The kernel's `bpf_alu_string`.
pub fn op_str(op: AluOp) -> &'static str {
    match op {
        AluOp::Add => "+=",
        AluOp::Sub => "-=",
        AluOp::Mul => "*=",
        AluOp::Div | AluOp::SDiv => "/=",
        AluOp::Or => "|=",
        AluOp::And => "&=",
        AluOp::Lsh => "<<=",
        AluOp::Rsh => ">>=",
        AluOp::Mod | AluOp::SMod => "%=",
        AluOp::Xor => "^=",
        AluOp::Mov | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => "=",
        AluOp::Arsh => "s>>=",
    }
}

impl Verifier<'_> {
    /// `check_reg_arg(SRC_OP)`.
    pub fn read(&self, pc: usize, st: &State, r: usize) -> Res<Reg> {
        let reg = *st.reg(r);
        if reg.ty == crate::state::RegType::NotInit {
            return Err(fail(pc, RejectKind::UninitRead, format!("R{r} !read_ok")));
        }
        Ok(reg)
    }

    /// `check_reg_arg(DST_OP)`.
    pub fn writable(&self, pc: usize, r: usize) -> Res<()> {
        if r == 10 {
            return Err(fail(pc, RejectKind::InvalidInsn, "frame pointer is read only"));
        }
        Ok(())
    }

    pub(super) fn alu(&mut self, pc: usize, st: &mut State, width: Width, op: AluOp, dst: usize, src: Source) -> Res<()> {
        let s = match src {
            Source::Reg(r) => self.read(pc, st, r.idx())?,
            Source::Imm(i) => Reg::constant(i as i64 as u64),
        };
        let is_mov = matches!(op, AluOp::Mov | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32);
        if !is_mov {
            self.read(pc, st, dst)?;
        }
        self.writable(pc, dst)?;
        // The kernel's `check_alu_op` refuses a division or modulo by the immediate 0 and a
        // shift by an immediate outside the width, although BPF defines both (a register
        // holding 0 or a large amount is fine): verdicts follow the kernel.
        if let Source::Imm(i) = src {
            match op {
                AluOp::Div | AluOp::SDiv | AluOp::Mod | AluOp::SMod if i == 0 => {
                    return Err(fail(pc, RejectKind::InvalidInsn, "div by zero"));
                }
                AluOp::Lsh | AluOp::Rsh | AluOp::Arsh if i < 0 || i >= if width == Width::W64 { 64 } else { 32 } => {
                    return Err(fail(pc, RejectKind::InvalidInsn, format!("invalid shift {i}")));
                }
                _ => {}
            }
        }
        if is_mov {
            return self.mov(pc, st, width, op, dst, src, s);
        }
        let d = *st.reg(dst);
        let priv_ = self.privileged();
        let result = match (d.is_ptr(), s.is_ptr()) {
            (false, false) => match (d.var.as_const(), s.var.as_const()) {
                // Constants fold concretely (the same semantics, much faster).
                (Some(a), Some(b)) => Reg::constant(crate::concrete::alu(op, width, a, b)),
                (None, Some(k)) => {
                    let mut r = Reg::scalar(d.var.alu(op, width, s.var));
                    // Linked scalars with a constant delta (the kernel's `BPF_ADD_CONST`):
                    // `r2 = r1; r2 += 2` keeps r2 linked to r1, as r1 + 2, so that a bound
                    // learnt on either holds for the other (see `jump::set_scalar`). Once only:
                    // a copy already at a delta is unlinked.
                    let delta = match op {
                        AluOp::Add => Some(k as i64),
                        AluOp::Sub => (k as i64).checked_neg(),
                        _ => None,
                    };
                    if let Some(delta) = delta
                        && priv_
                        && width == Width::W64
                        && d.is_scalar()
                        && d.id != 0
                        && d.off == 0
                        && (-(i32::MAX as i64)..=i32::MAX as i64).contains(&delta)
                    {
                        r.id = d.id;
                        r.off = delta as i32;
                    }
                    r
                }
                _ => Reg::scalar(d.var.alu(op, width, s.var)),
            },
            (true, true) => {
                if op == AluOp::Sub && priv_ && width == Width::W64 {
                    Reg::unknown()
                } else {
                    return Err(fail(
                        pc,
                        RejectKind::PointerArith,
                        format!("R{dst} pointer {} pointer prohibited", op_str(op)),
                    ));
                }
            }
            (true, false) => {
                // The offset register must be exact from here back (`mark_chain_precision`).
                if let Source::Reg(r) = src
                    && s.is_scalar()
                {
                    self.mark_precise(st, 1 << r.idx());
                }
                self.ptr_arith(pc, width, op, dst, d, s, false)?
            }
            (false, true) => {
                self.mark_precise(st, 1 << dst);
                self.ptr_arith(pc, width, op, dst, s, d, true)?
            }
        };
        *st.reg_mut(dst) = result;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn mov(&mut self, pc: usize, st: &mut State, width: Width, op: AluOp, dst: usize, src: Source, s: Reg) -> Res<()> {
        let priv_ = self.privileged();
        let src_no = match src {
            Source::Reg(r) => r.idx(),
            Source::Imm(_) => usize::MAX,
        };
        let result = if op == AluOp::Mov && width == Width::W64 {
            if s.is_scalar() && s.var.as_const().is_none() && src_no != usize::MAX {
                // Link the copies: what a branch learns of one holds for the other.
                let mut s2 = s;
                if s2.off != 0 {
                    // A copy at a delta is not linked further (`assign_scalar_id_before_mov`).
                    s2.id = 0;
                    s2.off = 0;
                }
                if s2.id == 0 {
                    s2.id = self.new_id();
                    *st.reg_mut(src_no) = s2;
                }
                s2
            } else {
                s
            }
        } else if s.is_ptr() {
            if !priv_ {
                let msg = if op == AluOp::Mov {
                    format!("R{src_no} partial copy of pointer")
                } else {
                    format!("R{src_no} sign-extension part of pointer")
                };
                return Err(fail(pc, RejectKind::PointerLeak, msg));
            }
            if width == Width::W32 { Reg::scalar(Scalar::unsigned(0, u32::MAX as u64)) } else { Reg::unknown() }
        } else {
            Reg::scalar(Scalar::top().alu(op, width, s.var))
        };
        *st.reg_mut(dst) = result;
        Ok(())
    }

    /// `check_reg_sane_offset`.
    fn sane_offset(&self, pc: usize, off: &Reg, ptr_type: &str) -> Res<()> {
        let bad = |m: String| Err(fail(pc, RejectKind::PointerArith, m));
        if let Some(v) = off.var.as_const() {
            let v = v as i64;
            if v >= MAX_VAR_OFF || v <= -MAX_VAR_OFF {
                return bad(format!("math between {ptr_type} pointer and {v} is not allowed"));
            }
        }
        if off.off as i64 >= MAX_VAR_OFF || off.off as i64 <= -MAX_VAR_OFF {
            return bad(format!("{ptr_type} pointer offset {} is not allowed", off.off));
        }
        let smin = off.var.smin();
        if smin == i64::MIN {
            return bad(format!("math between {ptr_type} pointer and register with unbounded min value is not allowed"));
        }
        if smin >= MAX_VAR_OFF || smin <= -MAX_VAR_OFF {
            return bad(format!("value {smin} makes {ptr_type} pointer be out of bounds"));
        }
        Ok(())
    }

    /// `adjust_ptr_min_max_vals`: `ptr op off` into `dst`; `swapped` for `scalar += ptr`.
    #[allow(clippy::too_many_arguments)]
    fn ptr_arith(&mut self, pc: usize, width: Width, op: AluOp, dst: usize, ptr: Reg, off: Reg, swapped: bool) -> Res<Reg> {
        let priv_ = self.privileged();
        let bad = |m: String| Err(fail(pc, RejectKind::PointerArith, m));
        if width == Width::W32 {
            if op == AluOp::Sub && priv_ {
                return Ok(Reg::unknown());
            }
            return bad(format!("R{dst} 32-bit pointer arithmetic prohibited"));
        }
        let ts = ptr.type_str();
        if ptr.maybe_null() {
            return bad(format!("R{dst} pointer arithmetic on {ts} prohibited, null-check it first"));
        }
        let kind = ptr.kind().expect("a pointer");
        let known = off.var.as_const();
        let allowed = match kind {
            PtrKind::Ctx
            | PtrKind::MapValue
            | PtrKind::MapKey
            | PtrKind::Stack
            | PtrKind::PacketMeta
            | PtrKind::Packet
            | PtrKind::BtfId
            | PtrKind::Mem
            | PtrKind::Func => true,
            PtrKind::FlowKeys => known.is_some(),
            PtrKind::ConstMap => known == Some(0) && op == AluOp::Add,
            _ => false,
        };
        if !allowed {
            return bad(format!("R{dst} pointer arithmetic on {ts} prohibited"));
        }
        self.sane_offset(pc, &off, &ts)?;
        self.sane_offset(pc, &ptr, &ts)?;
        let mut r = ptr;
        match op {
            AluOp::Add | AluOp::Sub => {
                if op == AluOp::Sub {
                    if swapped {
                        return bad(format!("R{dst} tried to subtract pointer from scalar"));
                    }
                    if kind == PtrKind::Stack {
                        return bad(format!("R{dst} subtraction from stack pointer prohibited"));
                    }
                }
                let fixed = known.and_then(|c| {
                    let c = c as i64;
                    let n = if op == AluOp::Add { ptr.off as i64 + c } else { ptr.off as i64 - c };
                    i32::try_from(n).ok()
                });
                match fixed {
                    Some(n) => {
                        // "At or beyond the end" survives moving forward only.
                        if r.range < 0 && n < ptr.off {
                            r.range = 0;
                        }
                        r.off = n;
                    }
                    None => {
                        r.var = ptr.var.alu(op, Width::W64, off.var);
                        if kind.is_packet() {
                            r.id = self.new_id();
                            r.range = 0;
                        }
                    }
                }
            }
            AluOp::And | AluOp::Or | AluOp::Xor => {
                return bad(format!("R{dst} bitwise operator {} on pointer prohibited", op_str(op)));
            }
            _ => return bad(format!("R{dst} pointer arithmetic with {} operator prohibited", op_str(op))),
        }
        self.sane_offset(pc, &r, &ts)?;
        if !priv_ {
            match kind {
                PtrKind::Stack => {
                    if r.var.as_const().is_none() {
                        return bad(format!(
                            "R{dst} variable stack access prohibited for !root, var_off={} off={}",
                            r.var.tnum(),
                            r.off
                        ));
                    }
                    let o = r.off as i64 + r.var.as_const().unwrap_or(0) as i64;
                    if !(-crate::state::MAX_BPF_STACK..0).contains(&o) {
                        return bad(format!("R{dst} stack pointer arithmetic goes out of range, prohibited for !root; off={o}"));
                    }
                }
                PtrKind::MapValue => {
                    let vs = self.maps[r.map as usize].value_size as i64;
                    let lo = r.off as i64 + r.var.smin();
                    let hi = r.off as i64 + r.var.umax().min(i64::MAX as u64) as i64;
                    if r.var.smin() < 0 || lo < 0 || hi >= vs {
                        return bad(format!("R{dst} pointer arithmetic of map value goes out of range, prohibited for !root"));
                    }
                }
                _ => {}
            }
        }
        Ok(r)
    }

    pub(super) fn neg(&mut self, pc: usize, st: &mut State, width: Width, dst: usize) -> Res<()> {
        self.unary(pc, st, dst, |v| v.neg(width))
    }

    pub(super) fn endian(&mut self, pc: usize, st: &mut State, op: EndianOp, bits: u32, dst: usize) -> Res<()> {
        self.unary(pc, st, dst, |v| v.endian(op, bits))
    }

    /// An operation on `dst` alone (`neg`, byte swaps): a scalar transfers through `f`; a
    /// pointer becomes an unknown scalar, and only a privileged program may do that.
    fn unary(&mut self, pc: usize, st: &mut State, dst: usize, f: impl FnOnce(&Scalar) -> Scalar) -> Res<()> {
        let d = self.read(pc, st, dst)?;
        self.writable(pc, dst)?;
        if d.is_ptr() {
            if !self.privileged() {
                return Err(fail(pc, RejectKind::PointerArith, format!("R{dst} pointer arithmetic prohibited")));
            }
            *st.reg_mut(dst) = Reg::unknown();
            return Ok(());
        }
        *st.reg_mut(dst) = Reg::scalar(f(&d.var));
        Ok(())
    }
}
