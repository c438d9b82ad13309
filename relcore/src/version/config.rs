//! `[version]`: how release tags are named and where versions start, validated as read.

use serde::{Deserialize, Deserializer, Serialize};

/// `[version]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct VersionConfig {
    /// Release tags are `<tag_prefix><semver>`; may be empty.
    #[serde(deserialize_with = "tag_prefix")]
    pub tag_prefix: String,
    /// The first release when no release tag exists yet. A stable version.
    #[serde(deserialize_with = "stable_version")]
    pub initial: semver::Version,
    /// What a breaking change bumps while the major version is 0.
    pub zero_major_breaking: ZeroMajorBreaking,
}

impl Default for VersionConfig {
    fn default() -> Self {
        Self {
            tag_prefix: "v".into(),
            initial: semver::Version::new(0, 1, 0),
            zero_major_breaking: ZeroMajorBreaking::Minor,
        }
    }
}

/// What a breaking change does to a `0.x` version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ZeroMajorBreaking {
    /// `0.3.1` + breaking → `0.4.0`: a 0.x release never becomes 1.0.0 by itself.
    #[default]
    Minor,
    /// `0.3.1` + breaking → `1.0.0`.
    Major,
}

fn tag_prefix<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let prefix = String::deserialize(d)?;
    let bad = prefix.chars().find(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '~' | '^' | ':' | '?' | '*' | '[' | '\\')
    });
    if let Some(c) = bad {
        return Err(serde::de::Error::custom(format!(
            "tag_prefix `{prefix}` contains {c:?}, which git does not allow in a tag name"
        )));
    }
    if prefix.contains("..") || prefix.starts_with(['-', '/', '.']) {
        return Err(serde::de::Error::custom(format!(
            "tag_prefix `{prefix}` cannot start a valid tag name (no leading `-`, `/` or `.`, no `..`)"
        )));
    }
    Ok(prefix)
}

fn stable_version<'de, D: Deserializer<'de>>(d: D) -> Result<semver::Version, D::Error> {
    let text = String::deserialize(d)?;
    let version = semver::Version::parse(&text).map_err(|e| {
        serde::de::Error::custom(format!(
            "`{text}` is not a semantic version like 0.1.0: {e}"
        ))
    })?;
    if !version.pre.is_empty() || !version.build.is_empty() {
        return Err(serde::de::Error::custom(format!(
            "`{text}` must be a stable version like 0.1.0, without pre-release or build parts"
        )));
    }
    Ok(version)
}
