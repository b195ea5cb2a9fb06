//! One register's abstract value: its type (the kernel's `enum bpf_reg_type` with the
//! modifier flags that matter here), the fixed and variable parts of a pointer's offset, and
//! the identities that tie copies of one value together.
//!
//! A scalar's value is its [`Scalar`] (`var`). A pointer is `base + off + var`: `off` is the
//! constant part the program added, `var` a scalar (often the constant 0) for what it added
//! from registers. `id` links copies of one value so that what a branch learns about one copy
//! holds for all (a NULL check on a map value, a bound on a scalar, the checked range of a
//! packet pointer); `ref_obj_id` names an acquired reference that must be released.

use std::fmt;

use crate::scalar::Scalar;

/// Base types of pointers (`enum bpf_reg_type`, less the scalar and uninitialised kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PtrKind {
    /// `PTR_TO_CTX`.
    Ctx,
    /// `PTR_TO_STACK` (`fp`), of frame `Reg::frame`.
    Stack,
    /// `PTR_TO_MAP_VALUE` of map `Reg::map`.
    MapValue,
    /// `PTR_TO_MAP_KEY` (callback arguments of `bpf_for_each_map_elem`).
    MapKey,
    /// `CONST_PTR_TO_MAP`.
    ConstMap,
    /// `PTR_TO_PACKET`.
    Packet,
    /// `PTR_TO_PACKET_META`.
    PacketMeta,
    /// `PTR_TO_PACKET_END`.
    PacketEnd,
    /// `PTR_TO_MEM` of `Reg::range` bytes (ring-buffer records, helper results).
    Mem,
    /// `PTR_TO_FUNC` of subprogram `Reg::map` (its start instruction).
    Func,
    /// `PTR_TO_BTF_ID` (untyped: only its identity is tracked).
    BtfId,
    /// `PTR_TO_SOCKET`.
    Sock,
    /// `PTR_TO_SOCK_COMMON`.
    SockCommon,
    /// `PTR_TO_TCP_SOCK`.
    TcpSock,
    /// `PTR_TO_XDP_SOCK`.
    XdpSock,
    /// `PTR_TO_FLOW_KEYS`.
    FlowKeys,
}

impl PtrKind {
    /// The kernel's `reg_type_str` spelling of the base type.
    pub fn name(self) -> &'static str {
        match self {
            PtrKind::Ctx => "ctx",
            PtrKind::Stack => "fp",
            PtrKind::MapValue => "map_value",
            PtrKind::MapKey => "map_key",
            PtrKind::ConstMap => "map_ptr",
            PtrKind::Packet => "pkt",
            PtrKind::PacketMeta => "pkt_meta",
            PtrKind::PacketEnd => "pkt_end",
            PtrKind::Mem => "mem",
            PtrKind::Func => "func",
            PtrKind::BtfId => "ptr_",
            PtrKind::Sock => "sock",
            PtrKind::SockCommon => "sock_common",
            PtrKind::TcpSock => "tcp_sock",
            PtrKind::XdpSock => "xdp_sock",
            PtrKind::FlowKeys => "flow_keys",
        }
    }

    /// Packet pointers (`reg_is_pkt_pointer`).
    pub fn is_packet(self) -> bool {
        matches!(self, PtrKind::Packet | PtrKind::PacketMeta)
    }
}

/// What a register holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegType {
    /// `NOT_INIT`: never written (or clobbered by a call); reading it is an error.
    NotInit,
    /// `SCALAR_VALUE`: a number, `var` says which.
    Scalar,
    /// A pointer.
    Ptr(PtrKind),
}

/// Modifier flags of a pointer type (a subset of `enum bpf_type_flag`).
pub mod flag {
    /// `PTR_MAYBE_NULL`.
    pub const MAYBE_NULL: u8 = 1;
    /// `MEM_RDONLY`.
    pub const RDONLY: u8 = 2;
    /// `MEM_RINGBUF`.
    pub const RINGBUF: u8 = 4;
    /// `PTR_TRUSTED`.
    pub const TRUSTED: u8 = 8;
    /// `PTR_UNTRUSTED`.
    pub const UNTRUSTED: u8 = 16;
}

/// One register (`struct bpf_reg_state`, the parts Hive tracks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reg {
    /// The type.
    pub ty: RegType,
    /// [`flag`] bits.
    pub flags: u8,
    /// Frame of a stack pointer (0 = the main program's).
    pub frame: u8,
    /// Constant offset of a pointer.
    pub off: i32,
    /// A scalar's value, or a pointer's variable offset.
    pub var: Scalar,
    /// Copies of one value share a non-zero id.
    pub id: u32,
    /// The acquired reference this pointer holds (0: none).
    pub ref_obj_id: u32,
    /// Packet pointers: bytes known to be in the packet past `base + var`; memory: its size.
    pub range: i64,
    /// Map pointers and values: index into the verifier's map table; functions: the
    /// subprogram's first instruction.
    pub map: u32,
}

impl Reg {
    /// `NOT_INIT`.
    pub const NOT_INIT: Reg =
        Reg { ty: RegType::NotInit, flags: 0, frame: 0, off: 0, var: ZERO, id: 0, ref_obj_id: 0, range: 0, map: 0 };

    /// A scalar.
    pub fn scalar(var: Scalar) -> Reg {
        Reg { ty: RegType::Scalar, var, ..Reg::NOT_INIT }
    }

    /// An unknown scalar.
    pub fn unknown() -> Reg {
        Reg::scalar(Scalar::top())
    }

    /// A known constant.
    pub fn constant(x: u64) -> Reg {
        Reg::scalar(Scalar::constant(x))
    }

    /// A pointer of `kind` at offset 0.
    pub fn ptr(kind: PtrKind) -> Reg {
        Reg { ty: RegType::Ptr(kind), ..Reg::NOT_INIT }
    }

    /// The frame pointer of frame `frame`.
    pub fn fp(frame: u8) -> Reg {
        Reg { frame, ..Reg::ptr(PtrKind::Stack) }
    }

    /// The pointer kind, if a pointer.
    pub fn kind(&self) -> Option<PtrKind> {
        match self.ty {
            RegType::Ptr(k) => Some(k),
            _ => None,
        }
    }

    /// Whether it is a pointer.
    pub fn is_ptr(&self) -> bool {
        matches!(self.ty, RegType::Ptr(_))
    }

    /// Whether it is a scalar.
    pub fn is_scalar(&self) -> bool {
        self.ty == RegType::Scalar
    }

    /// Whether it may be NULL.
    pub fn maybe_null(&self) -> bool {
        self.flags & flag::MAYBE_NULL != 0
    }

    /// Whether it is the scalar 0 (`register_is_null`).
    pub fn is_null(&self) -> bool {
        self.is_scalar() && self.var.as_const() == Some(0)
    }

    /// The constant a scalar holds.
    pub fn as_const(&self) -> Option<u64> {
        if self.is_scalar() { self.var.as_const() } else { None }
    }

    /// The kernel's `reg_type_str`: `map_value_or_null`, `rdonly_mem`, `scalar`.
    pub fn type_str(&self) -> String {
        match self.ty {
            RegType::NotInit => "?".into(),
            RegType::Scalar => "scalar".into(),
            RegType::Ptr(k) => {
                let mut s = String::new();
                if self.flags & flag::RDONLY != 0 {
                    s.push_str("rdonly_");
                }
                if self.flags & flag::RINGBUF != 0 {
                    s.push_str("ringbuf_");
                }
                if self.flags & flag::UNTRUSTED != 0 {
                    s.push_str("untrusted_");
                }
                if self.flags & flag::TRUSTED != 0 {
                    s.push_str("trusted_");
                }
                s.push_str(k.name());
                if self.maybe_null() {
                    s.push_str(if k == PtrKind::BtfId { "or_null_" } else { "_or_null" });
                }
                s
            }
        }
    }
}

const ZERO: Scalar = Scalar::ZERO_CONST;

impl fmt::Display for Reg {
    /// The kernel's register notation, shortened: `ctx()`, `fp-8`, `map_value(off=4)`,
    /// `pkt(r=14)`, a scalar as its value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ty {
            RegType::NotInit => f.write_str("?"),
            RegType::Scalar => write!(f, "{}", self.var),
            RegType::Ptr(PtrKind::Stack) if self.var.as_const() == Some(0) => write!(f, "fp{}", self.off),
            RegType::Ptr(k) => {
                write!(f, "{}(", self.type_str())?;
                let mut sep = "";
                if self.id != 0 {
                    write!(f, "id={}", self.id)?;
                    sep = ",";
                }
                if self.ref_obj_id != 0 {
                    write!(f, "{sep}ref_obj_id={}", self.ref_obj_id)?;
                    sep = ",";
                }
                if self.off != 0 {
                    write!(f, "{sep}off={}", self.off)?;
                    sep = ",";
                }
                if k.is_packet() {
                    write!(f, "{sep}r={}", self.range)?;
                    sep = ",";
                } else if k == PtrKind::Mem {
                    write!(f, "{sep}sz={}", self.range)?;
                    sep = ",";
                }
                if self.var.as_const() != Some(0) {
                    write!(f, "{sep}var={}", self.var)?;
                }
                f.write_str(")")
            }
        }
    }
}
