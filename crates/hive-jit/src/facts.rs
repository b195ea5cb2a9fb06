//! Known bits: what the compiler can prove about each register's value before each
//! instruction, so that it emits less than each instruction's template.
//!
//! A register's value is a *tnum* (the kernel verifier's `struct tnum`): `value` holds the
//! bits known to be 1, `mask` the bits not known at all; a bit set in neither is known to be
//! 0. The compiler steps the registers' facts through each basic block as it emits it
//! ([`Facts::step`]), starting at every jump target and subprogram entry from what the
//! embedder's verifier proved there ([`KnownReg`], [`crate::Natives::block_entry`]: tnums
//! and non-zero values, joined over every path), or from nothing. The compiler does no
//! whole-program analysis of its own: a fixpoint with joins at jump targets cost a quarter of
//! the compile time, where one step per instruction costs a few percent. The transfer
//! functions follow hive-interp's semantics, which compiled code implements bit for bit;
//! what they cannot follow (loads of 64 bits, calls, atomics, divisions) becomes unknown.
//! Without verifier facts nothing is assumed of values from outside the block, so the facts
//! hold on every run of the program, verified or not.
//!
//! The emitters use them to:
//! - drop zero-extensions of registers whose upper 32 bits are known to be 0
//!   (`r <<= 32; r >>= 32`, `w = w`), which clang emits after 32-bit values it widens;
//! - divide without the zero and `-1` checks when the divisor is known non-zero (or not
//!   `-1`), in 32 bits when both operands of a 64-bit unsigned division fit in 32 bits, and
//!   as a constant divisor when the register holds a known constant;
//! - shift by a register holding a known count as by an immediate;
//! - decide conditional jumps whose outcome the known bits settle (a jump always taken
//!   becomes `jmp`, one never taken disappears).

use hive_isa::{AluOp, Cond, EndianOp, Insn, Pseudo, Reg, Size, Source, Width};

/// What is known of one 64-bit value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Known {
    /// Bits known to be 1.
    pub value: u64,
    /// Bits not known.
    pub mask: u64,
}

const LOW32: u64 = 0xffff_ffff;

impl Known {
    pub const UNKNOWN: Known = Known { value: 0, mask: u64::MAX };

    pub const fn constant(v: u64) -> Known {
        Known { value: v, mask: 0 }
    }

    /// The value, if every bit is known.
    pub fn as_constant(self) -> Option<u64> {
        (self.mask == 0).then_some(self.value)
    }

    /// Whether bits 32-63 are known to be 0.
    pub fn upper_zero(self) -> bool {
        (self.value | self.mask) >> 32 == 0
    }

    /// Whether the low 32 bits (`w32`) or the whole value is surely not 0.
    pub fn nonzero(self, w32: bool) -> bool {
        self.value & width_mask(w32) != 0
    }

    /// Whether the low 32 bits (`w32`) or the whole value surely differs from all ones.
    pub fn not_all_ones(self, w32: bool) -> bool {
        !(self.value | self.mask) & width_mask(w32) != 0
    }

    fn low32(self) -> Known {
        Known { value: self.value & LOW32, mask: self.mask & LOW32 }
    }

    fn add(self, b: Known) -> Known {
        let sm = self.mask.wrapping_add(b.mask);
        let sv = self.value.wrapping_add(b.value);
        let chi = sm.wrapping_add(sv) ^ sv;
        let mu = chi | self.mask | b.mask;
        Known { value: sv & !mu, mask: mu }
    }

    fn sub(self, b: Known) -> Known {
        let dv = self.value.wrapping_sub(b.value);
        let chi = dv.wrapping_add(self.mask) ^ dv.wrapping_sub(b.mask);
        let mu = chi | self.mask | b.mask;
        Known { value: dv & !mu, mask: mu }
    }

    /// A product: its low bits up to the first unknown bit of either factor are those of
    /// the product of the known low bits (they depend on nothing else), and it has at least
    /// as many trailing zeros as both factors together. (The kernel's bit-serial `tnum_mul`
    /// knows more, at up to 64 additions per multiplication.)
    fn mul(self, b: Known) -> Known {
        let low = |k: u32| if k >= 64 { u64::MAX } else { (1u64 << k) - 1 };
        let exact = low(self.mask.trailing_zeros().min(b.mask.trailing_zeros()));
        let zeros = low((self.value | self.mask).trailing_zeros() + (b.value | b.mask).trailing_zeros());
        let known = exact | zeros;
        Known { value: self.value.wrapping_mul(b.value) & exact, mask: !known }
    }

    fn and(self, b: Known) -> Known {
        let v = self.value & b.value;
        Known { value: v, mask: (self.value | self.mask) & (b.value | b.mask) & !v }
    }

    fn or(self, b: Known) -> Known {
        let v = self.value | b.value;
        Known { value: v, mask: (self.mask | b.mask) & !v }
    }

    fn xor(self, b: Known) -> Known {
        let mu = self.mask | b.mask;
        Known { value: (self.value ^ b.value) & !mu, mask: mu }
    }

    /// Bounds of the value read unsigned in `w32` or 64 bits.
    fn unsigned(self, w32: bool) -> (u64, u64) {
        let m = width_mask(w32);
        (self.value & m, (self.value | self.mask) & m)
    }

    /// Bounds of the value read signed in `w32` or 64 bits.
    fn signed(self, w32: bool) -> (i64, i64) {
        let (sign, m) = if w32 { (1u64 << 31, LOW32) } else { (1u64 << 63, u64::MAX) };
        let extend = |v: u64| {
            if w32 { v as u32 as i32 as i64 } else { v as i64 }
        };
        let (v, u) = (self.value & m, self.mask & m);
        (extend(v | (u & sign)), extend(v | (u & !sign)))
    }
}

fn width_mask(w32: bool) -> u64 {
    if w32 { LOW32 } else { u64::MAX }
}

/// The eleven registers' facts.
type Regs = [Known; 11];

/// Nothing known: a subprogram's entry.
const UNKNOWN: Regs = [Known::UNKNOWN; 11];

/// The source operand's facts.
fn source(regs: &Regs, width: Width, src: Source) -> Known {
    match src {
        Source::Reg(r) => regs[r.idx()],
        // `JMP` and 64-bit ALU immediates are sign-extended; the 32-bit forms read the low half.
        Source::Imm(i) => Known::constant(if width == Width::W64 { i as i64 as u64 } else { i as u32 as u64 }),
    }
}

/// The known bits of `dst op= src`'s result.
fn alu(regs: &Regs, width: Width, op: AluOp, dst: Reg, src: Source) -> Known {
    let w32 = width == Width::W32;
    let (a, b) = (regs[dst.idx()], source(regs, width, src));
    let (a, b) = if w32 { (a.low32(), b.low32()) } else { (a, b) };
    let count = b.as_constant().map(|n| (n & if w32 { 31 } else { 63 }) as u32);
    let v = match op {
        AluOp::Mov => b,
        // A 32-bit `movsx32` reads as a plain move, as in the interpreter.
        AluOp::MovSx32 if w32 => b,
        AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => {
            let bits = match op {
                AluOp::MovSx8 => 8,
                AluOp::MovSx16 => 16,
                _ => 32,
            };
            match b.as_constant() {
                Some(v) => Known::constant(((v << (64 - bits)) as i64 >> (64 - bits)) as u64),
                None => Known::UNKNOWN,
            }
        }
        AluOp::Add => a.add(b),
        AluOp::Sub => a.sub(b),
        AluOp::And => a.and(b),
        AluOp::Or => a.or(b),
        AluOp::Xor => a.xor(b),
        AluOp::Mul => a.mul(b),
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => match (op, count, w32) {
            (_, None, _) => Known::UNKNOWN,
            (AluOp::Lsh, Some(n), _) => Known { value: a.value << n, mask: a.mask << n },
            (AluOp::Rsh, Some(n), _) => Known { value: a.value >> n, mask: a.mask >> n },
            (_, Some(n), false) => Known { value: (a.value as i64 >> n) as u64, mask: (a.mask as i64 >> n) as u64 },
            (_, Some(n), true) => Known {
                value: (a.value as u32 as i32 >> n) as u32 as u64,
                mask: (a.mask as u32 as i32 >> n) as u32 as u64,
            },
        },
        AluOp::Div | AluOp::Mod | AluOp::SDiv | AluOp::SMod => Known::UNKNOWN,
    };
    if w32 { v.low32() } else { v }
}

fn endian(a: Known, op: EndianOp, bits: u32) -> Known {
    let keep = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    match op {
        EndianOp::ToLe => Known { value: a.value & keep, mask: a.mask & keep },
        // `be` on this little-endian host and `bswap` reverse the low `bits` bits' bytes.
        _ => {
            let swap = |x: u64| (x & keep).swap_bytes() >> (64 - bits);
            Known { value: swap(a.value), mask: swap(a.mask) }
        }
    }
}

/// Whether `if dst cond src` is settled by the facts: `Some(taken)`.
fn decide(regs: &Regs, width: Width, cond: Cond, dst: Reg, src: Source) -> Option<bool> {
    let w32 = width == Width::W32;
    let (a, b) = (regs[dst.idx()], source(regs, width, src));
    let m = width_mask(w32);
    // Nothing known of either side (the common case) settles nothing worth finding.
    if a.mask & m == m || b.mask & m == m {
        return None;
    }
    let differ = (a.value ^ b.value) & !(a.mask | b.mask) & m != 0;
    let (a_min, a_max) = a.unsigned(w32);
    let (b_min, b_max) = b.unsigned(w32);
    let (as_min, as_max) = a.signed(w32);
    let (bs_min, bs_max) = b.signed(w32);
    let settle = |yes: bool, no: bool| {
        if yes {
            Some(true)
        } else if no {
            Some(false)
        } else {
            None
        }
    };
    match cond {
        Cond::Eq => settle(a_min == a_max && b_min == b_max && a_min == b_min, differ),
        Cond::Ne => settle(differ, a_min == a_max && b_min == b_max && a_min == b_min),
        Cond::Set => settle(a.value & b.value & m != 0, a_max & b_max == 0),
        Cond::Gt => settle(a_min > b_max, a_max <= b_min),
        Cond::Ge => settle(a_min >= b_max, a_max < b_min),
        Cond::Lt => settle(a_max < b_min, a_min >= b_max),
        Cond::Le => settle(a_max <= b_min, a_min > b_max),
        Cond::Sgt => settle(as_min > bs_max, as_max <= bs_min),
        Cond::Sge => settle(as_min >= bs_max, as_max < bs_min),
        Cond::Slt => settle(as_max < bs_min, as_min >= bs_max),
        Cond::Sle => settle(as_max <= bs_min, as_min > bs_max),
    }
}

/// What the embedder's verifier proved about one register on entry to a basic block, on
/// every path ([`crate::Natives::block_entry`]): a tnum, and whether the value (or its low
/// half) is never 0, which a tnum cannot say of a range like `[3, 100]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KnownReg {
    /// Bits known to be 1.
    pub value: u64,
    /// Bits not known (the others are known to be 0).
    pub mask: u64,
    /// The 64-bit value is never 0.
    pub nonzero: bool,
    /// The low 32 bits are never 0.
    pub nonzero32: bool,
}

/// The registers' facts before the instruction being emitted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Facts {
    regs: Regs,
    /// Registers whose 64-bit value an entry fact says is never 0 (until they are written).
    nonzero: u16,
    /// The same for the low 32 bits.
    nonzero32: u16,
}

impl Facts {
    /// Nothing known: a block's start.
    pub fn unknown() -> Facts {
        Facts { regs: UNKNOWN, nonzero: 0, nonzero32: 0 }
    }

    /// A block's start where the embedder's verifier knows `entry`. (The frame pointer `r10`
    /// is never a known number.)
    pub fn at_entry(entry: &[KnownReg; 11]) -> Facts {
        let mut f = Facts::unknown();
        for (r, k) in entry.iter().enumerate().take(10) {
            // A contradictory fact (a bit both known 1 and unknown) is ignored.
            if k.value & k.mask == 0 {
                f.regs[r] = Known { value: k.value, mask: k.mask };
            }
            f.nonzero |= u16::from(k.nonzero) << r;
            f.nonzero32 |= u16::from(k.nonzero32) << r;
        }
        f
    }

    /// What is known of `r`.
    pub fn reg(&self, r: Reg) -> Known {
        self.regs[r.idx()]
    }

    /// The value `r` always holds here, if known.
    pub fn constant(&self, r: Reg) -> Option<u64> {
        self.reg(r).as_constant()
    }

    /// Whether `r` (its low half if `w32`) is never 0 here.
    pub fn nonzero(&self, r: Reg, w32: bool) -> bool {
        let flags = if w32 { self.nonzero32 } else { self.nonzero };
        self.reg(r).nonzero(w32) || flags & (1 << r.idx()) != 0
    }

    /// Whether `if dst cond src` here is always (`Some(true)`) or never taken.
    pub fn decide(&self, width: Width, cond: Cond, dst: Reg, src: Source) -> Option<bool> {
        decide(&self.regs, width, cond, dst, src)
    }

    fn set(&mut self, r: usize, k: Known) {
        self.regs[r] = k;
        self.nonzero &= !(1 << r);
        self.nonzero32 &= !(1 << r);
    }

    /// Applies `insn` at slot `pc`.
    pub fn step(&mut self, pc: usize, insn: &Insn) {
        match *insn {
            Insn::Alu { width, op, dst, src } => self.set(dst.idx(), alu(&self.regs, width, op, dst, src)),
            Insn::Neg { width, dst } => {
                let v = Known::constant(0).sub(self.regs[dst.idx()]);
                self.set(dst.idx(), if width == Width::W32 { v.low32() } else { v });
            }
            Insn::Endian { op, bits, dst } => self.set(dst.idx(), endian(self.regs[dst.idx()], op, bits)),
            Insn::LdImm64 { dst, pseudo, imm, next_imm } => {
                let v = match pseudo {
                    Pseudo::Func => (pc as i64 + 1 + imm as i64) as u64,
                    _ => Insn::imm64(imm, next_imm),
                };
                self.set(dst.idx(), Known::constant(v));
            }
            Insn::Load { size, signed, dst, .. } => {
                let v = match (size, signed) {
                    (Size::DW, _) | (_, true) => Known::UNKNOWN,
                    (size, false) => Known { value: 0, mask: u64::MAX >> (64 - 8 * size.bytes() as u32) },
                };
                self.set(dst.idx(), v);
            }
            Insn::Atomic { .. } => {
                if let Some(r) = insn.written_reg() {
                    self.set(r.idx(), Known::UNKNOWN);
                }
            }
            // Calls (and `LD_ABS`/`LD_IND`, which may call) clobber r0-r5.
            Insn::LoadPacket { .. } | Insn::Call(_) | Insn::CallX { .. } => {
                for r in 0..6 {
                    self.set(r, Known::UNKNOWN);
                }
            }
            Insn::Store { .. } | Insn::Ja { .. } | Insn::Jump { .. } | Insn::MayGoto { .. } | Insn::Exit => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(value: u64, mask: u64) -> Known {
        Known { value, mask }
    }

    /// Every concrete value a tnum allows (for small masks).
    fn members(t: Known) -> Vec<u64> {
        let bits: Vec<u32> = (0..64).filter(|b| t.mask >> b & 1 == 1).collect();
        (0..1u64 << bits.len())
            .map(|n| bits.iter().enumerate().fold(t.value, |v, (i, &b)| v | ((n >> i & 1) << b)))
            .collect()
    }

    fn contains(t: Known, v: u64) -> bool {
        v & !t.mask == t.value
    }

    #[test]
    fn arithmetic_covers_every_member() {
        let samples = [k(0, 0), k(5, 0), k(4, 3), k(0x10, 0x0f), k(u64::MAX - 7, 6), k(0x8000_0000, 0x7000_0001)];
        for &a in &samples {
            for &b in &samples {
                for x in members(a) {
                    for y in members(b) {
                        assert!(contains(a.add(b), x.wrapping_add(y)), "{a:?} + {b:?}");
                        assert!(contains(a.sub(b), x.wrapping_sub(y)), "{a:?} - {b:?}");
                        assert!(contains(a.and(b), x & y));
                        assert!(contains(a.or(b), x | y));
                        assert!(contains(a.xor(b), x ^ y));
                        assert!(contains(a.mul(b), x.wrapping_mul(y)), "{a:?} * {b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn products_of_odd_values_are_odd() {
        let odd = k(1, 0xffff_fffe);
        let p = odd.mul(Known::constant(7));
        assert_eq!(p.value & 1, 1);
        assert!(p.nonzero(true) && p.nonzero(false));
        assert_eq!(Known::UNKNOWN.mul(Known::UNKNOWN), Known::UNKNOWN);
        assert_eq!(Known::constant(6).mul(Known::constant(7)), Known::constant(42));
        assert_eq!(k(4, 0).mul(k(0, 0xff)).value & 3, 0, "a multiple of 4");
    }

    #[test]
    fn decisions_hold_for_every_member() {
        let samples =
            [k(0, 0), k(3, 0), k(1, 6), k(8, 7), k(u64::MAX, 0), k(0x8000_0000_0000_0000, 3), k(0xffff_fff0, 0xf)];
        for &a in &samples {
            for &b in &samples {
                let mut regs = UNKNOWN;
                regs[1] = a;
                regs[2] = b;
                for width in [Width::W64, Width::W32] {
                    for cond in Cond::ALL {
                        let Some(taken) = decide(&regs, width, cond, Reg::R1, Source::Reg(Reg::R2)) else {
                            continue;
                        };
                        for x in members(a) {
                            for y in members(b) {
                                assert_eq!(cond.holds(x, y, width), taken, "{a:?} {cond:?} {b:?} {width:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn steps_follow_the_block() {
        // r1 = *(u32 *)(r10 - 8); r1 |= 1; w2 = w1; r3 = r2; r3 <<= 4
        let insns = [
            Insn::Load { size: Size::W, signed: false, dst: Reg::R1, src: Reg::R10, off: -8 },
            Insn::Alu { width: Width::W64, op: AluOp::Or, dst: Reg::R1, src: Source::Imm(1) },
            Insn::Alu { width: Width::W32, op: AluOp::Mov, dst: Reg::R2, src: Source::Reg(Reg::R1) },
            Insn::Alu { width: Width::W64, op: AluOp::Lsh, dst: Reg::R2, src: Source::Imm(4) },
            Insn::Call(hive_isa::CallTarget::Helper(1)),
        ];
        let mut f = Facts::unknown();
        for (pc, insn) in insns[..4].iter().enumerate() {
            f.step(pc, insn);
        }
        assert!(f.reg(Reg::R1).upper_zero() && f.reg(Reg::R1).nonzero(false));
        assert_eq!(f.reg(Reg::R2), Known { value: 0x10, mask: 0xf_ffff_ffe0 });
        assert_eq!(f.decide(Width::W64, Cond::Set, Reg::R2, Source::Imm(0x10)), Some(true));
        assert_eq!(f.decide(Width::W64, Cond::Gt, Reg::R2, Source::Imm(-1)), Some(false));
        f.step(4, &insns[4]);
        assert_eq!(f.reg(Reg::R2), Known::UNKNOWN);
    }
}
