//! `[readiness]` and `[announce.<audience>]`: the go/no-go checklist a release passes before a
//! promotion that requires it, and how each audience hears of a release (SPEC 9).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::defects::Severity;

/// `[readiness]`: the checklist `rel ready` runs, and who may waive or record it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct ReadinessConfig {
    /// Roles whose signed waiver lets a failed required item pass.
    pub waivers: Vec<String>,
    /// Roles that may record a readiness review (empty: any trusted signer).
    pub reviewers: Vec<String>,
    /// How long each `command` item may run (default 30m).
    pub timeout: Option<super::Duration>,
    /// The items, in the order they run and are shown.
    pub items: Vec<ReadinessItem>,
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawItem", into = "RawItem")]
#[non_exhaustive]
pub struct ReadinessItem {
    /// Its name, unique in the checklist (what `--waive` names).
    pub name: String,
    /// What it checks.
    pub kind: ItemKind,
    /// Whether a failure means no-go (`required = false`: advisory).
    pub required: bool,
}

/// What a checklist item checks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemKind {
    /// A command that must exit 0, run (`sh -c`) in a clean checkout of the tag.
    Command(String),
    /// A file that must exist in the tagged tree (path from its root).
    File(PathBuf),
    /// No defect of this severity or worse open at the release's version.
    Defects(Severity),
    /// The gate of this environment is satisfied for the release.
    Approval(String),
}

impl ItemKind {
    /// `command`, `file`, `defects` or `approval`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ItemKind::Command(_) => "command",
            ItemKind::File(_) => "file",
            ItemKind::Defects(_) => "defects",
            ItemKind::Approval(_) => "approval",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    defects: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approval: Option<String>,
    #[serde(default = "yes")]
    required: bool,
}

fn yes() -> bool {
    true
}

impl TryFrom<RawItem> for ReadinessItem {
    type Error = String;

    fn try_from(raw: RawItem) -> Result<Self, String> {
        let name = raw.name.trim().to_owned();
        if name.is_empty() {
            return Err("a readiness item has an empty `name`".into());
        }
        let mut kinds = Vec::new();
        if let Some(command) = raw.command {
            if command.trim().is_empty() {
                return Err(format!("item `{name}`: `command` is empty"));
            }
            kinds.push(ItemKind::Command(command));
        }
        if let Some(file) = raw.file {
            crate::paths::check(&file).map_err(|reason| {
                format!(
                    "item `{name}`: {}",
                    crate::paths::check_message(&file, &reason)
                )
            })?;
            // `./docs/x.md` is `docs/x.md` in a tree.
            let file: PathBuf = file
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            if file.as_os_str().is_empty() {
                return Err(format!("item `{name}`: `file` is empty"));
            }
            kinds.push(ItemKind::File(file));
        }
        if let Some(severity) = raw.defects {
            kinds.push(ItemKind::Defects(severity));
        }
        if let Some(env) = raw.approval {
            kinds.push(ItemKind::Approval(env));
        }
        if kinds.len() != 1 {
            return Err(format!(
                "item `{name}` needs exactly one of `command`, `file`, `defects` (critical, major, minor) or `approval` (an environment), not {}",
                kinds.len()
            ));
        }
        Ok(ReadinessItem {
            name,
            kind: kinds.remove(0),
            required: raw.required,
        })
    }
}

impl From<ReadinessItem> for RawItem {
    fn from(item: ReadinessItem) -> Self {
        let mut raw = RawItem {
            name: item.name,
            command: None,
            file: None,
            defects: None,
            approval: None,
            required: item.required,
        };
        match item.kind {
            ItemKind::Command(c) => raw.command = Some(c),
            ItemKind::File(f) => raw.file = Some(f),
            ItemKind::Defects(s) => raw.defects = Some(s),
            ItemKind::Approval(e) => raw.approval = Some(e),
        }
        raw
    }
}

/// The audiences with built-in announcement templates.
pub const BUILTIN_AUDIENCES: [&str; 4] = ["dev", "ops", "product", "support"];

/// `[announce]`: audience name → how it hears of a release.
pub type AnnounceConfig = BTreeMap<String, AudienceConfig>;

/// `[announce.<audience>]`: one audience's announcement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct AudienceConfig {
    /// A minijinja template for the message body, relative to the work tree root; empty for
    /// the built-in one of `dev`, `ops`, `product` and `support`.
    #[serde(deserialize_with = "crate::paths::confined")]
    pub template: PathBuf,
    /// How the message is rendered.
    pub format: Format,
    /// Recipients of the `email` format.
    pub to: Vec<String>,
    /// The `email` format's sender (default: git's user.name and user.email).
    pub from: String,
    /// The subject line (email) or heading, a minijinja template; empty for
    /// `{{ project }} {{ release.tag }} released`.
    pub subject: String,
    /// Whom to contact with questions (default: the release's tagger).
    pub contact: String,
    /// The commit types whose changes this audience hears of; unset: the audience's default
    /// (dev: all; ops: fixes, performance, build, ci, reverts; product: features and fixes;
    /// support: features, fixes and reverts). Breaking changes always.
    pub types: Option<Vec<String>>,
    /// The scopes it hears of; empty: any.
    pub scopes: Vec<String>,
    /// `--send` pipes the rendered message into this command (`sh -c`).
    pub command: String,
    /// `--send` POSTs the rendered JSON here (`http://` or `https://`).
    pub webhook: String,
}

/// An announcement's format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// Markdown.
    #[default]
    Markdown,
    /// Plain text: the template's text.
    Text,
    /// A complete RFC 5322 message (headers and a text body), ready for `sendmail -t`.
    Email,
    /// A JSON document with the text (`text`, as chat webhooks take it) and the facts.
    Json,
}

impl Format {
    /// `markdown`, `text`, `email` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::Email => "email",
            Format::Json => "json",
        }
    }
}
