//! A decision tree that is a table ([`crate::switch::Switch`]): in front of the tree's root,
//! when the register is in the table's range, either each assigned register is loaded from
//! its table and control goes straight to where the tree ends, or one indirect jump through a
//! table of jumps reaches the value's case; otherwise the tree runs.

use crate::compiler::{Compiler, asm};
use crate::regmap::{TMP, TMP2, host};
use dynasmrt::DynamicLabel;
use hive_isa::Reg;

use crate::emit::alu::load_const;
use crate::switch::{Case, Dispatch, Switch};

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

/// What goes after the code for a lookup.
pub(crate) enum Table {
    /// Values, 4 or 8 bytes each.
    Data(DynamicLabel, Vec<u8>),
    /// 8-byte entries, each a jump to a case's label.
    Jumps(DynamicLabel, Vec<DynamicLabel>),
    /// A case's constants assigned, then a jump to where it continues.
    Case(DynamicLabel, Vec<(Reg, u64)>, DynamicLabel),
}

/// An upper bound of the bytes [`lookup`] emits in line for `s`.
pub(crate) fn bound(s: &Switch) -> u32 {
    match &s.how {
        Dispatch::Values { writes, .. } => 30 + 16 * writes.len() as u32,
        Dispatch::Branches(_) => 40,
    }
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
    match &s.how {
        Dispatch::Values { end, writes } => {
            for (reg, values) in writes {
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
                    .flat_map(|&v| {
                        if entry == Entry::U64 { v.to_le_bytes().to_vec() } else { (v as u32).to_le_bytes().to_vec() }
                    })
                    .collect();
                c.tables.push(Table::Data(table, bytes));
            }
            let end = c.target(pc, *end as i64 - pc as i64 - 1);
            asm!(c.ops, ; jmp =>end);
        }
        Dispatch::Branches(cases) => {
            let table = c.ops.new_dynamic_label();
            asm!(c.ops,
                ; lea Rq(base), [=>table]
                ; lea Rq(base), [Rq(base) + Rq(index) * 8]
                ; jmp Rq(base)
            );
            // One stub per distinct case that assigns constants; a case that assigns
            // nothing is jumped to directly.
            let mut stubs: Vec<(&Case, DynamicLabel)> = Vec::new();
            let mut entries = Vec::with_capacity(cases.len());
            for case in cases {
                let to = c.target(pc, case.0 as i64 - pc as i64 - 1);
                let entry = if case.1.is_empty() {
                    to
                } else if let Some(&(_, l)) = stubs.iter().find(|(k, _)| *k == case) {
                    l
                } else {
                    let l = c.ops.new_dynamic_label();
                    stubs.push((case, l));
                    c.tables.push(Table::Case(l, case.1.clone(), to));
                    l
                };
                entries.push(entry);
            }
            c.tables.push(Table::Jumps(table, entries));
        }
    }
    asm!(c.ops, ; =>fallback);
    // The tree's root compares anew; the flags are the lookup's.
    c.prev_flags = None;
}

/// The tables of the lookups emitted so far, after the code (8-byte aligned).
pub(crate) fn tables(c: &mut Compiler<'_>) {
    for table in std::mem::take(&mut c.tables) {
        match table {
            Table::Data(label, bytes) => {
                c.pad_to(8);
                asm!(c.ops, ; =>label);
                c.ops.extend(bytes);
            }
            Table::Jumps(label, entries) => {
                c.pad_to(8);
                asm!(c.ops, ; =>label);
                for to in entries {
                    // `jmp rel32` and a 3-byte `nop`: 8 bytes an entry.
                    asm!(c.ops, ; jmp =>to);
                    c.ops.extend([0x0f, 0x1f, 0x00]);
                }
            }
            Table::Case(label, writes, to) => {
                asm!(c.ops, ; =>label);
                for (reg, v) in writes {
                    load_const(c, host(reg), v);
                }
                asm!(c.ops, ; jmp =>to);
            }
        }
    }
}
