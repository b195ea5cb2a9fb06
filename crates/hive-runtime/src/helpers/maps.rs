//! Map helpers: lookups return a value's address (exposed to the program for the run),
//! updates and deletes return 0 or `-errno`, as in the kernel.

use hive_interp::{Flow, HelperError, Memory};

use super::{neg, ret};
use crate::run::RunHelpers;

fn read(mem: &Memory<'_>, addr: u64, len: usize) -> Result<Vec<u8>, HelperError> {
    let mut v = vec![0; len];
    mem.read_into(addr, &mut v)?;
    Ok(v)
}

/// `bpf_map_lookup_elem(map, key)`: the value's address or NULL; an inner map's handle for
/// a map-in-map.
pub(crate) fn lookup(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let map = h.map(a[0])?;
    let key = read(mem, a[1], map.spec().key_size as usize)?;
    if map.map_type().is_map_in_map() {
        return ret(match map.lookup_inner_map(&key) {
            Some(inner) => h.adopt_map(inner),
            None => 0,
        });
    }
    ret(match map.prog_lookup(&h.exec, &key) {
        Some(v) => h.expose_value(map, v),
        None => 0,
    })
}

/// `bpf_map_lookup_percpu_elem(map, key, cpu)`.
pub(crate) fn lookup_percpu(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let map = h.map(a[0])?;
    let key = read(mem, a[1], map.spec().key_size as usize)?;
    let cpu = a[2] as u32 as usize;
    ret(match map.prog_lookup_percpu(&key, cpu) {
        Some(v) => h.expose_value(map, v),
        None => 0,
    })
}

/// `bpf_map_update_elem(map, key, value, flags)`.
pub(crate) fn update(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let map = h.map(a[0])?;
    let key = read(mem, a[1], map.spec().key_size as usize)?;
    let value = read(mem, a[2], map.spec().value_size as usize)?;
    ret(match map.prog_update(&h.exec, &key, &value, a[3]) {
        Ok(()) => 0,
        Err(e) => neg(e.errno()),
    })
}

/// `bpf_map_delete_elem(map, key)`.
pub(crate) fn delete(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let map = h.map(a[0])?;
    let key = read(mem, a[1], map.spec().key_size as usize)?;
    ret(match map.prog_delete(&h.exec, &key) {
        Ok(()) => 0,
        Err(e) => neg(e.errno()),
    })
}

/// `bpf_map_push_elem(map, value, flags)`.
pub(crate) fn push(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
    let map = h.map(a[0])?;
    let value = read(mem, a[1], map.spec().value_size as usize)?;
    ret(match map.push(&value, a[2]) {
        Ok(()) => 0,
        Err(e) => neg(e.errno()),
    })
}

/// `bpf_map_pop_elem(map, value)` / `bpf_map_peek_elem(map, value)`.
pub(crate) fn pop_peek(h: &mut RunHelpers<'_>, a: [u64; 5], mem: &mut Memory<'_>, pop: bool) -> Result<Flow, HelperError> {
    let map = h.map(a[0])?;
    let mut value = vec![0; map.spec().value_size as usize];
    if map.map_type() == hive_maps::MapType::BloomFilter {
        // peek tests membership of the value the program passes.
        mem.read_into(a[1], &mut value)?;
    }
    let r = if pop { map.pop(&mut value) } else { map.peek(&mut value) };
    match r {
        Ok(()) => {
            if map.map_type() != hive_maps::MapType::BloomFilter {
                mem.write(a[1], &value)?;
            }
            ret(0)
        }
        Err(e) => ret(neg(e.errno())),
    }
}
