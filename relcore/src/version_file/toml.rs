//! Cargo.toml and pyproject.toml: the version read with the TOML parser's spans.

use std::ops::Range;

use super::{Problem, line_col};

/// The contents of the string `version` directly in the first of `tables` that has one.
pub(super) fn version(text: &str, tables: &[&str]) -> Result<Range<usize>, Problem> {
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

#[cfg(test)]
mod tests {
    use crate::version_file::{Problem, VersionFile, update};

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
}
