//! # hive-corpus: the external corpora Hive is measured against
//!
//! Readers for the test formats that nobody on the project wrote, and runners that execute
//! them on Hive's engines: the `.data` conformance tests ([`conformance`]) and the kernel's
//! `lib/test_bpf.c` suite ([`test_bpf`]).
// `deny`, not `forbid`: the JIT engine's one `unsafe` call in `conformance` is allowed there.
#![deny(unsafe_code)]

pub mod data_file;
pub mod paths;
pub mod conformance;
pub mod test_bpf;
