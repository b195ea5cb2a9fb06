//! Every `.data` file of the conformance and uBPF corpora parses.

use hive_corpus::data_file::DataTest;
use hive_corpus::paths::{corpus, files_with_suffix};

#[test]
fn every_data_file_parses() {
    for sub in ["bpf_conformance", "ubpf/tests"] {
        let Some(dir) = corpus(sub) else { continue };
        let files = files_with_suffix(&dir, ".data");
        assert!(!files.is_empty());
        for f in &files {
            DataTest::read(f).unwrap_or_else(|e| panic!("{e}"));
        }
        println!("{sub}: {} files parsed", files.len());
    }
}
