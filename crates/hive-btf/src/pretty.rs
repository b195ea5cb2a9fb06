//! Value pretty-printer (placeholder).
use crate::{Btf, TypeId};
/// Format `data` as a value of type `id`.
pub fn format_value(_btf: &Btf<'_>, _id: TypeId, _data: &[u8]) -> String { String::new() }
/// Multi-line variant of [`format_value`].
pub fn format_value_pretty(_btf: &Btf<'_>, _id: TypeId, _data: &[u8]) -> String { String::new() }
