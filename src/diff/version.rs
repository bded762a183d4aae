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

/// A Wine installation with no measured model flavour: its message says
/// which versions are known and how to choose a flavour anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WineVersionError {
    /// A version the probe never measured.
    Unmeasured {
        /// Its major version.
        major: u32,
        /// What `wine --version` printed (trimmed).
        output: String,
    },
    /// `wine --version` printed something that is not a version.
    Unreadable {
        /// What it printed (trimmed).
        output: String,
    },
}

impl std::fmt::Display for WineVersionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WineVersionError::Unmeasured { major, output } => write!(
                f,
                "no model flavour was measured for Wine {major} (`wine --version`: {output}): \
                 the probe measured Wine 8 (flavour wine) and Wine 10 (flavour wine10); \
                 choose one with --flavor"
            ),
            WineVersionError::Unreadable { output } => write!(
                f,
                "cannot read the Wine version from `wine --version` ({output:?}); choose a flavour with --flavor"
            ),
        }
    }
}

impl std::error::Error for WineVersionError {}

/// The flavour measured for this Wine version: Wine 8 is `wine`, Wine 10 is
/// `wine10`. Any other version (or unreadable output) is an error.
pub fn flavor_for_wine(version: &str) -> Result<Flavor, WineVersionError> {
    let output = version.trim().to_owned();
    match wine_major(version) {
        Some(8) => Ok(Flavor::Wine),
        Some(10) => Ok(Flavor::Wine10),
        Some(major) => Err(WineVersionError::Unmeasured { major, output }),
        None => Err(WineVersionError::Unreadable { output }),
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
        assert_eq!(
            e.to_string(),
            "no model flavour was measured for Wine 9 (`wine --version`: wine-9.0 (Ubuntu 9.0~repack-4build3)): \
             the probe measured Wine 8 (flavour wine) and Wine 10 (flavour wine10); choose one with --flavor"
        );
        assert_eq!(
            flavor_for_wine(" x\n").unwrap_err().to_string(),
            "cannot read the Wine version from `wine --version` (\"x\"); choose a flavour with --flavor"
        );
        assert!(flavor_for_wine("wine-x").is_err());
    }
}
