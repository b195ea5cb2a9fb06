//! (essay to come)
#![forbid(unsafe_code)]

pub mod concrete;
pub mod range;
pub mod scalar;
pub mod tnum;

pub use range::Bounds;
pub use scalar::{BranchOutcome, Edges, Scalar, ScalarOf};
pub use tnum::Tnum;
