//! Code emission, one module per instruction family.

pub(crate) mod alu;
pub(crate) mod blind;
pub(crate) mod call;
pub(crate) mod fuse;
pub(crate) mod jump;
pub(crate) mod mem;
pub(crate) mod sink;
pub(crate) mod switch;
