//! `.kconfig` externs: `extern int CONFIG_HZ __kconfig;` and friends.
//!
//! libbpf gives every `__kconfig` extern a slot in one read-only array map called `.kconfig`,
//! filled before load from the running kernel's configuration, and points loads of the extern
//! at its slot. Hive does the same with values the caller supplies in [`KconfigValues`]:
//!
//! - slots are laid out as libbpf lays them out: externs sorted by alignment (largest first),
//!   then size (smallest first), then name, each at the next offset its alignment allows;
//! - values use the kernel config spelling: `y`, `n`, `m` for bools and tristates (`m` is
//!   refused for a bool), numbers (decimal, `0x` hex, leading-`0` octal, optionally negative)
//!   for integers, `"quoted"` strings for char arrays (truncated to fit, NUL-terminated);
//! - `LINUX_KERNEL_VERSION`, `LINUX_HAS_BPF_COOKIE` and `LINUX_HAS_SYSCALL_WRAPPER` have
//!   defaults ([`KconfigValues::new`]), as libbpf computes them for the running kernel;
//! - a strong extern without a value is an error naming it; a `__weak` one reads as zero.

use std::collections::BTreeMap;

use hive_btf::Btf;
use hive_platform::map::MapType;

use crate::error::{ObjectError, extern_err};
use crate::ksyms::{Extern, Externs, KcfgType};
use crate::maps::{BPF_F_MMAPABLE, BPF_F_RDONLY_PROG, MapDef, MapKind};

/// `KERNEL_VERSION(a, b, c)` as the kernel encodes it (`c` saturates at 255).
pub const fn kernel_version(a: u32, b: u32, c: u32) -> u32 {
    (a << 16) + (b << 8) + if c > 255 { 255 } else { c }
}

/// The kernel version [`KconfigValues::new`] reports: the release whose contracts
/// `hive-platform` models.
pub const DEFAULT_KERNEL_VERSION: u32 = kernel_version(6, 18, 0);

/// Values for `__kconfig` externs, by name, in kernel-config spelling.
///
/// ```
/// use hive_object::KconfigValues;
/// let mut k = KconfigValues::new();
/// k.set("CONFIG_HZ", "1000").set("CONFIG_BPF_SYSCALL", "y");
/// k.extend_from_config("CONFIG_DEFAULT_HOSTNAME=\"(none)\"\n# CONFIG_FOO is not set\n");
/// assert_eq!(k.get("CONFIG_FOO"), Some("n"));
/// assert_eq!(k.get("LINUX_HAS_BPF_COOKIE"), Some("y"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KconfigValues {
    values: BTreeMap<String, String>,
}

impl Default for KconfigValues {
    fn default() -> Self {
        Self::new()
    }
}

impl KconfigValues {
    /// The defaults libbpf derives from the kernel: `LINUX_KERNEL_VERSION` =
    /// [`DEFAULT_KERNEL_VERSION`], `LINUX_HAS_BPF_COOKIE` and `LINUX_HAS_SYSCALL_WRAPPER` = `y`.
    pub fn new() -> Self {
        let mut k = Self::empty();
        k.set("LINUX_KERNEL_VERSION", DEFAULT_KERNEL_VERSION.to_string());
        k.set("LINUX_HAS_BPF_COOKIE", "y");
        k.set("LINUX_HAS_SYSCALL_WRAPPER", "y");
        k
    }

    /// No values at all.
    pub fn empty() -> Self {
        KconfigValues { values: BTreeMap::new() }
    }

    /// The defaults plus what the host says: `LINUX_KERNEL_VERSION` from
    /// `/proc/sys/kernel/osrelease` and the options of `/boot/config-<release>` when readable
    /// (`/proc/config.gz` is compressed and not read).
    pub fn host() -> Self {
        let mut k = Self::new();
        if let Ok(release) = std::fs::read_to_string("/proc/sys/kernel/osrelease") {
            let release = release.trim();
            let mut parts = release.split(|c: char| !c.is_ascii_digit()).map(|p| p.parse::<u32>().unwrap_or(0));
            let (a, b, c) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
            k.set("LINUX_KERNEL_VERSION", kernel_version(a, b, c).to_string());
            if let Ok(text) = std::fs::read_to_string(format!("/boot/config-{release}")) {
                k.extend_from_config(&text);
            }
        }
        k
    }

    /// Sets one value.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.values.insert(name.to_string(), value.into());
        self
    }

    /// One value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Reads a kernel `.config`: `CONFIG_X=value` lines and `# CONFIG_X is not set` (= `n`).
    pub fn extend_from_config(&mut self, text: &str) -> &mut Self {
        for line in text.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("# ")
                && let Some(name) = rest.strip_suffix(" is not set")
            {
                self.set(name, "n");
            } else if let Some((name, value)) = line.split_once('=')
                && name.starts_with("CONFIG_")
            {
                self.set(name, value);
            }
        }
        self
    }
}

/// Largest `.kconfig` value accepted (real ones are a few dozen bytes).
const MAX_KCONFIG: u32 = 1 << 20;

/// Where each `.kconfig` extern lives in the map value.
#[derive(Debug, Default)]
pub(crate) struct KconfigLayout {
    pub offsets: BTreeMap<String, u32>,
    /// Bytes of the map value.
    pub size: u32,
}

fn parse_num(s: &str) -> Option<i128> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()?
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()?
    } else {
        s.parse::<u64>().ok()?
    };
    Some(if neg { -i128::from(v) } else { i128::from(v) })
}

/// Writes one extern's value into its slot, by libbpf's `set_kcfg_value_*` rules.
fn encode(name: &str, ty: KcfgType, size: u32, value: &str, slot: &mut [u8]) -> Result<(), ObjectError> {
    let bad = |why: &str| extern_err(name, format!("value {value:?}: {why}"));
    match (ty, value) {
        (KcfgType::Bool, "y") => slot[0] = 1,
        (KcfgType::Bool, "n") => slot[0] = 0,
        (KcfgType::Bool, "m") => return Err(bad("'m' is not a bool")),
        (KcfgType::Tristate, "y" | "n" | "m") => {
            let v: u32 = match value {
                "y" => 1,
                "m" => 2,
                _ => 0,
            };
            slot[..4].copy_from_slice(&v.to_le_bytes());
        }
        (KcfgType::Char, "y" | "n" | "m") => slot[0] = value.as_bytes()[0],
        (KcfgType::CharArray, v) if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') => {
            let s = &v.as_bytes()[1..v.len() - 1];
            let n = s.len().min(slot.len().saturating_sub(1));
            slot[..n].copy_from_slice(&s[..n]);
            slot[n..].fill(0);
        }
        (KcfgType::CharArray, _) => return Err(bad("a char array needs a quoted string")),
        (_, v) => {
            let n = parse_num(v).ok_or_else(|| bad("not a number"))?;
            let is_int = matches!(ty, KcfgType::Int { .. });
            let signed = matches!(ty, KcfgType::Int { signed: true });
            let bits = size * 8;
            let (lo, hi) = if signed {
                (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
            } else {
                (if is_int { -(1i128 << (bits - 1)) } else { 0 }, (1i128 << bits) - 1)
            };
            if ty == KcfgType::Bool && !(0..=1).contains(&n) {
                return Err(bad("a bool takes y, n, 0 or 1"));
            }
            if n < lo || n > hi {
                return Err(bad(&format!("does not fit in {size} bytes")));
            }
            let bytes = (n as u64).to_le_bytes();
            slot[..size as usize].copy_from_slice(&bytes[..size as usize]);
        }
    }
    Ok(())
}

/// The `.kconfig` map, if the object has `__kconfig` externs that its programs may use.
/// Unusable externs (bad types) are left out; programs that reference them fail.
pub(crate) fn kconfig_map(
    btf: Option<&Btf<'_>>,
    externs: &Externs,
    values: &KconfigValues,
) -> Result<Option<(MapDef, KconfigLayout)>, ObjectError> {
    let mut list: Vec<(&str, KcfgType, u32, u32, bool)> = externs
        .by_name
        .iter()
        .filter_map(|(n, e)| match e {
            Ok(Extern::Kconfig { ty, size, align, weak, .. }) => Some((n.as_str(), *ty, *size, *align, *weak)),
            _ => None,
        })
        .collect();
    if list.is_empty() {
        return Ok(None);
    }
    list.sort_by(|a, b| b.3.cmp(&a.3).then(a.2.cmp(&b.2)).then(a.0.cmp(b.0)));
    let mut layout = KconfigLayout::default();
    let mut off = 0u32;
    for &(name, _, size, align, _) in &list {
        let at =
            off.checked_next_multiple_of(align).filter(|at| at.checked_add(size).is_some_and(|e| e <= MAX_KCONFIG));
        let at = at.ok_or_else(|| extern_err(name, "the .kconfig map would be unreasonably large"))?;
        layout.offsets.insert(name.to_string(), at);
        off = at + size;
    }
    layout.size = off;
    let mut data = vec![0u8; off as usize];
    for &(name, ty, size, _, weak) in &list {
        let at = layout.offsets[name] as usize;
        match values.get(name) {
            Some(v) => encode(name, ty, size, v, &mut data[at..at + size as usize])?,
            None if weak => {}
            None => {
                return Err(extern_err(
                    name,
                    "strong __kconfig extern has no value (supply it in LoadOptions::kconfig)",
                ));
            }
        }
    }
    let mut def = MapDef {
        name: ".kconfig".into(),
        kind: MapKind::Kconfig,
        section: ".kconfig".into(),
        map_type: MapType::Array,
        key_size: 4,
        value_size: off,
        max_entries: 1,
        flags: BPF_F_RDONLY_PROG | BPF_F_MMAPABLE,
        numa_node: 0,
        map_extra: 0,
        key_type_id: None,
        value_type_id: None,
        pinning: Default::default(),
        inner: None,
        initial_values: Vec::new(),
        initial_data: Some(data),
        frozen: true,
        struct_ops: None,
    };
    def.value_type_id = btf.and_then(|b| crate::maps::datasec(b, ".kconfig"));
    Ok(Some((def, layout)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let mut b = [0u8; 8];
        encode("X", KcfgType::Tristate, 4, "m", &mut b).unwrap();
        assert_eq!(b[..4], [2, 0, 0, 0]);
        encode("X", KcfgType::Int { signed: true }, 4, "-2", &mut b).unwrap();
        assert_eq!(b[..4], [0xfe, 0xff, 0xff, 0xff]);
        encode("X", KcfgType::Int { signed: false }, 2, "0x1234", &mut b).unwrap();
        assert_eq!(b[..2], [0x34, 0x12]);
        assert!(encode("X", KcfgType::Int { signed: false }, 1, "256", &mut b).is_err());
        assert!(encode("X", KcfgType::Bool, 1, "m", &mut b).is_err());
        let mut s = [0xffu8; 4];
        encode("X", KcfgType::CharArray, 4, "\"hello\"", &mut s).unwrap();
        assert_eq!(&s, b"hel\0");
        assert_eq!(kernel_version(6, 18, 300), 0x0612ff);
    }
}
