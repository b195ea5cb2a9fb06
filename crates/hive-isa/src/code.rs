//! A whole decoded instruction stream, with its control-flow targets checked.

use crate::codec::{decode, encode};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError, LayoutError};
use crate::types::{CallTarget, Pseudo};
use crate::insn::Insn;
use crate::raw::RawInsn;

/// A decoded program: one entry per 8-byte slot, `None` on the second slot of each `lddw`.
///
/// Construction guarantees that every slot decodes and that every jump, local call, `may_goto`
/// and function reference targets the first slot of an instruction inside the program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Code {
    slots: Vec<Option<Insn>>,
}

impl Code {
    /// Decodes raw slots.
    pub fn decode(raw: &[RawInsn]) -> Result<Code, DecodeError> {
        let mut slots = Vec::with_capacity(raw.len());
        let mut pc = 0;
        while pc < raw.len() {
            let insn = decode(raw[pc], raw.get(pc + 1).copied()).map_err(|kind| DecodeError { pc, kind })?;
            slots.push(Some(insn));
            if insn.slots() == 2 {
                slots.push(None);
            }
            pc += insn.slots();
        }
        let code = Code { slots };
        code.check_targets()?;
        Ok(code)
    }

    /// Decodes little-endian bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Code, DecodeError> {
        let raw = RawInsn::slice_from_bytes(bytes)
            .ok_or(DecodeError { pc: bytes.len() / 8, kind: DecodeErrorKind::PartialSlot { len: bytes.len() } })?;
        Code::decode(&raw)
    }

    /// Builds from instructions (checking targets like [`Code::decode`]).
    pub fn from_insns(insns: &[Insn]) -> Result<Code, DecodeError> {
        let mut slots = Vec::new();
        for insn in insns {
            slots.push(Some(*insn));
            if insn.slots() == 2 {
                slots.push(None);
            }
        }
        let code = Code { slots };
        code.check_targets()?;
        Ok(code)
    }

    fn check_targets(&self) -> Result<(), DecodeError> {
        let len = self.slots.len();
        for (pc, insn) in self.iter() {
            let Some(delta) = insn.branch_delta() else { continue };
            let target = pc as i64 + 1 + delta;
            let kind = if target < 0 || target >= len as i64 {
                DecodeErrorKind::TargetOutOfRange { target, len }
            } else if self.slots[target as usize].is_none() {
                DecodeErrorKind::TargetInsideLdImm64 { target }
            } else {
                continue;
            };
            return Err(DecodeError { pc, kind });
        }
        Ok(())
    }

    /// First slots of the subprograms: 0, then every target of a local call or of an
    /// `lddw` of a function, sorted and without repeats.
    pub fn subprogram_starts(&self) -> Vec<usize> {
        let mut starts = vec![0];
        for (pc, insn) in self.iter() {
            if matches!(insn, Insn::Call(CallTarget::Local(_)) | Insn::LdImm64 { pseudo: Pseudo::Func, .. }) {
                starts.push((pc as i64 + 1 + insn.branch_delta().unwrap_or(0)) as usize);
            }
        }
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    /// The kernel's layout rules for subprograms (`check_subprogs`): each one ends with
    /// `exit` or an unconditional jump, and no jump leaves the subprogram it is in.
    pub fn check_layout(&self) -> Result<(), LayoutError> {
        if self.is_empty() {
            return Err(LayoutError::Empty);
        }
        let starts = self.subprogram_starts();
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(self.len());
            let last = end - 1;
            if !matches!(self.get(last), Some(Insn::Exit | Insn::Ja { .. })) {
                return Err(LayoutError::LastNotExit { pc: last });
            }
            for pc in start..end {
                let Some(insn @ (Insn::Ja { .. } | Insn::Jump { .. } | Insn::MayGoto { .. })) = self.get(pc) else {
                    continue;
                };
                let target = pc as i64 + 1 + insn.branch_delta().unwrap_or(0);
                if target < start as i64 || target >= end as i64 {
                    return Err(LayoutError::JumpOutOfSubprogram { from: pc, to: target });
                }
            }
        }
        Ok(())
    }

    /// Program length in slots.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are no instructions.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The instruction starting at `pc` (`None` past the end or on an `lddw`'s second slot).
    pub fn get(&self, pc: usize) -> Option<&Insn> {
        self.slots.get(pc).and_then(Option::as_ref)
    }

    /// Instructions with their slot index.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Insn)> {
        self.slots.iter().enumerate().filter_map(|(pc, s)| s.as_ref().map(|i| (pc, i)))
    }

    /// The raw slots.
    pub fn to_raw(&self) -> Vec<RawInsn> {
        let mut out = Vec::with_capacity(self.slots.len());
        for (_, insn) in self.iter() {
            encode(insn, &mut out).expect("decoded instructions always encode");
        }
        out
    }

    /// The little-endian bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        RawInsn::slice_to_bytes(&self.to_raw())
    }
}

/// Encodes a sequence of instructions.
pub fn encode_all(insns: &[Insn]) -> Result<Vec<RawInsn>, EncodeError> {
    let mut out = Vec::with_capacity(insns.len());
    for insn in insns {
        encode(insn, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn targets_are_checked() {
        // ja +1 over the end
        let raw = [RawInsn::new(0x05, 0, 0, 1, 0), RawInsn::new(0x95, 0, 0, 0, 0)];
        let e = Code::decode(&raw).unwrap_err();
        assert_eq!(e.pc, 0);
        assert_eq!(e.kind, DecodeErrorKind::TargetOutOfRange { target: 2, len: 2 });
        // ja +1 into lddw tail
        let raw = [
            RawInsn::new(0x05, 0, 0, 1, 0),
            RawInsn::new(0x18, 0, 0, 0, 1),
            RawInsn::new(0, 0, 0, 0, 2),
            RawInsn::new(0x95, 0, 0, 0, 0),
        ];
        assert_eq!(Code::decode(&raw).unwrap_err().kind, DecodeErrorKind::TargetInsideLdImm64 { target: 2 });
    }

    #[test]
    fn subprogram_layout() {
        // r0 = 1; call +1 (falls into the callee: the main program does not end with exit); exit
        let raw = [RawInsn::new(0xb7, 0, 0, 0, 1), RawInsn::new(0x85, 0, 1, 0, 0), RawInsn::new(0x95, 0, 0, 0, 0)];
        let code = Code::decode(&raw).unwrap();
        assert_eq!(code.subprogram_starts(), vec![0, 2]);
        assert_eq!(code.check_layout(), Err(LayoutError::LastNotExit { pc: 1 }));
        // call +1; exit; ja -3 (jumps out of the callee)
        let raw = [RawInsn::new(0x85, 0, 1, 0, 1), RawInsn::new(0x95, 0, 0, 0, 0), RawInsn::new(0x05, 0, 0, -3, 0)];
        let code = Code::decode(&raw).unwrap();
        assert_eq!(code.check_layout(), Err(LayoutError::JumpOutOfSubprogram { from: 2, to: 0 }));
        assert_eq!(Code::default().check_layout(), Err(LayoutError::Empty));
    }

    proptest! {
        /// Whatever decodes re-encodes to the same bytes.
        #[test]
        fn decode_encode_identity(words in proptest::collection::vec(any::<u64>(), 1..8), codes in proptest::collection::vec(any::<u8>(), 8)) {
            let raw: Vec<RawInsn> = words.iter().zip(codes.iter().cycle()).map(|(w, c)| {
                let mut r = RawInsn::from_u64(*w);
                // bias towards valid opcodes and small fields so that many slots decode
                r.code = *c;
                if w & 1 == 0 { r.dst %= 11; r.src %= 11; r.off = (r.off % 4).abs(); }
                r
            }).collect();
            if let Ok(code) = Code::decode(&raw) {
                prop_assert_eq!(code.to_raw(), raw.clone());
            }
            for pc in 0..raw.len() {
                if let Ok(insn) = decode(raw[pc], raw.get(pc + 1).copied()) {
                    let mut out = Vec::new();
                    encode(&insn, &mut out).unwrap();
                    prop_assert_eq!(&out[..], &raw[pc..pc + insn.slots()]);
                }
            }
        }
    }
}
