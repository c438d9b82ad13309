//! Reading Rust source as far as the import graph needs: comments and `#[cfg(test)]` items
//! out, then the crate-root names each path starts from.

use std::collections::{BTreeMap, BTreeSet};

/// `text` with its comments blanked out (lines kept), and which characters are inside string
/// or character literals.
pub(super) fn strip_comments(text: &str) -> (Vec<char>, Vec<bool>) {
    let chars: Vec<char> = text.chars().collect();
    let mut code = chars.clone();
    let mut literal = vec![false; chars.len()];
    let blank = |code: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut code[from..to] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        if rest.starts_with(&['/', '/']) {
            let end = rest
                .iter()
                .position(|c| *c == '\n')
                .map_or(chars.len(), |n| i + n);
            blank(&mut code, i, end);
            i = end;
        } else if rest.starts_with(&['/', '*']) {
            let (mut depth, mut j) = (0, i);
            while j < chars.len() {
                if chars[j..].starts_with(&['/', '*']) {
                    depth += 1;
                    j += 2;
                } else if chars[j..].starts_with(&['*', '/']) {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut code, i, j);
            i = j;
        } else if rest[0] == 'r' && matches!(rest.get(1), Some('"' | '#')) {
            let hashes = rest[1..].iter().take_while(|c| **c == '#').count();
            if rest.get(1 + hashes) != Some(&'"') {
                i += 1;
                continue;
            }
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let start = i + 2 + hashes;
            let end = (start..chars.len())
                .find(|&j| chars[j..].starts_with(&close))
                .map_or(chars.len(), |j| j + close.len());
            literal[i..end].fill(true);
            i = end;
        } else if rest[0] == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            literal[i..end].fill(true);
            i = end;
        } else if rest[0] == '\'' {
            // A character literal ('x', '\n', '\u{1F600}'), else a lifetime ('a).
            let end = match rest.get(1) {
                Some('\\') => (i + 2..chars.len())
                    .find(|&j| chars[j] == '\'')
                    .map(|j| j + 1),
                Some(_) if rest.get(2) == Some(&'\'') => Some(i + 3),
                _ => None,
            };
            match end {
                Some(end) => {
                    literal[i..end].fill(true);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    (code, literal)
}

/// The code with every `#[cfg(test)]` item removed, and the names of the modules declared
/// under it in other files (`#[cfg(test)] mod tests;`).
pub(super) fn strip_test_items(code: &[char], literal: &[bool]) -> (String, Vec<String>) {
    let attribute: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut kept = String::new();
    let mut test_mods = Vec::new();
    let mut i = 0;
    while i < code.len() {
        if !literal[i] && code[i..].starts_with(&attribute) {
            // The item ends at the first `;` outside braces or at the brace closing its body.
            let mut depth = 0usize;
            let mut j = i + attribute.len();
            while j < code.len() {
                if !literal[j] {
                    match code[j] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ';' if depth == 0 => break,
                        _ => {}
                    }
                }
                j += 1;
            }
            let item: String = code[i + attribute.len()..j].iter().collect();
            let words: Vec<&str> = item.split_whitespace().collect();
            if code.get(j) == Some(&';')
                && let Some(at) = words.iter().position(|w| *w == "mod")
                && let Some(name) = words.get(at + 1)
            {
                test_mods.push((*name).to_owned());
            }
            // Keep the line count, for the lines reported.
            kept.extend(
                code[i..=j.min(code.len() - 1)]
                    .iter()
                    .filter(|c| **c == '\n'),
            );
            i = j + 1;
        } else {
            kept.push(code[i]);
            i += 1;
        }
    }
    (kept, test_mods)
}

/// The crate-root names `code` (of the module at `path`) refers to, with their line: the first
/// segment after `crate::` (each of a `crate::{a, b}` group), or after enough `super::` to
/// reach the crate root.
pub(super) fn references(code: &str, path: &[String]) -> Vec<(String, usize)> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut found = Vec::new();
    for (at, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == '$' || c == ':') {
            continue;
        }
        let mut rest = &code[at..];
        if rest.starts_with("super::") {
            let mut depth = path.len();
            while let Some(r) = rest.strip_prefix("super::") {
                depth = depth.saturating_sub(1);
                rest = r.trim_start();
            }
            if depth > 0 {
                continue;
            }
        } else {
            rest = rest["crate::".len()..].trim_start();
        }
        let line = code[..at].matches('\n').count() + 1;
        let first = |item: &str| -> String {
            item.trim_start()
                .chars()
                .take_while(|c| is_ident(*c))
                .collect()
        };
        let names = match rest.strip_prefix('{') {
            // The first segment of each item of the group.
            Some(group) => {
                let mut items = vec![String::new()];
                let mut depth = 0usize;
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => items.push(String::new()),
                        _ => {}
                    }
                    if let Some(item) = items.last_mut() {
                        item.push(c);
                    }
                }
                items
                    .iter()
                    .map(|item| first(item.trim_start_matches(',')))
                    .collect()
            }
            None => vec![first(rest)],
        };
        found.extend(
            names
                .into_iter()
                .filter(|n: &String| !n.is_empty() && n != "self")
                .map(|n| (n, line)),
        );
    }
    found.sort_by_key(|(_, line)| *line);
    found
}

/// The modules lib.rs declares.
pub(super) fn declared_modules(lib: &[char]) -> BTreeSet<String> {
    let lib: String = lib.iter().collect();
    let mut modules = BTreeSet::new();
    for statement in lib.split(';') {
        let words: Vec<&str> = statement.split_whitespace().collect();
        if let [.., "mod", name] = words.as_slice() {
            modules.insert((*name).to_owned());
        }
    }
    modules
}

/// The items lib.rs re-exports from its modules (`pub use history::{Repo, Error as
/// HistoryError}`), by the name they have at the root.
pub(super) fn root_reexports(lib: &[char], modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let lib: String = lib.iter().collect();
    let mut reexports = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(tree) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = tree.split_once("::") else {
            continue;
        };
        if !modules.contains(module.trim()) {
            continue;
        }
        let items = items.trim().trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            if let Some(name) = item.split_whitespace().last() {
                let name = name.rsplit("::").next().unwrap_or(name);
                reexports.insert(name.to_owned(), module.trim().to_owned());
            }
        }
    }
    reexports
}
