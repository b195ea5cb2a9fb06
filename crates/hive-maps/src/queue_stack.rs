//! `BPF_MAP_TYPE_QUEUE` and `BPF_MAP_TYPE_STACK`: `max_entries` values in a ring of
//! `max_entries + 1` slots under one lock, as in the kernel's `queue_stack_maps.c`. Keys are
//! empty; user space pushes with update, peeks with lookup and pops with lookup-and-delete.
//! `BPF_EXIST` on a full map overwrites the oldest element (for a stack too: the bottom one).
//!
//! Values are copied in and out, never pointed to, so they live in an ordinary buffer.

use std::any::Any;

use parking_lot::Mutex;

use crate::error::{MapError, Result};
use crate::map::MapOps;
use crate::spec::{KMALLOC_MAX_SIZE, MapSpec, MapType, elem, flags};

/// The kernel's `queue_stack_map_alloc_check`.
pub(crate) fn check(spec: &MapSpec) -> Result<()> {
    if spec.max_entries == 0
        || spec.key_size != 0
        || spec.value_size == 0
        || spec.map_flags & !(flags::NUMA_NODE | flags::ACCESS_MASK) != 0
    {
        return Err(MapError::Invalid("queue/stack: max_entries 0, key_size != 0, value_size 0 or bad flags"));
    }
    if u64::from(spec.value_size) > KMALLOC_MAX_SIZE {
        return Err(MapError::TooBig);
    }
    Ok(())
}

#[derive(Debug)]
struct Ring {
    /// Next slot to write.
    head: usize,
    /// Oldest element.
    tail: usize,
    data: Vec<u8>,
}

/// A queue (FIFO) or stack (LIFO).
#[doc(alias = "BPF_MAP_TYPE_QUEUE")]
#[doc(alias = "BPF_MAP_TYPE_STACK")]
#[derive(Debug)]
pub struct QueueStack {
    stack: bool,
    value_size: usize,
    size: usize,
    ring: Mutex<Ring>,
}

impl QueueStack {
    pub(crate) fn new(spec: &MapSpec) -> QueueStack {
        let size = spec.max_entries as usize + 1;
        let value_size = spec.value_size as usize;
        QueueStack {
            stack: spec.map_type == MapType::Stack,
            value_size,
            size,
            ring: Mutex::new(Ring { head: 0, tail: 0, data: vec![0; size * value_size] }),
        }
    }

    fn take(&self, out: &mut [u8], delete: bool) -> Result<()> {
        let mut r = self.ring.lock();
        if r.head == r.tail {
            return Err(MapError::NotFound);
        }
        let i = if self.stack { if r.head == 0 { self.size - 1 } else { r.head - 1 } } else { r.tail };
        out.copy_from_slice(&r.data[i * self.value_size..(i + 1) * self.value_size]);
        if delete {
            if self.stack {
                r.head = i;
            } else {
                r.tail = (r.tail + 1) % self.size;
            }
        }
        Ok(())
    }

    fn push_value(&self, value: &[u8], f: u64) -> Result<()> {
        if f & elem::NOEXIST != 0 || f > elem::EXIST {
            return Err(MapError::Invalid("push flags must be BPF_ANY or BPF_EXIST"));
        }
        let mut r = self.ring.lock();
        if (r.head + 1) % self.size == r.tail {
            if f != elem::EXIST {
                return Err(MapError::TooBig);
            }
            r.tail = (r.tail + 1) % self.size;
        }
        let h = r.head;
        r.data[h * self.value_size..(h + 1) * self.value_size].copy_from_slice(value);
        r.head = (h + 1) % self.size;
        Ok(())
    }
}

impl MapOps for QueueStack {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn lookup(&self, _key: &[u8], value: &mut [u8], _flags: u64) -> Result<()> {
        self.take(value, false)
    }

    fn update(&self, _key: &[u8], value: &[u8], f: u64) -> Result<()> {
        self.push_value(value, f)
    }

    fn delete(&self, _key: &[u8]) -> Result<()> {
        Err(MapError::Invalid("queue/stack elements are popped, not deleted"))
    }

    fn next_key(&self, _key: Option<&[u8]>, _next: &mut [u8]) -> Result<()> {
        Err(MapError::Invalid("queues and stacks cannot be iterated"))
    }

    fn lookup_and_delete(&self, _key: &[u8], value: &mut [u8], f: u64) -> Result<()> {
        if f != 0 {
            return Err(MapError::Invalid("pop takes no flags"));
        }
        self.take(value, true)
    }

    fn push(&self, value: &[u8], f: u64) -> Result<()> {
        self.push_value(value, f)
    }

    fn pop(&self, value: &mut [u8]) -> Result<()> {
        self.take(value, true)
    }

    fn peek(&self, value: &mut [u8]) -> Result<()> {
        self.take(value, false)
    }

    fn len(&self) -> Option<usize> {
        let r = self.ring.lock();
        Some((r.head + self.size - r.tail) % self.size)
    }
}
