//! The per-client half of the object model: descriptor tables.
//!
//! A [`Client`] is what a process is to the kernel: a table from descriptor numbers to
//! objects. Each entry holds one strong reference, so an object lives while any descriptor,
//! any program using it, or any map slot holding it does. For maps there is a second count,
//! the *user* references (descriptors only, the kernel's `usercnt`): when the last one goes,
//! a prog array is cleared, which breaks the cycle of a program that tail-calls through a
//! prog array holding itself, exactly as the kernel does.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use parking_lot::Mutex;

use crate::btf::BtfObject;
use crate::error::{Error, Result};
use crate::ids::Fd;
use crate::map::MapRef;
use crate::prog::ProgObject;
use crate::registry::Shared;

/// The lowest descriptor number handed out (0-2 are left to stdio, as in a process).
pub const FIRST_FD: u32 = 3;

/// A map held by a descriptor: counts as a user reference while it lives.
#[derive(Debug)]
pub(crate) struct MapUser(pub(crate) MapRef);

impl MapUser {
    pub(crate) fn new(map: MapRef) -> MapUser {
        map.meta.usercnt.fetch_add(1, Ordering::AcqRel);
        MapUser(map)
    }
}

impl Clone for MapUser {
    fn clone(&self) -> Self {
        MapUser::new(self.0.clone())
    }
}

impl Drop for MapUser {
    fn drop(&mut self) {
        if self.0.meta.usercnt.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.release_uref();
        }
    }
}

/// What a descriptor refers to.
#[derive(Debug, Clone)]
pub(crate) enum Object {
    Map(MapUser),
    Prog(Arc<ProgObject>),
    Btf(Arc<BtfObject>),
}

/// A holder of descriptors: the runtime's commands (the `bpf()` commands as typed methods)
/// are methods of a client, because descriptors are per client. Dropping a client closes all
/// its descriptors, as a process exit does.
pub struct Client {
    pub(crate) shared: Arc<Shared>,
    fds: Mutex<BTreeMap<u32, Object>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fds: Vec<u32> = self.fds.lock().keys().copied().collect();
        f.debug_struct("Client").field("fds", &fds).finish_non_exhaustive()
    }
}

impl Client {
    pub(crate) fn new(shared: Arc<Shared>) -> Client {
        Client { shared, fds: Mutex::new(BTreeMap::new()) }
    }

    /// The runtime this client belongs to.
    pub fn runtime(&self) -> crate::Runtime {
        crate::Runtime { shared: self.shared.clone() }
    }

    /// Installs `object` under the lowest free number.
    pub(crate) fn install(&self, object: Object) -> Fd {
        let mut fds = self.fds.lock();
        let mut n = FIRST_FD;
        for &used in fds.range(FIRST_FD..).map(|(k, _)| k) {
            if used != n {
                break;
            }
            n += 1;
        }
        fds.insert(n, object);
        Fd(n)
    }

    pub(crate) fn object(&self, fd: Fd) -> Result<Object> {
        self.fds.lock().get(&fd.0).cloned().ok_or_else(|| Error::BadFd(format!("fd {} is not open", fd.0)))
    }

    /// The map behind `fd` (`EBADF` otherwise, with the kernel's wording).
    pub(crate) fn map(&self, fd: Fd) -> Result<MapRef> {
        match self.fds.lock().get(&fd.0) {
            Some(Object::Map(m)) => Ok(m.0.clone()),
            _ => Err(Error::BadFd(format!("fd {} is not pointing to valid bpf_map", fd.0))),
        }
    }

    /// The program behind `fd`.
    pub(crate) fn prog(&self, fd: Fd) -> Result<Arc<ProgObject>> {
        match self.fds.lock().get(&fd.0) {
            Some(Object::Prog(p)) => Ok(p.clone()),
            _ => Err(Error::bad_fd(fd, "a program")),
        }
    }

    /// The BTF object behind `fd`.
    pub(crate) fn btf(&self, fd: Fd) -> Result<Arc<BtfObject>> {
        match self.fds.lock().get(&fd.0) {
            Some(Object::Btf(b)) => Ok(b.clone()),
            _ => Err(Error::bad_fd(fd, "a BTF object")),
        }
    }

    /// Closes `fd`. The object is freed when nothing else holds it.
    pub fn close(&self, fd: Fd) -> Result<()> {
        // Drop outside the lock: releasing a prog array's last user reference clears it,
        // which may drop programs.
        let removed = self.fds.lock().remove(&fd.0);
        match removed {
            Some(obj) => {
                drop(obj);
                Ok(())
            }
            None => Err(Error::BadFd(format!("fd {} is not open", fd.0))),
        }
    }

    /// `dup`: a second descriptor for the same object.
    pub fn dup(&self, fd: Fd) -> Result<Fd> {
        let obj = self.object(fd)?;
        Ok(self.install(obj))
    }

    /// The open descriptors, in order.
    pub fn fds(&self) -> Vec<Fd> {
        self.fds.lock().keys().map(|&n| Fd(n)).collect()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let fds = std::mem::take(&mut *self.fds.lock());
        drop(fds);
    }
}
