//! (essay to come)
#![forbid(unsafe_code)]

pub mod tnum;

pub use tnum::Tnum;
