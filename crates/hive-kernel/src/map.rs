//! Small kernel maps, for differential tests of Hive's map semantics.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use crate::error::KernelError;
use crate::sys::{self, Cmd, ElemOp, RawMap};

/// A map type (`enum bpf_map_type`); any value may be passed, the constants name common ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MapType(pub u32);

impl MapType {
    /// `BPF_MAP_TYPE_HASH`.
    #[doc(alias = "BPF_MAP_TYPE_HASH")]
    pub const HASH: MapType = MapType(1);
    /// `BPF_MAP_TYPE_ARRAY`.
    #[doc(alias = "BPF_MAP_TYPE_ARRAY")]
    pub const ARRAY: MapType = MapType(2);
    /// `BPF_MAP_TYPE_PERCPU_HASH`.
    #[doc(alias = "BPF_MAP_TYPE_PERCPU_HASH")]
    pub const PERCPU_HASH: MapType = MapType(5);
    /// `BPF_MAP_TYPE_PERCPU_ARRAY`.
    #[doc(alias = "BPF_MAP_TYPE_PERCPU_ARRAY")]
    pub const PERCPU_ARRAY: MapType = MapType(6);
    /// `BPF_MAP_TYPE_LRU_HASH`.
    #[doc(alias = "BPF_MAP_TYPE_LRU_HASH")]
    pub const LRU_HASH: MapType = MapType(9);
    /// `BPF_MAP_TYPE_LRU_PERCPU_HASH`.
    #[doc(alias = "BPF_MAP_TYPE_LRU_PERCPU_HASH")]
    pub const LRU_PERCPU_HASH: MapType = MapType(10);
    /// `BPF_MAP_TYPE_QUEUE` (key size 0).
    #[doc(alias = "BPF_MAP_TYPE_QUEUE")]
    pub const QUEUE: MapType = MapType(22);
    /// `BPF_MAP_TYPE_STACK` (key size 0).
    #[doc(alias = "BPF_MAP_TYPE_STACK")]
    pub const STACK: MapType = MapType(23);

    /// Whether values are per CPU (user space then reads one 8-byte-aligned slot per possible CPU).
    pub fn is_percpu(self) -> bool {
        matches!(self.0, 5 | 6 | 10 | 21)
    }
}

/// `BPF_ANY`: create or update.
pub const BPF_ANY: u64 = 0;
/// `BPF_NOEXIST`: create only.
pub const BPF_NOEXIST: u64 = 1;
/// `BPF_EXIST`: update only.
pub const BPF_EXIST: u64 = 2;

/// What `BPF_MAP_CREATE` is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapSpec {
    /// The map type.
    pub map_type: MapType,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes (per CPU for per-CPU maps).
    pub value_size: u32,
    /// Capacity.
    pub max_entries: u32,
    /// `BPF_F_*` creation flags (e.g. `BPF_F_NO_PREALLOC` = 1).
    pub map_flags: u32,
    /// Name (at most 15 bytes kept).
    pub name: String,
}

/// Number of possible CPUs (`/sys/devices/system/cpu/possible`), which sizes per-CPU values.
pub fn possible_cpus() -> Result<usize, KernelError> {
    let text = std::fs::read_to_string("/sys/devices/system/cpu/possible")
        .map_err(|e| KernelError::Invalid(format!("reading the possible CPU list: {e}")))?;
    let mut n = 0;
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        let bad = || KernelError::Invalid(format!("unexpected possible CPU list {text:?}"));
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (usize, usize) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        n += b.checked_sub(a).ok_or_else(bad)? + 1;
    }
    Ok(n)
}

/// A kernel map; the descriptor is closed on drop.
#[derive(Debug)]
pub struct MapFd {
    raw: RawMap,
    spec: MapSpec,
}

fn sys_err(cmd: Cmd) -> impl Fn(i32) -> KernelError {
    move |e| KernelError::sys(cmd, e)
}

impl MapFd {
    /// Creates a map.
    pub fn create(spec: &MapSpec) -> Result<MapFd, KernelError> {
        let mut name = [0u8; 16];
        for (d, s) in name.iter_mut().zip(spec.name.bytes().take(15)) {
            *d = s;
        }
        let value_len = if spec.map_type.is_percpu() {
            (spec.value_size as usize).div_ceil(8) * 8 * possible_cpus()?
        } else {
            spec.value_size as usize
        };
        let raw = sys::map_create(
            spec.map_type.0,
            spec.key_size,
            spec.value_size,
            value_len,
            spec.max_entries,
            spec.map_flags,
            name,
        )
        .map_err(sys_err(Cmd::MapCreate))?;
        Ok(MapFd { raw, spec: spec.clone() })
    }

    /// What the map was created with.
    pub fn spec(&self) -> &MapSpec {
        &self.spec
    }

    /// Bytes of one value buffer as user space transfers it (per-CPU: all CPUs' slots).
    pub fn value_len(&self) -> usize {
        self.raw.value_len()
    }

    fn check_key(&self, key: &[u8]) -> Result<(), KernelError> {
        if key.len() != self.raw.key_size() {
            return Err(KernelError::Invalid(format!("key of {} bytes, map keys are {}", key.len(), self.raw.key_size())));
        }
        Ok(())
    }

    /// The value stored under `key`, `None` when the kernel says `ENOENT`.
    pub fn lookup(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KernelError> {
        self.check_key(key)?;
        let mut value = vec![0u8; self.value_len()];
        match sys::map_elem(&self.raw, ElemOp::Lookup { key, value: &mut value }) {
            Ok(()) => Ok(Some(value)),
            Err(libc::ENOENT) => Ok(None),
            Err(e) => Err(KernelError::sys(Cmd::MapLookupElem, e)),
        }
    }

    /// Stores `value` under `key` with [`BPF_ANY`], [`BPF_NOEXIST`] or [`BPF_EXIST`] (`EEXIST`,
    /// `ENOENT` and `E2BIG` come back as [`KernelError::Sys`]).
    pub fn update(&self, key: &[u8], value: &[u8], flags: u64) -> Result<(), KernelError> {
        self.check_key(key)?;
        if value.len() != self.value_len() {
            return Err(KernelError::Invalid(format!("value of {} bytes, expected {}", value.len(), self.value_len())));
        }
        sys::map_elem(&self.raw, ElemOp::Update { key, value, flags }).map_err(sys_err(Cmd::MapUpdateElem))
    }

    /// Deletes `key` (`ENOENT` when absent, `EINVAL` for arrays).
    pub fn delete(&self, key: &[u8]) -> Result<(), KernelError> {
        self.check_key(key)?;
        sys::map_elem(&self.raw, ElemOp::Delete { key }).map_err(sys_err(Cmd::MapDeleteElem))
    }

    /// The key after `key` (the first key for `None`); `None` at the end of the iteration.
    pub fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>, KernelError> {
        if let Some(key) = key {
            self.check_key(key)?;
        }
        let mut next = vec![0u8; self.raw.key_size()];
        match sys::map_elem(&self.raw, ElemOp::NextKey { key: key.unwrap_or(&[]), next: &mut next }) {
            Ok(()) => Ok(Some(next)),
            Err(libc::ENOENT) => Ok(None),
            Err(e) => Err(KernelError::sys(Cmd::MapGetNextKey, e)),
        }
    }

    /// Every key, in the kernel's iteration order.
    pub fn keys(&self) -> Result<Vec<Vec<u8>>, KernelError> {
        let mut keys: Vec<Vec<u8>> = Vec::new();
        while let Some(k) = self.next_key(keys.last().map(Vec::as_slice))? {
            keys.push(k);
        }
        Ok(keys)
    }
}

impl AsFd for MapFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.raw.fd()
    }
}

impl AsRawFd for MapFd {
    fn as_raw_fd(&self) -> RawFd {
        self.raw.fd().as_raw_fd()
    }
}
