//! Map definitions: what the object says each map should be. Nothing is created here; a
//! runtime turns each [`MapDef`] into its own map and resolves the instructions'
//! [`Pseudo::MapIdx`](hive_isa::Pseudo::MapIdx) indexes to it, as the kernel resolves an
//! `fd_array`.
//!
//! Sources, in the order libbpf lists them (which is the order of [`crate::ObjectSpec::maps`]):
//! 1. legacy `maps` section: `struct bpf_map_def` per symbol (plus two longer layouts seen
//!    in the wild: the kernel samples' 28-byte one with `inner_map_idx`/`numa_node`, and
//!    iproute2's 36-byte `bpf_elf_map` with `pinning`);
//! 2. BTF-defined `.maps`: one `VAR` per map whose struct members encode the attributes
//!    (`__uint(type, ...)` is a pointer to an array whose length is the value,
//!    `__type(key, T)` a pointer to `T`, `__array(values, ...)` the inner map or program
//!    slots);
//! 3. global data: one single-element array per `.data*`, `.rodata*`, `.bss*` section;
//! 4. `.kconfig` (see [`crate::kconfig`]);
//! 5. struct_ops values from `.struct_ops` and `.struct_ops.link`.

use std::sync::Arc;

use hive_btf::{Btf, Kind, TypeId, VarLinkage};
use hive_platform::map::MapType;
use object::elf;

use crate::elf::Elf;
use crate::error::{ObjectError, map_err};
use crate::sections::{DataKind, Layout};

/// `BPF_F_NO_PREALLOC`.
pub const BPF_F_NO_PREALLOC: u32 = 1 << 0;
/// `BPF_F_RDONLY_PROG`: programs may only read the map (libbpf sets it on `.rodata*` and
/// `.kconfig`).
pub const BPF_F_RDONLY_PROG: u32 = 1 << 7;
/// `BPF_F_MMAPABLE`: user space may `mmap` the array (libbpf sets it on global-data maps
/// whose section has at least one non-static variable).
pub const BPF_F_MMAPABLE: u32 = 1 << 10;
/// `BPF_F_LINK`: a struct_ops map attached through a link (`.struct_ops.link`).
pub const BPF_F_LINK: u32 = 1 << 13;

/// Where a map definition came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MapKind {
    /// A BTF-defined map in `.maps`.
    Btf,
    /// A legacy `struct bpf_map_def` in `maps`.
    Legacy,
    /// A global-data section.
    Data(DataKind),
    /// The `.kconfig` extern values.
    Kconfig,
    /// A struct_ops value.
    StructOps,
}

/// How a map is pinned (libbpf's `pinning` attribute, iproute2's `bpf_elf_map.pinning`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Pinning {
    /// Not pinned.
    #[default]
    None,
    /// `LIBBPF_PIN_BY_NAME`, or iproute2's `PIN_GLOBAL_NS`: pinned under its name in a
    /// shared directory.
    ByName,
    /// iproute2's `PIN_OBJECT_NS`: pinned in a directory private to the object.
    ObjectNs,
}

/// One initial slot of a map-in-map or program array (`.values = { [1] = &x }`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MapInit {
    /// The map at this index of [`crate::ObjectSpec::maps`].
    Map(usize),
    /// The entry program with this name.
    Program(String),
}

/// A struct_ops map's value: its struct type and which member points at which program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructOpsDef {
    /// The local struct (`bpf_testmod_ops`); the kernel's value type is
    /// `bpf_struct_ops_<name>`.
    pub type_name: String,
    /// Its id in the object's BTF.
    pub type_id: TypeId,
    /// Function-pointer members set to programs.
    pub programs: Vec<StructOpsSlot>,
}

/// One function-pointer member of a struct_ops value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructOpsSlot {
    /// The member name (`test_1`).
    pub member: String,
    /// Byte offset of the member in the value.
    pub offset: u32,
    /// The program it points to.
    pub program: String,
}

/// A map as the object defines it: `BPF_MAP_CREATE` attributes plus what libbpf does around
/// creation (initial contents, freezing, inner-map template, initial slots).
///
/// Sizes are the ELF's: a runtime applies libbpf's creation-time fix-ups (a
/// `perf_event_array` with zero sizes gets 4-byte keys and values and one entry per CPU).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapDef {
    /// The name: the variable's for `.maps` and `maps`, the section's for global data
    /// (`.rodata`; libbpf prefixes an object name), `<outer>.inner` for inner templates.
    pub name: String,
    /// Where the definition came from.
    pub kind: MapKind,
    /// The ELF section of the definition (`.maps`, `maps`, `.rodata`, ...).
    pub section: String,
    /// The map type.
    pub map_type: MapType,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// Maximum number of entries.
    pub max_entries: u32,
    /// `map_flags` (`BPF_F_*`).
    pub flags: u32,
    /// NUMA node (`BPF_F_NUMA_NODE` is the caller's business).
    pub numa_node: u32,
    /// `map_extra` (bloom filter hashes, arena start address).
    pub map_extra: u64,
    /// BTF id of the key type in the object's BTF.
    pub key_type_id: Option<TypeId>,
    /// BTF id of the value type in the object's BTF (the `DATASEC` for global data).
    pub value_type_id: Option<TypeId>,
    /// Pinning.
    pub pinning: Pinning,
    /// The inner map template of an array or hash of maps.
    pub inner: Option<Box<MapDef>>,
    /// Initial slots of a map-in-map or program array; `None` entries stay empty.
    pub initial_values: Vec<Option<MapInit>>,
    /// Initial contents of element 0 (global data, `.kconfig`, struct_ops); `.bss` is zeroed.
    pub initial_data: Option<Vec<u8>>,
    /// Frozen after initialisation (`.rodata*` and `.kconfig`): user space cannot change it
    /// any more, and the verifier may treat loads as constants.
    pub frozen: bool,
    /// struct_ops value description.
    pub struct_ops: Option<StructOpsDef>,
}

impl MapDef {
    /// Byte offset of the value's `struct bpf_spin_lock` member, looked up in the object's
    /// BTF as the kernel's `btf_find_spin_lock` does for a struct value (direct members).
    ///
    /// A runtime needs it to create the map (`hive-maps`' `MapSpec::spin_lock_off`).
    pub fn spin_lock_offset(&self, btf: &Btf<'_>) -> Option<u32> {
        let value = btf.skip_modifiers(self.value_type_id?)?;
        value.members().find_map(|m| {
            let t = btf.skip_modifiers(m.ty)?;
            (t.kind() == Kind::Struct && t.name() == "bpf_spin_lock" && m.bit_offset % 8 == 0)
                .then_some(m.bit_offset / 8)
        })
    }

    fn new(name: &str, kind: MapKind, section: &str, map_type: MapType) -> MapDef {
        MapDef {
            name: name.to_string(),
            kind,
            section: section.to_string(),
            map_type,
            key_size: 0,
            value_size: 0,
            max_entries: 0,
            flags: 0,
            numa_node: 0,
            map_extra: 0,
            key_type_id: None,
            value_type_id: None,
            pinning: Pinning::None,
            inner: None,
            initial_values: Vec::new(),
            initial_data: None,
            frozen: false,
            struct_ops: None,
        }
    }
}

/// Where a map's definition (or data) lives in the ELF, for relocations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placement {
    pub section: usize,
    pub offset: u64,
    pub size: u64,
    pub map: usize,
}

/// The maps collected so far and where they live.
#[derive(Debug, Default)]
pub(crate) struct MapTable {
    pub defs: Vec<MapDef>,
    pub placements: Vec<Placement>,
}

impl MapTable {
    pub fn push(&mut self, def: MapDef, section: usize, offset: u64, size: u64) -> usize {
        let map = self.defs.len();
        self.defs.push(def);
        self.placements.push(Placement { section, offset, size, map });
        map
    }
    /// The map defined at exactly `offset` of `section` (map definition sections).
    pub fn at(&self, section: usize, offset: u64) -> Option<usize> {
        self.placements.iter().find(|p| p.section == section && p.offset == offset).map(|p| p.map)
    }
    /// The map whose definition covers `offset` of `section`.
    pub fn covering(&self, section: usize, offset: u64) -> Option<&Placement> {
        self.placements.iter().find(|p| p.section == section && p.offset <= offset && offset < p.offset + p.size)
    }
    /// Whether `section` holds map definitions (legacy or BTF).
    pub fn is_map_section(&self, section: usize) -> bool {
        self.placements
            .iter()
            .any(|p| p.section == section && matches!(self.defs[p.map].kind, MapKind::Btf | MapKind::Legacy))
    }
    /// The map of a global-data section.
    pub fn data(&self, section: usize) -> Option<usize> {
        self.placements
            .iter()
            .find(|p| p.section == section && matches!(self.defs[p.map].kind, MapKind::Data(_)))
            .map(|p| p.map)
    }
}

/// The object's BTF, or why a feature that needs it cannot have it.
pub(crate) fn need_btf<'b>(btf: Option<&'b Arc<Btf<'static>>>, why: &str) -> Result<&'b Btf<'static>, ObjectError> {
    btf.map(|b| &**b)
        .ok_or_else(|| ObjectError::Btf(format!("{why} needs the object's .BTF, which is missing or unreadable")))
}

fn map_type(name: &str, raw: u32) -> Result<MapType, ObjectError> {
    MapType::from_raw(raw).ok_or_else(|| map_err(name, format!("unknown map type {raw}")))
}

fn le32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
}

/// Legacy `maps`: as many definitions as the section has named symbols, all of one size.
pub(crate) fn legacy_maps(
    elf: &Elf<'_>,
    layout: &Layout,
    btf: Option<&Arc<Btf<'static>>>,
    table: &mut MapTable,
) -> Result<(), ObjectError> {
    // samples/bpf's `inner_map_idx` counts legacy maps across all their sections.
    let first = table.defs.len();
    let mut inner_idx = Vec::new();
    for &index in &layout.legacy_maps {
        legacy_section(elf, index, btf, table, &mut inner_idx)?;
    }
    for (i, idx) in inner_idx.into_iter().enumerate() {
        if let Some(idx) = idx {
            let inner =
                table.defs.get(first + idx as usize).filter(|d| d.kind == MapKind::Legacy).cloned().ok_or_else(
                    || {
                        map_err(
                            &table.defs[first + i].name,
                            format!("inner_map_idx {idx} is not a legacy map of this object"),
                        )
                    },
                )?;
            table.defs[first + i].inner = Some(Box::new(inner));
        }
    }
    Ok(())
}

fn legacy_section(
    elf: &Elf<'_>,
    index: usize,
    btf: Option<&Arc<Btf<'static>>>,
    table: &mut MapTable,
    inner_idx: &mut Vec<Option<u32>>,
) -> Result<(), ObjectError> {
    let sec = &elf.sections[index];
    let mut syms: Vec<_> = elf.symbols_in(index).collect();
    syms.sort_by_key(|s| s.value);
    if syms.is_empty() {
        return Ok(());
    }
    let data = sec.data;
    // Every definition has the size of its symbol; without symbol sizes (old objects), the
    // section divides evenly, as libbpf before 1.0 assumed. (Linked objects keep the losing
    // weak definitions in the section, so only symbol sizes describe them.)
    let sized = syms.iter().all(|s| s.size > 0);
    if !sized && (data.is_empty() || !data.len().is_multiple_of(syms.len())) {
        return Err(map_err(
            &sec.name,
            format!("cannot tell the definition size: {} maps in {} bytes", syms.len(), data.len()),
        ));
    }
    let even = data.len() / syms.len();
    for sym in &syms {
        let def_sz = if sized { usize::try_from(sym.size).unwrap_or(usize::MAX) } else { even };
        if def_sz < 16 {
            return Err(map_err(&sym.name, format!("a {def_sz}-byte definition is shorter than struct bpf_map_def")));
        }
        let off = usize::try_from(sym.value).unwrap_or(usize::MAX);
        let d = data
            .get(off..off.saturating_add(def_sz))
            .ok_or_else(|| map_err(&sym.name, "definition runs past the end of the maps section"))?;
        let mut def = MapDef::new(&sym.name, MapKind::Legacy, &sec.name, map_type(&sym.name, le32(d, 0))?);
        def.key_size = le32(d, 4);
        def.value_size = le32(d, 8);
        def.max_entries = le32(d, 12);
        def.flags = le32(d, 16);
        match def_sz {
            // samples/bpf: inner_map_idx, numa_node.
            28 => {
                inner_idx.push(
                    Some(le32(d, 20)).filter(|_| matches!(def.map_type, MapType::ArrayOfMaps | MapType::HashOfMaps)),
                );
                def.numa_node = le32(d, 24);
            }
            // iproute2 bpf_elf_map: id, pinning, inner_id, inner_idx.
            36 => {
                def.pinning = match le32(d, 24) {
                    0 => Pinning::None,
                    1 => Pinning::ObjectNs,
                    2 => Pinning::ByName,
                    p => return Err(map_err(&sym.name, format!("unknown iproute2 pinning {p}"))),
                };
                inner_idx.push(None);
            }
            n if n > 20 => {
                if d[20..].iter().any(|&b| b != 0) {
                    return Err(map_err(
                        &sym.name,
                        format!("{n}-byte definition has unrecognised, non-zero fields past struct bpf_map_def"),
                    ));
                }
                inner_idx.push(None);
            }
            _ => inner_idx.push(None),
        }
        // libbpf before 1.0 found key/value types in a `____btf_map_<name>` struct.
        if let Some(btf) = btf
            && let Some(id) = btf.find_by_name_kind(&format!("____btf_map_{}", sym.name), Kind::Struct)
            && let Some(t) = btf.type_by_id(id)
        {
            for m in t.members() {
                match m.name {
                    "key" => def.key_type_id = Some(m.ty),
                    "value" => def.value_type_id = Some(m.ty),
                    _ => {}
                }
            }
        }
        table.push(def, index, sym.value, def_sz as u64);
    }
    Ok(())
}

/// A `__uint(name, N)` member: pointer to an array of N elements.
fn field_int(btf: &Btf<'_>, map: &str, field: &str, ty: TypeId) -> Result<u32, ObjectError> {
    let t = btf.skip_modifiers(ty).ok_or_else(|| map_err(map, format!("{field}: dangling type")))?;
    if t.kind() != Kind::Ptr {
        return Err(map_err(map, format!("attribute {field}: expected PTR, got {}", t.kind())));
    }
    let a = btf.type_by_id(TypeId(t.size_or_type())).and_then(|a| a.array());
    a.map(|a| a.nelems).ok_or_else(|| map_err(map, format!("attribute {field}: expected a pointer to an ARRAY")))
}

/// A `__ulong(name, N)` member: an anonymous enum with one value (or a `__uint`).
fn field_long(btf: &Btf<'_>, map: &str, field: &str, ty: TypeId) -> Result<u64, ObjectError> {
    let t = btf.skip_modifiers(ty).ok_or_else(|| map_err(map, format!("{field}: dangling type")))?;
    if t.kind() == Kind::Ptr {
        return field_int(btf, map, field, ty).map(u64::from);
    }
    let mut values = t.enum_values();
    match (values.next(), values.next()) {
        (Some(v), None) => Ok(v.bits),
        _ => Err(map_err(map, format!("attribute {field}: expected a one-value enum (__ulong)"))),
    }
}

/// A `__type(name, T)` member: pointer to `T`; returns `T` and its size.
fn field_type(btf: &Btf<'_>, map: &str, field: &str, ty: TypeId) -> Result<(TypeId, u32), ObjectError> {
    let t = btf
        .type_by_id(ty)
        .filter(|t| t.kind() == Kind::Ptr)
        .ok_or_else(|| map_err(map, format!("{field} spec is not a PTR")))?;
    let target = TypeId(t.size_or_type());
    let size =
        btf.resolve_size(target).map_err(|e| map_err(map, format!("cannot size the {field} type [{target}]: {e}")))?;
    Ok((target, size))
}

/// libbpf's `parse_btf_map_def` for the struct `def`.
fn parse_btf_def(btf: &Btf<'_>, name: &str, def_id: TypeId, inner: bool) -> Result<MapDef, ObjectError> {
    let def_t = btf.skip_modifiers(def_id).filter(|t| t.kind() == Kind::Struct);
    let def_t = def_t.ok_or_else(|| map_err(name, "definition is not a struct"))?;
    let mut d = MapDef::new(name, MapKind::Btf, ".maps", MapType::Unspec);
    let (mut key_size, mut value_size) = (None::<u32>, None::<u32>);
    let vlen = def_t.vlen() as usize;
    for (i, m) in def_t.members().enumerate() {
        let set_size = |slot: &mut Option<u32>, what: &str, sz: u32| -> Result<(), ObjectError> {
            match *slot {
                Some(old) if old != sz => Err(map_err(name, format!("conflicting {what} size {old} != {sz}"))),
                _ => {
                    *slot = Some(sz);
                    Ok(())
                }
            }
        };
        match m.name {
            "type" => d.map_type = map_type(name, field_int(btf, name, m.name, m.ty)?)?,
            "max_entries" => d.max_entries = field_int(btf, name, m.name, m.ty)?,
            "map_flags" => d.flags = field_int(btf, name, m.name, m.ty)?,
            "numa_node" => d.numa_node = field_int(btf, name, m.name, m.ty)?,
            "map_extra" => d.map_extra = field_long(btf, name, m.name, m.ty)?,
            "key_size" => set_size(&mut key_size, "key", field_int(btf, name, m.name, m.ty)?)?,
            "value_size" => set_size(&mut value_size, "value", field_int(btf, name, m.name, m.ty)?)?,
            "key" => {
                let (id, sz) = field_type(btf, name, "key", m.ty)?;
                set_size(&mut key_size, "key", sz)?;
                d.key_type_id = Some(id);
            }
            "value" => {
                let (id, sz) = field_type(btf, name, "value", m.ty)?;
                set_size(&mut value_size, "value", sz)?;
                d.value_type_id = Some(id);
            }
            "pinning" => {
                if inner {
                    return Err(map_err(name, "an inner map definition cannot be pinned"));
                }
                d.pinning = match field_int(btf, name, m.name, m.ty)? {
                    0 => Pinning::None,
                    1 => Pinning::ByName,
                    v => return Err(map_err(name, format!("invalid pinning value {v}"))),
                };
            }
            "values" => {
                let mim = matches!(d.map_type, MapType::ArrayOfMaps | MapType::HashOfMaps);
                if inner {
                    return Err(map_err(name, "multi-level inner maps are not supported"));
                }
                if i + 1 != vlen {
                    return Err(map_err(name, "'values' must be the last member"));
                }
                if !mim && d.map_type != MapType::ProgArray {
                    return Err(map_err(name, "'values' needs a map-in-map or prog_array type"));
                }
                set_size(&mut value_size, "value", 4)?;
                let arr = btf.type_by_id(m.ty).and_then(|t| t.array()).filter(|a| a.nelems == 0);
                let arr = arr.ok_or_else(|| map_err(name, "'values' must be a zero-sized array"))?;
                let ptr = btf.skip_modifiers(arr.elem_type).filter(|t| t.kind() == Kind::Ptr);
                let ptr = ptr.ok_or_else(|| map_err(name, "'values' elements must be pointers"))?;
                let target = btf
                    .skip_modifiers(TypeId(ptr.size_or_type()))
                    .ok_or_else(|| map_err(name, "dangling 'values' type"))?;
                if d.map_type == MapType::ProgArray {
                    if target.kind() != Kind::FuncProto {
                        return Err(map_err(
                            name,
                            format!("prog_array values point to {}, not a function", target.kind()),
                        ));
                    }
                } else {
                    let inner_def = parse_btf_def(btf, &format!("{name}.inner"), target.id(), true)?;
                    d.inner = Some(Box::new(inner_def));
                }
            }
            other => return Err(map_err(name, format!("unknown field '{other}'"))),
        }
    }
    if d.map_type == MapType::Unspec {
        return Err(map_err(name, "map type isn't specified"));
    }
    d.key_size = key_size.unwrap_or(0);
    d.value_size = value_size.unwrap_or(0);
    Ok(d)
}

/// Where variable `name` of DATASEC section `index` really is: clang may leave DATASEC
/// offsets at 0 for libbpf to fill in from the ELF symbols (`btf_fixup_datasec`).
pub(crate) fn var_offset(elf: &Elf<'_>, index: usize, name: &str, btf_offset: u32) -> u64 {
    elf.symbols.iter().find(|s| s.in_section(index) && s.name == name).map_or(u64::from(btf_offset), |s| s.value)
}

/// The `DATASEC` called `name`.
pub(crate) fn datasec(btf: &Btf<'_>, name: &str) -> Option<TypeId> {
    btf.find_by_name_kind(name, Kind::Datasec)
}

/// BTF-defined maps: the variables of the `.maps` DATASEC.
pub(crate) fn btf_maps(
    elf: &Elf<'_>,
    layout: &Layout,
    btf: Option<&Arc<Btf<'static>>>,
    table: &mut MapTable,
) -> Result<(), ObjectError> {
    let Some(index) = layout.btf_maps else { return Ok(()) };
    let btf = need_btf(btf, "the .maps section")?;
    let sec = &elf.sections[index];
    let Some(ds) = datasec(btf, ".maps").and_then(|id| btf.type_by_id(id)) else {
        return Err(ObjectError::Btf("no DATASEC .maps describes the .maps section".into()));
    };
    for vi in ds.secinfos() {
        let var = btf.type_by_id(vi.ty).filter(|t| t.kind() == Kind::Var);
        let var = var.ok_or_else(|| ObjectError::Btf(format!(".maps entry [{}] is not a VAR", vi.ty)))?;
        let name = var.name();
        let offset = var_offset(elf, index, name, vi.offset);
        let (off, size) = (offset as usize, vi.size as usize);
        let bytes = if sec.data.is_empty() {
            None
        } else {
            Some(
                sec.data
                    .get(off..off.saturating_add(size))
                    .ok_or_else(|| map_err(name, "definition lies outside .maps"))?,
            )
        };
        let mut def = parse_btf_def(btf, name, TypeId(var.size_or_type()), false)?;
        // Everything but relocated `values` slots must be zero (relocations leave zeros).
        if bytes.is_some_and(|b| b.iter().any(|&x| x != 0)) {
            return Err(map_err(
                name,
                "non-zero bytes in a .maps definition (only 'values' may be set, through relocations)",
            ));
        }
        def.section = sec.name.clone();
        table.push(def, index, offset, u64::from(vi.size));
    }
    Ok(())
}

/// Largest global-data section accepted: a `.bss` only claims a size, and an array map
/// value cannot be larger than what the kernel can allocate in one piece anyway.
const MAX_DATA_SECTION: u64 = 1 << 28;

/// Global-data maps: one array of one element per data section.
pub(crate) fn data_maps(
    elf: &Elf<'_>,
    layout: &Layout,
    btf: Option<&Arc<Btf<'static>>>,
    table: &mut MapTable,
) -> Result<(), ObjectError> {
    for &(index, kind) in &layout.data {
        let sec = &elf.sections[index];
        if sec.size > MAX_DATA_SECTION {
            return Err(map_err(&sec.name, format!("{} bytes is too large for an array map value", sec.size)));
        }
        let size = sec.size as u32;
        let mut def = MapDef::new(&sec.name, MapKind::Data(kind), &sec.name, MapType::Array);
        def.key_size = 4;
        def.value_size = size;
        def.max_entries = 1;
        let mut data = vec![0u8; size as usize];
        let n = sec.data.len().min(data.len());
        data[..n].copy_from_slice(&sec.data[..n]);
        def.initial_data = Some(data);
        if kind == DataKind::Rodata {
            def.flags |= BPF_F_RDONLY_PROG;
            def.frozen = true;
        }
        if let Some(btf) = btf
            && let Some(id) = datasec(btf, &sec.name)
        {
            def.value_type_id = Some(id);
            // libbpf's map_is_mmapable: some variable of the section is not static.
            let vars = btf.type_by_id(id).map(|t| t.secinfos().collect::<Vec<_>>()).unwrap_or_default();
            if vars
                .iter()
                .any(|v| btf.type_by_id(v.ty).and_then(|t| t.var_linkage()).is_some_and(|l| l != VarLinkage::Static))
            {
                def.flags |= BPF_F_MMAPABLE;
            }
        }
        table.push(def, index, 0, sec.size);
    }
    Ok(())
}

/// struct_ops maps: one per variable of `.struct_ops` / `.struct_ops.link`.
pub(crate) fn struct_ops_maps(
    elf: &Elf<'_>,
    layout: &Layout,
    btf: Option<&Arc<Btf<'static>>>,
    table: &mut MapTable,
) -> Result<(), ObjectError> {
    for &index in &layout.struct_ops {
        let sec = &elf.sections[index];
        let btf = need_btf(btf, "struct_ops")?;
        let ds = datasec(btf, &sec.name).and_then(|id| btf.type_by_id(id));
        let ds = ds.ok_or_else(|| ObjectError::Btf(format!("no DATASEC {} describes the section", sec.name)))?;
        for vi in ds.secinfos() {
            let var = btf.type_by_id(vi.ty).filter(|t| t.kind() == Kind::Var);
            let var = var.ok_or_else(|| ObjectError::Btf(format!("{} entry [{}] is not a VAR", sec.name, vi.ty)))?;
            let name = var.name();
            let st = btf.skip_modifiers(TypeId(var.size_or_type())).filter(|t| t.kind() == Kind::Struct);
            let st = st.ok_or_else(|| map_err(name, "struct_ops variable is not a struct"))?;
            let offset = var_offset(elf, index, name, vi.offset);
            let (off, size) = (offset as usize, vi.size as usize);
            let bytes = sec
                .data
                .get(off..off.saturating_add(size))
                .ok_or_else(|| map_err(name, "value lies outside its section"))?;
            let mut def = MapDef::new(name, MapKind::StructOps, &sec.name, MapType::StructOps);
            def.key_size = 4;
            def.value_size = vi.size;
            def.max_entries = 1;
            def.value_type_id = Some(st.id());
            def.initial_data = Some(bytes.to_vec());
            if sec.name == ".struct_ops.link" {
                def.flags |= BPF_F_LINK;
            }
            def.struct_ops =
                Some(StructOpsDef { type_name: st.name().to_string(), type_id: st.id(), programs: Vec::new() });
            table.push(def, index, offset, u64::from(vi.size));
        }
    }
    Ok(())
}

/// Relocations inside `.maps` (map-in-map and prog_array `values`) and struct_ops values
/// (function pointers). `is_entry` says whether a function name is an entry program.
pub(crate) fn map_relocations(
    elf: &Elf<'_>,
    layout: &Layout,
    btf: Option<&Arc<Btf<'static>>>,
    table: &mut MapTable,
    is_entry: &dyn Fn(&str) -> bool,
) -> Result<(), ObjectError> {
    let sections = layout.btf_maps.iter().chain(&layout.struct_ops);
    for &index in sections {
        for r in elf.relocs_for(index) {
            let sym = &elf.symbols[r.symbol];
            let Some(p) = table.covering(index, r.offset).copied() else {
                return Err(map_err(
                    &elf.sections[index].name,
                    format!("relocation at offset {} is outside every map", r.offset),
                ));
            };
            let btf = need_btf(btf, "map relocations")?;
            let def = &table.defs[p.map];
            let name = def.name.clone();
            let within = r.offset - p.offset;
            if def.kind == MapKind::StructOps {
                let st = def
                    .value_type_id
                    .and_then(|id| btf.type_by_id(id))
                    .ok_or_else(|| map_err(&name, "struct type lost"))?;
                let m = st.members().find(|m| u64::from(m.bit_offset / 8) == within && m.bitfield_size == 0);
                let m = m.ok_or_else(|| map_err(&name, format!("relocation at byte {within} is not at a member")))?;
                if sym.st_type != elf::STT_FUNC || !is_entry(&sym.name) {
                    return Err(map_err(
                        &name,
                        format!("member {} points to {}, which is not a program", m.name, sym.name),
                    ));
                }
                let slot =
                    StructOpsSlot { member: m.name.to_string(), offset: m.bit_offset / 8, program: sym.name.clone() };
                if let Some(so) = &mut table.defs[p.map].struct_ops {
                    so.programs.push(slot);
                }
                continue;
            }
            // `values`: the last member of the definition struct.
            let var_t = btf.find_by_name_kind(&name, Kind::Var).and_then(|id| btf.type_by_id(id));
            let def_t = var_t.and_then(|v| btf.skip_modifiers(TypeId(v.size_or_type())));
            let last = def_t.and_then(|t| t.members().last());
            let last = last
                .filter(|m| m.name == "values")
                .ok_or_else(|| map_err(&name, "relocation but no 'values' member"))?;
            let start = u64::from(last.bit_offset / 8);
            if within < start || (within - start) % 8 != 0 {
                return Err(map_err(&name, format!("relocation at byte {within} is not a 'values' slot")));
            }
            let slot = ((within - start) / 8) as usize;
            let init =
                if def.map_type == MapType::ProgArray {
                    if sym.st_type != elf::STT_FUNC || !is_entry(&sym.name) {
                        return Err(map_err(
                            &name,
                            format!("slot {slot} points to {}, which is not an entry program", sym.name),
                        ));
                    }
                    MapInit::Program(sym.name.clone())
                } else {
                    let target = match sym.section {
                        crate::elf::SymSection::Index(s) => table.at(s, sym.value),
                        _ => None,
                    };
                    let target = target.filter(|&t| table.defs[t].kind == MapKind::Btf);
                    MapInit::Map(target.ok_or_else(|| {
                        map_err(&name, format!("slot {slot} points to {}, which is not a map", sym.name))
                    })?)
                };
            let values = &mut table.defs[p.map].initial_values;
            if values.len() <= slot {
                values.resize(slot + 1, None);
            }
            values[slot] = Some(init);
        }
    }
    Ok(())
}
