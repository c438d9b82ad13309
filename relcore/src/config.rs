//! `rel.toml`: the configuration, its defaults, and loading with errors that name file, line and key.
//!
//! Values are validated while they are deserialised (globs, regexes, versions, type names), so a
//! bad value is reported with the line it stands on, just like a TOML syntax error.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::version::Bump;

/// The name of the configuration file at the root of a work tree (or in `$GIT_DIR` of a bare repository).
pub const FILE_NAME: &str = "rel.toml";

/// The commented default configuration that `rel init` writes. Parsing it gives [`Config::default()`].
pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// The whole configuration: every key of `rel.toml`, defaults filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Config {
    /// `[version]`: how release tags are named and how versions advance.
    pub version: VersionConfig,
    /// `[commits]`: the allowed Conventional Commit types and what they bump.
    pub commits: CommitsConfig,
    /// `[policy]`: rules enforced on push (validated now, enforced by the push hooks).
    pub policy: PolicyConfig,
    /// `[changelog]`: where the changelog lives and how its sections are made.
    pub changelog: ChangelogConfig,
    /// `[notes]`: release notes.
    pub notes: NotesConfig,
    /// `[release]`: what `rel release` writes and commits.
    pub release: ReleaseConfig,
}

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

/// A file that carries the version: a built-in kind, or a regex with a named group `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct VersionFile {
    /// The file, relative to the work tree root.
    #[serde(deserialize_with = "confined")]
    pub path: PathBuf,
    /// `cargo` (`[package]` or `[workspace.package]` version), `npm` (package.json's top-level
    /// version) or `pyproject` (`[project]` or `[tool.poetry]` version). Inferred from the file
    /// name when neither this nor `pattern` is given.
    #[serde(default)]
    pub kind: Option<VersionFileKind>,
    /// A regex whose named group `version` is replaced (its first match).
    #[serde(default)]
    pub pattern: Option<VersionPattern>,
}

/// The built-in kinds of version files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionFileKind {
    /// Cargo.toml.
    Cargo,
    /// package.json.
    Npm,
    /// pyproject.toml.
    Pyproject,
}

/// `[changelog]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct ChangelogConfig {
    /// The changelog file, relative to the work tree root.
    #[serde(deserialize_with = "confined")]
    pub path: PathBuf,
    /// A minijinja template rendering one release section, relative to the work tree root;
    /// empty for the built-in `changelog.md.j2`.
    #[serde(deserialize_with = "confined")]
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
    #[serde(deserialize_with = "confined")]
    pub template: PathBuf,
    /// A Markdown file of known issues (outstanding defects consumers must know about),
    /// relative to the work tree root, included in the release notes; empty for none.
    #[serde(deserialize_with = "confined")]
    pub known_issues: PathBuf,
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

/// `[commits]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct CommitsConfig {
    /// The allowed types (lower-cased) and the bump each causes. Replaces the default table when set.
    #[serde(deserialize_with = "commit_types")]
    pub types: BTreeMap<String, Bump>,
    /// The allowed scopes; empty means any.
    pub scopes: Vec<String>,
    /// The longest first line lint accepts, in characters (at least 1).
    #[serde(deserialize_with = "header_length")]
    pub max_header_length: usize,
}

impl Default for CommitsConfig {
    fn default() -> Self {
        let types = [
            ("feat", Bump::Minor),
            ("fix", Bump::Patch),
            ("perf", Bump::Patch),
            ("revert", Bump::Patch),
            ("refactor", Bump::None),
            ("docs", Bump::None),
            ("style", Bump::None),
            ("test", Bump::None),
            ("build", Bump::None),
            ("ci", Bump::None),
            ("chore", Bump::None),
        ];
        Self {
            types: types.into_iter().map(|(t, b)| (t.to_owned(), b)).collect(),
            scopes: Vec::new(),
            max_header_length: 100,
        }
    }
}

impl CommitsConfig {
    /// The bump a commit of type `ty` causes, matched case-insensitively; `None` for a type not in the table.
    pub fn bump_for(&self, ty: &str) -> Option<Bump> {
        match self.types.get(ty) {
            Some(bump) => Some(*bump),
            None if ty.bytes().any(|b| b.is_ascii_uppercase()) => {
                self.types.get(&ty.to_ascii_lowercase()).copied()
            }
            None => None,
        }
    }
}

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
    #[serde(deserialize_with = "confined")]
    pub allowed_signers: PathBuf,
    /// Folder of ASCII-armoured OpenPGP public keys, relative to the repository root; empty for none.
    #[serde(deserialize_with = "confined")]
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

/// A branch-name glob such as `release/*` (`*` does not cross `/`, `**` does). Parsed (and so
/// validated) when read; compiled to a matcher on first use, so that commands which never
/// match branches (the commit-msg hook) do not pay for it.
#[derive(Clone)]
pub struct BranchGlob {
    glob: globset::Glob,
    matcher: std::sync::OnceLock<globset::GlobMatcher>,
}

impl BranchGlob {
    /// Parses `pattern`.
    ///
    /// # Errors
    /// When the glob is malformed, e.g. an unclosed `[`.
    pub fn new(pattern: &str) -> Result<Self, globset::Error> {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()?;
        Ok(Self {
            glob,
            matcher: std::sync::OnceLock::new(),
        })
    }

    /// Whether `branch` (without `refs/heads/`) matches.
    pub fn is_match(&self, branch: &str) -> bool {
        self.matcher
            .get_or_init(|| self.glob.compile_matcher())
            .is_match(branch)
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        self.glob.glob()
    }
}

/// A regular expression (a branch-name rule).
#[derive(Clone)]
pub struct BranchPattern(regex::Regex);

impl BranchPattern {
    /// Compiles `pattern`.
    ///
    /// # Errors
    /// When the regex does not compile.
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        regex::Regex::new(pattern).map(Self)
    }

    /// Whether `branch` (without `refs/heads/`) matches.
    pub fn is_match(&self, branch: &str) -> bool {
        self.0.is_match(branch)
    }

    /// The regex as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The compiled regex.
    pub fn regex(&self) -> &regex::Regex {
        &self.0
    }
}

/// A version-file pattern: a regex with a named group `version` that cannot match an empty
/// string (so it always replaces an existing version, never inserts one at an arbitrary spot).
#[derive(Clone)]
pub struct VersionPattern(regex::Regex);

/// Why a version-file pattern is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionPatternError {
    /// It is not a valid regex.
    #[error("invalid regex `{pattern}`: {reason}")]
    Regex {
        /// The pattern as written.
        pattern: String,
        /// What the regex parser said (its last line).
        reason: String,
    },
    /// It has no group named `version`.
    #[error(
        "pattern `{pattern}` has no named group `version`: mark the version with (?P<version>...), e.g. version = \"(?P<version>[^\"]+)\""
    )]
    NoVersionGroup {
        /// The pattern as written.
        pattern: String,
    },
    /// It, or its `version` group, can match an empty string.
    #[error(
        "pattern `{pattern}` {what} match an empty string, so the version would be inserted rather than replaced: make the `version` group match at least one character, e.g. (?P<version>[0-9][0-9A-Za-z.+-]*)"
    )]
    MatchesEmpty {
        /// The pattern as written.
        pattern: String,
        /// `can` (the whole pattern) or `has a version group that can`.
        what: &'static str,
    },
}

impl VersionPattern {
    /// Compiles and checks `pattern`.
    ///
    /// ```
    /// use relcore::config::VersionPattern;
    /// assert!(VersionPattern::new(r"VERSION=(?P<version>\S+)").is_ok());
    /// let err = VersionPattern::new(r"(?P<version>[0-9.]*)").unwrap_err();
    /// assert!(err.to_string().contains("can match an empty string"));
    /// assert!(VersionPattern::new(r"v=(\S+)").is_err());
    /// ```
    ///
    /// # Errors
    /// When it does not compile, has no `version` group, or it or its `version` group can
    /// match an empty string.
    pub fn new(pattern: &str) -> Result<Self, VersionPatternError> {
        let regex_error = |e: &dyn fmt::Display| {
            // regex errors span several lines (a caret diagram); the last one says what is wrong.
            let e = e.to_string();
            let reason = e
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or_default()
                .trim()
                .to_owned();
            VersionPatternError::Regex {
                pattern: pattern.to_owned(),
                reason,
            }
        };
        let regex = regex::Regex::new(pattern).map_err(|e| regex_error(&e))?;
        let hir = regex_syntax::Parser::new()
            .parse(pattern)
            .map_err(|e| regex_error(&e))?;
        let Some(group) = named_group(&hir, "version") else {
            return Err(VersionPatternError::NoVersionGroup {
                pattern: pattern.to_owned(),
            });
        };
        let empty = |h: &regex_syntax::hir::Hir| h.properties().minimum_len() == Some(0);
        let what = if empty(&hir) {
            "can"
        } else if empty(group) {
            "has a version group that can"
        } else {
            return Ok(Self(regex));
        };
        Err(VersionPatternError::MatchesEmpty {
            pattern: pattern.to_owned(),
            what,
        })
    }

    /// The regex as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The compiled regex.
    pub fn regex(&self) -> &regex::Regex {
        &self.0
    }
}

/// The sub-expression of the capture group called `name`.
fn named_group<'h>(
    hir: &'h regex_syntax::hir::Hir,
    name: &str,
) -> Option<&'h regex_syntax::hir::Hir> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some(name) => Some(&c.sub),
        HirKind::Capture(c) => named_group(&c.sub, name),
        HirKind::Repetition(r) => named_group(&r.sub, name),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().find_map(|h| named_group(h, name))
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => None,
    }
}

impl<'de> Deserialize<'de> for VersionPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(&s).map_err(serde::de::Error::custom)
    }
}

macro_rules! string_like {
    ($ty:ident) => {
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }
        impl Eq for $ty {}
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
    ($ty:ident, $what:literal) => {
        string_like!($ty);
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $ty::new(&s).map_err(|e| {
                    // regex errors span several lines (a caret diagram); the last one says what is wrong.
                    let e = e.to_string();
                    let reason = e
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or_default();
                    serde::de::Error::custom(format!(
                        concat!("invalid ", $what, " `{}`: {}"),
                        s,
                        reason.trim()
                    ))
                })
            }
        }
    };
}
string_like!(BranchGlob, "glob");
string_like!(BranchPattern, "regex");

string_like!(VersionPattern);

fn header_length<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let length = usize::deserialize(d)?;
    if length == 0 {
        return Err(serde::de::Error::custom(
            "must be at least 1: the longest header lint accepts, in characters (default 100)",
        ));
    }
    Ok(length)
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

/// A path relative to the work tree root (`$GIT_DIR` on a server): refused here, with its line,
/// when absolute, going up with `..` or into `.git`; the rest (symlinks) is checked where it is
/// resolved ([`crate::paths::Root::resolve`]).
fn confined<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
    let path = PathBuf::deserialize(d)?;
    crate::paths::check(&path)
        .map_err(|reason| serde::de::Error::custom(crate::paths::check_message(&path, &reason)))?;
    Ok(path)
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

fn commit_types<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Bump>, D::Error> {
    let raw = BTreeMap::<String, Bump>::deserialize(d)?;
    if raw.is_empty() {
        return Err(serde::de::Error::custom(
            "commits.types must allow at least one type, e.g. { feat = \"minor\", fix = \"patch\" }",
        ));
    }
    let mut types = BTreeMap::new();
    for (name, bump) in raw {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | ':' | '!'));
        if !valid {
            return Err(serde::de::Error::custom(format!(
                "`{name}` cannot be a commit type: a type is one word without spaces, `(`, `)`, `:` or `!`"
            )));
        }
        if types.insert(name.to_lowercase(), bump).is_some() {
            return Err(serde::de::Error::custom(format!(
                "commit type `{name}` is listed twice (types match case-insensitively)"
            )));
        }
    }
    Ok(types)
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file exists but could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The path is a symbolic link to nothing: a configuration that was meant to be there
    /// is missing, so rel refuses to run on the defaults.
    #[error(
        "{} is a symbolic link to {}, which does not exist: restore it, or remove the link to use the defaults",
        path.display(),
        target.display()
    )]
    DanglingLink {
        /// The configuration file.
        path: PathBuf,
        /// Where the link points.
        target: PathBuf,
    },
    /// The file is not valid TOML, or a key or value is not accepted.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        /// The configuration file.
        path: PathBuf,
        /// 1-based line of the fault.
        line: usize,
        /// 1-based column of the fault.
        column: usize,
        /// The offending key as `table.key`, when known.
        key: Option<String>,
        /// What is wrong and what is accepted.
        message: String,
    },
}

impl Config {
    /// Parses configuration text; `path` is only used in errors.
    ///
    /// ```
    /// let config = relcore::Config::from_toml("[version]\ntag_prefix = \"release-\"\n", "rel.toml".as_ref())?;
    /// assert_eq!(config.version.tag_prefix, "release-");
    /// assert_eq!(config.version.initial.to_string(), "0.1.0");
    ///
    /// let err = relcore::Config::from_toml("[version]\nprefix = \"v\"\n", "rel.toml".as_ref()).unwrap_err();
    /// assert!(err.to_string().starts_with("rel.toml:2:1: unknown key `version.prefix`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the line, column and key of the first fault.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, Error> {
        toml::from_str(text).map_err(|e| invalid(text, path, &e))
    }

    /// Loads `path`; a missing file gives the defaults (but a symbolic link to a missing file
    /// is an error, as is a directory or an unreadable file).
    ///
    /// # Errors
    /// [`Error::Read`] when the file exists but cannot be read, [`Error::DanglingLink`] when it
    /// is a symbolic link to nothing, [`Error::Invalid`] when it is not accepted.
    pub fn load(path: &Path) -> Result<Self, Error> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|e| Error::Invalid {
                    path: path.to_owned(),
                    line: line_col(
                        &String::from_utf8_lossy(e.as_bytes()),
                        e.utf8_error().valid_up_to(),
                    )
                    .0,
                    column: 1,
                    key: None,
                    message: "the file is not valid UTF-8".into(),
                })?;
                Self::from_toml(&text, path)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match std::fs::read_link(path) {
                Ok(target) => Err(Error::DanglingLink {
                    path: path.to_owned(),
                    target,
                }),
                Err(_) => Ok(Self::default()),
            },
            Err(source) => Err(Error::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }
}

fn invalid(text: &str, path: &Path, err: &toml::de::Error) -> Error {
    let offset = err.span().map_or(0, |s| s.start);
    let (line, column) = line_col(text, offset);
    let located = key_path_at(text, offset);
    let raw = err.message().trim_end();
    let (key, message) = match raw.strip_prefix("unknown field `") {
        Some(rest) => {
            let name = rest.split('`').next().unwrap_or_default();
            let key = located
                .filter(|k| k.ends_with(name))
                .unwrap_or_else(|| name.to_owned());
            let expected = rest.split_once(", expected ").map(|(_, e)| e);
            let message = match expected {
                Some(expected) => format!("unknown key `{key}`, expected {expected}"),
                None => format!("unknown key `{key}`"),
            };
            (Some(key), message)
        }
        None => {
            let message = match &located {
                Some(key) => format!("`{key}`: {raw}"),
                None => raw.to_owned(),
            };
            (located, message)
        }
    };
    Error::Invalid {
        path: path.to_owned(),
        line,
        column,
        key,
        message,
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, offset.min(text.len()) - line_start + 1)
}

/// The key at `offset`, as a path through tables and arrays: `commits.types`,
/// `release.files[1].pattern`. Read with the TOML parser's spans, so `[[array]]` tables,
/// inline tables, dotted keys and multi-line values are named like any other key.
fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let (root, _) = toml::de::DeTable::parse_recoverable(text);
    let mut path = String::new();
    table_path_at(root.get_ref(), offset, &mut path).then_some(path)
}

type Spanned<'i> = toml::Spanned<toml::de::DeValue<'i>>;

fn table_path_at(table: &toml::de::DeTable<'_>, offset: usize, path: &mut String) -> bool {
    for (key, value) in table.iter() {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key.get_ref());
        if key.span().contains(&offset) || value_path_at(value, offset, path) {
            return true;
        }
        path.truncate(len);
    }
    false
}

fn value_path_at(value: &Spanned<'_>, offset: usize, path: &mut String) -> bool {
    use toml::de::DeValue;
    // A table's span is its header (`[x]`, `[[x]]`) or its braces; its keys lie elsewhere.
    let inner = match value.get_ref() {
        DeValue::Table(table) => table_path_at(table, offset, path),
        DeValue::Array(array) => array.iter().enumerate().any(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = value_path_at(item, offset, path);
            if !found {
                path.truncate(len);
            }
            found
        }),
        _ => false,
    };
    inner || value.span().contains(&offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn err(text: &str) -> String {
        Config::from_toml(text, Path::new("rel.toml"))
            .expect_err("config should be rejected")
            .to_string()
    }

    #[test]
    fn default_toml_is_the_default_config() {
        let parsed = Config::from_toml(DEFAULT_TOML, Path::new("default.toml")).expect("parses");
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn empty_file_is_default() {
        assert_eq!(
            Config::from_toml("", Path::new("rel.toml")).expect("parses"),
            Config::default()
        );
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        assert_eq!(
            err("[version]\ninitial = \"1.0.0\"\ntag_prefx = \"v\"\n"),
            "rel.toml:3:1: unknown key `version.tag_prefx`, expected one of `tag_prefix`, `initial`, `zero_major_breaking`"
        );
        assert!(err("[releases]\nx = 1\n").starts_with("rel.toml:1:2: unknown key `releases`"));
        assert!(err("[release]\nx = 1\n").starts_with("rel.toml:2:1: unknown key `release.x`"));
    }

    #[test]
    fn bad_values_name_key_and_line() {
        assert_eq!(
            err("[policy]\nprotected_branches = [\"main\", \"release/[\"]\n"),
            "rel.toml:2:22: `policy.protected_branches`: invalid glob `release/[`: error parsing glob 'release/[': unclosed character class; missing ']'"
        );
        assert!(err("[policy]\nbranch_names = [\"(feat\"]\n").starts_with(
            "rel.toml:2:16: `policy.branch_names`: invalid regex `(feat`: error: unclosed group"
        ));
        assert!(
            err("[version]\ninitial = \"1.0\"\n")
                .starts_with("rel.toml:2:11: `version.initial`: `1.0` is not a semantic version")
        );
        assert!(err("[version]\ninitial = \"1.0.0-rc.1\"\n").contains("must be a stable version"));
        assert!(
            err("[commits]\ntypes = { feat = \"huge\" }\n").contains(
                "unknown variant `huge`, expected one of `none`, `patch`, `minor`, `major`"
            )
        );
        assert!(
            err("[commits]\nmax_header_length = \"long\"\n")
                .starts_with("rel.toml:2:21: `commits.max_header_length`: invalid type")
        );
        assert!(err("[version]\ntag_prefix = \"re lease\"\n").contains("git does not allow"));
        assert!(err("[commits]\ntypes = {}\n").contains("at least one type"));
    }

    #[test]
    fn paths_stay_inside_the_root() {
        assert_eq!(
            err("[changelog]\npath = \"/home/x/.bashrc\"\n"),
            "rel.toml:2:8: `changelog.path`: \"/home/x/.bashrc\" is an absolute path: paths in rel.toml are relative to the work tree root ($GIT_DIR on a server) and must stay inside it"
        );
        assert!(
            err("[notes]\nknown_issues = \"a/../../b\"\n")
                .contains("`notes.known_issues`: \"a/../../b\" goes up with `..`")
        );
        assert!(
            err("[policy]\nopenpgp_keys = \".git/keys\"\n").contains(
                "`policy.openpgp_keys`: \".git/keys\" is inside git's own files (`.git`)"
            )
        );
        let files = "[release]\ncommit_message = \"x\"\n[[release.files]]\npath = \"a\"\n[[release.files]]\npath = \"../b\"\n";
        assert!(err(files).starts_with("rel.toml:6:8: `release.files[1].path`: \"../b\" goes up"));
        assert!(
            err("[[release.files]]\npath = \"a\"\nkind = \"gem\"\n")
                .starts_with("rel.toml:3:8: `release.files[0].kind`")
        );
    }

    #[test]
    fn keys_in_arrays_of_tables_are_named_by_index() {
        let files = "[changelog]\npath = \"C.md\"\n\n[[release.files]]\npath = \"a\"\n[[release.files]]\npath = \"b\"\n";
        assert_eq!(
            err(&format!("{files}kind = \"maven\"\n")),
            "rel.toml:8:8: `release.files[1].kind`: unknown variant `maven`, expected one of `cargo`, `npm`, `pyproject`"
        );
        assert_eq!(
            err(&format!("{files}pattern = '(?P<version>x*)'\n")),
            "rel.toml:8:11: `release.files[1].pattern`: pattern `(?P<version>x*)` can match an empty string, so the version would be inserted rather than replaced: make the `version` group match at least one character, e.g. (?P<version>[0-9][0-9A-Za-z.+-]*)"
        );
        assert!(
            err(&format!("{files}bogus = 1\n"))
                .starts_with("rel.toml:8:1: unknown key `release.files[1].bogus`, expected one of `path`, `kind`, `pattern`")
        );
        assert!(
            err("[policy]\nlint = \"all\"\n[[release.files]]\npattern = 'v=(\\S+)'\npath = \"x\"\n")
                .starts_with("rel.toml:4:11: `release.files[0].pattern`: pattern `v=(\\S+)` has no named group `version`")
        );
        // Inline tables and dotted keys are named the same way.
        let e = err("[release]\nfiles = [{ path = \"a\" }, { path = \"b\", kind = \"x\" }]\n");
        assert!(
            e.starts_with("rel.toml:2:47: `release.files[1].kind`: unknown variant `x`"),
            "{e}"
        );
        assert!(
            err("commits.max_header_length = \"x\"\n")
                .starts_with("rel.toml:1:29: `commits.max_header_length`: invalid type")
        );
    }

    #[test]
    fn max_header_length_must_allow_a_header() {
        assert_eq!(
            err("[commits]\nmax_header_length = 0\n"),
            "rel.toml:2:21: `commits.max_header_length`: must be at least 1: the longest header lint accepts, in characters (default 100)"
        );
        let config = Config::from_toml("[commits]\nmax_header_length = 1\n", Path::new("rel.toml"))
            .expect("1 is accepted");
        assert_eq!(config.commits.max_header_length, 1);
    }

    #[test]
    fn a_dangling_link_is_not_a_missing_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let link = dir.path().join("rel.toml");
        std::os::unix::fs::symlink(dir.path().join("gone.toml"), &link).expect("symlink");
        let e = Config::load(&link).expect_err("refused");
        assert!(matches!(e, Error::DanglingLink { .. }), "{e:?}");
        std::fs::remove_file(&link).expect("remove the link");
        assert_eq!(Config::load(&link).expect("defaults"), Config::default());
        std::fs::create_dir(&link).expect("a directory");
        assert!(matches!(Config::load(&link), Err(Error::Read { .. })));
    }

    #[test]
    fn invalid_toml_names_line() {
        assert!(err("[version\n").starts_with("rel.toml:1:"));
        assert!(err("[version]\ninitial = 0.1.0\n").starts_with("rel.toml:2:"));
    }

    #[test]
    fn types_are_lowercased_and_matched_case_insensitively() {
        let c = Config::from_toml(
            "[commits]\ntypes = { Feat = \"minor\", HOTFIX = \"patch\" }\n",
            Path::new("rel.toml"),
        )
        .expect("parses");
        assert_eq!(c.commits.bump_for("FEAT"), Some(Bump::Minor));
        assert_eq!(c.commits.bump_for("hotfix"), Some(Bump::Patch));
        assert_eq!(c.commits.bump_for("fix"), None);
    }

    #[test]
    fn globs_do_not_cross_slashes() {
        let g = BranchGlob::new("release/*").expect("valid");
        assert!(g.is_match("release/1.x"));
        assert!(!g.is_match("release/1.x/hotfix"));
        assert!(!g.is_match("main"));
    }
}
