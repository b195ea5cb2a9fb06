//! # hive-platform: the kernel's contracts as data
#![forbid(unsafe_code)]

pub mod helper;
pub mod kfunc;
mod license;
pub mod map;
pub mod prog;
pub mod types;

pub use helper::{HelperId, HelperProto, ProtoFlags};
pub use license::{GPL_COMPATIBLE_LICENSES, is_gpl_compatible};
pub use types::{Arg, ArgBase, ArgType, BtfRef, RetBase, RetType, TypeFlags};
