//! `[policy]`: what a push must respect, validated as read.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::branch::{BranchGlob, BranchPattern};

/// `[policy]`: what a push must respect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct PolicyConfig {
    /// Branches that may not be force-pushed or deleted.
    pub protected_branches: Vec<BranchGlob>,
    /// Branches a release tag's commit must be on.
    pub release_branches: Vec<BranchGlob>,
    /// Release tags must be annotated tag objects.
    pub require_annotated_tags: bool,
    /// Release tags must carry a signature that verifies against the trust anchors.
    pub require_signed_tags: bool,
    /// SSH allowed-signers file (git's format), relative to the repository root; empty for none.
    #[serde(deserialize_with = "crate::paths::confined")]
    pub allowed_signers: PathBuf,
    /// Folder of ASCII-armoured OpenPGP public keys, relative to the repository root; empty for none.
    #[serde(deserialize_with = "crate::paths::confined")]
    pub openpgp_keys: PathBuf,
    /// A pushed release tag can never be moved or deleted.
    pub immutable_tags: bool,
    /// Which pushed branches have their new commits linted.
    pub lint: LintScope,
    /// Regexes a newly pushed branch name must match (any one of them); empty means any name.
    pub branch_names: Vec<BranchPattern>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        let globs = || {
            ["main", "master", "release/*"]
                .into_iter()
                .map(|g| BranchGlob::new(g).expect("built-in globs are valid"))
                .collect::<Vec<_>>()
        };
        Self {
            protected_branches: globs(),
            release_branches: globs(),
            require_annotated_tags: true,
            require_signed_tags: true,
            allowed_signers: PathBuf::new(),
            openpgp_keys: PathBuf::new(),
            immutable_tags: true,
            lint: LintScope::Protected,
            branch_names: Vec::new(),
        }
    }
}

/// Which pushed branches get their new commits linted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintScope {
    /// Every branch.
    All,
    /// Only branches matching `protected_branches`.
    #[default]
    Protected,
    /// No branch.
    Off,
}
