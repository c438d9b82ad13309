//! The header rules: a small scanner that gives every fault an exact byte span, and the
//! suggestions that come with it.

use std::ops::Range;

use super::{Diagnostic, Rule};
use crate::commit::CommitsConfig;

pub(super) const FORMAT_HELP: &str = "a header is `type(scope)!: description`, e.g. `feat(parser): accept tabs` (scope and `!` optional)";

pub(super) fn check_header(header: &str, commits: &CommitsConfig, out: &mut Vec<Diagnostic>) {
    let fault = |rule, message: String, span: Range<usize>, help: Option<String>| Diagnostic {
        rule,
        message,
        line: 0,
        span,
        help,
    };
    let type_end = header
        .find(|c: char| matches!(c, '(' | '!' | ':') || c.is_whitespace())
        .unwrap_or(header.len());
    let ty = &header[..type_end];
    if ty.is_empty() || !header[type_end..].starts_with(['(', '!', ':']) {
        let at = if ty.is_empty() { 0 } else { type_end };
        let message = if ty.is_empty() {
            "the header does not start with a type".to_owned()
        } else if header[type_end..].trim_start().starts_with([':', '(', '!']) {
            "no space is allowed between the type and what follows it".to_owned()
        } else {
            "the header is not a Conventional Commit header: expected `:` after the type".to_owned()
        };
        out.push(fault(
            Rule::HeaderFormat,
            message,
            at..at + 1,
            Some(FORMAT_HELP.into()),
        ));
        return;
    }
    if commits.bump_for(ty).is_none() {
        let allowed: Vec<&str> = commits.types.keys().map(String::as_str).collect();
        let suggestion = closest(ty, &allowed);
        let list = format!("allowed types: {}", allowed.join(", "));
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`? {list}"),
            None => list,
        };
        out.push(fault(
            Rule::TypeUnknown,
            format!("unknown type `{}`", excerpt(ty)),
            0..type_end,
            Some(help),
        ));
    }
    let mut at = type_end;
    if header[at..].starts_with('(') {
        let Some(close) = header[at..].find(')').map(|i| at + i) else {
            out.push(fault(
                Rule::HeaderFormat,
                "the scope's `(` is never closed".into(),
                at..header.len(),
                Some(FORMAT_HELP.into()),
            ));
            return;
        };
        let scope = &header[at + 1..close];
        if scope.trim().is_empty() {
            out.push(fault(
                Rule::ScopeEmpty,
                "the parentheses hold no scope".into(),
                at..close + 1,
                Some("name a scope, like `feat(parser): ...`, or leave the parentheses out".into()),
            ));
        } else if !commits.scopes.is_empty() && !commits.scopes.iter().any(|s| s == scope) {
            let allowed: Vec<&str> = commits.scopes.iter().map(String::as_str).collect();
            let list = format!("allowed scopes: {}", allowed.join(", "));
            let help = match closest(scope, &allowed) {
                Some(s) => format!("did you mean `{s}`? {list}"),
                None => list,
            };
            out.push(fault(
                Rule::ScopeNotAllowed,
                format!("scope `{}` is not allowed", excerpt(scope)),
                at + 1..close,
                Some(help),
            ));
        }
        at = close + 1;
    }
    if header[at..].starts_with('!') {
        at += 1;
    }
    let Some(rest) = header[at..].strip_prefix(':') else {
        out.push(fault(
            Rule::HeaderFormat,
            "expected `: ` and a description here".into(),
            at..(at + 1).min(header.len().max(at + 1)),
            Some(FORMAT_HELP.into()),
        ));
        return;
    };
    let colon = at;
    let spaces = rest.len() - rest.trim_start().len();
    let description = rest.trim();
    if description.is_empty() {
        out.push(fault(
            Rule::DescriptionEmpty,
            "the description after `: ` is empty".into(),
            header.len()..header.len(),
            Some("describe the change after `: `, e.g. `fix: handle empty input`".into()),
        ));
    } else if spaces != 1 || !rest.starts_with(' ') {
        let span = if spaces == 0 {
            colon + 1..colon + 1
        } else {
            colon + 1..colon + 1 + spaces
        };
        let message = if spaces == 0 {
            "missing space after the colon".to_owned()
        } else {
            "exactly one space goes after the colon".to_owned()
        };
        out.push(fault(
            Rule::SpaceAfterColon,
            message,
            span,
            Some("write the colon, one space, then the description: `feat: add x`".into()),
        ));
    }
}

pub(super) fn check_length(header: &str, commits: &CommitsConfig, out: &mut Vec<Diagnostic>) {
    let max = commits.max_header_length;
    let chars = header.chars().count();
    if chars > max {
        let start = header
            .char_indices()
            .nth(max)
            .map_or(header.len(), |(i, _)| i);
        out.push(Diagnostic {
            rule: Rule::HeaderTooLong,
            message: format!("the header is {chars} characters long, more than {max}"),
            line: 0,
            span: start..header.len(),
            help: Some(format!(
                "keep the header to {max} characters (commits.max_header_length); put details in the body"
            )),
        });
    }
}

pub(super) fn check_separator(message: &str, out: &mut Vec<Diagnostic>) {
    let mut lines = message.split('\n');
    lines.next();
    if let Some(second) = lines.next()
        && !second.trim_end_matches('\r').is_empty()
    {
        out.push(Diagnostic {
            rule: Rule::BodySeparator,
            message: "the body must be separated from the header by a blank line".into(),
            line: 1,
            span: 0..second.len(),
            help: Some("leave the second line empty".into()),
        });
    }
}

/// The longest name (type, scope) a diagnostic message quotes whole, in characters.
const QUOTED_MAX: usize = 40;

/// `text`, cut to [`QUOTED_MAX`] characters with `…` when longer: a 1 MB type makes a
/// one-line message, not a 1 MB one (the span still covers all of it).
fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(QUOTED_MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

/// The nearest candidate close to `word` (case-insensitively), if any: one edit away for
/// words of up to four characters, two for longer ones (so `wip` suggests nothing).
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    let length = word.chars().count();
    let limit = if length <= 4 { 1 } else { 2 };
    candidates
        .iter()
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| (edit_distance(&word, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), so `fxi` is
/// one edit from `fix`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let allowed = ["feat", "fix", "docs", "chore"];
        assert_eq!(closest("fxi", &allowed), Some("fix"));
        assert_eq!(closest("feta", &allowed), Some("feat"));
        assert_eq!(closest("Docs", &allowed), Some("docs"));
        assert_eq!(closest("wip", &allowed), None);
        assert_eq!(closest("x", &allowed), None);
        assert_eq!(closest("chroe", &allowed), Some("chore"));
        assert_eq!(closest("dcs", &allowed), Some("docs"));
    }
}
