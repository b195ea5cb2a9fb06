//! Arbitrary bytes through the BTF and .BTF.ext readers, validation and both dumps: nothing
//! panics and every entry point ends within its work limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(btf) = hive_btf::Btf::parse(data) {
        let _ = btf.validate();
        let _ = hive_btf::dump_raw(&btf);
        let _ = hive_btf::dump_c(&btf);
        if let Ok(ext) = hive_btf::BtfExt::parse(data) {
            let _ = hive_btf::dump_ext(&btf, &ext);
        }
    }
    let _ = hive_btf::BtfExt::parse(data);
});
