//! Pulling `.BTF` and `.BTF.ext` out of an ELF object (feature `elf`, through `object`).

use crate::error::{Error, ErrorKind};
use object::read::elf::{ElfFile64, FileHeader, SectionHeader};
use object::Endianness;

/// The BTF sections of an ELF object, borrowed from the file's bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ElfBtf<'d> {
    /// Contents of `.BTF`, if present.
    pub btf: Option<&'d [u8]>,
    /// Contents of `.BTF.ext`, if present.
    pub btf_ext: Option<&'d [u8]>,
}

/// Find `.BTF` and `.BTF.ext` in a 64-bit ELF file of either byte order. Never panics.
pub fn elf_sections(data: &[u8]) -> Result<ElfBtf<'_>, Error> {
    let elf = ElfFile64::<Endianness>::parse(data).map_err(|_| Error::new(ErrorKind::Elf("not a 64-bit ELF file")))?;
    let endian = elf.endian();
    let sections = elf.elf_section_table();
    let mut out = ElfBtf::default();
    for s in sections.iter() {
        let Ok(name) = sections.section_name(endian, s) else { continue };
        let slot = match name {
            b".BTF" => &mut out.btf,
            b".BTF.ext" => &mut out.btf_ext,
            _ => continue,
        };
        let bytes = s.data(endian, data).map_err(|_| Error::new(ErrorKind::Elf("section data out of bounds")))?;
        *slot = Some(bytes);
    }
    let _ = elf.elf_header().e_machine(endian);
    Ok(out)
}
