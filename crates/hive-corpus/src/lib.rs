//! # hive-corpus: the external corpora Hive is measured against
//!
//! Readers for the test formats that nobody on the project wrote, and runners that execute
//! them on Hive's engines: the `.data` conformance tests ([`conformance`]) and the kernel's
//! `lib/test_bpf.c` suite ([`test_bpf`]); and the verifier's corpora, each compared with a
//! reference verdict and summed up by a [`tally::Tally`]: the kernel's old verifier selftests
//! ([`kernel_verifier`]), PREVAIL's YAML cases ([`prevail`]) and real objects
//! ([`samples`], through [`object_verify`], which `hive verify` also uses).
// `deny`, not `forbid`: the JIT engine's one `unsafe` call in `conformance` is allowed there.
#![deny(unsafe_code)]

pub mod data_file;
pub mod paths;
pub mod conformance;
pub mod test_bpf;
pub mod tally;
pub mod map_table;
pub mod kernel_verifier;
pub mod object_verify;
pub mod explain;
pub mod samples;
pub mod prevail;
