//! Argument and return kinds of helper prototypes, modelled on the kernel's `enum bpf_arg_type`,
//! `enum bpf_return_type` and `enum bpf_type_flag` (`include/linux/bpf.h`).
//!
//! A kind is a *base* (what sort of value the register must hold) plus *flags* that refine it
//! (`PTR_MAYBE_NULL`, `MEM_RDONLY`, `MEM_UNINIT`, `OBJ_RELEASE`, ...). The flags use the
//! kernel's bit positions (`BIT(n + BPF_BASE_TYPE_BITS)`), so [`ArgType::raw`] and
//! [`RetType::raw`] give back exactly the number the kernel stores in `bpf_func_proto`.

use std::fmt;

/// Bits of a type reserved for the base kind (`BPF_BASE_TYPE_BITS`).
pub const BASE_TYPE_BITS: u32 = 8;

/// Modifier flags of an argument or return kind (`enum bpf_type_flag`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TypeFlags(u32);

macro_rules! type_flags {
    ($($(#[$doc:meta])* $name:ident = $bit:expr, $kernel:literal;)*) => {
        impl TypeFlags {
            $($(#[$doc])* pub const $name: TypeFlags = TypeFlags(1 << ($bit + BASE_TYPE_BITS));)*
            /// Every flag with its kernel spelling, in bit order.
            pub const NAMED: &'static [(TypeFlags, &'static str)] = &[$((TypeFlags::$name, $kernel)),*];
        }
    };
}

type_flags! {
    /// The pointer may be NULL (`*_OR_NULL`); the program must check before use.
    MAYBE_NULL = 0, "PTR_MAYBE_NULL";
    /// The memory is read-only for the program (helpers marked so only read it).
    MEM_RDONLY = 1, "MEM_RDONLY";
    /// The memory is a ring-buffer record.
    MEM_RINGBUF = 2, "MEM_RINGBUF";
    /// The memory lives in user space.
    MEM_USER = 3, "MEM_USER";
    /// The pointer is a per-CPU pointer.
    MEM_PERCPU = 4, "MEM_PERCPU";
    /// The argument is released (its reference ends) by the call.
    OBJ_RELEASE = 5, "OBJ_RELEASE";
    /// A kptr loaded from a map: may be dereferenced, never passed on.
    PTR_UNTRUSTED = 6, "PTR_UNTRUSTED";
    /// The memory may be uninitialised (the helper writes all of it).
    MEM_UNINIT = 7, "MEM_UNINIT";
    /// The dynptr points to program-local memory.
    DYNPTR_LOCAL = 8, "DYNPTR_TYPE_LOCAL";
    /// The dynptr points to a ring-buffer record.
    DYNPTR_RINGBUF = 9, "DYNPTR_TYPE_RINGBUF";
    /// The memory size is fixed by the prototype (`argN_size`), not by the next argument.
    MEM_FIXED_SIZE = 10, "MEM_FIXED_SIZE";
    /// An object allocated with `bpf_obj_new`.
    MEM_ALLOC = 11, "MEM_ALLOC";
    /// A pointer the kernel guarantees valid (may be passed to helpers and kfuncs).
    PTR_TRUSTED = 12, "PTR_TRUSTED";
    /// Valid only inside an RCU read-side section.
    MEM_RCU = 13, "MEM_RCU";
    /// A non-owning reference (list and rbtree nodes).
    NON_OWN_REF = 14, "NON_OWN_REF";
    /// The dynptr points to an `sk_buff`.
    DYNPTR_SKB = 15, "DYNPTR_TYPE_SKB";
    /// The dynptr points to an `xdp_buff`.
    DYNPTR_XDP = 16, "DYNPTR_TYPE_XDP";
    /// The memory must be aligned to its (fixed) size.
    MEM_ALIGNED = 17, "MEM_ALIGNED";
    /// The helper writes the memory (with `MEM_UNINIT`: only writes it).
    MEM_WRITE = 18, "MEM_WRITE";
    /// The dynptr points to the skb metadata area.
    DYNPTR_SKB_META = 19, "DYNPTR_TYPE_SKB_META";
    /// The dynptr points to a file.
    DYNPTR_FILE = 20, "DYNPTR_TYPE_FILE";
}

impl TypeFlags {
    /// No flag.
    pub const NONE: TypeFlags = TypeFlags(0);

    /// The raw bits (already shifted past the base bits).
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Both sets of flags.
    pub const fn union(self, other: TypeFlags) -> TypeFlags {
        TypeFlags(self.0 | other.0)
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: TypeFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for TypeFlags {
    type Output = TypeFlags;
    fn bitor(self, rhs: TypeFlags) -> TypeFlags {
        self.union(rhs)
    }
}

impl fmt::Debug for TypeFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("0");
        }
        let mut first = true;
        for (flag, name) in TypeFlags::NAMED {
            if self.contains(*flag) {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// What an argument register must hold, without modifiers (`enum bpf_arg_type`, in kernel order,
/// so `as u32` is the kernel value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ArgBase {
    /// `ARG_DONTCARE`: unused argument.
    DontCare = 0,
    /// `ARG_CONST_MAP_PTR`: a map loaded with `ld_imm64` (known at verification time).
    ConstMapPtr,
    /// `ARG_PTR_TO_MAP_KEY`: memory of the map's key size (stack, packet, map key or value).
    PtrToMapKey,
    /// `ARG_PTR_TO_MAP_VALUE`: memory of the map's value size.
    PtrToMapValue,
    /// `ARG_PTR_TO_MEM`: memory whose size is the next argument (or fixed, with `MEM_FIXED_SIZE`).
    PtrToMem,
    /// `ARG_PTR_TO_ARENA`: a pointer into a BPF arena.
    PtrToArena,
    /// `ARG_CONST_SIZE` (6.19+: `ARG_MEM_SIZE`): the size of the previous memory argument, > 0.
    ConstSize,
    /// `ARG_CONST_SIZE_OR_ZERO`: the size of the previous memory argument, may be 0.
    ConstSizeOrZero,
    /// `ARG_PTR_TO_CTX`: the program's context pointer, unmodified.
    PtrToCtx,
    /// `ARG_ANYTHING`: any initialised value.
    Anything,
    /// `ARG_PTR_TO_SPIN_LOCK`: a `struct bpf_spin_lock` inside a map value or allocated object.
    PtrToSpinLock,
    /// `ARG_PTR_TO_SOCK_COMMON`: a `sock_common` (any socket pointer the verifier tracks).
    PtrToSockCommon,
    /// `ARG_PTR_TO_SOCKET`: a full socket (`struct bpf_sock`).
    PtrToSocket,
    /// `ARG_PTR_TO_BTF_ID`: a pointer to a kernel struct named by BTF.
    PtrToBtfId,
    /// `ARG_PTR_TO_RINGBUF_MEM`: a record returned by `bpf_ringbuf_reserve`.
    PtrToRingbufMem,
    /// `ARG_CONST_ALLOC_SIZE_OR_ZERO`: a known constant size to allocate.
    ConstAllocSizeOrZero,
    /// `ARG_PTR_TO_BTF_ID_SOCK_COMMON`: a socket as a BTF pointer or as a `bpf_sock`.
    PtrToBtfIdSockCommon,
    /// `ARG_PTR_TO_PERCPU_BTF_ID`: a per-CPU kernel variable.
    PtrToPercpuBtfId,
    /// `ARG_PTR_TO_FUNC`: a BPF subprogram (callback), loaded with `ld_imm64` (pseudo func).
    PtrToFunc,
    /// `ARG_PTR_TO_STACK`: a pointer into the program stack.
    PtrToStack,
    /// `ARG_PTR_TO_CONST_STR`: a NUL-terminated string in a read-only (frozen) map value.
    PtrToConstStr,
    /// `ARG_PTR_TO_TIMER`: a `struct bpf_timer` inside a map value.
    PtrToTimer,
    /// `ARG_KPTR_XCHG_DEST`: a kptr field (map value or allocated object) to exchange into.
    KptrXchgDest,
    /// `ARG_PTR_TO_DYNPTR`: a `struct bpf_dynptr` on the stack (flags give its kind).
    PtrToDynptr,
}

impl ArgBase {
    /// Whether the argument is a pointer the verifier tracks.
    pub const fn is_pointer(self) -> bool {
        !matches!(
            self,
            ArgBase::DontCare
                | ArgBase::ConstSize
                | ArgBase::ConstSizeOrZero
                | ArgBase::Anything
                | ArgBase::ConstAllocSizeOrZero
        )
    }

    /// Whether the argument is a size that belongs to the preceding memory argument.
    pub const fn is_size(self) -> bool {
        matches!(self, ArgBase::ConstSize | ArgBase::ConstSizeOrZero)
    }

    /// How the kernel verifier lists the register types it accepts for this base in
    /// `R1 type=scalar expected=...` (`compatible_reg_types`, `reg_type_str`).
    pub const fn expected_reg_types(self) -> &'static str {
        match self {
            ArgBase::ConstMapPtr => "map_ptr",
            ArgBase::PtrToMapKey | ArgBase::PtrToMapValue => "fp, pkt, pkt_meta, map_key, map_value",
            ArgBase::PtrToMem => "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
            ArgBase::PtrToCtx => "ctx",
            ArgBase::PtrToSpinLock | ArgBase::KptrXchgDest => "map_value, ptr_",
            ArgBase::PtrToSockCommon => "sock_common, sock, tcp_sock, xdp_sock",
            ArgBase::PtrToSocket => "sock",
            ArgBase::PtrToBtfId => "ptr_, trusted_ptr_, rcu_ptr_",
            ArgBase::PtrToBtfIdSockCommon => "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_",
            ArgBase::PtrToRingbufMem => "ringbuf_mem",
            ArgBase::PtrToPercpuBtfId => "percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_",
            ArgBase::PtrToFunc => "func",
            ArgBase::PtrToStack => "fp",
            ArgBase::PtrToConstStr | ArgBase::PtrToTimer => "map_value",
            ArgBase::PtrToDynptr => "fp, dynptr_ptr",
            ArgBase::PtrToArena => "arena",
            ArgBase::DontCare
            | ArgBase::ConstSize
            | ArgBase::ConstSizeOrZero
            | ArgBase::Anything
            | ArgBase::ConstAllocSizeOrZero => "scalar",
        }
    }
}

/// An argument kind: base plus modifier flags, as one `argN_type` of a `bpf_func_proto`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArgType {
    /// The base kind.
    pub base: ArgBase,
    /// Modifiers.
    pub flags: TypeFlags,
}

impl ArgType {
    /// A base kind without modifiers.
    pub const fn new(base: ArgBase) -> ArgType {
        ArgType { base, flags: TypeFlags::NONE }
    }

    /// The same kind with more modifiers.
    pub const fn with(self, flags: TypeFlags) -> ArgType {
        ArgType { base: self.base, flags: self.flags.union(flags) }
    }

    /// The kernel's numeric encoding (`base | flags`).
    pub const fn raw(self) -> u32 {
        self.base as u32 | self.flags.bits()
    }

    /// Whether NULL (a scalar zero) is accepted.
    pub const fn may_be_null(self) -> bool {
        self.flags.contains(TypeFlags::MAYBE_NULL)
    }

    /// Whether a register holding the scalar 0 passes the kernel's type check for this kind:
    /// non-pointers and nullable pointers do, every other pointer is refused with
    /// `R<n> type=scalar expected=...`.
    pub const fn accepts_scalar_zero(self) -> bool {
        !self.base.is_pointer() || self.may_be_null()
    }
}

impl fmt::Debug for ArgType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flags.is_empty() { write!(f, "{:?}", self.base) } else { write!(f, "{:?}({:?})", self.base, self.flags) }
    }
}

/// What a helper returns, without modifiers (`enum bpf_return_type`, kernel order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum RetBase {
    /// `RET_INTEGER`: a scalar.
    Integer = 0,
    /// `RET_VOID`: nothing (`r0` is not readable afterwards).
    Void,
    /// `RET_PTR_TO_MAP_VALUE`: a map value of the map passed as argument.
    PtrToMapValue,
    /// `RET_PTR_TO_SOCKET`: a referenced `struct bpf_sock`.
    PtrToSocket,
    /// `RET_PTR_TO_TCP_SOCK`: a `struct bpf_tcp_sock`.
    PtrToTcpSock,
    /// `RET_PTR_TO_SOCK_COMMON`: a referenced `struct bpf_sock` (sock_common part only).
    PtrToSockCommon,
    /// `RET_PTR_TO_MEM`: memory of a size known from an argument (ring buffer, dynptr slice).
    PtrToMem,
    /// `RET_PTR_TO_MEM_OR_BTF_ID`: memory (per-CPU scalar variable) or a BTF pointer.
    PtrToMemOrBtfId,
    /// `RET_PTR_TO_BTF_ID`: a pointer to a kernel struct named by BTF.
    PtrToBtfId,
}

/// A return kind: base plus modifier flags (`ret_type` of a `bpf_func_proto`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetType {
    /// The base kind.
    pub base: RetBase,
    /// Modifiers.
    pub flags: TypeFlags,
}

impl RetType {
    /// `RET_INTEGER`.
    pub const INTEGER: RetType = RetType::new(RetBase::Integer);
    /// `RET_VOID`.
    pub const VOID: RetType = RetType::new(RetBase::Void);
    /// `RET_PTR_TO_MAP_VALUE`.
    pub const PTR_TO_MAP_VALUE: RetType = RetType::new(RetBase::PtrToMapValue);
    /// `RET_PTR_TO_MAP_VALUE_OR_NULL`.
    pub const PTR_TO_MAP_VALUE_OR_NULL: RetType = RetType::new(RetBase::PtrToMapValue).with(TypeFlags::MAYBE_NULL);
    /// `RET_PTR_TO_SOCKET_OR_NULL`.
    pub const PTR_TO_SOCKET_OR_NULL: RetType = RetType::new(RetBase::PtrToSocket).with(TypeFlags::MAYBE_NULL);
    /// `RET_PTR_TO_TCP_SOCK_OR_NULL`.
    pub const PTR_TO_TCP_SOCK_OR_NULL: RetType = RetType::new(RetBase::PtrToTcpSock).with(TypeFlags::MAYBE_NULL);
    /// `RET_PTR_TO_SOCK_COMMON_OR_NULL`.
    pub const PTR_TO_SOCK_COMMON_OR_NULL: RetType =
        RetType::new(RetBase::PtrToSockCommon).with(TypeFlags::MAYBE_NULL);
    /// `RET_PTR_TO_RINGBUF_MEM_OR_NULL`.
    pub const PTR_TO_RINGBUF_MEM_OR_NULL: RetType =
        RetType::new(RetBase::PtrToMem).with(TypeFlags::MAYBE_NULL.union(TypeFlags::MEM_RINGBUF));
    /// `RET_PTR_TO_DYNPTR_MEM_OR_NULL`.
    pub const PTR_TO_DYNPTR_MEM_OR_NULL: RetType = RetType::new(RetBase::PtrToMem).with(TypeFlags::MAYBE_NULL);
    /// `RET_PTR_TO_BTF_ID`.
    pub const PTR_TO_BTF_ID: RetType = RetType::new(RetBase::PtrToBtfId);
    /// `RET_PTR_TO_BTF_ID_OR_NULL`.
    pub const PTR_TO_BTF_ID_OR_NULL: RetType = RetType::new(RetBase::PtrToBtfId).with(TypeFlags::MAYBE_NULL);
    /// `RET_PTR_TO_BTF_ID_TRUSTED`.
    pub const PTR_TO_BTF_ID_TRUSTED: RetType = RetType::new(RetBase::PtrToBtfId).with(TypeFlags::PTR_TRUSTED);
    /// `RET_PTR_TO_MEM_OR_BTF_ID`.
    pub const PTR_TO_MEM_OR_BTF_ID: RetType = RetType::new(RetBase::PtrToMemOrBtfId);

    /// A base kind without modifiers.
    pub const fn new(base: RetBase) -> RetType {
        RetType { base, flags: TypeFlags::NONE }
    }

    /// The same kind with more modifiers.
    pub const fn with(self, flags: TypeFlags) -> RetType {
        RetType { base: self.base, flags: self.flags.union(flags) }
    }

    /// The kernel's numeric encoding (`base | flags`).
    pub const fn raw(self) -> u32 {
        self.base as u32 | self.flags.bits()
    }

    /// Whether the result must be NULL-checked before use.
    pub const fn may_be_null(self) -> bool {
        self.flags.contains(TypeFlags::MAYBE_NULL)
    }
}

impl fmt::Debug for RetType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flags.is_empty() { write!(f, "{:?}", self.base) } else { write!(f, "{:?}({:?})", self.base, self.flags) }
    }
}

/// The kernel struct a BTF-typed argument or result points to (`argN_btf_id`, `ret_btf_id`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BtfRef {
    /// A named kernel struct (`struct task_struct` is `Struct("task_struct")`).
    Struct(&'static str),
    /// `BPF_PTR_POISON`: the type comes from the call site (the map value's field, the kptr).
    FromCallSite,
}

/// One argument of a prototype: the kind and, where the kernel gives them, the BTF struct of
/// a `PTR_TO_BTF_ID` argument and the fixed size of a `MEM_FIXED_SIZE` argument.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Arg {
    /// The kind.
    pub ty: ArgType,
    /// `argN_btf_id`.
    pub btf: Option<BtfRef>,
    /// `argN_size` (bytes) for `MEM_FIXED_SIZE` memory; 0 otherwise.
    pub size: u32,
}

macro_rules! arg_consts {
    ($($(#[$doc:meta])* $name:ident = $base:ident $(| $flag:ident)*;)*) => {
        impl Arg {
            $($(#[$doc])* pub const $name: Arg = Arg::new(ArgType { base: ArgBase::$base, flags: TypeFlags(0 $(| TypeFlags::$flag.0)*) });)*
        }
    };
}

arg_consts! {
    /// `ARG_DONTCARE`.
    DONTCARE = DontCare;
    /// `ARG_CONST_MAP_PTR`.
    CONST_MAP_PTR = ConstMapPtr;
    /// `ARG_PTR_TO_MAP_KEY`.
    PTR_TO_MAP_KEY = PtrToMapKey;
    /// `ARG_PTR_TO_MAP_VALUE`.
    PTR_TO_MAP_VALUE = PtrToMapValue;
    /// `ARG_PTR_TO_MAP_VALUE_OR_NULL`.
    PTR_TO_MAP_VALUE_OR_NULL = PtrToMapValue | MAYBE_NULL;
    /// `ARG_PTR_TO_MEM` (read and write).
    PTR_TO_MEM = PtrToMem;
    /// `ARG_PTR_TO_MEM | MEM_RDONLY`.
    PTR_TO_RDONLY_MEM = PtrToMem | MEM_RDONLY;
    /// `ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY`.
    PTR_TO_RDONLY_MEM_OR_NULL = PtrToMem | MAYBE_NULL | MEM_RDONLY;
    /// `ARG_PTR_TO_MEM | MEM_WRITE`: memory the helper reads and writes.
    PTR_TO_WRITE_MEM = PtrToMem | MEM_WRITE;
    /// `ARG_PTR_TO_MEM_OR_NULL`.
    PTR_TO_MEM_OR_NULL = PtrToMem | MAYBE_NULL;
    /// `ARG_PTR_TO_UNINIT_MEM` (`ARG_PTR_TO_MEM | MEM_UNINIT | MEM_WRITE`).
    PTR_TO_UNINIT_MEM = PtrToMem | MEM_UNINIT | MEM_WRITE;
    /// `ARG_PTR_TO_FIXED_SIZE_MEM` (`ARG_PTR_TO_MEM | MEM_FIXED_SIZE`), size set with [`Arg::size`].
    PTR_TO_FIXED_SIZE_MEM = PtrToMem | MEM_FIXED_SIZE;
    /// `ARG_CONST_SIZE`.
    CONST_SIZE = ConstSize;
    /// `ARG_CONST_SIZE_OR_ZERO`.
    CONST_SIZE_OR_ZERO = ConstSizeOrZero;
    /// `ARG_PTR_TO_CTX`.
    PTR_TO_CTX = PtrToCtx;
    /// `ARG_PTR_TO_CTX_OR_NULL`.
    PTR_TO_CTX_OR_NULL = PtrToCtx | MAYBE_NULL;
    /// `ARG_ANYTHING`.
    ANYTHING = Anything;
    /// `ARG_PTR_TO_SPIN_LOCK`.
    PTR_TO_SPIN_LOCK = PtrToSpinLock;
    /// `ARG_PTR_TO_SOCK_COMMON`.
    PTR_TO_SOCK_COMMON = PtrToSockCommon;
    /// `ARG_PTR_TO_SOCKET`.
    PTR_TO_SOCKET = PtrToSocket;
    /// `ARG_PTR_TO_SOCKET_OR_NULL`.
    PTR_TO_SOCKET_OR_NULL = PtrToSocket | MAYBE_NULL;
    /// `ARG_PTR_TO_BTF_ID` (set the struct with [`Arg::btf`]).
    PTR_TO_BTF_ID = PtrToBtfId;
    /// `ARG_PTR_TO_BTF_ID_OR_NULL`.
    PTR_TO_BTF_ID_OR_NULL = PtrToBtfId | MAYBE_NULL;
    /// `ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE`.
    RELEASE_RINGBUF_MEM = PtrToRingbufMem | OBJ_RELEASE;
    /// `ARG_CONST_ALLOC_SIZE_OR_ZERO`.
    CONST_ALLOC_SIZE_OR_ZERO = ConstAllocSizeOrZero;
    /// `ARG_PTR_TO_BTF_ID_SOCK_COMMON`.
    PTR_TO_BTF_ID_SOCK_COMMON = PtrToBtfIdSockCommon;
    /// `ARG_PTR_TO_PERCPU_BTF_ID`.
    PTR_TO_PERCPU_BTF_ID = PtrToPercpuBtfId;
    /// `ARG_PTR_TO_FUNC`.
    PTR_TO_FUNC = PtrToFunc;
    /// `ARG_PTR_TO_STACK_OR_NULL`.
    PTR_TO_STACK_OR_NULL = PtrToStack | MAYBE_NULL;
    /// `ARG_PTR_TO_CONST_STR`.
    PTR_TO_CONST_STR = PtrToConstStr;
    /// `ARG_PTR_TO_TIMER`.
    PTR_TO_TIMER = PtrToTimer;
    /// `ARG_KPTR_XCHG_DEST`.
    KPTR_XCHG_DEST = KptrXchgDest;
    /// `ARG_PTR_TO_DYNPTR` (flags say which kind).
    PTR_TO_DYNPTR = PtrToDynptr;
}

impl Arg {
    /// An argument of kind `ty` with no BTF struct and no fixed size.
    pub const fn new(ty: ArgType) -> Arg {
        Arg { ty, btf: None, size: 0 }
    }

    /// The same argument with more modifier flags.
    pub const fn with(self, flags: TypeFlags) -> Arg {
        Arg { ty: self.ty.with(flags), ..self }
    }

    /// The same argument pointing to kernel struct `name` (`argN_btf_id`).
    pub const fn btf(self, name: &'static str) -> Arg {
        Arg { btf: Some(BtfRef::Struct(name)), ..self }
    }

    /// The same argument with its BTF type taken from the call site (`BPF_PTR_POISON`).
    pub const fn btf_from_call_site(self) -> Arg {
        Arg { btf: Some(BtfRef::FromCallSite), ..self }
    }

    /// The same argument with a fixed memory size in bytes (`argN_size`).
    pub const fn size(self, size: u32) -> Arg {
        Arg { size, ..self }
    }
}

impl fmt::Debug for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.ty)?;
        if let Some(btf) = self.btf {
            write!(f, "<{btf:?}>")?;
        }
        if self.size != 0 {
            write!(f, "[{}]", self.size)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_encodings() {
        // Values as the kernel computes them (BPF_BASE_TYPE_BITS = 8).
        assert_eq!(Arg::PTR_TO_UNINIT_MEM.ty.raw(), 4 | (1 << 15) | (1 << 26));
        assert_eq!(RetType::PTR_TO_MAP_VALUE_OR_NULL.raw(), 2 | (1 << 8));
        assert_eq!(RetType::PTR_TO_RINGBUF_MEM_OR_NULL.raw(), 6 | (1 << 8) | (1 << 10));
        assert_eq!(ArgBase::PtrToDynptr as u32, 23);
        assert_eq!(format!("{:?}", Arg::PTR_TO_RDONLY_MEM_OR_NULL.ty), "PtrToMem(PTR_MAYBE_NULL | MEM_RDONLY)");
    }

    #[test]
    fn scalar_zero() {
        assert!(Arg::ANYTHING.ty.accepts_scalar_zero());
        assert!(Arg::PTR_TO_MEM_OR_NULL.ty.accepts_scalar_zero());
        assert!(!Arg::PTR_TO_CTX.ty.accepts_scalar_zero());
    }
}
