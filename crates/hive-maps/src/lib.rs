//! # hive-maps: BPF maps with the kernel's semantics, in user space
//!
//! This crate owns the storage that BPF programs point into. It implements fifteen map types
//! (one file each) with the behaviour a program or a `bpf()` caller observes on Linux: the
//! same creation checks and `errno` values, the same update flags (`BPF_ANY`, `BPF_NOEXIST`,
//! `BPF_EXIST`, `BPF_F_LOCK`), the same `get_next_key` order where the kernel defines one, and
//! the same program-side helpers (lookup returning a value address, push/pop/peek, ring
//! buffer reserve/submit/discard/output/query, tail-call slots, map-in-map).
//!
//! ```
//! use hive_maps::{Executor, Map, MapSpec, MapType, elem};
//! let map = Map::create(MapSpec::new(MapType::Hash, 4, 8, 16), 2)?;
//! map.update(&7u32.to_ne_bytes(), &42u64.to_ne_bytes(), elem::NOEXIST)?;
//! // A program on executor 0 gets the value's address and may write through it.
//! let exec = Executor::enter(0);
//! let v = map.prog_lookup(&exec, &7u32.to_ne_bytes()).unwrap();
//! assert_eq!(v.addr() % 8, 0);
//! v.write(&43u64.to_ne_bytes());
//! assert_eq!(map.lookup_vec(&7u32.to_ne_bytes())?, 43u64.to_ne_bytes());
//! assert_eq!(map.update(&7u32.to_ne_bytes(), &0u64.to_ne_bytes(), elem::NOEXIST).unwrap_err().errno(), 17);
//! # Ok::<(), hive_maps::MapError>(())
//! ```
//!
//! ## Invariants
//!
//! - **Stable value addresses.** Every value lives in 8-byte words (`AtomicU64`) that are
//!   allocated once and freed only with the map. Arrays and preallocated hash maps
//!   allocate all `max_entries` elements at creation, as the kernel does; `BPF_F_NO_PREALLOC`
//!   hash maps and LPM tries allocate chunks on first use and never give memory back before
//!   the map is dropped. A value address a program obtained therefore never dangles.
//! - **Reuse after delete.** A preallocated element is reused at once (the kernel's
//!   preallocated maps behave the same way: a program holding a stale pointer sees the next
//!   owner). On-demand elements are reused only after an epoch grace period
//!   (`crossbeam-epoch`, standing in for RCU): a program running inside an [`Executor`]
//!   (which pins the epoch, as the kernel's program runs hold `rcu_read_lock`) sees the
//!   element it looked up unchanged until it returns.
//! - **No data races on the Rust side.** All copies in and out are word-wise relaxed atomic
//!   accesses, so concurrent updates and lookups are well defined; without `BPF_F_LOCK` a
//!   reader may see a value half-updated (the kernel's arrays and in-place updates allow the
//!   same). With a spin lock offset in the [`MapSpec`], `BPF_F_LOCK` copies take the value's
//!   `struct bpf_spin_lock` and are never torn.
//! - **Concurrency.** Hash map lookups from programs take no lock (nulls-terminated chains,
//!   as the kernel's under RCU), writers take a per-bucket spin lock; the LRU clock hand, queues, stacks and the LPM trie each have one lock; arrays
//!   and bloom filters need none; the ring buffer reserves under a spin lock and commits
//!   lock-free, like the kernel's.
//! - **Per-CPU.** A map is created for `executors` executors (the runtime's worker threads,
//!   numbered `0..n`); per-CPU maps keep one slot per executor, a program sees its
//!   executor's slot, and user space reads and writes every slot, each rounded up to 8 bytes.
//!
//! ## Design choices that differ from the kernel (documented, tested)
//!
//! - Hash updates of an existing key write the value in place (the kernel swaps in a fresh
//!   element unless the map is per-CPU or `BPF_F_LOCK` is given); observable only as the
//!   possibility of a torn read by a concurrent reader.
//! - The LRU policy is a CLOCK (second chance) sweep over the preallocated elements: a
//!   program lookup sets the element's reference bit, eviction clears bits until it finds an
//!   unreferenced element. It keeps the kernel's guarantee (an update on a full LRU map
//!   evicts rather than fails) but not its exact victim choice; `BPF_F_NO_COMMON_LRU` only
//!   rounds `max_entries` like the kernel.
//! - Hash iteration order is bucket order with Hive's own hash function, so it differs from
//!   the kernel's (which differs between kernel runs anyway through its random seed).
//!
//! ## Map types
//!
//! | type | file | storage | notes |
//! |---|---|---|---|
//! | array, percpu_array | `array.rs` | one preallocated block (`[executor][index]` for per-CPU) | delete is `EINVAL`, `BPF_NOEXIST` is `EEXIST` |
//! | hash, percpu_hash, lru_hash, lru_percpu_hash | `hash.rs`, `lru.rs` | element pool, lock-free chains, per-bucket writer locks | `BPF_F_NO_PREALLOC`, `BPF_F_ZERO_SEED`, `BPF_F_NO_COMMON_LRU` |
//! | lpm_trie | `lpm_trie.rs` | on-demand pool, one lock | kernel post-order iteration, `ENOSPC` when full |
//! | queue, stack | `queue_stack.rs` | ring of `max_entries + 1` copies | `BPF_EXIST` overwrites the oldest |
//! | bloom_filter | `bloom.rs` | atomic bit array | `map_extra` hash functions, no false negatives |
//! | ringbuf | `ringbuf.rs` | memfd, data pages mapped twice | the kernel's header and position protocol, [`RingBufConsumer`] |
//! | prog_array, perf_event_array, array_of_maps | `fd_array.rs`, `perf_event.rs` | slots of [`FdObject`] | the runtime resolves fds, user space reads ids |
//! | hash_of_maps | `hash_of_maps.rs` | ordered table of [`FdObject`] | inner maps checked against the template |
//!
//! Batch commands ([`Map::lookup_batch`] and friends) are built on the element operations as
//! the kernel's generic batch functions are.
//!
//! ## Checked against the kernel
//!
//! `tests/kernel_diff.rs` runs seeded random operation sequences on both a host-kernel map
//! (through `hive-kernel`) and a Hive map and compares every result and `errno`: creation
//! checks over ~700 attribute combinations, element operations on every type the kernel
//! lets user space drive, full iteration in the kernel's order for arrays and LPM tries (as
//! sets for hash maps), batch walks, and for LRU maps the kernel's guarantees rather than
//! its victim choice. The tests skip with a note where `bpf()` is not permitted.
#![deny(unsafe_code)]

mod array;
mod batch;
mod bloom;
mod error;
mod fd_array;
mod hash;
mod hash_of_maps;
mod lpm_trie;
mod lru;
mod map;
mod perf_event;
mod queue_stack;
#[allow(unsafe_code)]
mod ringbuf;
mod spec;
mod storage;

use std::any::Any;
use std::fmt;
use std::sync::Arc;

pub use batch::{Batch, BatchCursor};
pub use error::{ENOTSUPP, MapError, Result};
pub use map::{Map, MapOps, ValueBlock};
pub use perf_event::{BPF_F_CURRENT_CPU, BPF_F_INDEX_MASK, PerfEventBuffer, PerfRecord, perf_event_output};
pub use ringbuf::{
    BPF_RB_AVAIL_DATA, BPF_RB_CONS_POS, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, BPF_RB_PROD_POS, BPF_RB_RING_SIZE,
    BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT, BPF_RINGBUF_HDR_SZ, RingBuf, RingBufConsumer, RingBufReservation,
};
pub use spec::{KMALLOC_MAX_SIZE, MAX_BPF_STACK, MapSpec, MapType, PCPU_MIN_UNIT_SIZE, elem, flags};
pub use storage::ValueRef;

/// One program run on one executor: its executor number (the per-CPU slot it uses) and a
/// pinned epoch, the stand-in for the kernel's `rcu_read_lock()` around a program.
///
/// Create one per program invocation on the thread that runs it and drop it when the
/// program returns; values looked up through it are not recycled meanwhile (see the crate
/// documentation).
pub struct Executor {
    cpu: usize,
    guard: crossbeam_epoch::Guard,
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor").field("cpu", &self.cpu).finish_non_exhaustive()
    }
}

impl Executor {
    /// Enters a program run on executor `cpu` (`0..executors`).
    pub fn enter(cpu: usize) -> Executor {
        Executor { cpu, guard: crossbeam_epoch::pin() }
    }

    /// The executor number (`bpf_get_smp_processor_id()`).
    pub fn cpu(&self) -> usize {
        self.cpu
    }

    pub(crate) fn guard(&self) -> &crossbeam_epoch::Guard {
        &self.guard
    }
}

/// What an fd-valued map slot holds: the object the user-space fd named.
#[derive(Clone)]
pub enum FdObject {
    /// An inner map (array/hash of maps).
    Map(Arc<Map>),
    /// A program (prog array); the runtime's own program type, downcast on tail call.
    Prog(Arc<dyn Any + Send + Sync>),
    /// A perf event's buffer (perf event array).
    PerfEvent(Arc<PerfEventBuffer>),
}

impl fmt::Debug for FdObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FdObject::Map(m) => f.debug_tuple("Map").field(m).finish(),
            FdObject::Prog(_) => f.write_str("Prog(..)"),
            FdObject::PerfEvent(p) => f.debug_tuple("PerfEvent").field(p).finish(),
        }
    }
}
