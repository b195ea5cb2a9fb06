//! `BPF_MAP_TYPE_HASH_OF_MAPS`: a hash table whose values are inner maps matching a template.
//! User space installs an inner map with [`Map::update_object`](crate::Map::update_object)
//! (flags as for a hash) and reads back its id; programs get the inner map itself through
//! [`Map::lookup_inner_map`](crate::Map::lookup_inner_map).
//!
//! Inner maps are reference counted, so an inner map removed or replaced while a program
//! still uses it stays alive until that program drops its handle (the kernel's RCU-deferred
//! put). Iteration is in key byte order.

use std::any::Any;
use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};

use parking_lot::RwLock;

use crate::error::{MapError, Result};
use crate::fd_array::{check_inner_template, check_object};
use crate::map::MapOps;
use crate::spec::{MapSpec, elem, flags};
use crate::FdObject;

/// The checks of `htab_of_map_alloc`: hash rules, a 4-byte value (the fd) and a template.
pub(crate) fn check(spec: &MapSpec) -> Result<()> {
    let mask = flags::NO_PREALLOC | flags::NUMA_NODE | flags::ACCESS_MASK | flags::ZERO_SEED;
    if spec.map_flags & !mask != 0 || spec.max_entries == 0 || spec.key_size == 0 || spec.value_size != 4 {
        return Err(MapError::Invalid("hash of maps: non-zero key size, 4-byte value, known flags"));
    }
    check_inner_template(spec)
}

/// A hash table of maps.
#[doc(alias = "BPF_MAP_TYPE_HASH_OF_MAPS")]
#[derive(Debug)]
pub struct HashOfMaps {
    spec: MapSpec,
    entries: RwLock<BTreeMap<Box<[u8]>, Entry>>,
}

/// The inner map's id (what user space reads) and the map.
type Entry = (u32, FdObject);

impl HashOfMaps {
    pub(crate) fn new(spec: &MapSpec) -> HashOfMaps {
        HashOfMaps { spec: spec.clone(), entries: RwLock::new(BTreeMap::new()) }
    }
}

impl MapOps for HashOfMaps {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn lookup(&self, key: &[u8], value: &mut [u8], _flags: u64) -> Result<()> {
        let entries = self.entries.read();
        let (id, _) = entries.get(key).ok_or(MapError::NotFound)?;
        value.copy_from_slice(&id.to_ne_bytes());
        Ok(())
    }

    fn update(&self, _key: &[u8], _value: &[u8], _flags: u64) -> Result<()> {
        Err(MapError::Invalid("map-in-map takes maps: use Map::update_object"))
    }

    fn update_object(&self, key: &[u8], id: u32, object: FdObject, f: u64) -> Result<()> {
        if f > elem::EXIST {
            return Err(MapError::Invalid("unknown update flags"));
        }
        check_object(&self.spec, &object)?;
        let mut entries = self.entries.write();
        let exists = entries.contains_key(key);
        match (exists, f) {
            (true, elem::NOEXIST) => return Err(MapError::Exists),
            (false, elem::EXIST) => return Err(MapError::NotFound),
            (false, _) if entries.len() >= self.spec.max_entries as usize => return Err(MapError::TooBig),
            _ => {}
        }
        entries.insert(key.into(), (id, object));
        Ok(())
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        self.entries.write().remove(key).map(|_| ()).ok_or(MapError::NotFound)
    }

    fn next_key(&self, key: Option<&[u8]>, next: &mut [u8]) -> Result<()> {
        let entries = self.entries.read();
        let found = match key {
            Some(k) if entries.contains_key(k) => entries.range::<[u8], _>((Excluded(k), Unbounded)).next(),
            _ => entries.iter().next(),
        };
        let (k, _) = found.ok_or(MapError::NotFound)?;
        next.copy_from_slice(k);
        Ok(())
    }

    fn lookup_object(&self, key: &[u8]) -> Option<FdObject> {
        self.entries.read().get(key).map(|(_, o)| o.clone())
    }

    fn len(&self) -> Option<usize> {
        Some(self.entries.read().len())
    }
}
