//! Integration tests of hive-verifier through its public API, in one binary (one link).

mod cfg_props;
mod corpus;
mod interp;
mod oracle;
mod soundness;
