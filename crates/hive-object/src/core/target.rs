//! The BTF that CO-RE relocations are resolved against, with its candidate index.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use hive_btf::{Btf, TypeId};

use super::compat::essential;
use crate::error::ObjectError;

/// Where the kernel's types come from, as libbpf's `btf_custom_path` and cilium's
/// `KernelTypes` choose them.
#[derive(Clone, Debug, Default)]
pub enum TargetBtf {
    /// `/sys/kernel/btf/vmlinux` of the host (libbpf's default), read once per process. When
    /// the host has none, relocations that need a target fail with an error saying so.
    #[default]
    Host,
    /// The object's own BTF: every local type is its own target (self-checking tests).
    Own,
    /// A BTF file: raw BTF or an ELF file with a `.BTF` section.
    File(PathBuf),
    /// Already loaded types, shareable across many objects.
    Given(Arc<CoreTarget>),
}

/// Target types plus an index from essential name to ids, built on first use.
pub struct CoreTarget {
    btf: Arc<Btf<'static>>,
    index: OnceLock<HashMap<String, Vec<TypeId>>>,
}

impl std::fmt::Debug for CoreTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreTarget").field("btf", &self.btf).field("indexed", &self.index.get().is_some()).finish()
    }
}

impl CoreTarget {
    /// Wraps parsed types.
    pub fn new(btf: Arc<Btf<'static>>) -> CoreTarget {
        CoreTarget { btf, index: OnceLock::new() }
    }

    /// Reads raw BTF (either byte order) or the `.BTF` section of an ELF file.
    ///
    /// ```
    /// let mut b = hive_btf::BtfBuilder::new();
    /// b.int("int", 4, true);
    /// let t = hive_object::CoreTarget::from_bytes(b.to_bytes()).unwrap();
    /// assert_eq!(t.btf().type_count(), 2);
    /// ```
    pub fn from_bytes(bytes: Vec<u8>) -> Result<CoreTarget, ObjectError> {
        let raw = if bytes.starts_with(b"\x7fELF") {
            let sections = hive_btf::elf_sections(&bytes).map_err(|e| ObjectError::TargetBtf(e.to_string()))?;
            sections.btf.ok_or_else(|| ObjectError::TargetBtf("ELF file without a .BTF section".into()))?.to_vec()
        } else {
            bytes
        };
        let btf = Btf::from_vec(raw).map_err(|e| ObjectError::TargetBtf(e.to_string()))?;
        Ok(CoreTarget::new(Arc::new(btf)))
    }

    /// Reads a BTF file (see [`CoreTarget::from_bytes`]).
    pub fn from_file(path: &Path) -> Result<CoreTarget, ObjectError> {
        let bytes = std::fs::read(path).map_err(|e| ObjectError::TargetBtf(format!("{}: {e}", path.display())))?;
        CoreTarget::from_bytes(bytes).map_err(|e| ObjectError::TargetBtf(format!("{}: {e}", path.display())))
    }

    /// The host kernel's types, `None` when `/sys/kernel/btf/vmlinux` does not exist.
    pub fn host() -> Result<Option<CoreTarget>, ObjectError> {
        let path = Path::new("/sys/kernel/btf/vmlinux");
        if !path.exists() {
            return Ok(None);
        }
        CoreTarget::from_file(path).map(Some)
    }

    /// [`CoreTarget::host`], read on first use and shared afterwards.
    pub fn host_shared() -> Result<Option<Arc<CoreTarget>>, ObjectError> {
        static HOST: OnceLock<Result<Option<Arc<CoreTarget>>, ObjectError>> = OnceLock::new();
        HOST.get_or_init(|| CoreTarget::host().map(|t| t.map(Arc::new))).clone()
    }

    /// The types.
    pub fn btf(&self) -> &Btf<'static> {
        &self.btf
    }

    /// Named types whose essential name is `name`, in id order (any kind).
    pub(crate) fn candidates(&self, name: &str) -> &[TypeId] {
        let index = self.index.get_or_init(|| {
            let mut m: HashMap<String, Vec<TypeId>> = HashMap::new();
            for t in self.btf.types() {
                let n = t.name();
                if !n.is_empty() {
                    m.entry(essential(n).to_string()).or_default().push(t.id());
                }
            }
            m
        });
        index.get(name).map_or(&[], Vec::as_slice)
    }
}
