//! BTF objects: `BPF_BTF_LOAD` (validated with the kernel's checks by `hive-btf`), their
//! ids, and the lookups maps and programs make in them.

use std::borrow::Cow;
use std::sync::Arc;

use hive_btf::{Btf, Kind, TypeId, Validation};

use crate::error::{Error, Result};
use crate::fd::{Client, Object};
use crate::ids::{BtfId, Fd};

/// A loaded BTF blob.
#[derive(Debug)]
pub struct BtfObject {
    pub(crate) id: BtfId,
    pub(crate) btf: Btf<'static>,
}

/// What `BPF_OBJ_GET_INFO_BY_FD` reports about a BTF object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BtfInfo {
    /// Global id.
    pub id: BtfId,
    /// Size of the raw blob.
    pub btf_size: u32,
    /// The raw blob (`btf` buffer).
    pub btf: Vec<u8>,
    /// Name (empty for user-loaded BTF).
    pub name: String,
    /// Whether this is kernel BTF (never, in Hive).
    pub kernel_btf: bool,
}

impl BtfObject {
    /// The parsed BTF.
    pub fn btf(&self) -> &Btf<'static> {
        &self.btf
    }

    /// Its global id.
    pub fn id(&self) -> BtfId {
        self.id
    }

    /// The offset of a `struct bpf_spin_lock` member of the struct `value` (the kernel's
    /// `btf_find_spin_lock`), looking through modifiers and typedefs.
    pub(crate) fn spin_lock_off(&self, value: TypeId) -> Option<u32> {
        let t = self.btf.skip_modifiers(value)?;
        if t.kind() != Kind::Struct {
            return None;
        }
        t.members().find_map(|m| {
            let mt = self.btf.skip_modifiers(m.ty)?;
            (mt.kind() == Kind::Struct && mt.name() == "bpf_spin_lock").then_some(m.bit_offset / 8)
        })
    }
}

impl Client {
    /// `BPF_BTF_LOAD`: validates `data` with every check the kernel makes and returns a
    /// descriptor. A refusal carries the kernel's message (`Error::Load` with errno `EINVAL`).
    #[doc(alias = "BPF_BTF_LOAD")]
    pub fn btf_load(&self, data: &[u8]) -> Result<Fd> {
        let btf = Btf::parse_with(Cow::Owned(data.to_vec()), None, Validation::Kernel).map_err(|e| {
            let message = e.to_string();
            Error::Load { errno: libc::EINVAL, log: format!("{message}\n"), message }
        })?;
        let mut table = self.shared.btfs.lock();
        let id = BtfId(table.alloc()?);
        let obj = Arc::new(BtfObject { id, btf });
        table.live.insert(id.0, Arc::downgrade(&obj));
        drop(table);
        Ok(self.install(Object::Btf(obj)))
    }

    /// `BPF_BTF_GET_FD_BY_ID`.
    #[doc(alias = "BPF_BTF_GET_FD_BY_ID")]
    pub fn btf_get_fd_by_id(&self, id: BtfId) -> Result<Fd> {
        let obj = self.shared.btfs.lock().live.get(&id.0).and_then(|w| w.upgrade());
        let obj = obj.ok_or(Error::NotFound("no BTF object with this id"))?;
        Ok(self.install(Object::Btf(obj)))
    }

    /// `BPF_OBJ_GET_INFO_BY_FD` on a BTF descriptor.
    pub fn btf_info(&self, fd: Fd) -> Result<BtfInfo> {
        let b = self.btf(fd)?;
        let bytes = b.btf.as_bytes().to_vec();
        Ok(BtfInfo { id: b.id, btf_size: bytes.len() as u32, btf: bytes, name: String::new(), kernel_btf: false })
    }
}
