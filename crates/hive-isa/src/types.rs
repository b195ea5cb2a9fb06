//! Small value types shared by every instruction form.

use std::fmt;

/// A BPF register, `r0` to `r10` (`r10` is the read-only frame pointer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(u8);

impl Reg {
    /// Return value and exit code.
    pub const R0: Reg = Reg(0);
    /// First argument; the context on entry.
    pub const R1: Reg = Reg(1);
    /// Second argument.
    pub const R2: Reg = Reg(2);
    /// Third argument.
    pub const R3: Reg = Reg(3);
    /// Fourth argument.
    pub const R4: Reg = Reg(4);
    /// Fifth argument.
    pub const R5: Reg = Reg(5);
    /// Callee-saved.
    pub const R6: Reg = Reg(6);
    /// Callee-saved.
    pub const R7: Reg = Reg(7);
    /// Callee-saved.
    pub const R8: Reg = Reg(8);
    /// Callee-saved.
    pub const R9: Reg = Reg(9);
    /// Frame pointer (read-only).
    pub const R10: Reg = Reg(10);
    /// The frame pointer.
    pub const FP: Reg = Reg(10);
    /// Number of registers.
    pub const COUNT: usize = 11;

    /// `Some` for 0..=10.
    pub const fn new(n: u8) -> Option<Reg> {
        if n <= 10 { Some(Reg(n)) } else { None }
    }

    /// The register number.
    pub const fn num(self) -> u8 {
        self.0
    }

    /// The register number as an index into a register file.
    pub const fn idx(self) -> usize {
        self.0 as usize
    }

    /// Every register, `r0` first.
    pub fn all() -> impl Iterator<Item = Reg> {
        (0..=10).map(Reg)
    }
}

impl fmt::Display for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

/// Operand width of an ALU or jump operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    /// 32-bit sub-registers (`BPF_ALU`, `BPF_JMP32`); ALU results are zero-extended.
    W32,
    /// Full 64-bit registers (`BPF_ALU64`, `BPF_JMP`).
    W64,
}

/// Size of a memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Size {
    /// 1 byte (`BPF_B`).
    B,
    /// 2 bytes (`BPF_H`).
    H,
    /// 4 bytes (`BPF_W`).
    W,
    /// 8 bytes (`BPF_DW`).
    DW,
}

impl Size {
    /// Every size, smallest first.
    pub const ALL: [Size; 4] = [Size::B, Size::H, Size::W, Size::DW];

    /// Bytes accessed.
    pub const fn bytes(self) -> usize {
        match self {
            Size::B => 1,
            Size::H => 2,
            Size::W => 4,
            Size::DW => 8,
        }
    }

    /// Bits accessed.
    pub const fn bits(self) -> u32 {
        self.bytes() as u32 * 8
    }

    /// The opcode's size bits (`BPF_SIZE`).
    pub const fn code(self) -> u8 {
        match self {
            Size::W => 0x00,
            Size::H => 0x08,
            Size::B => 0x10,
            Size::DW => 0x18,
        }
    }

    /// The C type the kernel syntax names it by: `u8`, `u16`, `u32`, `u64`.
    pub const fn c_type(self) -> &'static str {
        match self {
            Size::B => "u8",
            Size::H => "u16",
            Size::W => "u32",
            Size::DW => "u64",
        }
    }

    /// The suffix uBPF mnemonics use: `b`, `h`, `w`, `dw`.
    pub const fn suffix(self) -> &'static str {
        match self {
            Size::B => "b",
            Size::H => "h",
            Size::W => "w",
            Size::DW => "dw",
        }
    }
}

/// Second operand of an ALU or conditional jump: a register or the immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// `BPF_X`: the source register.
    Reg(Reg),
    /// `BPF_K`: the 32-bit immediate, sign-extended to 64 bits for 64-bit operations.
    Imm(i32),
}

/// ALU operations (`BPF_OP` of the ALU classes, with the `off`-selected v4 variants split out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AluOp {
    /// `+=`
    Add,
    /// `-=`
    Sub,
    /// `*=`
    Mul,
    /// Unsigned `/=`; division by zero gives 0.
    Div,
    /// Signed `s/=` (v4, `off = 1`); by zero gives 0, `MIN / -1` gives `MIN`.
    SDiv,
    /// `|=`
    Or,
    /// `&=`
    And,
    /// `<<=`; the shift amount is masked to the width.
    Lsh,
    /// Logical `>>=`.
    Rsh,
    /// Unsigned `%=`; modulo by zero leaves the dividend.
    Mod,
    /// Signed `s%=` (v4, `off = 1`); by zero leaves the dividend, `% -1` gives 0.
    SMod,
    /// `^=`
    Xor,
    /// `=`
    Mov,
    /// `= (s8)` (v4, `off = 8`, register source only).
    MovSx8,
    /// `= (s16)` (v4, `off = 16`, register source only).
    MovSx16,
    /// `= (s32)` (v4, `off = 32`, 64-bit only, register source only).
    MovSx32,
    /// Arithmetic `s>>=`.
    Arsh,
}

impl AluOp {
    /// Every operation.
    pub const ALL: [AluOp; 17] = [
        AluOp::Add,
        AluOp::Sub,
        AluOp::Mul,
        AluOp::Div,
        AluOp::SDiv,
        AluOp::Or,
        AluOp::And,
        AluOp::Lsh,
        AluOp::Rsh,
        AluOp::Mod,
        AluOp::SMod,
        AluOp::Xor,
        AluOp::Mov,
        AluOp::MovSx8,
        AluOp::MovSx16,
        AluOp::MovSx32,
        AluOp::Arsh,
    ];
}

/// Byte-order operations (`BPF_END`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndianOp {
    /// `BPF_ALU | BPF_END | BPF_TO_LE`: convert to little endian (a truncation on x86).
    ToLe,
    /// `BPF_ALU | BPF_END | BPF_TO_BE`: convert to big endian.
    ToBe,
    /// `BPF_ALU64 | BPF_END` (v4): unconditional byte swap.
    Swap,
}

/// Conditions of conditional jumps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cond {
    /// `==`
    Eq,
    /// unsigned `>`
    Gt,
    /// unsigned `>=`
    Ge,
    /// `&` (jump if any common bit)
    Set,
    /// `!=`
    Ne,
    /// signed `>`
    Sgt,
    /// signed `>=`
    Sge,
    /// unsigned `<` (v2)
    Lt,
    /// unsigned `<=` (v2)
    Le,
    /// signed `<` (v2)
    Slt,
    /// signed `<=` (v2)
    Sle,
}

impl Cond {
    /// Every condition.
    pub const ALL: [Cond; 11] = [
        Cond::Eq,
        Cond::Gt,
        Cond::Ge,
        Cond::Set,
        Cond::Ne,
        Cond::Sgt,
        Cond::Sge,
        Cond::Lt,
        Cond::Le,
        Cond::Slt,
        Cond::Sle,
    ];

    /// Evaluates the condition on two register values; 32-bit jumps compare the low halves.
    pub fn holds(self, a: u64, b: u64, width: Width) -> bool {
        // Widen both operands so that one set of comparisons serves both widths.
        let (ua, ub, sa, sb) = match width {
            Width::W64 => (a, b, a as i64, b as i64),
            Width::W32 => (a as u32 as u64, b as u32 as u64, a as i32 as i64, b as i32 as i64),
        };
        match self {
            Cond::Eq => ua == ub,
            Cond::Gt => ua > ub,
            Cond::Ge => ua >= ub,
            Cond::Set => ua & ub != 0,
            Cond::Ne => ua != ub,
            Cond::Sgt => sa > sb,
            Cond::Sge => sa >= sb,
            Cond::Lt => ua < ub,
            Cond::Le => ua <= ub,
            Cond::Slt => sa < sb,
            Cond::Sle => sa <= sb,
        }
    }
}

/// Atomic read-modify-write operations (`BPF_ATOMIC`, selected by `imm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    /// `lock *(ptr) += src`; with `fetch`, `src` receives the old value.
    Add {
        /// `BPF_FETCH`: write the old value back into `src`.
        fetch: bool,
    },
    /// `lock *(ptr) |= src`.
    Or {
        /// `BPF_FETCH`.
        fetch: bool,
    },
    /// `lock *(ptr) &= src`.
    And {
        /// `BPF_FETCH`.
        fetch: bool,
    },
    /// `lock *(ptr) ^= src`.
    Xor {
        /// `BPF_FETCH`.
        fetch: bool,
    },
    /// `src = xchg(ptr, src)`.
    Xchg,
    /// `r0 = cmpxchg(ptr, r0, src)`.
    Cmpxchg,
    /// `dst = load_acquire(ptr)` (`BPF_LOAD_ACQ`, 0x100): the register form sits in `src`'s place.
    LoadAcquire,
    /// `store_release(ptr, src)` (`BPF_STORE_REL`, 0x110).
    StoreRelease,
}

impl AtomicOp {
    /// Every operation.
    pub const ALL: [AtomicOp; 12] = [
        AtomicOp::Add { fetch: false },
        AtomicOp::Or { fetch: false },
        AtomicOp::And { fetch: false },
        AtomicOp::Xor { fetch: false },
        AtomicOp::Add { fetch: true },
        AtomicOp::Or { fetch: true },
        AtomicOp::And { fetch: true },
        AtomicOp::Xor { fetch: true },
        AtomicOp::Xchg,
        AtomicOp::Cmpxchg,
        AtomicOp::LoadAcquire,
        AtomicOp::StoreRelease,
    ];

    /// The `imm` that selects this operation.
    pub const fn imm(self) -> i32 {
        const FETCH: i32 = 0x01;
        match self {
            AtomicOp::Add { fetch } => if fetch { FETCH } else { 0 },
            AtomicOp::Or { fetch } => 0x40 | if fetch { FETCH } else { 0 },
            AtomicOp::And { fetch } => 0x50 | if fetch { FETCH } else { 0 },
            AtomicOp::Xor { fetch } => 0xa0 | if fetch { FETCH } else { 0 },
            AtomicOp::Xchg => 0xe0 | FETCH,
            AtomicOp::Cmpxchg => 0xf0 | FETCH,
            AtomicOp::LoadAcquire => 0x100,
            AtomicOp::StoreRelease => 0x110,
        }
    }

    /// Whether the old memory value is written back into a register.
    pub const fn fetches(self) -> bool {
        matches!(
            self,
            AtomicOp::Add { fetch: true }
                | AtomicOp::Or { fetch: true }
                | AtomicOp::And { fetch: true }
                | AtomicOp::Xor { fetch: true }
                | AtomicOp::Xchg
                | AtomicOp::Cmpxchg
        )
    }
}

/// Meaning of an `lddw`'s `src` field (`BPF_PSEUDO_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pseudo {
    /// 0: a plain 64-bit constant.
    None,
    /// 1, `BPF_PSEUDO_MAP_FD`: `imm` is a map file descriptor.
    MapFd,
    /// 2, `BPF_PSEUDO_MAP_VALUE`: `imm` is a map fd, the second `imm` an offset into its value.
    MapValue,
    /// 3, `BPF_PSEUDO_BTF_ID`: `imm` is a BTF type id of a kernel variable.
    BtfId,
    /// 4, `BPF_PSEUDO_FUNC`: `imm` is the relative offset of a subprogram.
    Func,
    /// 5, `BPF_PSEUDO_MAP_IDX`: `imm` indexes the fd array passed at load.
    MapIdx,
    /// 6, `BPF_PSEUDO_MAP_IDX_VALUE`: like `MapValue` through the fd array.
    MapIdxValue,
}

impl Pseudo {
    /// Every kind.
    pub const ALL: [Pseudo; 7] = [
        Pseudo::None,
        Pseudo::MapFd,
        Pseudo::MapValue,
        Pseudo::BtfId,
        Pseudo::Func,
        Pseudo::MapIdx,
        Pseudo::MapIdxValue,
    ];

    /// The `src` field value.
    pub const fn src(self) -> u8 {
        match self {
            Pseudo::None => 0,
            Pseudo::MapFd => 1,
            Pseudo::MapValue => 2,
            Pseudo::BtfId => 3,
            Pseudo::Func => 4,
            Pseudo::MapIdx => 5,
            Pseudo::MapIdxValue => 6,
        }
    }

    /// The kind for a `src` field value.
    pub fn from_src(src: u8) -> Option<Pseudo> {
        Pseudo::ALL.into_iter().find(|p| p.src() == src)
    }
}

/// What a `call` instruction calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallTarget {
    /// `src = 0`: a helper by its static id.
    Helper(i32),
    /// `src = 1` (`BPF_PSEUDO_CALL`): a subprogram at `pc + 1 + imm`.
    Local(i32),
    /// `src = 2` (`BPF_PSEUDO_KFUNC_CALL`): a kernel function by BTF id; `off` selects the
    /// module BTF through the fd array (0 = vmlinux).
    Kfunc {
        /// BTF id of the function.
        btf_id: i32,
        /// Index into the fd array of module BTFs.
        off: i16,
    },
}

/// Legacy packet-access mode (`BPF_LD | BPF_ABS/BPF_IND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PacketMode {
    /// Absolute offset `imm`.
    Abs,
    /// Offset `src + imm`.
    Ind,
}
