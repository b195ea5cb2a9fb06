//! A decision tree that is a table ([`crate::switch::Switch`]): in front of the tree's root,
//! when the register is in the table's range, each assigned register is loaded from its
//! table and control goes straight to where the tree ends; otherwise the tree runs.

use crate::compiler::{Compiler, asm};
use crate::regmap::{TMP, TMP2, host};
use crate::switch::Switch;

/// Bytes of one table entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// Zero-extended 32-bit values.
    U32,
    /// Sign-extended 32-bit values.
    I32,
    /// Full 64-bit values.
    U64,
}

impl Entry {
    fn of(values: &[u64]) -> Entry {
        if values.iter().all(|&v| v <= u32::MAX as u64) {
            Entry::U32
        } else if values.iter().all(|&v| v as i64 == v as i32 as i64) {
            Entry::I32
        } else {
            Entry::U64
        }
    }
}

/// An upper bound of the bytes [`lookup`] emits in line for `s`.
pub(crate) fn bound(s: &Switch) -> u32 {
    30 + 16 * s.writes.len() as u32
}

/// The lookup in front of the tree rooted at `pc`; the tree's own code follows it.
pub(crate) fn lookup(c: &mut Compiler<'_>, pc: usize, s: &Switch) {
    let (index, base) = (TMP, TMP2);
    let fallback = c.ops.new_dynamic_label();
    asm!(c.ops, ; mov Rq(index), Rq(host(s.reg)));
    if s.lo != 0 {
        asm!(c.ops, ; sub Rq(index), s.lo);
    }
    asm!(c.ops, ; cmp Rq(index), s.len as i32 - 1 ; ja =>fallback);
    for (reg, values) in &s.writes {
        let (entry, table) = (Entry::of(values), c.ops.new_dynamic_label());
        let r = host(*reg);
        asm!(c.ops, ; lea Rq(base), [=>table]);
        match entry {
            Entry::U32 => asm!(c.ops, ; mov Rd(r), DWORD [Rq(base) + Rq(index) * 4]),
            Entry::I32 => asm!(c.ops, ; movsxd Rq(r), DWORD [Rq(base) + Rq(index) * 4]),
            Entry::U64 => asm!(c.ops, ; mov Rq(r), QWORD [Rq(base) + Rq(index) * 8]),
        }
        let bytes = values
            .iter()
            .flat_map(
                |&v| if entry == Entry::U64 { v.to_le_bytes().to_vec() } else { (v as u32).to_le_bytes().to_vec() },
            )
            .collect();
        c.tables.push((table, bytes));
    }
    let end = c.target(pc, s.end as i64 - pc as i64 - 1);
    asm!(c.ops, ; jmp =>end ; =>fallback);
    // The tree's root compares anew; the flags are the lookup's.
    c.prev_flags = None;
}

/// The tables of the lookups emitted so far, after the code (8-byte aligned).
pub(crate) fn tables(c: &mut Compiler<'_>) {
    for (label, bytes) in std::mem::take(&mut c.tables) {
        c.pad_to(8);
        asm!(c.ops, ; =>label);
        c.ops.extend(bytes);
    }
}
