//! Map types as data: kernel id and name, the key and value sizes `BPF_MAP_CREATE` accepts,
//! what a lookup from a program yields, and which helpers may take a map of the type (the
//! kernel's `check_map_func_compatibility`, both directions: a map type that only works with
//! certain helpers, and a helper that only works with certain map types).
//!
//! The compatibility lists follow `kernel/bpf/verifier.c`; unlike the helper and context
//! tables they are not yet checked against the host kernel (that needs a map of every type and
//! fully valid arguments, because the check runs after the argument checks).

use std::fmt;

use crate::helper::HelperId as H;

/// A map type (`enum bpf_map_type`); `as u32` is the kernel value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
#[allow(missing_docs)]
pub enum MapType {
    #[doc(alias = "BPF_MAP_TYPE_UNSPEC")]
    Unspec = 0,
    #[doc(alias = "BPF_MAP_TYPE_HASH")]
    Hash,
    #[doc(alias = "BPF_MAP_TYPE_ARRAY")]
    Array,
    #[doc(alias = "BPF_MAP_TYPE_PROG_ARRAY")]
    ProgArray,
    #[doc(alias = "BPF_MAP_TYPE_PERF_EVENT_ARRAY")]
    PerfEventArray,
    #[doc(alias = "BPF_MAP_TYPE_PERCPU_HASH")]
    PercpuHash,
    #[doc(alias = "BPF_MAP_TYPE_PERCPU_ARRAY")]
    PercpuArray,
    #[doc(alias = "BPF_MAP_TYPE_STACK_TRACE")]
    StackTrace,
    #[doc(alias = "BPF_MAP_TYPE_CGROUP_ARRAY")]
    CgroupArray,
    #[doc(alias = "BPF_MAP_TYPE_LRU_HASH")]
    LruHash,
    #[doc(alias = "BPF_MAP_TYPE_LRU_PERCPU_HASH")]
    LruPercpuHash,
    #[doc(alias = "BPF_MAP_TYPE_LPM_TRIE")]
    LpmTrie,
    #[doc(alias = "BPF_MAP_TYPE_ARRAY_OF_MAPS")]
    ArrayOfMaps,
    #[doc(alias = "BPF_MAP_TYPE_HASH_OF_MAPS")]
    HashOfMaps,
    #[doc(alias = "BPF_MAP_TYPE_DEVMAP")]
    Devmap,
    #[doc(alias = "BPF_MAP_TYPE_SOCKMAP")]
    Sockmap,
    #[doc(alias = "BPF_MAP_TYPE_CPUMAP")]
    Cpumap,
    #[doc(alias = "BPF_MAP_TYPE_XSKMAP")]
    Xskmap,
    #[doc(alias = "BPF_MAP_TYPE_SOCKHASH")]
    Sockhash,
    #[doc(alias = "BPF_MAP_TYPE_CGROUP_STORAGE")]
    CgroupStorage,
    #[doc(alias = "BPF_MAP_TYPE_REUSEPORT_SOCKARRAY")]
    ReuseportSockarray,
    #[doc(alias = "BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE")]
    PercpuCgroupStorage,
    #[doc(alias = "BPF_MAP_TYPE_QUEUE")]
    Queue,
    #[doc(alias = "BPF_MAP_TYPE_STACK")]
    Stack,
    #[doc(alias = "BPF_MAP_TYPE_SK_STORAGE")]
    SkStorage,
    #[doc(alias = "BPF_MAP_TYPE_DEVMAP_HASH")]
    DevmapHash,
    #[doc(alias = "BPF_MAP_TYPE_STRUCT_OPS")]
    StructOps,
    #[doc(alias = "BPF_MAP_TYPE_RINGBUF")]
    Ringbuf,
    #[doc(alias = "BPF_MAP_TYPE_INODE_STORAGE")]
    InodeStorage,
    #[doc(alias = "BPF_MAP_TYPE_TASK_STORAGE")]
    TaskStorage,
    #[doc(alias = "BPF_MAP_TYPE_BLOOM_FILTER")]
    BloomFilter,
    #[doc(alias = "BPF_MAP_TYPE_USER_RINGBUF")]
    UserRingbuf,
    #[doc(alias = "BPF_MAP_TYPE_CGRP_STORAGE")]
    CgrpStorage,
    #[doc(alias = "BPF_MAP_TYPE_ARENA")]
    Arena,
}

/// A size constraint on keys or values at `BPF_MAP_CREATE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SizeRule {
    /// Must be 0.
    Zero,
    /// Exactly this many bytes.
    Exactly(u32),
    /// One of these sizes.
    OneOf(&'static [u32]),
    /// At least 1 byte.
    NonZero,
    /// A positive multiple of this many bytes.
    MultipleOf(u32),
    /// The size of the struct_ops value type (from BTF).
    FromBtf,
}

impl SizeRule {
    /// Whether `size` satisfies the rule (`FromBtf` accepts any non-zero size).
    pub fn allows(self, size: u32) -> bool {
        match self {
            SizeRule::Zero => size == 0,
            SizeRule::Exactly(n) => size == n,
            SizeRule::OneOf(list) => list.contains(&size),
            SizeRule::NonZero | SizeRule::FromBtf => size > 0,
            SizeRule::MultipleOf(n) => size > 0 && size.is_multiple_of(n),
        }
    }
}

/// What `bpf_map_lookup_elem` returns to a program for this map type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lookup {
    /// `PTR_TO_MAP_VALUE_OR_NULL` (this CPU's copy for per-CPU maps).
    Value,
    /// The inner map (`CONST_PTR_TO_MAP` or NULL): maps of maps.
    InnerMap,
    /// A referenced socket (`PTR_TO_SOCKET_OR_NULL`): sockmap, sockhash.
    Socket,
    /// `PTR_TO_XDP_SOCK` or NULL: xskmap.
    XdpSock,
    /// Not callable from programs for this map type.
    NotAllowed,
}

/// Everything the platform knows about one map type.
#[derive(Clone, Copy, Debug)]
pub struct MapTypeInfo {
    /// The type.
    pub map_type: MapType,
    /// Name as bpftool prints it (`"percpu_array"`).
    pub name: &'static str,
    /// Key size rule.
    pub key: SizeRule,
    /// Value size rule.
    pub value: SizeRule,
    /// Whether user space sees one value per possible CPU.
    pub percpu: bool,
    /// What a program's lookup yields.
    pub lookup: Lookup,
    /// When `Some`, the only helpers a map of this type may be passed to (first half of
    /// `check_map_func_compatibility`); `None`: any map helper whose own list allows it.
    pub helpers: Option<&'static [H]>,
    /// Needs BTF for its value (storage maps, struct_ops).
    pub needs_btf: bool,
}

const fn m(map_type: MapType, name: &'static str, key: SizeRule, value: SizeRule) -> MapTypeInfo {
    MapTypeInfo { map_type, name, key, value, percpu: false, lookup: Lookup::Value, helpers: None, needs_btf: false }
}

impl MapTypeInfo {
    const fn percpu(self) -> Self {
        MapTypeInfo { percpu: true, ..self }
    }
    const fn lookup(self, lookup: Lookup) -> Self {
        MapTypeInfo { lookup, ..self }
    }
    const fn only(self, helpers: &'static [H]) -> Self {
        MapTypeInfo { helpers: Some(helpers), ..self }
    }
    const fn btf(self) -> Self {
        MapTypeInfo { needs_btf: true, ..self }
    }
}

use SizeRule::{Exactly, MultipleOf, NonZero, OneOf, Zero};
const U32: SizeRule = Exactly(4);
const FD_OR_EXT: SizeRule = OneOf(&[4, 8]);
const NO_LOOKUP: Lookup = Lookup::NotAllowed;

/// One row per map type, in kernel order (index = kernel value).
pub static MAP_TYPES: [MapTypeInfo; 34] = [
    m(MapType::Unspec, "unspec", Zero, Zero).lookup(NO_LOOKUP).only(&[]),
    m(MapType::Hash, "hash", NonZero, NonZero),
    m(MapType::Array, "array", U32, NonZero),
    m(MapType::ProgArray, "prog_array", U32, U32).lookup(NO_LOOKUP).only(&[H::TAIL_CALL]),
    m(MapType::PerfEventArray, "perf_event_array", U32, U32).lookup(NO_LOOKUP).only(&[
        H::PERF_EVENT_READ,
        H::PERF_EVENT_OUTPUT,
        H::PERF_EVENT_READ_VALUE,
        H::SKB_OUTPUT,
        H::XDP_OUTPUT,
    ]),
    m(MapType::PercpuHash, "percpu_hash", NonZero, NonZero).percpu(),
    m(MapType::PercpuArray, "percpu_array", U32, NonZero).percpu(),
    m(MapType::StackTrace, "stack_trace", U32, MultipleOf(8)).lookup(NO_LOOKUP).only(&[H::GET_STACKID]),
    m(MapType::CgroupArray, "cgroup_array", U32, U32)
        .lookup(NO_LOOKUP)
        .only(&[H::SKB_UNDER_CGROUP, H::CURRENT_TASK_UNDER_CGROUP]),
    m(MapType::LruHash, "lru_hash", NonZero, NonZero),
    m(MapType::LruPercpuHash, "lru_percpu_hash", NonZero, NonZero).percpu(),
    // struct bpf_lpm_trie_key_u8: a u32 prefix length followed by the data.
    m(MapType::LpmTrie, "lpm_trie", NonZero, NonZero),
    m(MapType::ArrayOfMaps, "array_of_maps", U32, U32).lookup(Lookup::InnerMap).only(&[H::MAP_LOOKUP_ELEM]),
    m(MapType::HashOfMaps, "hash_of_maps", NonZero, U32).lookup(Lookup::InnerMap).only(&[H::MAP_LOOKUP_ELEM]),
    m(MapType::Devmap, "devmap", U32, FD_OR_EXT).only(&[H::REDIRECT_MAP, H::MAP_LOOKUP_ELEM]),
    m(MapType::Sockmap, "sockmap", U32, FD_OR_EXT).lookup(Lookup::Socket).only(&[
        H::SK_REDIRECT_MAP,
        H::SOCK_MAP_UPDATE,
        H::MSG_REDIRECT_MAP,
        H::SK_SELECT_REUSEPORT,
        H::MAP_LOOKUP_ELEM,
        H::MAP_UPDATE_ELEM,
        H::MAP_DELETE_ELEM,
    ]),
    m(MapType::Cpumap, "cpumap", U32, FD_OR_EXT).lookup(NO_LOOKUP).only(&[H::REDIRECT_MAP]),
    m(MapType::Xskmap, "xskmap", U32, U32).lookup(Lookup::XdpSock).only(&[H::REDIRECT_MAP, H::MAP_LOOKUP_ELEM]),
    m(MapType::Sockhash, "sockhash", NonZero, FD_OR_EXT).lookup(Lookup::Socket).only(&[
        H::SK_REDIRECT_HASH,
        H::SOCK_HASH_UPDATE,
        H::MSG_REDIRECT_HASH,
        H::SK_SELECT_REUSEPORT,
        H::MAP_LOOKUP_ELEM,
        H::MAP_UPDATE_ELEM,
        H::MAP_DELETE_ELEM,
    ]),
    // struct bpf_cgroup_storage_key (16 bytes) or a u64 cgroup inode id.
    m(MapType::CgroupStorage, "cgroup_storage", OneOf(&[8, 16]), NonZero).lookup(NO_LOOKUP).only(&[H::GET_LOCAL_STORAGE]),
    m(MapType::ReuseportSockarray, "reuseport_sockarray", U32, FD_OR_EXT)
        .lookup(NO_LOOKUP)
        .only(&[H::SK_SELECT_REUSEPORT]),
    m(MapType::PercpuCgroupStorage, "percpu_cgroup_storage", OneOf(&[8, 16]), NonZero)
        .percpu()
        .lookup(NO_LOOKUP)
        .only(&[H::GET_LOCAL_STORAGE]),
    m(MapType::Queue, "queue", Zero, NonZero).lookup(NO_LOOKUP).only(&[
        H::MAP_PEEK_ELEM,
        H::MAP_POP_ELEM,
        H::MAP_PUSH_ELEM,
    ]),
    m(MapType::Stack, "stack", Zero, NonZero).lookup(NO_LOOKUP).only(&[
        H::MAP_PEEK_ELEM,
        H::MAP_POP_ELEM,
        H::MAP_PUSH_ELEM,
    ]),
    m(MapType::SkStorage, "sk_storage", U32, NonZero)
        .lookup(NO_LOOKUP)
        .only(&[H::SK_STORAGE_GET, H::SK_STORAGE_DELETE, H::KPTR_XCHG])
        .btf(),
    m(MapType::DevmapHash, "devmap_hash", U32, FD_OR_EXT).only(&[H::REDIRECT_MAP, H::MAP_LOOKUP_ELEM]),
    m(MapType::StructOps, "struct_ops", U32, SizeRule::FromBtf).lookup(NO_LOOKUP).only(&[]).btf(),
    m(MapType::Ringbuf, "ringbuf", Zero, Zero).lookup(NO_LOOKUP).only(&[
        H::RINGBUF_OUTPUT,
        H::RINGBUF_RESERVE,
        H::RINGBUF_QUERY,
        H::RINGBUF_RESERVE_DYNPTR,
        H::RINGBUF_SUBMIT_DYNPTR,
        H::RINGBUF_DISCARD_DYNPTR,
    ]),
    m(MapType::InodeStorage, "inode_storage", U32, NonZero)
        .lookup(NO_LOOKUP)
        .only(&[H::INODE_STORAGE_GET, H::INODE_STORAGE_DELETE, H::KPTR_XCHG])
        .btf(),
    m(MapType::TaskStorage, "task_storage", U32, NonZero)
        .lookup(NO_LOOKUP)
        .only(&[H::TASK_STORAGE_GET, H::TASK_STORAGE_DELETE, H::KPTR_XCHG])
        .btf(),
    m(MapType::BloomFilter, "bloom_filter", Zero, NonZero).lookup(NO_LOOKUP).only(&[H::MAP_PEEK_ELEM, H::MAP_PUSH_ELEM]),
    m(MapType::UserRingbuf, "user_ringbuf", Zero, Zero).lookup(NO_LOOKUP).only(&[H::USER_RINGBUF_DRAIN]),
    m(MapType::CgrpStorage, "cgrp_storage", U32, NonZero)
        .lookup(NO_LOOKUP)
        .only(&[H::CGRP_STORAGE_GET, H::CGRP_STORAGE_DELETE, H::KPTR_XCHG])
        .btf(),
    // Pages are mapped into user space and the program; programs reach it through pointers,
    // not helpers.
    m(MapType::Arena, "arena", Zero, Zero).lookup(NO_LOOKUP).only(&[]),
];

impl MapType {
    /// The `enum bpf_map_type` value.
    pub const fn raw(self) -> u32 {
        self as u32
    }

    /// The type with this kernel value.
    pub fn from_raw(raw: u32) -> Option<MapType> {
        MAP_TYPES.get(raw as usize).map(|i| i.map_type)
    }

    /// The type with this bpftool name.
    pub fn from_name(name: &str) -> Option<MapType> {
        MAP_TYPES.iter().find(|i| i.name == name).map(|i| i.map_type)
    }

    /// Its descriptor.
    pub fn info(self) -> &'static MapTypeInfo {
        &MAP_TYPES[self as usize]
    }
}

impl fmt::Display for MapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().name)
    }
}

/// The map types a helper restricts its map argument to (second half of
/// `check_map_func_compatibility`); `None` for helpers that take any map their map type allows
/// (`map_lookup_elem`, `for_each_map_elem`, ...) or take no map.
pub fn map_types_for_helper(id: H) -> Option<&'static [MapType]> {
    use MapType as M;
    Some(match id {
        H::TAIL_CALL => &[M::ProgArray],
        H::PERF_EVENT_READ | H::PERF_EVENT_OUTPUT | H::PERF_EVENT_READ_VALUE | H::SKB_OUTPUT | H::XDP_OUTPUT => {
            &[M::PerfEventArray]
        }
        H::RINGBUF_OUTPUT | H::RINGBUF_RESERVE | H::RINGBUF_QUERY | H::RINGBUF_RESERVE_DYNPTR => &[M::Ringbuf],
        H::USER_RINGBUF_DRAIN => &[M::UserRingbuf],
        H::GET_STACKID => &[M::StackTrace],
        H::CURRENT_TASK_UNDER_CGROUP | H::SKB_UNDER_CGROUP => &[M::CgroupArray],
        H::REDIRECT_MAP => &[M::Devmap, M::DevmapHash, M::Cpumap, M::Xskmap],
        H::SK_REDIRECT_MAP | H::MSG_REDIRECT_MAP | H::SOCK_MAP_UPDATE => &[M::Sockmap],
        H::SK_REDIRECT_HASH | H::MSG_REDIRECT_HASH | H::SOCK_HASH_UPDATE => &[M::Sockhash],
        H::GET_LOCAL_STORAGE => &[M::CgroupStorage, M::PercpuCgroupStorage],
        H::SK_SELECT_REUSEPORT => &[M::ReuseportSockarray, M::Sockmap, M::Sockhash],
        H::MAP_POP_ELEM => &[M::Queue, M::Stack],
        H::MAP_PEEK_ELEM | H::MAP_PUSH_ELEM => &[M::Queue, M::Stack, M::BloomFilter],
        H::MAP_LOOKUP_PERCPU_ELEM => &[M::PercpuArray, M::PercpuHash, M::LruPercpuHash],
        H::SK_STORAGE_GET | H::SK_STORAGE_DELETE => &[M::SkStorage],
        H::INODE_STORAGE_GET | H::INODE_STORAGE_DELETE => &[M::InodeStorage],
        H::TASK_STORAGE_GET | H::TASK_STORAGE_DELETE => &[M::TaskStorage],
        H::CGRP_STORAGE_GET | H::CGRP_STORAGE_DELETE => &[M::CgrpStorage],
        _ => return None,
    })
}

/// Whether a map of type `map` may be passed to helper `id`; the error is the kernel's message
/// (`cannot pass map_type 3 into func bpf_map_lookup_elem#1`).
pub fn check_map_func_compatibility(map: MapType, id: H) -> Result<(), String> {
    let by_map = map.info().helpers.is_none_or(|list| list.contains(&id));
    let by_helper = map_types_for_helper(id).is_none_or(|list| list.contains(&map));
    if by_map && by_helper {
        Ok(())
    } else {
        Err(format!("cannot pass map_type {} into func {id}", map.raw()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_and_names() {
        for (i, info) in MAP_TYPES.iter().enumerate() {
            assert_eq!(info.map_type.raw() as usize, i);
            assert_eq!(MapType::from_name(info.name), Some(info.map_type));
        }
    }

    #[test]
    fn compatibility() {
        assert!(check_map_func_compatibility(MapType::Hash, H::MAP_LOOKUP_ELEM).is_ok());
        assert!(check_map_func_compatibility(MapType::ProgArray, H::TAIL_CALL).is_ok());
        assert_eq!(
            check_map_func_compatibility(MapType::ProgArray, H::MAP_LOOKUP_ELEM).unwrap_err(),
            "cannot pass map_type 3 into func bpf_map_lookup_elem#1"
        );
        assert!(check_map_func_compatibility(MapType::Hash, H::TAIL_CALL).is_err());
        assert!(check_map_func_compatibility(MapType::Queue, H::MAP_PUSH_ELEM).is_ok());
        assert!(check_map_func_compatibility(MapType::Hash, H::MAP_PUSH_ELEM).is_err());
        assert!(check_map_func_compatibility(MapType::Ringbuf, H::RINGBUF_RESERVE).is_ok());
        assert!(check_map_func_compatibility(MapType::Array, H::RINGBUF_OUTPUT).is_err());
        assert!(check_map_func_compatibility(MapType::PercpuArray, H::MAP_LOOKUP_PERCPU_ELEM).is_ok());
        assert!(check_map_func_compatibility(MapType::Array, H::MAP_LOOKUP_PERCPU_ELEM).is_err());
        // Every helper a map type lists must accept that map type in turn.
        for info in &MAP_TYPES {
            for &id in info.helpers.unwrap_or(&[]) {
                if id == H::RINGBUF_SUBMIT_DYNPTR || id == H::RINGBUF_DISCARD_DYNPTR || id == H::KPTR_XCHG {
                    continue; // take no map argument
                }
                assert!(check_map_func_compatibility(info.map_type, id).is_ok(), "{} {id}", info.name);
            }
        }
    }

    #[test]
    fn size_rules() {
        assert!(MapType::Array.info().key.allows(4));
        assert!(!MapType::Array.info().key.allows(8));
        assert!(MapType::Queue.info().key.allows(0));
        assert!(MapType::StackTrace.info().value.allows(16) && !MapType::StackTrace.info().value.allows(12));
    }
}
