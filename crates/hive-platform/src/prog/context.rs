//! Context layouts and access rules: what `r1` points to at entry and which loads and stores
//! through it the verifier accepts (the kernel's per-type `is_valid_access`).
//!
//! A layout is a list of fields. Each field says how it may be read and written:
//! [`CtxAccess::Whole`] (exactly one element of the field's element size), [`CtxAccess::Bytes`]
//! (any naturally aligned 1-, 2-, 4- or 8-byte access inside the field: the kernel's "narrow
//! loads"), one of the kernel's special cases ([`CtxAccess::Prefix`], [`CtxAccess::Port`]) or
//! [`CtxAccess::None`]; and whether a read yields a pointer ([`CtxPtr`]) instead of a
//! scalar. Bytes outside every field are inaccessible. The tables were checked against the 6.18
//! verifier for every offset and every access size, read and write (see the crate's kernel
//! tests); offsets are those of the UAPI structs on x86-64.

use std::fmt;

use super::ProgType;

/// How a field may be accessed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CtxAccess {
    /// Not at all.
    None,
    /// Only whole elements (`elem` bytes at an element boundary).
    Whole,
    /// Any naturally aligned access of 1, 2, 4 or 8 bytes that stays inside the field.
    Bytes,
    /// An access of 1, 2, 4 or 8 bytes inside the field that starts at its first byte (the
    /// kernel's narrow loads of fields it converts by offset, such as
    /// `bpf_sock_ops.skb_tcp_flags`).
    Prefix,
    /// A 16-bit port padded to a 4-byte word (`bpf_sock.dst_port`): narrow loads inside its
    /// two bytes, or the whole word.
    Port,
}

/// What a read of a pointer-valued context field yields (`info->reg_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CtxPtr {
    /// `PTR_TO_PACKET` (`data`).
    Packet,
    /// `PTR_TO_PACKET_END` (`data_end`).
    PacketEnd,
    /// `PTR_TO_PACKET_META` (`data_meta`).
    PacketMeta,
    /// `PTR_TO_SOCK_COMMON_OR_NULL` (`__sk_buff.sk`).
    SockCommonOrNull,
    /// `PTR_TO_FLOW_KEYS` (`__sk_buff.flow_keys` in the flow dissector).
    FlowKeys,
}

/// One field of a context structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CtxField {
    /// The C name (`"data_end"`; arrays as `"cb"`).
    pub name: &'static str,
    /// Byte offset.
    pub off: u32,
    /// Size in bytes of the whole field.
    pub size: u32,
    /// Element size (the field size for scalars, 4 for `cb[5]`, 8 for `pt_regs` registers).
    pub elem: u32,
    /// How loads may access it.
    pub read: CtxAccess,
    /// How stores may access it.
    pub write: CtxAccess,
    /// What a load yields, when not a scalar.
    pub ptr: Option<CtxPtr>,
}

const fn fld(name: &'static str, off: u32, size: u32, read: CtxAccess, write: CtxAccess) -> CtxField {
    CtxField { name, off, size, elem: size, read, write, ptr: None }
}

impl CtxField {
    const fn elem(self, elem: u32) -> CtxField {
        CtxField { elem, ..self }
    }

    const fn ptr(self, ptr: CtxPtr) -> CtxField {
        CtxField { ptr: Some(ptr), ..self }
    }

    fn allows(&self, off: u32, size: u32, access: CtxAccess) -> bool {
        let inside = off >= self.off && off + size <= self.off + self.size;
        match access {
            CtxAccess::None => false,
            CtxAccess::Whole => inside && size == self.elem && (off - self.off).is_multiple_of(self.elem),
            CtxAccess::Bytes => inside && matches!(size, 1 | 2 | 4 | 8) && off.is_multiple_of(size),
            CtxAccess::Prefix => inside && matches!(size, 1 | 2 | 4 | 8) && off == self.off,
            CtxAccess::Port => {
                (off == self.off && size == 4)
                    || (off + size <= self.off + 2 && matches!(size, 1 | 2) && off.is_multiple_of(size))
            }
        }
    }
}

/// The structure a program type's context pointer refers to.
#[derive(Debug)]
pub struct ContextLayout {
    /// The C type (`"struct __sk_buff"`).
    pub c_type: &'static str,
    /// `sizeof` the structure (for open-ended contexts, the largest offset plus one).
    pub size: u32,
    /// Fields in offset order.
    pub fields: &'static [CtxField],
}

/// A rejected context access, worded as the kernel words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CtxAccessError {
    /// Offset of the access.
    pub off: i64,
    /// Size of the access.
    pub size: u32,
}

impl fmt::Display for CtxAccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid bpf_context access off={} size={}", self.off, self.size)
    }
}

impl std::error::Error for CtxAccessError {}

impl ContextLayout {
    /// Checks a `size`-byte load (`write == false`) or store at `off`. A permitted load returns
    /// the pointer kind it yields (or `None` for a scalar).
    pub fn check(&self, off: i64, size: u32, write: bool) -> Result<Option<CtxPtr>, CtxAccessError> {
        let err = CtxAccessError { off, size };
        let off32 = u32::try_from(off).map_err(|_| err)?;
        let field = self.field_at(off32).ok_or(err)?;
        let access = if write { field.write } else { field.read };
        if !field.allows(off32, size, access) {
            return Err(err);
        }
        Ok(if write { None } else { field.ptr })
    }

    /// The field containing byte `off`.
    pub fn field_at(&self, off: u32) -> Option<&'static CtxField> {
        self.fields.iter().find(|f| off >= f.off && off < f.off + f.size)
    }

    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&'static CtxField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

use CtxAccess::{Bytes as B, None as N, Whole as W};

/// `struct __sk_buff` as a socket filter sees it: scalars readable with narrow loads, `cb`
/// writable, no packet pointers, `sk` readable.
pub static SK_BUFF_SOCKET_FILTER: ContextLayout = ContextLayout {
    c_type: "struct __sk_buff",
    size: 192,
    fields: &[
        fld("len", 0, 4, B, N),
        fld("pkt_type", 4, 4, B, N),
        fld("mark", 8, 4, B, N),
        fld("queue_mapping", 12, 4, B, N),
        fld("protocol", 16, 4, B, N),
        fld("vlan_present", 20, 4, B, N),
        fld("vlan_tci", 24, 4, B, N),
        fld("vlan_proto", 28, 4, B, N),
        fld("priority", 32, 4, B, N),
        fld("ingress_ifindex", 36, 4, B, N),
        fld("ifindex", 40, 4, B, N),
        fld("tc_index", 44, 4, B, N),
        fld("cb", 48, 20, B, B).elem(4),
        fld("hash", 68, 4, B, N),
        fld("tc_classid", 72, 4, N, N),
        fld("data", 76, 4, N, N),
        fld("data_end", 80, 4, N, N),
        fld("napi_id", 84, 4, B, N),
        fld("family", 88, 4, N, N),
        fld("remote_ip4", 92, 4, N, N),
        fld("local_ip4", 96, 4, N, N),
        fld("remote_ip6", 100, 16, N, N).elem(4),
        fld("local_ip6", 116, 16, N, N).elem(4),
        fld("remote_port", 132, 4, N, N),
        fld("local_port", 136, 4, N, N),
        fld("data_meta", 140, 4, N, N),
        fld("flow_keys", 144, 8, N, N),
        fld("tstamp", 152, 8, N, N),
        fld("wire_len", 160, 4, N, N),
        fld("gso_segs", 164, 4, B, N),
        fld("sk", 168, 8, W, N).ptr(CtxPtr::SockCommonOrNull),
        fld("gso_size", 176, 4, B, N),
        fld("tstamp_type", 180, 1, N, N),
        fld("hwtstamp", 184, 8, N, N),
    ],
};

/// `struct __sk_buff` for tc classifiers and actions: packet pointers, and stores to `mark`,
/// `queue_mapping`, `priority`, `tc_index`, `cb`, `tc_classid`, `tstamp`.
pub static SK_BUFF_TC: ContextLayout = ContextLayout {
    c_type: "struct __sk_buff",
    size: 192,
    fields: &[
        fld("len", 0, 4, B, N),
        fld("pkt_type", 4, 4, B, N),
        fld("mark", 8, 4, B, W),
        fld("queue_mapping", 12, 4, B, W),
        fld("protocol", 16, 4, B, N),
        fld("vlan_present", 20, 4, B, N),
        fld("vlan_tci", 24, 4, B, N),
        fld("vlan_proto", 28, 4, B, N),
        fld("priority", 32, 4, B, W),
        fld("ingress_ifindex", 36, 4, B, N),
        fld("ifindex", 40, 4, B, N),
        fld("tc_index", 44, 4, B, W),
        fld("cb", 48, 20, B, B).elem(4),
        fld("hash", 68, 4, B, N),
        fld("tc_classid", 72, 4, B, W),
        fld("data", 76, 4, W, N).ptr(CtxPtr::Packet),
        fld("data_end", 80, 4, W, N).ptr(CtxPtr::PacketEnd),
        fld("napi_id", 84, 4, B, N),
        fld("family", 88, 4, N, N),
        fld("remote_ip4", 92, 4, N, N),
        fld("local_ip4", 96, 4, N, N),
        fld("remote_ip6", 100, 16, N, N).elem(4),
        fld("local_ip6", 116, 16, N, N).elem(4),
        fld("remote_port", 132, 4, N, N),
        fld("local_port", 136, 4, N, N),
        fld("data_meta", 140, 4, W, N).ptr(CtxPtr::PacketMeta),
        fld("flow_keys", 144, 8, N, N),
        fld("tstamp", 152, 8, W, W),
        fld("wire_len", 160, 4, B, N),
        fld("gso_segs", 164, 4, B, N),
        fld("sk", 168, 8, W, N).ptr(CtxPtr::SockCommonOrNull),
        fld("gso_size", 176, 4, B, N),
        fld("tstamp_type", 180, 1, W, N),
        fld("hwtstamp", 184, 8, W, N),
    ],
};

/// `struct __sk_buff` for cgroup skb programs: packet pointers (no `data_meta`), socket
/// addresses, stores to `mark`, `priority`, `cb`, `tstamp`.
pub static SK_BUFF_CGROUP: ContextLayout = ContextLayout {
    c_type: "struct __sk_buff",
    size: 192,
    fields: &[
        fld("len", 0, 4, B, N),
        fld("pkt_type", 4, 4, B, N),
        fld("mark", 8, 4, B, W),
        fld("queue_mapping", 12, 4, B, N),
        fld("protocol", 16, 4, B, N),
        fld("vlan_present", 20, 4, B, N),
        fld("vlan_tci", 24, 4, B, N),
        fld("vlan_proto", 28, 4, B, N),
        fld("priority", 32, 4, B, W),
        fld("ingress_ifindex", 36, 4, B, N),
        fld("ifindex", 40, 4, B, N),
        fld("tc_index", 44, 4, B, N),
        fld("cb", 48, 20, B, B).elem(4),
        fld("hash", 68, 4, B, N),
        fld("tc_classid", 72, 4, N, N),
        fld("data", 76, 4, W, N).ptr(CtxPtr::Packet),
        fld("data_end", 80, 4, W, N).ptr(CtxPtr::PacketEnd),
        fld("napi_id", 84, 4, B, N),
        fld("family", 88, 4, B, N),
        fld("remote_ip4", 92, 4, W, N),
        fld("local_ip4", 96, 4, W, N),
        fld("remote_ip6", 100, 16, W, N).elem(4),
        fld("local_ip6", 116, 16, W, N).elem(4),
        fld("remote_port", 132, 4, B, N),
        fld("local_port", 136, 4, B, N),
        fld("data_meta", 140, 4, N, N),
        fld("flow_keys", 144, 8, N, N),
        fld("tstamp", 152, 8, W, W),
        fld("wire_len", 160, 4, N, N),
        fld("gso_segs", 164, 4, B, N),
        fld("sk", 168, 8, W, N).ptr(CtxPtr::SockCommonOrNull),
        fld("gso_size", 176, 4, B, N),
        fld("tstamp_type", 180, 1, N, N),
        fld("hwtstamp", 184, 8, W, N),
    ],
};

/// `struct xdp_md`: read-only 4-byte fields, three of them packet pointers. `egress_ifindex`
/// is readable only by programs attached to a devmap (`BPF_XDP_DEVMAP`), not modelled here.
pub static XDP_MD: ContextLayout = ContextLayout {
    c_type: "struct xdp_md",
    size: 24,
    fields: &[
        fld("data", 0, 4, W, N).ptr(CtxPtr::Packet),
        fld("data_end", 4, 4, W, N).ptr(CtxPtr::PacketEnd),
        fld("data_meta", 8, 4, W, N).ptr(CtxPtr::PacketMeta),
        fld("ingress_ifindex", 12, 4, W, N),
        fld("rx_queue_index", 16, 4, W, N),
        fld("egress_ifindex", 20, 4, N, N),
    ],
};

macro_rules! pt_regs {
    ($($name:literal),*) => {
        /// x86-64 `struct pt_regs` (kprobes): every register readable with any aligned access.
        pub static PT_REGS: ContextLayout = ContextLayout {
            c_type: "struct pt_regs",
            size: 168,
            fields: &pt_regs!(@fields 0; [] $($name),*),
        };
    };
    (@fields $off:expr; [$($done:expr),*] $name:literal $(, $rest:literal)*) => {
        pt_regs!(@fields $off + 8; [$($done,)* fld($name, $off, 8, B, N)] $($rest),*)
    };
    (@fields $off:expr; [$($done:expr),*]) => { [$($done),*] };
}

pt_regs!(
    "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi", "rdi",
    "orig_rax", "rip", "cs", "eflags", "rsp", "ss"
);

/// `struct bpf_perf_event_data`: the registers (whole 8-byte reads), `sample_period` and `addr`
/// (narrow reads allowed).
pub static PERF_EVENT_DATA: ContextLayout = ContextLayout {
    c_type: "struct bpf_perf_event_data",
    size: 184,
    fields: &[
        fld("regs", 0, 168, W, N).elem(8),
        fld("sample_period", 168, 8, B, N),
        fld("addr", 176, 8, B, N),
    ],
};

/// A tracepoint's record: the first 8 bytes (the hidden `pt_regs *` and common fields) are
/// off limits, the rest up to `PERF_MAX_TRACE_SIZE` (8192) is readable; the real size depends
/// on the tracepoint's format.
pub static TRACEPOINT: ContextLayout = ContextLayout {
    c_type: "tracepoint record",
    size: 8192,
    fields: &[fld("hidden", 0, 8, N, N), fld("fields", 8, 8184, B, N)],
};

/// `struct bpf_raw_tracepoint_args`: up to 12 `u64` arguments, read-only.
pub static RAW_TRACEPOINT_ARGS: ContextLayout = ContextLayout {
    c_type: "struct bpf_raw_tracepoint_args",
    size: 96,
    fields: &[fld("args", 0, 96, B, N).elem(8)],
};

/// `struct bpf_sock_ops` (sock_ops programs): 4-byte reads of the scalar fields, 8-byte reads
/// of the counters and pointers, a narrow read of `skb_tcp_flags`; only `reply` and
/// `sk_txhash` are writable.
pub static SOCK_OPS: ContextLayout = ContextLayout {
    c_type: "struct bpf_sock_ops",
    size: 224,
    fields: &[
        fld("op", 0, 4, W, N),
        fld("reply", 4, 4, W, W),
        fld("args", 8, 12, W, N).elem(4),
        // family, remote_ip4, local_ip4, remote_ip6[4], local_ip6[4], remote_port, ...,
        // sacked_out: 36 consecutive __u32.
        fld("family..sacked_out", 20, 144, W, N).elem(4),
        fld("sk_txhash", 164, 4, W, W),
        fld("bytes_received", 168, 8, W, N),
        fld("bytes_acked", 176, 8, W, N),
        // The kernel's type is PTR_TO_SOCKET_OR_NULL; the common-fields view is a subset.
        fld("sk", 184, 8, W, N).ptr(CtxPtr::SockCommonOrNull),
        fld("skb_data", 192, 8, W, N).ptr(CtxPtr::Packet),
        fld("skb_data_end", 200, 8, W, N).ptr(CtxPtr::PacketEnd),
        fld("skb_len", 208, 4, W, N),
        fld("skb_tcp_flags", 212, 4, CtxAccess::Prefix, N),
        fld("skb_hwtstamp", 216, 8, W, N),
    ],
};

/// `struct bpf_sock` as a `cgroup/sock` program sees it at socket creation (the kernel's
/// default expected attach type, `BPF_CGROUP_INET_SOCK_CREATE`): `bound_dev_if`, `mark` and
/// `priority` readable and writable, the socket's identity narrowly readable, the addresses
/// not yet known.
pub static BPF_SOCK_CREATE: ContextLayout = ContextLayout {
    c_type: "struct bpf_sock",
    size: 80,
    fields: &[
        fld("bound_dev_if", 0, 4, W, W),
        fld("family", 4, 4, CtxAccess::Prefix, N),
        fld("type", 8, 4, CtxAccess::Prefix, N),
        fld("protocol", 12, 4, CtxAccess::Prefix, N),
        fld("mark", 16, 4, W, W),
        fld("priority", 20, 4, W, W),
        fld("dst_port", 48, 4, CtxAccess::Port, N),
        fld("dst_ip4", 52, 4, B, N),
        fld("dst_ip6[0]", 56, 4, B, N),
        fld("dst_ip6[1]", 60, 4, B, N),
        fld("dst_ip6[2]", 64, 4, B, N),
        fld("dst_ip6[3]", 68, 4, B, N),
        fld("state", 72, 4, CtxAccess::Prefix, N),
        fld("rx_queue_mapping", 76, 4, CtxAccess::Prefix, N),
    ],
};

/// A syscall program's context: a user-supplied buffer of at most 65535 bytes, readable and
/// writable with aligned accesses (its real size is given at run time).
pub static SYSCALL_CTX: ContextLayout = ContextLayout {
    c_type: "syscall context buffer",
    size: 65535,
    fields: &[fld("ctx", 0, 65535, B, B)],
};

/// The layout of `prog_type`'s context, for the types whose context this crate models.
pub fn layout(prog_type: ProgType) -> Option<&'static ContextLayout> {
    Some(match prog_type {
        ProgType::SocketFilter => &SK_BUFF_SOCKET_FILTER,
        ProgType::SchedCls | ProgType::SchedAct => &SK_BUFF_TC,
        ProgType::CgroupSkb => &SK_BUFF_CGROUP,
        ProgType::Xdp => &XDP_MD,
        ProgType::Kprobe => &PT_REGS,
        ProgType::PerfEvent => &PERF_EVENT_DATA,
        ProgType::Tracepoint => &TRACEPOINT,
        ProgType::RawTracepoint | ProgType::RawTracepointWritable => &RAW_TRACEPOINT_ARGS,
        ProgType::Syscall => &SYSCALL_CTX,
        ProgType::SockOps => &SOCK_OPS,
        ProgType::CgroupSock => &BPF_SOCK_CREATE,
        _ => return None,
    })
}
