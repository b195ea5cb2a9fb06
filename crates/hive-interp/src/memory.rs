//! The checked memory model: every access must lie entirely inside one registered region or
//! inside the live part of the call stack.
//!
//! Guest addresses are real host addresses: a region registered from a slice starts at
//! `slice.as_ptr() as u64`, and the stack frames sit in a buffer owned by [`Memory`]. Pointer
//! arithmetic in the program therefore looks exactly as in the kernel, while every access is
//! resolved back into a slice index after a bounds check, so nothing outside the regions is
//! ever touched and no `unsafe` is needed.
//!
//! Besides byte regions (`&mut [u8]`, `&[u8]`) there are *word regions*: memory held as
//! `&[AtomicU64]`, which is how `hive-maps` stores map values so that several threads may
//! touch them at once. Accesses to them go through atomic word operations (see `words`).
//! Word regions are registered up front ([`Memory::add_words`]) or found lazily: a
//! [`Resolver`] is asked about an address that no registered region contains, which is how a
//! helper such as `bpf_map_lookup_elem` makes the value it returns reachable without holding
//! the run's `Memory` borrow. The lookup order keeps the common case fast: the live stack
//! frames, then byte regions, then word regions, then the resolver.

use std::fmt;
use std::sync::atomic::AtomicU64;

use hive_isa::{AtomicOp, MAX_CALL_FRAMES, STACK_SIZE, Size};

use crate::fault::{Access, AccessError};
use crate::packet::Packet;
use crate::words;

/// Bytes of stack: one [`STACK_SIZE`] frame for each possible call level.
pub const STACK_BYTES: usize = MAX_CALL_FRAMES * STACK_SIZE;

/// What a region holds; a label for diagnostics and for embedders, not a permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegionKind {
    /// The program context (`r1` on entry).
    Context,
    /// Packet data.
    Packet,
    /// A plain input buffer (the bpf_conformance `mem`).
    Input,
    /// A map value.
    MapValue,
    /// Anything else.
    Other,
}

/// A region of atomic words: what [`Memory::add_words`] registers and what a [`Resolver`]
/// returns. The guest address of its first byte is `words[0].as_ptr()`.
#[derive(Clone, Copy, Debug)]
pub struct WordRegion<'a> {
    /// The storage; at least `len.div_ceil(8)` words.
    pub words: &'a [AtomicU64],
    /// Bytes the program may reach from the first word on (a map value's `value_size`).
    pub len: usize,
    /// What it holds.
    pub kind: RegionKind,
    /// Whether the program may write it.
    pub writable: bool,
}

impl<'a> WordRegion<'a> {
    /// The whole of `words`, writable.
    pub fn new(kind: RegionKind, words: &'a [AtomicU64]) -> Self {
        WordRegion { words, len: words.len() * 8, kind, writable: true }
    }

    /// Guest address of the first byte (0 for an empty region).
    pub fn base(&self) -> u64 {
        self.words.first().map_or(0, |w| w.as_ptr() as u64)
    }

    /// Offset of `[addr, addr + size)` inside the region.
    fn offset(&self, addr: u64, size: usize) -> Option<usize> {
        if self.words.is_empty() {
            return None;
        }
        offset_in(self.base(), self.len.min(self.words.len() * 8), addr, size)
    }
}

/// Finds word regions on demand: asked about an access that no registered region contains.
///
/// An embedder implements it over the state its helpers share (for example the map values
/// the helpers handed out during the run). It must only return regions that contain the
/// whole access and that live as long as the [`Memory`].
pub trait Resolver<'a> {
    /// A region containing `[addr, addr + len)`, or `None`.
    fn resolve(&self, addr: u64, len: usize) -> Option<WordRegion<'a>>;
}

struct ResolverRef<'a>(&'a dyn Resolver<'a>);

impl fmt::Debug for ResolverRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Resolver")
    }
}

#[derive(Debug)]
enum Bytes<'a> {
    Mut(&'a mut [u8]),
    Shared(&'a [u8]),
}

#[derive(Debug)]
struct Region<'a> {
    base: u64,
    kind: RegionKind,
    bytes: Bytes<'a>,
}

impl Region<'_> {
    fn len(&self) -> usize {
        match &self.bytes {
            Bytes::Mut(b) => b.len(),
            Bytes::Shared(b) => b.len(),
        }
    }
}

/// A description of one registered region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegionInfo {
    /// First guest address.
    pub base: u64,
    /// Length in bytes.
    pub len: usize,
    /// What it holds.
    pub kind: RegionKind,
    /// Whether the program may write it.
    pub writable: bool,
}

/// Offset of `[addr, addr + size)` inside `[base, base + len)`, without overflow.
#[inline]
fn offset_in(base: u64, len: usize, addr: u64, size: usize) -> Option<usize> {
    let off = addr.wrapping_sub(base);
    let len = len as u64;
    if off <= len && size as u64 <= len - off { Some(off as usize) } else { None }
}

/// The memory a run may touch: the call stack plus the regions the embedder registered.
#[derive(Debug)]
pub struct Memory<'a> {
    stack: Box<[u8]>,
    stack_base: u64,
    /// Offset in `stack` of the lowest byte of the deepest live frame.
    live: usize,
    regions: Vec<Region<'a>>,
    words: Vec<WordRegion<'a>>,
    resolver: Option<ResolverRef<'a>>,
    packet: Option<Packet<'a>>,
}

impl Default for Memory<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Memory<'a> {
    /// Memory with a fresh stack and no region.
    pub fn new() -> Self {
        let stack = vec![0u8; STACK_BYTES].into_boxed_slice();
        let stack_base = stack.as_ptr() as u64;
        Memory {
            stack,
            stack_base,
            live: STACK_BYTES - STACK_SIZE,
            regions: Vec::new(),
            words: Vec::new(),
            resolver: None,
            packet: None,
        }
    }

    /// Registers a region the program may read and write; returns its guest address.
    pub fn add_region(&mut self, kind: RegionKind, bytes: &'a mut [u8]) -> u64 {
        let base = bytes.as_ptr() as u64;
        self.regions.push(Region { base, kind, bytes: Bytes::Mut(bytes) });
        base
    }

    /// Registers a region the program may only read; returns its guest address.
    pub fn add_readonly(&mut self, kind: RegionKind, bytes: &'a [u8]) -> u64 {
        let base = bytes.as_ptr() as u64;
        self.regions.push(Region { base, kind, bytes: Bytes::Shared(bytes) });
        base
    }

    /// Registers a region of atomic words; returns its guest address. Loads, stores and
    /// atomics on it are word operations, so other threads may use the same words meanwhile.
    pub fn add_words(&mut self, region: WordRegion<'a>) -> u64 {
        self.words.push(region);
        region.base()
    }

    /// Installs the resolver asked about addresses no registered region contains.
    pub fn set_resolver(&mut self, resolver: &'a dyn Resolver<'a>) {
        self.resolver = Some(ResolverRef(resolver));
    }

    /// The registered regions: byte regions in registration order, then word regions
    /// (regions a [`Resolver`] supplies are not listed).
    pub fn regions(&self) -> impl Iterator<Item = RegionInfo> + '_ {
        let bytes = self.regions.iter().map(|r| RegionInfo {
            base: r.base,
            len: r.len(),
            kind: r.kind,
            writable: matches!(r.bytes, Bytes::Mut(_)),
        });
        let words = self.words.iter().map(|w| RegionInfo { base: w.base(), len: w.len, kind: w.kind, writable: w.writable });
        bytes.chain(words)
    }

    /// Declares the packet that `LD_ABS`/`LD_IND` read (see [`Packet`]).
    pub fn set_packet(&mut self, packet: Packet<'a>) {
        self.packet = Some(packet);
    }

    /// The packet, if one was declared.
    pub fn packet(&self) -> Option<&Packet<'a>> {
        self.packet.as_ref()
    }

    /// Guest address of the lowest stack byte (frame 7's bottom); frame `k`'s frame pointer
    /// is `stack_base() + STACK_BYTES - k * STACK_SIZE`.
    pub fn stack_base(&self) -> u64 {
        self.stack_base
    }

    /// Makes frame `depth` (0 = the program's own) the deepest live frame, zeroes it and
    /// returns its frame pointer (`r10`).
    pub(crate) fn enter_frame(&mut self, depth: usize) -> u64 {
        let top = STACK_BYTES - depth * STACK_SIZE;
        self.live = top - STACK_SIZE;
        self.stack[self.live..top].fill(0);
        self.stack_base + top as u64
    }

    /// Makes frames `0..=depth` the live ones (the ones helpers may touch), clearing nothing.
    /// An engine that moves between frames itself, like the JIT, calls this before a helper
    /// runs so that pointers into the calling subprogram's frame are accepted.
    pub fn set_live_depth(&mut self, depth: usize) {
        self.leave_frame(depth.min(hive_isa::MAX_CALL_FRAMES - 1));
    }

    /// Makes frame `depth` the deepest live frame again after a return.
    pub(crate) fn leave_frame(&mut self, depth: usize) {
        self.live = STACK_BYTES - (depth + 1) * STACK_SIZE;
    }

    /// The bytes `[addr, addr + len)` of the stack or a byte region, if they lie in one.
    #[inline]
    fn bytes(&self, addr: u64, len: usize) -> Option<&[u8]> {
        if let Some(off) = offset_in(self.stack_base + self.live as u64, STACK_BYTES - self.live, addr, len) {
            let off = off + self.live;
            return Some(&self.stack[off..off + len]);
        }
        for r in &self.regions {
            let bytes: &[u8] = match &r.bytes {
                Bytes::Mut(b) => b,
                Bytes::Shared(b) => b,
            };
            if let Some(off) = offset_in(r.base, bytes.len(), addr, len) {
                return Some(&bytes[off..off + len]);
            }
        }
        None
    }

    /// The word region holding `[addr, addr + len)` and the offset in it: registered ones
    /// first, then the resolver's.
    #[cold]
    fn find_words(&self, addr: u64, len: usize, access: Access) -> Result<(WordRegion<'a>, usize), AccessError> {
        let found = self
            .words
            .iter()
            .find_map(|w| w.offset(addr, len).map(|off| (*w, off)))
            .or_else(|| {
                let w = self.resolver.as_ref()?.0.resolve(addr, len)?;
                w.offset(addr, len).map(|off| (w, off))
            });
        match found {
            Some((w, _)) if access == Access::Write && !w.writable => Err(AccessError::ReadOnly { addr, size: len }),
            Some(hit) => Ok(hit),
            None => Err(AccessError::Unmapped { addr, size: len, access }),
        }
    }

    /// The bytes `[addr, addr + len)` for reading (a zero-length read always succeeds).
    ///
    /// Only the stack and byte regions can be borrowed as bytes: an access inside a word
    /// region fails with [`AccessError::Words`] (copy it out with [`read_into`](Self::read_into)).
    pub fn read(&self, addr: u64, len: usize) -> Result<&[u8], AccessError> {
        if len == 0 {
            return Ok(&[]);
        }
        match self.bytes(addr, len) {
            Some(b) => Ok(b),
            None => Err(self.not_bytes(addr, len, Access::Read)),
        }
    }

    /// The error for a byte access outside the stack and the byte regions.
    #[cold]
    fn not_bytes(&self, addr: u64, len: usize, access: Access) -> AccessError {
        match self.find_words(addr, len, access) {
            Ok(_) => AccessError::Words { addr, size: len },
            Err(e) => e,
        }
    }

    /// Copies `[addr, addr + out.len())` into `out`, from any kind of region.
    pub fn read_into(&self, addr: u64, out: &mut [u8]) -> Result<(), AccessError> {
        if out.is_empty() {
            return Ok(());
        }
        if let Some(b) = self.bytes(addr, out.len()) {
            out.copy_from_slice(b);
            return Ok(());
        }
        let (w, off) = self.find_words(addr, out.len(), Access::Read)?;
        words::copy_out(w.words, off, out);
        Ok(())
    }

    /// The bytes `[addr, addr + len)` for writing (a zero-length write always succeeds).
    ///
    /// Like [`read`](Self::read), only for the stack and byte regions.
    pub fn slice_mut(&mut self, addr: u64, len: usize) -> Result<&mut [u8], AccessError> {
        if len == 0 {
            return Ok(&mut []);
        }
        if let Some(off) = offset_in(self.stack_base + self.live as u64, STACK_BYTES - self.live, addr, len) {
            let off = off + self.live;
            return Ok(&mut self.stack[off..off + len]);
        }
        let hit = self.regions.iter().position(|r| offset_in(r.base, r.len(), addr, len).is_some());
        let Some(i) = hit else {
            return Err(self.not_bytes(addr, len, Access::Write));
        };
        let r = &mut self.regions[i];
        let off = (addr - r.base) as usize;
        match &mut r.bytes {
            Bytes::Mut(b) => Ok(&mut b[off..off + len]),
            Bytes::Shared(_) => Err(AccessError::ReadOnly { addr, size: len }),
        }
    }

    /// Copies `bytes` to `addr`, into any kind of writable region.
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> Result<(), AccessError> {
        match self.slice_mut(addr, bytes.len()) {
            Ok(dst) => {
                dst.copy_from_slice(bytes);
                Ok(())
            }
            Err(AccessError::Words { .. }) => {
                let (w, off) = self.find_words(addr, bytes.len(), Access::Write)?;
                words::copy_in(w.words, off, bytes);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Loads a little-endian value of `size`, zero-extended.
    #[inline]
    pub fn load(&self, addr: u64, size: Size) -> Result<u64, AccessError> {
        let n = size.bytes();
        match self.bytes(addr, n) {
            Some(bytes) => {
                let mut buf = [0u8; 8];
                buf[..n].copy_from_slice(bytes);
                Ok(u64::from_le_bytes(buf))
            }
            None => self.load_words(addr, n),
        }
    }

    #[cold]
    #[inline(never)]
    fn load_words(&self, addr: u64, n: usize) -> Result<u64, AccessError> {
        let (w, off) = self.find_words(addr, n, Access::Read)?;
        Ok(words::load(w.words, off, n))
    }

    /// Stores the low `size` bytes of `value`, little-endian.
    #[inline]
    pub fn store(&mut self, addr: u64, size: Size, value: u64) -> Result<(), AccessError> {
        match self.slice_mut(addr, size.bytes()) {
            Ok(dst) => {
                let len = dst.len();
                dst.copy_from_slice(&value.to_le_bytes()[..len]);
                Ok(())
            }
            Err(AccessError::Words { .. }) => self.store_words(addr, size.bytes(), value),
            Err(e) => Err(e),
        }
    }

    #[cold]
    #[inline(never)]
    fn store_words(&self, addr: u64, n: usize, value: u64) -> Result<(), AccessError> {
        let (w, off) = self.find_words(addr, n, Access::Write)?;
        words::store(w.words, off, n, value);
        Ok(())
    }

    /// A read-modify-write atomic on a word region (see `words::rmw`); returns the old value.
    pub(crate) fn rmw_words(
        &self,
        addr: u64,
        n: usize,
        op: AtomicOp,
        val: u64,
        expected: u64,
    ) -> Result<u64, AccessError> {
        let (w, off) = self.find_words(addr, n, Access::Write)?;
        Ok(words::rmw(w.words, off, n, op, val, expected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_wrap() {
        let mut buf = [1u8, 2, 3, 4];
        let ro = [9u8; 2];
        let mut mem = Memory::new();
        let a = mem.add_region(RegionKind::Input, &mut buf);
        let b = mem.add_readonly(RegionKind::Other, &ro);
        assert_eq!(mem.load(a, Size::W).unwrap(), 0x0403_0201);
        assert_eq!(mem.load(a + 1, Size::H).unwrap(), 0x0302);
        assert!(mem.load(a + 1, Size::W).is_err());
        assert!(mem.load(a.wrapping_sub(1), Size::H).is_err());
        assert!(mem.load(u64::MAX, Size::DW).is_err());
        assert!(mem.load(0, Size::B).is_err());
        assert_eq!(mem.store(b, Size::B, 0), Err(AccessError::ReadOnly { addr: b, size: 1 }));
        assert_eq!(mem.load(b, Size::H).unwrap(), 0x0909);
        mem.store(a + 2, Size::H, 0xbbaa).unwrap();
        assert_eq!(mem.read(a, 4).unwrap(), &[1, 2, 0xaa, 0xbb]);
    }

    #[test]
    fn stack_frames_are_live_only_when_entered() {
        let mut mem = Memory::new();
        let fp0 = mem.enter_frame(0);
        mem.store(fp0 - 8, Size::DW, 42).unwrap();
        assert!(mem.load(fp0, Size::B).is_err(), "above the top frame");
        assert!(mem.load(fp0 - 513, Size::B).is_err(), "below frame 0 while it is the deepest");
        let fp1 = mem.enter_frame(1);
        assert_eq!(fp1, fp0 - STACK_SIZE as u64);
        assert_eq!(mem.load(fp1 - 8, Size::DW).unwrap(), 0, "a new frame starts zeroed");
        assert_eq!(mem.load(fp0 - 8, Size::DW).unwrap(), 42, "the caller's frame stays reachable");
        mem.leave_frame(0);
        assert!(mem.load(fp1 - 8, Size::DW).is_err(), "a returned frame is dead");
    }
}
