//! `[commits]`: the allowed Conventional Commit types, the bump each causes, and the limits
//! lint applies, validated as read.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::version::Bump;

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

fn header_length<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let length = usize::deserialize(d)?;
    if length == 0 {
        return Err(serde::de::Error::custom(
            "must be at least 1: the longest header lint accepts, in characters (default 100)",
        ));
    }
    Ok(length)
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
