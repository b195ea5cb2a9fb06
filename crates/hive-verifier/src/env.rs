//! What the verifier is told about a program besides its instructions: the program type,
//! the licence, the maps its `lddw` pseudo-instructions name, the kfuncs it may call, and
//! (for analysis tools and PREVAIL-style test cases) an explicit entry state.
//!
//! The kernel learns all of this from `BPF_PROG_LOAD`'s attributes and its file-descriptor
//! table; Hive's callers (the runtime's load pipeline, `hive verify`, the corpus runners)
//! fill a [`ProgramEnv`] instead, so the verifier never touches maps or descriptors itself.

use hive_platform::kfunc::KfuncRegistry;
use hive_platform::map::MapType;
use hive_platform::prog::{AttachType, ProgType};

use crate::scalar::Scalar;

/// What the verifier needs to know of a map: the attributes of `BPF_MAP_CREATE` and the
/// special fields its value's BTF declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapMeta {
    /// The map type.
    pub map_type: MapType,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// `max_entries`.
    pub max_entries: u32,
    /// `map_flags` (`BPF_F_RDONLY_PROG`, `BPF_F_WRONLY_PROG`, `BPF_F_NO_PREALLOC`, ...).
    pub map_flags: u32,
    /// For map-in-map types: the inner map template.
    pub inner: Option<Box<MapMeta>>,
    /// Offset of a `struct bpf_spin_lock` in the value, if the value's BTF has one.
    pub spin_lock_off: Option<u32>,
    /// Offset of a `struct bpf_timer` in the value, if any.
    pub timer_off: Option<u32>,
    /// Offsets of `__kptr` fields in the value, if any.
    pub kptr_offs: Vec<u32>,
    /// Those of [`MapMeta::kptr_offs`] that hold referenced pointers (`__kptr`, not
    /// `__kptr_untrusted`): only these may be exchanged with `bpf_kptr_xchg`.
    pub kptr_refs: Vec<u32>,
    /// The map is frozen (`BPF_MAP_FREEZE`) and read-only to programs: loads from it
    /// through a direct value address are known constants, as `.rodata` is in the kernel.
    pub frozen: bool,
}

impl MapMeta {
    /// A map with these attributes and no special fields.
    pub fn new(map_type: MapType, key_size: u32, value_size: u32, max_entries: u32) -> MapMeta {
        MapMeta {
            map_type,
            key_size,
            value_size,
            max_entries,
            map_flags: 0,
            inner: None,
            spin_lock_off: None,
            timer_off: None,
            kptr_offs: Vec::new(),
            kptr_refs: Vec::new(),
            frozen: false,
        }
    }
}

/// How the verifier finds the map a pseudo `lddw` names.
pub trait MapResolver {
    /// The map of descriptor `fd` (`BPF_PSEUDO_MAP_FD` = 1, `BPF_PSEUDO_MAP_VALUE` = 2).
    fn by_fd(&self, fd: i32) -> Option<MapMeta>;
    /// The map at `fd_array[idx]` (`BPF_PSEUDO_MAP_IDX` = 5, `BPF_PSEUDO_MAP_IDX_VALUE` = 6).
    fn by_index(&self, idx: u32) -> Option<MapMeta> {
        let _ = idx;
        None
    }
}

/// No maps at all: every pseudo map load is refused (`fd N is not pointing to valid bpf_map`).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMaps;

impl MapResolver for NoMaps {
    fn by_fd(&self, _: i32) -> Option<MapMeta> {
        None
    }
}

/// Maps listed by descriptor: `(fd, meta)` pairs; `by_index` is the position in the list.
impl MapResolver for [(i32, MapMeta)] {
    fn by_fd(&self, fd: i32) -> Option<MapMeta> {
        self.iter().find(|(f, _)| *f == fd).map(|(_, m)| m.clone())
    }
    fn by_index(&self, idx: u32) -> Option<MapMeta> {
        self.get(usize::try_from(idx).ok()?).map(|(_, m)| m.clone())
    }
}

/// The same, owned (a slice cannot be a `&dyn MapResolver` itself).
impl MapResolver for Vec<(i32, MapMeta)> {
    fn by_fd(&self, fd: i32) -> Option<MapMeta> {
        self.as_slice().by_fd(fd)
    }
    fn by_index(&self, idx: u32) -> Option<MapMeta> {
        self.as_slice().by_index(idx)
    }
}

/// One register of an explicit entry state (see [`EntryState`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryReg {
    /// Not initialised: reading it is `R<n> !read_ok`.
    Uninit,
    /// A number in this abstract value.
    Scalar(Scalar),
    /// A pointer into the context at a fixed offset.
    Ctx {
        /// Offset from the start of the context.
        off: i32,
    },
    /// A pointer into the frame's stack, `off` bytes from the frame pointer (negative).
    Stack {
        /// Offset from `r10`.
        off: i32,
    },
    /// A packet pointer `off` bytes past `data` (a variable part is allowed).
    Packet {
        /// Offset from the packet start.
        off: Scalar,
    },
    /// `data_meta`.
    PacketMeta,
    /// `data_end`.
    PacketEnd,
    /// A pointer into a region of `size` bytes of shared memory (a map value), `off` bytes in.
    Memory {
        /// Size of the region.
        size: u32,
        /// Offset into it.
        off: Scalar,
    },
    /// A map pointer (`lddw r, map[...]`), the map given by its metadata.
    Map(MapMeta),
}

/// An explicit entry state replacing the kernel's (r1 = ctx, r10 = frame pointer, the rest
/// uninitialised). PREVAIL's test cases give one; so may a tool verifying a code fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryState {
    /// Registers r0..=r9 (r10 is always the frame pointer).
    pub regs: [EntryReg; 10],
    /// Stack bytes known to hold numbers at entry: `(offset from r10, length, value)` where
    /// `value` is the scalar the bytes hold if known (only for 1, 2, 4, 8-byte aligned runs).
    pub stack: Vec<(i32, u32, Option<Scalar>)>,
    /// The packet's size is at least this many bytes (`data + n <= data_end` holds at entry).
    pub packet_min_size: u32,
}

impl Default for EntryState {
    fn default() -> Self {
        EntryState { regs: std::array::from_fn(|_| EntryReg::Uninit), stack: Vec::new(), packet_min_size: 0 }
    }
}

/// Everything about the program except its instructions.
pub struct ProgramEnv<'a> {
    /// The program type (`BPF_PROG_TYPE_UNSPEC` is verified as a socket filter, as the
    /// kernel's selftests load it).
    pub prog_type: ProgType,
    /// The expected attach type.
    pub attach_type: AttachType,
    /// Whether the licence is GPL-compatible (GPL-only helpers and kfuncs need it).
    pub gpl: bool,
    /// The maps pseudo `lddw`s may name.
    pub maps: &'a dyn MapResolver,
    /// The kfuncs `call` with `src_reg = 2` (`BPF_PSEUDO_KFUNC_CALL`) may name, by `imm`.
    pub kfuncs: Option<&'a KfuncRegistry>,
    /// The program is sleepable (`BPF_F_SLEEPABLE`).
    pub sleepable: bool,
    /// An explicit entry state instead of the kernel's.
    pub entry: Option<EntryState>,
}

impl ProgramEnv<'static> {
    /// A GPL program of `prog_type` with no maps, no kfuncs, the kernel's entry state.
    pub fn new(prog_type: ProgType) -> Self {
        ProgramEnv {
            prog_type,
            attach_type: AttachType::default(),
            gpl: true,
            maps: &NoMaps,
            kfuncs: None,
            sleepable: false,
            entry: None,
        }
    }
}

impl std::fmt::Debug for ProgramEnv<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgramEnv")
            .field("prog_type", &self.prog_type)
            .field("attach_type", &self.attach_type)
            .field("gpl", &self.gpl)
            .field("sleepable", &self.sleepable)
            .field("entry", &self.entry)
            .finish_non_exhaustive()
    }
}
