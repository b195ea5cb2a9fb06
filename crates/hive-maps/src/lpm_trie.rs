//! `BPF_MAP_TYPE_LPM_TRIE`: longest-prefix match over keys `struct bpf_lpm_trie_key { u32
//! prefixlen; u8 data[]; }`, with the kernel's semantics:
//!
//! - A prefix is identified by its length and its first `prefixlen` bits; the bytes after
//!   them are kept as given by the last update and returned by `get_next_key`, as the
//!   kernel copies a node's whole `data`.
//! - Lookups (user space and programs) return the longest stored prefix that matches the
//!   key's first `key.prefixlen` bits.
//! - `get_next_key` walks the trie in post-order: a more specific prefix comes before every
//!   prefix that contains it, and where two prefixes first differ, the one with a 0 bit
//!   comes first. An absent key (or `prefixlen > max_prefixlen`) restarts at the first.
//! - Update refuses `prefixlen > max_prefixlen` (`EINVAL`), honours `BPF_NOEXIST`/`BPF_EXIST`
//!   and fails with `ENOSPC` once `max_entries` prefixes are stored.
//!
//! Representation: instead of the kernel's path-compressed binary trie, one hash table per
//! stored prefix length answers lookups (longest length first, only lengths in use), and an
//! ordered map keyed by the post-order comparison answers `get_next_key`. Both see the same
//! set of prefixes, so the observable behaviour is the trie's. One reader-writer lock guards
//! them; values live in an on-demand [`ElemPool`] and a replaced value is recycled only after
//! an epoch grace period, like the kernel's `kfree_rcu` of a replaced node.

use std::any::Any;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use parking_lot::RwLock;

use crate::error::{MapError, Result};
use crate::map::MapOps;
use crate::spec::{KMALLOC_MAX_SIZE, MapSpec, elem, flags};
use crate::storage::{ElemPool, ValueLayout, ValueRef, deferred_capacity};
use crate::Executor;

const DATA_SIZE_MAX: u32 = 256;
/// Size of the kernel's `struct lpm_trie_node` (its value size limit subtracts it).
const NODE_HEADER: u64 = 40;

/// The checks of the kernel's `trie_alloc`.
pub(crate) fn check(spec: &MapSpec) -> Result<()> {
    let mask = flags::NO_PREALLOC | flags::NUMA_NODE | flags::ACCESS_MASK;
    let val_max = KMALLOC_MAX_SIZE - u64::from(DATA_SIZE_MAX) - NODE_HEADER;
    if spec.max_entries == 0
        || spec.map_flags & flags::NO_PREALLOC == 0
        || spec.map_flags & !mask != 0
        || spec.key_size < 4 + 1
        || spec.key_size > 4 + DATA_SIZE_MAX
        || spec.value_size < 1
        || u64::from(spec.value_size) > val_max
    {
        return Err(MapError::Invalid("lpm_trie: needs BPF_F_NO_PREALLOC, 1..=256 data bytes, value_size >= 1"));
    }
    Ok(())
}

/// A prefix: its length and its data with the bits after `len` cleared.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Prefix {
    len: u32,
    bits: Box<[u8]>,
}

impl Prefix {
    fn new(len: u32, data: &[u8]) -> Prefix {
        let mut bits: Box<[u8]> = data.into();
        mask_after(&mut bits, len);
        Prefix { len, bits }
    }
}

/// Clears every bit from position `len` on (bit 0 is the most significant of byte 0).
fn mask_after(data: &mut [u8], len: u32) {
    let full = (len / 8) as usize;
    if full < data.len() {
        let keep = len % 8;
        data[full] &= if keep == 0 { 0 } else { 0xffu8 << (8 - keep) };
        data[full + 1..].fill(0);
    }
}

/// The trie's post-order between prefixes.
impl Ord for Prefix {
    fn cmp(&self, other: &Prefix) -> Ordering {
        let m = self.len.min(other.len);
        for (i, (a, b)) in self.bits.iter().zip(other.bits.iter()).enumerate() {
            let x = a ^ b;
            if x != 0 {
                let first = i as u32 * 8 + x.leading_zeros();
                if first < m {
                    return a.cmp(b);
                }
                break;
            }
        }
        // One contains the other (or they are equal): the more specific comes first.
        other.len.cmp(&self.len)
    }
}

impl PartialOrd for Prefix {
    fn partial_cmp(&self, other: &Prefix) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug)]
struct Node {
    /// The data bytes as last given (unmasked), returned by `get_next_key`.
    raw: Box<[u8]>,
    /// The value's element in the pool.
    idx: u32,
}

#[derive(Debug, Default)]
struct Inner {
    /// One table per prefix length in use.
    by_len: BTreeMap<u32, HashMap<Box<[u8]>, u32>>,
    /// Every prefix in post-order.
    order: BTreeMap<Prefix, Node>,
}

/// A longest-prefix-match trie.
#[doc(alias = "BPF_MAP_TYPE_LPM_TRIE")]
#[derive(Debug)]
pub struct LpmTrie {
    data_size: usize,
    max_prefixlen: u32,
    max_entries: u32,
    layout: ValueLayout,
    pool: ElemPool,
    inner: RwLock<Inner>,
}

fn split(key: &[u8]) -> (u32, &[u8]) {
    (u32::from_ne_bytes(key[..4].try_into().expect("lpm key has a prefixlen")), &key[4..])
}

impl LpmTrie {
    pub(crate) fn new(spec: &MapSpec) -> LpmTrie {
        let data_size = spec.key_size as usize - 4;
        let layout = ValueLayout { size: spec.value_size as usize, lock: None };
        // Replacements need a fresh element while the old one waits out its grace period.
        let capacity = deferred_capacity(spec.max_entries);
        LpmTrie {
            data_size,
            max_prefixlen: data_size as u32 * 8,
            max_entries: spec.max_entries,
            layout,
            pool: ElemPool::new(capacity, layout.words(), true),
            inner: RwLock::new(Inner::default()),
        }
    }

    /// The longest stored prefix matching the first `len` bits of `data`.
    fn longest_match(&self, inner: &Inner, len: u32, data: &[u8]) -> Option<u32> {
        if len > self.max_prefixlen {
            return None;
        }
        let mut buf = [0u8; DATA_SIZE_MAX as usize];
        let buf = &mut buf[..self.data_size];
        for (&l, table) in inner.by_len.range(..=len).rev() {
            buf.copy_from_slice(data);
            mask_after(buf, l);
            if let Some(&idx) = table.get(&*buf) {
                return Some(idx);
            }
        }
        None
    }

    fn update_impl(&self, key: &[u8], value: &[u8], f: u64) -> Result<()> {
        if f > elem::EXIST {
            return Err(MapError::Invalid("unknown update flags"));
        }
        let (len, data) = split(key);
        if len > self.max_prefixlen {
            return Err(MapError::Invalid("prefixlen larger than the key's data"));
        }
        let prefix = Prefix::new(len, data);
        let mut inner = self.inner.write();
        let exists = inner.order.contains_key(&prefix);
        if exists && f == elem::NOEXIST {
            return Err(MapError::Exists);
        }
        if !exists {
            if f == elem::EXIST {
                return Err(MapError::NotFound);
            }
            if inner.order.len() >= self.max_entries as usize {
                return Err(MapError::NoSpace);
            }
        }
        let idx = self.pool.alloc().ok_or(MapError::NoMem)?;
        self.layout.store(self.pool.elem(idx), value);
        inner.by_len.entry(len).or_default().insert(prefix.bits.clone(), idx);
        if let Some(old) = inner.order.insert(prefix, Node { raw: data.into(), idx }) {
            // Pinned only now: a guard held across `alloc` would hold back the very grace
            // period that returns elements to the pool.
            self.pool.release(old.idx, &crossbeam_epoch::pin());
        }
        Ok(())
    }

    fn delete_impl(&self, key: &[u8], guard: &crossbeam_epoch::Guard) -> Result<()> {
        let (len, data) = split(key);
        if len > self.max_prefixlen {
            return Err(MapError::Invalid("prefixlen larger than the key's data"));
        }
        let prefix = Prefix::new(len, data);
        let mut inner = self.inner.write();
        let node = inner.order.remove(&prefix).ok_or(MapError::NotFound)?;
        let table = inner.by_len.get_mut(&len).expect("every stored prefix has a table");
        table.remove(&prefix.bits);
        if table.is_empty() {
            inner.by_len.remove(&len);
        }
        self.pool.release(node.idx, guard);
        Ok(())
    }
}

impl MapOps for LpmTrie {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn lookup(&self, key: &[u8], value: &mut [u8], _flags: u64) -> Result<()> {
        let (len, data) = split(key);
        let inner = self.inner.read();
        let idx = self.longest_match(&inner, len, data).ok_or(MapError::NotFound)?;
        self.layout.load(self.pool.elem(idx), value);
        Ok(())
    }

    fn update(&self, key: &[u8], value: &[u8], f: u64) -> Result<()> {
        self.update_impl(key, value, f)
    }

    fn delete(&self, key: &[u8]) -> Result<()> {
        self.delete_impl(key, &crossbeam_epoch::pin())
    }

    fn next_key(&self, key: Option<&[u8]>, next: &mut [u8]) -> Result<()> {
        let inner = self.inner.read();
        let found = key
            .map(split)
            .filter(|&(len, _)| len <= self.max_prefixlen)
            .map(|(len, data)| Prefix::new(len, data))
            .filter(|p| inner.order.contains_key(p));
        let entry = match found {
            Some(p) => {
                use std::ops::Bound::{Excluded, Unbounded};
                inner.order.range((Excluded(p), Unbounded)).next()
            }
            None => inner.order.iter().next(),
        };
        let (prefix, node) = entry.ok_or(MapError::NotFound)?;
        next[..4].copy_from_slice(&prefix.len.to_ne_bytes());
        next[4..].copy_from_slice(&node.raw);
        Ok(())
    }

    fn prog_lookup<'a>(&'a self, _exec: &Executor, key: &[u8]) -> Option<ValueRef<'a>> {
        let (len, data) = split(key);
        let inner = self.inner.read();
        let idx = self.longest_match(&inner, len, data)?;
        Some(ValueRef::new(self.pool.elem(idx), self.layout))
    }

    fn prog_delete(&self, exec: &Executor, key: &[u8]) -> Result<()> {
        self.delete_impl(key, exec.guard())
    }

    fn len(&self) -> Option<usize> {
        Some(self.inner.read().order.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(len: u32, data: &[u8]) -> Prefix {
        Prefix::new(len, data)
    }

    #[test]
    fn post_order_matches_the_kernel_example() {
        // The kernel's lpm_trie.c example: /24s before the /16 that contains them.
        let mut v = [p(16, &[192, 168, 0, 0]), p(24, &[192, 168, 128, 0]), p(24, &[192, 168, 1, 0]), p(24, &[192, 168, 0, 0])];
        v.sort();
        let want = [p(24, &[192, 168, 0, 0]), p(24, &[192, 168, 1, 0]), p(24, &[192, 168, 128, 0]), p(16, &[192, 168, 0, 0])];
        assert_eq!(v, want);
    }

    #[test]
    fn masking() {
        let mut d = [0xff; 3];
        mask_after(&mut d, 12);
        assert_eq!(d, [0xff, 0xf0, 0]);
        assert_eq!(p(0, &[1, 2]), p(0, &[3, 4]));
        assert_eq!(p(9, &[1, 0xff]).bits[..], [1, 0x80]);
    }
}
