//! The global half of the object model: ids and the tables that map them to live objects.
//!
//! Ids are allocated per kind from 1 upward and never reused. A table entry does not keep its
//! object alive: programs and BTF objects are held as `Weak`, maps as a `Weak` to their
//! storage plus their metadata (so that an inner map that only a map-in-map still holds keeps
//! its id and info). Dead entries are pruned whenever a table is walked or written.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use hive_maps::Map;
use hive_platform::kfunc::KfuncRegistry;
use parking_lot::{Mutex, RwLock};

use crate::btf::BtfObject;
use crate::error::{Error, Result};
use crate::fd::Client;
use crate::helpers::trace::{TracePipe, TraceSink};
use crate::ids::{BtfId, MapId, ProgId};
use crate::load::verify::Verifier;
use crate::map::{MapMeta, MapRef};
use crate::prog::ProgObject;

/// How a [`Runtime`] is set up.
#[derive(Clone)]
pub struct RuntimeConfig {
    /// Program executors (the "CPUs"): per-CPU maps keep one slot for each, and
    /// `bpf_get_smp_processor_id` returns the executor a program runs on (`0..executors`).
    pub executors: usize,
    /// Where `bpf_trace_printk` lines go (the runtime's `trace_pipe`).
    pub trace: Arc<dyn TraceSink>,
    /// Seed of `bpf_get_prandom_u32` (a fixed seed makes runs repeatable).
    pub prandom_seed: u64,
    /// Run verified programs with the x86-64 JIT (default `true`). Off, every program runs
    /// in the checked interpreter. Unverified programs never get the JIT.
    pub jit: bool,
    /// Blind the constants of JIT-compiled programs (`hive_jit::JitOptions::blind_constants`,
    /// the kernel's `bpf_jit_harden`): no immediate a program chose appears in executable
    /// memory. For runtimes that load programs from untrusted authors. Default `false`.
    pub jit_blind_constants: bool,
}

impl std::fmt::Debug for RuntimeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeConfig")
            .field("executors", &self.executors)
            .field("prandom_seed", &self.prandom_seed)
            .field("jit", &self.jit)
            .field("jit_blind_constants", &self.jit_blind_constants)
            .finish_non_exhaustive()
    }
}

impl Default for RuntimeConfig {
    /// One executor per available CPU, an in-memory trace pipe, a seed from the clock, the JIT on.
    fn default() -> Self {
        let executors = std::thread::available_parallelism().map_or(1, |n| n.get());
        let seed = crate::sys::clock_ns(crate::sys::Clock::Monotonic) ^ 0x9e37_79b9_7f4a_7c15;
        RuntimeConfig {
            executors,
            trace: Arc::new(TracePipe::default()),
            prandom_seed: seed,
            jit: true,
            jit_blind_constants: false,
        }
    }
}

/// Ids of one kind: the next to hand out and the live entries.
#[derive(Debug)]
pub(crate) struct IdTable<T> {
    next: u32,
    pub(crate) live: BTreeMap<u32, T>,
}

impl<T> Default for IdTable<T> {
    fn default() -> Self {
        IdTable { next: 1, live: BTreeMap::new() }
    }
}

impl<T> IdTable<T> {
    /// A fresh id (never handed out before); `ENOSPC` once the space is spent.
    pub(crate) fn alloc(&mut self) -> Result<u32> {
        let id = self.next;
        self.next = self.next.checked_add(1).ok_or(Error::NoSpace("id space exhausted"))?;
        Ok(id)
    }
}

/// A map's registry entry: its storage (weakly) and its metadata.
#[derive(Debug)]
pub(crate) struct MapEntry {
    pub(crate) map: Weak<Map>,
    pub(crate) meta: Arc<MapMeta>,
}

/// Everything shared by the clients of one runtime.
pub(crate) struct Shared {
    pub(crate) config: RuntimeConfig,
    pub(crate) progs: Mutex<IdTable<Weak<ProgObject>>>,
    pub(crate) maps: Mutex<MapTable>,
    pub(crate) btfs: Mutex<IdTable<Weak<BtfObject>>>,
    pub(crate) kfuncs: KfuncRegistry,
    /// The verifier `prog_load` runs ([`Runtime::set_verifier`]).
    pub(crate) verifier: RwLock<Arc<dyn Verifier>>,
    pub(crate) prandom: AtomicU64,
    /// Runtime start, for trace timestamps.
    pub(crate) start_ns: u64,
}

/// The map table, with a reverse index from storage address to id (for inner maps, which
/// map-in-maps hold as bare storage).
#[derive(Debug, Default)]
pub(crate) struct MapTable {
    pub(crate) ids: IdTable<MapEntry>,
    by_addr: HashMap<usize, u32>,
}

impl MapTable {
    fn prune(&mut self) {
        let dead: Vec<u32> =
            self.ids.live.iter().filter(|(_, e)| e.map.strong_count() == 0).map(|(&id, _)| id).collect();
        for id in dead {
            if let Some(e) = self.ids.live.remove(&id) {
                let addr = e.map.as_ptr() as usize;
                if self.by_addr.get(&addr) == Some(&id) {
                    self.by_addr.remove(&addr);
                }
            }
        }
    }

    pub(crate) fn insert(&mut self, map: &Arc<Map>, make: impl FnOnce(MapId) -> MapMeta) -> Result<Arc<MapMeta>> {
        self.prune();
        let id = self.ids.alloc()?;
        let meta = Arc::new(make(MapId(id)));
        self.ids.live.insert(id, MapEntry { map: Arc::downgrade(map), meta: meta.clone() });
        self.by_addr.insert(Arc::as_ptr(map) as usize, id);
        Ok(meta)
    }

    /// The live map with this id.
    pub(crate) fn get(&self, id: u32) -> Option<MapRef> {
        let e = self.ids.live.get(&id)?;
        Some(MapRef { map: e.map.upgrade()?, meta: e.meta.clone() })
    }

    /// The handle of a map known by its storage (an inner map).
    pub(crate) fn by_storage(&self, map: &Arc<Map>) -> Option<MapRef> {
        let id = *self.by_addr.get(&(Arc::as_ptr(map) as usize))?;
        let e = self.ids.live.get(&id)?;
        Some(MapRef { map: map.clone(), meta: e.meta.clone() })
    }

    pub(crate) fn next_id(&mut self, after: u32) -> Option<u32> {
        self.prune();
        self.ids.live.range(after.saturating_add(1)..).next().map(|(&id, _)| id)
    }
}

/// The next live id after `after` in a table of weak references.
pub(crate) fn next_weak<T>(table: &mut IdTable<Weak<T>>, after: u32) -> Option<u32> {
    table.live.retain(|_, w| w.strong_count() > 0);
    table.live.range(after.saturating_add(1)..).next().map(|(&id, _)| id)
}

/// One user-space BPF subsystem: the object registry, the helpers' shared state and the
/// configuration. Cheap to clone (it is a handle); every clone is the same runtime.
///
/// Commands go through a [`Client`], the holder of descriptors.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("config", &self.shared.config).finish_non_exhaustive()
    }
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime::new(RuntimeConfig::default())
    }
}

impl Runtime {
    /// A runtime with `config`.
    ///
    /// # Panics
    /// If `config.executors` is 0.
    pub fn new(config: RuntimeConfig) -> Runtime {
        assert!(config.executors > 0, "a runtime needs at least one executor");
        let prandom = AtomicU64::new(config.prandom_seed);
        Runtime {
            shared: Arc::new(Shared {
                config,
                progs: Mutex::default(),
                maps: Mutex::default(),
                btfs: Mutex::default(),
                kfuncs: KfuncRegistry::with_builtins(),
                verifier: RwLock::new(Arc::new(crate::load::verify::HiveVerifier::default())),
                prandom,
                start_ns: crate::sys::clock_ns(crate::sys::Clock::Monotonic),
            }),
        }
    }

    /// Replaces the verifier every later `BPF_PROG_LOAD` runs. The default is
    /// [`HiveVerifier`](crate::load::verify::HiveVerifier): a program it refuses does not
    /// load (`EACCES`/`EINVAL` with the log, as in the kernel). [`NoVerifier`](crate::load::verify::NoVerifier) loads programs
    /// unverified, to run only in the checked interpreter (`hive run --no-verify`).
    pub fn set_verifier(&self, verifier: Arc<dyn Verifier>) {
        *self.shared.verifier.write() = verifier;
    }

    /// A new client: an empty descriptor table (like a new process).
    pub fn client(&self) -> Client {
        Client::new(self.shared.clone())
    }

    /// The configuration.
    pub fn config(&self) -> &RuntimeConfig {
        &self.shared.config
    }

    /// The kfuncs programs may call (the built-ins: `bpf_iter_num_*` and the others
    /// `hive-platform` lists; only the iterator kfuncs have implementations yet).
    pub fn kfuncs(&self) -> &KfuncRegistry {
        &self.shared.kfuncs
    }

    /// `BPF_PROG_GET_NEXT_ID`: the smallest live program id above `after`.
    #[doc(alias = "BPF_PROG_GET_NEXT_ID")]
    pub fn prog_next_id(&self, after: ProgId) -> Result<ProgId> {
        next_weak(&mut self.shared.progs.lock(), after.0).map(ProgId).ok_or(Error::NotFound("no next program id"))
    }

    /// `BPF_MAP_GET_NEXT_ID`.
    #[doc(alias = "BPF_MAP_GET_NEXT_ID")]
    pub fn map_next_id(&self, after: MapId) -> Result<MapId> {
        self.shared.maps.lock().next_id(after.0).map(MapId).ok_or(Error::NotFound("no next map id"))
    }

    /// `BPF_BTF_GET_NEXT_ID`.
    #[doc(alias = "BPF_BTF_GET_NEXT_ID")]
    pub fn btf_next_id(&self, after: BtfId) -> Result<BtfId> {
        next_weak(&mut self.shared.btfs.lock(), after.0).map(BtfId).ok_or(Error::NotFound("no next BTF id"))
    }

    /// Every live program id, in order.
    pub fn prog_ids(&self) -> Vec<ProgId> {
        std::iter::successors(self.prog_next_id(ProgId(0)).ok(), |id| self.prog_next_id(*id).ok()).collect()
    }

    /// Every live map id, in order.
    pub fn map_ids(&self) -> Vec<MapId> {
        std::iter::successors(self.map_next_id(MapId(0)).ok(), |id| self.map_next_id(*id).ok()).collect()
    }
}

impl Shared {
    /// A fresh pseudo-random `u32` (splitmix64 over one shared atomic counter).
    pub(crate) fn prandom_u32(&self) -> u32 {
        let mut z =
            self.prandom.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as u32
    }
}
