//! `.BTF.ext`: function info, line info and CO-RE relocations, grouped by ELF section.
//!
//! Layout: a header ([`crate::raw::ExtHeader`]) then up to three subsections, each a
//! `u32 record_size` followed by blocks of `{ u32 sec_name_off; u32 num_info; records[] }`.
//! `record_size` may exceed the known record (newer producers append fields), so records are
//! read with a stride and only their known prefix is decoded. Instruction offsets are in
//! bytes, as `clang` writes them (libbpf divides by 8 when it loads a program).
//!
//! Names (section names, file names, source lines, access strings) live in the `.BTF` string
//! section, so the typed accessors take the companion [`Btf`].

use crate::error::{Error, ErrorKind};
use crate::raw::{ExtHeader, RawCoreRelo, RawFuncInfo, RawLineInfo, BTF_MAGIC, BTF_VERSION, EXT_HEADER_MIN_LEN};
use crate::types::TypeId;
use crate::Btf;
use std::borrow::Cow;
use std::marker::PhantomData;
use zerocopy::FromBytes;

/// A decoded `.BTF.ext` record type.
pub trait ExtRecord: Sized {
    /// Size of the known part of the record.
    const MIN_SIZE: usize;
    /// Decode the known prefix of `b` (at least `MIN_SIZE` bytes, checked by the parser).
    fn decode(b: &[u8]) -> Option<Self>;
}

/// `bpf_func_info`: where a function starts and its FUNC type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuncInfo {
    /// Byte offset of the function's first instruction in its ELF section.
    pub insn_off: u32,
    /// The FUNC type.
    pub type_id: TypeId,
}

impl ExtRecord for FuncInfo {
    const MIN_SIZE: usize = 8;
    fn decode(b: &[u8]) -> Option<Self> {
        let r = RawFuncInfo::ref_from_prefix(b).ok()?.0;
        Some(FuncInfo { insn_off: r.insn_off.get(), type_id: TypeId(r.type_id.get()) })
    }
}

/// `bpf_line_info`: the source position of an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineInfo {
    /// Byte offset of the instruction in its ELF section.
    pub insn_off: u32,
    /// File name (string section of `.BTF`).
    pub file_name_off: u32,
    /// Source line text (string section of `.BTF`).
    pub line_off: u32,
    /// Line number (`line_col >> 10`).
    pub line: u32,
    /// Column (`line_col & 0x3ff`).
    pub col: u32,
}

impl LineInfo {
    /// The source file name.
    pub fn file_name<'b>(&self, btf: &'b Btf<'_>) -> Option<&'b str> {
        btf.str_at(self.file_name_off)
    }
    /// The source line's text.
    pub fn line_text<'b>(&self, btf: &'b Btf<'_>) -> Option<&'b str> {
        btf.str_at(self.line_off)
    }
}

impl ExtRecord for LineInfo {
    const MIN_SIZE: usize = 16;
    fn decode(b: &[u8]) -> Option<Self> {
        let r = RawLineInfo::ref_from_prefix(b).ok()?.0;
        let lc = r.line_col.get();
        Some(LineInfo {
            insn_off: r.insn_off.get(),
            file_name_off: r.file_name_off.get(),
            line_off: r.line_off.get(),
            line: lc >> 10,
            col: lc & 0x3ff,
        })
    }
}

/// `enum bpf_core_relo_kind`: what a CO-RE relocation computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreReloKind {
    /// `BPF_CORE_FIELD_BYTE_OFFSET`.
    #[doc(alias = "BPF_CORE_FIELD_BYTE_OFFSET")]
    FieldByteOffset,
    /// `BPF_CORE_FIELD_BYTE_SIZE`.
    #[doc(alias = "BPF_CORE_FIELD_BYTE_SIZE")]
    FieldByteSize,
    /// `BPF_CORE_FIELD_EXISTS`.
    #[doc(alias = "BPF_CORE_FIELD_EXISTS")]
    FieldExists,
    /// `BPF_CORE_FIELD_SIGNED`.
    #[doc(alias = "BPF_CORE_FIELD_SIGNED")]
    FieldSigned,
    /// `BPF_CORE_FIELD_LSHIFT_U64`.
    #[doc(alias = "BPF_CORE_FIELD_LSHIFT_U64")]
    FieldLshiftU64,
    /// `BPF_CORE_FIELD_RSHIFT_U64`.
    #[doc(alias = "BPF_CORE_FIELD_RSHIFT_U64")]
    FieldRshiftU64,
    /// `BPF_CORE_TYPE_ID_LOCAL`.
    #[doc(alias = "BPF_CORE_TYPE_ID_LOCAL")]
    TypeIdLocal,
    /// `BPF_CORE_TYPE_ID_TARGET`.
    #[doc(alias = "BPF_CORE_TYPE_ID_TARGET")]
    TypeIdTarget,
    /// `BPF_CORE_TYPE_EXISTS`.
    #[doc(alias = "BPF_CORE_TYPE_EXISTS")]
    TypeExists,
    /// `BPF_CORE_TYPE_SIZE`.
    #[doc(alias = "BPF_CORE_TYPE_SIZE")]
    TypeSize,
    /// `BPF_CORE_ENUMVAL_EXISTS`.
    #[doc(alias = "BPF_CORE_ENUMVAL_EXISTS")]
    EnumvalExists,
    /// `BPF_CORE_ENUMVAL_VALUE`.
    #[doc(alias = "BPF_CORE_ENUMVAL_VALUE")]
    EnumvalValue,
    /// `BPF_CORE_TYPE_MATCHES`.
    #[doc(alias = "BPF_CORE_TYPE_MATCHES")]
    TypeMatches,
    /// A kind this crate does not know.
    Unknown(u32),
}

impl CoreReloKind {
    /// Decode the raw kind.
    pub fn from_raw(k: u32) -> Self {
        use CoreReloKind::*;
        match k {
            0 => FieldByteOffset,
            1 => FieldByteSize,
            2 => FieldExists,
            3 => FieldSigned,
            4 => FieldLshiftU64,
            5 => FieldRshiftU64,
            6 => TypeIdLocal,
            7 => TypeIdTarget,
            8 => TypeExists,
            9 => TypeSize,
            10 => EnumvalExists,
            11 => EnumvalValue,
            12 => TypeMatches,
            x => Unknown(x),
        }
    }

    /// libbpf's short spelling (`"byte_off"`, `"local_type_id"`, ...), as in its logs.
    pub fn name(self) -> &'static str {
        use CoreReloKind::*;
        match self {
            FieldByteOffset => "byte_off",
            FieldByteSize => "byte_sz",
            FieldExists => "field_exists",
            FieldSigned => "signed",
            FieldLshiftU64 => "lshift_u64",
            FieldRshiftU64 => "rshift_u64",
            TypeIdLocal => "local_type_id",
            TypeIdTarget => "target_type_id",
            TypeExists => "type_exists",
            TypeSize => "type_size",
            EnumvalExists => "enumval_exists",
            EnumvalValue => "enumval_value",
            TypeMatches => "type_matches",
            Unknown(_) => "unknown",
        }
    }
}

/// `bpf_core_relo`: one CO-RE relocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreRelo {
    /// Byte offset of the relocated instruction in its ELF section.
    pub insn_off: u32,
    /// The local root type.
    pub type_id: TypeId,
    /// The access string (string section of `.BTF`), such as `"0:1:2"`.
    pub access_str_off: u32,
    /// What to compute.
    pub kind: CoreReloKind,
}

impl CoreRelo {
    /// The access string.
    pub fn access_str<'b>(&self, btf: &'b Btf<'_>) -> Option<&'b str> {
        btf.str_at(self.access_str_off)
    }
    /// The access string split into indices (`"0:1:2"` → `[0, 1, 2]`); `None` when malformed.
    pub fn access_spec(&self, btf: &Btf<'_>) -> Option<Vec<u32>> {
        self.access_str(btf)?.split(':').map(|s| s.parse().ok()).collect()
    }
}

impl ExtRecord for CoreRelo {
    const MIN_SIZE: usize = 16;
    fn decode(b: &[u8]) -> Option<Self> {
        let r = RawCoreRelo::ref_from_prefix(b).ok()?.0;
        Some(CoreRelo {
            insn_off: r.insn_off.get(),
            type_id: TypeId(r.type_id.get()),
            access_str_off: r.access_str_off.get(),
            kind: CoreReloKind::from_raw(r.kind.get()),
        })
    }
}

/// The records of one kind for one ELF section.
#[derive(Clone, Copy, Debug)]
pub struct ExtSection<'b, T> {
    /// Offset of the ELF section's name in the `.BTF` string section.
    pub sec_name_off: u32,
    bytes: &'b [u8],
    rec_size: usize,
    _t: PhantomData<T>,
}

impl<'b, T: ExtRecord> ExtSection<'b, T> {
    /// The ELF section name (such as `"xdp"` or `"kprobe/sys_open"`).
    pub fn name<'s>(&self, btf: &'s Btf<'_>) -> Option<&'s str> {
        btf.str_at(self.sec_name_off)
    }
    /// Number of records.
    pub fn len(&self) -> usize {
        self.bytes.len() / self.rec_size.max(1)
    }
    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The record size declared by the producer (at least `T::MIN_SIZE`).
    pub fn record_size(&self) -> usize {
        self.rec_size
    }
    /// The decoded records.
    pub fn records(&self) -> impl ExactSizeIterator<Item = T> + 'b {
        let rs = self.rec_size.max(1);
        self.bytes.chunks_exact(rs).map(|c| T::decode(c).expect("record size checked on parse"))
    }
}

/// One subsection's layout: record size and the byte range of each section block.
#[derive(Clone, Debug, Default)]
struct Sub {
    rec_size: usize,
    /// (sec_name_off, start, end) of the records, absolute in the blob.
    blocks: Vec<(u32, usize, usize)>,
}

/// A parsed `.BTF.ext` blob.
#[derive(Clone, Debug)]
pub struct BtfExt<'a> {
    data: Cow<'a, [u8]>,
    hdr: ExtHeader,
    func: Sub,
    line: Sub,
    core: Sub,
    big_endian: bool,
}

fn ext_err(msg: &'static str) -> Error {
    Error::new(ErrorKind::Ext(msg))
}

impl<'a> BtfExt<'a> {
    /// Parse `.BTF.ext` (little- or big-endian). Never panics.
    pub fn parse(data: &'a [u8]) -> Result<BtfExt<'a>, Error> {
        Self::parse_cow(Cow::Borrowed(data))
    }

    /// Parse an owned blob.
    pub fn from_vec(data: Vec<u8>) -> Result<BtfExt<'static>, Error> {
        BtfExt::parse_cow(Cow::Owned(data))
    }

    fn parse_cow(data: Cow<'a, [u8]>) -> Result<BtfExt<'a>, Error> {
        if data.len() < 8 {
            return Err(ext_err("header not found"));
        }
        let mut data = data;
        let mut big_endian = false;
        if data[0] == 0xeb && data[1] == 0x9f {
            data = Cow::Owned(crate::swap::ext_to_le(&data));
            big_endian = true;
        }
        let hdr_len = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);
        if hdr_len < EXT_HEADER_MIN_LEN || hdr_len as usize > data.len() {
            return Err(ext_err("header not found"));
        }
        let mut hbuf = [0u8; 32];
        let n = (hdr_len as usize).min(32);
        hbuf[..n].copy_from_slice(&data[..n]);
        let hdr = ExtHeader::read_from_bytes(&hbuf[..]).map_err(|_| ext_err("header not found"))?;
        if hdr.magic.get() != BTF_MAGIC {
            return Err(ext_err("invalid magic"));
        }
        if hdr.version != BTF_VERSION {
            return Err(ext_err("unsupported version"));
        }
        if hdr.flags != 0 {
            return Err(ext_err("unsupported flags"));
        }
        let body = hdr_len as usize;
        let func = parse_sub(&data, body, hdr.func_info_off.get(), hdr.func_info_len.get(), FuncInfo::MIN_SIZE, "func_info")?;
        let line = parse_sub(&data, body, hdr.line_info_off.get(), hdr.line_info_len.get(), LineInfo::MIN_SIZE, "line_info")?;
        let core = if hdr_len >= 32 {
            parse_sub(&data, body, hdr.core_relo_off.get(), hdr.core_relo_len.get(), CoreRelo::MIN_SIZE, "core_relo")?
        } else {
            Sub::default()
        };
        Ok(BtfExt { data, hdr, func, line, core, big_endian })
    }

    /// The header (CO-RE fields zero when the header is the short, 24-byte one).
    pub fn header(&self) -> &ExtHeader {
        &self.hdr
    }

    /// Whether the input was big-endian.
    pub fn is_big_endian(&self) -> bool {
        self.big_endian
    }

    fn sections<'s, T: ExtRecord>(&'s self, sub: &'s Sub) -> impl ExactSizeIterator<Item = ExtSection<'s, T>> + 's {
        let rec_size = sub.rec_size;
        sub.blocks.iter().map(move |&(name, s, e)| ExtSection {
            sec_name_off: name,
            bytes: &self.data[s..e],
            rec_size,
            _t: PhantomData,
        })
    }

    /// Function info, per ELF section.
    pub fn func_info(&self) -> impl ExactSizeIterator<Item = ExtSection<'_, FuncInfo>> + '_ {
        self.sections(&self.func)
    }

    /// Line info, per ELF section.
    pub fn line_info(&self) -> impl ExactSizeIterator<Item = ExtSection<'_, LineInfo>> + '_ {
        self.sections(&self.line)
    }

    /// CO-RE relocations, per ELF section.
    pub fn core_relos(&self) -> impl ExactSizeIterator<Item = ExtSection<'_, CoreRelo>> + '_ {
        self.sections(&self.core)
    }
}

fn parse_sub(data: &[u8], body: usize, off: u32, len: u32, min: usize, what: &'static str) -> Result<Sub, Error> {
    if len == 0 {
        return Ok(Sub::default());
    }
    if off & 3 != 0 {
        return Err(ext_err("subsection not aligned to 4 bytes"));
    }
    let start = body.checked_add(off as usize).ok_or(ext_err("subsection out of bounds"))?;
    let end = start.checked_add(len as usize).ok_or(ext_err("subsection out of bounds"))?;
    if end > data.len() {
        return Err(ext_err(match what {
            "func_info" => "func_info subsection out of bounds",
            "line_info" => "line_info subsection out of bounds",
            _ => "core_relo subsection out of bounds",
        }));
    }
    let word = |o: usize| u32::from_le_bytes([data[o], data[o + 1], data[o + 2], data[o + 3]]);
    if len < 4 {
        return Err(ext_err("subsection too short for record size"));
    }
    let rec_size = word(start) as usize;
    if rec_size < min || !rec_size.is_multiple_of(4) {
        return Err(ext_err("invalid record size"));
    }
    let mut blocks = Vec::new();
    let mut cur = start + 4;
    while cur < end {
        if end - cur < 8 {
            return Err(ext_err("section header truncated"));
        }
        let (name, num) = (word(cur), word(cur + 4) as usize);
        cur += 8;
        if num == 0 {
            return Err(ext_err("section with no records"));
        }
        let total = num.checked_mul(rec_size).ok_or(ext_err("records out of bounds"))?;
        if end - cur < total {
            return Err(ext_err("records out of bounds"));
        }
        blocks.push((name, cur, cur + total));
        cur += total;
    }
    Ok(Sub { rec_size, blocks })
}
