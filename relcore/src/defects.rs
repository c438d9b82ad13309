//! Outstanding defects as data: the file `[notes] defects` names (SPEC 9), a TOML list of
//! `[[defect]]` tables. The release notes of a version list the defects still open at it (by
//! severity, with workarounds) and those it fixed; the readiness review's `defects` item
//! fails on an open one as severe as its threshold.
//!
//! A defect affects version V when it was found in V or before (`found_in`, empty: always)
//! and is still `open`, or was fixed in a version after V (`fixed_in`).
//!
//! ```
//! use relcore::defects::{Defects, Severity};
//! let defects = Defects::parse(
//!     r#"
//! [[defect]]
//! id = "DEF-12"
//! title = "Export hangs on files over 2 GB"
//! severity = "critical"
//! status = "open"
//! found_in = "1.1.0"
//! workaround = "Split the export in parts."
//!
//! [[defect]]
//! id = "DEF-7"
//! title = "Typo in the About box"
//! severity = "minor"
//! status = "fixed"
//! found_in = "1.0.0"
//! fixed_in = "1.2.0"
//! "#,
//!     "DEFECTS.toml".as_ref(),
//! )?;
//! let at = |v: &str| -> Vec<String> {
//!     defects.outstanding(&v.parse().unwrap()).iter().map(|d| d.id.clone()).collect()
//! };
//! assert_eq!(at("1.0.0"), ["DEF-7"]);
//! assert_eq!(at("1.1.0"), ["DEF-12", "DEF-7"]); // the critical one first
//! assert_eq!(at("1.2.0"), ["DEF-12"]);
//! assert_eq!(defects.fixed(&"1.2.0".parse().unwrap())[0].id, "DEF-7");
//! assert!(defects.worst(&"1.2.0".parse().unwrap(), Severity::Critical).len() == 1);
//!
//! let err = Defects::parse("[[defect]]\nid = \"D-1\"\nseverity = \"high\"\n", "DEFECTS.toml".as_ref())
//!     .unwrap_err();
//! assert!(err.to_string().starts_with("DEFECTS.toml:3:12: unknown variant `high`"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use semver::Version;
use serde::{Deserialize, Deserializer, Serialize};

/// How bad a defect is; `Critical` is the worst and sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Blocks use, loses data, or is a security hole.
    Critical,
    /// A feature does not work as documented; there may be a workaround.
    Major,
    /// Cosmetic, or easily avoided.
    Minor,
}

impl Severity {
    /// `critical`, `major` or `minor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Major => "major",
            Severity::Minor => "minor",
        }
    }

    /// Whether it is `threshold` or worse.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "critical" => Ok(Severity::Critical),
            "major" => Ok(Severity::Major),
            "minor" => Ok(Severity::Minor),
            other => Err(format!(
                "`{other}` is not a severity (critical, major, minor)"
            )),
        }
    }
}

/// Whether a defect is still there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Status {
    /// Not fixed in any release yet.
    Open,
    /// Fixed, in `fixed_in` when it says.
    Fixed,
}

/// One defect of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Defect {
    /// Its id, e.g. `DEF-12` (what `Fixes:` trailers name).
    pub id: String,
    /// What is wrong, in a line.
    #[serde(default)]
    pub title: String,
    /// How bad it is.
    pub severity: Severity,
    /// `open` or `fixed`.
    pub status: Status,
    /// The first version it was found in (`None`: every version).
    #[serde(
        default,
        deserialize_with = "version",
        skip_serializing_if = "Option::is_none"
    )]
    pub found_in: Option<Version>,
    /// The version that fixed it.
    #[serde(
        default,
        deserialize_with = "version",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed_in: Option<Version>,
    /// What users can do meanwhile.
    #[serde(default)]
    pub workaround: String,
    /// The problem record it belongs to (e.g. `PRB-3`), if any.
    #[serde(default)]
    pub problem: String,
}

impl Defect {
    /// Whether it affects `version`: found in it or before, and not fixed by it.
    pub fn affects(&self, version: &Version) -> bool {
        let found = self.found_in.as_ref().is_none_or(|f| f <= version);
        let unfixed = match self.status {
            Status::Open => true,
            Status::Fixed => self.fixed_in.as_ref().is_some_and(|f| version < f),
        };
        found && unfixed
    }
}

fn version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Version>, D::Error> {
    let text = String::deserialize(d)?;
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bare = text.strip_prefix('v').unwrap_or(text);
    Version::parse(bare)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("`{text}` is not a semantic version ({e})")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    defect: Vec<Defect>,
}

/// The defects file, read.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Defects {
    /// Its defects, as listed.
    pub defects: Vec<Defect>,
    /// The file, for messages.
    pub path: PathBuf,
    /// The sha256 of its bytes, lowercase hex: the evidence a readiness review records.
    pub sha256: String,
}

/// Why the defects file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file is missing or unreadable.
    #[error(transparent)]
    Read(#[from] crate::paths::Error),
    /// The file configured does not exist.
    #[error("{} does not exist (configured as notes.defects in rel.toml)", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The file is not the shape of SPEC 9.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong and what is accepted.
        message: String,
    },
}

impl Defects {
    /// Parses the text of a defects file; `path` names it in errors.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the line of the first fault: not TOML, an unknown key, a
    /// severity or status not of SPEC 9, a version that is not semver, two defects with one
    /// id, an open defect that names the version that fixed it.
    pub fn parse(text: &str, path: &Path) -> Result<Self, Error> {
        let invalid = |offset: usize, message: String| {
            let (line, column) = line_col(text, offset);
            Error::Invalid {
                path: path.to_owned(),
                line,
                column,
                message,
            }
        };
        let file: File = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().map_or(0, |s| s.start),
                e.message().trim_end().to_owned(),
            )
        })?;
        let at = |id: &str| {
            text.find(&format!("\"{id}\""))
                .map_or(0, |offset| offset + 1)
        };
        let mut seen = std::collections::BTreeSet::new();
        for d in &file.defect {
            if d.id.trim().is_empty() {
                return Err(invalid(0, "a defect has an empty `id`".into()));
            }
            if !seen.insert(d.id.as_str()) {
                return Err(invalid(
                    text.rfind(&format!("\"{}\"", d.id)).map_or(0, |o| o + 1),
                    format!("two defects have the id `{}`", d.id),
                ));
            }
            if d.status == Status::Open && d.fixed_in.is_some() {
                return Err(invalid(
                    at(&d.id),
                    format!(
                        "`{}` is open but names fixed_in: set status = \"fixed\", or clear fixed_in",
                        d.id
                    ),
                ));
            }
        }
        Ok(Defects {
            defects: file.defect,
            path: path.to_owned(),
            sha256: crate::digest::sha256_hex(text.as_bytes()),
        })
    }

    /// The file `configured` (`[notes] defects`, inside `root`), read; `None` when it is
    /// empty (not configured).
    ///
    /// # Errors
    /// When the path leaves the root, the file is missing or unreadable, or it does not parse.
    pub fn load(root: &crate::paths::Root, configured: &Path) -> Result<Option<Self>, Error> {
        if configured.as_os_str().is_empty() {
            return Ok(None);
        }
        let path = root.resolve("notes.defects", configured)?;
        let bytes =
            crate::paths::read(&path)?.ok_or_else(|| Error::Missing { path: path.clone() })?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Invalid {
            path: path.clone(),
            line: 1,
            column: 1,
            message: "the file is not UTF-8".into(),
        })?;
        Self::parse(&text, &path).map(Some)
    }

    /// The defects affecting `version`, worst first (then by id).
    pub fn outstanding(&self, version: &Version) -> Vec<&Defect> {
        let mut open: Vec<&Defect> = self.defects.iter().filter(|d| d.affects(version)).collect();
        open.sort_by(|a, b| (a.severity, &a.id).cmp(&(b.severity, &b.id)));
        open
    }

    /// The defects affecting `version` that are `threshold` or worse.
    pub fn worst(&self, version: &Version, threshold: Severity) -> Vec<&Defect> {
        self.outstanding(version)
            .into_iter()
            .filter(|d| d.severity.at_least(threshold))
            .collect()
    }

    /// The defects `version` fixed (`fixed_in`), by id.
    pub fn fixed(&self, version: &Version) -> Vec<&Defect> {
        let mut fixed: Vec<&Defect> = self
            .defects
            .iter()
            .filter(|d| d.status == Status::Fixed && d.fixed_in.as_ref() == Some(version))
            .collect();
        fixed.sort_by(|a, b| a.id.cmp(&b.id));
        fixed
    }
}

/// What the notes of one version say about defects: those open at it, those it fixed.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Outstanding {
    /// Open at the version, worst first.
    pub open: Vec<Defect>,
    /// Fixed by the version.
    pub fixed: Vec<Defect>,
}

impl Defects {
    /// The defects open at `version` and those it fixed.
    pub fn at(&self, version: &Version) -> Outstanding {
        Outstanding {
            open: self.outstanding(version).into_iter().cloned().collect(),
            fixed: self.fixed(version).into_iter().cloned().collect(),
        }
    }
}

/// The 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |p| p + 1) + 1;
    (line, column)
}
