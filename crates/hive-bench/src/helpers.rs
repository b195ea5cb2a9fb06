//! The helpers and kfuncs the suite calls, for Hive's engines, over `hive-maps`.
//!
//! A stand-in for hive-runtime's helper set (written in parallel), limited to what the
//! suite needs: `bpf_map_lookup_elem` (1), `bpf_map_update_elem` (2), `bpf_ktime_get_ns`
//! (5), `bpf_get_prandom_u32` (7), `bpf_get_smp_processor_id` (8), `bpf_csum_diff` (28),
//! `bpf_loop` (181, through [`Flow::Call`]), `bpf_xdp_get_buff_len` (188) and the
//! `bpf_iter_num_*` kfuncs, each with the kernel's semantics.
//!
//! Maps are named in `lddw` by a handle ([`map_handle`]) instead of an fd. A lookup returns
//! the host address of the value's words, which compiled code dereferences directly; for
//! the interpreter, which checks every access, the values handed out are also recorded in
//! [`Seen`], the run's [`Resolver`].
//!
//! For the JIT the same helpers also exist as direct functions ([`natives`]): compiled code
//! calls them without the trampoline and the checked [`Memory`], reading pointer arguments
//! as raw addresses (the programs are kernel-verified), as the kernel's helpers do; array
//! lookups are inlined and hash lookups call the map's own lookup.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Instant;

use hive_interp::{Flow, HelperError, Helpers, Memory, RegionKind, Resolver, WordRegion};
use hive_maps::{Executor, Map};

use crate::kfunc::KfuncIds;

/// The `lddw` constant that names map `index`.
pub fn map_handle(index: usize) -> u32 {
    0x4d50_0000 | index as u32
}

fn map_index(handle: u64) -> Option<usize> {
    (handle >> 16 == 0x4d50).then_some((handle & 0xffff) as usize)
}

/// Map values handed out during runs, for the interpreter's lazy region lookup.
#[derive(Debug, Default)]
pub struct Seen<'m> {
    regions: RefCell<BTreeMap<u64, WordRegion<'m>>>,
}

impl<'a, 'm: 'a> Resolver<'a> for Seen<'m> {
    fn resolve(&self, addr: u64, len: usize) -> Option<WordRegion<'a>> {
        let regions = self.regions.borrow();
        let (&base, region) = regions.range(..=addr).next_back()?;
        (addr - base + len as u64 <= region.len as u64).then_some(*region)
    }
}

/// Reads a key or value into `buf`: 4 and 8 bytes with one load (a plain copy would call
/// `memmove` for a length known only at run time).
fn read_key<'b>(mem: &Memory<'_>, addr: u64, buf: &'b mut [u8]) -> Result<&'b [u8], HelperError> {
    match buf.len() {
        4 => buf.copy_from_slice(&(mem.load(addr, hive_isa::Size::W)? as u32).to_le_bytes()),
        8 => buf.copy_from_slice(&mem.load(addr, hive_isa::Size::DW)?.to_le_bytes()),
        _ => mem.read_into(addr, buf)?,
    }
    Ok(buf)
}

/// A `bpf_loop` in progress.
#[derive(Debug)]
struct Loop {
    callback: u64,
    ctx: u64,
    done: u64,
    count: u64,
}

/// The helper set of one engine instance.
pub struct BenchHelpers<'m> {
    maps: &'m [Map],
    seen: Option<&'m Seen<'m>>,
    exec: Executor,
    /// BTF ids of bpf_iter_num_new, _next, _destroy.
    iter_ids: [i32; 3],
    packet_len: u64,
    rng: u64,
    start: Instant,
    loops: Vec<Loop>,
}

impl std::fmt::Debug for BenchHelpers<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BenchHelpers").field("maps", &self.maps.len()).finish_non_exhaustive()
    }
}

impl<'m> BenchHelpers<'m> {
    /// Helpers over `maps`; `seen` records the values handed out (for the interpreter).
    /// One executor (CPU 0) stays entered for the helper set's life, as the kernel's test
    /// run holds `rcu_read_lock` across its repeat loop.
    pub fn new(maps: &'m [Map], seen: Option<&'m Seen<'m>>, kfuncs: KfuncIds, packet_len: usize) -> Self {
        BenchHelpers {
            maps,
            seen,
            exec: Executor::enter(0),
            iter_ids: crate::kfunc::KFUNCS.map(|k| kfuncs.id(k).unwrap_or(i32::MIN)),
            packet_len: packet_len as u64,
            rng: 0x2545_f491_4f6c_dd1d,
            start: Instant::now(),
            loops: Vec::new(),
        }
    }

    /// `bpf_csum_diff` on the words already read: `from` complemented, then `to`, plus `seed`.
    fn csum_fold(from: &[u8], to: &[u8], seed: u64) -> u64 {
        let mut sum = u64::from(seed as u32);
        for w in from.chunks_exact(4) {
            sum += u64::from(!u32::from_le_bytes(w.try_into().expect("4 bytes")));
        }
        for w in to.chunks_exact(4) {
            sum += u64::from(u32::from_le_bytes(w.try_into().expect("4 bytes")));
        }
        let sum = (sum & 0xffff_ffff) + (sum >> 32);
        (sum & 0xffff_ffff) + (sum >> 32)
    }

    fn prandom(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng as u32 as u64
    }

    fn map(&self, handle: u64) -> Result<&'m Map, HelperError> {
        map_index(handle)
            .and_then(|i| self.maps.get(i))
            .ok_or_else(|| HelperError::Failed(format!("no map {handle:#x}")))
    }

    fn lookup(&mut self, handle: u64, key: u64, mem: &Memory<'_>) -> Result<u64, HelperError> {
        let map = self.map(handle)?;
        let mut buf = [0u8; 64];
        let k = read_key(mem, key, &mut buf[..map.spec().key_size as usize])?;
        let Some(v) = map.prog_lookup(&self.exec, k) else {
            return Ok(0);
        };
        if let Some(seen) = self.seen {
            let region = WordRegion { words: v.words(), len: v.len(), kind: RegionKind::MapValue, writable: true };
            seen.regions.borrow_mut().insert(v.addr(), region);
        }
        Ok(v.addr())
    }

    fn update(&mut self, a: [u64; 5], mem: &Memory<'_>) -> Result<u64, HelperError> {
        let map = self.map(a[0])?;
        let mut buf = [0u8; 128];
        let (k, v) = buf.split_at_mut(64);
        let k = read_key(mem, a[1], &mut k[..map.spec().key_size as usize])?;
        let v = read_key(mem, a[2], &mut v[..map.spec().value_size as usize])?;
        Ok(match map.prog_update(&self.exec, k, v, a[3]) {
            Ok(()) => 0,
            Err(e) => (-i64::from(e.errno())) as u64,
        })
    }

    /// `bpf_csum_diff`: the 32-bit ones'-complement sum of `~from` and `to` (4-byte words)
    /// plus `seed`. The kernel's x86 `csum_partial` may leave a different but congruent
    /// 32-bit value; programs fold to 16 bits, where all agree.
    fn csum_diff(&mut self, a: [u64; 5], mem: &Memory<'_>) -> Result<u64, HelperError> {
        let (from_size, to_size) = (a[1] as u32 as usize, a[3] as u32 as usize);
        if (from_size | to_size) % 4 != 0 || from_size + to_size > 512 {
            return Ok((-22i64) as u64);
        }
        let (mut from, mut to) = ([0u8; 512], [0u8; 512]);
        mem.read_into(a[0], &mut from[..from_size])?;
        mem.read_into(a[2], &mut to[..to_size])?;
        Ok(Self::csum_fold(&from[..from_size], &to[..to_size], a[4]))
    }

    /// `bpf_iter_num_new` (0), `_next` (1), `_destroy` (2), on `struct bpf_iter_num_kern {
    /// int cur; int end; }` in the program's stack, as the kernel's `kernel/bpf/bpf_iter.c`.
    fn iter_num(&mut self, which: usize, a: [u64; 5], mem: &mut Memory<'_>) -> Result<u64, HelperError> {
        let it = a[0];
        // One 8-byte load or store each (byte copies of run-time length call memmove).
        let put = |mem: &mut Memory<'_>, cur: i32, end: i32| -> Result<(), HelperError> {
            Ok(mem.store(it, hive_isa::Size::DW, u64::from(cur as u32) | u64::from(end as u32) << 32)?)
        };
        match which {
            0 => {
                let (start, end) = (a[1] as i32, a[2] as i32);
                if start > end {
                    put(mem, 0, 0)?;
                    return Ok((-22i64) as u64);
                }
                if i64::from(end) - i64::from(start) > hive_interp::BPF_MAX_LOOPS as i64 {
                    put(mem, 0, 0)?;
                    return Ok((-7i64) as u64);
                }
                put(mem, start.wrapping_sub(1), end)?;
                Ok(0)
            }
            1 => {
                let state = mem.load(it, hive_isa::Size::DW)?;
                let (cur, end) = (state as u32 as i32, (state >> 32) as u32 as i32);
                // As the kernel: `cur + 1` wraps in 32 bits (start = INT_MIN stores INT_MAX).
                let next = cur.wrapping_add(1);
                if i64::from(next) >= i64::from(end) {
                    put(mem, 0, 0)?;
                    return Ok(0);
                }
                put(mem, next, end)?;
                Ok(it)
            }
            2 => {
                put(mem, 0, 0)?;
                Ok(0)
            }
            _ => Err(HelperError::Unknown),
        }
    }
}

impl Helpers for BenchHelpers<'_> {
    fn call_helper(&mut self, id: i32, a: [u64; 5], mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        let value = match id {
            1 => self.lookup(a[0], a[1], mem)?,
            2 => self.update(a, mem)?,
            5 => self.start.elapsed().as_nanos() as u64,
            7 => self.prandom(),
            8 => self.exec.cpu() as u64,
            28 => self.csum_diff(a, mem)?,
            181 => {
                let (count, callback, ctx) = (a[0] as u32 as u64, a[1], a[2]);
                if a[3] != 0 {
                    return Ok(Flow::Return((-22i64) as u64));
                }
                if count > hive_interp::BPF_MAX_LOOPS {
                    return Ok(Flow::Return((-7i64) as u64));
                }
                if count == 0 {
                    return Ok(Flow::Return(0));
                }
                self.loops.push(Loop { callback, ctx, done: 0, count });
                return Ok(Flow::Call { target: callback, args: [0, ctx, 0, 0, 0] });
            }
            188 => self.packet_len,
            _ => return Err(HelperError::Unknown),
        };
        Ok(Flow::Return(value))
    }

    fn call_kfunc(
        &mut self,
        btf_id: i32,
        _module: i16,
        a: [u64; 5],
        mem: &mut Memory<'_>,
    ) -> Result<Flow, HelperError> {
        let which = self.iter_ids.iter().position(|&id| id == btf_id).ok_or(HelperError::Unknown)?;
        Ok(Flow::Return(self.iter_num(which, a, mem)?))
    }

    fn resume(&mut self, ret: u64, _mem: &mut Memory<'_>) -> Result<Flow, HelperError> {
        let l = self.loops.last_mut().ok_or_else(|| HelperError::Failed("no bpf_loop is running".into()))?;
        l.done += 1;
        if ret != 0 || l.done == l.count {
            let done = l.done;
            self.loops.pop();
            return Ok(Flow::Return(done));
        }
        Ok(Flow::Call { target: l.callback, args: [l.done, l.ctx, 0, 0, 0] })
    }
}

/// The helpers above as direct functions for the JIT ([`hive_jit::Natives`]), for programs
/// whose maps are `maps`: every helper but `bpf_loop` (whose callback needs the generic
/// path), inlined array lookups ([`hive_jit::ArrayLayout`], from the addresses the map
/// hands out) and direct calls of hash lookups.
///
/// The functions read pointer arguments as raw host addresses, without the interpreter's
/// checks: only for programs the kernel verifier accepted (the suite's), whose pointer
/// arguments are valid for the sizes the helpers read. `maps` must outlive the compiled
/// program and stay where it is (the program embeds the maps' addresses).
#[allow(unsafe_code)]
pub mod natives {
    use hive_jit::{ArrayLayout, MapFacts, Natives};
    use hive_maps::Map;

    use super::{BenchHelpers, map_handle};

    type H = BenchHelpers<'static>;

    /// Reads `len` bytes at `addr`.
    ///
    /// # Safety
    /// `addr..addr + len` must be readable: the verifier checked the helper's argument.
    unsafe fn bytes<'a>(addr: u64, len: usize) -> &'a [u8] {
        // SAFETY: per the contract.
        unsafe { std::slice::from_raw_parts(addr as *const u8, len) }
    }

    /// The map a handle names (a bad handle cannot pass the verifier; it gets NULL here).
    fn map<'m>(h: &BenchHelpers<'m>, handle: u64) -> Option<&'m Map> {
        h.map(handle).ok()
    }

    fn lookup_in(h: &BenchHelpers<'_>, map: &Map, key: u64) -> u64 {
        // SAFETY: the verifier checked that `key` points to `key_size` readable bytes.
        let k = unsafe { bytes(key, map.spec().key_size as usize) };
        map.prog_lookup(&h.exec, k).map_or(0, |v| v.addr())
    }

    extern "sysv64" fn lookup(handle: u64, key: u64, _: u64, _: u64, _: u64, h: &mut H) -> u64 {
        map(h, handle).map_or(0, |m| lookup_in(h, m, key))
    }

    /// A map-specific lookup: `r1` is the `&Map` itself.
    extern "sysv64" fn lookup_direct(map: u64, key: u64, _: u64, _: u64, _: u64, h: &mut H) -> u64 {
        // SAFETY: `natives` put the address of a map of the engine in `r1`, which outlives
        // the program.
        let map = unsafe { &*(map as *const Map) };
        lookup_in(h, map, key)
    }

    extern "sysv64" fn update(handle: u64, key: u64, value: u64, flags: u64, _: u64, h: &mut H) -> u64 {
        let Some(map) = map(h, handle) else { return (-22i64) as u64 };
        let spec = map.spec();
        // SAFETY: the verifier checked both pointers for the map's key and value sizes.
        let (k, v) = unsafe { (bytes(key, spec.key_size as usize), bytes(value, spec.value_size as usize)) };
        match map.prog_update(&h.exec, k, v, flags) {
            Ok(()) => 0,
            Err(e) => (-i64::from(e.errno())) as u64,
        }
    }

    extern "sysv64" fn ktime(_: u64, _: u64, _: u64, _: u64, _: u64, h: &mut H) -> u64 {
        h.start.elapsed().as_nanos() as u64
    }

    extern "sysv64" fn prandom(_: u64, _: u64, _: u64, _: u64, _: u64, h: &mut H) -> u64 {
        h.prandom()
    }

    extern "sysv64" fn cpu(_: u64, _: u64, _: u64, _: u64, _: u64, h: &mut H) -> u64 {
        h.exec.cpu() as u64
    }

    extern "sysv64" fn csum_diff(from: u64, from_size: u64, to: u64, to_size: u64, seed: u64, _: &mut H) -> u64 {
        let (from_size, to_size) = (from_size as u32 as usize, to_size as u32 as usize);
        if (from_size | to_size) % 4 != 0 || from_size + to_size > 512 {
            return (-22i64) as u64;
        }
        // SAFETY: the verifier checked each buffer for its size (a size of 0 may come with
        // a NULL pointer, which is not read).
        let (f, t) = unsafe {
            (
                if from_size == 0 { &[][..] } else { bytes(from, from_size) },
                if to_size == 0 { &[][..] } else { bytes(to, to_size) },
            )
        };
        BenchHelpers::csum_fold(f, t, seed)
    }

    extern "sysv64" fn buff_len(_: u64, _: u64, _: u64, _: u64, _: u64, h: &mut H) -> u64 {
        h.packet_len
    }

    /// Where `map`'s values are, if it is an array whose values are one block.
    fn array_layout(map: &Map) -> Option<ArrayLayout> {
        let b = map.value_block()?;
        Some(ArrayLayout { base: b.base, stride: b.stride, max_entries: b.count })
    }

    /// The direct helpers and map facts for a program over `maps`.
    pub fn natives(maps: &[Map]) -> Natives<H> {
        let mut n = Natives::new();
        n.helper(1, lookup)
            .helper(2, update)
            .helper(5, ktime)
            .helper(7, prandom)
            .helper(8, cpu)
            .helper(28, csum_diff)
            .helper(188, buff_len);
        for (i, m) in maps.iter().enumerate() {
            let facts = match array_layout(m) {
                Some(layout) => MapFacts { array: Some(layout), lookup: None },
                None => MapFacts { array: None, lookup: Some((lookup_direct, m as *const Map as u64)) },
            };
            n.map(u64::from(map_handle(i)), facts);
        }
        n
    }
}
