//! Which model flavour matches a Wine installation, from `wine --version`.
//! Only versions whose completion ports were measured with the probe have
//! one (docs/differential.md); others are refused, never guessed.

use crate::model::Flavor;

/// The major version in `wine --version` output (`"wine-8.0 (Debian
/// 8.0~repack-4)"` gives 8, `"wine-10.0"` gives 10).
pub fn wine_major(version: &str) -> Option<u32> {
    let v = version.trim().strip_prefix("wine-")?;
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The flavour measured for this Wine version: Wine 8 is `wine`, Wine 10 is
/// `wine10`. Any other version (or unreadable output) is an error that says
/// which versions are known and how to choose a flavour anyway.
pub fn flavor_for_wine(version: &str) -> Result<Flavor, String> {
    match wine_major(version) {
        Some(8) => Ok(Flavor::Wine),
        Some(10) => Ok(Flavor::Wine10),
        Some(n) => Err(format!(
            "no model flavour was measured for Wine {n} (`wine --version`: {}): \
             the probe measured Wine 8 (flavour wine) and Wine 10 (flavour wine10); \
             choose one with --flavor",
            version.trim()
        )),
        None => Err(format!(
            "cannot read the Wine version from `wine --version` ({:?}); choose a flavour with --flavor",
            version.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measured_versions_have_a_flavour_others_are_refused() {
        assert_eq!(
            flavor_for_wine("wine-8.0 (Debian 8.0~repack-4)\n"),
            Ok(Flavor::Wine)
        );
        assert_eq!(
            flavor_for_wine("wine-10.0 (Debian 10.0~repack-6)"),
            Ok(Flavor::Wine10)
        );
        assert_eq!(flavor_for_wine("wine-10.12"), Ok(Flavor::Wine10));
        let e = flavor_for_wine("wine-9.0 (Ubuntu 9.0~repack-4build3)").unwrap_err();
        assert!(e.contains("Wine 9") && e.contains("--flavor"), "{e}");
        assert!(flavor_for_wine("").unwrap_err().contains("--flavor"));
        assert!(flavor_for_wine("wine-x").is_err());
    }
}
