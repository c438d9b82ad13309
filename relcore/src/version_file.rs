//! Files that carry the version (Cargo.toml, package.json, pyproject.toml, or any file with a
//! regex): finding the version in them and writing the new one, keeping every other byte.

use std::ops::Range;

use crate::config::{VersionFile, VersionFileKind};

/// Why a version file cannot be updated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
#[non_exhaustive]
pub struct Error {
    /// The file, as configured.
    pub path: String,
    /// What is wrong.
    pub reason: String,
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

/// The byte range of the version in `text`.
///
/// # Errors
/// When the file has no version where its kind or pattern says.
pub fn find(file: &VersionFile, text: &str) -> Result<Range<usize>, Error> {
    let fail = |reason: String| Error {
        path: file.path.display().to_string(),
        reason,
    };
    if let Some(pattern) = &file.pattern {
        let captures = pattern
            .regex()
            .captures(text)
            .ok_or_else(|| fail(format!("the pattern `{}` does not match", pattern.as_str())))?;
        let version = captures.name("version").ok_or_else(|| {
            fail(format!(
                "the pattern `{}` has no named group `version`, e.g. (?P<version>...)",
                pattern.as_str()
            ))
        })?;
        return Ok(version.range());
    }
    let tables: &[&str] = match kind_of(file) {
        Some(VersionFileKind::Cargo) => &["package", "workspace.package"],
        Some(VersionFileKind::Pyproject) => &["project", "tool.poetry"],
        Some(VersionFileKind::Npm) => {
            return find_json_version(text)
                .ok_or_else(|| fail("no top-level \"version\" string".into()));
        }
        None => {
            return Err(fail(
                "rel cannot tell how the version is written here: set `kind` (cargo, npm, pyproject) or `pattern`".into(),
            ));
        }
    };
    find_toml_version(text, tables).ok_or_else(|| {
        fail(format!(
            "no `version = \"...\"` in {}",
            tables
                .iter()
                .map(|t| format!("[{t}]"))
                .collect::<Vec<_>>()
                .join(" or ")
        ))
    })
}

/// `version = "x"` directly in one of `tables`.
fn find_toml_version(text: &str, tables: &[&str]) -> Option<Range<usize>> {
    let mut current: Option<String> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[') {
            current = (!header.starts_with('[')).then(|| {
                header
                    .split(']')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            });
        } else if current.as_deref().is_some_and(|t| tables.contains(&t))
            && let Some(rest) = trimmed.strip_prefix("version")
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            let value = value.trim_start();
            let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let inner = &value[1..];
            let end = inner.find(quote)?;
            let start = offset + line.find(value).expect("value is part of the line") + 1;
            return Some(start..start + end);
        }
        offset += line.len();
    }
    None
}

/// The top-level `"version": "x"` of a JSON object (depth 1, not inside nested objects).
fn find_json_version(text: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0i32, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            b'"' => {
                let end = string_end(bytes, i)?;
                if depth == 1 && &text[i..=end] == "\"version\"" {
                    let after = text[end + 1..].trim_start();
                    let value = after.strip_prefix(':')?.trim_start();
                    if value.starts_with('"') {
                        let start = text.len() - value.len();
                        let close = string_end(bytes, start)?;
                        return Some(start + 1..close);
                    }
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote closing the JSON string opened at `open`.
fn string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// `text` with its version replaced by `version`.
///
/// ```
/// use relcore::config::VersionFile;
/// let file: VersionFile = toml::from_str("path = \"Cargo.toml\"").unwrap();
/// let text = "[package]\nname = \"x\"\nversion = \"0.1.0\" # keep\n\n[dependencies]\nversion = \"9\"\n";
/// let updated = relcore::version_file::update(&file, text, "0.2.0").unwrap();
/// assert_eq!(updated, text.replace("0.1.0", "0.2.0"));
/// ```
///
/// # Errors
/// As [`find`].
pub fn update(file: &VersionFile, text: &str, version: &str) -> Result<String, Error> {
    let range = find(file, text)?;
    let mut out = text.to_owned();
    out.replace_range(range, version);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(toml_text: &str) -> VersionFile {
        toml::from_str(toml_text).expect("valid entry")
    }

    #[test]
    fn cargo_workspace_and_pyproject() {
        let ws = "[workspace]\nmembers = []\n\n[workspace.package]\nversion = '1.0.0'\nedition = \"2024\"\n";
        assert_eq!(
            update(&file("path = \"Cargo.toml\""), ws, "1.1.0").expect("found"),
            ws.replace("1.0.0", "1.1.0")
        );
        let py = "[build-system]\nrequires = []\n[project]\nname = \"x\"\nversion = \"2.0.0\"\n";
        assert_eq!(
            update(&file("path = \"pyproject.toml\""), py, "2.1.0").expect("found"),
            py.replace("2.0.0", "2.1.0")
        );
        let err = update(
            &file("path = \"Cargo.toml\""),
            "[dependencies]\nversion = \"1\"\n",
            "2",
        )
        .expect_err("rejected");
        assert_eq!(
            err.to_string(),
            "Cargo.toml: no `version = \"...\"` in [package] or [workspace.package]"
        );
    }

    #[test]
    fn package_json_top_level_only() {
        let json = "{\n  \"name\": \"x\",\n  \"engines\": {\"version\": \"9\"},\n  \"description\": \"a \\\"version\\\": \\\"0\\\" trap\",\n  \"version\": \"1.2.3\"\n}\n";
        let out = update(&file("path = \"package.json\""), json, "1.3.0").expect("found");
        assert_eq!(out, json.replace("\"1.2.3\"", "\"1.3.0\""));
    }

    #[test]
    fn patterns() {
        let f = file("path = \"VERSION\"\npattern = '^(?P<version>\\S+)'");
        assert_eq!(update(&f, "1.0.0\n", "1.1.0").expect("found"), "1.1.0\n");
        let f = file("path = \"x.txt\"\npattern = 'v=(\\S+)'");
        assert!(
            update(&f, "v=1", "2")
                .expect_err("rejected")
                .reason
                .contains("no named group `version`")
        );
        let f = file("path = \"x.txt\"\npattern = 'nomatch(?P<version>x)'");
        assert!(
            update(&f, "v=1", "2")
                .expect_err("rejected")
                .reason
                .contains("does not match")
        );
        assert!(
            update(&file("path = \"x.txt\""), "", "2")
                .expect_err("rejected")
                .reason
                .contains("set `kind`")
        );
    }
}
