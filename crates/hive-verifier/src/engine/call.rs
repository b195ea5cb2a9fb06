//! Calls and returns: helpers checked against their prototypes (`check_helper_call`,
//! `check_func_arg`), bpf-to-bpf calls with a new frame, callbacks (`bpf_loop`,
//! `bpf_for_each_map_elem`, ... explored as iterations that return to the calling
//! instruction; timer callbacks as programs of their own), kfuncs from the environment's
//! registry with their reference rules, and `exit` (`prepare_func_exit`,
//! `check_return_code`, `check_reference_leak`).

use hive_isa::CallTarget;
use hive_platform::helper::HelperId;
use hive_platform::kfunc::{KfuncArgKind, KfuncFlags, KfuncId, KfuncRet};
use hive_platform::map::{Lookup, check_map_func_compatibility};
use hive_platform::types::{ArgBase, RetBase, TypeFlags};

use super::{Next, Res, Verifier, fail};
use crate::scalar::Scalar;
use crate::state::{Frame, FrameKind, MAX_CALL_FRAMES, PtrKind, Reg, RegType, State, flag};
use crate::verdict::RejectKind;

/// `BPF_MAX_VAR_SIZ`.
const MAX_VAR_SIZ: u64 = 1 << 29;

/// Whether helper `id` calls a callback synchronously or asynchronously.
/// Whether kfunc `btf_id` is an iterator's `_next` (`KF_ITER_NEXT`).
pub fn is_iter_next(env: &crate::env::ProgramEnv<'_>, btf_id: i32) -> bool {
    env.kfuncs.and_then(|k| k.get(KfuncId(btf_id as u32))).is_some_and(|p| p.flags.contains(KfuncFlags::ITER_NEXT))
}

/// The generation of the iterator `r1` points to, at a call of its `_next`.
pub fn iter_arg_gen(st: &State) -> Option<u32> {
    let r1 = st.reg(1);
    if r1.kind() != Some(PtrKind::Stack) {
        return None;
    }
    let off = r1.off as i64 + r1.var.as_const()? as i64;
    if off >= 0 {
        return None;
    }
    let (slot, _) = crate::state::stack::locate(off);
    st.frames.get(r1.frame as usize)?.stack.get(slot)?.iter_gen()
}

pub fn calls_callback(id: i32) -> bool {
    let h = HelperId(id as u32);
    matches!(h, HelperId::LOOP | HelperId::FOR_EACH_MAP_ELEM | HelperId::FIND_VMA | HelperId::USER_RINGBUF_DRAIN)
}

#[derive(Default)]
struct Meta {
    map: Option<u32>,
    /// The memory argument waiting for its size: `(regno, write, raw)`.
    mem: Option<(usize, bool, bool)>,
    alloc_size: Option<u64>,
    release: Option<u32>,
    callback: Option<usize>,
}

impl Verifier<'_> {
    pub(super) fn call(&mut self, pc: usize, st: &mut State, parent: Option<usize>, target: CallTarget) -> Res<Next> {
        match target {
            CallTarget::Helper(id) => self.helper(pc, st, parent, id),
            CallTarget::Local(imm) => {
                let callee = (pc as i64 + 1 + imm as i64) as usize;
                self.enter(pc, st, callee, FrameKind::Call)?;
                Ok(Next::Goto(callee))
            }
            CallTarget::Kfunc { btf_id, .. } => self.kfunc(pc, st, btf_id),
        }
    }

    /// Pushes a frame for `callee` with the caller's `r1`-`r5`.
    fn enter(&mut self, pc: usize, st: &mut State, callee: usize, kind: FrameKind) -> Res<()> {
        if st.frames.len() >= MAX_CALL_FRAMES {
            return Err(fail(
                pc,
                RejectKind::CallStackTooDeep,
                format!("the call stack of {} frames is too deep", st.frames.len() + 1),
            ));
        }
        let mut f = Frame::new(st.frames.len() as u8, pc, callee, kind);
        f.instance = self.new_id();
        for r in 1..=5 {
            f.regs[r] = *st.reg(r);
        }
        st.frames.push(f);
        Ok(())
    }

    fn arg_type_err(&self, pc: usize, regno: usize, reg: &Reg, expected: &str) -> super::Fail {
        fail(pc, RejectKind::InvalidArg, format!("R{regno} type={} expected={expected}", reg.type_str()))
    }

    fn helper(&mut self, pc: usize, st: &mut State, parent: Option<usize>, id: i32) -> Res<Next> {
        if id <= 0 || id as u32 >= HelperId::COUNT {
            return Err(fail(pc, RejectKind::InvalidCall, format!("invalid func unknown#{id}")));
        }
        let hid = HelperId(id as u32);
        let Some(proto) = self.info.helper(hid, &self.load_ctx) else {
            return Err(fail(pc, RejectKind::InvalidCall, format!("program of this type cannot use helper {hid}")));
        };
        if proto.gpl_only && !self.env.gpl {
            return Err(fail(pc, RejectKind::InvalidCall, "cannot call GPL-restricted function from non-GPL compatible program"));
        }
        if proto.flags.contains(hive_platform::helper::ProtoFlags::MIGHT_SLEEP) && !self.env.sleepable {
            return Err(fail(pc, RejectKind::InvalidCall, "helper call might sleep in a non-sleepable prog"));
        }
        let pkt_access = proto.flags.contains(hive_platform::helper::ProtoFlags::PKT_ACCESS);
        let priv_ = self.privileged();
        let mut meta = Meta::default();
        for i in 0..5 {
            let arg = proto.arg(i);
            let regno = i + 1;
            let base = arg.ty.base;
            if base == ArgBase::DontCare {
                continue;
            }
            let reg = self.read(pc, st, regno)?;
            let fl = arg.ty.flags;
            let expected = base.expected_reg_types();
            if base.is_pointer() && reg.is_null() && arg.ty.may_be_null() {
                if base == ArgBase::PtrToMem {
                    meta.mem = Some((regno, false, false));
                }
                continue;
            }
            match base {
                ArgBase::DontCare => {}
                ArgBase::Anything => {
                    if reg.is_ptr() && !priv_ {
                        return Err(fail(pc, RejectKind::PointerLeak, format!("R{regno} leaks addr into helper function")));
                    }
                }
                ArgBase::ConstSize | ArgBase::ConstSizeOrZero => {
                    if !reg.is_scalar() {
                        return Err(self.arg_type_err(pc, regno, &reg, "scalar"));
                    }
                    let zero_ok = base == ArgBase::ConstSizeOrZero;
                    if reg.var.smin() < 0 {
                        return Err(fail(
                            pc,
                            RejectKind::InvalidArg,
                            format!("R{regno} min value is negative, either use unsigned or 'var &= const'"),
                        ));
                    }
                    if reg.var.umin() == 0 && !zero_ok {
                        return Err(fail(
                            pc,
                            RejectKind::InvalidArg,
                            format!("R{regno} invalid zero-sized read: u64=[{},{}]", reg.var.umin(), reg.var.umax() as i64),
                        ));
                    }
                    if reg.var.umax() >= MAX_VAR_SIZ {
                        return Err(fail(
                            pc,
                            RejectKind::InvalidArg,
                            format!("R{regno} unbounded memory access, use 'var &= const' or 'if (var < const)'"),
                        ));
                    }
                    if let Some((mreg, write, raw)) = meta.mem.take() {
                        self.helper_mem(pc, st, mreg, reg.var.umax(), write, raw, zero_ok || reg.var.umin() == 0, pkt_access)?;
                    }
                    // `check_mem_size_reg`: the size is needed exactly.
                    self.mark_precise(st, 1 << regno);
                    if reg.var.as_const().is_some() {
                        meta.alloc_size = reg.var.as_const();
                    }
                }
                ArgBase::ConstAllocSizeOrZero => {
                    let Some(c) = reg.as_const() else {
                        return Err(fail(pc, RejectKind::InvalidArg, format!("R{regno} is not a known constant'")));
                    };
                    meta.alloc_size = Some(c);
                    self.mark_precise(st, 1 << regno);
                }
                ArgBase::ConstMapPtr => {
                    if reg.kind() != Some(PtrKind::ConstMap) || reg.maybe_null() {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    meta.map = Some(reg.map);
                }
                ArgBase::PtrToMapKey | ArgBase::PtrToMapValue => {
                    if !matches!(
                        reg.kind(),
                        Some(PtrKind::Stack | PtrKind::Packet | PtrKind::PacketMeta | PtrKind::MapKey | PtrKind::MapValue)
                    ) || reg.maybe_null()
                    {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    let Some(m) = meta.map else {
                        let what = if base == ArgBase::PtrToMapKey { "key" } else { "value" };
                        return Err(fail(pc, RejectKind::InvalidArg, format!("invalid map_ptr to access map->{what}")));
                    };
                    let mm = &self.maps[m as usize];
                    let size = if base == ArgBase::PtrToMapKey { mm.key_size } else { mm.value_size };
                    let raw = fl.contains(TypeFlags::MEM_UNINIT);
                    self.helper_mem(pc, st, regno, size as u64, raw, raw, false, true)?;
                }
                ArgBase::PtrToMem => {
                    let ok = match reg.kind() {
                        Some(PtrKind::Stack | PtrKind::Packet | PtrKind::PacketMeta | PtrKind::MapKey | PtrKind::MapValue) => true,
                        Some(PtrKind::Mem) => reg.flags & flag::RDONLY == 0 || fl.contains(TypeFlags::MEM_RDONLY),
                        Some(PtrKind::BtfId) => reg.flags & flag::TRUSTED != 0,
                        _ => false,
                    };
                    if !ok || reg.maybe_null() {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    let raw = fl.contains(TypeFlags::MEM_UNINIT);
                    let write = raw || fl.contains(TypeFlags::MEM_WRITE);
                    if fl.contains(TypeFlags::MEM_FIXED_SIZE) {
                        self.helper_mem(pc, st, regno, arg.size as u64, write, raw, false, pkt_access)?;
                    } else {
                        meta.mem = Some((regno, write, raw));
                    }
                }
                ArgBase::PtrToCtx => {
                    if reg.kind() != Some(PtrKind::Ctx) {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    self.ptr_off_ok(pc, &reg, regno, false)?;
                }
                ArgBase::PtrToStack => {
                    if reg.kind() != Some(PtrKind::Stack) {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                }
                ArgBase::PtrToFunc => {
                    if reg.kind() != Some(PtrKind::Func) {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    meta.callback = Some(reg.map as usize);
                }
                ArgBase::PtrToRingbufMem => {
                    if reg.kind() != Some(PtrKind::Mem) || reg.flags & flag::RINGBUF == 0 || reg.maybe_null() {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    if fl.contains(TypeFlags::OBJ_RELEASE) {
                        meta.release = Some(released_object(pc, regno, &reg)?);
                    }
                }
                ArgBase::PtrToSpinLock | ArgBase::PtrToTimer | ArgBase::KptrXchgDest | ArgBase::PtrToConstStr => {
                    if reg.kind() != Some(PtrKind::MapValue) || reg.maybe_null() {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    let m = &self.maps[reg.map as usize];
                    let field = match base {
                        ArgBase::PtrToSpinLock => Some((m.spin_lock_off, "bpf_spin_lock")),
                        ArgBase::PtrToTimer => Some((m.timer_off, "bpf_timer")),
                        _ => None,
                    };
                    if let Some((off, name)) = field {
                        let at = reg.var.as_const().map(|c| c as i64 + reg.off as i64);
                        match off {
                            None => {
                                return Err(fail(pc, RejectKind::InvalidArg, format!("map '' has no valid {name}")));
                            }
                            Some(o) if at != Some(o as i64) => {
                                return Err(fail(
                                    pc,
                                    RejectKind::InvalidArg,
                                    format!("off {} doesn't point to 'struct {name}' that is at {o}", at.unwrap_or(-1)),
                                ));
                            }
                            _ => {}
                        }
                    }
                    if base == ArgBase::PtrToTimer {
                        meta.map = Some(reg.map);
                    }
                    if base == ArgBase::KptrXchgDest {
                        let Some(c) = reg.var.as_const() else {
                            return Err(fail(
                                pc,
                                RejectKind::InvalidArg,
                                format!("R{regno} doesn't have constant offset. kptr has to be at the constant offset"),
                            ));
                        };
                        let at = c as i64 + reg.off as i64;
                        let m = &self.maps[reg.map as usize];
                        if !m.kptr_offs.iter().any(|&k| k as i64 == at) {
                            return Err(fail(pc, RejectKind::InvalidArg, format!("off={at} doesn't point to kptr")));
                        }
                        if !m.kptr_refs.iter().any(|&k| k as i64 == at) {
                            return Err(fail(pc, RejectKind::InvalidArg, format!("off={at} kptr isn't referenced kptr")));
                        }
                    }
                    if base == ArgBase::PtrToConstStr {
                        let m = &self.maps[reg.map as usize];
                        if !m.frozen && m.map_flags & (1 << 7) == 0 {
                            return Err(fail(pc, RejectKind::InvalidArg, "R1 does not point to a readonly map'"));
                        }
                    }
                }
                ArgBase::PtrToSockCommon | ArgBase::PtrToBtfIdSockCommon => {
                    if !matches!(
                        reg.kind(),
                        Some(PtrKind::Sock | PtrKind::SockCommon | PtrKind::TcpSock | PtrKind::XdpSock | PtrKind::BtfId)
                    ) || reg.maybe_null()
                    {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    if fl.contains(TypeFlags::OBJ_RELEASE) && reg.ref_obj_id != 0 {
                        meta.release = Some(reg.ref_obj_id);
                    }
                }
                ArgBase::PtrToSocket => {
                    if reg.kind() != Some(PtrKind::Sock) || reg.maybe_null() {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    if fl.contains(TypeFlags::OBJ_RELEASE) {
                        if reg.ref_obj_id == 0 {
                            return Err(fail(pc, RejectKind::InvalidArg, format!("R{regno} must be referenced when passed to release function")));
                        }
                        meta.release = Some(reg.ref_obj_id);
                    }
                }
                ArgBase::PtrToBtfId | ArgBase::PtrToPercpuBtfId => {
                    if reg.kind() != Some(PtrKind::BtfId) || reg.maybe_null() || reg.flags & flag::UNTRUSTED != 0 {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    if fl.contains(TypeFlags::OBJ_RELEASE) {
                        meta.release = Some(released_object(pc, regno, &reg)?);
                    }
                }
                ArgBase::PtrToDynptr => {
                    if reg.kind() != Some(PtrKind::Stack) {
                        return Err(self.arg_type_err(pc, regno, &reg, expected));
                    }
                    let raw = fl.contains(TypeFlags::MEM_UNINIT);
                    self.helper_mem(pc, st, regno, 16, raw, raw, false, false)?;
                }
                ArgBase::PtrToArena => return Err(self.arg_type_err(pc, regno, &reg, expected)),
            }
        }
        if let Some(m) = meta.map {
            let mt = self.maps[m as usize].map_type;
            if let Err(msg) = check_map_func_compatibility(mt, hid) {
                return Err(fail(pc, RejectKind::InvalidArg, msg));
            }
        } else if hive_platform::map::map_types_for_helper(hid).is_some() && proto.args.iter().any(|a| a.ty.base == ArgBase::ConstMapPtr) {
            return Err(fail(pc, RejectKind::Internal, "kernel subsystem misconfigured verifier"));
        }
        if let Some(rid) = meta.release {
            self.release(st, rid);
        }
        // The callback's state, before the caller's registers are clobbered; this path goes
        // past the call: the helper's loop is over.
        if let Some(cb) = meta.callback {
            self.push_callback(pc, st, parent, hid, cb, meta.map)?;
        }
        st.cur_mut().cb_loop = None;
        for r in 1..=5 {
            *st.reg_mut(r) = Reg::NOT_INIT;
        }
        let r0 = self.helper_ret(pc, st, hid, proto.ret, &meta)?;
        *st.reg_mut(0) = r0;
        if hid.changes_pkt_data() {
            let priv_ = self.privileged();
            st.for_each_reg(|x| {
                if matches!(x.kind(), Some(PtrKind::Packet | PtrKind::PacketMeta | PtrKind::PacketEnd)) {
                    *x = if priv_ { Reg::unknown() } else { Reg::NOT_INIT };
                }
            });
        }
        Ok(Next::Goto(pc + 1))
    }

    /// Drops reference `rid` and every pointer holding it.
    fn release(&mut self, st: &mut State, rid: u32) {
        st.refs.retain(|r| r.0 != rid);
        st.for_each_reg(|x| {
            if x.is_ptr() && x.ref_obj_id == rid {
                *x = Reg::NOT_INIT;
            }
        });
    }

    fn acquire(&mut self, pc: usize, st: &mut State, r: &mut Reg) {
        let id = self.new_id();
        r.id = id;
        r.ref_obj_id = id;
        st.refs.push((id, pc));
    }

    fn helper_ret(&mut self, pc: usize, st: &mut State, hid: HelperId, ret: hive_platform::types::RetType, meta: &Meta) -> Res<Reg> {
        let null = if ret.may_be_null() { flag::MAYBE_NULL } else { 0 };
        let mut r = match ret.base {
            RetBase::Integer => return Ok(Reg::unknown()),
            RetBase::Void => return Ok(Reg::NOT_INIT),
            RetBase::PtrToMapValue => {
                let Some(m) = meta.map else {
                    return Err(fail(pc, RejectKind::Internal, "kernel subsystem misconfigured verifier"));
                };
                let mt = self.maps[m as usize].map_type;
                let lookup = hid == HelperId::from_name("map_lookup_elem").unwrap_or(HelperId(1));
                match mt.info().lookup {
                    Lookup::InnerMap if lookup => match self.maps[m as usize].inner.clone() {
                        Some(inner) => {
                            let slot = self.add_map(*inner);
                            Reg { map: slot, flags: null, ..Reg::ptr(PtrKind::ConstMap) }
                        }
                        None => Reg { flags: null, ..Reg::ptr(PtrKind::BtfId) },
                    },
                    Lookup::Socket if lookup => {
                        let mut r = Reg { flags: null, ..Reg::ptr(PtrKind::Sock) };
                        self.acquire(pc, st, &mut r);
                        return Ok(r);
                    }
                    Lookup::XdpSock if lookup => Reg { flags: null, ..Reg::ptr(PtrKind::XdpSock) },
                    _ => Reg { map: m, flags: null, ..Reg::ptr(PtrKind::MapValue) },
                }
            }
            RetBase::PtrToSocket | RetBase::PtrToTcpSock | RetBase::PtrToSockCommon => {
                let kind = match ret.base {
                    RetBase::PtrToSocket => PtrKind::Sock,
                    RetBase::PtrToTcpSock => PtrKind::TcpSock,
                    _ => PtrKind::SockCommon,
                };
                let mut r = Reg { flags: null, ..Reg::ptr(kind) };
                if matches!(hid, HelperId::SK_LOOKUP_TCP | HelperId::SK_LOOKUP_UDP | HelperId::SKC_LOOKUP_TCP) {
                    self.acquire(pc, st, &mut r);
                    return Ok(r);
                }
                r
            }
            RetBase::PtrToMem => {
                let mut fl = null;
                if ret.flags.contains(TypeFlags::MEM_RINGBUF) {
                    fl |= flag::RINGBUF;
                }
                if ret.flags.contains(TypeFlags::MEM_RDONLY) {
                    fl |= flag::RDONLY;
                }
                let mut r = Reg { flags: fl, range: meta.alloc_size.unwrap_or(0) as i64, ..Reg::ptr(PtrKind::Mem) };
                if hid == HelperId::RINGBUF_RESERVE {
                    self.acquire(pc, st, &mut r);
                    return Ok(r);
                }
                r
            }
            RetBase::PtrToMemOrBtfId => Reg { flags: null | flag::TRUSTED, ..Reg::ptr(PtrKind::BtfId) },
            RetBase::PtrToBtfId => {
                let t = if ret.flags.contains(TypeFlags::PTR_TRUSTED) { flag::TRUSTED } else { 0 };
                let mut r = Reg { flags: null | t, ..Reg::ptr(PtrKind::BtfId) };
                if Some(hid) == HelperId::from_name("kptr_xchg") {
                    self.acquire(pc, st, &mut r);
                    return Ok(r);
                }
                r
            }
        };
        if r.maybe_null() {
            r.id = self.new_id();
        }
        Ok(r)
    }

    /// Queues the first iteration of a callback: a new frame on a copy of the caller's state
    /// (synchronous), or a state of its own (timers).
    fn push_callback(&mut self, pc: usize, st: &State, parent: Option<usize>, hid: HelperId, cb: usize, map: Option<u32>) -> Res<()> {
        let map_regs = |m: Option<u32>| -> [Reg; 3] {
            match m {
                Some(m) => [
                    Reg { map: m, ..Reg::ptr(PtrKind::ConstMap) },
                    Reg { map: m, ..Reg::ptr(PtrKind::MapKey) },
                    Reg { map: m, ..Reg::ptr(PtrKind::MapValue) },
                ],
                None => [Reg::NOT_INIT; 3],
            }
        };
        if hid == HelperId::TIMER_SET_CALLBACK {
            let mut f = Frame::new(0, pc, cb, FrameKind::AsyncCallback);
            f.instance = self.new_id();
            let [a, b, c] = map_regs(map);
            f.regs[1] = a;
            f.regs[2] = b;
            f.regs[3] = c;
            f.ret = Some((0, 0));
            let s = State { frames: vec![f], refs: Vec::new(), may_goto_depth: 0 };
            self.push(cb, pc, s, parent);
            return Ok(());
        }
        let mut s = st.clone();
        let (caller_ctx, args): (Reg, [Reg; 4]) = match hid {
            HelperId::LOOP => (*st.reg(3), [Reg::scalar(Scalar::unsigned(0, u32::MAX as u64)), *st.reg(3), Reg::NOT_INIT, Reg::NOT_INIT]),
            HelperId::FOR_EACH_MAP_ELEM => {
                let [a, b, c] = map_regs(map);
                (*st.reg(3), [a, b, c, *st.reg(3)])
            }
            HelperId::FIND_VMA => (
                *st.reg(4),
                [Reg { flags: flag::TRUSTED, ..Reg::ptr(PtrKind::BtfId) }, Reg { flags: flag::TRUSTED, ..Reg::ptr(PtrKind::BtfId) }, *st.reg(4), Reg::NOT_INIT],
            ),
            HelperId::USER_RINGBUF_DRAIN => (
                *st.reg(3),
                [Reg { flags: flag::RDONLY, range: 16, ..Reg::ptr(PtrKind::Mem) }, *st.reg(3), Reg::NOT_INIT, Reg::NOT_INIT],
            ),
            _ => return Err(fail(pc, RejectKind::InvalidCall, format!("callbacks of {hid} are not supported"))),
        };
        let _ = caller_ctx;
        // Every iteration of one invocation shares its id (see `Verifier::same_bounded_loop`).
        let loop_gen = match st.cur().cb_loop {
            Some((at, generation)) if at == pc => generation,
            _ => self.new_id(),
        };
        self.enter(pc, &mut s, cb, FrameKind::SyncCallback)?;
        let f = s.cur_mut();
        f.loop_gen = loop_gen;
        f.ret = Some((0, 1));
        for (i, a) in args.into_iter().enumerate() {
            f.regs[i + 1] = a;
        }
        f.regs[5] = Reg::NOT_INIT;
        self.push(cb, pc, s, parent);
        Ok(())
    }

    fn kfunc(&mut self, pc: usize, st: &mut State, btf_id: i32) -> Res<Next> {
        let Some(proto) = self.env.kfuncs.and_then(|k| k.get(KfuncId(btf_id as u32))).copied() else {
            return Err(fail(pc, RejectKind::InvalidCall, format!("kernel btf_id {btf_id} is not a function")));
        };
        if !proto.allowed_for(self.prog_type) {
            return Err(fail(pc, RejectKind::InvalidCall, format!("calling kernel function {} is not allowed", proto.name)));
        }
        if proto.flags.contains(KfuncFlags::SLEEPABLE) && !self.env.sleepable {
            return Err(fail(pc, RejectKind::InvalidCall, "program must be sleepable to call sleepable kfunc"));
        }
        let mut release = None;
        let mut pending_mem: Option<usize> = None;
        let mut size_const = None;
        for (i, a) in proto.args.iter().enumerate().take(5) {
            let regno = i + 1;
            let reg = self.read(pc, st, regno)?;
            if a.nullable && reg.is_null() {
                continue;
            }
            let bad = |what: &str| fail(pc, RejectKind::InvalidArg, format!("arg#{i} {what}"));
            match a.kind {
                KfuncArgKind::Ignored => {}
                KfuncArgKind::Scalar | KfuncArgKind::ConstScalar | KfuncArgKind::MemSize => {
                    if !reg.is_scalar() {
                        return Err(bad("expected scalar"));
                    }
                    if a.kind == KfuncArgKind::ConstScalar {
                        let Some(c) = reg.as_const() else { return Err(bad("is not a known constant")) };
                        size_const = Some(c);
                        self.mark_precise(st, 1 << regno);
                    }
                    if a.kind == KfuncArgKind::MemSize
                        && let Some(m) = pending_mem.take()
                    {
                        if reg.var.umax() >= MAX_VAR_SIZ {
                            return Err(bad("unbounded memory access"));
                        }
                        self.helper_mem(pc, st, m, reg.var.umax(), true, false, true, false)?;
                        self.mark_precise(st, 1 << regno);
                    }
                }
                KfuncArgKind::Ctx => {
                    if reg.kind() != Some(PtrKind::Ctx) {
                        return Err(bad(&format!("expected pointer to ctx, but got {}", reg.type_str())));
                    }
                }
                KfuncArgKind::Iter(name) => self.iter_arg(pc, st, i, regno, name, proto.flags)?,
                KfuncArgKind::Dynptr => {
                    if reg.kind() != Some(PtrKind::Stack) {
                        return Err(bad(&format!("expected pointer to stack, but got {}", reg.type_str())));
                    }
                    self.helper_mem(pc, st, regno, 8, true, true, false, false)?;
                }
                KfuncArgKind::Mem => {
                    if !reg.is_ptr() || reg.maybe_null() {
                        return Err(bad(&format!("expected pointer to memory, but got {}", reg.type_str())));
                    }
                    pending_mem = Some(regno);
                }
                KfuncArgKind::Btf(_) => {
                    if reg.kind() != Some(PtrKind::BtfId) {
                        return Err(fail(pc, RejectKind::InvalidArg, format!("R{regno} type={} expected=ptr_", reg.type_str())));
                    }
                    if reg.maybe_null() {
                        return Err(fail(pc, RejectKind::InvalidArg, format!("Possibly NULL pointer passed to trusted arg{i}")));
                    }
                    if proto.flags.contains(KfuncFlags::RELEASE) && release.is_none() {
                        if reg.ref_obj_id == 0 {
                            return Err(fail(pc, RejectKind::InvalidArg, format!("R{regno} must be referenced when passed to release function")));
                        }
                        if reg.off != 0 {
                            return Err(fail(pc, RejectKind::InvalidArg, format!("R{regno} must have zero offset when passed to release func")));
                        }
                        release = Some(reg.ref_obj_id);
                    }
                }
            }
        }
        if let Some(rid) = release {
            self.release(st, rid);
        }
        for r in 1..=5 {
            *st.reg_mut(r) = Reg::NOT_INIT;
        }
        let null = if proto.flags.contains(KfuncFlags::RET_NULL) { flag::MAYBE_NULL } else { 0 };
        let mut r0 = match proto.ret {
            KfuncRet::Void => Reg::NOT_INIT,
            KfuncRet::Scalar => Reg::unknown(),
            KfuncRet::Btf(_) | KfuncRet::Alloc => Reg { flags: null | flag::TRUSTED, ..Reg::ptr(PtrKind::BtfId) },
            KfuncRet::Mem => Reg { flags: null | flag::RDONLY, range: size_const.unwrap_or(0) as i64, ..Reg::ptr(PtrKind::Mem) },
            KfuncRet::FixedMem(size) => Reg { flags: null | flag::RDONLY, range: i64::from(size), ..Reg::ptr(PtrKind::Mem) },
        };
        if r0.is_ptr() {
            if proto.flags.contains(KfuncFlags::ACQUIRE) {
                self.acquire(pc, st, &mut r0);
            } else if r0.maybe_null() {
                r0.id = self.new_id();
            }
        }
        *st.reg_mut(0) = r0;
        Ok(Next::Goto(pc + 1))
    }

    /// An open-coded iterator argument (`struct bpf_iter_*` on the stack, at a fixed,
    /// 8-byte aligned offset): `_new` needs a slot holding no iterator and makes it one of a
    /// fresh generation; `_next` and `_destroy` need an initialised one; `_destroy` frees it.
    fn iter_arg(&mut self, pc: usize, st: &mut State, i: usize, regno: usize, name: &str, flags: KfuncFlags) -> Res<()> {
        let reg = *st.reg(regno);
        let bad = |what: String| fail(pc, RejectKind::InvalidArg, what);
        if reg.kind() != Some(PtrKind::Stack) {
            return Err(bad(format!("arg#{i} expected pointer to stack, but got {}", reg.type_str())));
        }
        let Some(c) = reg.var.as_const() else {
            return Err(bad(format!("arg#{i} iter_{name} must be at a fixed stack offset")));
        };
        let off = reg.off as i64 + c as i64;
        if off.rem_euclid(8) != 0 {
            return Err(bad(format!("arg#{i} iter_{name} at stack offset {off} is not 8-byte aligned")));
        }
        if !(-crate::state::MAX_BPF_STACK..0).contains(&off) {
            return Err(bad(format!("arg#{i} iter_{name} at stack offset {off} is outside the stack")));
        }
        let (slot, _) = crate::state::stack::locate(off);
        let held = st.frames[reg.frame as usize].stack.get(slot).copied().unwrap_or(crate::state::stack::Slot::EMPTY);
        if flags.contains(KfuncFlags::ITER_NEW) {
            if held.has_iter() {
                return Err(bad(format!("expected uninitialized iter_{name} as arg #{i}")));
            }
            // Bounds, stack depth and growth as for any 8 bytes the kfunc writes.
            self.helper_mem(pc, st, regno, 8, true, true, false, false)?;
            let generation = self.new_id();
            st.frames[reg.frame as usize].stack[slot] = crate::state::stack::Slot::iter(generation);
            return Ok(());
        }
        if held.iter_gen().is_none() {
            return Err(bad(format!("expected an initialized iter_{name} as arg #{i}")));
        }
        if flags.contains(KfuncFlags::ITER_DESTROY) {
            st.frames[reg.frame as usize].stack[slot] = crate::state::stack::Slot::EMPTY;
        }
        Ok(())
    }

    pub(super) fn exit(&mut self, pc: usize, st: &mut State) -> Res<Next> {
        let frame = st.cur().clone();
        // A bpf-to-bpf callee may return nothing (a void function); every other exit reads r0.
        let r0 = if st.frames.len() > 1 && frame.kind == FrameKind::Call { *st.reg(0) } else { self.read(pc, st, 0)? };
        if let Some((lo, hi)) = frame.ret {
            let ctx = if frame.kind == FrameKind::AsyncCallback { "At async callback return" } else { "At callback return" };
            self.check_range(pc, &r0, lo, hi, ctx)?;
        }
        if st.frames.len() > 1 {
            st.frames.pop();
            if frame.kind == FrameKind::SyncCallback {
                // Another iteration, or none: back to the calling instruction.
                st.cur_mut().cb_loop = Some((frame.callsite, frame.loop_gen));
                return Ok(Next::Goto(frame.callsite));
            }
            if r0.kind() == Some(PtrKind::Stack) && r0.frame as usize == st.frames.len() {
                return Err(fail(pc, RejectKind::InvalidAccess, "cannot return stack pointer to the caller"));
            }
            let caller = st.cur_mut();
            caller.regs[0] = r0;
            for r in 1..=5 {
                caller.regs[r] = Reg::NOT_INIT;
            }
            return Ok(Next::Goto(frame.callsite + 1));
        }
        if let Some(&(id, at)) = st.refs.first() {
            return Err(fail(pc, RejectKind::RefLeak, format!("Unreleased reference id={id} alloc_insn={at}")));
        }
        if frame.kind == FrameKind::AsyncCallback {
            return Ok(Next::End);
        }
        if r0.is_ptr() && !self.privileged() {
            return Err(fail(pc, RejectKind::PointerLeak, "R0 leaks addr as return value"));
        }
        if let Some(range) = self.info.return_range(self.env.attach_type) {
            self.check_range(pc, &r0, range.min, range.max, "At program exit")?;
        }
        Ok(Next::End)
    }

    fn check_range(&self, pc: usize, r0: &Reg, lo: i64, hi: i64, ctx: &str) -> Res<()> {
        if r0.ty != RegType::Scalar {
            return Err(fail(
                pc,
                RejectKind::ReturnValue,
                format!("{ctx} the register R0 is not a known value ({})", r0.type_str()),
            ));
        }
        let (smin, smax) = (r0.var.smin(), r0.var.smax());
        if smin >= lo && smax <= hi {
            return Ok(());
        }
        let mut m = format!("{ctx} the register R0 has");
        let mut unknown = true;
        if smin > i64::MIN {
            m.push_str(&format!(" smin={smin}"));
            unknown = false;
        }
        if smax < i64::MAX {
            m.push_str(&format!(" smax={smax}"));
            unknown = false;
        }
        if unknown {
            m.push_str(" unknown scalar value");
        }
        m.push_str(&format!(" should have been in [{lo}, {hi}]"));
        Err(fail(pc, RejectKind::ReturnValue, m))
    }
}

/// The reference a release helper's argument `reg` (in `R{regno}`) gives back: the pointer must
/// be at offset 0 of the object, fixed and variable, and hold a reference.
fn released_object(pc: usize, regno: usize, reg: &Reg) -> Res<u32> {
    if reg.off != 0 || reg.var.as_const() != Some(0) {
        return Err(fail(
            pc,
            RejectKind::InvalidArg,
            format!("R{regno} must have zero offset when passed to release func or trusted arg to kfunc"),
        ));
    }
    if reg.ref_obj_id == 0 {
        return Err(fail(pc, RejectKind::InvalidArg, format!("R{regno} must be referenced when passed to release function")));
    }
    Ok(reg.ref_obj_id)
}
