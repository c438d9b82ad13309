//! Lint rules for commit messages (SPEC section 3a), returning structured diagnostics that the
//! command line renders in the rustc manner and embedding tools render their own way.
//!
//! The header is checked by a small hand-written scanner so that every fault has an exact byte
//! span; git-conventional then parses the whole message, so that a message that passes lint is
//! always one the version engine reads as a Conventional Commit.

use std::ops::Range;

use serde::Serialize;

use crate::commit::Kind;
use crate::config::CommitsConfig;

/// A lint rule. Its `id` is stable and shown to users (`error[type-unknown]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// The message is empty (after comments are removed).
    Empty,
    /// The header is not `type(scope)!: description`.
    HeaderFormat,
    /// No space, or more than one, after the colon.
    SpaceAfterColon,
    /// The description after `: ` is empty.
    DescriptionEmpty,
    /// The type is not in `commits.types`.
    TypeUnknown,
    /// `type(): ...`: the parentheses hold no scope.
    ScopeEmpty,
    /// The scope is not in `commits.scopes`.
    ScopeNotAllowed,
    /// The header is longer than `commits.max_header_length`.
    HeaderTooLong,
    /// The body or footers do not start after exactly one blank line.
    BodySeparator,
    /// The body or footers are malformed (as git-conventional reads them).
    BodyFormat,
}

impl Rule {
    /// The rule's stable id, e.g. `type-unknown`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Empty => "empty",
            Rule::HeaderFormat => "header-format",
            Rule::SpaceAfterColon => "space-after-colon",
            Rule::DescriptionEmpty => "description-empty",
            Rule::TypeUnknown => "type-unknown",
            Rule::ScopeEmpty => "scope-empty",
            Rule::ScopeNotAllowed => "scope-not-allowed",
            Rule::HeaderTooLong => "header-too-long",
            Rule::BodySeparator => "body-separator",
            Rule::BodyFormat => "body-format",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// One violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The rule that failed.
    pub rule: Rule,
    /// What is wrong, in one sentence.
    pub message: String,
    /// 0-based line of the message the fault is on (0: the header).
    pub line: usize,
    /// Byte span of the fault within that line (empty at the point where something is missing).
    pub span: Range<usize>,
    /// What would be accepted.
    pub help: Option<String>,
}

/// The outcome of linting one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// The message as linted (after trimming trailing blank lines).
    pub message: String,
    /// What the message is; git's own messages pass without checks.
    pub kind: Kind,
    /// Every violation, header first; empty when the message passes.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Whether the message passes.
    pub fn is_ok(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// The message's line `n` (0: the header).
    pub fn line(&self, n: usize) -> &str {
        self.message.split('\n').nth(n).unwrap_or_default()
    }
}

/// Lints a commit message as git will record it.
///
/// ```
/// use relcore::{Config, lint::{lint, Rule}};
/// let config = Config::default();
/// assert!(lint("feat(parser): accept tabs\n\nBody text.\n", &config.commits).is_ok());
///
/// let report = lint("fxi: handle nulls", &config.commits);
/// let d = &report.diagnostics[0];
/// assert_eq!((d.rule, d.span.clone()), (Rule::TypeUnknown, 0..3));
/// assert!(d.help.as_deref().unwrap().starts_with("did you mean `fix`?"));
///
/// assert!(lint("Merge branch 'topic'", &config.commits).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lint(message: &str, commits: &CommitsConfig) -> Report {
    let message = message.trim_end_matches(['\n', '\r', ' ', '\t']);
    let header = crate::commit::header(message);
    let mut report = Report {
        message: message.to_owned(),
        kind: Kind::Conventional,
        diagnostics: Vec::new(),
    };
    if message.trim().is_empty() {
        report.diagnostics.push(Diagnostic {
            rule: Rule::Empty,
            message: "the commit message is empty".into(),
            line: 0,
            span: 0..0,
            help: Some("write a header like `feat(parser): accept tabs`".into()),
        });
        return report;
    }
    if let Some(kind) = Kind::of_git_header(header) {
        report.kind = kind;
        return report;
    }
    let diagnostics = &mut report.diagnostics;
    check_header(header, commits, diagnostics);
    check_length(header, commits, diagnostics);
    check_separator(message, diagnostics);
    if diagnostics.is_empty()
        && let Err(e) = git_conventional::Commit::parse(message)
    {
        let rule = match e.kind() {
            git_conventional::ErrorKind::InvalidBody
            | git_conventional::ErrorKind::InvalidFooter => Rule::BodyFormat,
            _ => Rule::HeaderFormat,
        };
        diagnostics.push(Diagnostic {
            rule,
            message: e.kind().to_string(),
            line: 0,
            span: 0..header.len(),
            help: Some(FORMAT_HELP.into()),
        });
    }
    if !diagnostics.is_empty() {
        report.kind = Kind::NonConventional;
    }
    report
}

const FORMAT_HELP: &str = "a header is `type(scope)!: description`, e.g. `feat(parser): accept tabs` (scope and `!` optional)";

fn check_header(header: &str, commits: &CommitsConfig, out: &mut Vec<Diagnostic>) {
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

fn check_length(header: &str, commits: &CommitsConfig, out: &mut Vec<Diagnostic>) {
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

fn check_separator(message: &str, out: &mut Vec<Diagnostic>) {
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

/// The nearest candidate close to `word` (case-insensitively), if any: one edit away for
/// words of up to four characters, two for longer ones (so `wip` suggests nothing).
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

/// What git records of a message edited in the editor: comment lines (starting with
/// `comment`) removed, everything from the scissors line down removed, trailing whitespace on
/// lines and leading/trailing blank lines removed, runs of blank lines collapsed — as
/// `git commit --cleanup=strip` (or `scissors`) does.
///
/// ```
/// let raw = "feat: x\n\n\n# Please enter the commit message\nbody\n# ------------------------ >8 ------------------------\ndiff --git a/f b/f\n";
/// assert_eq!(relcore::lint::cleanup(raw, "#"), "feat: x\n\nbody\n");
/// ```
pub fn cleanup(raw: &str, comment: &str) -> String {
    let scissors = format!("{comment} {SCISSORS}");
    let kept = raw
        .split('\n')
        .map(str::trim_end)
        .take_while(|line| *line != scissors)
        .filter(|line| comment.is_empty() || !line.starts_with(comment));
    tidy(kept)
}

/// Joins `lines` with their trailing whitespace removed, without leading or trailing blank
/// lines and with runs of blank lines collapsed to one, ending in one newline (when not empty).
pub(crate) fn tidy<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut blank_run = false;
    for line in lines {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run = !out.is_empty();
            continue;
        }
        if blank_run {
            out.push('\n');
            blank_run = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The comment string to strip from `raw` given git's setting (see
/// [`Repo::comment_setting`](crate::Repo::comment_setting)): `#` by default, detected for `auto`.
pub fn comment_for(setting: Option<&str>, raw: &str) -> String {
    match setting {
        None | Some("") => "#".to_owned(),
        Some("auto") => detect_auto_comment(raw),
        Some(s) => s.to_owned(),
    }
}

/// One commit of a linted range.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CommitReport {
    /// The commit.
    pub id: gix::ObjectId,
    /// Its first line.
    pub summary: String,
    /// What lint found (merge commits, with several parents, always pass).
    pub report: Report,
}

/// Lints every commit of `range` (see [`Repo::range`](crate::Repo::range)), newest first.
///
/// # Errors
/// When the range does not resolve or history cannot be read.
pub fn lint_range(
    repo: &crate::Repo,
    commits: &CommitsConfig,
    range: &str,
) -> Result<Vec<CommitReport>, crate::history::Error> {
    let (tip, hidden) = repo.range(range)?;
    let mut out = Vec::new();
    repo.walk(tip, hidden, |c| {
        let text = crate::commit::lossy_text(c.message);
        let report = if c.is_merge() {
            Report {
                message: text.trim_end().to_owned(),
                kind: Kind::Merge,
                diagnostics: Vec::new(),
            }
        } else {
            lint(&text, commits)
        };
        out.push(CommitReport {
            id: c.id,
            summary: crate::commit::header(&text).to_owned(),
            report,
        });
    })?;
    Ok(out)
}

/// The scissors line git writes for `git commit -v`, after the comment character and a space.
pub const SCISSORS: &str = "------------------------ >8 ------------------------";

/// The comment string git used in a message file when `core.commentChar = auto`: the first
/// character of the line git writes before its `Please enter the commit message` text or of
/// its scissors line; `#` when neither is there.
pub fn detect_auto_comment(raw: &str) -> String {
    raw.split('\n')
        .find_map(|line| {
            let mut chars = line.chars();
            let c = chars.next()?;
            let rest = chars.as_str();
            (rest.starts_with(" Please enter the commit message")
                || rest.trim_end() == format!(" {SCISSORS}"))
            .then(|| c.to_string())
        })
        .unwrap_or_else(|| "#".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn rules(message: &str) -> Vec<(Rule, Range<usize>)> {
        let commits = CommitsConfig {
            max_header_length: 50,
            ..Default::default()
        };
        lint(message, &commits)
            .diagnostics
            .into_iter()
            .map(|d| (d.rule, d.span))
            .collect()
    }

    #[test]
    fn valid_forms() {
        for ok in [
            "feat: x",
            "feat(parser): x",
            "feat(parser)!: x",
            "feat!: x",
            "FEAT: x",
            "Fix(Parser): x",
            "fix: x\n\nbody line one\nbody line two\n",
            "fix: x\n\nbody\n\nRefs: #12\nBREAKING CHANGE: y",
            "fix: x\n\nCloses #9",
            "Merge branch 'topic' into main",
            "Revert \"feat: x\"\n\nThis reverts commit 1234.",
            "fixup! feat: x",
            "squash! anything at all",
            "amend! feat: x\n\nnew text",
        ] {
            assert_eq!(rules(ok), [], "{ok:?} should pass");
        }
    }

    #[test]
    fn invalid_forms() {
        assert_eq!(rules("feat:x"), [(Rule::SpaceAfterColon, 5..5)]);
        assert_eq!(rules("feat:  x"), [(Rule::SpaceAfterColon, 5..7)]);
        assert_eq!(rules("fxi: x"), [(Rule::TypeUnknown, 0..3)]);
        assert_eq!(rules("feat(): x"), [(Rule::ScopeEmpty, 4..6)]);
        assert_eq!(rules("feat: "), [(Rule::DescriptionEmpty, 5..5)]);
        assert_eq!(rules("feat:"), [(Rule::DescriptionEmpty, 5..5)]);
        assert_eq!(rules("feat : x"), [(Rule::HeaderFormat, 4..5)]);
        assert_eq!(rules("added a thing"), [(Rule::HeaderFormat, 5..6)]);
        assert_eq!(rules(": x"), [(Rule::HeaderFormat, 0..1)]);
        assert_eq!(rules("feat(x: y"), [(Rule::HeaderFormat, 4..9)]);
        assert_eq!(rules("feat(x) y"), [(Rule::HeaderFormat, 7..8)]);
        assert_eq!(rules("feat: x\nbody"), [(Rule::BodySeparator, 0..4)]);
        assert_eq!(rules(""), [(Rule::Empty, 0..0)]);
        assert_eq!(rules("\n\n"), [(Rule::Empty, 0..0)]);
        let long = format!("feat: {}", "x".repeat(60));
        assert_eq!(rules(&long), [(Rule::HeaderTooLong, 50..66)]);
        // Several faults at once.
        let both = format!("fxi:{}", "y".repeat(60));
        assert_eq!(
            rules(&both),
            [
                (Rule::TypeUnknown, 0..3),
                (Rule::SpaceAfterColon, 4..4),
                (Rule::HeaderTooLong, 50..64)
            ]
        );
    }

    #[test]
    fn scopes_restricted() {
        let commits = CommitsConfig {
            scopes: vec!["parser".into(), "cli".into()],
            ..Default::default()
        };
        let report = lint("feat(parsr): x", &commits);
        assert_eq!(report.diagnostics.len(), 1);
        let d = &report.diagnostics[0];
        assert_eq!((d.rule, d.span.clone()), (Rule::ScopeNotAllowed, 5..10));
        assert_eq!(
            d.help.as_deref(),
            Some("did you mean `parser`? allowed scopes: parser, cli")
        );
        assert!(lint("feat(cli): x", &commits).is_ok());
    }

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

    #[test]
    fn lint_passes_only_what_the_version_engine_reads() {
        let commits = CommitsConfig::default();
        for text in [
            "feat: x",
            "fix(a-b): y\n\nbody",
            "feat(x)!: z\n\nBREAKING CHANGE: w",
        ] {
            assert!(lint(text, &commits).is_ok());
            assert_eq!(
                crate::commit::classify(text, &commits).0,
                Kind::Conventional
            );
        }
    }

    #[test]
    fn cleanup_like_git() {
        assert_eq!(
            cleanup("\n\nfeat: x  \n\n\n\nbody\n#c\n\n", "#"),
            "feat: x\n\nbody\n"
        );
        assert_eq!(
            cleanup("feat: x\n; comment\n# kept\n", ";"),
            "feat: x\n# kept\n"
        );
        assert_eq!(
            cleanup(
                "feat: x\n; ------------------------ >8 ------------------------\n; more\n",
                ";"
            ),
            "feat: x\n"
        );
        assert_eq!(
            detect_auto_comment("x\n; Please enter the commit message for your changes."),
            ";"
        );
        assert_eq!(detect_auto_comment("x\n"), "#");
    }
}
