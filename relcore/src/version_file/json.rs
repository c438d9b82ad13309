//! package.json: the top-level `"version"`, found by a scanner over a document serde_json
//! has already checked.

use std::ops::Range;

use super::{Problem, line_col};

/// The contents of the top-level object's `"version"` string.
pub(super) fn version(text: &str) -> Result<Range<usize>, Problem> {
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

#[cfg(test)]
mod tests {
    use crate::version_file::{Problem, VersionFile, update};

    fn file(toml_text: &str) -> VersionFile {
        toml::from_str(toml_text).expect("valid entry")
    }

    #[test]
    fn package_json_top_level_only() {
        let json = "{\n  \"name\": \"x\",\n  \"engines\": {\"version\": \"9\"},\n  \"description\": \"a \\\"version\\\": \\\"0\\\" trap\",\n  \"version\": \"1.2.3\"\n}\n";
        let out = update(&file("path = \"package.json\""), json, "1.3.0").expect("found");
        assert_eq!(out, json.replace("\"1.2.3\"", "\"1.3.0\""));
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
