//! `[changelog]` and `[notes]`: where the changelog lives, how its sections are made, and what
//! the release notes include.

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize};

/// `[changelog]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct ChangelogConfig {
    /// The changelog file, relative to the work tree root.
    #[serde(deserialize_with = "crate::paths::confined")]
    pub path: PathBuf,
    /// A minijinja template rendering one release section, relative to the work tree root;
    /// empty for the built-in `changelog.md.j2`.
    #[serde(deserialize_with = "crate::paths::confined")]
    pub template: PathBuf,
    /// The repository's web address for links (`https://github.com/owner/repo`); empty to
    /// derive it from `remote.origin.url`.
    pub repo_url: String,
    /// The sections of a release, in order: which types go where and under what title.
    /// Types in no section are left out.
    #[serde(deserialize_with = "sections")]
    pub sections: Vec<Section>,
}

impl Default for ChangelogConfig {
    fn default() -> Self {
        let section = |title: &str, ty: &str, hidden: bool| Section {
            title: title.to_owned(),
            types: vec![ty.to_owned()],
            hidden,
        };
        Self {
            path: PathBuf::from("CHANGELOG.md"),
            template: PathBuf::new(),
            repo_url: String::new(),
            sections: vec![
                section("Features", "feat", false),
                section("Bug Fixes", "fix", false),
                section("Performance", "perf", false),
                section("Reverts", "revert", false),
                section("Documentation", "docs", true),
                section("Refactoring", "refactor", true),
                section("Style", "style", true),
                section("Tests", "test", true),
                section("Build", "build", true),
                section("CI", "ci", true),
                section("Chores", "chore", true),
                section("Other", NON_CONVENTIONAL, true),
            ],
        }
    }
}

/// The pseudo-type a section lists to collect commits that are not Conventional Commits.
pub const NON_CONVENTIONAL: &str = "non-conventional";

/// One section of a release in the changelog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Section {
    /// The heading, e.g. `Features`.
    pub title: String,
    /// The commit types it collects (lower-case; `non-conventional` for the others).
    pub types: Vec<String>,
    /// Listed for completeness but left out of the changelog.
    #[serde(default)]
    pub hidden: bool,
}

fn sections<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Section>, D::Error> {
    let mut sections = Vec::<Section>::deserialize(d)?;
    let mut seen = std::collections::BTreeSet::new();
    for section in &mut sections {
        for ty in &mut section.types {
            *ty = ty.to_lowercase();
            if !seen.insert(ty.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "type `{ty}` is in two changelog sections; each type goes in one"
                )));
            }
        }
    }
    Ok(sections)
}

/// `[notes]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct NotesConfig {
    /// A minijinja template for release notes, relative to the work tree root; empty for the
    /// built-in `release-notes.md.j2`.
    #[serde(deserialize_with = "crate::paths::confined")]
    pub template: PathBuf,
    /// A Markdown file of known issues (outstanding defects consumers must know about),
    /// relative to the work tree root, included in the release notes; empty for none.
    #[serde(deserialize_with = "crate::paths::confined")]
    pub known_issues: PathBuf,
    /// The outstanding defects file (SPEC 9, [`crate::defects`]), relative to the work tree
    /// root: the notes of each version list the defects open at it; empty for none.
    #[serde(deserialize_with = "crate::paths::confined")]
    pub defects: PathBuf,
}

impl ChangelogConfig {
    /// The section a commit of `ty` (lower-case, or [`NON_CONVENTIONAL`]) goes in, if any.
    pub fn section_of(&self, ty: &str) -> Option<(usize, &Section)> {
        self.sections
            .iter()
            .enumerate()
            .find(|(_, s)| s.types.iter().any(|t| t == ty))
    }
}
