//! Files that carry the version (Cargo.toml, package.json, pyproject.toml, or any file with a
//! regex): finding the version in them and writing the new one, keeping every other byte.

use std::ops::Range;
use std::path::PathBuf;

use crate::config::{VersionFile, VersionFileKind};

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
        Some(VersionFileKind::Npm) => return json_version(text).map_err(fail),
        None => return Err(fail(Problem::UnknownKind)),
    };
    toml_version(text, tables).map_err(fail)
}

/// The contents of the string `version` directly in the first of `tables` that has one.
fn toml_version(text: &str, tables: &[&str]) -> Result<Range<usize>, Problem> {
    use toml::de::{DeTable, DeValue};
    let root = DeTable::parse(text).map_err(|e| {
        let (line, column) = line_col(text, e.span().map_or(0, |s| s.start));
        Problem::Syntax {
            format: "TOML",
            line,
            column,
            message: e.message().trim_end().to_owned(),
        }
    })?;
    let mut inherited = None;
    for &table in tables {
        let mut current = root.get_ref();
        let mut found = true;
        for part in table.split('.') {
            match current.get(part).map(|v| v.get_ref()) {
                Some(DeValue::Table(t)) => current = t,
                _ => {
                    found = false;
                    break;
                }
            }
        }
        let Some(value) = current.get("version").filter(|_| found) else {
            continue;
        };
        match value.get_ref() {
            DeValue::String(_) => return Ok(toml_string_contents(text, value.span())),
            DeValue::Table(t) if t.contains_key("workspace") => {
                inherited.get_or_insert(table);
            }
            other => {
                return Err(Problem::NotAString {
                    key: format!("`version` in [{table}]"),
                    found: toml_type(other),
                });
            }
        }
    }
    Err(match inherited {
        Some(table) => Problem::Inherited {
            table: table.to_owned(),
        },
        None => Problem::Missing {
            wanted: format!(
                "`version = \"...\"` in {}",
                tables
                    .iter()
                    .map(|t| format!("[{t}]"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        },
    })
}

/// The bytes between the delimiters of the TOML string token at `span` (`"..."`, `'...'`,
/// `"""..."""` or `'''...'''`; a multi-line string's first newline belongs to the delimiter).
fn toml_string_contents(text: &str, span: Range<usize>) -> Range<usize> {
    let token = &text[span.clone()];
    let delimiter = if token.starts_with("\"\"\"") || token.starts_with("'''") {
        3
    } else {
        1
    };
    let mut start = span.start + delimiter;
    if delimiter == 3 {
        let rest = &text[start..span.end];
        start += if rest.starts_with("\r\n") {
            2
        } else {
            usize::from(rest.starts_with('\n'))
        };
    }
    start..span.end - delimiter
}

fn toml_type(value: &toml::de::DeValue<'_>) -> &'static str {
    use toml::de::DeValue;
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The contents of the top-level object's `"version"` string.
fn json_version(text: &str) -> Result<Range<usize>, Problem> {
    // serde_json checks the whole document, so the scanner below only meets valid JSON.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(body) {
        return Err(Problem::Syntax {
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        });
    }
    let mut scan = JsonScan {
        bytes: text.as_bytes(),
        at: text.len() - body.len(),
    };
    scan.skip_ws();
    if scan.peek() != Some(b'{') {
        return Err(Problem::Missing {
            wanted: "top-level \"version\": the document is not a JSON object".into(),
        });
    }
    scan.at += 1;
    let mut found: Option<(usize, Range<usize>)> = None;
    loop {
        scan.skip_ws();
        if scan.peek() == Some(b'}') {
            break;
        }
        let key = scan.string();
        let name: String = serde_json::from_str(&text[key.clone()]).expect("a valid JSON string");
        scan.skip_ws();
        scan.at += 1; // the colon
        scan.skip_ws();
        let value = scan.value();
        if name == "version" {
            let line = line_col(text, key.start).0;
            if let Some((first, _)) = found {
                return Err(Problem::Duplicate {
                    first,
                    second: line,
                });
            }
            if text.as_bytes()[value.start] != b'"' {
                return Err(Problem::NotAString {
                    key: "the top-level \"version\"".into(),
                    found: match text.as_bytes()[value.start] {
                        b'{' => "an object",
                        b'[' => "an array",
                        b't' | b'f' => "a boolean",
                        b'n' => "null",
                        _ => "a number",
                    },
                });
            }
            found = Some((line, value.start + 1..value.end - 1));
        }
        scan.skip_ws();
        if scan.peek() == Some(b',') {
            scan.at += 1;
        }
    }
    found
        .map(|(_, range)| range)
        .ok_or_else(|| Problem::Missing {
            wanted: "top-level \"version\" string".into(),
        })
}

/// A cursor over a JSON document already known to be valid.
struct JsonScan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl JsonScan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The string starting at the cursor, quotes included; the cursor moves past it.
    fn string(&mut self) -> Range<usize> {
        let start = self.at;
        self.at += 1;
        while let Some(b) = self.peek() {
            self.at += if b == b'\\' { 2 } else { 1 };
            if b == b'"' {
                break;
            }
        }
        start..self.at
    }

    /// The value starting at the cursor; the cursor moves past it.
    fn value(&mut self) -> Range<usize> {
        let start = self.at;
        match self.peek() {
            Some(b'"') => {
                self.string();
            }
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                while let Some(b) = self.peek() {
                    match b {
                        b'"' => {
                            self.string();
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
            }
        }
        start..self.at
    }
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

    #[test]
    fn cargo_version_inside_a_string_or_another_table_is_not_the_version() {
        let text = "[package]\nname = \"x\"\ndescription = \"\"\"\nA demo.\nversion = \"8.8.8\"\n\"\"\"\nversion = \"1.0.0\"\n\n[dependencies]\nversion = \"9\"\n";
        let out = update(&file("path = \"Cargo.toml\""), text, "1.1.0").expect("found");
        assert_eq!(out, text.replace("\"1.0.0\"", "\"1.1.0\""));
        // Inline and dotted forms, and multi-line and literal strings.
        for (text, want) in [
            (
                "package = { name = \"x\", version = \"1.0.0\" }\n",
                "package = { name = \"x\", version = \"2.0.0\" }\n",
            ),
            (
                "package.version = '1.0.0' # v\n",
                "package.version = '2.0.0' # v\n",
            ),
            (
                "[package]\nversion = \"\"\"\n1.0.0\"\"\"\n",
                "[package]\nversion = \"\"\"\n2.0.0\"\"\"\n",
            ),
            (
                "[package]\nversion = \"1.0\\u002e0\"\n",
                "[package]\nversion = \"2.0.0\"\n",
            ),
        ] {
            assert_eq!(
                update(&file("path = \"Cargo.toml\""), text, "2.0.0").expect("found"),
                want
            );
        }
    }

    #[test]
    fn cargo_workspace_inheritance_and_bad_files_are_named() {
        let f = file("path = \"Cargo.toml\"");
        let problem = |text: &str| update(&f, text, "2").expect_err("rejected").problem;
        assert_eq!(
            problem("[package]\nname = \"x\"\nversion.workspace = true\n"),
            Problem::Inherited {
                table: "package".into()
            }
        );
        // Inherited in [package], defined in [workspace.package]: the workspace's is replaced.
        let root =
            "[package]\nversion = { workspace = true }\n[workspace.package]\nversion = \"1.0.0\"\n";
        assert_eq!(
            update(&f, root, "1.1.0").expect("found"),
            root.replace("1.0.0", "1.1.0")
        );
        assert_eq!(
            problem("[package]\nversion = 1\n"),
            Problem::NotAString {
                key: "`version` in [package]".into(),
                found: "an integer"
            }
        );
        assert!(matches!(
            problem("[package\nversion = \"1\"\n"),
            Problem::Syntax {
                format: "TOML",
                line: 1,
                ..
            }
        ));
    }

    #[test]
    fn package_json_keys_are_read_as_json() {
        let f = file("path = \"package.json\"");
        // "version" as a value, in a nested object, in an array, escaped in a key.
        let text = "{\n  \"description\": \"version\",\n  \"tags\": [\"version\", {\"version\": \"0\"}],\n  \"config\": {\"version\": \"9.9.9\"},\n  \"versio\\u006e\": \"1.0.0\",\n  \"x\": 1\n}\n";
        assert_eq!(
            update(&f, text, "1.1.0").expect("found"),
            text.replace("\"1.0.0\"", "\"1.1.0\"")
        );
        let problem = |text: &str| update(&f, text, "2").expect_err("rejected").problem;
        assert_eq!(
            problem("{\"a\": {\"version\": \"1\"}}"),
            Problem::Missing {
                wanted: "top-level \"version\" string".into()
            }
        );
        assert_eq!(
            problem("{\"version\": \"1\",\n\"version\": \"2\"}"),
            Problem::Duplicate {
                first: 1,
                second: 2
            }
        );
        assert_eq!(
            problem("{\"version\": 1}"),
            Problem::NotAString {
                key: "the top-level \"version\"".into(),
                found: "a number"
            }
        );
        assert_eq!(
            update(&f, "{\"version\": 1", "2")
                .expect_err("rejected")
                .to_string(),
            "package.json: not valid JSON (line 1, column 13): EOF while parsing an object"
        );
    }
}
