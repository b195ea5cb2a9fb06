//! One program run: the memory it may touch, the helpers' per-run state, tail calls.
//!
//! A run borrows everything it needs for one lifetime `'a`: the program (and, through it,
//! its maps), the context and packet buffers, and two per-run stores:
//!
//! - [`Arenas`]: objects discovered while running that must live as long as the run (an
//!   inner map looked up in a map-in-map, a tail-call target, a ring buffer sample's
//!   scratch space). An append-only arena hands out `&'a` references to them without
//!   `unsafe`.
//! - [`Exposed`]: the map values (and scratch buffers) the helpers handed to the program.
//!   It is the interpreter's [`Resolver`]: when the program dereferences a pointer no
//!   registered region contains, the interpreter asks it, and it answers with the value's
//!   atomic words.
//!
//! Tail calls leave the interpreter with [`Outcome::TailCall`]; [`execute`] then runs the
//! target program in the same memory with the same context, up to the kernel's 33. Each
//! program runs on its own engine: JIT-compiled code when the load gave it the JIT
//! (`jit.rs`), the interpreter otherwise, with the same memory and helpers.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use hive_interp::{Memory, Outcome, RegionKind, Resolver, WordRegion};
use hive_maps::{Executor, Map, RingBufReservation, flags};
use hive_platform::prog::ProgType;
use typed_arena::Arena;

use crate::error::{Error, Result};
use crate::helpers::callback::Pending;
use crate::prog::ProgObject;
use crate::registry::Shared;

/// Objects a run discovers and keeps for its duration.
#[derive(Default)]
pub(crate) struct Arenas {
    pub maps: Arena<Arc<Map>>,
    pub progs: Arena<Arc<ProgObject>>,
    pub words: Arena<AtomicU64>,
}

/// The word regions handed to the program: the run's [`Resolver`].
#[derive(Default)]
pub(crate) struct Exposed<'a> {
    regions: RefCell<BTreeMap<u64, WordRegion<'a>>>,
    /// Arrays whose lookups JIT-compiled code makes in line (`jit.rs`): their values are
    /// exposed when a helper is first handed a pointer into one.
    arrays: RefCell<Vec<&'a Map>>,
}

impl<'a> Exposed<'a> {
    /// Makes `region` reachable; returns its address.
    pub fn expose(&self, region: WordRegion<'a>) -> u64 {
        let base = region.base();
        self.regions.borrow_mut().insert(base, region);
        base
    }

    /// Makes the values of `map` (an array with a [`hive_maps::Map::value_block`]) reachable
    /// on demand.
    pub fn expose_array(&self, map: &'a Map) {
        let mut arrays = self.arrays.borrow_mut();
        if !arrays.iter().any(|m| std::ptr::eq(*m, map)) {
            arrays.push(map);
        }
    }

    /// The exposed region containing `[addr, addr + len)` and the offset in it.
    pub fn find(&self, addr: u64, len: usize) -> Option<(WordRegion<'a>, usize)> {
        let found = self.regions.borrow().range(..=addr).next_back().map(|(&base, r)| (base, *r));
        if let Some((base, r)) = found {
            let off = addr - base;
            if off.checked_add(len as u64)? <= r.len as u64 {
                return Some((r, off as usize));
            }
        }
        let value = self.array_value(addr, len)?;
        let base = self.expose(value);
        Some((value, (addr - base) as usize))
    }

    /// The value of an [`expose_array`](Self::expose_array) map containing
    /// `[addr, addr + len)`, as a region.
    fn array_value(&self, addr: u64, len: usize) -> Option<WordRegion<'a>> {
        self.arrays.borrow().iter().find_map(|&map| {
            let i = map.value_block()?.index_of(addr, len, map.spec().value_size)?;
            let value = map.prog_lookup(&Executor::enter(0), &i.to_ne_bytes())?;
            Some(value_region(map, value))
        })
    }
}

/// A map value as a region the program may address (read-only for `BPF_F_RDONLY_PROG` maps).
fn value_region<'a>(map: &Map, v: hive_maps::ValueRef<'a>) -> WordRegion<'a> {
    let writable = map.spec().map_flags & flags::RDONLY_PROG == 0;
    WordRegion { words: v.words(), len: v.len(), kind: RegionKind::MapValue, writable }
}

impl<'a> Resolver<'a> for Exposed<'a> {
    fn resolve(&self, addr: u64, len: usize) -> Option<WordRegion<'a>> {
        self.find(addr, len).map(|(r, _)| r)
    }
}

/// The task a program runs on behalf of (what `bpf_get_current_*` report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// Thread id (the kernel's `pid`).
    pub pid: u32,
    /// Process id (the kernel's `tgid`).
    pub tgid: u32,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Command name (at most 15 bytes).
    pub comm: Vec<u8>,
}

impl Task {
    /// The calling thread.
    pub fn current() -> Task {
        Task {
            pid: crate::sys::gettid(),
            tgid: crate::sys::getpid(),
            uid: crate::sys::getuid(),
            gid: crate::sys::getgid(),
            comm: crate::sys::thread_comm(),
        }
    }
}

/// Where a `bpf_redirect` asked the packet to go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// Target interface.
    pub ifindex: u32,
    /// Flags (`BPF_F_INGRESS`).
    pub flags: u64,
}

/// How to run a program.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The executor ("CPU") to run on: per-CPU map slots and `bpf_get_smp_processor_id`.
    pub cpu: usize,
    /// The task to report; the calling thread when `None`.
    pub task: Option<Task>,
    /// What `bpf_get_func_ip` returns (the attach point's address; 0 by default).
    pub func_ip: u64,
}

/// Side effects of a run besides its return value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// The full 64-bit `r0` (test runs report its low 32 bits as `retval`).
    pub r0: u64,
    /// Instructions the interpreter executed (over all tail calls); JIT-compiled code does
    /// not count its instructions (0 for a program the JIT runs).
    pub insns: u64,
    /// Tail calls taken.
    pub tail_calls: u32,
    /// The last `bpf_redirect` target.
    pub redirect: Option<Redirect>,
}

/// The helpers' state for one run.
pub(crate) struct RunHelpers<'a> {
    pub shared: &'a Shared,
    pub arenas: &'a Arenas,
    pub exposed: &'a Exposed<'a>,
    pub exec: Executor,
    pub prog_type: ProgType,
    /// Map handles (`lddw` values) the program may pass to helpers.
    pub maps: HashMap<u64, &'a Map>,
    /// Ring buffer samples reserved and not yet submitted, by scratch address.
    pub reservations: HashMap<u64, (RingBufReservation<'a>, &'a [AtomicU64])>,
    /// Callbacks in progress (`bpf_loop`, `bpf_for_each_map_elem`), innermost last.
    pub pending: Vec<Pending<'a>>,
    pub tail_calls: u32,
    pub tail_target: Option<&'a ProgObject>,
    pub task: Task,
    pub func_ip: u64,
    pub redirect: Option<Redirect>,
    /// The spin lock this run holds (address), if any.
    pub held_lock: Option<u64>,
}

impl<'a> RunHelpers<'a> {
    pub fn new(
        shared: &'a Shared,
        arenas: &'a Arenas,
        exposed: &'a Exposed<'a>,
        prog_type: ProgType,
        opts: &RunOptions,
    ) -> Result<RunHelpers<'a>> {
        if opts.cpu >= shared.config.executors {
            return Err(Error::invalid(format!("cpu {} is not an executor (0..{})", opts.cpu, shared.config.executors)));
        }
        Ok(RunHelpers {
            shared,
            arenas,
            exposed,
            exec: Executor::enter(opts.cpu),
            prog_type,
            maps: HashMap::new(),
            reservations: HashMap::new(),
            pending: Vec::new(),
            tail_calls: 0,
            tail_target: None,
            task: opts.task.clone().unwrap_or_else(Task::current),
            func_ip: opts.func_ip,
            redirect: None,
            held_lock: None,
        })
    }

    /// Registers a map the program may name from now on.
    pub fn add_map(&mut self, map: &'a Map) {
        self.maps.insert(map as *const Map as u64, map);
    }

    /// Keeps `map` alive for the run and registers it; returns its handle.
    pub fn adopt_map(&mut self, map: Arc<Map>) -> u64 {
        let m: &'a Map = self.arenas.maps.alloc(map);
        self.add_map(m);
        m as *const Map as u64
    }

    /// Makes a program's maps and directly addressed values reachable (and, for JIT-compiled
    /// code, the values of the arrays it looks up in line).
    pub fn adopt_prog(&mut self, prog: &'a ProgObject) {
        for m in &prog.maps {
            self.add_map(&m.map);
            // JIT-compiled code looks these up without a helper (`jit.rs`).
            if prog.jit.is_some() && m.map.value_block().is_some() {
                self.exposed.expose_array(&m.map);
            }
        }
        for &i in &prog.direct {
            let map: &'a Map = &prog.maps[i].map;
            if let Some(v) = map.prog_lookup(&self.exec, &0u32.to_ne_bytes()) {
                self.expose_value(map, v);
            }
        }
    }

    /// Exposes a map value to the program; returns its address.
    pub fn expose_value(&self, map: &Map, v: hive_maps::ValueRef<'a>) -> u64 {
        self.exposed.expose(value_region(map, v))
    }

    /// Fresh zeroed words for the run (scratch space the program may address).
    pub fn scratch(&self, bytes: usize, writable: bool) -> (u64, &'a [AtomicU64]) {
        let n = bytes.div_ceil(8).max(1);
        let words: &'a [AtomicU64] = self.arenas.words.alloc_extend((0..n).map(|_| AtomicU64::new(0)));
        let addr = self.exposed.expose(WordRegion { words, len: bytes, kind: RegionKind::Other, writable });
        (addr, words)
    }

    /// The map a program passed as a helper argument.
    pub fn map(&self, handle: u64) -> Result<&'a Map, hive_interp::HelperError> {
        self.maps
            .get(&handle)
            .copied()
            .ok_or_else(|| hive_interp::HelperError::Failed(format!("{handle:#x} is not a map of this program")))
    }

    /// Ends the run: discards unsubmitted ring buffer samples, releases a held spin lock.
    fn finish(&mut self) {
        for (_, (r, _)) in self.reservations.drain() {
            r.discard(hive_maps::BPF_RB_NO_WAKEUP);
        }
        if let Some(addr) = self.held_lock.take() {
            crate::helpers::lock::force_unlock(self, addr);
        }
    }
}

/// Runs `prog` on the context at `ctx` (and, through tail calls, its successors).
pub(crate) fn execute<'a>(
    prog: &'a ProgObject,
    mem: &mut Memory<'a>,
    helpers: &mut RunHelpers<'a>,
    ctx: u64,
) -> Result<RunReport> {
    helpers.adopt_prog(prog);
    let mut cur = prog;
    let mut insns = 0;
    let result = loop {
        let out = if let Some(jit) = &cur.jit {
            jit.run(mem, helpers, [ctx, 0, 0, 0, 0])
        } else {
            let mut vm = cur.take_vm();
            let out = vm.run_outcome(mem, helpers, [ctx, 0, 0, 0, 0]);
            insns += vm.stats().insns;
            cur.put_vm(vm);
            out
        };
        match out {
            Ok(Outcome::Return(r0)) => break Ok(r0),
            Ok(Outcome::TailCall(_)) => {
                let next = helpers.tail_target.take().expect("the tail-call helper sets the target");
                helpers.adopt_prog(next);
                cur = next;
            }
            Err(f) => break Err(Error::Fault(Box::new(f))),
        }
    };
    helpers.finish();
    let r0 = result?;
    Ok(RunReport { r0, insns, tail_calls: helpers.tail_calls, redirect: helpers.redirect })
}
