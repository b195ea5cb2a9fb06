//! The map handle: [`Map`] does the checks the kernel's `bpf()` syscall layer does before it
//! calls a map type (buffer sizes, `BPF_F_LOCK` without a spin lock, access flags), then
//! dispatches to the type's [`MapOps`], the analogue of `struct bpf_map_ops`.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::error::{MapError, Result};
use crate::spec::{MapSpec, MapType, elem, flags};
use crate::storage::ValueRef;
use crate::{Executor, FdObject};

/// One map type's operations (the kernel's `struct bpf_map_ops`).
///
/// [`Map`] has already checked the buffers: `key.len() == key_size`, user-space value buffers
/// are `MapSpec::user_value_size` long and program-side ones `value_size` long. Operations a
/// type does not have default to the kernel's answer for a missing op.
/// The values of an array map as one block: value `i` (`i < count`) is the `value_size`
/// bytes at `base + i * stride`, for as long as the map lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueBlock {
    /// Address of value 0.
    pub base: u64,
    /// Bytes from one value to the next (the value size rounded up to 8).
    pub stride: u32,
    /// Number of values (`max_entries`).
    pub count: u32,
}

impl ValueBlock {
    /// The index of the value containing `[addr, addr + len)`, if one does.
    pub fn index_of(&self, addr: u64, len: usize, value_size: u32) -> Option<u32> {
        let off = addr.checked_sub(self.base)?;
        let i = off / u64::from(self.stride);
        let within = off % u64::from(self.stride);
        (i < u64::from(self.count) && within + len as u64 <= u64::from(value_size)).then_some(i as u32)
    }
}

pub trait MapOps: Send + Sync + fmt::Debug + Any {
    /// The concrete type, for typed access (`Map::ringbuf`, ...).
    fn as_any(&self) -> &dyn Any;

    /// User-space lookup: copies the value (per-CPU: every slot) into `value`.
    fn lookup(&self, key: &[u8], value: &mut [u8], flags: u64) -> Result<()>;
    /// User-space update with `BPF_ANY`/`BPF_NOEXIST`/`BPF_EXIST` (`| BPF_F_LOCK`).
    fn update(&self, key: &[u8], value: &[u8], flags: u64) -> Result<()>;
    /// Deletes `key`.
    fn delete(&self, key: &[u8]) -> Result<()>;
    /// Writes the key after `key` (the first key for `None` or an absent key) into `next`.
    fn next_key(&self, key: Option<&[u8]>, next: &mut [u8]) -> Result<()>;
    /// `BPF_MAP_LOOKUP_AND_DELETE_ELEM`.
    fn lookup_and_delete(&self, _key: &[u8], _value: &mut [u8], _flags: u64) -> Result<()> {
        Err(MapError::NotSupported)
    }
    /// Installs an object (program, map, perf buffer) in an fd-valued map; `id` is what
    /// user-space lookups return.
    fn update_object(&self, _key: &[u8], _id: u32, _object: FdObject, _flags: u64) -> Result<()> {
        Err(MapError::Invalid("this map does not hold objects"))
    }
    /// The object under `key` in an fd-valued map.
    fn lookup_object(&self, _key: &[u8]) -> Option<FdObject> {
        None
    }

    /// `bpf_map_lookup_elem` from a program: the value's stable address (per-CPU: the
    /// executor's slot).
    fn prog_lookup<'a>(&'a self, _exec: &Executor, _key: &[u8]) -> Option<ValueRef<'a>> {
        None
    }
    /// `bpf_map_lookup_percpu_elem`: slot `cpu` of a per-CPU map.
    fn prog_lookup_percpu<'a>(&'a self, _key: &[u8], _cpu: usize) -> Option<ValueRef<'a>> {
        None
    }
    /// Where the values sit, when they are one fixed block whose address never changes and
    /// no executor has its own copy (see [`ValueBlock`]).
    fn value_block(&self) -> Option<ValueBlock> {
        None
    }
    /// `bpf_map_update_elem` from a program (per-CPU: only the executor's slot).
    fn prog_update(&self, _exec: &Executor, key: &[u8], value: &[u8], flags: u64) -> Result<()> {
        self.update(key, value, flags)
    }
    /// `bpf_map_delete_elem` from a program.
    fn prog_delete(&self, _exec: &Executor, key: &[u8]) -> Result<()> {
        self.delete(key)
    }
    /// `bpf_map_push_elem`.
    fn push(&self, _value: &[u8], _flags: u64) -> Result<()> {
        Err(MapError::NotSupported)
    }
    /// `bpf_map_pop_elem`.
    fn pop(&self, _value: &mut [u8]) -> Result<()> {
        Err(MapError::NotSupported)
    }
    /// `bpf_map_peek_elem` (bloom filter: `value` is the input and is only read).
    fn peek(&self, _value: &mut [u8]) -> Result<()> {
        Err(MapError::NotSupported)
    }
    /// Number of elements, where the type counts them.
    fn len(&self) -> Option<usize> {
        None
    }
    /// Whether a counting map is empty.
    fn is_empty(&self) -> Option<bool> {
        self.len().map(|n| n == 0)
    }
}

/// A live map: its spec, its executor count and its storage.
///
/// Shared between threads as `Arc<Map>`; every operation takes `&self`.
pub struct Map {
    spec: MapSpec,
    executors: usize,
    ops: Box<dyn MapOps>,
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map").field("spec", &self.spec).field("executors", &self.executors).finish_non_exhaustive()
    }
}

impl Map {
    /// Creates a map after validating `spec` like the kernel (same `errno` per refusal).
    /// `executors` is how many program executors may run at once; per-CPU maps keep one
    /// value slot for each.
    pub fn create(spec: MapSpec, executors: usize) -> Result<Map> {
        spec.check(executors)?;
        let mut spec = spec;
        let ops: Box<dyn MapOps> = match spec.map_type {
            MapType::Array | MapType::PercpuArray => Box::new(crate::array::ArrayMap::new(&spec, executors)?),
            MapType::Hash | MapType::PercpuHash | MapType::LruHash | MapType::LruPercpuHash => {
                let h = crate::hash::HashMap::new(&spec, executors)?;
                spec.max_entries = h.max_entries();
                Box::new(h)
            }
            MapType::LpmTrie => Box::new(crate::lpm_trie::LpmTrie::new(&spec)),
            MapType::Queue | MapType::Stack => Box::new(crate::queue_stack::QueueStack::new(&spec)),
            MapType::BloomFilter => Box::new(crate::bloom::BloomFilter::new(&spec)),
            MapType::RingBuf => Box::new(crate::ringbuf::RingBuf::new(&spec)?),
            MapType::ProgArray | MapType::PerfEventArray | MapType::ArrayOfMaps => {
                Box::new(crate::fd_array::FdArray::new(&spec, executors))
            }
            MapType::HashOfMaps => Box::new(crate::hash_of_maps::HashOfMaps::new(&spec)),
        };
        Ok(Map { spec, executors, ops })
    }

    /// What the map was created with (`max_entries` as adjusted by the type, like the
    /// kernel's LRU rounding with `BPF_F_NO_COMMON_LRU`).
    pub fn spec(&self) -> &MapSpec {
        &self.spec
    }

    /// The map type.
    pub fn map_type(&self) -> MapType {
        self.spec.map_type
    }

    /// Executors (per-CPU slots).
    pub fn executors(&self) -> usize {
        self.executors
    }

    /// Bytes of a value buffer for the user-space operations.
    pub fn user_value_size(&self) -> usize {
        self.spec.user_value_size(self.executors)
    }

    /// The type's operations, for typed access through [`MapOps::as_any`].
    pub fn ops(&self) -> &dyn MapOps {
        &*self.ops
    }

    /// The ring buffer behind a `BPF_MAP_TYPE_RINGBUF` map.
    pub fn ringbuf(&self) -> Option<&crate::RingBuf> {
        self.ops.as_any().downcast_ref()
    }

    /// The number of elements, for the types that count them.
    pub fn len(&self) -> Option<usize> {
        self.ops.len()
    }

    /// Whether a counting map holds no element.
    pub fn is_empty(&self) -> Option<bool> {
        self.len().map(|n| n == 0)
    }

    fn check_key(&self, key: &[u8]) -> Result<()> {
        if key.len() != self.spec.key_size as usize {
            return Err(MapError::Invalid("key size does not match the map"));
        }
        Ok(())
    }

    fn check_value(&self, value: usize) -> Result<()> {
        if value != self.user_value_size() {
            return Err(MapError::Invalid("value buffer size does not match the map"));
        }
        Ok(())
    }

    fn check_lock(&self, f: u64) -> Result<()> {
        if f & elem::LOCK != 0 && self.spec.spin_lock_off.is_none() {
            return Err(MapError::Invalid("BPF_F_LOCK on a value without a spin lock"));
        }
        Ok(())
    }

    fn readable(&self) -> Result<()> {
        if self.spec.map_flags & flags::WRONLY != 0 {
            return Err(MapError::Perm("map is write-only for user space"));
        }
        Ok(())
    }

    fn writable(&self) -> Result<()> {
        if self.spec.map_flags & flags::RDONLY != 0 {
            return Err(MapError::Perm("map is read-only for user space"));
        }
        Ok(())
    }

    /// `BPF_MAP_LOOKUP_ELEM`: copies the value into `value` (per-CPU maps: one
    /// 8-byte-rounded slot per executor). Queues and stacks peek; a bloom filter reads `value`
    /// as the element to test.
    #[doc(alias = "BPF_MAP_LOOKUP_ELEM")]
    pub fn lookup(&self, key: &[u8], value: &mut [u8], flags: u64) -> Result<()> {
        if flags & !elem::LOCK != 0 {
            return Err(MapError::Invalid("lookup flags other than BPF_F_LOCK"));
        }
        self.check_lock(flags)?;
        self.readable()?;
        self.check_key(key)?;
        self.check_value(value.len())?;
        self.ops.lookup(key, value, flags)
    }

    /// [`lookup`](Self::lookup) into a new vector.
    pub fn lookup_vec(&self, key: &[u8]) -> Result<Vec<u8>> {
        let mut v = vec![0; self.user_value_size()];
        self.lookup(key, &mut v, 0)?;
        Ok(v)
    }

    /// `BPF_MAP_UPDATE_ELEM` with [`elem::ANY`], [`elem::NOEXIST`] or [`elem::EXIST`],
    /// optionally `| elem::LOCK`. Queues, stacks and bloom filters push (empty key).
    #[doc(alias = "BPF_MAP_UPDATE_ELEM")]
    pub fn update(&self, key: &[u8], value: &[u8], flags: u64) -> Result<()> {
        self.check_lock(flags)?;
        self.writable()?;
        self.check_key(key)?;
        self.check_value(value.len())?;
        self.ops.update(key, value, flags)
    }

    /// `BPF_MAP_UPDATE_ELEM` on an fd-valued map (prog array, perf event array, map-in-map):
    /// `object` is what the fd named, `id` what user-space lookups will return.
    pub fn update_object(&self, key: &[u8], id: u32, object: FdObject, flags: u64) -> Result<()> {
        self.writable()?;
        self.check_key(key)?;
        self.ops.update_object(key, id, object, flags)
    }

    /// `BPF_MAP_DELETE_ELEM`.
    #[doc(alias = "BPF_MAP_DELETE_ELEM")]
    pub fn delete(&self, key: &[u8]) -> Result<()> {
        self.writable()?;
        self.check_key(key)?;
        self.ops.delete(key)
    }

    /// `BPF_MAP_GET_NEXT_KEY` into `next`: the first key for `None` (and, for hash maps and
    /// tries, for an absent key); [`MapError::NotFound`] after the last.
    #[doc(alias = "BPF_MAP_GET_NEXT_KEY")]
    pub fn next_key_into(&self, key: Option<&[u8]>, next: &mut [u8]) -> Result<()> {
        self.readable()?;
        if let Some(k) = key {
            self.check_key(k)?;
        }
        self.check_key(next)?;
        self.ops.next_key(key, next)
    }

    /// [`next_key_into`](Self::next_key_into) returning a vector, `None` at the end.
    pub fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>> {
        let mut next = vec![0; self.spec.key_size as usize];
        match self.next_key_into(key, &mut next) {
            Ok(()) => Ok(Some(next)),
            Err(MapError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every key in iteration order (following `next_key` from `None`).
    pub fn keys(&self) -> Result<Vec<Vec<u8>>> {
        let mut keys: Vec<Vec<u8>> = Vec::new();
        while let Some(k) = self.next_key(keys.last().map(Vec::as_slice))? {
            keys.push(k);
        }
        Ok(keys)
    }

    /// `BPF_MAP_LOOKUP_AND_DELETE_ELEM`: hash maps (with `BPF_F_LOCK` where allowed), and
    /// queue/stack pop (empty key).
    #[doc(alias = "BPF_MAP_LOOKUP_AND_DELETE_ELEM")]
    pub fn lookup_and_delete(&self, key: &[u8], value: &mut [u8], flags: u64) -> Result<()> {
        self.check_lock(flags)?;
        self.readable()?;
        self.writable()?;
        self.check_key(key)?;
        self.check_value(value.len())?;
        self.ops.lookup_and_delete(key, value, flags)
    }

    /// The object under `key` in an fd-valued map (tail-call target, inner map, perf buffer).
    pub fn lookup_object(&self, key: &[u8]) -> Option<FdObject> {
        if key.len() != self.spec.key_size as usize {
            return None;
        }
        self.ops.lookup_object(key)
    }

    /// The inner map under `key` of a map-in-map (what `bpf_map_lookup_elem` gives a program).
    pub fn lookup_inner_map(&self, key: &[u8]) -> Option<Arc<Map>> {
        match self.lookup_object(key)? {
            FdObject::Map(m) => Some(m),
            _ => None,
        }
    }

    /// `bpf_tail_call`'s target: the program object in slot `index` of a prog array.
    pub fn tail_call_target(&self, index: u32) -> Option<Arc<dyn Any + Send + Sync>> {
        if self.spec.map_type != MapType::ProgArray {
            return None;
        }
        match self.ops.lookup_object(&index.to_ne_bytes())? {
            FdObject::Prog(p) => Some(p),
            _ => None,
        }
    }

    // ---- program side -------------------------------------------------------------------

    /// `bpf_map_lookup_elem` from a program: the value's stable address, or `None`. Per-CPU
    /// maps give the executor's slot; LRU maps mark the element referenced. Map-in-map
    /// lookups go through [`lookup_inner_map`](Self::lookup_inner_map) instead.
    ///
    /// The value is a run of `AtomicU64` words ([`ValueRef::words`]); an engine that checks
    /// accesses can register exactly those words as the region the pointer may reach.
    pub fn prog_lookup<'a>(&'a self, exec: &Executor, key: &[u8]) -> Option<ValueRef<'a>> {
        if key.len() != self.spec.key_size as usize || exec.cpu() >= self.executors {
            return None;
        }
        self.ops.prog_lookup(exec, key)
    }

    /// Where an array's values sit ([`ValueBlock`]): for arrays whose every executor shares
    /// one copy (plain arrays, and per-CPU arrays of a single executor). A compiler may then
    /// look values up as `base + index * stride` in line, which is what
    /// [`prog_lookup`](Self::prog_lookup) returns for them. `None` for other maps.
    pub fn value_block(&self) -> Option<ValueBlock> {
        self.ops.value_block()
    }

    /// `bpf_map_lookup_percpu_elem`: slot `cpu` of a per-CPU map.
    pub fn prog_lookup_percpu<'a>(&'a self, key: &[u8], cpu: usize) -> Option<ValueRef<'a>> {
        if key.len() != self.spec.key_size as usize || cpu >= self.executors {
            return None;
        }
        self.ops.prog_lookup_percpu(key, cpu)
    }

    /// `bpf_map_update_elem` from a program (`value` is one `value_size` slot).
    pub fn prog_update(&self, exec: &Executor, key: &[u8], value: &[u8], flags: u64) -> Result<()> {
        self.check_key(key)?;
        if value.len() != self.spec.value_size as usize || exec.cpu() >= self.executors {
            return Err(MapError::Invalid("value size or executor out of range"));
        }
        self.ops.prog_update(exec, key, value, flags)
    }

    /// `bpf_map_delete_elem` from a program.
    pub fn prog_delete(&self, exec: &Executor, key: &[u8]) -> Result<()> {
        self.check_key(key)?;
        self.ops.prog_delete(exec, key)
    }

    fn check_slot(&self, len: usize) -> Result<()> {
        if len != self.spec.value_size as usize {
            return Err(MapError::Invalid("value size does not match the map"));
        }
        Ok(())
    }

    /// `bpf_map_push_elem` (queue, stack, bloom filter).
    pub fn push(&self, value: &[u8], flags: u64) -> Result<()> {
        self.check_slot(value.len())?;
        self.ops.push(value, flags)
    }

    /// `bpf_map_pop_elem` (queue, stack).
    pub fn pop(&self, value: &mut [u8]) -> Result<()> {
        self.check_slot(value.len())?;
        self.ops.pop(value)
    }

    /// `bpf_map_peek_elem` (queue, stack; bloom filter tests `value`).
    pub fn peek(&self, value: &mut [u8]) -> Result<()> {
        self.check_slot(value.len())?;
        self.ops.peek(value)
    }
}
