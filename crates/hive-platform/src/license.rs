//! The kernel's notion of a GPL-compatible license (`license_is_gpl_compatible` in
//! `include/linux/license.h`), which decides whether a program may call `gpl_only` helpers.

/// License strings the kernel accepts as GPL-compatible, compared exactly (case-sensitive,
/// no trimming), as `license_is_gpl_compatible` does.
pub const GPL_COMPATIBLE_LICENSES: [&str; 6] =
    ["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"];

/// Whether a program with this `license` string may call GPL-only helpers and kfuncs.
///
/// The comparison is exact: `"GPL"` is compatible, `"gpl"`, `"GPLv2"` and `"GPL "` are not. The
/// kernel reads the license as a C string, so anything after an embedded NUL is ignored.
///
/// ```
/// use hive_platform::is_gpl_compatible;
/// assert!(is_gpl_compatible("Dual BSD/GPL"));
/// assert!(!is_gpl_compatible("Proprietary"));
/// assert!(!is_gpl_compatible("GPL-2.0"));
/// ```
pub fn is_gpl_compatible(license: &str) -> bool {
    let license = license.split('\0').next().unwrap_or("");
    GPL_COMPATIBLE_LICENSES.contains(&license)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_strings() {
        for l in GPL_COMPATIBLE_LICENSES {
            assert!(is_gpl_compatible(l), "{l}");
        }
        for l in ["", "gpl", "GPL ", "GPLv2", "GPL-2.0", "GPL-2.0-only", "Dual BSD/GPL ", "MIT", "BSD"] {
            assert!(!is_gpl_compatible(l), "{l:?}");
        }
        assert!(is_gpl_compatible("GPL\0junk"));
    }
}
