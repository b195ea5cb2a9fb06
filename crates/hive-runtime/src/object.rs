//! Loading a whole BPF object file, as libbpf's `bpf_object__load` does.
//!
//! [`Client::load_object`] takes an [`ObjectSpec`] (what `hive-object` read from the `.o`
//! clang wrote) and creates, in order:
//!
//! 1. **BTF**: the object's `.BTF` after libbpf's fix-ups (`BPF_BTF_LOAD`), for the maps'
//!    key and value types. As in libbpf, BTF that does not load is not fatal: maps go on
//!    without it, and [`LoadedObject::warnings`] says so.
//! 2. **maps**, in the object's order (so `fd_array[i]` is map `i`): sizes, flags, BTF
//!    key/value type ids (dropped for the map types libbpf creates without them, and retried
//!    without them when they are refused), the spin lock found through BTF, inner-map
//!    templates (created, used, closed), libbpf's creation-time fix-ups (a perf event array
//!    gets 4-byte keys and values and, without `max_entries`, one slot per executor; a
//!    map-in-map without a value size gets 4, as `bpf_create_map_in_map` gave legacy
//!    definitions; a ring buffer's size is rounded up to a power-of-two number of pages). Global-data maps (`.data`, `.rodata`, `.bss`,
//!    `.kconfig`) get their initial contents; `.rodata` and `.kconfig` carry
//!    `BPF_F_RDONLY_PROG` from the object, so programs cannot write them. Map-in-map slots
//!    (`.values = { &inner }`) are filled once every map exists.
//! 3. **programs**: every autoload program, with `fd_array` = the maps, its license, its
//!    name truncated to 15 bytes, its expected attach type, `BPF_F_SLEEPABLE` /
//!    `BPF_F_XDP_HAS_FRAGS` from the section, and its own BTF: as cilium/ebpf does, each
//!    program is loaded with a minimal BTF of its own ([`hive_object::ProgramBtf`]: its
//!    functions, the types of its `bpf_core_type_id_local` constants, which are ids in it,
//!    and its line info strings), loaded just before it (`BPF_BTF_LOAD`) and given as
//!    `prog_btf_fd` with func and line info in its terms; the program keeps it (its
//!    `btf_id`), the descriptor is closed. A program BTF that does not load is a warning and
//!    the program goes on without BTF. kfunc calls are resolved by name in the runtime's
//!    registry.
//! 4. **program arrays**: initial slots (`.values = { [0] = &prog }`).
//!
//! A refusal stops the load with an [`ObjectLoadError`] that names the map or program,
//! keeps the load log, and for a program refusal that names an instruction (`insn 12: ...`)
//! carries the C source line from the object's line info. Whatever was created so far is
//! closed again.
//!
//! ## Where this differs from libbpf (and why)
//!
//! - Internal map names: libbpf prefixes the object name (`xdp_stat.rodata`); so does Hive
//!   when [`ObjectLoadOptions::object_name`] is given. [`LoadedObject::maps`] lists maps
//!   under the object's own names (`.rodata`), which is what lookups use.
//! - `.rodata` and `.kconfig` are not frozen (`BPF_MAP_FREEZE`): the runtime has no freeze
//!   command yet, so user space could still change them. Programs cannot.
//! - Programs are not loaded with the object's BTF but with one of their own each (see step
//!   3), as cilium/ebpf does, so the type ids a program hands the kernel
//!   (`bpf_core_type_id_local`) index the BTF it is loaded with.
//! - Kernel variables (`.ksyms` typed or typeless) do not exist in Hive: a weak one reads as
//!   0 (what libbpf does when the kernel lacks it), a strong one is an error. A kfunc whose
//!   address is taken (`bpf_ksym_exists`) reads as a non-zero constant when the registry has
//!   it; a weak kfunc the registry lacks is poisoned as libbpf does, a strong one refused.
//! - Hive has no verifier yet, so a CO-RE-poisoned call is refused at load even where a
//!   verifier would have proven it unreachable.
//! - Pinning is ignored (there is no BPF filesystem); struct_ops maps and the map types
//!   `hive-maps` does not implement fail the load, naming the map.
//! - A value's `struct bpf_spin_lock` is found through the loaded BTF, so a map whose BTF
//!   did not load (or was refused for it) has none.

use hive_isa::RawInsn;
use hive_maps::MapType;
use hive_object::{ExternKind, MapDef, MapInit, MapKind, ObjectSpec, ProgramSpec};
use hive_platform::prog::section::SecFlags;
use hive_platform::prog::{AttachType, ProgType};

use crate::error::Error;
use crate::fd::Client;
use crate::ids::Fd;
use crate::load::{BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS, FuncInfo, LineInfo, ProgLoadAttr};
use crate::map::{MapCreateAttr, OBJ_NAME_LEN};
use crate::test_run::TestRunAttr;

/// The first helper id libbpf uses to poison calls to weak kfuncs the kernel lacks
/// (`POISON_CALL_KFUNC_BASE`); the kernel refuses such a call if it is reachable.
pub const POISON_CALL_KFUNC_BASE: i32 = 2_002_000_000;

/// What a non-NULL kfunc address (`bpf_ksym_exists`) reads as: not dereferenceable, never 0.
const KFUNC_ADDR_BASE: u64 = 0xffff_ffff_0000_0000;

/// Options of [`Client::load_object`].
#[derive(Clone, Debug, Default)]
pub struct ObjectLoadOptions {
    /// The object's name (libbpf: the file name up to its first `.`), prefixed to internal
    /// map names as libbpf does (`xdp_stat.rodata`); empty keeps `.rodata`.
    pub object_name: String,
    /// Log level of each program load (a refusal keeps its log at any level).
    pub log_level: u32,
    /// Give programs whose section libbpf 1.x does not know the type older loaders gave
    /// them by prefix (`xdp_prog` → XDP, `socket1` → socket filter; see [`legacy_section`]),
    /// with a warning, instead of refusing them.
    pub legacy_sections: bool,
}

/// The program type and expected attach type the loaders before libbpf 1.0 gave a section
/// name by prefix (the kernel samples' `bpf_load.c`, libbpf 0.x's sloppy matching), for
/// names libbpf 1.x refuses: `socket*`, `kprobe/`, `kretprobe/`, `tracepoint/`,
/// `raw_tracepoint/`, `xdp*`, `perf_event*`, `cgroup/skb*`, `cgroup/sock*`, `sockops*`,
/// `sk_skb*`, `sk_msg*`.
pub fn legacy_section(section: &str) -> Option<(ProgType, AttachType)> {
    const PREFIXES: &[(&str, ProgType)] = &[
        ("socket", ProgType::SocketFilter),
        ("kprobe/", ProgType::Kprobe),
        ("kretprobe/", ProgType::Kprobe),
        ("tracepoint/", ProgType::Tracepoint),
        ("raw_tracepoint/", ProgType::RawTracepoint),
        ("xdp", ProgType::Xdp),
        ("perf_event", ProgType::PerfEvent),
        ("cgroup/skb", ProgType::CgroupSkb),
        ("cgroup/sock", ProgType::CgroupSock),
        ("sockops", ProgType::SockOps),
        ("sk_skb", ProgType::SkSkb),
        ("sk_msg", ProgType::SkMsg),
    ];
    let name = section.strip_prefix('?').unwrap_or(section);
    PREFIXES.iter().find(|(p, _)| name.starts_with(p)).map(|&(_, t)| (t, AttachType(0)))
}

/// Which part of an object a load error concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectPart {
    /// The object's BTF.
    Btf,
    /// A map, by its name in the object.
    Map(String),
    /// A program, by name.
    Program(String),
}

impl std::fmt::Display for ObjectPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ObjectPart::Btf => f.write_str("BTF"),
            ObjectPart::Map(n) => write!(f, "map '{n}'"),
            ObjectPart::Program(n) => write!(f, "program '{n}'"),
        }
    }
}

/// Why [`Client::load_object`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectLoadError {
    /// The map or program that was refused.
    pub part: ObjectPart,
    /// The runtime's error (its errno, message and, for programs, the load log).
    pub error: Box<Error>,
    /// The instruction the refusal names, if any.
    pub insn: Option<usize>,
    /// That instruction's C source line (`file.c:12: code`), from the line info.
    pub source_line: Option<String>,
}

impl ObjectLoadError {
    fn new(part: ObjectPart, error: Error) -> ObjectLoadError {
        ObjectLoadError { part, error: Box::new(error), insn: None, source_line: None }
    }

    fn program(p: &ProgramSpec, error: Error) -> ObjectLoadError {
        let insn = insn_in_message(&error.to_string());
        let source_line = insn.and_then(|i| p.source_line(i)).map(|l| l.to_string());
        ObjectLoadError { part: ObjectPart::Program(p.name.clone()), error: Box::new(error), insn, source_line }
    }

    /// The load log of a refused program (empty otherwise).
    pub fn log(&self) -> &str {
        self.error.log()
    }

    /// The errno.
    pub fn errno(&self) -> i32 {
        self.error.errno()
    }
}

impl std::fmt::Display for ObjectLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.part, self.error)?;
        if let Some(line) = &self.source_line {
            write!(f, " (at {line})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ObjectLoadError {}

/// The first `insn N` a refusal message names.
fn insn_in_message(msg: &str) -> Option<usize> {
    let at = msg.find("insn ")?;
    let digits: String = msg[at + 5..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A loaded object: descriptors on its BTF, maps and programs, held by a client. Dropping
/// it (or [`close`](LoadedObject::close)) closes them all; objects still held elsewhere (a
/// program by a prog array, a map by a program) live on as the object model says.
pub struct LoadedObject<'c> {
    client: &'c Client,
    /// The object's BTF (what its maps' key and value types refer to), when it loaded.
    /// Programs have their own (see the [module documentation](self)).
    pub btf: Option<Fd>,
    /// Every map, in the object's order ([`ObjectSpec::maps`] index = position), under its
    /// name in the object (`stats`, `.rodata`).
    pub maps: Vec<(String, Fd)>,
    /// The loaded programs, in the object's order.
    pub programs: Vec<(String, Fd)>,
    /// What was left out or degraded on the way (BTF that did not load, maps created
    /// without BTF types), in libbpf's spirit of warnings.
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for LoadedObject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedObject")
            .field("btf", &self.btf)
            .field("maps", &self.maps)
            .field("programs", &self.programs)
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

impl<'c> LoadedObject<'c> {
    /// The client holding the descriptors.
    pub fn client(&self) -> &'c Client {
        self.client
    }

    /// The map called `name` in the object.
    pub fn map(&self, name: &str) -> Option<Fd> {
        self.maps.iter().find(|(n, _)| n == name).map(|&(_, fd)| fd)
    }

    /// The program called `name`.
    pub fn prog(&self, name: &str) -> Option<Fd> {
        self.programs.iter().find(|(n, _)| n == name).map(|&(_, fd)| fd)
    }

    /// Closes every descriptor (what dropping does).
    pub fn close(self) {}

    /// Every `(key, value)` of the map called `name`, in the map's key order (values as
    /// `BPF_MAP_LOOKUP_ELEM` returns them: all executors' slots for per-CPU maps, ids for
    /// fd-valued maps). Maps without keys (queue, stack, ring buffer, bloom filter, perf
    /// event array) are `ENOTSUPP`, as `bpftool map dump` refuses them.
    pub fn map_entries(&self, name: &str) -> crate::Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let fd = self.map(name).ok_or(Error::NotFound("no map with this name in the object"))?;
        map_entries(self.client, fd)
    }

    fn release(&mut self) {
        for (_, fd) in self.programs.drain(..).chain(self.maps.drain(..)) {
            let _ = self.client.close(fd);
        }
        if let Some(fd) = self.btf.take() {
            let _ = self.client.close(fd);
        }
    }
}

impl Drop for LoadedObject<'_> {
    fn drop(&mut self) {
        self.release();
    }
}

/// Every `(key, value)` of the map behind `fd` (see [`LoadedObject::map_entries`]).
pub fn map_entries(client: &Client, fd: Fd) -> crate::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let m = client.map(fd)?;
    let t = m.map_type();
    if matches!(t, MapType::Queue | MapType::Stack | MapType::RingBuf | MapType::BloomFilter | MapType::PerfEventArray)
    {
        return Err(Error::NotSupported("this map type has no keys to dump"));
    }
    let mut key = vec![0u8; m.map.spec().key_size as usize];
    let mut out = Vec::new();
    let mut first = true;
    loop {
        let mut next = vec![0u8; key.len()];
        match client.map_get_next_key(fd, (!first).then_some(&key[..]), &mut next) {
            Ok(()) => {}
            Err(e) if e.errno() == libc::ENOENT => break,
            Err(e) => return Err(e),
        }
        first = false;
        key = next;
        match client.map_lookup(fd, &key) {
            Ok(v) => out.push((key.clone(), v)),
            // Empty prog array / map-in-map slots.
            Err(e) if e.errno() == libc::ENOENT => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The kernel's name for an object's map: the name truncated to 15 bytes of
/// `[A-Za-z0-9_.]` (others become `_`), internal maps prefixed with the object name as
/// libbpf's `internal_map_name` does.
pub fn kernel_map_name(object_name: &str, def: &MapDef) -> String {
    let internal = matches!(def.kind, MapKind::Data(_) | MapKind::Kconfig);
    let name = if internal && !object_name.is_empty() {
        let sfx_len = def.name.len().max(7);
        let pfx_len = (OBJ_NAME_LEN - 1).saturating_sub(sfx_len).min(object_name.len());
        let pfx: String = object_name.chars().take(pfx_len).collect();
        format!("{pfx}{}", def.name)
    } else {
        def.name.clone()
    };
    sanitize_name(&name)
}

/// A program's kernel name: at most 15 bytes of `[A-Za-z0-9_.]`.
pub fn kernel_prog_name(name: &str) -> String {
    sanitize_name(name)
}

fn sanitize_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '.' { c } else { '_' })
        .take(OBJ_NAME_LEN - 1)
        .collect()
}

/// The map types libbpf creates without BTF key/value types.
fn btf_less(t: MapType) -> bool {
    matches!(t, MapType::PerfEventArray | MapType::ArrayOfMaps | MapType::HashOfMaps | MapType::Queue | MapType::Stack)
}

/// A `CLOCK_BOOTTIME` instant (such as [`ProgInfo::load_time`](crate::ProgInfo)) in
/// nanoseconds since the Unix epoch: the conversion `bpftool prog show` makes for
/// `loaded_at`.
pub fn boot_to_unix_ns(boot_ns: u64) -> u64 {
    let now_boot = crate::sys::clock_ns(crate::sys::Clock::Boottime);
    let now_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    now_unix.saturating_sub(now_boot.saturating_sub(boot_ns))
}

/// A default test-run input for a program of type `t`: a 64-byte zeroed packet for packet
/// types, 12 zeroed arguments for raw tracepoints, nothing otherwise.
pub fn default_test_input(t: ProgType) -> TestRunAttr {
    match t {
        ProgType::Xdp
        | ProgType::SocketFilter
        | ProgType::SchedCls
        | ProgType::SchedAct
        | ProgType::CgroupSkb
        | ProgType::LwtIn
        | ProgType::LwtOut
        | ProgType::LwtXmit => TestRunAttr::packet(&[0; 64]),
        ProgType::RawTracepoint | ProgType::RawTracepointWritable => TestRunAttr::context(&[0; 96]),
        _ => TestRunAttr::default(),
    }
}

/// The object being loaded: what exists so far, closed on failure by `LoadedObject`'s drop.
struct Loader<'a, 'c> {
    spec: &'a ObjectSpec,
    opts: &'a ObjectLoadOptions,
    obj: LoadedObject<'c>,
}

impl Client {
    /// Loads `spec` as libbpf's `bpf_object__load` would: BTF, maps, autoload programs,
    /// initial map slots (see the [module documentation](self)).
    pub fn load_object(&self, spec: &ObjectSpec, opts: &ObjectLoadOptions) -> Result<LoadedObject<'_>, ObjectLoadError> {
        let obj = LoadedObject { client: self, btf: None, maps: Vec::new(), programs: Vec::new(), warnings: Vec::new() };
        let mut l = Loader { spec, opts, obj };
        l.load_btf();
        for def in &spec.maps {
            let fd = l.create_map(def)?;
            l.obj.maps.push((def.name.clone(), fd));
        }
        let is = |d: &MapDef, t: MapType| d.map_type as u32 == t.to_raw();
        for (i, def) in spec.maps.iter().enumerate().filter(|(_, d)| is(d, MapType::ArrayOfMaps) || is(d, MapType::HashOfMaps)) {
            l.fill_slots(i, def)?;
        }
        for p in spec.programs.iter().filter(|p| p.autoload) {
            let fd = l.load_program(p)?;
            l.obj.programs.push((p.name.clone(), fd));
        }
        for (i, def) in spec.maps.iter().enumerate().filter(|(_, d)| is(d, MapType::ProgArray)) {
            l.fill_slots(i, def)?;
        }
        Ok(l.obj)
    }
}

impl Loader<'_, '_> {
    fn client(&self) -> &Client {
        self.obj.client
    }

    fn load_btf(&mut self) {
        let Some(btf) = &self.spec.btf else { return };
        match self.client().btf_load(btf.as_bytes()) {
            Ok(fd) => self.obj.btf = Some(fd),
            Err(e) => self.obj.warnings.push(format!("BTF not loaded, going on without it: {e}")),
        }
    }

    fn map_err(def: &MapDef, e: Error) -> ObjectLoadError {
        ObjectLoadError::new(ObjectPart::Map(def.name.clone()), e)
    }

    /// `BPF_MAP_CREATE` attributes for `def`, with libbpf's creation-time fix-ups.
    fn create_attr(&self, def: &MapDef) -> Result<MapCreateAttr, ObjectLoadError> {
        let t = MapType::from_raw(def.map_type as u32).ok_or_else(|| {
            Self::map_err(def, refusal(libc::EOPNOTSUPP, format!("{} is not implemented by Hive", def.map_type)))
        })?;
        let mut attr = MapCreateAttr::new(t, def.key_size, def.value_size, def.max_entries);
        attr.map_flags = def.flags;
        attr.map_extra = def.map_extra;
        attr.name = kernel_map_name(&self.opts.object_name, def);
        match t {
            MapType::PerfEventArray => {
                // Slots hold perf event descriptors: 4-byte keys and values whatever the
                // definition says (cilium/ebpf's fix-up; a BTF definition with a value type
                // gives its size, which the kernel would refuse).
                (attr.key_size, attr.value_size) = (4, 4);
                if attr.max_entries == 0 {
                    attr.max_entries = self.client().shared.config.executors as u32;
                }
            }
            // bpf_create_map_in_map: the value is an inner map descriptor (legacy
            // definitions leave value_size 0).
            MapType::ArrayOfMaps | MapType::HashOfMaps if attr.value_size == 0 => attr.value_size = 4,
            // libbpf's adjust_ringbuf_sz: a power-of-two multiple of the page size.
            MapType::RingBuf => attr.max_entries = attr.max_entries.max(4096).checked_next_power_of_two().unwrap_or(0),
            _ => {}
        }
        if let (Some(fd), Some(v)) = (self.obj.btf, def.value_type_id)
            && !btf_less(t)
        {
            attr.btf_fd = Some(fd);
            attr.btf_key_type_id = def.key_type_id.map_or(0, |k| k.0);
            attr.btf_value_type_id = v.0;
        }
        Ok(attr)
    }

    fn create_map(&mut self, def: &MapDef) -> Result<Fd, ObjectLoadError> {
        if def.kind == MapKind::StructOps {
            return Err(Self::map_err(def, refusal(libc::EOPNOTSUPP, "struct_ops maps are not implemented by Hive".into())));
        }
        let mut attr = self.create_attr(def)?;
        let inner = match &def.inner {
            Some(inner) => {
                let fd = self.create_map(inner)?;
                attr.inner_map_fd = Some(fd);
                Some(fd)
            }
            None => None,
        };
        let mut created = self.client().map_create(&attr);
        if created.is_err() && attr.btf_fd.is_some() {
            // libbpf: "failed to create map with BTF, retrying without".
            let why = created.as_ref().err().map(ToString::to_string).unwrap_or_default();
            attr.btf_fd = None;
            attr.btf_key_type_id = 0;
            attr.btf_value_type_id = 0;
            created = self.client().map_create(&attr);
            if created.is_ok() {
                self.obj.warnings.push(format!("map '{}': created without BTF types ({why})", def.name));
            }
        }
        if let Some(fd) = inner {
            let _ = self.client().close(fd);
        }
        let fd = created.map_err(|e| Self::map_err(def, e))?;
        if let Some(data) = &def.initial_data
            && let Err(e) = self.client().map_update_elem(fd, &0u32.to_ne_bytes(), data, 0)
        {
            let _ = self.client().close(fd);
            return Err(Self::map_err(def, e));
        }
        Ok(fd)
    }

    /// Initial slots of the map-in-map or prog array at index `i`.
    fn fill_slots(&self, i: usize, def: &MapDef) -> Result<(), ObjectLoadError> {
        let outer = self.obj.maps[i].1;
        for (slot, init) in def.initial_values.iter().enumerate() {
            let Some(init) = init else { continue };
            let fd = match init {
                MapInit::Map(m) => self.obj.maps.get(*m).map(|&(_, fd)| fd),
                MapInit::Program(p) => self.obj.prog(p),
            };
            let fd = fd.ok_or_else(|| {
                let what = match init {
                    MapInit::Map(m) => format!("slot {slot}: map #{m} does not exist"),
                    MapInit::Program(p) => format!("slot {slot}: program '{p}' is not loaded"),
                };
                Self::map_err(def, refusal(libc::EINVAL, what))
            })?;
            let mut key = (slot as u32).to_ne_bytes().to_vec();
            key.resize(def.key_size as usize, 0);
            self.client()
                .map_update_elem(outer, &key, &fd.0.to_ne_bytes(), 0)
                .map_err(|e| Self::map_err(def, refusal(e.errno(), format!("slot {slot}: {e}"))))?;
        }
        Ok(())
    }

    /// The program's type and expected attach type (by the legacy rule when asked).
    fn prog_type(&mut self, p: &ProgramSpec) -> Result<(ProgType, AttachType), ObjectLoadError> {
        if p.prog_type != ProgType::Unspec {
            return Ok((p.prog_type, p.expected_attach_type));
        }
        if self.opts.legacy_sections
            && let Some((t, a)) = legacy_section(&p.section)
        {
            self.obj.warnings.push(format!(
                "program '{}': section '{}' is not a libbpf 1.x name; loaded as {t}, as libbpf 0.x and bpf_load.c did",
                p.name, p.section
            ));
            return Ok((t, a));
        }
        let e = refusal(libc::EINVAL, format!("section '{}' names no program type (libbpf: missing BPF prog type)", p.section));
        Err(ObjectLoadError::program(p, e))
    }

    fn load_program(&mut self, p: &ProgramSpec) -> Result<Fd, ObjectLoadError> {
        let (prog_type, attach) = self.prog_type(p)?;
        let insns = self.resolve_externs(p).map_err(|e| ObjectLoadError::program(p, e))?;
        let mut attr = ProgLoadAttr::new(prog_type, insns)
            .license(&self.spec.license)
            .name(&kernel_prog_name(&p.name))
            .attach_type(attach)
            .log_level(self.opts.log_level)
            .fd_array(self.obj.maps.iter().map(|&(_, fd)| fd).collect());
        if p.sec_flags.contains(SecFlags::SLEEPABLE) {
            attr.prog_flags |= BPF_F_SLEEPABLE;
        }
        if p.sec_flags.contains(SecFlags::XDP_FRAGS) {
            attr.prog_flags |= BPF_F_XDP_HAS_FRAGS;
        }
        let btf = self.program_btf(p);
        if let (Some(fd), Some(own)) = (btf, &p.btf) {
            attr.prog_btf_fd = Some(fd);
            attr.func_info =
                own.func_info.iter().map(|f| FuncInfo { insn_off: f.insn as u32, type_id: f.type_id.0 }).collect();
            attr.line_info = own
                .line_info
                .iter()
                .map(|l| LineInfo {
                    insn_off: l.insn as u32,
                    file_name_off: l.file_name_off,
                    line_off: l.line_off,
                    line_col: l.line_col(),
                })
                .collect();
        }
        let loaded = self.client().prog_load(&attr).map_err(|e| ObjectLoadError::program(p, e));
        // The program holds its BTF (its `btf_id`); the descriptor is not needed any more.
        if let Some(fd) = btf {
            let _ = self.client().close(fd);
        }
        loaded
    }

    /// `BPF_BTF_LOAD` of the program's own BTF (see [`ProgramSpec::btf`]). As for the
    /// object's BTF, a refusal is a warning: the program then loads without BTF.
    fn program_btf(&mut self, p: &ProgramSpec) -> Option<Fd> {
        let own = p.btf.as_ref()?;
        match self.client().btf_load(&own.bytes) {
            Ok(fd) => Some(fd),
            Err(e) => {
                self.obj.warnings.push(format!("program '{}': its BTF not loaded, going on without it: {e}", p.name));
                None
            }
        }
    }

    /// The program's instructions with its `.ksyms` externs resolved against the runtime.
    fn resolve_externs(&self, p: &ProgramSpec) -> crate::Result<Vec<RawInsn>> {
        let mut insns = p.insns.clone();
        let kfuncs = &self.client().shared.kfuncs;
        for (k, x) in p.externs.iter().enumerate() {
            let found = kfuncs.by_name(&x.name).map(|(id, _)| id.0);
            let i = x.insn;
            let missing = || refusal(libc::ESRCH, format!("insn {i}: extern '{}' not found in the runtime", x.name));
            match (x.kind, found) {
                (ExternKind::Kfunc, Some(id)) => {
                    insns[i].imm = id as i32;
                    insns[i].off = 0;
                }
                (ExternKind::Kfunc, None) if x.weak => {
                    // libbpf's poison_kfunc_call: a helper call the kernel refuses if reached.
                    insns[i] = RawInsn::new(0x85, 0, 0, 0, POISON_CALL_KFUNC_BASE.wrapping_add(k as i32));
                }
                (ExternKind::KfuncAddr, Some(id)) => set_lddw(&mut insns, i, KFUNC_ADDR_BASE | u64::from(id)),
                (_, None) if x.weak && x.kind != ExternKind::Kfunc => set_lddw(&mut insns, i, 0),
                (ExternKind::TypedVar | ExternKind::Address, _) if x.weak => set_lddw(&mut insns, i, 0),
                _ => return Err(missing()),
            }
        }
        Ok(insns)
    }
}

/// Makes the `lddw` at `i` load the constant `v`.
fn set_lddw(insns: &mut [RawInsn], i: usize, v: u64) {
    if i + 1 < insns.len() {
        insns[i].src = 0;
        insns[i].imm = v as u32 as i32;
        insns[i + 1].imm = (v >> 32) as u32 as i32;
    }
}

/// A refusal with its errno and a message naming what was refused.
fn refusal(errno: i32, message: String) -> Error {
    Error::Load { errno, message, log: String::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insn_numbers_in_messages() {
        assert_eq!(insn_in_message("insn 12: invalid func unknown#195896080"), Some(12));
        assert_eq!(insn_in_message("no instruction here"), None);
    }

    #[test]
    fn legacy_sections() {
        assert_eq!(legacy_section("xdp_prog"), Some((ProgType::Xdp, AttachType(0))));
        assert_eq!(legacy_section("socket1"), Some((ProgType::SocketFilter, AttachType(0))));
        assert_eq!(legacy_section("kretprobe/kfree"), Some((ProgType::Kprobe, AttachType(0))));
        assert_eq!(legacy_section("filter"), None);
    }

    #[test]
    fn names_follow_libbpf() {
        assert_eq!(kernel_prog_name("a_rather_long_program_name"), "a_rather_long_p");
        assert_eq!(sanitize_name("x-y"), "x_y");
    }
}
