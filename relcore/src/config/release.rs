//! `[release]`: what `rel release` writes and commits.

use serde::{Deserialize, Serialize};

use crate::version_file::VersionFile;

/// `[release]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct ReleaseConfig {
    /// The release commit's message; `{tag}` and `{version}` are replaced.
    pub commit_message: String,
    /// Files whose version is updated in the release commit (`[[release.files]]`).
    pub files: Vec<VersionFile>,
}

impl Default for ReleaseConfig {
    fn default() -> Self {
        Self {
            commit_message: "chore(release): {tag}".into(),
            files: Vec::new(),
        }
    }
}
