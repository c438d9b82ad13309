//! The commit model: a message parsed as a Conventional Commit (with git-conventional), or
//! recognised as one of git's own messages, and the bump it causes under the configuration.

use serde::Serialize;

use crate::version::Bump;

pub(crate) mod config;

pub use config::CommitsConfig;

/// What a commit message is.
///
/// ```
/// use relcore::{Kind, Message};
/// assert_eq!(Message::parse("fix: x").kind(), Kind::Conventional);
/// assert_eq!(Message::parse("fixup! fix: x").kind(), Kind::Fixup);
/// assert_eq!(Kind::of_git_header("Revert \"fix: x\""), Some(Kind::Revert));
/// assert_eq!(Kind::NonConventional.as_str(), "non-conventional");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// A Conventional Commit (`type(scope)!: description`).
    Conventional,
    /// A merge: a commit with several parents, or git's `Merge ...` message.
    Merge,
    /// git's `Revert "..."` message.
    Revert,
    /// `fixup! ...`, to be squashed away by `git rebase --autosquash`.
    Fixup,
    /// `squash! ...`.
    Squash,
    /// `amend! ...`.
    Amend,
    /// Anything else: not a Conventional Commit. It bumps nothing.
    NonConventional,
}

impl Kind {
    /// The kind of message git itself writes that `header` starts with, if any.
    pub fn of_git_header(header: &str) -> Option<Kind> {
        if header.starts_with("Merge ") {
            Some(Kind::Merge)
        } else if header.starts_with("Revert \"") {
            Some(Kind::Revert)
        } else if header.starts_with("fixup! ") {
            Some(Kind::Fixup)
        } else if header.starts_with("squash! ") {
            Some(Kind::Squash)
        } else if header.starts_with("amend! ") {
            Some(Kind::Amend)
        } else {
            None
        }
    }

    /// The name used in JSON output, e.g. `non-conventional`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Conventional => "conventional",
            Kind::Merge => "merge",
            Kind::Revert => "revert",
            Kind::Fixup => "fixup",
            Kind::Squash => "squash",
            Kind::Amend => "amend",
            Kind::NonConventional => "non-conventional",
        }
    }
}

/// A footer (`Token: value` or `Token #value`) of a Conventional Commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Footer {
    /// The token, e.g. `Refs` or `BREAKING CHANGE`.
    pub token: String,
    /// The value after the separator.
    pub value: String,
    /// Whether this footer announces a breaking change.
    pub breaking: bool,
}

/// A parsed Conventional Commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConventionalCommit {
    /// The type as written, e.g. `feat` or `FEAT`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The scope, if any.
    pub scope: Option<String>,
    /// Breaking, by `!` or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer.
    pub breaking: bool,
    /// The footer's explanation of the breaking change, else the description when `!` marks it.
    pub breaking_description: Option<String>,
    /// The text after `: ` on the first line.
    pub description: String,
    /// The body between the header and the footers.
    pub body: Option<String>,
    /// The footers, in order.
    pub footers: Vec<Footer>,
}

impl ConventionalCommit {
    /// The bump this commit causes: major when breaking, else its type's entry in
    /// `commits.types`, none for a type not listed there.
    pub fn bump(&self, commits: &CommitsConfig) -> Bump {
        bump_for(self.breaking, &self.type_, commits)
    }
}

fn bump_for(breaking: bool, ty: &str, commits: &CommitsConfig) -> Bump {
    if breaking {
        Bump::Major
    } else {
        commits.bump_for(ty).unwrap_or(Bump::None)
    }
}

/// A commit message, parsed.
///
/// ```
/// use relcore::{Kind, Message};
/// let Message::Conventional(commit) = Message::parse("feat(io): read in chunks") else {
///     panic!("a Conventional Commit");
/// };
/// assert_eq!((commit.scope.as_deref(), commit.description.as_str()), (Some("io"), "read in chunks"));
/// assert_eq!(Message::parse("Merge branch 'topic'"), Message::Git(Kind::Merge));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// A Conventional Commit.
    Conventional(ConventionalCommit),
    /// One of git's own messages (merge, revert, fixup/squash/amend); never a Conventional Commit.
    Git(Kind),
    /// Not a Conventional Commit; the parser's reason.
    NonConventional(String),
}

impl Message {
    /// Parses a full commit message (header, optional body and footers).
    ///
    /// ```
    /// use relcore::{Bump, Config, Message};
    /// let config = Config::default();
    /// let msg = Message::parse("feat(parser)!: accept tabs\n\nBREAKING CHANGE: spaces no longer work\n");
    /// let Message::Conventional(c) = &msg else { panic!("conventional") };
    /// assert_eq!((c.type_.as_str(), c.scope.as_deref()), ("feat", Some("parser")));
    /// assert_eq!(c.breaking_description.as_deref(), Some("spaces no longer work"));
    /// assert_eq!(msg.bump(&config.commits), Bump::Major);
    ///
    /// assert_eq!(Message::parse("Merge branch 'topic'").bump(&config.commits), Bump::None);
    /// assert!(matches!(Message::parse("wip"), Message::NonConventional(_)));
    /// ```
    pub fn parse(text: &str) -> Message {
        let text = trim_message(text);
        if let Some(kind) = Kind::of_git_header(header(text)) {
            return Message::Git(kind);
        }
        match git_conventional::Commit::parse(text) {
            Ok(c) => Message::Conventional(ConventionalCommit {
                type_: c.type_().as_str().to_owned(),
                scope: c.scope().map(|s| s.as_str().to_owned()),
                breaking: c.breaking(),
                breaking_description: c.breaking_description().map(str::to_owned),
                description: c.description().to_owned(),
                body: c.body().map(str::to_owned),
                footers: c
                    .footers()
                    .iter()
                    .map(|f| Footer {
                        token: f.token().as_str().to_owned(),
                        value: f.value().to_owned(),
                        breaking: f.breaking(),
                    })
                    .collect(),
            }),
            Err(e) => Message::NonConventional(e.to_string()),
        }
    }

    /// The kind of message.
    pub fn kind(&self) -> Kind {
        match self {
            Message::Conventional(_) => Kind::Conventional,
            Message::Git(kind) => *kind,
            Message::NonConventional(_) => Kind::NonConventional,
        }
    }

    /// The bump this message causes; git's own messages and non-conventional ones bump nothing.
    pub fn bump(&self, commits: &CommitsConfig) -> Bump {
        match self {
            Message::Conventional(c) => c.bump(commits),
            _ => Bump::None,
        }
    }

    /// The Conventional Commit, if it is one.
    pub fn conventional(&self) -> Option<&ConventionalCommit> {
        match self {
            Message::Conventional(c) => Some(c),
            _ => None,
        }
    }
}

/// The kind and bump of a message without building a [`Message`]: the allocation-free path
/// used when walking long histories. Agrees with [`Message::parse`] followed by [`Message::bump`].
pub fn classify(text: &str, commits: &CommitsConfig) -> (Kind, Bump) {
    let text = trim_message(text);
    if let Some(kind) = Kind::of_git_header(header(text)) {
        return (kind, Bump::None);
    }
    match git_conventional::Commit::parse(text) {
        Ok(c) => (
            Kind::Conventional,
            bump_for(c.breaking(), c.type_().as_str(), commits),
        ),
        Err(_) => (Kind::NonConventional, Bump::None),
    }
}

/// A raw message as text: borrowed when it is valid UTF-8 (checked with the fast validator),
/// else decoded lossily with U+FFFD for each invalid sequence.
pub fn lossy_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The first line of a message.
pub fn header(text: &str) -> &str {
    text.split('\n')
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r')
}

/// The message without leading blank lines and trailing whitespace, as git stores it after cleanup.
fn trim_message(text: &str) -> &str {
    text.trim_start_matches(['\n', '\r']).trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn bump(text: &str) -> Bump {
        let commits = CommitsConfig::default();
        let parsed = Message::parse(text).bump(&commits);
        assert_eq!(
            classify(text, &commits).1,
            parsed,
            "classify disagrees on {text:?}"
        );
        parsed
    }

    #[test]
    fn bumps() {
        assert_eq!(bump("fix: a\n"), Bump::Patch);
        assert_eq!(bump("feat: a"), Bump::Minor);
        assert_eq!(bump("FEAT: a"), Bump::Minor);
        assert_eq!(bump("Fix(x): a"), Bump::Patch);
        assert_eq!(bump("docs: a"), Bump::None);
        assert_eq!(bump("docs!: a"), Bump::Major);
        assert_eq!(bump("fxi!: a"), Bump::Major);
        assert_eq!(bump("fxi: a"), Bump::None);
        assert_eq!(bump("feat(x)!: a"), Bump::Major);
        assert_eq!(
            bump("fix: a\n\nbody\n\nBREAKING CHANGE: gone\n"),
            Bump::Major
        );
        assert_eq!(bump("fix: a\n\nBREAKING-CHANGE: gone\n"), Bump::Major);
        assert_eq!(
            bump("fix: a\n\nbreaking change: not a footer\n"),
            Bump::Patch
        );
        assert_eq!(bump("Merge branch 'feat: x'"), Bump::None);
        assert_eq!(
            bump("Revert \"feat: x\"\n\nThis reverts commit abc.\n"),
            Bump::None
        );
        assert_eq!(bump("fixup! feat: x"), Bump::None);
        assert_eq!(bump("wip"), Bump::None);
        assert_eq!(bump(""), Bump::None);
        assert_eq!(bump("\n\nfeat: leading blank lines\n\n\n"), Bump::Minor);
    }

    #[test]
    fn fields() {
        let msg =
            Message::parse("fix(api): handle nulls\n\nLonger text.\n\nRefs: #12\nReviewed-by: Z\n");
        let c = msg.conventional().expect("conventional");
        assert_eq!(c.description, "handle nulls");
        assert_eq!(c.body.as_deref(), Some("Longer text."));
        assert_eq!(c.footers.len(), 2);
        assert_eq!(
            (c.footers[0].token.as_str(), c.footers[0].value.as_str()),
            ("Refs", "#12")
        );
        assert!(!c.breaking);
        assert_eq!(Message::parse("amend! x").kind(), Kind::Amend);
        assert_eq!(Message::parse("squash! x").kind(), Kind::Squash);
    }

    #[test]
    fn huge_message() {
        let text = format!("feat: big\n\n{}\n", "a line of body text\n".repeat(60_000));
        assert_eq!(bump(&text), Bump::Minor);
    }
}
