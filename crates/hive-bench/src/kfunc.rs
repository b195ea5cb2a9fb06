//! Kfunc ids: the BTF type id of each kernel function the suite calls (`bpf_iter_num_*`).
//!
//! The kernel identifies a kfunc by the id of its `FUNC` type in vmlinux BTF, so a loader
//! looks the name up in `/sys/kernel/btf/vmlinux` (libbpf does the same). This module
//! scans that file's type section just far enough to find `FUNC` names: every kind's
//! record length is fixed by its `vlen`, so no type needs to be understood.
//!
//! Hive's engines receive the very same instructions (same ids), and the bench helper set
//! maps the ids back to names ([`KfuncIds::name`]). Without vmlinux BTF (no kernel, or a
//! machine without `CONFIG_DEBUG_INFO_BTF`), stand-in ids are used so that Hive's engines
//! still run.

use std::collections::HashMap;

/// The kfuncs the suite may call.
pub const KFUNCS: [&str; 3] = ["bpf_iter_num_new", "bpf_iter_num_next", "bpf_iter_num_destroy"];

/// Kfunc name ↔ BTF id.
#[derive(Clone, Debug)]
pub struct KfuncIds {
    ids: HashMap<String, i32>,
    /// Whether the ids come from the running kernel's BTF.
    pub from_vmlinux: bool,
}

impl KfuncIds {
    /// Ids from `/sys/kernel/btf/vmlinux` (read once per process), or stand-ins
    /// (`0x7fff_0000 + n`) when it cannot be read or lacks one of [`KFUNCS`].
    pub fn load() -> KfuncIds {
        static IDS: std::sync::OnceLock<KfuncIds> = std::sync::OnceLock::new();
        IDS.get_or_init(Self::read).clone()
    }

    fn read() -> KfuncIds {
        if let Ok(btf) = std::fs::read("/sys/kernel/btf/vmlinux")
            && let Some(ids) = func_ids(&btf, &KFUNCS)
        {
            return KfuncIds { ids, from_vmlinux: true };
        }
        let ids = KFUNCS.iter().enumerate().map(|(n, name)| (name.to_string(), 0x7fff_0000 + n as i32)).collect();
        KfuncIds { ids, from_vmlinux: false }
    }

    /// The id of `name`.
    pub fn id(&self, name: &str) -> Option<i32> {
        self.ids.get(name).copied()
    }

    /// The name of `id`.
    pub fn name(&self, id: i32) -> Option<&str> {
        self.ids.iter().find(|&(_, &v)| v == id).map(|(k, _)| k.as_str())
    }
}

/// The `FUNC` type ids of `names` in a BTF blob, if all are present.
pub fn func_ids(btf: &[u8], names: &[&str]) -> Option<HashMap<String, i32>> {
    let u16_at = |o: usize| Some(u16::from_le_bytes(btf.get(o..o + 2)?.try_into().ok()?));
    let u32_at = |o: usize| Some(u32::from_le_bytes(btf.get(o..o + 4)?.try_into().ok()?));
    if u16_at(0)? != 0xeb9f {
        return None;
    }
    let hdr_len = u32_at(4)? as usize;
    let (type_off, type_len) = (u32_at(8)? as usize, u32_at(12)? as usize);
    let (str_off, str_len) = (u32_at(16)? as usize, u32_at(20)? as usize);
    let types = hdr_len.checked_add(type_off)?;
    let strings = btf.get(hdr_len + str_off..hdr_len + str_off + str_len)?;
    let name_at = |off: usize| -> Option<&[u8]> {
        let s = strings.get(off..)?;
        Some(&s[..s.iter().position(|&b| b == 0)?])
    };
    let mut found = HashMap::new();
    let (mut pos, end, mut id) = (types, types + type_len, 1i32);
    while pos + 12 <= end {
        let (name_off, info) = (u32_at(pos)? as usize, u32_at(pos + 4)?);
        let (kind, vlen) = ((info >> 24) & 0x1f, (info & 0xffff) as usize);
        let extra = match kind {
            1 | 14 | 17 => 4,     // int, var, decl_tag
            3 => 12,              // array
            4 | 5 => 12 * vlen,   // struct, union
            6 | 13 => 8 * vlen,   // enum, func_proto
            15 | 19 => 12 * vlen, // datasec, enum64
            _ => 0,
        };
        if kind == 12 {
            let name = name_at(name_off)?;
            if let Some(n) = names.iter().find(|n| n.as_bytes() == name) {
                found.insert(n.to_string(), id);
            }
        }
        pos += 12 + extra;
        id += 1;
    }
    (found.len() == names.len()).then_some(found)
}
