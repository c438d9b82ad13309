//! A version file's own pattern: a regex with a named group `version`, checked when read.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

impl fmt::Debug for VersionPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for VersionPattern {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for VersionPattern {}

impl Serialize for VersionPattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use crate::version_file::{Problem, VersionFile, update};

    fn file(toml_text: &str) -> VersionFile {
        toml::from_str(toml_text).expect("valid entry")
    }

    #[test]
    fn patterns() {
        let f = file("path = \"VERSION\"\npattern = '^(?P<version>\\S+)'");
        assert_eq!(update(&f, "1.0.0\n", "1.1.0").expect("found"), "1.1.0\n");
        let f = file("path = \"x.txt\"\npattern = 'nomatch(?P<version>x)'");
        assert_eq!(
            update(&f, "v=1", "2").expect_err("rejected").to_string(),
            "x.txt: the pattern `nomatch(?P<version>x)` does not match"
        );
        let f = file("path = \"x.txt\"\npattern = 'v=(?P<version>\\d+)?;'");
        assert_eq!(
            update(&f, "a\nv=;", "2").expect_err("rejected").problem,
            Problem::GroupUnused {
                pattern: "v=(?P<version>\\d+)?;".into(),
                line: 2
            }
        );
        assert_eq!(
            update(&file("path = \"x.txt\""), "", "2")
                .expect_err("rejected")
                .problem,
            Problem::UnknownKind
        );
    }

    #[test]
    fn patterns_that_can_match_nothing_are_refused_when_read() {
        for (pattern, what) in [
            ("(?P<version>x*)", "can"),
            ("\\b(?P<version>[0-9.]*)", "can"),
            ("v=(?P<version>\\d*)", "has a version group that can"),
        ] {
            let err =
                toml::from_str::<VersionFile>(&format!("path = \"x\"\npattern = '{pattern}'"))
                    .expect_err("refused");
            assert!(
                err.message()
                    .contains(&format!("`{pattern}` {what} match an empty string")),
                "{pattern}: {err}"
            );
        }
        let err = toml::from_str::<VersionFile>("path = \"x\"\npattern = 'v=(\\S+)'")
            .expect_err("refused");
        assert!(
            err.message().contains("has no named group `version`"),
            "{err}"
        );
    }
}

/// The examples of these items, now that they are not public.
#[cfg(test)]
mod examples {
    #[test]
    fn new_1() {
        use crate::version_file::VersionPattern;
        assert!(VersionPattern::new(r"VERSION=(?P<version>\S+)").is_ok());
        let err = VersionPattern::new(r"(?P<version>[0-9.]*)").expect_err("the example holds");
        assert!(err.to_string().contains("can match an empty string"));
        assert!(VersionPattern::new(r"v=(\S+)").is_err());
    }
}
