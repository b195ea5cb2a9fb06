//! What a map is created with: the kernel's `BPF_MAP_CREATE` attributes as plain data, the map
//! type numbers, and the flag constants. Validation lives next to each map type (as the
//! kernel's `map_alloc_check` does) and is reached through [`MapSpec::check`].

use crate::error::{MapError, Result};

/// `enum bpf_map_type`, restricted to the types Hive implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MapType {
    /// Hash table with per-bucket locks.
    #[doc(alias = "BPF_MAP_TYPE_HASH")]
    Hash,
    /// Fixed array indexed by a `u32`.
    #[doc(alias = "BPF_MAP_TYPE_ARRAY")]
    Array,
    /// Program array for tail calls.
    #[doc(alias = "BPF_MAP_TYPE_PROG_ARRAY")]
    ProgArray,
    /// Perf event array (`bpf_perf_event_output`).
    #[doc(alias = "BPF_MAP_TYPE_PERF_EVENT_ARRAY")]
    PerfEventArray,
    /// Hash table with one value slot per executor.
    #[doc(alias = "BPF_MAP_TYPE_PERCPU_HASH")]
    PercpuHash,
    /// Array with one value slot per executor.
    #[doc(alias = "BPF_MAP_TYPE_PERCPU_ARRAY")]
    PercpuArray,
    /// Hash table that evicts instead of failing when full.
    #[doc(alias = "BPF_MAP_TYPE_LRU_HASH")]
    LruHash,
    /// LRU hash table with one value slot per executor.
    #[doc(alias = "BPF_MAP_TYPE_LRU_PERCPU_HASH")]
    LruPercpuHash,
    /// Longest-prefix-match trie.
    #[doc(alias = "BPF_MAP_TYPE_LPM_TRIE")]
    LpmTrie,
    /// Array whose values are maps.
    #[doc(alias = "BPF_MAP_TYPE_ARRAY_OF_MAPS")]
    ArrayOfMaps,
    /// Hash table whose values are maps.
    #[doc(alias = "BPF_MAP_TYPE_HASH_OF_MAPS")]
    HashOfMaps,
    /// FIFO of values.
    #[doc(alias = "BPF_MAP_TYPE_QUEUE")]
    Queue,
    /// LIFO of values.
    #[doc(alias = "BPF_MAP_TYPE_STACK")]
    Stack,
    /// Multi-producer single-consumer ring buffer, memory-mappable.
    #[doc(alias = "BPF_MAP_TYPE_RINGBUF")]
    RingBuf,
    /// Bloom filter (no false negatives).
    #[doc(alias = "BPF_MAP_TYPE_BLOOM_FILTER")]
    BloomFilter,
}

impl MapType {
    /// Every implemented type.
    pub const ALL: [MapType; 15] = [
        MapType::Hash,
        MapType::Array,
        MapType::ProgArray,
        MapType::PerfEventArray,
        MapType::PercpuHash,
        MapType::PercpuArray,
        MapType::LruHash,
        MapType::LruPercpuHash,
        MapType::LpmTrie,
        MapType::ArrayOfMaps,
        MapType::HashOfMaps,
        MapType::Queue,
        MapType::Stack,
        MapType::RingBuf,
        MapType::BloomFilter,
    ];

    /// The kernel's number for this type.
    pub fn to_raw(self) -> u32 {
        match self {
            MapType::Hash => 1,
            MapType::Array => 2,
            MapType::ProgArray => 3,
            MapType::PerfEventArray => 4,
            MapType::PercpuHash => 5,
            MapType::PercpuArray => 6,
            MapType::LruHash => 9,
            MapType::LruPercpuHash => 10,
            MapType::LpmTrie => 11,
            MapType::ArrayOfMaps => 12,
            MapType::HashOfMaps => 13,
            MapType::Queue => 22,
            MapType::Stack => 23,
            MapType::RingBuf => 27,
            MapType::BloomFilter => 30,
        }
    }

    /// The type with kernel number `raw`, if Hive implements it.
    pub fn from_raw(raw: u32) -> Option<MapType> {
        MapType::ALL.into_iter().find(|t| t.to_raw() == raw)
    }

    /// The kernel's spelling (`BPF_MAP_TYPE_HASH`).
    pub fn kernel_name(self) -> &'static str {
        match self {
            MapType::Hash => "BPF_MAP_TYPE_HASH",
            MapType::Array => "BPF_MAP_TYPE_ARRAY",
            MapType::ProgArray => "BPF_MAP_TYPE_PROG_ARRAY",
            MapType::PerfEventArray => "BPF_MAP_TYPE_PERF_EVENT_ARRAY",
            MapType::PercpuHash => "BPF_MAP_TYPE_PERCPU_HASH",
            MapType::PercpuArray => "BPF_MAP_TYPE_PERCPU_ARRAY",
            MapType::LruHash => "BPF_MAP_TYPE_LRU_HASH",
            MapType::LruPercpuHash => "BPF_MAP_TYPE_LRU_PERCPU_HASH",
            MapType::LpmTrie => "BPF_MAP_TYPE_LPM_TRIE",
            MapType::ArrayOfMaps => "BPF_MAP_TYPE_ARRAY_OF_MAPS",
            MapType::HashOfMaps => "BPF_MAP_TYPE_HASH_OF_MAPS",
            MapType::Queue => "BPF_MAP_TYPE_QUEUE",
            MapType::Stack => "BPF_MAP_TYPE_STACK",
            MapType::RingBuf => "BPF_MAP_TYPE_RINGBUF",
            MapType::BloomFilter => "BPF_MAP_TYPE_BLOOM_FILTER",
        }
    }

    /// Whether values have one slot per executor.
    pub fn is_percpu(self) -> bool {
        matches!(self, MapType::PercpuHash | MapType::PercpuArray | MapType::LruPercpuHash)
    }

    /// Whether this is one of the four hash-table types.
    pub fn is_hash(self) -> bool {
        matches!(self, MapType::Hash | MapType::PercpuHash | MapType::LruHash | MapType::LruPercpuHash)
    }

    /// Whether this is an LRU hash type.
    pub fn is_lru(self) -> bool {
        matches!(self, MapType::LruHash | MapType::LruPercpuHash)
    }

    /// Whether this is a map-in-map type.
    pub fn is_map_in_map(self) -> bool {
        matches!(self, MapType::ArrayOfMaps | MapType::HashOfMaps)
    }
}

/// `BPF_MAP_CREATE` flags (`map_flags`).
pub mod flags {
    /// Allocate hash elements on demand instead of up front.
    #[doc(alias = "BPF_F_NO_PREALLOC")]
    pub const NO_PREALLOC: u32 = 1 << 0;
    /// LRU lists per CPU instead of one common list.
    #[doc(alias = "BPF_F_NO_COMMON_LRU")]
    pub const NO_COMMON_LRU: u32 = 1 << 1;
    /// `numa_node` is valid (accepted and ignored).
    #[doc(alias = "BPF_F_NUMA_NODE")]
    pub const NUMA_NODE: u32 = 1 << 2;
    /// User space may only read.
    #[doc(alias = "BPF_F_RDONLY")]
    pub const RDONLY: u32 = 1 << 3;
    /// User space may only write.
    #[doc(alias = "BPF_F_WRONLY")]
    pub const WRONLY: u32 = 1 << 4;
    /// Stack trace maps store build ids (not implemented, rejected).
    #[doc(alias = "BPF_F_STACK_BUILD_ID")]
    pub const STACK_BUILD_ID: u32 = 1 << 5;
    /// Hash with a zero seed (deterministic bucket order).
    #[doc(alias = "BPF_F_ZERO_SEED")]
    pub const ZERO_SEED: u32 = 1 << 6;
    /// Programs may only read.
    #[doc(alias = "BPF_F_RDONLY_PROG")]
    pub const RDONLY_PROG: u32 = 1 << 7;
    /// Programs may only write.
    #[doc(alias = "BPF_F_WRONLY_PROG")]
    pub const WRONLY_PROG: u32 = 1 << 8;
    /// Clone on `bpf_sk_storage` (not used by Hive's maps).
    #[doc(alias = "BPF_F_CLONE")]
    pub const CLONE: u32 = 1 << 9;
    /// Array memory may be mapped into user space.
    #[doc(alias = "BPF_F_MMAPABLE")]
    pub const MMAPABLE: u32 = 1 << 10;
    /// Perf event array keeps its events when the map's creator closes it.
    #[doc(alias = "BPF_F_PRESERVE_ELEMS")]
    pub const PRESERVE_ELEMS: u32 = 1 << 11;
    /// Inner map template whose `max_entries` may differ between inner maps.
    #[doc(alias = "BPF_F_INNER_MAP")]
    pub const INNER_MAP: u32 = 1 << 12;
    /// The four access flags.
    #[doc(alias = "BPF_F_ACCESS_MASK")]
    pub const ACCESS_MASK: u32 = RDONLY | RDONLY_PROG | WRONLY | WRONLY_PROG;
}

/// Element-command flags (`flags` of update/lookup).
pub mod elem {
    /// Create or update.
    #[doc(alias = "BPF_ANY")]
    pub const ANY: u64 = 0;
    /// Create only: `EEXIST` when present.
    #[doc(alias = "BPF_NOEXIST")]
    pub const NOEXIST: u64 = 1;
    /// Update only: `ENOENT` when absent.
    #[doc(alias = "BPF_EXIST")]
    pub const EXIST: u64 = 2;
    /// Copy under the value's `struct bpf_spin_lock`.
    #[doc(alias = "BPF_F_LOCK")]
    pub const LOCK: u64 = 4;
}

/// The largest `kmalloc` the kernel allows (x86-64: 4 MiB); bounds value sizes.
pub const KMALLOC_MAX_SIZE: u64 = 1 << 22;
/// Per-CPU values are bounded by the per-CPU allocator's unit (32 KiB).
pub const PCPU_MIN_UNIT_SIZE: u64 = 32 << 10;
/// Programs build keys on their 512-byte stack.
pub const MAX_BPF_STACK: u32 = 512;

/// Everything a map is created from: the `BPF_MAP_CREATE` attributes that matter to Hive.
///
/// `numa_node`, `map_ifindex`, BTF ids other than the spin lock offset, and the token are not
/// represented; the spin lock offset stands for what the kernel learns from BTF (the offset of
/// `struct bpf_spin_lock` inside the value, which enables [`elem::LOCK`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapSpec {
    /// The type.
    pub map_type: MapType,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes (one slot for per-CPU maps).
    pub value_size: u32,
    /// Capacity (ring buffer: data size in bytes).
    pub max_entries: u32,
    /// `BPF_F_*` creation flags ([`flags`]).
    pub map_flags: u32,
    /// `map_extra` (bloom filter: number of hash functions in the low 4 bits).
    pub map_extra: u64,
    /// The offset of the value's `struct bpf_spin_lock`, as BTF would give it.
    pub spin_lock_off: Option<u32>,
    /// The inner map template for map-in-map types (the kernel's `inner_map_fd`).
    pub inner: Option<Box<MapSpec>>,
    /// Name (at most 15 bytes are significant, as in the kernel).
    pub name: String,
}

impl MapSpec {
    /// A spec with no flags, no inner map and no spin lock.
    pub fn new(map_type: MapType, key_size: u32, value_size: u32, max_entries: u32) -> MapSpec {
        MapSpec {
            map_type,
            key_size,
            value_size,
            max_entries,
            map_flags: 0,
            map_extra: 0,
            spin_lock_off: None,
            inner: None,
            name: String::new(),
        }
    }

    /// The same spec with `map_flags` set.
    pub fn with_flags(mut self, map_flags: u32) -> MapSpec {
        self.map_flags = map_flags;
        self
    }

    /// The same spec with a `struct bpf_spin_lock` at `offset` in the value.
    pub fn with_spin_lock(mut self, offset: u32) -> MapSpec {
        self.spin_lock_off = Some(offset);
        self
    }

    /// Bytes of one value slot as stored: `value_size` rounded up to 8.
    pub fn slot_size(&self) -> usize {
        (self.value_size as usize).div_ceil(8) * 8
    }

    /// Bytes of a value as user space transfers it: `value_size`, or for per-CPU maps one
    /// 8-byte-rounded slot per executor (the kernel's `round_up(value_size, 8) * nr_cpus`).
    pub fn user_value_size(&self, executors: usize) -> usize {
        if self.map_type.is_percpu() {
            self.slot_size() * executors
        } else {
            self.value_size as usize
        }
    }

    /// Validates the attributes as the kernel's `map_alloc_check`/`map_alloc` do, with the
    /// same `errno` for each refusal.
    pub fn check(&self, executors: usize) -> Result<()> {
        if executors == 0 {
            return Err(MapError::Invalid("a map needs at least one executor"));
        }
        if !access_ok(self.map_flags) {
            return Err(MapError::Invalid("BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together"));
        }
        if let Some(off) = self.spin_lock_off {
            if off % 4 != 0 || u64::from(off) + 4 > u64::from(self.value_size) {
                return Err(MapError::Invalid("spin lock outside the value or misaligned"));
            }
            // The kernel's map_check_btf: among Hive's types only hash and array maps may
            // embed a `struct bpf_spin_lock`.
            if !matches!(self.map_type, MapType::Hash | MapType::Array) {
                return Err(MapError::OpNotSupported);
            }
        }
        match self.map_type {
            MapType::Array | MapType::PercpuArray => crate::array::check(self),
            MapType::ProgArray | MapType::PerfEventArray | MapType::ArrayOfMaps => crate::fd_array::check(self),
            MapType::Hash | MapType::PercpuHash | MapType::LruHash | MapType::LruPercpuHash => {
                crate::hash::check(self)
            }
            MapType::HashOfMaps => crate::hash_of_maps::check(self),
            MapType::LpmTrie => crate::lpm_trie::check(self),
            MapType::Queue | MapType::Stack => crate::queue_stack::check(self),
            MapType::RingBuf => crate::ringbuf::check(self),
            MapType::BloomFilter => crate::bloom::check(self),
        }
    }
}

/// The kernel's `bpf_map_flags_access_ok`: a map cannot be both read-only and write-only for
/// programs.
pub(crate) fn access_ok(map_flags: u32) -> bool {
    let both = flags::RDONLY_PROG | flags::WRONLY_PROG;
    map_flags & both != both
}
