//! Maps as registry objects: `BPF_MAP_CREATE`, the element and batch commands, info, and the
//! handle ([`MapRef`]) programs and descriptors hold.
//!
//! Storage and semantics are `hive-maps`'; this module adds what the `bpf()` layer adds:
//! name and BTF checks, descriptors for inner maps and prog arrays (the value of an fd-valued
//! map is a descriptor on update and an id on lookup), ids, and the user-reference count.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use hive_btf::TypeId;
use hive_maps::{Batch, BatchCursor, FdObject, Map, MapSpec, MapType};
use hive_platform::prog::ProgType;
use parking_lot::Mutex;

use crate::btf::BtfObject;
use crate::error::{Error, Result};
use crate::fd::{Client, MapUser, Object};
use crate::ids::{Fd, MapId};

/// `BPF_OBJ_NAME_LEN`: names hold at most 15 bytes.
pub const OBJ_NAME_LEN: usize = 16;

/// The kernel's `bpf_obj_name_cpy`: at most 15 bytes of `[A-Za-z0-9_.]`.
pub(crate) fn check_name(name: &str) -> Result<()> {
    if name.len() >= OBJ_NAME_LEN {
        return Err(Error::invalid("object name longer than 15 bytes"));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
        return Err(Error::invalid("object name may only hold [A-Za-z0-9_.]"));
    }
    Ok(())
}

/// `BPF_MAP_CREATE` attributes.
#[derive(Clone, Debug)]
pub struct MapCreateAttr {
    /// The map type.
    pub map_type: MapType,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// Capacity (ring buffer: data bytes).
    pub max_entries: u32,
    /// `BPF_F_*` flags ([`hive_maps::flags`]).
    pub map_flags: u32,
    /// The inner map template of a map-in-map.
    pub inner_map_fd: Option<Fd>,
    /// `map_extra` (bloom filter hash count).
    pub map_extra: u64,
    /// Name (at most 15 bytes of `[A-Za-z0-9_.]`).
    pub name: String,
    /// BTF describing key and value.
    pub btf_fd: Option<Fd>,
    /// BTF type of the key (0: none).
    pub btf_key_type_id: u32,
    /// BTF type of the value.
    pub btf_value_type_id: u32,
}

impl MapCreateAttr {
    /// Attributes with no flags, name, inner map or BTF.
    pub fn new(map_type: MapType, key_size: u32, value_size: u32, max_entries: u32) -> MapCreateAttr {
        MapCreateAttr {
            map_type,
            key_size,
            value_size,
            max_entries,
            map_flags: 0,
            inner_map_fd: None,
            map_extra: 0,
            name: String::new(),
            btf_fd: None,
            btf_key_type_id: 0,
            btf_value_type_id: 0,
        }
    }

    /// The same with `name`.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }

    /// The same with `map_flags`.
    pub fn flags(mut self, map_flags: u32) -> Self {
        self.map_flags = map_flags;
        self
    }
}

/// What the registry knows about a map besides its storage.
#[derive(Debug)]
pub(crate) struct MapMeta {
    pub(crate) id: MapId,
    pub(crate) name: String,
    pub(crate) btf: Option<Arc<BtfObject>>,
    pub(crate) btf_key_type_id: u32,
    pub(crate) btf_value_type_id: u32,
    /// Descriptors (user references); see `fd::MapUser`.
    pub(crate) usercnt: AtomicUsize,
    /// A prog array's owner program type (the kernel's `bpf_map_owner`), set by the first
    /// program stored in it or loaded with it.
    pub(crate) owner: Mutex<Option<ProgType>>,
}

/// A map handle: its storage and metadata. What descriptors, programs and map slots hold.
#[derive(Clone, Debug)]
pub struct MapRef {
    pub(crate) map: Arc<Map>,
    pub(crate) meta: Arc<MapMeta>,
}

impl MapRef {
    /// The storage.
    pub fn map(&self) -> &Arc<Map> {
        &self.map
    }

    /// The global id.
    pub fn id(&self) -> MapId {
        self.meta.id
    }

    /// The map type.
    pub fn map_type(&self) -> MapType {
        self.map.map_type()
    }

    /// The value programs use for this map in `lddw` (the storage's address; helpers look it
    /// up, nothing dereferences it).
    pub(crate) fn handle(&self) -> u64 {
        Arc::as_ptr(&self.map) as u64
    }

    /// The last descriptor went away: a prog array drops its programs (`prog_array_map_clear`).
    pub(crate) fn release_uref(&self) {
        if self.map.map_type() == MapType::ProgArray {
            for i in 0..self.map.spec().max_entries {
                let _ = self.map.delete(&i.to_ne_bytes());
            }
        }
    }

    /// Checks or sets the program type a prog array serves (`bpf_prog_map_compatible`).
    pub(crate) fn claim_owner(&self, t: ProgType) -> bool {
        let mut owner = self.meta.owner.lock();
        match *owner {
            Some(o) => o == t,
            None => {
                *owner = Some(t);
                true
            }
        }
    }
}

/// What `BPF_OBJ_GET_INFO_BY_FD` reports about a map (`struct bpf_map_info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapInfo {
    /// Map type.
    pub map_type: MapType,
    /// Global id.
    pub id: MapId,
    /// Key size.
    pub key_size: u32,
    /// Value size.
    pub value_size: u32,
    /// Capacity (after the type's adjustments).
    pub max_entries: u32,
    /// Creation flags.
    pub map_flags: u32,
    /// Name.
    pub name: String,
    /// BTF object id (0: none).
    pub btf_id: u32,
    /// BTF key type.
    pub btf_key_type_id: u32,
    /// BTF value type.
    pub btf_value_type_id: u32,
    /// `map_extra`.
    pub map_extra: u64,
}

impl Client {
    /// `BPF_MAP_CREATE`.
    #[doc(alias = "BPF_MAP_CREATE")]
    pub fn map_create(&self, attr: &MapCreateAttr) -> Result<Fd> {
        check_name(&attr.name)?;
        let mut spec = MapSpec::new(attr.map_type, attr.key_size, attr.value_size, attr.max_entries);
        spec.map_flags = attr.map_flags;
        spec.map_extra = attr.map_extra;
        spec.name = attr.name.clone();
        if let Some(fd) = attr.inner_map_fd {
            if !attr.map_type.is_map_in_map() {
                return Err(Error::invalid("inner_map_fd on a map that is not a map-in-map"));
            }
            spec.inner = Some(Box::new(self.map(fd)?.map.spec().clone()));
        }
        let btf = match attr.btf_fd {
            Some(fd) => {
                let b = self.btf(fd)?;
                let (k, v) = (TypeId(attr.btf_key_type_id), TypeId(attr.btf_value_type_id));
                if attr.btf_value_type_id == 0 || !b.btf.check_map_types(k, attr.key_size, v, attr.value_size) {
                    return Err(Error::invalid("BTF key/value types do not match key_size/value_size"));
                }
                spec.spin_lock_off = b.spin_lock_off(v);
                Some(b)
            }
            None if attr.btf_key_type_id != 0 || attr.btf_value_type_id != 0 => {
                return Err(Error::invalid("BTF type ids without a BTF fd"));
            }
            None => None,
        };
        let map = Arc::new(Map::create(spec, self.shared.config.executors)?);
        let meta = self.shared.maps.lock().insert(&map, |id| MapMeta {
            id,
            name: attr.name.clone(),
            btf,
            btf_key_type_id: attr.btf_key_type_id,
            btf_value_type_id: attr.btf_value_type_id,
            usercnt: AtomicUsize::new(0),
            owner: Mutex::new(None),
        })?;
        Ok(self.install(Object::Map(MapUser::new(MapRef { map, meta }))))
    }

    /// `BPF_MAP_GET_FD_BY_ID`.
    #[doc(alias = "BPF_MAP_GET_FD_BY_ID")]
    pub fn map_get_fd_by_id(&self, id: MapId) -> Result<Fd> {
        let map = self.shared.maps.lock().get(id.0).ok_or(Error::NotFound("no map with this id"))?;
        Ok(self.install(Object::Map(MapUser::new(map))))
    }

    /// The handle behind a map descriptor (for the typed API and embedders).
    pub fn map_ref(&self, fd: Fd) -> Result<MapRef> {
        self.map(fd)
    }

    /// `BPF_MAP_LOOKUP_ELEM` into `value` (`flags`: 0 or `BPF_F_LOCK`). Fd-valued maps
    /// return the id of the object in the slot.
    #[doc(alias = "BPF_MAP_LOOKUP_ELEM")]
    pub fn map_lookup_elem(&self, fd: Fd, key: &[u8], value: &mut [u8], flags: u64) -> Result<()> {
        let m = self.map(fd)?;
        if m.map_type().is_map_in_map() {
            // The kernel returns the inner map's id.
            if value.len() != 4 || flags != 0 {
                return Err(Error::invalid("map-in-map lookups return a 4-byte id"));
            }
            let inner = m.map.lookup_inner_map(key).ok_or(hive_maps::MapError::NotFound)?;
            let id = self.shared.maps.lock().by_storage(&inner).map_or(0, |r| r.id().0);
            value.copy_from_slice(&id.to_ne_bytes());
            return Ok(());
        }
        Ok(m.map.lookup(key, value, flags)?)
    }

    /// [`map_lookup_elem`](Self::map_lookup_elem) into a new vector.
    pub fn map_lookup(&self, fd: Fd, key: &[u8]) -> Result<Vec<u8>> {
        let m = self.map(fd)?;
        let len = if m.map_type().is_map_in_map() { 4 } else { m.map.user_value_size() };
        let mut v = vec![0; len];
        self.map_lookup_elem(fd, key, &mut v, 0)?;
        Ok(v)
    }

    /// Resolves the descriptor an fd-valued map is updated with into the object it names.
    fn fd_value(&self, m: &MapRef, value: &[u8]) -> Result<(u32, FdObject)> {
        let raw: [u8; 4] = value.try_into().map_err(|_| Error::invalid("fd-valued maps take a 4-byte descriptor"))?;
        let fd = Fd(u32::from_ne_bytes(raw));
        match m.map_type() {
            MapType::ProgArray => {
                let p = self.prog(fd)?;
                if !m.claim_owner(p.info.prog_type) {
                    return Err(Error::invalid("program type differs from the prog array's owner"));
                }
                Ok((p.id.0, FdObject::Prog(p)))
            }
            MapType::ArrayOfMaps | MapType::HashOfMaps => {
                let inner = self.map(fd)?;
                Ok((inner.id().0, FdObject::Map(inner.map)))
            }
            MapType::PerfEventArray => {
                Err(Error::Unsupported("perf event descriptors: use Client::perf_buffer_attach"))
            }
            _ => unreachable!("not an fd-valued map"),
        }
    }

    /// `BPF_MAP_UPDATE_ELEM` (`flags`: `BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`, `| BPF_F_LOCK`).
    /// Prog arrays and map-in-maps take a descriptor as value.
    #[doc(alias = "BPF_MAP_UPDATE_ELEM")]
    pub fn map_update_elem(&self, fd: Fd, key: &[u8], value: &[u8], flags: u64) -> Result<()> {
        let m = self.map(fd)?;
        if matches!(m.map_type(), MapType::ProgArray | MapType::ArrayOfMaps | MapType::HashOfMaps | MapType::PerfEventArray)
        {
            let (id, obj) = self.fd_value(&m, value)?;
            return Ok(m.map.update_object(key, id, obj, flags)?);
        }
        Ok(m.map.update(key, value, flags)?)
    }

    /// Puts a perf event buffer in slot `index` of a perf event array (what opening a perf
    /// event and storing its descriptor does in the kernel).
    pub fn perf_buffer_attach(&self, fd: Fd, index: u32, buffer: Arc<hive_maps::PerfEventBuffer>) -> Result<()> {
        let m = self.map(fd)?;
        Ok(m.map.update_object(&index.to_ne_bytes(), 0, FdObject::PerfEvent(buffer), 0)?)
    }

    /// `BPF_MAP_DELETE_ELEM`.
    #[doc(alias = "BPF_MAP_DELETE_ELEM")]
    pub fn map_delete_elem(&self, fd: Fd, key: &[u8]) -> Result<()> {
        Ok(self.map(fd)?.map.delete(key)?)
    }

    /// `BPF_MAP_LOOKUP_AND_DELETE_ELEM` (hash maps; queue/stack pop with an empty key).
    #[doc(alias = "BPF_MAP_LOOKUP_AND_DELETE_ELEM")]
    pub fn map_lookup_and_delete_elem(&self, fd: Fd, key: &[u8], value: &mut [u8], flags: u64) -> Result<()> {
        Ok(self.map(fd)?.map.lookup_and_delete(key, value, flags)?)
    }

    /// `BPF_MAP_GET_NEXT_KEY`: the key after `key` (the first for `None`); `ENOENT` at the end.
    #[doc(alias = "BPF_MAP_GET_NEXT_KEY")]
    pub fn map_get_next_key(&self, fd: Fd, key: Option<&[u8]>, next: &mut [u8]) -> Result<()> {
        Ok(self.map(fd)?.map.next_key_into(key, next)?)
    }

    /// `BPF_MAP_LOOKUP_BATCH`.
    #[doc(alias = "BPF_MAP_LOOKUP_BATCH")]
    pub fn map_lookup_batch(&self, fd: Fd, cursor: Option<&BatchCursor>, count: usize, elem_flags: u64) -> Result<Batch> {
        Ok(self.map(fd)?.map.lookup_batch(cursor, count, elem_flags)?)
    }

    /// `BPF_MAP_LOOKUP_AND_DELETE_BATCH`.
    #[doc(alias = "BPF_MAP_LOOKUP_AND_DELETE_BATCH")]
    pub fn map_lookup_and_delete_batch(&self, fd: Fd, count: usize, elem_flags: u64) -> Result<Batch> {
        Ok(self.map(fd)?.map.lookup_and_delete_batch(count, elem_flags)?)
    }

    /// `BPF_MAP_UPDATE_BATCH`: keys and values back to back. On failure, how many elements
    /// were processed is in the error's first field.
    #[doc(alias = "BPF_MAP_UPDATE_BATCH")]
    pub fn map_update_batch(&self, fd: Fd, keys: &[u8], values: &[u8], elem_flags: u64) -> Result<usize, (usize, Error)> {
        let m = self.map(fd).map_err(|e| (0, e))?;
        m.map.update_batch(keys, values, elem_flags).map_err(|(n, e)| (n, e.into()))
    }

    /// `BPF_MAP_DELETE_BATCH`.
    #[doc(alias = "BPF_MAP_DELETE_BATCH")]
    pub fn map_delete_batch(&self, fd: Fd, keys: &[u8]) -> Result<usize, (usize, Error)> {
        let m = self.map(fd).map_err(|e| (0, e))?;
        m.map.delete_batch(keys).map_err(|(n, e)| (n, e.into()))
    }

    /// `BPF_OBJ_GET_INFO_BY_FD` on a map descriptor.
    pub fn map_info(&self, fd: Fd) -> Result<MapInfo> {
        let m = self.map(fd)?;
        let spec = m.map.spec();
        Ok(MapInfo {
            map_type: spec.map_type,
            id: m.meta.id,
            key_size: spec.key_size,
            value_size: spec.value_size,
            max_entries: spec.max_entries,
            map_flags: spec.map_flags,
            name: m.meta.name.clone(),
            btf_id: m.meta.btf.as_ref().map_or(0, |b| b.id.0),
            btf_key_type_id: m.meta.btf_key_type_id,
            btf_value_type_id: m.meta.btf_value_type_id,
            map_extra: spec.map_extra,
        })
    }
}
