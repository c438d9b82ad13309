//! Lint rules for commit messages (SPEC section 3a), returning structured diagnostics that the
//! command line renders in the rustc manner and embedding tools render their own way.
//!
//! The header is checked by a small hand-written scanner so that every fault has an exact byte
//! span; git-conventional then parses the whole message, so that a message that passes lint is
//! always one the version engine reads as a Conventional Commit.
//!
//! Each fault is a diagnostic with its rule and the byte span it concerns:
//!
//! ```
//! use relcore::lint::{self, Rule};
//! let config = relcore::Config::default();
//! let report = lint::lint("feat(): add x", &config.commits);
//! assert_eq!(report.diagnostics[0].rule, Rule::ScopeEmpty);
//! assert_eq!(report.diagnostics[0].span, 4..6);
//! ```

mod cleanup;
mod edited;
mod rules;

use std::ops::Range;

use serde::Serialize;

use crate::commit::{CommitsConfig, Kind};
use rules::{FORMAT_HELP, check_header, check_length, check_separator};

pub use cleanup::cleanup;
pub(crate) use cleanup::comment_for;
pub(crate) use cleanup::tidy;
pub use edited::{Error, MessageRules};

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
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = repo.load_config()?;
/// git(&["commit", "-q", "--allow-empty", "-m", "fxi: a typo"])?;
/// let reports = relcore::lint::lint_range(&repo, &config.commits, "v0.1.0..HEAD")?;
/// let failing: Vec<&str> =
///     reports.iter().filter(|c| !c.report.is_ok()).map(|c| c.summary.as_str()).collect();
/// assert_eq!((reports.len(), failing), (2, vec!["fxi: a typo"]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
}
