//! Branch-name rules of the push policy: globs (`release/*`) and regular expressions, each
//! validated when `rel.toml` is read and shown as written.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_do_not_cross_slashes() {
        let g = BranchGlob::new("release/*").expect("valid");
        assert!(g.is_match("release/1.x"));
        assert!(!g.is_match("release/1.x/hotfix"));
        assert!(!g.is_match("main"));
    }
}
