//! Where in `rel.toml` a fault is: line, column and the key's path through tables and arrays.

use std::path::Path;

use super::Error;

pub(super) fn invalid(text: &str, path: &Path, err: &toml::de::Error) -> Error {
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

pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
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
