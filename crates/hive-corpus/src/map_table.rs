//! A table of maps by descriptor, as the runners hand it to the verifier.
//!
//! `hive-verifier` implements its `MapResolver` for the unsized slice `[(i32, MapMeta)]`,
//! which cannot become a `&dyn MapResolver`; this owned table can.

use hive_verifier::{MapMeta, MapResolver};

/// Maps by descriptor; `by_index` is the position (the object's map order).
#[derive(Clone, Debug, Default)]
pub struct MapTable(pub Vec<(i32, MapMeta)>);

impl MapResolver for MapTable {
    fn by_fd(&self, fd: i32) -> Option<MapMeta> {
        self.0.as_slice().by_fd(fd)
    }
    fn by_index(&self, idx: u32) -> Option<MapMeta> {
        self.0.as_slice().by_index(idx)
    }
}
