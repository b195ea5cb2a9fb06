//! Reading a BTF blob: header, sections, the type index; split BTF; big-endian input.
//!
//! Parsing makes one pass over the type section and records where each type starts; every
//! later lookup reads the record in place. Two levels of checking exist:
//!
//! * [`Btf::parse`] (structural, like libbpf's `btf__new`): the header and section layout,
//!   the string section's NUL bytes, every record inside the type section with a known kind,
//!   every name and string offset inside the string section and every referenced type id in
//!   range. This is what `.BTF` sections from `clang` need, before libbpf's fix-ups (DATASEC
//!   sizes, extern linkage) make them acceptable to the kernel.
//! * [`Btf::parse_strict`] (the kernel's `btf_parse` for `BPF_BTF_LOAD`): the same pass with
//!   each kind's `check_meta`, then the resolve pass and the type-tag order check, reporting
//!   the first problem in the kernel's order and wording (see [`crate::validate`]).

use crate::error::{Error, ErrorKind};
use crate::raw::{Header, RawType, BTF_MAGIC, BTF_MAX_NAME_OFFSET, BTF_MAX_SIZE, BTF_MAX_TYPE, BTF_VERSION};
use crate::types::{Kind, Type, TypeId, VOID_RAW};
use std::borrow::Cow;
use std::fmt;
use zerocopy::FromBytes;

/// Size of the header fields the kernel knows (`sizeof(struct btf_header)`).
const HDR_SIZE: usize = 24;

/// A parsed BTF blob: a base BTF (such as vmlinux or a program's `.BTF`) or a split BTF on
/// top of one.
///
/// The blob is borrowed when it is little-endian and owned (byte-swapped) when it is not.
pub struct Btf<'a> {
    data: Cow<'a, [u8]>,
    hdr: Header,
    /// Absolute offset of each of this BTF's own type records, in id order.
    offsets: Vec<u32>,
    /// Absolute end of the type section.
    types_end: u32,
    /// Absolute start of the string section.
    str_start: u32,
    str_len: u32,
    base: Option<&'a Btf<'a>>,
    start_id: u32,
    start_str_off: u32,
    big_endian: bool,
}

impl fmt::Debug for Btf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Btf")
            .field("types", &self.offsets.len())
            .field("start_id", &self.start_id)
            .field("str_len", &self.str_len)
            .field("split", &self.base.is_some())
            .field("big_endian", &self.big_endian)
            .finish()
    }
}

/// How much [`Btf::parse_with`] checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Validation {
    /// Layout, offsets and references only (libbpf's level); accepts `clang` output as is.
    #[default]
    Structural,
    /// Everything the kernel checks on `BPF_BTF_LOAD`, in its order and wording.
    Kernel,
}

impl<'a> Btf<'a> {
    /// Parse a base BTF, checking its structure (see the module docs). Never panics.
    ///
    /// ```
    /// let mut b = hive_btf::BtfBuilder::new();
    /// b.int("int", 4, true);
    /// let bytes = b.to_bytes();
    /// let btf = hive_btf::Btf::parse(&bytes).unwrap();
    /// assert_eq!(btf.type_by_id(hive_btf::TypeId(1)).unwrap().name(), "int");
    /// ```
    pub fn parse(data: &'a [u8]) -> Result<Btf<'a>, Error> {
        Self::parse_with(Cow::Borrowed(data), None, Validation::Structural)
    }

    /// Parse a base BTF as the kernel's `BPF_BTF_LOAD` would, failing with its first
    /// complaint.
    pub fn parse_strict(data: &'a [u8]) -> Result<Btf<'a>, Error> {
        Self::parse_with(Cow::Borrowed(data), None, Validation::Kernel)
    }

    /// Parse a split BTF (a kernel module's or a program's) whose type ids and string offsets
    /// continue those of `base`.
    pub fn parse_split(data: &'a [u8], base: &'a Btf<'a>) -> Result<Btf<'a>, Error> {
        Self::parse_with(Cow::Borrowed(data), Some(base), Validation::Structural)
    }

    /// Parse an owned blob.
    pub fn from_vec(data: Vec<u8>) -> Result<Btf<'static>, Error> {
        Btf::parse_with(Cow::Owned(data), None, Validation::Structural)
    }

    /// The general entry point: borrowed or owned bytes, optional base, level of checking.
    pub fn parse_with(
        data: Cow<'a, [u8]>,
        base: Option<&'a Btf<'a>>,
        validation: Validation,
    ) -> Result<Btf<'a>, Error> {
        let strict = validation == Validation::Kernel;
        if strict && data.len() > BTF_MAX_SIZE {
            return Err(ErrorKind::TooBig(data.len()).into());
        }
        if data.len() < 8 {
            return Err(ErrorKind::HdrLenNotFound.into());
        }
        let mut data = data;
        let mut big_endian = false;
        if !strict && data[0] == 0xeb && data[1] == 0x9f {
            data = Cow::Owned(crate::swap::btf_to_le(&data));
            big_endian = true;
        }
        let l = if strict { kernel_layout(&data, base.is_some())? } else { lenient_layout(&data, base.is_some())? };
        let (hdr, types_start, types_end, str_start, str_len) = (l.hdr, l.types_start, l.types_end, l.str_start, l.str_len);
        let (start_id, start_str_off) = match base {
            Some(b) => (b.type_count(), b.str_end()),
            None => (1, 0),
        };
        let mut btf = Btf {
            data,
            hdr,
            offsets: Vec::new(),
            types_end: types_end as u32,
            str_start: str_start as u32,
            str_len: str_len as u32,
            base,
            start_id,
            start_str_off,
            big_endian,
        };
        btf.offsets = btf.scan_types(types_start, strict)?;
        if strict {
            crate::validate::check_all_types(&btf)?;
            crate::validate::check_type_tags(&btf, TypeId(btf.start_id))?;
        } else {
            btf.check_references()?;
        }
        Ok(btf)
    }

    /// The meta pass: walk the type section record by record.
    fn scan_types(&self, start: usize, strict: bool) -> Result<Vec<u32>, Error> {
        let data = &self.data[..];
        let end = self.types_end as usize;
        let mut offsets = Vec::with_capacity((end - start) / 16);
        let mut cur = start;
        let mut id = self.start_id;
        while cur < end {
            let left = (end - cur) as u32;
            if left < 12 {
                return Err(Error::at(id, ErrorKind::MetaLeft { left, needed: 12 }));
            }
            let Ok((t, _)) = RawType::ref_from_prefix(&data[cur..end]) else {
                return Err(Error::at(id, ErrorKind::MetaLeft { left, needed: 12 }));
            };
            let info = t.info.get();
            if strict && info & !crate::raw::BTF_INFO_MASK != 0 {
                return Err(Error::at(id, ErrorKind::InvalidBtfInfo(info)));
            }
            let Some(kind) = Kind::from_raw(t.kind_raw()) else {
                return Err(Error::at(id, ErrorKind::InvalidKind(t.kind_raw())));
            };
            if !self.name_offset_valid(t.name_off.get()) {
                return Err(Error::at(id, ErrorKind::InvalidNameOffset(t.name_off.get())));
            }
            let rest = &data[cur + 12..end];
            let extra = if strict {
                crate::validate::check_meta(self, crate::Rules::LINUX_6_12, id, t, kind, rest)?
            } else {
                let need = kind.extra_len(t.vlen());
                if rest.len() < need {
                    return Err(Error::at(id, ErrorKind::MetaLeft { left: rest.len() as u32, needed: need as u32 }));
                }
                need
            };
            if id >= BTF_MAX_TYPE {
                return Err(Error::at(id, ErrorKind::TooManyTypes));
            }
            offsets.push(cur as u32);
            cur += 12 + extra;
            id += 1;
        }
        Ok(offsets)
    }

    /// Structural reference checks (libbpf's `btf_validate_type`): every referenced type id
    /// exists and every member, enumerator and parameter name is inside the string section.
    fn check_references(&self) -> Result<(), Error> {
        let count = self.type_count();
        let id_ok = |id: u32, at: u32| {
            if id < count { Ok(()) } else { Err(Error::at(at, ErrorKind::TypeIdOutOfRange(id))) }
        };
        let str_ok = |off: u32, at: u32| {
            if self.name_offset_valid(off) { Ok(()) } else { Err(Error::at(at, ErrorKind::StrOffsetOutOfRange(off))) }
        };
        for t in self.types() {
            let at = t.id().0;
            if let Some(r) = t.ref_type() {
                id_ok(r.0, at)?;
            }
            match t.kind() {
                Kind::Array => {
                    let a = t.array().unwrap_or(crate::types::Array { elem_type: TypeId(0), index_type: TypeId(0), nelems: 0 });
                    id_ok(a.elem_type.0, at)?;
                    id_ok(a.index_type.0, at)?;
                }
                Kind::Struct | Kind::Union => {
                    for m in t.raw_members() {
                        id_ok(m.type_.get(), at)?;
                        str_ok(m.name_off.get(), at)?;
                    }
                }
                Kind::Enum => {
                    for e in t.raw_enums() {
                        str_ok(e.name_off.get(), at)?;
                    }
                }
                Kind::Enum64 => {
                    for e in t.raw_enums64() {
                        str_ok(e.name_off.get(), at)?;
                    }
                }
                Kind::FuncProto => {
                    for p in t.raw_params() {
                        id_ok(p.type_.get(), at)?;
                        str_ok(p.name_off.get(), at)?;
                    }
                }
                Kind::Datasec => {
                    for v in t.raw_secinfos() {
                        id_ok(v.type_.get(), at)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Run the kernel's checks (Linux 6.12 rules) on an already parsed BTF, for instance after
    /// the fix-ups a loader applies: every kind's `check_meta`, the resolve pass and the
    /// type-tag order.
    pub fn validate(&self) -> Result<(), Error> {
        self.validate_with(crate::Rules::LINUX_6_12)
    }

    /// [`Btf::validate`] with the rules of another kernel release.
    pub fn validate_with(&self, rules: crate::Rules) -> Result<(), Error> {
        for t in self.types() {
            let end = self.types_end as usize;
            let off = self.offsets[(t.id().0 - self.start_id) as usize] as usize;
            crate::validate::check_meta(self, rules, t.id().0, t.raw(), t.kind(), &self.data[off + 12..end])?;
        }
        crate::validate::check_all_types(self)?;
        crate::validate::check_type_tags(self, TypeId(self.start_id))
    }

    // ----- lookups -----

    /// Number of type ids in use, counting `void` and the base's types: valid ids are
    /// `0..type_count()` (libbpf's `btf__type_cnt`).
    pub fn type_count(&self) -> u32 {
        self.start_id + self.offsets.len() as u32
    }

    /// The first id that belongs to this BTF (1 for a base BTF).
    pub fn start_id(&self) -> TypeId {
        TypeId(self.start_id)
    }

    /// The base of a split BTF.
    pub fn base(&self) -> Option<&'a Btf<'a>> {
        self.base
    }

    /// Whether the input was big-endian (and was byte-swapped on parse).
    pub fn is_big_endian(&self) -> bool {
        self.big_endian
    }

    /// The header, as the kernel sees it.
    pub fn header(&self) -> &Header {
        &self.hdr
    }

    /// The blob in little-endian form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// The type with id `id`; [`TypeId::VOID`] gives the `void` pseudo-type of kind
    /// [`Kind::Void`]; `None` past the last id.
    pub fn type_by_id(&self, id: TypeId) -> Option<Type<'_>> {
        if id.0 == 0 {
            return Some(Type { id, raw: &VOID_RAW, extra: &[], btf: self.shorten() });
        }
        if id.0 < self.start_id {
            return self.base?.type_by_id(id);
        }
        let idx = (id.0 - self.start_id) as usize;
        let off = *self.offsets.get(idx)? as usize;
        let end = match self.offsets.get(idx + 1) {
            Some(&n) => n as usize,
            None => self.types_end as usize,
        };
        let rec = self.data.get(off..end)?;
        let (raw, extra) = RawType::ref_from_prefix(rec).ok()?;
        Some(Type { id, raw, extra, btf: self.shorten() })
    }

    fn shorten(&self) -> &Btf<'_> {
        self
    }

    /// This BTF's own types, in id order (not the base's, not `void`).
    pub fn types(&self) -> impl ExactSizeIterator<Item = Type<'_>> + '_ {
        (self.start_id..self.type_count()).map(move |i| self.type_by_id(TypeId(i)).unwrap_or(Type {
            id: TypeId(0),
            raw: &VOID_RAW,
            extra: &[],
            btf: self.shorten(),
        }))
    }

    /// The end of this BTF's string offsets (where a split BTF's offsets start).
    pub fn str_end(&self) -> u32 {
        self.start_str_off + self.str_len
    }

    /// The kernel's `btf_name_offset_valid`.
    pub fn name_offset_valid(&self, off: u32) -> bool {
        if off > BTF_MAX_NAME_OFFSET {
            return false;
        }
        if off < self.start_str_off {
            return self.base.is_some_and(|b| b.name_offset_valid(off));
        }
        off - self.start_str_off < self.str_len
    }

    /// The NUL-terminated string at `off` (without the NUL), `None` when `off` is outside
    /// the string section.
    pub fn str_bytes_at(&self, off: u32) -> Option<&[u8]> {
        if off < self.start_str_off {
            return self.base?.str_bytes_at(off);
        }
        let rel = (off - self.start_str_off) as usize;
        if rel >= self.str_len as usize {
            return None;
        }
        let s = &self.data[self.str_start as usize + rel..(self.str_start + self.str_len) as usize];
        let n = s.iter().position(|&b| b == 0).unwrap_or(s.len());
        Some(&s[..n])
    }

    /// The string at `off` when it is valid UTF-8.
    pub fn str_at(&self, off: u32) -> Option<&str> {
        std::str::from_utf8(self.str_bytes_at(off)?).ok()
    }

    /// The first type (own or base) with this name and kind.
    pub fn find_by_name_kind(&self, name: &str, kind: Kind) -> Option<TypeId> {
        (1..self.type_count()).map(TypeId).find(|&id| {
            self.type_by_id(id).is_some_and(|t| t.kind() == kind && t.name() == name)
        })
    }

    /// The first type (own or base) with this name, of any kind.
    pub fn find_by_name(&self, name: &str) -> Option<TypeId> {
        (1..self.type_count()).map(TypeId).find(|&id| self.type_by_id(id).is_some_and(|t| t.name() == name))
    }
}

/// Where the sections are, once the header has been checked.
struct Layout {
    hdr: Header,
    types_start: usize,
    types_end: usize,
    str_start: usize,
    str_len: usize,
}

/// The kernel's `btf_parse_hdr`, `btf_parse_str_sec` and the start of `btf_parse_type_sec`,
/// in its order.
fn kernel_layout(data: &[u8], split: bool) -> Result<Layout, Error> {
    let size = data.len();
    let hdr_len = u32::from_le_bytes([data[4], data[5], data[6], data[7]]) as usize;
    if size < hdr_len {
        return Err(ErrorKind::HeaderNotFound.into());
    }
    if hdr_len > HDR_SIZE && data[HDR_SIZE..hdr_len].iter().any(|&b| b != 0) {
        return Err(ErrorKind::UnsupportedHeader.into());
    }
    let hdr = read_header(data, hdr_len);
    check_magic(&hdr)?;
    // From here on the kernel uses the copied header, whose hdr_len may differ from the
    // blob's when hdr_len < 8 (then the copy holds zeros).
    let hdr_len = hdr.hdr_len.get();
    if !split && size as u64 == hdr_len as u64 {
        return Err(ErrorKind::NoData.into());
    }
    check_sec_info(&hdr, size as u32)?;
    let nohdr = hdr_len as usize;
    let str_start = nohdr + hdr.str_off.get() as usize;
    let str_len = hdr.str_len.get() as usize;
    if str_start + str_len != size {
        return Err(ErrorKind::StringSectionNotAtEnd.into());
    }
    check_strings(data, str_start, str_len, split)?;
    if hdr.type_off.get() & 3 != 0 {
        return Err(ErrorKind::UnalignedTypeOff.into());
    }
    if !split && hdr.type_len.get() == 0 {
        return Err(ErrorKind::NoTypeFound.into());
    }
    let types_start = nohdr + hdr.type_off.get() as usize;
    let types_end = types_start + hdr.type_len.get() as usize;
    Ok(Layout { hdr, types_start, types_end, str_start, str_len })
}

/// libbpf's layout rules: a header of at least 24 bytes (a longer one, such as the 32-byte
/// header with a kind-layout section of newer kernels, is accepted and its extra fields
/// ignored), both sections inside the blob, not overlapping, the type section 4-aligned.
fn lenient_layout(data: &[u8], split: bool) -> Result<Layout, Error> {
    let size = data.len();
    let hdr_len = u32::from_le_bytes([data[4], data[5], data[6], data[7]]) as usize;
    if hdr_len < HDR_SIZE || size < hdr_len {
        return Err(ErrorKind::HeaderNotFound.into());
    }
    let hdr = read_header(data, hdr_len);
    check_magic(&hdr)?;
    let body = (size - hdr_len) as u64;
    let (t_off, t_len) = (hdr.type_off.get() as u64, hdr.type_len.get() as u64);
    let (s_off, s_len) = (hdr.str_off.get() as u64, hdr.str_len.get() as u64);
    if t_off + t_len > body || s_off + s_len > body {
        return Err(ErrorKind::SectionTooLong.into());
    }
    if t_len != 0 && s_len != 0 && t_off < s_off + s_len && s_off < t_off + t_len {
        return Err(ErrorKind::SectionOverlap.into());
    }
    if t_off & 3 != 0 {
        return Err(ErrorKind::UnalignedTypeOff.into());
    }
    let str_start = hdr_len + s_off as usize;
    check_strings(data, str_start, s_len as usize, split)?;
    let types_start = hdr_len + t_off as usize;
    Ok(Layout { hdr, types_start, types_end: types_start + t_len as usize, str_start, str_len: s_len as usize })
}

fn read_header(data: &[u8], hdr_len: usize) -> Header {
    let mut hbuf = [0u8; HDR_SIZE];
    let copy = hdr_len.min(HDR_SIZE);
    hbuf[..copy].copy_from_slice(&data[..copy]);
    Header::read_from_bytes(&hbuf[..]).unwrap_or_default()
}

fn check_magic(hdr: &Header) -> Result<(), Error> {
    if hdr.magic.get() != BTF_MAGIC {
        return Err(ErrorKind::InvalidMagic.into());
    }
    if hdr.version != BTF_VERSION {
        return Err(ErrorKind::UnsupportedVersion.into());
    }
    if hdr.flags != 0 {
        return Err(ErrorKind::UnsupportedFlags.into());
    }
    Ok(())
}

/// The kernel's `btf_parse_str_sec` rules: ends with NUL, and (base BTF) starts with one.
fn check_strings(data: &[u8], start: usize, len: usize, split: bool) -> Result<(), Error> {
    if split && len == 0 {
        return Ok(());
    }
    if len == 0 || len as u32 - 1 > BTF_MAX_NAME_OFFSET || data[start + len - 1] != 0 {
        return Err(ErrorKind::InvalidStringSection.into());
    }
    if !split && data[start] != 0 {
        return Err(ErrorKind::InvalidStringSection.into());
    }
    Ok(())
}

/// The kernel's `btf_check_sec_info`: sections sorted by offset must tile the data after the
/// header with no gap, overlap or overrun.
fn check_sec_info(hdr: &Header, size: u32) -> Result<(), Error> {
    let mut secs = [(hdr.type_off.get(), hdr.type_len.get()), (hdr.str_off.get(), hdr.str_len.get())];
    // The kernel compares with `(int)(x->off - y->off) ?: (int)(x->len - y->len)`.
    let cmp = |a: &(u32, u32), b: &(u32, u32)| {
        let d = a.0.wrapping_sub(b.0) as i32;
        if d != 0 { d } else { a.1.wrapping_sub(b.1) as i32 }
    };
    if cmp(&secs[0], &secs[1]) > 0 {
        secs.swap(0, 1);
    }
    let mut total: u32 = 0;
    let expected_total = size.wrapping_sub(hdr.hdr_len.get());
    for (off, len) in secs {
        if expected_total < off {
            return Err(ErrorKind::InvalidSectionOffset.into());
        }
        if total < off {
            return Err(ErrorKind::UnsupportedSection.into());
        }
        if total > off {
            return Err(ErrorKind::SectionOverlap.into());
        }
        if expected_total - total < len {
            return Err(ErrorKind::SectionTooLong.into());
        }
        total += len;
    }
    if expected_total != total {
        return Err(ErrorKind::UnsupportedSection.into());
    }
    Ok(())
}
