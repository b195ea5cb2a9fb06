//! Arbitrary bytes through the ELF object loader (sections, maps, relocations, BTF fix-ups,
//! CO-RE against the object's own BTF, linking): an error or an object, never a panic or a hang.
#![no_main]

use hive_object::{LoadOptions, ObjectSpec, ProgramSelection, TargetBtf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hive_object::program_sections(data);
    let opts = LoadOptions { target_btf: TargetBtf::Own, programs: ProgramSelection::All, ..LoadOptions::default() };
    if let Ok(spec) = ObjectSpec::parse(data, &opts) {
        for p in &spec.programs {
            let _ = p.code();
        }
    }
});
