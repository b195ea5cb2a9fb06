//! Memory instructions: `lddw`, loads, stores, atomics and the legacy packet loads, with the
//! kernel's `check_mem_access` for each pointer kind: the stack (spills and fills, variable
//! offsets), the context (through the program type's layout), packets (the checked range),
//! map keys and values, and sized memory. Also the memory check of helper arguments
//! (`check_helper_mem_access`).

use hive_isa::{AtomicOp, PacketMode, Pseudo, Size, Source};
use hive_platform::map::MapType;
use hive_platform::prog::ProgType;
use hive_platform::prog::context::CtxPtr;

use super::alu::MAX_VAR_OFF;
use super::{Res, Verifier, fail};
use crate::scalar::Scalar;
use crate::state::stack::locate;
use crate::state::{Byte, MAX_BPF_STACK, PtrKind, Reg, Slot, State, flag};
use crate::verdict::RejectKind;

/// What a store writes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Val {
    /// Register `n` holding this value.
    Reg(usize, Reg),
    /// A `BPF_ST` immediate.
    Imm(i32),
    /// Something unknown (an atomic's result).
    Unknown,
}

impl Val {
    fn reg(&self) -> Reg {
        match *self {
            Val::Reg(_, r) => r,
            Val::Imm(i) => Reg::constant(i as i64 as u64),
            Val::Unknown => Reg::unknown(),
        }
    }
    fn is_zero(&self) -> bool {
        self.reg().is_null()
    }
}

/// An unknown scalar loaded with `size` bytes, zero- or sign-extended.
pub fn loaded(size: u32, signed: bool) -> Reg {
    coerce(Reg::unknown(), size, signed)
}

/// `coerce_reg_to_size(_sx)`: the value's low `size` bytes, extended.
pub fn coerce(r: Reg, size: u32, signed: bool) -> Reg {
    if size >= 8 {
        return r;
    }
    let bits = size * 8;
    let v = if signed {
        let op = match size {
            1 => hive_isa::AluOp::MovSx8,
            2 => hive_isa::AluOp::MovSx16,
            _ => hive_isa::AluOp::MovSx32,
        };
        Scalar::top().alu(op, hive_isa::Width::W64, r.var)
    } else {
        r.var.alu(hive_isa::AluOp::And, hive_isa::Width::W64, Scalar::constant((1u64 << bits) - 1))
    };
    let mut out = Reg::scalar(v);
    if v == r.var {
        out.id = r.id;
        out.off = r.off;
    }
    out
}

/// Whether a program type may write packet data directly (`may_access_direct_pkt_data`).
fn may_write_packet(t: ProgType) -> bool {
    matches!(
        t,
        ProgType::SchedCls
            | ProgType::SchedAct
            | ProgType::Xdp
            | ProgType::LwtXmit
            | ProgType::SkSkb
            | ProgType::SkMsg
            | ProgType::CgroupSockopt
    )
}

fn bad(pc: usize, m: impl Into<String>) -> super::Res<Reg> {
    Err(fail(pc, RejectKind::InvalidAccess, m))
}

impl Verifier<'_> {
    pub(super) fn ld_imm64(&mut self, pc: usize, st: &mut State, dst: usize, pseudo: Pseudo, imm: i32, next: i32) -> Res<()> {
        self.writable(pc, dst)?;
        let r = match pseudo {
            Pseudo::None => Reg::constant(hive_isa::Insn::imm64(imm, next)),
            Pseudo::MapFd | Pseudo::MapIdx if next != 0 => {
                return Err(fail(pc, RejectKind::InvalidInsn, "unrecognized bpf_ld_imm64 insn"));
            }
            Pseudo::MapFd | Pseudo::MapIdx | Pseudo::MapValue | Pseudo::MapIdxValue => {
                let by_index = matches!(pseudo, Pseudo::MapIdx | Pseudo::MapIdxValue);
                let Some(slot) = self.map_slot(by_index, imm) else {
                    let m = if by_index {
                        format!("fd_idx {imm} is not pointing to valid bpf_map")
                    } else {
                        format!("fd {imm} is not pointing to valid bpf_map")
                    };
                    return Err(fail(pc, RejectKind::InvalidMapRef, m));
                };
                if matches!(pseudo, Pseudo::MapFd | Pseudo::MapIdx) {
                    Reg { map: slot, ..Reg::ptr(PtrKind::ConstMap) }
                } else {
                    let m = &self.maps[slot as usize];
                    if next as u32 >= super::alu::MAX_VAR_OFF as u32 {
                        return Err(fail(
                            pc,
                            RejectKind::InvalidMapRef,
                            format!("direct value offset of {} is not allowed", next as u32),
                        ));
                    }
                    if !matches!(m.map_type, MapType::Array) {
                        return Err(fail(pc, RejectKind::InvalidMapRef, "map_direct_value_addr not supported"));
                    }
                    if next < 0 || next as u32 >= m.value_size {
                        return Err(fail(
                            pc,
                            RejectKind::InvalidMapRef,
                            format!("invalid access to map value pointer, value_size={} off={}", m.value_size, next as u32),
                        ));
                    }
                    Reg { map: slot, off: next, ..Reg::ptr(PtrKind::MapValue) }
                }
            }
            Pseudo::Func => {
                let target = (pc as i64 + 1 + imm as i64) as u32;
                Reg { map: target, ..Reg::ptr(PtrKind::Func) }
            }
            Pseudo::BtfId => Reg { flags: flag::TRUSTED, ..Reg::ptr(PtrKind::BtfId) },
        };
        *st.reg_mut(dst) = r;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn load(&mut self, pc: usize, st: &mut State, size: Size, signed: bool, dst: usize, src: usize, off: i16) -> Res<()> {
        self.read(pc, st, src)?;
        self.writable(pc, dst)?;
        let v = self.access(pc, st, src, off as i64, size.bytes() as u32, None, signed)?;
        *st.reg_mut(dst) = v;
        Ok(())
    }

    pub(super) fn store(&mut self, pc: usize, st: &mut State, size: Size, dst: usize, off: i16, src: Source) -> Res<()> {
        let val = match src {
            Source::Reg(r) => Val::Reg(r.idx(), self.read(pc, st, r.idx())?),
            Source::Imm(i) => Val::Imm(i),
        };
        let base = self.read(pc, st, dst)?;
        if matches!(src, Source::Imm(_)) && base.kind() == Some(PtrKind::Ctx) {
            return Err(fail(
                pc,
                RejectKind::InvalidAccess,
                format!("BPF_ST stores into R{dst} {} is not allowed", base.type_str()),
            ));
        }
        self.access(pc, st, dst, off as i64, size.bytes() as u32, Some(val), false)?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn atomic(&mut self, pc: usize, st: &mut State, size: Size, op: AtomicOp, dst: usize, src: usize, off: i16) -> Res<()> {
        let bytes = size.bytes() as u32;
        match op {
            AtomicOp::LoadAcquire => return self.load(pc, st, size, false, dst, src, off),
            AtomicOp::StoreRelease => return self.store(pc, st, size, dst, off, Source::Reg(hive_isa::Reg::new(src as u8).expect("reg"))),
            _ => {}
        }
        if !matches!(size, Size::W | Size::DW) {
            return Err(fail(pc, RejectKind::InvalidInsn, "invalid atomic operand size"));
        }
        let v = self.read(pc, st, src)?;
        let base = self.read(pc, st, dst)?;
        if op == AtomicOp::Cmpxchg {
            let r0 = self.read(pc, st, 0)?;
            if r0.is_ptr() && !self.privileged() {
                return Err(fail(pc, RejectKind::PointerLeak, "R0 leaks addr into mem"));
            }
        }
        if v.is_ptr() && !self.privileged() {
            return Err(fail(pc, RejectKind::PointerLeak, format!("R{src} leaks addr into mem")));
        }
        if !self.privileged()
            && base.kind() == Some(PtrKind::Stack)
            && let Some(c) = base.var.as_const()
        {
            let o = c as i64 + base.off as i64 + off as i64;
            if (-MAX_BPF_STACK..0).contains(&o) {
                let (s, _) = locate(o);
                let fr = &st.frames[base.frame as usize];
                if let Some(slot) = fr.stack.get(s)
                    && slot.is_spill()
                    && slot.spill.is_ptr()
                {
                    return Err(fail(pc, RejectKind::PointerLeak, format!("leaking pointer from stack off {o}")));
                }
            }
        }
        if matches!(
            base.kind(),
            Some(PtrKind::Ctx | PtrKind::Packet | PtrKind::PacketMeta | PtrKind::FlowKeys | PtrKind::Sock | PtrKind::SockCommon | PtrKind::TcpSock | PtrKind::XdpSock)
        ) {
            return Err(fail(
                pc,
                RejectKind::InvalidAccess,
                format!("BPF_ATOMIC stores into R{dst} {} is not allowed", base.type_str()),
            ));
        }
        let old = self.access(pc, st, dst, off as i64, bytes, None, false)?;
        self.access(pc, st, dst, off as i64, bytes, Some(Val::Unknown), false)?;
        let fetched = if old.is_ptr() || old.as_const().is_some() { old } else { loaded(bytes, false) };
        if op == AtomicOp::Cmpxchg {
            *st.reg_mut(0) = fetched;
        } else if op.fetches() {
            self.writable(pc, src)?;
            *st.reg_mut(src) = fetched;
        }
        Ok(())
    }

    pub(super) fn ld_abs(&mut self, pc: usize, st: &mut State, mode: PacketMode, size: Size, src: usize, imm: i32) -> Res<()> {
        let _ = (size, imm);
        if !matches!(self.prog_type, ProgType::SocketFilter | ProgType::SchedCls | ProgType::SchedAct) {
            return Err(fail(
                pc,
                RejectKind::InvalidInsn,
                "BPF_LD_[ABS|IND] instructions not allowed for this program type",
            ));
        }
        let r6 = self.read(pc, st, 6)?;
        if !st.refs.is_empty() {
            return Err(fail(pc, RejectKind::InvalidInsn, "BPF_LD_[ABS|IND] cannot be mixed with socket references"));
        }
        if r6.kind() != Some(PtrKind::Ctx) {
            return Err(fail(pc, RejectKind::InvalidInsn, "at the time of BPF_LD_ABS|IND R6 != pointer to skb"));
        }
        if mode == PacketMode::Ind {
            self.read(pc, st, src)?;
        }
        self.ptr_off_ok(pc, &r6, 6, false)?;
        for r in 1..=5 {
            *st.reg_mut(r) = Reg::NOT_INIT;
        }
        *st.reg_mut(0) = Reg::unknown();
        Ok(())
    }

    fn note_depth(&mut self, subprog: usize, min: i64) {
        let d = self.depths.entry(subprog).or_insert(0);
        *d = (*d).max(-min);
    }

    /// `check_ptr_off_reg`: a pointer that must point at its object's start.
    pub fn ptr_off_ok(&self, pc: usize, r: &Reg, regno: usize, fixed_off_ok: bool) -> Res<()> {
        if !fixed_off_ok && r.off != 0 {
            return Err(fail(
                pc,
                RejectKind::InvalidAccess,
                format!("dereference of modified {} ptr R{regno} off={} disallowed", r.type_str(), r.off),
            ));
        }
        if r.var.as_const() != Some(0) {
            return Err(fail(
                pc,
                RejectKind::InvalidAccess,
                format!("variable {} access var_off={} disallowed", r.type_str(), r.var.tnum()),
            ));
        }
        Ok(())
    }

    /// `check_mem_access`: a `size`-byte load (`write == None`) or store through `regno` at
    /// `insn_off`. Returns the loaded value.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn access(
        &mut self,
        pc: usize,
        st: &mut State,
        regno: usize,
        insn_off: i64,
        size: u32,
        write: Option<Val>,
        signed: bool,
    ) -> Res<Reg> {
        let reg = *st.reg(regno);
        let priv_ = self.privileged();
        let off = insn_off + reg.off as i64;
        let leak = |what: &str| -> Res<()> {
            if let Some(Val::Reg(n, v)) = write
                && v.is_ptr()
                && !priv_
            {
                return Err(fail(pc, RejectKind::PointerLeak, format!("R{n} leaks addr into {what}")));
            }
            Ok(())
        };
        let Some(kind) = reg.kind().filter(|_| !reg.maybe_null()) else {
            return bad(pc, format!("R{regno} invalid mem access '{}'", reg.type_str()));
        };
        self.same_pointer_kind(pc, kind)?;
        match kind {
            PtrKind::Stack => self.stack_access(pc, st, regno, reg, insn_off, size, write, signed),
            PtrKind::MapValue => {
                leak("map")?;
                let m = &self.maps[reg.map as usize];
                let (vs, flags) = (m.value_size, m.map_flags);
                const BPF_F_RDONLY_PROG: u32 = 1 << 7;
                const BPF_F_WRONLY_PROG: u32 = 1 << 8;
                if write.is_some() && flags & BPF_F_RDONLY_PROG != 0 {
                    return bad(pc, format!("write into map forbidden, value_size={vs} off={off} size={size}"));
                }
                if write.is_none() && flags & BPF_F_WRONLY_PROG != 0 {
                    return bad(pc, format!("read from map forbidden, value_size={vs} off={off} size={size}"));
                }
                self.region(pc, regno, &reg, off, size as u64, vs as u64, false)?;
                self.special_fields(pc, &reg, off, size, write.is_some())?;
                if let Some(k) = self.kptr_access(pc, regno, &reg, off, size, write)? {
                    let _ = k;
                    let id = self.new_id();
                    return Ok(Reg { flags: flag::MAYBE_NULL | flag::UNTRUSTED, id, ..Reg::ptr(PtrKind::BtfId) });
                }
                Ok(loaded(size, signed))
            }
            PtrKind::MapKey => {
                if write.is_some() {
                    return bad(pc, format!("write to change key R{regno} not allowed"));
                }
                let ks = self.maps[reg.map as usize].key_size;
                self.region(pc, regno, &reg, off, size as u64, ks as u64, false)?;
                Ok(loaded(size, signed))
            }
            PtrKind::Mem => {
                if write.is_some() && reg.flags & flag::RDONLY != 0 {
                    return bad(pc, format!("R{regno} cannot write into {}", reg.type_str()));
                }
                leak("mem")?;
                self.region(pc, regno, &reg, off, size as u64, reg.range.max(0) as u64, false)?;
                Ok(loaded(size, signed))
            }
            PtrKind::Ctx => {
                leak("ctx")?;
                self.ptr_off_ok(pc, &reg, regno, false)?;
                let Some(layout) = self.ctx else {
                    return bad(pc, format!("invalid bpf_context access off={off} size={size}"));
                };
                match layout.check(off, size, write.is_some()) {
                    Err(e) => bad(pc, e.to_string()),
                    Ok(None) => Ok(loaded(size, signed)),
                    Ok(Some(p)) => Ok(match p {
                        CtxPtr::Packet => Reg::ptr(PtrKind::Packet),
                        CtxPtr::PacketEnd => Reg::ptr(PtrKind::PacketEnd),
                        CtxPtr::PacketMeta => Reg::ptr(PtrKind::PacketMeta),
                        CtxPtr::FlowKeys => Reg::ptr(PtrKind::FlowKeys),
                        CtxPtr::SockCommonOrNull => {
                            Reg { flags: flag::MAYBE_NULL, id: self.new_id(), ..Reg::ptr(PtrKind::SockCommon) }
                        }
                    }),
                }
            }
            PtrKind::Packet | PtrKind::PacketMeta => {
                if write.is_some() && !may_write_packet(self.prog_type) {
                    return bad(pc, "cannot write into packet");
                }
                leak("packet")?;
                self.packet_access(pc, regno, &reg, off, size as u64, false)?;
                Ok(loaded(size, signed))
            }
            PtrKind::FlowKeys => {
                if off < 0 || off + size as i64 > 56 || reg.var.as_const() != Some(0) {
                    return bad(pc, format!("invalid access to flow keys off={off} size={size}"));
                }
                Ok(loaded(size, signed))
            }
            PtrKind::Sock | PtrKind::SockCommon | PtrKind::TcpSock | PtrKind::XdpSock => {
                let limit = match kind {
                    PtrKind::TcpSock => 112,
                    PtrKind::XdpSock => 4,
                    _ => 80,
                };
                if write.is_some() || reg.var.as_const() != Some(0) || off < 0 || off + size as i64 > limit || off % size as i64 != 0 {
                    return bad(pc, format!("R{regno} invalid {} access off={off} size={size}", reg.type_str()));
                }
                Ok(loaded(size, signed))
            }
            PtrKind::BtfId => {
                if write.is_some() {
                    return bad(pc, "only read is supported");
                }
                if reg.flags & flag::UNTRUSTED != 0 {
                    // A kptr's type (and so its size) lives in BTF Hive does not read.
                    return bad(pc, format!("R{regno} invalid mem access '{}'", reg.type_str()));
                }
                if off < 0 {
                    return bad(pc, format!("R{regno} is ptr_ invalid negative access: off={off}"));
                }
                Ok(loaded(size, signed))
            }
            PtrKind::ConstMap | PtrKind::PacketEnd | PtrKind::Func => {
                bad(pc, format!("R{regno} invalid mem access '{}'", reg.type_str()))
            }
        }
    }

    /// Loads and stores may not touch a map value's lock or timer.
    fn special_fields(&self, pc: usize, reg: &Reg, off: i64, size: u32, write: bool) -> Res<()> {
        let m = &self.maps[reg.map as usize];
        let lo = off + reg.var.smin();
        let hi = off + reg.var.umax().min(1 << 40) as i64 + size as i64;
        let overlaps = |start: u32, len: i64| lo < start as i64 + len && (start as i64) < hi;
        if let Some(s) = m.spin_lock_off
            && overlaps(s, 4)
        {
            return Err(fail(pc, RejectKind::InvalidAccess, "bpf_spin_lock cannot be accessed directly by load/store"));
        }
        if let Some(t) = m.timer_off
            && overlaps(t, 16)
        {
            return Err(fail(pc, RejectKind::InvalidAccess, "bpf_timer cannot be accessed directly by load/store"));
        }
        let _ = write;
        Ok(())
    }

    /// The kernel's kptr field rules for a direct access; `Some(off)` when a load reads the
    /// kptr at `off`.
    fn kptr_access(&self, pc: usize, regno: usize, reg: &Reg, off: i64, size: u32, write: Option<Val>) -> Res<Option<u32>> {
        let m = &self.maps[reg.map as usize];
        if m.kptr_offs.is_empty() {
            return Ok(None);
        }
        let lo = off + reg.var.smin();
        let hi = off + reg.var.umax().min(1 << 40) as i64 + size as i64;
        for &k in &m.kptr_offs {
            if !(lo < k as i64 + 8 && (k as i64) < hi) {
                continue;
            }
            let e = |msg: String| Err(fail(pc, RejectKind::InvalidAccess, msg));
            if reg.var.as_const().is_none() {
                return e("kptr access cannot have variable offset".into());
            }
            if size != 8 {
                return e("kptr access size must be BPF_DW".into());
            }
            if lo != k as i64 {
                return e(format!("kptr access misaligned expected={k} off={lo}"));
            }
            return match write {
                None => Ok(Some(k)),
                Some(Val::Imm(i)) if i != 0 => e(format!("BPF_ST imm must be 0 when storing to kptr at off={k}")),
                Some(_) => {
                    let _ = regno;
                    e("store to referenced kptr disallowed".into())
                }
            };
        }
        Ok(None)
    }

    /// `reg_type_mismatch`: one instruction may not access the context (or a socket, or a
    /// kernel object) on one path and other memory on another.
    fn same_pointer_kind(&mut self, pc: usize, kind: PtrKind) -> Res<()> {
        let special = |k: PtrKind| {
            matches!(k, PtrKind::Ctx | PtrKind::Sock | PtrKind::SockCommon | PtrKind::TcpSock | PtrKind::XdpSock | PtrKind::BtfId)
        };
        match self.insn_ptr_kind.get(&pc) {
            None => {
                self.insn_ptr_kind.insert(pc, kind);
                Ok(())
            }
            Some(&prev) if prev != kind && (special(prev) || special(kind)) => {
                Err(fail(pc, RejectKind::InvalidAccess, "same insn cannot be used with different pointers"))
            }
            Some(_) => Ok(()),
        }
    }

    /// `__check_mem_access` for one end of an access.
    fn mem_end_ok(&self, regno: usize, reg: &Reg, off: i64, size: u64, mem_size: u64, zero_ok: bool) -> Result<(), String> {
        let size_ok = size > 0 || zero_ok;
        if off >= 0 && size_ok && off as u64 + size <= mem_size {
            return Ok(());
        }
        Err(match reg.kind() {
            Some(PtrKind::MapKey) => format!("invalid access to map key, key_size={mem_size} off={off} size={size}"),
            Some(PtrKind::MapValue) => format!("invalid access to map value, value_size={mem_size} off={off} size={size}"),
            Some(PtrKind::Packet | PtrKind::PacketMeta | PtrKind::PacketEnd) => format!(
                "invalid access to packet, off={off} size={size}, R{regno}(id={},off={off},r={mem_size})",
                reg.id
            ),
            _ => format!("invalid access to memory, mem_size={mem_size} off={off} size={size}"),
        })
    }

    /// `check_mem_region_access`: every offset the pointer may have, plus `off`, must leave
    /// `size` bytes inside `mem_size`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn region(&mut self, pc: usize, regno: usize, reg: &Reg, off: i64, size: u64, mem_size: u64, zero_ok: bool) -> Res<()> {
        let smin = reg.var.smin();
        if smin < 0
            && (smin == i64::MIN || (off + smin) as i32 as i64 != off + smin || smin + off < 0)
        {
            return Err(fail(
                pc,
                RejectKind::InvalidAccess,
                format!("R{regno} min value is negative, either use unsigned index or do a if (index >=0) check."),
            ));
        }
        if let Err(m) = self.mem_end_ok(regno, reg, smin + off, size, mem_size, zero_ok) {
            self.note(m);
            return Err(fail(pc, RejectKind::InvalidAccess, format!("R{regno} min value is outside of the allowed memory range")));
        }
        let umax = reg.var.umax();
        if umax >= MAX_VAR_OFF as u64 {
            return Err(fail(
                pc,
                RejectKind::InvalidAccess,
                format!("R{regno} unbounded memory access, make sure to bounds check any such access"),
            ));
        }
        if let Err(m) = self.mem_end_ok(regno, reg, umax as i64 + off, size, mem_size, zero_ok) {
            self.note(m);
            return Err(fail(pc, RejectKind::InvalidAccess, format!("R{regno} max value is outside of the allowed memory range")));
        }
        Ok(())
    }

    /// `check_packet_access`.
    pub(crate) fn packet_access(&mut self, pc: usize, regno: usize, reg: &Reg, off: i64, size: u64, zero_ok: bool) -> Res<()> {
        if reg.var.smin() < 0 {
            return Err(fail(
                pc,
                RejectKind::InvalidAccess,
                format!("R{regno} min value is negative, either use unsigned index or do a if (index >=0) check."),
            ));
        }
        let r = reg.range.max(0) as u64;
        if let Err(m) = self.mem_end_ok(regno, reg, off, size, r, zero_ok) {
            self.note(m);
            return Err(fail(pc, RejectKind::InvalidAccess, format!("R{regno} offset is outside of the packet")));
        }
        Ok(())
    }

    /// The bounds of a stack access (`check_stack_access_within_bounds`): `[min, max)`.
    #[allow(clippy::too_many_arguments)]
    fn stack_bounds(&self, pc: usize, st: &State, regno: usize, reg: &Reg, off: i64, size: i64, extra: &str, write: bool) -> Res<(i64, i64)> {
        let (min, max) = match reg.var.as_const() {
            Some(c) => (c as i64 + off, c as i64 + off + size),
            None => {
                if reg.var.smax() >= MAX_VAR_OFF || reg.var.smin() <= -MAX_VAR_OFF {
                    return Err(fail(pc, RejectKind::InvalidAccess, format!("invalid unbounded variable-offset{extra} stack R{regno}")));
                }
                (reg.var.smin() + off, reg.var.smax() + off + size)
            }
        };
        let frame = &st.frames[reg.frame as usize];
        let min_valid = if write || self.privileged() { -MAX_BPF_STACK } else { -frame.allocated() };
        if min < min_valid || min > -1 || max > 0 || size < 0 {
            let m = match reg.var.as_const() {
                Some(_) => format!("invalid{extra} stack R{regno} off={off} size={size}"),
                None => format!("invalid variable-offset{extra} stack R{regno} var_off={} off={off} size={size}", reg.var.tnum()),
            };
            return Err(fail(pc, RejectKind::InvalidAccess, m));
        }
        Ok((min, max))
    }

    #[allow(clippy::too_many_arguments)]
    fn stack_access(
        &mut self,
        pc: usize,
        st: &mut State,
        regno: usize,
        reg: Reg,
        insn_off: i64,
        size: u32,
        write: Option<Val>,
        signed: bool,
    ) -> Res<Reg> {
        let off = insn_off + reg.off as i64;
        if let Some(c) = reg.var.as_const()
            && (c as i64 + off).rem_euclid(size as i64) != 0
        {
            return bad(pc, format!("misaligned stack access off {}+{}+{insn_off} size {size}", reg.var.tnum(), reg.off));
        }
        let extra = if write.is_some() { " write to" } else { " read from" };
        let (min, max) = self.stack_bounds(pc, st, regno, &reg, off, size as i64, extra, write.is_some())?;
        self.note_depth(st.frames[reg.frame as usize].subprog, min);
        let priv_ = self.privileged();
        let cur_frame = st.frames.len() - 1;
        let fr = &mut st.frames[reg.frame as usize];
        let fixed = reg.var.as_const().is_some();
        if let Some(val) = write {
            grow(fr, min);
            if let Some(a) = (min..max).find(|&a| {
                let (s, b) = locate(a);
                fr.stack[s].bytes[b] == Byte::Iter
            }) {
                return bad(pc, format!("cannot overwrite iterator state on stack at off {a}; insn {pc}"));
            }
            if !fixed {
                for a in min..max {
                    let (s, b) = locate(a);
                    let slot = &mut fr.stack[s];
                    if !priv_ && !matches!(slot.bytes[b], Byte::Misc | Byte::Zero) {
                        return bad(pc, format!("uninit stack in range of var-offset write prohibited for !root; insn {pc}, off: {a}"));
                    }
                    if val.is_zero() && slot.is_spill() && slot.spill.as_const() == Some(0) {
                        // A spilled zero is eight zero bytes.
                        for x in slot.bytes.iter_mut().filter(|x| **x == Byte::Spill) {
                            *x = Byte::Zero;
                        }
                        slot.spill = Reg::NOT_INIT;
                    }
                    slot.scrub();
                    if !(val.is_zero() && slot.bytes[b] == Byte::Zero) {
                        slot.bytes[b] = Byte::Misc;
                    }
                }
                return Ok(Reg::unknown());
            }
            let (s, b) = locate(min);
            let v = val.reg();
            let slot = &mut fr.stack[s];
            let spill_scalar = v.is_scalar() && b == 0 && priv_ && !matches!(val, Val::Unknown);
            if v.is_ptr() {
                if size != 8 {
                    return bad(pc, "invalid size of register spill");
                }
                if reg.frame as usize != cur_frame && v.kind() == Some(PtrKind::Stack) {
                    return bad(pc, "cannot spill pointers to stack into stack frame of the caller");
                }
                *slot = Slot { bytes: [Byte::Spill; 8], spill: v };
                self.hist_stack(reg.frame as usize, s);
            } else if spill_scalar {
                self.hist_stack(reg.frame as usize, s);
                let keep_id = size == 8 || v.var.umax() < (1u64 << (size * 8));
                let mut v = v;
                if !keep_id {
                    v.id = 0;
                    v.off = 0;
                }
                let old = *slot;
                slot.spill = v;
                for k in 0..8 {
                    slot.bytes[k] = if k < size as usize {
                        Byte::Spill
                    } else if old.bytes[k] == Byte::Spill || (old.bytes[k] == Byte::Invalid && !priv_) {
                        Byte::Misc
                    } else if old.bytes[k] == Byte::Invalid || old.bytes[k] == Byte::Zero {
                        old.bytes[k]
                    } else {
                        Byte::Misc
                    };
                }
            } else {
                slot.scrub();
                let t = if val.is_zero() { Byte::Zero } else { Byte::Misc };
                for k in b..b + size as usize {
                    slot.bytes[k] = t;
                }
            }
            return Ok(Reg::unknown());
        }
        // Reads.
        if !fixed {
            let mut all_zero = true;
            for a in min..max {
                let (s, b) = locate(a);
                let byte = fr.stack.get(s).map_or(Byte::Invalid, |sl| sl.bytes[b]);
                let ok = match byte {
                    Byte::Misc | Byte::Zero => true,
                    Byte::Spill => fr.stack[s].spill.is_scalar() || priv_,
                    Byte::Invalid => priv_,
                    Byte::Iter => false,
                };
                if !ok {
                    return bad(
                        pc,
                        format!("invalid variable-offset read from stack R{regno} var_off={} off={off} size={size}", reg.var.tnum()),
                    );
                }
                all_zero &= byte == Byte::Zero;
            }
            return Ok(if all_zero { Reg::constant(0) } else { loaded(size, signed) });
        }
        let (s, b) = locate(min);
        let slot = fr.stack.get(s).copied().unwrap_or(Slot::EMPTY);
        if slot.is_spill() {
            let spill_size = slot.spill_size() as u32;
            let sp = slot.spill;
            if size != 8 || spill_size != 8 {
                if !sp.is_scalar() {
                    return bad(pc, "invalid size of register fill");
                }
                if b == 0 && size <= spill_size {
                    self.hist_stack(reg.frame as usize, s);
                    return Ok(coerce(sp, size, signed));
                }
                let (mut spills, mut zeros) = (0, 0);
                for k in b..b + size as usize {
                    match slot.bytes[k] {
                        Byte::Spill => spills += 1,
                        Byte::Misc => {}
                        Byte::Zero => zeros += 1,
                        Byte::Invalid if priv_ => {}
                        Byte::Invalid | Byte::Iter => {
                            return bad(pc, format!("invalid read from stack off {min}+{} size {size}", k - b));
                        }
                    }
                }
                if spills == size && sp.var.as_const() == Some(0) {
                    self.hist_stack(reg.frame as usize, s);
                    return Ok(Reg::constant(0));
                }
                if zeros == size {
                    return Ok(Reg::constant(0));
                }
                return Ok(loaded(size, signed));
            }
            self.hist_stack(reg.frame as usize, s);
            return Ok(sp);
        }
        let mut zeros = 0;
        for k in b..b + size as usize {
            match slot.bytes[k] {
                Byte::Misc => {}
                Byte::Zero => zeros += 1,
                Byte::Invalid if priv_ => {}
                _ => return bad(pc, format!("invalid read from stack off {min}+{} size {size}", k - b)),
            }
        }
        Ok(if zeros == size { Reg::constant(0) } else { loaded(size, signed) })
    }

    /// `check_helper_mem_access`: a helper reads (or writes) `size_min..=size_max` bytes at
    /// register `regno`. `raw`: the memory may be uninitialised (the helper only writes).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn helper_mem(
        &mut self,
        pc: usize,
        st: &mut State,
        regno: usize,
        size_max: u64,
        write: bool,
        raw: bool,
        zero_ok: bool,
        pkt_access: bool,
    ) -> Res<()> {
        let reg = *st.reg(regno);
        let Some(kind) = reg.kind().filter(|_| !reg.maybe_null()) else {
            if reg.is_null() && zero_ok && size_max == 0 {
                return Ok(());
            }
            return Err(fail(
                pc,
                RejectKind::InvalidArg,
                format!("R{regno} type={} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", reg.type_str()),
            ));
        };
        let off = reg.off as i64;
        match kind {
            PtrKind::Packet | PtrKind::PacketMeta => {
                if !pkt_access {
                    return Err(fail(pc, RejectKind::InvalidArg, "helper access to the packet is not allowed"));
                }
                if write && !may_write_packet(self.prog_type) {
                    return Err(fail(pc, RejectKind::InvalidArg, "cannot write into packet"));
                }
                self.packet_access(pc, regno, &reg, off, size_max, zero_ok)
            }
            PtrKind::MapKey => {
                let ks = self.maps[reg.map as usize].key_size as u64;
                self.region(pc, regno, &reg, off, size_max, ks, zero_ok)
            }
            PtrKind::MapValue => {
                let m = &self.maps[reg.map as usize];
                let vs = m.value_size as u64;
                let lo = off + reg.var.smin();
                let hi = off + reg.var.umax().min(1 << 40) as i64 + size_max as i64;
                if m.kptr_offs.iter().any(|&k| lo < k as i64 + 8 && (k as i64) < hi) {
                    return Err(fail(pc, RejectKind::InvalidArg, "kptr cannot be accessed indirectly by helper"));
                }
                if write && m.map_flags & (1 << 7) != 0 {
                    return Err(fail(pc, RejectKind::InvalidAccess, format!("write into map forbidden, value_size={vs} off={off} size={size_max}")));
                }
                self.region(pc, regno, &reg, off, size_max, vs, zero_ok)?;
                self.special_fields(pc, &reg, off, size_max as u32, write)
            }
            PtrKind::Mem => {
                if write && reg.flags & flag::RDONLY != 0 {
                    return Err(fail(pc, RejectKind::InvalidAccess, format!("R{regno} cannot write into {}", reg.type_str())));
                }
                self.region(pc, regno, &reg, off, size_max, reg.range.max(0) as u64, zero_ok)
            }
            PtrKind::Stack => self.stack_range(pc, st, regno, reg, size_max, write, raw, zero_ok),
            PtrKind::BtfId => Ok(()),
            _ => Err(fail(
                pc,
                RejectKind::InvalidArg,
                format!("R{regno} type={} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", reg.type_str()),
            )),
        }
    }

    /// `check_stack_range_initialized`.
    #[allow(clippy::too_many_arguments)]
    fn stack_range(&mut self, pc: usize, st: &mut State, regno: usize, reg: Reg, size: u64, write: bool, raw: bool, zero_ok: bool) -> Res<()> {
        if size == 0 && zero_ok {
            return Ok(());
        }
        let off = reg.off as i64;
        let priv_ = self.privileged();
        if reg.var.as_const().is_none() && !priv_ {
            return Err(fail(
                pc,
                RejectKind::InvalidAccess,
                format!("R{regno} variable offset stack access prohibited for !root, var_off={}", reg.var.tnum()),
            ));
        }
        let (min, max) = self.stack_bounds(pc, st, regno, &reg, off, size as i64, " indirect access to", write || raw)?;
        self.note_depth(st.frames[reg.frame as usize].subprog, min);
        let fr = &mut st.frames[reg.frame as usize];
        if raw || write {
            grow(fr, min);
        }
        for a in min..max {
            let (s, b) = locate(a);
            if fr.stack.get(s).is_some_and(|sl| sl.bytes[b] == Byte::Iter) {
                return Err(fail(
                    pc,
                    RejectKind::InvalidAccess,
                    format!("R{regno} helper access to iterator state on stack at off {a} is not allowed"),
                ));
            }
            if raw {
                let slot = &mut fr.stack[s];
                slot.scrub();
                slot.bytes[b] = Byte::Misc;
                continue;
            }
            // Hive's policy, stricter than the kernel's privileged mode: a helper never reads
            // uninitialised stack or a spilled pointer (it would leak it into a map, a ring
            // buffer or user memory).
            let slot = fr.stack.get(s).copied().unwrap_or(Slot::EMPTY);
            let ok = match slot.bytes[b] {
                Byte::Misc | Byte::Zero => true,
                Byte::Spill => slot.spill.is_scalar(),
                Byte::Invalid | Byte::Iter => false,
            };
            if !ok {
                return Err(fail(
                    pc,
                    RejectKind::InvalidAccess,
                    format!("invalid indirect read from stack R{regno} off {min}+{} size {size}", a - min),
                ));
            }
            if write {
                let slot = &mut fr.stack[s];
                slot.scrub();
                slot.bytes[b] = Byte::Misc;
            }
        }
        Ok(())
    }
}

/// Makes the stack at least `-min` bytes deep.
fn grow(fr: &mut crate::state::Frame, min: i64) {
    let need = ((-min + 7) / 8) as usize;
    if fr.stack.len() < need {
        fr.stack.resize(need, Slot::EMPTY);
    }
}

