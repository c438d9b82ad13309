//! The issues a commit mentions: `#123` in its message, with the footer's verb (`Closes`,
//! `Refs`, ...) when a footer names it, linked when the repository's host is known.

use super::context::{Entry, Reference};
use super::links::Links;

/// The footer tokens that link issues, as they are shown.
const ACTIONS: &[&str] = &[
    "close",
    "closes",
    "closed",
    "fix",
    "fixes",
    "fixed",
    "resolve",
    "resolves",
    "resolved",
    "ref",
    "refs",
    "references",
    "see",
    "part-of",
    "related",
    "relates-to",
];

/// The issues a commit mentions: `#123` in its description, body and footers, the footer's
/// verb attached when a footer names it.
pub(super) fn references(entry: &Entry, links: Option<&Links>) -> Vec<Reference> {
    let mut found: Vec<Reference> = Vec::new();
    let mut add = |number: &str, action: Option<String>| {
        if let Some(existing) = found.iter_mut().find(|r| r.number == number) {
            if existing.action.is_none() {
                existing.action = action;
            }
            return;
        }
        found.push(Reference {
            text: format!("#{number}"),
            number: number.to_owned(),
            url: links.map(|l| l.issue(number)),
            action,
        });
    };
    for footer in &entry.footers {
        let token = footer.token.to_lowercase();
        let action = ACTIONS.contains(&token.as_str()).then_some(token);
        // `Closes #9` parses with the value `9`; `Refs: #9, #10` with the value `#9, #10`.
        let value = footer.value.trim();
        if value.chars().all(|c| c.is_ascii_digit()) && !value.is_empty() {
            add(value, action.clone());
        }
        for number in hash_numbers(value) {
            add(number, action.clone());
        }
    }
    // Mentions in the description stay part of its text (`fix: x (#15)`); the body's are listed.
    if let Some(body) = entry.body.as_deref() {
        for number in hash_numbers(body) {
            add(number, None);
        }
    }
    found
}

/// The defect ids a commit fixes: each `KEY-123` in the value of a `Fixes:`, `Closes:` or
/// `Resolves:` footer (any tense), in order, once each.
pub(super) fn fixes(entry: &Entry) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for footer in &entry.footers {
        let token = footer.token.to_lowercase();
        if ![
            "fix", "fixes", "fixed", "close", "closes", "closed", "resolve", "resolves", "resolved",
        ]
        .contains(&token.as_str())
        {
            continue;
        }
        for word in footer.value.split(|c: char| c == ',' || c.is_whitespace()) {
            if is_defect_id(word) && !ids.iter().any(|id| id == word) {
                ids.push(word.to_owned());
            }
        }
    }
    ids
}

/// `KEY-123`: an upper-case letter, letters, digits or `_`, a hyphen, digits.
fn is_defect_id(word: &str) -> bool {
    let Some((key, number)) = word.rsplit_once('-') else {
        return false;
    };
    key.starts_with(|c: char| c.is_ascii_uppercase())
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

/// The numbers of `#123` mentions in `text` (not part of a word, like `abc#1` or `#1a`).
fn hash_numbers(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    text.match_indices('#').filter_map(move |(at, _)| {
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'&') {
            return None;
        }
        let digits = text[at + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let end = at + 1 + digits;
        let word_continues = bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        (digits > 0 && !word_continues).then(|| &text[at + 1..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_mentions() {
        let found: Vec<&str> =
            hash_numbers("fixes #12, see #3; not a#4 or #5a or &#6 but (#7)").collect();
        assert_eq!(found, ["12", "3", "7"]);
    }

    #[test]
    fn defect_ids() {
        let ok = ["DEF-12", "PRB-3", "AB_2-7", "X1-0"];
        let not = ["def-12", "DEF-", "-12", "DEF12", "#12", "DEF-1a", "1DEF-2"];
        assert!(ok.iter().all(|w| is_defect_id(w)));
        assert!(!not.iter().any(|w| is_defect_id(w)));
    }
}
