//! The 8-byte instruction exactly as it sits in memory.

/// One 8-byte instruction slot, fields split out but not interpreted.
///
/// Layout (little-endian): `code:8 | dst:4 src:4 | off:16 | imm:32`.
#[doc(alias = "bpf_insn")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RawInsn {
    /// Opcode byte: class in the low 3 bits, the rest depends on the class.
    pub code: u8,
    /// Destination register field (4 bits).
    pub dst: u8,
    /// Source register field (4 bits).
    pub src: u8,
    /// Signed 16-bit offset.
    pub off: i16,
    /// Signed 32-bit immediate.
    pub imm: i32,
}

impl RawInsn {
    /// Size of one instruction slot in bytes.
    pub const SIZE: usize = 8;

    /// Builds a slot from its fields; `dst` and `src` are truncated to 4 bits.
    pub const fn new(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Self {
        RawInsn { code, dst: dst & 0xf, src: src & 0xf, off, imm }
    }

    /// Reads a slot from 8 little-endian bytes.
    pub fn from_bytes(b: [u8; 8]) -> Self {
        RawInsn {
            code: b[0],
            dst: b[1] & 0xf,
            src: b[1] >> 4,
            off: i16::from_le_bytes([b[2], b[3]]),
            imm: i32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }

    /// The slot's 8 little-endian bytes.
    pub fn to_bytes(self) -> [u8; 8] {
        let off = self.off.to_le_bytes();
        let imm = self.imm.to_le_bytes();
        [
            self.code,
            (self.dst & 0xf) | (self.src << 4),
            off[0],
            off[1],
            imm[0],
            imm[1],
            imm[2],
            imm[3],
        ]
    }

    /// The slot as the little-endian `u64` the corpora write (opcode in the low byte).
    pub fn to_u64(self) -> u64 {
        u64::from_le_bytes(self.to_bytes())
    }

    /// Reads a slot from its little-endian `u64` form.
    pub fn from_u64(v: u64) -> Self {
        Self::from_bytes(v.to_le_bytes())
    }

    /// Splits a byte buffer into slots; `None` when its length is not a multiple of 8.
    pub fn slice_from_bytes(bytes: &[u8]) -> Option<Vec<RawInsn>> {
        if !bytes.len().is_multiple_of(Self::SIZE) {
            return None;
        }
        Some(
            bytes
                .chunks_exact(Self::SIZE)
                .map(|c| Self::from_bytes(c.try_into().expect("chunk of 8")))
                .collect(),
        )
    }

    /// Serialises slots back to bytes.
    pub fn slice_to_bytes(insns: &[RawInsn]) -> Vec<u8> {
        insns.iter().flat_map(|i| i.to_bytes()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip() {
        let i = RawInsn::new(0x61, 0, 1, 4, -7);
        assert_eq!(RawInsn::from_bytes(i.to_bytes()), i);
        assert_eq!(RawInsn::from_u64(i.to_u64()), i);
        assert_eq!(i.to_bytes(), [0x61, 0x10, 4, 0, 0xf9, 0xff, 0xff, 0xff]);
    }
}
