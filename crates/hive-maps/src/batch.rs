//! Batch operations (`BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH`), built on the
//! element operations the way the kernel's `generic_map_*_batch` functions are.
//!
//! Keys and values travel flattened, as through `bpf()`: `count * key_size` key bytes and
//! `count * user_value_size` value bytes. A lookup batch resumes from an opaque
//! [`BatchCursor`] (the kernel's `out_batch`, here the last key returned); elements deleted
//! between two batches are skipped, elements added may or may not be seen. The kernel's hash
//! maps batch by bucket rather than by key, which only changes what a cursor means, not what
//! a full walk returns.

use crate::error::{MapError, Result};
use crate::map::Map;
use crate::spec::{MapType, elem};

#[derive(Clone, Copy)]
enum BatchOp {
    Lookup,
    Update,
    Delete,
}

/// Where the next lookup batch starts (the kernel's `in_batch`/`out_batch`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchCursor(Option<Vec<u8>>);

/// What a lookup batch returned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// Elements returned.
    pub count: usize,
    /// `count` keys, back to back.
    pub keys: Vec<u8>,
    /// `count` values (user-space size, per-CPU maps: every slot), back to back.
    pub values: Vec<u8>,
    /// Where to continue, or `None` when the iteration reached the end (the kernel then
    /// returns `ENOENT` together with the last elements).
    pub next: Option<BatchCursor>,
}

impl Map {
    /// Which batch commands the map type has (the kernel returns `ENOTSUPP` for a missing
    /// `map_*_batch` op): arrays look up and update, hashes and tries also delete, and only
    /// hashes look up and delete.
    fn batch_supported(&self, op: BatchOp) -> Result<()> {
        let t = self.map_type();
        let ok = match op {
            BatchOp::Lookup => {
                t.is_hash() || matches!(t, MapType::Array | MapType::PercpuArray | MapType::LpmTrie | MapType::ArrayOfMaps | MapType::HashOfMaps)
            }
            BatchOp::Update => t.is_hash() || matches!(t, MapType::Array | MapType::PercpuArray | MapType::LpmTrie),
            BatchOp::Delete => t.is_hash() || t == MapType::LpmTrie,
        };
        if ok { Ok(()) } else { Err(MapError::NotSupported) }
    }

    /// `BPF_MAP_LOOKUP_BATCH`: up to `max` elements after `cursor` (from the start for `None`).
    #[doc(alias = "BPF_MAP_LOOKUP_BATCH")]
    pub fn lookup_batch(&self, cursor: Option<&BatchCursor>, max: usize, elem_flags: u64) -> Result<Batch> {
        self.batch_supported(BatchOp::Lookup)?;
        if elem_flags & !elem::LOCK != 0 {
            return Err(MapError::Invalid("batch element flags other than BPF_F_LOCK"));
        }
        let mut prev: Option<Vec<u8>> = cursor.and_then(|c| c.0.clone());
        // A batch of 0 returns nothing and ends nothing (the kernel returns 0 at once).
        let mut out = Batch { next: Some(BatchCursor(prev.clone())), ..Batch::default() };
        let mut value = vec![0; self.user_value_size()];
        let mut retries = 3;
        while out.count < max {
            let Some(key) = self.next_key(prev.as_deref())? else {
                out.next = None;
                return Ok(out);
            };
            match self.lookup(&key, &mut value, elem_flags) {
                Ok(()) => {}
                // Deleted since next_key saw it: ask again from the same place.
                Err(MapError::NotFound) if retries > 0 => {
                    retries -= 1;
                    continue;
                }
                Err(e) => return Err(e),
            }
            out.keys.extend_from_slice(&key);
            out.values.extend_from_slice(&value);
            out.count += 1;
            out.next = Some(BatchCursor(Some(key.clone())));
            prev = Some(key);
        }
        Ok(out)
    }

    /// `BPF_MAP_LOOKUP_AND_DELETE_BATCH` (hash maps): removes and returns up to `max`
    /// elements. `next` is `None` once the map is empty.
    #[doc(alias = "BPF_MAP_LOOKUP_AND_DELETE_BATCH")]
    pub fn lookup_and_delete_batch(&self, max: usize, elem_flags: u64) -> Result<Batch> {
        if !self.map_type().is_hash() {
            return Err(MapError::NotSupported);
        }
        let mut out = Batch::default();
        let mut value = vec![0; self.user_value_size()];
        while out.count < max {
            let Some(key) = self.next_key(None)? else { return Ok(out) };
            match self.lookup_and_delete(&key, &mut value, elem_flags) {
                Ok(()) => {}
                Err(MapError::NotFound) => continue,
                Err(e) => return Err(e),
            }
            out.keys.extend_from_slice(&key);
            out.values.extend_from_slice(&value);
            out.count += 1;
        }
        out.next = Some(BatchCursor(None));
        Ok(out)
    }

    /// `BPF_MAP_UPDATE_BATCH`: updates element by element (as `BPF_ANY`, optionally with
    /// `BPF_F_LOCK`: the kernel refuses other element flags) and stops at the first error,
    /// returning how many were done with it.
    #[doc(alias = "BPF_MAP_UPDATE_BATCH")]
    pub fn update_batch(&self, keys: &[u8], values: &[u8], elem_flags: u64) -> Result<usize, (usize, MapError)> {
        self.batch_supported(BatchOp::Update).map_err(|e| (0, e))?;
        if elem_flags & !elem::LOCK != 0 {
            return Err((0, MapError::Invalid("batch element flags other than BPF_F_LOCK")));
        }
        let (ks, vs) = (self.spec().key_size as usize, self.user_value_size());
        if ks == 0 || !keys.len().is_multiple_of(ks) || values.len() != keys.len() / ks * vs {
            return Err((0, MapError::Invalid("batch buffers do not hold whole elements")));
        }
        for (i, (k, v)) in keys.chunks(ks).zip(values.chunks(vs)).enumerate() {
            self.update(k, v, elem_flags).map_err(|e| (i, e))?;
        }
        Ok(keys.len() / ks)
    }

    /// `BPF_MAP_DELETE_BATCH`: deletes key by key and stops at the first error.
    #[doc(alias = "BPF_MAP_DELETE_BATCH")]
    pub fn delete_batch(&self, keys: &[u8]) -> Result<usize, (usize, MapError)> {
        self.batch_supported(BatchOp::Delete).map_err(|e| (0, e))?;
        let ks = self.spec().key_size as usize;
        if ks == 0 || !keys.len().is_multiple_of(ks) {
            return Err((0, MapError::Invalid("batch buffer does not hold whole keys")));
        }
        for (i, k) in keys.chunks(ks).enumerate() {
            self.delete(k).map_err(|e| (i, e))?;
        }
        Ok(keys.len() / ks)
    }
}
