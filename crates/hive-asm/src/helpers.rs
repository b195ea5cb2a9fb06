//! Helper names by kernel id, as the kernel's verifier log prints them (`bpf_map_lookup_elem`).
//!
//! The names come from `hive-platform`'s helper table, which follows `__BPF_FUNC_MAPPER` in
//! `linux/bpf.h`; the kernel prints id 0 as `bpf_unspec`. A test checks them against the
//! installed header.

use std::sync::OnceLock;

use hive_platform::helper::HelperId;

/// `bpf_`-prefixed names indexed by id, built once from the platform table.
fn names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| HelperId::all().map(|id| format!("bpf_{}", id.name().unwrap_or("unspec"))).collect())
}

/// The kernel's name of helper `id` (`bpf_map_lookup_elem` for 1), `None` for an unknown id.
pub fn helper_name(id: i32) -> Option<&'static str> {
    usize::try_from(id).ok().and_then(|i| names().get(i)).map(String::as_str)
}

/// The id of a helper by its kernel name (`bpf_map_lookup_elem`); the `bpf_` prefix is required.
pub fn helper_id(name: &str) -> Option<i32> {
    name.strip_prefix("bpf_")?;
    HelperId::from_name(name).and_then(|id| i32::try_from(id.0).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ids() {
        assert_eq!(helper_name(0), Some("bpf_unspec"));
        assert_eq!(helper_name(1), Some("bpf_map_lookup_elem"));
        assert_eq!(helper_name(12), Some("bpf_tail_call"));
        assert_eq!(helper_name(211), Some("bpf_cgrp_storage_delete"));
        assert_eq!(helper_name(212), None);
        assert_eq!(helper_name(-1), None);
        assert_eq!(helper_id("bpf_trace_printk"), Some(6));
        assert_eq!(helper_id("map_lookup_elem"), None);
    }

    /// The table agrees with `__BPF_FUNC_MAPPER` of the installed UAPI header, when there is one.
    #[test]
    fn matches_installed_header() {
        let Ok(text) = std::fs::read_to_string("/usr/include/linux/bpf.h") else {
            println!("note: skipping, /usr/include/linux/bpf.h is absent");
            return;
        };
        // Both the 6.1 form `FN(unspec),` and the newer `FN(unspec, 0, ##ctx)` start here.
        let Some(start) = text.find("FN(unspec") else {
            println!("note: skipping, no __BPF_FUNC_MAPPER list in linux/bpf.h");
            return;
        };
        let body = &text[start..];
        let body = &body[..body.find("\n\n").unwrap_or(body.len())];
        let names: Vec<String> = body
            .split("FN(")
            .skip(1)
            .map(|s| format!("bpf_{}", s.split([',', ')']).next().unwrap_or("").trim()))
            .collect();
        assert!(names.len() > 100, "parsed only {} helpers", names.len());
        for (id, name) in names.iter().enumerate() {
            assert_eq!(helper_name(id as i32), Some(name.as_str()), "helper id {id}");
        }
    }
}
