//! The template context: releases, their groups and breaking changes, and the commits in them.
//! Field names are part of rel's interface (templates and `rel changelog --context` use them).
//! They are collected and assembled in `collect`.

use serde::Serialize;
/// One release section.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Release {
    /// The version (`1.2.0`), or `None` for the unreleased commits.
    pub version: Option<String>,
    /// Its tag (`v1.2.0`), `None` when unreleased.
    pub tag: Option<String>,
    /// `YYYY-MM-DD`: when the tag was made (tagger, else its commit's committer); `None` when unreleased.
    pub date: Option<String>,
    /// Whether this is the unreleased commits at HEAD.
    pub unreleased: bool,
    /// Whether the version is a pre-release (`1.3.0-rc.1`).
    pub prerelease: bool,
    /// The release before it, if any.
    pub previous_version: Option<String>,
    /// Its tag.
    pub previous_tag: Option<String>,
    /// The comparison page of the previous release with this one (or with HEAD), when the
    /// repository URL is known and there is a previous release.
    pub compare_url: Option<String>,
    /// The breaking changes, whatever section their commits are in (hidden ones included).
    pub breaking: Vec<Entry>,
    /// The visible sections with at least one commit, in the configured order.
    pub groups: Vec<Group>,
    /// Counts over all the release's commits (merges and hidden types included).
    pub counts: Counts,
}

/// Counts of a release's commits.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Counts {
    /// Every commit of the release, merges included, reverted pairs excluded.
    pub commits: usize,
    /// `feat` commits.
    pub features: usize,
    /// `fix` commits.
    pub fixes: usize,
    /// Breaking changes.
    pub breaking: usize,
}

/// A section of a release: a title and its commits.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Group {
    /// The section title, e.g. `Features`.
    pub title: String,
    /// Its commits, newest first.
    pub commits: Vec<Entry>,
}

/// A commit as the templates see it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Entry {
    /// The full commit id.
    pub id: String,
    /// The first 7 hex digits.
    pub short_id: String,
    /// The type, lower-cased; `None` when not a Conventional Commit.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// The scope.
    pub scope: Option<String>,
    /// The description (for a non-conventional commit: its first line).
    pub description: String,
    /// The first line as written.
    pub summary: String,
    /// The body, if any.
    pub body: Option<String>,
    /// Whether it is a breaking change.
    pub breaking: bool,
    /// The migration text: the `BREAKING CHANGE:` footer, else the description.
    pub breaking_description: Option<String>,
    /// The footers, in order.
    pub footers: Vec<crate::commit::Footer>,
    /// The author.
    pub author: Person,
    /// The author date, `YYYY-MM-DD`.
    pub date: String,
    /// The commit's web page, when the repository URL is known.
    pub url: Option<String>,
    /// Issues and pull requests its body and footers mention (`#123`), with the footer's verb.
    pub references: Vec<Reference>,
    /// The defects it fixes: ids (`DEF-12`) named by a `Fixes:`, `Closes:` or `Resolves:`
    /// footer.
    pub fixes: Vec<String>,
}

/// A commit author.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Person {
    /// The name.
    pub name: String,
    /// The e-mail address.
    pub email: String,
}

/// An issue or pull request a commit mentions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Reference {
    /// As written: `#123`.
    pub text: String,
    /// The number: `123`.
    pub number: String,
    /// The web page, when the repository URL is known.
    pub url: Option<String>,
    /// The verb of the footer that mentions it, lower-cased (`closes`, `fixes`, `refs`), if any.
    pub action: Option<String>,
}
