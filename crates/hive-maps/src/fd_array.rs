//! The fd arrays: `BPF_MAP_TYPE_PROG_ARRAY` (tail calls), `BPF_MAP_TYPE_PERF_EVENT_ARRAY`
//! and `BPF_MAP_TYPE_ARRAY_OF_MAPS`. User space stores an object by descriptor; Hive's
//! runtime owns descriptors, so it resolves the fd and calls [`Map::update_object`] with the
//! object and the id that user-space lookups return (the kernel returns the program or map
//! id). Programs reach the objects through [`Map::tail_call_target`],
//! [`Map::lookup_inner_map`] and [`PerfEventBuffer`](crate::PerfEventBuffer) output.
//!
//! [`Map::update_object`]: crate::Map::update_object
//! [`Map::tail_call_target`]: crate::Map::tail_call_target
//! [`Map::lookup_inner_map`]: crate::Map::lookup_inner_map

use std::any::Any;

use parking_lot::RwLock;

use crate::array::{next_index, read_index};
use crate::error::{MapError, Result};
use crate::map::MapOps;
use crate::spec::{MapSpec, MapType, elem, flags};
use crate::FdObject;

/// The checks of `fd_array_map_alloc_check`/`array_map_alloc_check` and, for map-in-map,
/// `bpf_map_meta_alloc`.
pub(crate) fn check(spec: &MapSpec) -> Result<()> {
    let mut mask = flags::NUMA_NODE | flags::ACCESS_MASK;
    if spec.map_type == MapType::PerfEventArray {
        mask |= flags::PRESERVE_ELEMS;
    }
    if spec.max_entries == 0 || spec.key_size != 4 || spec.value_size != 4 || spec.map_flags & !mask != 0 {
        return Err(MapError::Invalid("fd array: key and value size 4, max_entries > 0, known flags"));
    }
    // Programs may not write fd slots.
    if spec.map_type != MapType::ArrayOfMaps && spec.map_flags & (flags::RDONLY_PROG | flags::WRONLY_PROG) != 0 {
        return Err(MapError::Invalid("BPF_F_RDONLY_PROG/BPF_F_WRONLY_PROG on an fd array"));
    }
    if spec.map_type == MapType::ArrayOfMaps {
        check_inner_template(spec)?;
    }
    Ok(())
}

/// `bpf_map_meta_alloc`: map-in-map needs an inner template of a type that may be nested.
pub(crate) fn check_inner_template(spec: &MapSpec) -> Result<()> {
    let inner = spec.inner.as_deref().ok_or(MapError::Invalid("map-in-map without an inner map template"))?;
    if matches!(inner.map_type, MapType::ProgArray | MapType::ArrayOfMaps | MapType::HashOfMaps) {
        return Err(MapError::Invalid("this map type cannot be an inner map"));
    }
    if inner.spin_lock_off.is_some() {
        return Err(MapError::OpNotSupported);
    }
    // The kernel takes the template from a live map, so it is valid by construction.
    inner.check(1)
}

/// `bpf_map_meta_equal`: an inner map must match the template (type, sizes, flags, and
/// `max_entries` unless the template has `BPF_F_INNER_MAP`).
pub(crate) fn inner_matches(template: &MapSpec, candidate: &MapSpec) -> bool {
    template.map_type == candidate.map_type
        && template.key_size == candidate.key_size
        && template.value_size == candidate.value_size
        && template.map_flags & !flags::INNER_MAP == candidate.map_flags & !flags::INNER_MAP
        && (template.map_flags & flags::INNER_MAP != 0 || template.max_entries == candidate.max_entries)
}

/// Checks that `object` may go into a map of `spec`'s type.
pub(crate) fn check_object(spec: &MapSpec, object: &FdObject) -> Result<()> {
    let ok = match (spec.map_type, object) {
        (MapType::ProgArray, FdObject::Prog(_)) => true,
        (MapType::PerfEventArray, FdObject::PerfEvent(_)) => true,
        (MapType::ArrayOfMaps | MapType::HashOfMaps, FdObject::Map(m)) => {
            let template = spec.inner.as_deref().expect("checked at creation");
            inner_matches(template, m.spec())
        }
        _ => false,
    };
    if ok { Ok(()) } else { Err(MapError::Invalid("object does not fit this map")) }
}

/// A prog array, perf event array or array of maps.
#[doc(alias = "BPF_MAP_TYPE_PROG_ARRAY")]
#[doc(alias = "BPF_MAP_TYPE_PERF_EVENT_ARRAY")]
#[doc(alias = "BPF_MAP_TYPE_ARRAY_OF_MAPS")]
#[derive(Debug)]
pub struct FdArray {
    spec: MapSpec,
    slots: Box<[Slot]>,
}

/// An fd slot: the id user space reads back and the object programs use.
type Slot = RwLock<Option<(u32, FdObject)>>;

impl FdArray {
    pub(crate) fn new(spec: &MapSpec, _executors: usize) -> FdArray {
        FdArray { spec: spec.clone(), slots: (0..spec.max_entries).map(|_| RwLock::new(None)).collect() }
    }

    fn slot(&self, key: &[u8]) -> Option<&Slot> {
        self.slots.get(read_index(key) as usize)
    }
}

impl MapOps for FdArray {
    fn as_any(&self) -> &dyn Any {
        self
    }

    /// User space reads the object's id.
    fn lookup(&self, key: &[u8], value: &mut [u8], _flags: u64) -> Result<()> {
        if self.spec.map_type == MapType::PerfEventArray {
            return Err(MapError::NotSupported);
        }
        let slot = self.slot(key).ok_or(MapError::NotFound)?.read();
        let (id, _) = slot.as_ref().ok_or(MapError::NotFound)?;
        value.copy_from_slice(&id.to_ne_bytes());
        Ok(())
    }

    fn update(&self, _key: &[u8], _value: &[u8], _flags: u64) -> Result<()> {
        Err(MapError::Invalid("fd maps take objects: use Map::update_object"))
    }

    fn update_object(&self, key: &[u8], id: u32, object: FdObject, f: u64) -> Result<()> {
        if f != elem::ANY {
            return Err(MapError::Invalid("fd array updates take BPF_ANY only"));
        }
        let slot = self.slot(key).ok_or(MapError::TooBig)?;
        check_object(&self.spec, &object)?;
        *slot.write() = Some((id, object));
        Ok(())
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        let slot = self.slot(key).ok_or(MapError::TooBig)?;
        slot.write().take().map(|_| ()).ok_or(MapError::NotFound)
    }

    fn next_key(&self, key: Option<&[u8]>, next: &mut [u8]) -> Result<()> {
        next_index(self.spec.max_entries, key, next)
    }

    fn lookup_object(&self, key: &[u8]) -> Option<FdObject> {
        self.slot(key)?.read().as_ref().map(|(_, o)| o.clone())
    }
}
