//! Files that carry the version (Cargo.toml, package.json, pyproject.toml, or any file with a
//! regex): finding the version in them and writing the new one, keeping every other byte.

mod json;
mod pattern;
mod toml;

use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use pattern::VersionPattern;

/// A file that carries the version: a built-in kind, or a regex with a named group `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct VersionFile {
    /// The file, relative to the work tree root.
    #[serde(deserialize_with = "crate::paths::confined")]
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

/// Why a version file cannot be updated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", path.display())]
#[non_exhaustive]
pub struct Error {
    /// The file, as configured.
    pub path: PathBuf,
    /// What is wrong.
    pub problem: Problem,
}

/// What is wrong with a version file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// No kind is configured or can be inferred from the file name.
    #[error(
        "rel cannot tell how the version is written here: set `kind` (cargo, npm, pyproject) or `pattern`"
    )]
    UnknownKind,
    /// The file does not parse as its kind says.
    #[error("not valid {format} (line {line}, column {column}): {message}")]
    Syntax {
        /// `TOML` or `JSON`.
        format: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// None of the places the kind names holds a version.
    #[error("no {wanted}")]
    Missing {
        /// Where the version was looked for, e.g. `` `version` in [package] or [workspace.package] ``.
        wanted: String,
    },
    /// The version is inherited from the workspace (`version.workspace = true`).
    #[error(
        "`version` in [{table}] is inherited from the workspace (`version.workspace = true`), so there is no version to replace here: list the workspace's Cargo.toml instead, whose [workspace.package] version rel updates"
    )]
    Inherited {
        /// The table, e.g. `package`.
        table: String,
    },
    /// The version key holds something other than a string.
    #[error("{key} is {found}, not a string")]
    NotAString {
        /// The key, e.g. `` `version` in [package] `` or `the top-level "version"`.
        key: String,
        /// What it holds, e.g. `an integer`.
        found: &'static str,
    },
    /// The top-level JSON object has `"version"` more than once.
    #[error("the top-level object has \"version\" twice (lines {first} and {second})")]
    Duplicate {
        /// The line of the first.
        first: usize,
        /// The line of the second.
        second: usize,
    },
    /// The pattern does not match.
    #[error("the pattern `{pattern}` does not match")]
    NoMatch {
        /// The pattern.
        pattern: String,
    },
    /// The pattern matches, but its `version` group does not take part in the match.
    #[error(
        "the pattern `{pattern}` matches at line {line}, but its `version` group takes no part in the match"
    )]
    GroupUnused {
        /// The pattern.
        pattern: String,
        /// 1-based line of the match.
        line: usize,
    },
}

/// The kind a version file is read as: configured, else inferred from its name.
pub fn kind_of(file: &VersionFile) -> Option<VersionFileKind> {
    if file.pattern.is_some() {
        return None;
    }
    file.kind
        .or_else(|| match file.path.file_name()?.to_str()? {
            "Cargo.toml" => Some(VersionFileKind::Cargo),
            "package.json" => Some(VersionFileKind::Npm),
            "pyproject.toml" => Some(VersionFileKind::Pyproject),
            _ => None,
        })
}

/// The byte range of the version in `text`: the contents of the version string (without its
/// quotes), or the pattern's `version` group.
///
/// Cargo.toml and pyproject.toml are read with a TOML parser and package.json with a JSON
/// parser, so a `version = "..."` inside another string or table, or a `"version"` nested in
/// another object or used as a value, is never taken for the version.
///
/// # Errors
/// When the file has no version where its kind or pattern says.
pub fn find(file: &VersionFile, text: &str) -> Result<Range<usize>, Error> {
    let fail = |problem: Problem| Error {
        path: file.path.clone(),
        problem,
    };
    if let Some(pattern) = &file.pattern {
        let captures = pattern.regex().captures(text).ok_or_else(|| {
            fail(Problem::NoMatch {
                pattern: pattern.as_str().to_owned(),
            })
        })?;
        let whole = captures.get(0).expect("group 0 is the whole match");
        return match captures.name("version") {
            Some(version) => Ok(version.range()),
            None => Err(fail(Problem::GroupUnused {
                pattern: pattern.as_str().to_owned(),
                line: line_col(text, whole.start()).0,
            })),
        };
    }
    let tables: &[&str] = match kind_of(file) {
        Some(VersionFileKind::Cargo) => &["package", "workspace.package"],
        Some(VersionFileKind::Pyproject) => &["project", "tool.poetry"],
        Some(VersionFileKind::Npm) => return json::version(text).map_err(fail),
        None => return Err(fail(Problem::UnknownKind)),
    };
    toml::version(text, tables).map_err(fail)
}

/// 1-based line and column of byte `offset`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// `text` with its version replaced by `version`.
///
/// # Errors
/// As [`find`].
pub fn update(file: &VersionFile, text: &str, version: &str) -> Result<String, Error> {
    let range = find(file, text)?;
    let mut out = text.to_owned();
    out.replace_range(range, version);
    Ok(out)
}

/// The examples of these items, now that they are not public.
#[cfg(test)]
mod examples {
    #[test]
    fn update_1() {
        use crate::version_file::VersionFile;
        let file: VersionFile = toml::from_str("path = \"Cargo.toml\"").expect("the example holds");
        let text = "[package]\nname = \"x\"\nversion = \"0.1.0\" # keep\n\n[dependencies]\nversion = \"9\"\n";
        let updated = crate::version_file::update(&file, text, "0.2.0").expect("the example holds");
        assert_eq!(updated, text.replace("0.1.0", "0.2.0"));
    }
}
