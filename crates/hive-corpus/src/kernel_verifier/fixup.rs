//! The maps `test_verifier.c` creates for its `fixup_map_*` fields.
//!
//! Each kind of fixup creates one map per test (however many instructions it patches) and
//! writes its descriptor into the `imm` of the `BPF_LD_MAP_FD` at each listed index. Sizes
//! follow the selftest: `struct test_val` is 48 bytes (`unsigned index; int foo[11]`),
//! `struct other_val` 16, `TEST_DATA_LEN` 64; hash maps get `BPF_F_NO_PREALLOC`; the maps with
//! special fields carry the selftest's BTF (`struct val { int cnt; struct bpf_spin_lock l; }`,
//! `struct timer { struct bpf_timer t; }`, `struct btf_ptr` with three `__kptr` pointers).
//!
//! Hive patches a fake descriptor ([`Fixup::fd`]) that the runner's `MapResolver` maps to the
//! [`MapMeta`]; the oracle example creates real maps from [`Fixup::kernel_map`].

use hive_platform::map::MapType;
use hive_verifier::MapMeta;

/// `BPF_F_NO_PREALLOC`.
const NO_PREALLOC: u32 = 1;
/// `BPF_F_RDONLY_PROG`.
const RDONLY_PROG: u32 = 1 << 7;
/// `BPF_F_WRONLY_PROG`.
const WRONLY_PROG: u32 = 1 << 8;
/// `sizeof(struct test_val)`.
const TEST_VAL: u32 = 48;
/// `sizeof(struct other_val)`.
const OTHER_VAL: u32 = 16;
/// `TEST_DATA_LEN`.
const TEST_DATA_LEN: u32 = 64;
/// `sizeof(struct bpf_cgroup_storage_key)`.
const CGROUP_STORAGE_KEY: u32 = 16;
/// `getpagesize()` on the machines the selftests run on.
const PAGE_SIZE: u32 = 4096;

/// A `fixup_*` field of `struct bpf_test` that creates a map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fixup {
    /// `fixup_map_hash_8b`: hash, key 8, value 8.
    Hash8b,
    /// `fixup_map_hash_48b`: hash, key 8, value 48.
    Hash48b,
    /// `fixup_map_hash_16b`: hash, key 8, value 16.
    Hash16b,
    /// `fixup_map_array_48b`: array, key 4, value 48.
    Array48b,
    /// `fixup_prog1`: prog array of 4.
    Prog1,
    /// `fixup_prog2`: prog array of 8.
    Prog2,
    /// `fixup_map_in_map`: array of maps whose inner map is an array of one int.
    MapInMap,
    /// `fixup_cgroup_storage`.
    CgroupStorage,
    /// `fixup_percpu_cgroup_storage`.
    PercpuCgroupStorage,
    /// `fixup_map_sockmap`.
    Sockmap,
    /// `fixup_map_sockhash`.
    Sockhash,
    /// `fixup_map_xskmap`.
    Xskmap,
    /// `fixup_map_stacktrace`.
    Stacktrace,
    /// `fixup_map_spin_lock`: array, value `struct val` with a spin lock at 4.
    SpinLock,
    /// `fixup_map_array_ro`: array of `test_val`, `BPF_F_RDONLY_PROG`.
    ArrayRo,
    /// `fixup_map_array_wo`: array of `test_val`, `BPF_F_WRONLY_PROG`.
    ArrayWo,
    /// `fixup_map_array_small`: array, value 1 byte.
    ArraySmall,
    /// `fixup_sk_storage_map`: sk storage of `struct val` (spin lock at 4).
    SkStorage,
    /// `fixup_map_event_output`: perf event array.
    EventOutput,
    /// `fixup_map_reuseport_array`.
    ReuseportArray,
    /// `fixup_map_ringbuf`: ring buffer of one page.
    Ringbuf,
    /// `fixup_map_timer`: array, value `struct timer` (a `bpf_timer` at 0).
    Timer,
    /// `fixup_map_kptr`: array, value `struct btf_ptr` (three kptrs at 0, 8, 16).
    Kptr,
}

/// What `BPF_MAP_CREATE` gets for a fixup, for the oracle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelMap {
    /// `enum bpf_map_type`.
    pub map_type: u32,
    /// Key size.
    pub key_size: u32,
    /// Value size.
    pub value_size: u32,
    /// `max_entries`.
    pub max_entries: u32,
    /// `map_flags`.
    pub map_flags: u32,
    /// Why the oracle cannot create it (BTF or an inner map needed), if so.
    pub unsupported: Option<&'static str>,
}

impl Fixup {
    /// Every kind, in `test_verifier.c`'s order (which is also the `map_fds[]` order).
    pub const ALL: [Fixup; 23] = [
        Fixup::Hash8b,
        Fixup::Hash48b,
        Fixup::Hash16b,
        Fixup::Array48b,
        Fixup::Prog1,
        Fixup::Prog2,
        Fixup::MapInMap,
        Fixup::CgroupStorage,
        Fixup::PercpuCgroupStorage,
        Fixup::Sockmap,
        Fixup::Sockhash,
        Fixup::Xskmap,
        Fixup::Stacktrace,
        Fixup::SpinLock,
        Fixup::ArrayRo,
        Fixup::ArrayWo,
        Fixup::ArraySmall,
        Fixup::SkStorage,
        Fixup::EventOutput,
        Fixup::ReuseportArray,
        Fixup::Ringbuf,
        Fixup::Timer,
        Fixup::Kptr,
    ];

    /// The JSON field name (`fixup_map_hash_8b`).
    pub fn key(self) -> &'static str {
        match self {
            Fixup::Hash8b => "fixup_map_hash_8b",
            Fixup::Hash48b => "fixup_map_hash_48b",
            Fixup::Hash16b => "fixup_map_hash_16b",
            Fixup::Array48b => "fixup_map_array_48b",
            Fixup::Prog1 => "fixup_prog1",
            Fixup::Prog2 => "fixup_prog2",
            Fixup::MapInMap => "fixup_map_in_map",
            Fixup::CgroupStorage => "fixup_cgroup_storage",
            Fixup::PercpuCgroupStorage => "fixup_percpu_cgroup_storage",
            Fixup::Sockmap => "fixup_map_sockmap",
            Fixup::Sockhash => "fixup_map_sockhash",
            Fixup::Xskmap => "fixup_map_xskmap",
            Fixup::Stacktrace => "fixup_map_stacktrace",
            Fixup::SpinLock => "fixup_map_spin_lock",
            Fixup::ArrayRo => "fixup_map_array_ro",
            Fixup::ArrayWo => "fixup_map_array_wo",
            Fixup::ArraySmall => "fixup_map_array_small",
            Fixup::SkStorage => "fixup_sk_storage_map",
            Fixup::EventOutput => "fixup_map_event_output",
            Fixup::ReuseportArray => "fixup_map_reuseport_array",
            Fixup::Ringbuf => "fixup_map_ringbuf",
            Fixup::Timer => "fixup_map_timer",
            Fixup::Kptr => "fixup_map_kptr",
        }
    }

    /// The kind named by a JSON field.
    pub fn from_key(key: &str) -> Option<Fixup> {
        Fixup::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The fake descriptor Hive's runner patches in: small, distinct, like a real process's.
    pub fn fd(self) -> i32 {
        3 + Fixup::ALL.iter().position(|&f| f == self).unwrap_or(0) as i32
    }

    /// The map as the verifier sees it.
    pub fn meta(self) -> MapMeta {
        let k = self.kernel_map();
        let map_type = MapType::from_raw(k.map_type).unwrap_or(MapType::Unspec);
        let mut m = MapMeta::new(map_type, k.key_size, k.value_size, k.max_entries);
        m.map_flags = k.map_flags;
        match self {
            Fixup::MapInMap => m.inner = Some(Box::new(MapMeta::new(MapType::Array, 4, 4, 1))),
            Fixup::SpinLock | Fixup::SkStorage => m.spin_lock_off = Some(4),
            Fixup::Timer => m.timer_off = Some(0),
            Fixup::Kptr => m.kptr_offs = vec![0, 8, 16],
            _ => {}
        }
        m
    }

    /// The map as `test_verifier.c` creates it.
    pub fn kernel_map(self) -> KernelMap {
        let (map_type, key_size, value_size, max_entries, map_flags, unsupported) = match self {
            Fixup::Hash8b => (MapType::Hash, 8, 8, 1, NO_PREALLOC, None),
            Fixup::Hash48b => (MapType::Hash, 8, TEST_VAL, 1, NO_PREALLOC, None),
            Fixup::Hash16b => (MapType::Hash, 8, OTHER_VAL, 1, NO_PREALLOC, None),
            Fixup::Array48b => (MapType::Array, 4, TEST_VAL, 1, 0, None),
            Fixup::Prog1 => (MapType::ProgArray, 4, 4, 4, 0, None),
            Fixup::Prog2 => (MapType::ProgArray, 4, 4, 8, 0, None),
            Fixup::MapInMap => (MapType::ArrayOfMaps, 4, 4, 1, 0, Some("needs an inner map fd")),
            Fixup::CgroupStorage => (MapType::CgroupStorage, CGROUP_STORAGE_KEY, TEST_DATA_LEN, 0, 0, None),
            Fixup::PercpuCgroupStorage => {
                (MapType::PercpuCgroupStorage, CGROUP_STORAGE_KEY, TEST_DATA_LEN, 0, 0, None)
            }
            Fixup::Sockmap => (MapType::Sockmap, 4, 4, 1, 0, None),
            Fixup::Sockhash => (MapType::Sockhash, 4, 4, 1, 0, None),
            Fixup::Xskmap => (MapType::Xskmap, 4, 4, 1, 0, None),
            Fixup::Stacktrace => (MapType::StackTrace, 4, 8, 1, 0, None),
            Fixup::SpinLock => (MapType::Array, 4, 8, 1, 0, Some("needs map BTF (bpf_spin_lock)")),
            Fixup::ArrayRo => (MapType::Array, 4, TEST_VAL, 1, RDONLY_PROG, None),
            Fixup::ArrayWo => (MapType::Array, 4, TEST_VAL, 1, WRONLY_PROG, None),
            Fixup::ArraySmall => (MapType::Array, 4, 1, 1, 0, None),
            Fixup::SkStorage => (MapType::SkStorage, 4, 8, 0, NO_PREALLOC, Some("needs map BTF (bpf_spin_lock)")),
            Fixup::EventOutput => (MapType::PerfEventArray, 4, 4, 1, 0, None),
            Fixup::ReuseportArray => (MapType::ReuseportSockarray, 4, 8, 1, 0, None),
            Fixup::Ringbuf => (MapType::Ringbuf, 0, 0, PAGE_SIZE, 0, None),
            Fixup::Timer => (MapType::Array, 4, 16, 1, 0, Some("needs map BTF (bpf_timer)")),
            Fixup::Kptr => (MapType::Array, 4, 24, 1, 0, Some("needs map BTF (__kptr fields)")),
        };
        KernelMap { map_type: map_type as u32, key_size, value_size, max_entries, map_flags, unsupported }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_fds_are_distinct() {
        let mut fds: Vec<i32> = Fixup::ALL.iter().map(|f| f.fd()).collect();
        for f in Fixup::ALL {
            assert_eq!(Fixup::from_key(f.key()), Some(f));
        }
        fds.dedup();
        assert_eq!(fds.len(), Fixup::ALL.len());
        assert_eq!(Fixup::Kptr.meta().kptr_offs, [0, 8, 16]);
        assert_eq!(Fixup::Hash48b.meta().value_size, 48);
    }
}
