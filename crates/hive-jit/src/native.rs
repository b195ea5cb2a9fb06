//! What an embedder knows about a program's helpers and maps when it compiles it: helpers
//! compiled code may call directly, and maps whose lookups may be inlined or called without
//! the generic helper dispatch.
//!
//! Without [`Natives`] every `call N` goes through the run environment's trampoline into
//! [`hive_interp::Helpers::call_helper`], with the run's checked [`hive_interp::Memory`]: the
//! path for helpers that need it (callbacks, early exit, errors, checked pointer arguments).
//! With them:
//!
//! - **Direct helpers** ([`Natives::helper`]): `call N` becomes a plain System V call of an
//!   `extern "sysv64" fn(r1, r2, r3, r4, r5, &mut H) -> u64` whose result is `r0`. BPF's
//!   `r1`-`r5` already live in the System V argument registers, so nothing moves; the sixth
//!   argument is the helper object the run was given ([`crate::JitProgram::run`]'s
//!   `helpers`). There is no status, no unwinding, no live-depth bookkeeping and no
//!   [`hive_interp::Memory`]: pointer arguments are raw host addresses the verifier vouched
//!   for. A direct helper must not panic (a panic cannot unwind out of an `extern "sysv64"`
//!   function: the process aborts).
//! - **Maps** ([`Natives::map`]): a map is named by the value its `lddw` loads into `r1`
//!   (the map handle or pointer the loader put there). For `bpf_map_lookup_elem` on a map
//!   the compiler can identify at the call ([`CallSiteFacts`], or an `lddw r1, C` earlier in
//!   the same basic block with no other write of `r1` in between), an [`ArrayLayout`] turns
//!   the call into the kernel's `array_map_gen_lookup` sequence (bounds check, scale, add
//!   base), and a map-specific lookup function becomes a direct call with `r1` replaced by the
//!   map's own object pointer (the kernel's `map->ops->map_lookup_elem` rewrite).
//! - **Call-site facts** ([`Natives::call_site`]): what the verifier proved at one call
//!   (today: which map `r1` holds), overriding the local pattern.
//!
//! A program compiled with [`crate::compile_with`] records the helper type's name and runs
//! only with helpers of that type (lifetime parameters aside); anything else is refused with
//! a fault before any code runs.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use crate::facts::KnownReg;

/// A helper called directly by compiled code: `r1`-`r5`, then the run's helper object;
/// returns the new `r0`. It must not panic.
pub type NativeHelper<H> = extern "sysv64" fn(u64, u64, u64, u64, u64, &mut H) -> u64;

/// `BPF_FUNC_map_lookup_elem`.
pub const BPF_FUNC_MAP_LOOKUP_ELEM: i32 = 1;

/// Where an array map's values live: value `i` (for `i < max_entries`) is at
/// `base + i * stride`; a lookup of a larger index returns NULL. The key is the `u32` at
/// `r2`. For a per-CPU array, the layout of the one executor the program runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrayLayout {
    /// Address of value 0.
    pub base: u64,
    /// Bytes from one value to the next.
    pub stride: u32,
    /// Number of values.
    pub max_entries: u32,
}

/// What is known of one map.
pub struct MapFacts<H> {
    /// Inline lookups as array accesses.
    pub array: Option<ArrayLayout>,
    /// A map-specific lookup, called directly with `r1` = the second element (the map's
    /// object) and `r2` = the key pointer.
    pub lookup: Option<(NativeHelper<H>, u64)>,
}

impl<H> Clone for MapFacts<H> {
    fn clone(&self) -> Self {
        MapFacts { array: self.array, lookup: self.lookup }
    }
}

impl<H> fmt::Debug for MapFacts<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapFacts")
            .field("array", &self.array)
            .field("lookup", &self.lookup.map(|(func, obj)| (func as usize, obj)))
            .finish()
    }
}

/// What the verifier proved about one helper call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CallSiteFacts {
    /// The value `r1` holds at the call on every path, when it names a map (the key of
    /// [`Natives::map`]).
    pub map: Option<u64>,
}

/// Direct helpers, maps and call-site facts for programs run with helpers of type `H`.
pub struct Natives<H> {
    pub(crate) table: Table,
    _helpers: PhantomData<fn(&mut H)>,
}

impl<H> Default for Natives<H> {
    fn default() -> Self {
        Natives { table: Table::default(), _helpers: PhantomData }
    }
}

impl<H> fmt::Debug for Natives<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Natives").field("table", &self.table).finish()
    }
}

impl<H> Natives<H> {
    /// Nothing known: every call goes through the trampolines.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls of helper `id` go straight to `f`.
    pub fn helper(&mut self, id: i32, f: NativeHelper<H>) -> &mut Self {
        self.table.helpers.insert(id, f as usize as u64);
        self
    }

    /// The map `r1 = value` names.
    pub fn map(&mut self, value: u64, facts: MapFacts<H>) -> &mut Self {
        let entry = MapEntry { array: facts.array, lookup: facts.lookup.map(|(f, obj)| (f as usize as u64, obj)) };
        self.table.maps.insert(value, entry);
        self
    }

    /// Facts about the helper call at slot `pc`.
    pub fn call_site(&mut self, pc: usize, facts: CallSiteFacts) -> &mut Self {
        self.table.call_sites.insert(pc, facts);
        self
    }

    /// What the verifier proved about `r0`-`r10` on entry to slot `pc`, a jump target or
    /// subprogram start, on every path (`hive_verifier::BlockFacts`). The compiler starts
    /// the block with these facts instead of none (see the crate documentation). They must
    /// hold on every run: wrong facts make wrong code.
    pub fn block_entry(&mut self, pc: usize, regs: [KnownReg; 11]) -> &mut Self {
        self.table.block_entries.insert(pc, regs);
        self
    }

    /// The name of the helper type, which programs compiled with these natives check at run.
    pub(crate) fn type_name() -> &'static str {
        std::any::type_name::<H>()
    }
}

/// The untyped form the compiler uses.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    /// Helper id → function address.
    pub helpers: BTreeMap<i32, u64>,
    /// `lddw` value → map.
    pub maps: BTreeMap<u64, MapEntry>,
    /// Slot → facts.
    pub call_sites: BTreeMap<usize, CallSiteFacts>,
    /// Block start → the verifier's facts on entry.
    pub block_entries: BTreeMap<usize, [KnownReg; 11]>,
}

impl Table {
    pub fn is_empty(&self) -> bool {
        self.helpers.is_empty() && self.maps.is_empty()
    }
}

/// A map, untyped.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MapEntry {
    pub array: Option<ArrayLayout>,
    /// Function address and object.
    pub lookup: Option<(u64, u64)>,
}
