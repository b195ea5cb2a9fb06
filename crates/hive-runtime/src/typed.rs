//! The typed API on top of the commands, in aya's style: a typed view is made from a
//! descriptor and checked on conversion (map type, key and value sizes), after which reads
//! and writes take and return Rust values.
//!
//! ```
//! use hive::{Client, MapCreateAttr, Runtime, typed::HashMap};
//! use hive_maps::MapType;
//! let rt = Runtime::default();
//! let client = rt.client();
//! let fd = client.map_create(&MapCreateAttr::new(MapType::Hash, 4, 8, 16)).unwrap();
//! let counts: HashMap<'_, u32, u64> = HashMap::new(&client, fd).unwrap();
//! counts.insert(&7, &42, 0).unwrap();
//! assert_eq!(counts.get(&7).unwrap(), Some(42));
//! assert!(HashMap::<u32, u32>::new(&client, fd).is_err(), "value size checked");
//! ```

use std::marker::PhantomData;

use hive_maps::MapType;

use crate::error::{Error, Result};
use crate::fd::Client;
use crate::ids::Fd;
use crate::prog::ProgInfo;
use crate::run::{RunOptions, RunReport};
use crate::test_run::{TestRunAttr, TestRunOutput};

/// A plain-data type that maps store by value: its native-endian bytes.
pub trait Pod: Copy {
    /// Size in bytes.
    const SIZE: usize;
    /// The bytes.
    fn to_bytes(&self) -> Vec<u8>;
    /// From exactly `SIZE` bytes.
    fn from_bytes(b: &[u8]) -> Self;
}

macro_rules! pod_int {
    ($($t:ty),*) => {$(
        impl Pod for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn to_bytes(&self) -> Vec<u8> {
                self.to_ne_bytes().to_vec()
            }
            fn from_bytes(b: &[u8]) -> Self {
                <$t>::from_ne_bytes(b.try_into().expect("size checked"))
            }
        }
    )*};
}
pod_int!(u8, u16, u32, u64, i8, i16, i32, i64);

impl<const N: usize> Pod for [u8; N] {
    const SIZE: usize = N;
    fn to_bytes(&self) -> Vec<u8> {
        self.to_vec()
    }
    fn from_bytes(b: &[u8]) -> Self {
        b.try_into().expect("size checked")
    }
}

fn check(client: &Client, fd: Fd, types: &[MapType], key: usize, value: usize) -> Result<()> {
    let info = client.map_info(fd)?;
    if !types.contains(&info.map_type) {
        return Err(Error::invalid(format!("map is a {}, not one of {types:?}", info.map_type.kernel_name())));
    }
    if info.key_size as usize != key || info.value_size as usize != value {
        return Err(Error::invalid(format!(
            "map has key/value sizes {}/{}, the view wants {key}/{value}",
            info.key_size, info.value_size
        )));
    }
    Ok(())
}

fn not_found<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Map(hive_maps::MapError::NotFound)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A hash map (`HASH`, `LRU_HASH`) of `K` to `V`.
#[derive(Debug)]
pub struct HashMap<'c, K, V> {
    client: &'c Client,
    fd: Fd,
    _types: PhantomData<(K, V)>,
}

impl<'c, K: Pod, V: Pod> HashMap<'c, K, V> {
    /// A view of the map behind `fd`, after checking its type and sizes.
    pub fn new(client: &'c Client, fd: Fd) -> Result<Self> {
        check(client, fd, &[MapType::Hash, MapType::LruHash], K::SIZE, V::SIZE)?;
        Ok(HashMap { client, fd, _types: PhantomData })
    }

    /// The value under `key`.
    pub fn get(&self, key: &K) -> Result<Option<V>> {
        not_found(self.client.map_lookup(self.fd, &key.to_bytes()).map(|v| V::from_bytes(&v)))
    }

    /// Inserts or updates (`flags`: `BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`).
    pub fn insert(&self, key: &K, value: &V, flags: u64) -> Result<()> {
        self.client.map_update_elem(self.fd, &key.to_bytes(), &value.to_bytes(), flags)
    }

    /// Removes `key`.
    pub fn remove(&self, key: &K) -> Result<()> {
        self.client.map_delete_elem(self.fd, &key.to_bytes())
    }

    /// Every key, in iteration order.
    pub fn keys(&self) -> Result<Vec<K>> {
        let m = self.client.map_ref(self.fd)?;
        Ok(m.map().keys()?.iter().map(|k| K::from_bytes(k)).collect())
    }

    /// Every element.
    pub fn iter(&self) -> Result<Vec<(K, V)>> {
        let mut out = Vec::new();
        for k in self.keys()? {
            if let Some(v) = self.get(&k)? {
                out.push((k, v));
            }
        }
        Ok(out)
    }
}

/// An array of `V`.
#[derive(Debug)]
pub struct Array<'c, V> {
    client: &'c Client,
    fd: Fd,
    len: u32,
    _types: PhantomData<V>,
}

impl<'c, V: Pod> Array<'c, V> {
    /// A view of the array behind `fd`.
    pub fn new(client: &'c Client, fd: Fd) -> Result<Self> {
        check(client, fd, &[MapType::Array], 4, V::SIZE)?;
        let len = client.map_info(fd)?.max_entries;
        Ok(Array { client, fd, len, _types: PhantomData })
    }

    /// `max_entries`.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the array has no element (never: `max_entries` is at least 1).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element `index`.
    pub fn get(&self, index: u32) -> Result<V> {
        self.client.map_lookup(self.fd, &index.to_ne_bytes()).map(|v| V::from_bytes(&v))
    }

    /// Sets element `index`.
    pub fn set(&self, index: u32, value: &V) -> Result<()> {
        self.client.map_update_elem(self.fd, &index.to_ne_bytes(), &value.to_bytes(), 0)
    }
}

/// A per-CPU array: one `V` per executor.
#[derive(Debug)]
pub struct PerCpuArray<'c, V> {
    client: &'c Client,
    fd: Fd,
    _types: PhantomData<V>,
}

impl<'c, V: Pod> PerCpuArray<'c, V> {
    /// A view of the per-CPU array behind `fd`.
    pub fn new(client: &'c Client, fd: Fd) -> Result<Self> {
        check(client, fd, &[MapType::PercpuArray], 4, V::SIZE)?;
        Ok(PerCpuArray { client, fd, _types: PhantomData })
    }

    /// Element `index` on every executor.
    pub fn get(&self, index: u32) -> Result<Vec<V>> {
        let raw = self.client.map_lookup(self.fd, &index.to_ne_bytes())?;
        let slot = V::SIZE.div_ceil(8) * 8;
        Ok(raw.chunks(slot).map(|c| V::from_bytes(&c[..V::SIZE])).collect())
    }
}

/// A queue (FIFO) or stack (LIFO) of `V`.
#[derive(Debug)]
pub struct Queue<'c, V> {
    client: &'c Client,
    fd: Fd,
    _types: PhantomData<V>,
}

impl<'c, V: Pod> Queue<'c, V> {
    /// A view of the queue or stack behind `fd`.
    pub fn new(client: &'c Client, fd: Fd) -> Result<Self> {
        check(client, fd, &[MapType::Queue, MapType::Stack], 0, V::SIZE)?;
        Ok(Queue { client, fd, _types: PhantomData })
    }

    /// Pushes (`BPF_EXIST` overwrites the oldest when full).
    pub fn push(&self, value: &V, flags: u64) -> Result<()> {
        self.client.map_update_elem(self.fd, &[], &value.to_bytes(), flags)
    }

    /// Pops, `None` when empty.
    pub fn pop(&self) -> Result<Option<V>> {
        let mut v = vec![0; V::SIZE];
        not_found(self.client.map_lookup_and_delete_elem(self.fd, &[], &mut v, 0).map(|()| V::from_bytes(&v)))
    }
}

/// A ring buffer's consumer side.
#[derive(Debug)]
pub struct RingBuf<'c> {
    client: &'c Client,
    fd: Fd,
}

impl<'c> RingBuf<'c> {
    /// A view of the ring buffer behind `fd`.
    pub fn new(client: &'c Client, fd: Fd) -> Result<Self> {
        check(client, fd, &[MapType::RingBuf], 0, 0)?;
        Ok(RingBuf { client, fd })
    }

    /// Hands every committed sample to `f`; returns how many.
    pub fn consume(&self, f: impl FnMut(&[u8])) -> Result<usize> {
        let m = self.client.map_ref(self.fd)?;
        let rb = m.map().ringbuf().expect("type checked");
        let mut c = rb.consumer().ok_or(Error::Map(hive_maps::MapError::Busy))?;
        Ok(c.consume(f))
    }

    /// Every committed sample.
    pub fn drain(&self) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        self.consume(|s| out.push(s.to_vec()))?;
        Ok(out)
    }
}

/// A prog array: tail-call targets by index.
#[derive(Debug)]
pub struct ProgArray<'c> {
    client: &'c Client,
    fd: Fd,
}

impl<'c> ProgArray<'c> {
    /// A view of the prog array behind `fd`.
    pub fn new(client: &'c Client, fd: Fd) -> Result<Self> {
        check(client, fd, &[MapType::ProgArray], 4, 4)?;
        Ok(ProgArray { client, fd })
    }

    /// Puts the program behind `prog` in slot `index`.
    pub fn set(&self, index: u32, prog: Fd) -> Result<()> {
        self.client.map_update_elem(self.fd, &index.to_ne_bytes(), &prog.0.to_ne_bytes(), 0)
    }

    /// Empties slot `index`.
    pub fn clear(&self, index: u32) -> Result<()> {
        self.client.map_delete_elem(self.fd, &index.to_ne_bytes())
    }
}

/// A loaded program.
#[derive(Debug)]
pub struct Program<'c> {
    client: &'c Client,
    fd: Fd,
}

impl<'c> Program<'c> {
    /// The program behind `fd`.
    pub fn new(client: &'c Client, fd: Fd) -> Result<Self> {
        client.prog(fd)?;
        Ok(Program { client, fd })
    }

    /// Its descriptor.
    pub fn fd(&self) -> Fd {
        self.fd
    }

    /// `BPF_PROG_TEST_RUN`.
    pub fn test_run(&self, attr: &TestRunAttr) -> Result<TestRunOutput> {
        self.client.prog_test_run(self.fd, attr)
    }

    /// Runs it on a raw context (kprobe, tracepoint, raw tracepoint, syscall).
    pub fn run(&self, ctx: &mut [u8], opts: &RunOptions) -> Result<RunReport> {
        self.client.prog_run(self.fd, ctx, opts)
    }

    /// `BPF_OBJ_GET_INFO_BY_FD`.
    pub fn info(&self) -> Result<ProgInfo> {
        self.client.prog_info(self.fd)
    }
}
