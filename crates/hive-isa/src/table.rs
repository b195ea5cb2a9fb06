//! The opcode table: every valid instruction form, declared once.
//!
//! A [`Form`] row names the opcode byte, the field value that further selects the operation
//! when the opcode byte alone does not (`off` for signed division and sign-extending moves,
//! `imm` for atomics and byte swaps, `src` for pseudo loads and calls), the role of each of the
//! four fields, the uBPF mnemonic, the CPU version that introduced it and its RFC 9669
//! conformance group. Decoding, encoding, both assembler syntaxes and validity checks all read
//! these rows; nothing else in the workspace knows opcode bits.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::types::*;

/// Instruction classes (`BPF_CLASS`).
pub mod class {
    /// `BPF_LD`
    pub const LD: u8 = 0x00;
    /// `BPF_LDX`
    pub const LDX: u8 = 0x01;
    /// `BPF_ST`
    pub const ST: u8 = 0x02;
    /// `BPF_STX`
    pub const STX: u8 = 0x03;
    /// `BPF_ALU`
    pub const ALU: u8 = 0x04;
    /// `BPF_JMP`
    pub const JMP: u8 = 0x05;
    /// `BPF_JMP32`
    pub const JMP32: u8 = 0x06;
    /// `BPF_ALU64`
    pub const ALU64: u8 = 0x07;
}

/// Register operand or immediate, as a property of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// `BPF_X`
    Reg,
    /// `BPF_K`
    Imm,
}

/// The identity of an instruction form: an [`crate::Insn`] without its operands.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Alu { width: Width, op: AluOp, source: SourceKind },
    Neg { width: Width },
    Endian { op: EndianOp, bits: u32 },
    LdImm64 { pseudo: Pseudo },
    Load { size: Size, signed: bool },
    Store { size: Size, source: SourceKind },
    Atomic { size: Size, op: AtomicOp },
    LoadPacket { mode: PacketMode, size: Size },
    Ja { long: bool },
    Jump { width: Width, cond: Cond, source: SourceKind },
    CallHelper,
    CallLocal,
    CallKfunc,
    CallX,
    Exit,
    MayGoto,
}

/// Which field, beyond the opcode byte, selects the form, and the value it must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Select {
    /// The opcode byte alone decides.
    None,
    /// `off` must hold this value.
    Off(i16),
    /// `imm` must hold this value.
    Imm(i32),
    /// `src` must hold this value.
    Src(u8),
}

/// Role of one instruction field in a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// Reserved: must be zero.
    Zero,
    /// A register number (0..=10).
    Reg,
    /// A free operand value (offset or immediate).
    Value,
    /// Holds the form's selector value.
    Selector,
}

/// The roles of the four fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fields {
    /// `dst` field.
    pub dst: Field,
    /// `src` field.
    pub src: Field,
    /// `off` field.
    pub off: Field,
    /// `imm` field.
    pub imm: Field,
}

/// ISA versions as LLVM's `-mcpu=v1..v4` and RFC 9669 use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CpuVersion {
    /// The original eBPF instruction set.
    V1,
    /// Adds `jlt`, `jle`, `jslt`, `jsle`.
    V2,
    /// Adds `BPF_JMP32` and the fetching atomics.
    V3,
    /// Adds signed division, sign-extending moves and loads, `bswap`, `gotol`.
    V4,
}

/// RFC 9669 conformance groups (section 2.4), plus the kernel's own extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    /// 32-bit ALU and jump instructions.
    Base32,
    /// 64-bit ALU, jumps, memory, calls, `lddw`.
    Base64,
    /// 32-bit atomics.
    Atomic32,
    /// 64-bit atomics.
    Atomic64,
    /// 32-bit multiply, divide, modulo.
    DivMul32,
    /// 64-bit multiply, divide, modulo.
    DivMul64,
    /// Legacy packet access.
    Packet,
    /// `callx`.
    CallX,
    /// Linux-only instructions outside RFC 9669: `may_goto`, load-acquire, store-release.
    Linux,
}

/// One row of the opcode table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Form {
    /// The opcode byte.
    pub code: u8,
    /// Further selection.
    pub select: Select,
    /// What the form is.
    pub kind: Kind,
    /// Field roles.
    pub fields: Fields,
    /// uBPF assembler mnemonic (operands follow the conventions of `.data` files).
    pub mnemonic: &'static str,
    /// ISA version that introduced the form.
    pub version: CpuVersion,
    /// Conformance group.
    pub group: Group,
}

const fn fields(dst: Field, src: Field, off: Field, imm: Field) -> Fields {
    Fields { dst, src, off, imm }
}

use Field::{Reg as R, Selector as S, Value as V, Zero as Z};

fn alu_code(op: AluOp) -> u8 {
    match op {
        AluOp::Add => 0x00,
        AluOp::Sub => 0x10,
        AluOp::Mul => 0x20,
        AluOp::Div | AluOp::SDiv => 0x30,
        AluOp::Or => 0x40,
        AluOp::And => 0x50,
        AluOp::Lsh => 0x60,
        AluOp::Rsh => 0x70,
        AluOp::Mod | AluOp::SMod => 0x90,
        AluOp::Xor => 0xa0,
        AluOp::Mov | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => 0xb0,
        AluOp::Arsh => 0xc0,
    }
}

fn alu_off(op: AluOp) -> i16 {
    match op {
        AluOp::SDiv | AluOp::SMod => 1,
        AluOp::MovSx8 => 8,
        AluOp::MovSx16 => 16,
        AluOp::MovSx32 => 32,
        _ => 0,
    }
}

fn alu_name(op: AluOp) -> &'static str {
    match op {
        AluOp::Add => "add",
        AluOp::Sub => "sub",
        AluOp::Mul => "mul",
        AluOp::Div => "div",
        AluOp::SDiv => "sdiv",
        AluOp::Or => "or",
        AluOp::And => "and",
        AluOp::Lsh => "lsh",
        AluOp::Rsh => "rsh",
        AluOp::Mod => "mod",
        AluOp::SMod => "smod",
        AluOp::Xor => "xor",
        AluOp::Mov => "mov",
        AluOp::MovSx8 => "movsx8",
        AluOp::MovSx16 => "movsx16",
        AluOp::MovSx32 => "movsx32",
        AluOp::Arsh => "arsh",
    }
}

fn cond_code(c: Cond) -> u8 {
    match c {
        Cond::Eq => 0x10,
        Cond::Gt => 0x20,
        Cond::Ge => 0x30,
        Cond::Set => 0x40,
        Cond::Ne => 0x50,
        Cond::Sgt => 0x60,
        Cond::Sge => 0x70,
        Cond::Lt => 0xa0,
        Cond::Le => 0xb0,
        Cond::Slt => 0xc0,
        Cond::Sle => 0xd0,
    }
}

fn cond_name(c: Cond) -> &'static str {
    match c {
        Cond::Eq => "jeq",
        Cond::Gt => "jgt",
        Cond::Ge => "jge",
        Cond::Set => "jset",
        Cond::Ne => "jne",
        Cond::Sgt => "jsgt",
        Cond::Sge => "jsge",
        Cond::Lt => "jlt",
        Cond::Le => "jle",
        Cond::Slt => "jslt",
        Cond::Sle => "jsle",
    }
}

fn leak(s: String) -> &'static str {
    // The table is built once per process; its names live as long as it does.
    Box::leak(s.into_boxed_str())
}

fn build() -> Vec<Form> {
    let mut t = Vec::new();
    let mut row = |code, select, kind, fields, mnemonic: &'static str, version, group| {
        t.push(Form { code, select, kind, fields, mnemonic, version, group });
    };

    // ALU and ALU64.
    for width in [Width::W32, Width::W64] {
        let (cls, sfx) = match width {
            Width::W32 => (class::ALU, "32"),
            Width::W64 => (class::ALU64, ""),
        };
        for op in AluOp::ALL {
            if op == AluOp::MovSx32 && width == Width::W32 {
                continue;
            }
            let movsx = matches!(op, AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32);
            let v4 = movsx || matches!(op, AluOp::SDiv | AluOp::SMod);
            let divmul = matches!(op, AluOp::Mul | AluOp::Div | AluOp::SDiv | AluOp::Mod | AluOp::SMod);
            let group = match (divmul, width) {
                (true, Width::W32) => Group::DivMul32,
                (true, Width::W64) => Group::DivMul64,
                (false, Width::W32) => Group::Base32,
                (false, Width::W64) => Group::Base64,
            };
            let version = if v4 { CpuVersion::V4 } else { CpuVersion::V1 };
            // uBPF spells sign-extending moves by source and destination width: movsx832, movsx1664.
            let name = if movsx {
                leak(format!("{}{}", alu_name(op), if width == Width::W32 { "32" } else { "64" }))
            } else {
                leak(format!("{}{}", alu_name(op), sfx))
            };
            let select = Select::Off(alu_off(op));
            if !movsx {
                row(
                    cls | alu_code(op),
                    select,
                    Kind::Alu { width, op, source: SourceKind::Imm },
                    fields(R, Z, S, V),
                    name,
                    version,
                    group,
                );
            }
            row(
                cls | alu_code(op) | 0x08,
                select,
                Kind::Alu { width, op, source: SourceKind::Reg },
                fields(R, R, S, Z),
                name,
                version,
                group,
            );
        }
        let group = if width == Width::W32 { Group::Base32 } else { Group::Base64 };
        row(cls | 0x80, Select::None, Kind::Neg { width }, fields(R, Z, Z, Z), leak(format!("neg{sfx}")), CpuVersion::V1, group);
    }
    for bits in [16u32, 32, 64] {
        let sel = Select::Imm(bits as i32);
        let f = fields(R, Z, Z, S);
        row(class::ALU | 0xd0, sel, Kind::Endian { op: EndianOp::ToLe, bits }, f, leak(format!("le{bits}")), CpuVersion::V1, Group::Base32);
        row(class::ALU | 0xd8, sel, Kind::Endian { op: EndianOp::ToBe, bits }, f, leak(format!("be{bits}")), CpuVersion::V1, Group::Base32);
        row(class::ALU64 | 0xd0, sel, Kind::Endian { op: EndianOp::Swap, bits }, f, leak(format!("bswap{bits}")), CpuVersion::V4, Group::Base64);
    }

    // Loads and stores.
    for pseudo in Pseudo::ALL {
        row(0x18, Select::Src(pseudo.src()), Kind::LdImm64 { pseudo }, fields(R, S, Z, V), "lddw", CpuVersion::V1, Group::Base64);
    }
    for size in Size::ALL {
        let s = size.suffix();
        row(class::LDX | 0x60 | size.code(), Select::None, Kind::Load { size, signed: false }, fields(R, R, V, Z), leak(format!("ldx{s}")), CpuVersion::V1, Group::Base64);
        if size != Size::DW {
            row(class::LDX | 0x80 | size.code(), Select::None, Kind::Load { size, signed: true }, fields(R, R, V, Z), leak(format!("ldxs{s}")), CpuVersion::V4, Group::Base64);
            row(class::LD | 0x20 | size.code(), Select::None, Kind::LoadPacket { mode: PacketMode::Abs, size }, fields(Z, Z, Z, V), leak(format!("ldabs{s}")), CpuVersion::V1, Group::Packet);
            row(class::LD | 0x40 | size.code(), Select::None, Kind::LoadPacket { mode: PacketMode::Ind, size }, fields(Z, R, Z, V), leak(format!("ldind{s}")), CpuVersion::V1, Group::Packet);
        }
        row(class::ST | 0x60 | size.code(), Select::None, Kind::Store { size, source: SourceKind::Imm }, fields(R, Z, V, V), leak(format!("st{s}")), CpuVersion::V1, Group::Base64);
        row(class::STX | 0x60 | size.code(), Select::None, Kind::Store { size, source: SourceKind::Reg }, fields(R, R, V, Z), leak(format!("stx{s}")), CpuVersion::V1, Group::Base64);
        for op in AtomicOp::ALL {
            let acq_rel = matches!(op, AtomicOp::LoadAcquire | AtomicOp::StoreRelease);
            if !acq_rel && !matches!(size, Size::W | Size::DW) {
                continue;
            }
            let base = match op {
                AtomicOp::Add { .. } => "add",
                AtomicOp::Or { .. } => "or",
                AtomicOp::And { .. } => "and",
                AtomicOp::Xor { .. } => "xor",
                AtomicOp::Xchg => "xchg",
                AtomicOp::Cmpxchg => "cmpxchg",
                AtomicOp::LoadAcquire => "load_acquire",
                AtomicOp::StoreRelease => "store_release",
            };
            let fetch = if matches!(op, AtomicOp::Add { fetch: true } | AtomicOp::Or { fetch: true } | AtomicOp::And { fetch: true } | AtomicOp::Xor { fetch: true }) {
                "fetch "
            } else {
                ""
            };
            let name = match (acq_rel, size) {
                (true, _) => leak(format!("{base}{}", s)),
                (false, Size::W) => leak(format!("lock {fetch}{base}32")),
                (false, _) => leak(format!("lock {fetch}{base}")),
            };
            let (version, group) = match (op, size) {
                _ if acq_rel => (CpuVersion::V4, Group::Linux),
                (AtomicOp::Add { fetch: false }, Size::W) => (CpuVersion::V1, Group::Atomic32),
                (AtomicOp::Add { fetch: false }, _) => (CpuVersion::V1, Group::Atomic64),
                (_, Size::W) => (CpuVersion::V3, Group::Atomic32),
                _ => (CpuVersion::V3, Group::Atomic64),
            };
            row(class::STX | 0xc0 | size.code(), Select::Imm(op.imm()), Kind::Atomic { size, op }, fields(R, R, V, S), name, version, group);
        }
    }

    // Jumps and calls.
    row(class::JMP, Select::None, Kind::Ja { long: false }, fields(Z, Z, V, Z), "ja", CpuVersion::V1, Group::Base64);
    row(class::JMP32, Select::None, Kind::Ja { long: true }, fields(Z, Z, Z, V), "ja32", CpuVersion::V4, Group::Base32);
    for width in [Width::W32, Width::W64] {
        let (cls, sfx, group) = match width {
            Width::W32 => (class::JMP32, "32", Group::Base32),
            Width::W64 => (class::JMP, "", Group::Base64),
        };
        for cond in Cond::ALL {
            let version = match (width, cond) {
                (Width::W32, _) => CpuVersion::V3,
                (_, Cond::Lt | Cond::Le | Cond::Slt | Cond::Sle) => CpuVersion::V2,
                _ => CpuVersion::V1,
            };
            let name = leak(format!("{}{sfx}", cond_name(cond)));
            row(cls | cond_code(cond), Select::None, Kind::Jump { width, cond, source: SourceKind::Imm }, fields(R, Z, V, V), name, version, group);
            row(cls | cond_code(cond) | 0x08, Select::None, Kind::Jump { width, cond, source: SourceKind::Reg }, fields(R, R, V, Z), name, version, group);
        }
    }
    row(class::JMP | 0x80, Select::Src(0), Kind::CallHelper, fields(Z, S, Z, V), "call", CpuVersion::V1, Group::Base64);
    row(class::JMP | 0x80, Select::Src(1), Kind::CallLocal, fields(Z, S, Z, V), "call local", CpuVersion::V1, Group::Base64);
    row(class::JMP | 0x80, Select::Src(2), Kind::CallKfunc, fields(Z, S, V, V), "call kfunc", CpuVersion::V1, Group::Base64);
    row(class::JMP | 0x88, Select::None, Kind::CallX, fields(R, Z, Z, Z), "callx", CpuVersion::V1, Group::CallX);
    row(class::JMP | 0x90, Select::None, Kind::Exit, fields(Z, Z, Z, Z), "exit", CpuVersion::V1, Group::Base64);
    row(class::JMP | 0xe0, Select::Src(0), Kind::MayGoto, fields(Z, S, V, Z), "may_goto", CpuVersion::V1, Group::Linux);
    t
}

struct Table {
    forms: Vec<Form>,
    by_code: Vec<Vec<u16>>,
    by_kind: HashMap<Kind, u16>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let forms = build();
        let mut by_code = vec![Vec::new(); 256];
        let mut by_kind = HashMap::new();
        for (i, f) in forms.iter().enumerate() {
            by_code[f.code as usize].push(i as u16);
            let dup = by_kind.insert(f.kind, i as u16);
            debug_assert!(dup.is_none(), "kind {:?} listed twice", f.kind);
        }
        Table { forms, by_code, by_kind }
    })
}

/// Every form of the instruction set.
pub fn forms() -> &'static [Form] {
    &table().forms
}

/// The forms sharing one opcode byte (empty for an unknown opcode).
pub fn forms_for_code(code: u8) -> impl Iterator<Item = &'static Form> {
    let t = table();
    t.by_code[code as usize].iter().map(move |&i| &t.forms[i as usize])
}

/// The form of a kind (every kind that [`crate::Insn::kind`] can return has one).
pub fn form_of(kind: Kind) -> Option<&'static Form> {
    let t = table();
    t.by_kind.get(&kind).map(|&i| &t.forms[i as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_selectors_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for f in forms() {
            assert!(seen.insert((f.code, f.select)), "duplicate row {:02x} {:?}", f.code, f.select);
            assert!(form_of(f.kind).is_some());
        }
        assert_eq!(forms().len(), table().by_kind.len());
    }

    #[test]
    fn selector_field_matches_select() {
        for f in forms() {
            let n = [f.fields.src, f.fields.off, f.fields.imm].iter().filter(|x| **x == Field::Selector).count();
            assert_eq!(n, usize::from(f.select != Select::None), "{f:?}");
        }
    }
}
