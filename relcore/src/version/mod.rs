//! Version rules: the bump a release causes and the next version, as pure functions.

use semver::{Prerelease, Version};
use serde::{Deserialize, Serialize};

pub(crate) mod config;

pub use config::{VersionConfig, ZeroMajorBreaking};

/// How far a change moves the version. Ordered: `None < Patch < Minor < Major`.
///
/// ```
/// use relcore::{Bump, config::ZeroMajorBreaking};
/// assert!(Bump::None < Bump::Patch && Bump::Minor < Bump::Major);
/// assert_eq!(Bump::Major.to_string(), "major");
/// // On 0.x, a breaking change bumps the minor version unless configured otherwise.
/// assert_eq!(Bump::Major.effective(0, ZeroMajorBreaking::Minor), Bump::Minor);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing to release.
    #[default]
    None,
    /// `X.Y.(Z+1)`.
    Patch,
    /// `X.(Y+1).0`.
    Minor,
    /// `(X+1).0.0`.
    Major,
}

impl Bump {
    /// The lower-case name used in `rel.toml` and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// The bump that actually applies to a version with major number `major`: while `major`
    /// is 0 and `zero_major_breaking = "minor"`, a major bump acts as a minor one.
    pub fn effective(self, major: u64, rule: ZeroMajorBreaking) -> Bump {
        match (self, major, rule) {
            (Bump::Major, 0, ZeroMajorBreaking::Minor) => Bump::Minor,
            (bump, ..) => bump,
        }
    }
}

impl std::fmt::Display for Bump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Applies `bump` to `base` (pre-release and build parts dropped), honouring the zero-major rule.
pub fn apply(base: &Version, bump: Bump, rule: ZeroMajorBreaking) -> Version {
    let Version {
        major,
        minor,
        patch,
        ..
    } = *base;
    match bump.effective(major, rule) {
        Bump::None => Version::new(major, minor, patch),
        Bump::Patch => Version::new(major, minor, patch + 1),
        Bump::Minor => Version::new(major, minor + 1, 0),
        Bump::Major => Version::new(major + 1, 0, 0),
    }
}

/// The next stable version after `base` (the last release, if any) for a release of `bump`.
/// `None` when there is nothing to release.
pub fn next_stable(base: Option<&Version>, bump: Bump, config: &VersionConfig) -> Option<Version> {
    match (base, bump) {
        (_, Bump::None) => None,
        (None, _) => Some(config.initial.clone()),
        (Some(base), bump) => Some(apply(base, bump, config.zero_major_breaking)),
    }
}

/// The pre-release `stable-LABEL.K` where `K` is one more than the highest `K` among `existing`
/// versions of the form `stable-LABEL.K` (else 1).
///
/// # Errors
/// [`InvalidLabel`] when `label` is not made of dot-separated alphanumeric/hyphen identifiers
/// or ends in a number (which would make the counter ambiguous).
pub fn next_prerelease<'a>(
    stable: &Version,
    label: &str,
    existing: impl IntoIterator<Item = &'a Version>,
) -> Result<Version, InvalidLabel> {
    validate_label(label)?;
    let highest = existing
        .into_iter()
        .filter(|v| (v.major, v.minor, v.patch) == (stable.major, stable.minor, stable.patch))
        .filter_map(|v| counter(v.pre.as_str(), label))
        .max()
        .unwrap_or(0);
    let mut next = Version::new(stable.major, stable.minor, stable.patch);
    next.pre = Prerelease::new(&format!("{label}.{}", highest + 1)).map_err(|_| InvalidLabel {
        label: label.to_owned(),
    })?;
    Ok(next)
}

fn counter(pre: &str, label: &str) -> Option<u64> {
    let k = pre.strip_prefix(label)?.strip_prefix('.')?;
    if k.len() > 1 && k.starts_with('0') {
        return None;
    }
    k.parse().ok()
}

/// A `--pre` label that cannot form a semver pre-release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid pre-release label `{label}`: use dot-separated identifiers of ASCII letters, digits and `-`, ending in a non-numeric one (e.g. `rc`, `beta`, `alpha.preview`)"
)]
#[non_exhaustive]
pub struct InvalidLabel {
    /// The label as given.
    pub label: String,
}

fn validate_label(label: &str) -> Result<(), InvalidLabel> {
    let err = || InvalidLabel {
        label: label.to_owned(),
    };
    let idents: Vec<&str> = label.split('.').collect();
    let well_formed = idents
        .iter()
        .all(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let last_numeric = idents
        .last()
        .is_some_and(|i| i.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed || last_numeric || Prerelease::new(label).is_err() {
        return Err(err());
    }
    Ok(())
}

/// Whether `version` is a stable release: no pre-release part.
pub fn is_stable(version: &Version) -> bool {
    version.pre.is_empty()
}

/// The release version a tag name denotes under `prefix`, if it is `<prefix><semver>`.
pub fn parse_tag(name: &str, prefix: &str) -> Option<Version> {
    let rest = name.strip_prefix(prefix)?;
    if !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Version::parse(rest).ok()
}

/// The tag name for `version` under `prefix`.
pub fn tag_name(version: &Version, prefix: &str) -> String {
    format!("{prefix}{version}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect("valid version")
    }

    #[test]
    fn bumps_are_ordered() {
        assert!(Bump::None < Bump::Patch && Bump::Patch < Bump::Minor && Bump::Minor < Bump::Major);
    }

    #[test]
    fn apply_drops_prerelease() {
        assert_eq!(
            apply(&v("1.2.3-rc.1"), Bump::Patch, ZeroMajorBreaking::Minor),
            v("1.2.4")
        );
        assert_eq!(
            apply(&v("0.9.9"), Bump::Patch, ZeroMajorBreaking::Minor),
            v("0.9.10")
        );
        assert_eq!(
            apply(&v("0.9.9"), Bump::Minor, ZeroMajorBreaking::Major),
            v("0.10.0")
        );
    }

    #[test]
    fn prerelease_counters() {
        assert_eq!(
            next_prerelease(&v("1.3.0"), "rc", []).expect("valid"),
            v("1.3.0-rc.1")
        );
        let existing = [
            v("1.3.0-rc.1"),
            v("1.3.0-rc.10"),
            v("1.3.0-rc.x"),
            v("1.3.0-rcx.40"),
        ];
        assert_eq!(
            next_prerelease(&v("1.3.0"), "rc", &existing).expect("valid"),
            v("1.3.0-rc.11")
        );
        assert_eq!(
            next_prerelease(&v("1.3.0"), "pre.rc", &[v("1.3.0-pre.rc.2")]).expect("valid"),
            v("1.3.0-pre.rc.3")
        );
        for bad in ["", "rc.", ".rc", "r_c", "rc.1", "1", "ü"] {
            assert!(
                next_prerelease(&v("1.3.0"), bad, []).is_err(),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn tags() {
        assert_eq!(parse_tag("release-1.0.0", "release-"), Some(v("1.0.0")));
        assert_eq!(parse_tag("vv1.0.0", "v"), None);
        assert_eq!(parse_tag("v01.0.0", "v"), None);
        assert_eq!(parse_tag("v1.0.0+build.5", "v"), Some(v("1.0.0+build.5")));
    }
}

/// The examples of these items, now that they are not public.
#[cfg(test)]
mod examples {
    #[test]
    fn apply_1() {
        use crate::{
            Bump,
            version::{ZeroMajorBreaking, apply},
        };
        let v = |s| semver::Version::parse(s).expect("the example holds");
        assert_eq!(
            apply(&v("1.2.3"), Bump::Minor, ZeroMajorBreaking::Minor),
            v("1.3.0")
        );
        assert_eq!(
            apply(&v("0.4.2"), Bump::Major, ZeroMajorBreaking::Minor),
            v("0.5.0")
        );
        assert_eq!(
            apply(&v("0.4.2"), Bump::Major, ZeroMajorBreaking::Major),
            v("1.0.0")
        );
    }
    #[test]
    fn next_stable_2() {
        use crate::{
            Bump,
            version::{VersionConfig, next_stable},
        };
        let config = VersionConfig::default();
        assert_eq!(
            next_stable(None, Bump::Patch, &config)
                .expect("the example holds")
                .to_string(),
            "0.1.0"
        );
        let base = semver::Version::new(1, 2, 3);
        assert_eq!(
            next_stable(Some(&base), Bump::Major, &config)
                .expect("the example holds")
                .to_string(),
            "2.0.0"
        );
        assert_eq!(next_stable(Some(&base), Bump::None, &config), None);
    }
    #[test]
    fn next_prerelease_3() -> Result<(), Box<dyn std::error::Error>> {
        use crate::version::next_prerelease;
        let v = |s| semver::Version::parse(s).expect("the example holds");
        let existing = [
            v("1.3.0-rc.1"),
            v("1.3.0-rc.2"),
            v("1.3.0-beta.7"),
            v("1.2.0-rc.9"),
        ];
        assert_eq!(
            next_prerelease(&v("1.3.0"), "rc", &existing)?,
            v("1.3.0-rc.3")
        );
        assert_eq!(
            next_prerelease(&v("2.0.0"), "rc", &existing)?,
            v("2.0.0-rc.1")
        );
        assert!(next_prerelease(&v("2.0.0"), "r c", &existing).is_err());
        Ok(())
    }
    #[test]
    fn parse_tag_4() {
        use crate::version::parse_tag;
        assert_eq!(
            parse_tag("v1.2.3", "v")
                .expect("the example holds")
                .to_string(),
            "1.2.3"
        );
        assert_eq!(
            parse_tag("v2.0.0-rc.1", "v")
                .expect("the example holds")
                .to_string(),
            "2.0.0-rc.1"
        );
        assert!(parse_tag("v1.2", "v").is_none());
        assert!(parse_tag("1.2.3", "v").is_none());
        assert_eq!(
            parse_tag("1.2.3", "")
                .expect("the example holds")
                .to_string(),
            "1.2.3"
        );
    }
}
