//! Announcements (`rel announce`): one message per audience about a release, rendered from a
//! minijinja template (built in for `dev`, `ops`, `product` and `support`; `[announce.<name>]`
//! configures any audience), in the section's format, and delivered through its `command`
//! (the message on stdin) or `webhook` (an HTTP POST of the JSON form), each delivery recorded
//! as an `announce` entry.
//!
//! Which changes an audience hears of: a commit with an `Audience:` trailer goes to the
//! audiences it names and no other; any other commit goes to the audiences whose `types` (and
//! `scopes`, when set) it matches. Breaking changes are in every audience's default types.
//!
//! The template context: `project` (the work tree's directory name), `audience`, `format`,
//! `release` (as in the changelog, its groups holding only the audience's commits), `defects`
//! (`{open, fixed}` at the version, or none), `waivers`, `readiness` (the latest review:
//! `go`, `items`, `actor`, `entry`; or none), `running` (the environments it runs in), `rollback` (per environment: `to`, the
//! release a rollback deploys, and `auto`), `contact`. `footer.md.j2` can be included.

use std::path::{Path, PathBuf};
use std::time::Duration;

use minijinja::Value;
use minijinja::value::Serde;
use serde::Serialize;

use crate::changelog::{self, Entry, Release};
use crate::config::{AudienceConfig, BUILTIN_AUDIENCES, Config, Format};
use crate::history::Repo;
use crate::record::{self, Appended, Draft, Event, Scope, State, write::Session};

const FOOTER: &str = include_str!("../../templates/announce/footer.md.j2");

fn builtin(audience: &str) -> Option<(&'static str, &'static str)> {
    Some(match audience {
        "dev" => (
            "dev.md.j2",
            include_str!("../../templates/announce/dev.md.j2"),
        ),
        "ops" => (
            "ops.md.j2",
            include_str!("../../templates/announce/ops.md.j2"),
        ),
        "product" => (
            "product.md.j2",
            include_str!("../../templates/announce/product.md.j2"),
        ),
        "support" => (
            "support.md.j2",
            include_str!("../../templates/announce/support.md.j2"),
        ),
        _ => return None,
    })
}

/// The commit types an audience hears of when its section sets none.
fn default_types(audience: &str) -> &'static [&'static str] {
    match audience {
        "ops" => &["fix", "perf", "revert", "build", "ci"],
        "product" => &["feat", "fix"],
        "support" => &["feat", "fix", "revert"],
        _ => &["feat", "fix", "perf", "revert"],
    }
}

/// How long a delivery command or webhook may take.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(60);

/// Why announcements could not be made or sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The release could not be read, or a template failed.
    #[error(transparent)]
    Changelog(#[from] changelog::Error),
    /// The defects file could not be read.
    #[error(transparent)]
    Defects(#[from] crate::defects::Error),
    /// The record, the release or git failed.
    #[error(transparent)]
    Record(#[from] record::Error),
    /// An audience no section configures and no built-in template serves.
    #[error("no audience `{audience}`: the audiences are {}", .known.join(", "))]
    NoSuchAudience {
        /// The audience asked for.
        audience: String,
        /// Those there are.
        known: Vec<String>,
    },
    /// An email without a sender: `from` unset and git knows no user.
    #[error("announce.{audience}: an email needs a sender: set from, or git config user.email")]
    NoSender {
        /// The audience.
        audience: String,
    },
    /// `--send` for an audience with neither `command` nor `webhook`.
    #[error("announce.{audience} has no command or webhook to send through: set one in rel.toml")]
    NoChannel {
        /// The audience.
        audience: String,
    },
    /// The delivery failed.
    #[error("sending the {audience} announcement failed: {reason}")]
    Delivery {
        /// The audience.
        audience: String,
        /// What happened.
        reason: String,
    },
}

/// One audience's announcement, rendered.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Rendered {
    /// The audience.
    pub audience: String,
    /// Its format.
    pub format: Format,
    /// The subject line.
    pub subject: String,
    /// The template's output.
    pub body: String,
    /// The message as delivered: the body (markdown, text), a whole RFC 5322 message
    /// (email), or the JSON document (json).
    pub message: String,
    /// The JSON document a webhook receives (`text`, `subject`, the release's facts).
    #[serde(skip)]
    pub json: String,
    /// Where `--send` delivers it.
    #[serde(skip)]
    pub channel: Option<Channel>,
}

/// Where an announcement is delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Channel {
    /// A command that reads the message on stdin (`sh -c`).
    Command(String),
    /// An address that takes an HTTP POST of the JSON form.
    Webhook(String),
}

impl Channel {
    fn name(&self) -> &'static str {
        match self {
            Channel::Command(_) => "command",
            Channel::Webhook(_) => "webhook",
        }
    }
}

/// The audiences `rel announce` renders: the four built-in ones, then every configured one.
pub fn audiences(config: &Config) -> Vec<String> {
    let mut all: Vec<String> = BUILTIN_AUDIENCES.iter().map(|&a| a.to_owned()).collect();
    for name in config.announce.keys() {
        if !all.contains(name) {
            all.push(name.clone());
        }
    }
    all
}

/// The announcements of release `tag` for `only` (one audience) or every audience, with the
/// record's `state`, at `now` (seconds since the epoch: the email's date).
///
/// # Errors
/// [`Error::NoSuchAudience`]; when the release, the defects file or a template cannot be read
/// or rendered (a template error names its file and line); [`Error::NoSender`].
pub fn render(
    repo: &Repo,
    config: &Config,
    state: &State,
    tag: &str,
    only: Option<&str>,
    now: i64,
) -> Result<Vec<Rendered>, Error> {
    let known = audiences(config);
    let wanted: Vec<String> = match only {
        Some(a) if known.iter().any(|k| k == a) => vec![a.to_owned()],
        Some(a) => {
            return Err(Error::NoSuchAudience {
                audience: a.to_owned(),
                known,
            });
        }
        None => known,
    };
    let facts = Facts::new(repo, config, state, tag)?;
    wanted
        .iter()
        .map(|audience| {
            let default = AudienceConfig::default();
            let section = config.announce.get(audience).unwrap_or(&default);
            facts.render(repo, config, audience, section, now)
        })
        .collect()
}

/// What every audience's announcement of one release is made from.
struct Facts {
    release: Release,
    project: String,
    defects: Option<crate::defects::Outstanding>,
    waivers: Vec<record::Waiver>,
    readiness: Option<record::Review>,
    running: Vec<String>,
    rollback: Vec<RollbackPlan>,
    tagger: String,
    root: crate::paths::Root,
}

#[derive(Debug, Clone, Serialize)]
struct RollbackPlan {
    environment: String,
    to: Option<String>,
    auto: bool,
}

impl Facts {
    fn new(repo: &Repo, config: &Config, state: &State, tag: &str) -> Result<Self, Error> {
        // Every section shown: an audience's types pick what it hears of, hidden or not.
        let mut all = config.clone();
        for section in &mut all.changelog.sections {
            section.hidden = false;
        }
        let range = changelog::range_for(repo, &all, Some(tag))?;
        let links = changelog::links(repo, &all);
        let release = changelog::build_release(repo, &all, &range, links.as_ref())?;
        let root = repo.root();
        let defects = crate::defects::Defects::load(&root, &config.notes.defects)?;
        let version = release
            .version
            .as_deref()
            .and_then(|v| semver::Version::parse(v).ok());
        let defects = match (defects, version) {
            (Some(d), Some(v)) => Some(d.at(&v)),
            (Some(_), None) => Some(crate::defects::Outstanding::default()),
            (None, _) => None,
        };
        let (tag_object, _) = record::release_of(repo, tag)?;
        let running = config
            .environments
            .keys()
            .filter(|env| state.running(env).is_some_and(|d| d.is(tag, tag_object)))
            .cloned()
            .collect();
        let rollback = config
            .environments
            .iter()
            .map(|(env, e)| RollbackPlan {
                environment: env.clone(),
                to: state
                    .deployments(env)
                    .iter()
                    .rev()
                    .find(|d| d.verified() && !d.is(tag, tag_object))
                    .map(|d| d.tag.clone()),
                auto: e.rollback == crate::config::Rollback::Auto,
            })
            .collect();
        Ok(Facts {
            release,
            project: project_name(&root),
            defects,
            waivers: state.counted_waivers(config, tag, tag_object),
            readiness: state.review(tag, tag_object).cloned(),
            running,
            rollback,
            tagger: tagger(repo, tag_object).unwrap_or_default(),
            root,
        })
    }

    fn render(
        &self,
        repo: &Repo,
        config: &Config,
        audience: &str,
        section: &AudienceConfig,
        now: i64,
    ) -> Result<Rendered, Error> {
        let (name, source) = if section.template.as_os_str().is_empty() {
            let (name, source) = builtin(audience).ok_or_else(|| Error::NoSuchAudience {
                audience: audience.to_owned(),
                known: audiences(config),
            })?;
            (name.to_owned(), source.to_owned())
        } else {
            let path = self
                .root
                .resolve(&format!("announce.{audience}.template"), &section.template)
                .map_err(changelog::Error::from)?;
            let source = changelog::read_text(path.clone())?;
            (shown(&path, &self.root), source)
        };
        let release = select(&self.release, audience, section);
        let contact = if section.contact.trim().is_empty() {
            self.tagger.clone()
        } else {
            section.contact.trim().to_owned()
        };
        let ctx = minijinja::context! {
            project => &self.project,
            audience => audience,
            format => section.format.as_str(),
            release => Value::from(Serde(&release)),
            defects => self.defects.as_ref().map(|d| Value::from(Serde(d))),
            waivers => Value::from(Serde(&self.waivers)),
            readiness => self.readiness.as_ref().map(|r| Value::from(Serde(serde_json::json!({
                "go": r.readiness.go,
                "items": r.readiness.items,
                "actor": r.actor,
                "entry": r.entry,
                "time": r.time,
            })))),
            running => &self.running,
            rollback => Value::from(Serde(&self.rollback)),
            contact => contact,
        };
        let body =
            changelog::render_source(&name, &source, ctx.clone(), &[("footer.md.j2", FOOTER)])?;
        let subject_source = if section.subject.trim().is_empty() {
            "{{ project }} {{ release.tag }} released"
        } else {
            section.subject.as_str()
        };
        let subject_name = format!("announce.{audience}.subject");
        let subject = one_line(&changelog::render_source(
            &subject_name,
            subject_source,
            ctx,
            &[],
        )?);
        let json = serde_json::to_string_pretty(&serde_json::json!({
            "text": body,
            "subject": subject,
            "audience": audience,
            "project": self.project,
            "tag": release.tag,
            "version": release.version,
            "date": release.date,
            "compare_url": release.compare_url,
        }))
        .expect("JSON serializes");
        let message = match section.format {
            Format::Markdown | Format::Text => body.clone(),
            Format::Json => format!("{json}\n"),
            Format::Email => {
                let from = if section.from.trim().is_empty() {
                    git_sender(repo).ok_or_else(|| Error::NoSender {
                        audience: audience.to_owned(),
                    })?
                } else {
                    section.from.trim().to_owned()
                };
                email(&Mail {
                    from: &from,
                    to: &section.to,
                    subject: &subject,
                    date: now,
                    id: &format!(
                        "{}.{audience}.{now}",
                        release.tag.as_deref().unwrap_or("release")
                    ),
                    tag: release.tag.as_deref().unwrap_or_default(),
                    body: &body,
                })
            }
        };
        let channel = match (section.command.trim(), section.webhook.trim()) {
            ("", "") => None,
            (command, "") => Some(Channel::Command(command.to_owned())),
            (_, webhook) => Some(Channel::Webhook(webhook.to_owned())),
        };
        Ok(Rendered {
            audience: audience.to_owned(),
            format: section.format,
            subject,
            body,
            message,
            json,
            channel,
        })
    }
}

/// A path as errors name it: from the work tree root when inside it.
fn shown(path: &Path, root: &crate::paths::Root) -> String {
    path.strip_prefix(root.dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The name of the project: its work tree's directory.
fn project_name(root: &crate::paths::Root) -> String {
    root.dir().file_name().map_or_else(
        || "project".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The tagger of tag object `id`, `Name <e-mail>`.
fn tagger(repo: &Repo, id: gix::ObjectId) -> Option<String> {
    let object = repo.gix().find_object(id).ok()?;
    let tag = gix::objs::TagRef::from_bytes(&object.data, id.kind()).ok()?;
    let who = tag.tagger().ok().flatten()?;
    Some(format!("{} <{}>", who.name, who.email))
}

/// git's `user.name <user.email>`, when it knows the e-mail.
fn git_sender(repo: &Repo) -> Option<String> {
    let git = repo.git_cli();
    let email = git.run(&["config", "user.email"], None).ok()?;
    let email = email.trim();
    if email.is_empty() {
        return None;
    }
    let name = git.run(&["config", "user.name"], None).unwrap_or_default();
    Some(match name.trim() {
        "" => email.to_owned(),
        name => format!("{name} <{email}>"),
    })
}

/// `release` with only the changes `audience` hears of.
fn select(release: &Release, audience: &str, section: &AudienceConfig) -> Release {
    let types: Vec<String> = match &section.types {
        Some(types) => types.iter().map(|t| t.to_lowercase()).collect(),
        None => default_types(audience)
            .iter()
            .map(|&t| t.to_owned())
            .collect(),
    };
    let wanted = |c: &Entry| -> bool {
        let named: Vec<String> = c
            .footers
            .iter()
            .filter(|f| f.token.eq_ignore_ascii_case("audience"))
            .flat_map(|f| {
                f.value
                    .split(|ch: char| ch == ',' || ch.is_whitespace())
                    .filter(|a| !a.is_empty())
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
            })
            .collect();
        if !named.is_empty() {
            return named.iter().any(|a| a == audience);
        }
        let typed = c.breaking || c.type_.as_ref().is_some_and(|t| types.contains(t));
        let scoped = section.scopes.is_empty()
            || c.scope.as_ref().is_some_and(|s| section.scopes.contains(s));
        typed && scoped
    };
    let mut selected = release.clone();
    selected.breaking.retain(|c| wanted(c));
    for group in &mut selected.groups {
        group.commits.retain(|c| wanted(c));
    }
    selected.groups.retain(|g| !g.commits.is_empty());
    selected
}

/// `text` on one line: header injection is not possible through a subject.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An e-mail message's parts.
struct Mail<'a> {
    from: &'a str,
    to: &'a [String],
    subject: &'a str,
    date: i64,
    id: &'a str,
    tag: &'a str,
    body: &'a str,
}

/// A complete RFC 5322 message (RFC 2045 headers for a UTF-8 text body), ready for
/// `sendmail -t`: lines end in LF, as sendmail expects on its standard input.
fn email(mail: &Mail<'_>) -> String {
    let date = gix::date::Time::new(mail.date, 0).format_or_unix(gix::date::time::format::RFC2822);
    let domain = mail
        .from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim())
        .filter(|d| !d.is_empty())
        .unwrap_or("localhost");
    let id: String = mail
        .id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut out = String::new();
    let mut header = |name: &str, value: &str| {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(&one_line(value));
        out.push('\n');
    };
    header("From", mail.from);
    header("To", &mail.to.join(", "));
    header("Subject", &encode_word(mail.subject));
    header("Date", &date);
    header("Message-ID", &format!("<rel.{id}@{domain}>"));
    header("MIME-Version", "1.0");
    header("Content-Type", "text/plain; charset=utf-8");
    header("Content-Transfer-Encoding", "8bit");
    header("X-Rel-Release", mail.tag);
    out.push('\n');
    out.push_str(mail.body);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `text` as it may stand in a header: as it is when ASCII, else RFC 2047 encoded words
/// (UTF-8, base64), each under 76 characters.
fn encode_word(text: &str) -> String {
    use base64::Engine;
    if text.is_ascii() {
        return text.to_owned();
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    words.push(chunk);
    words
        .iter()
        .map(|w| {
            format!(
                "=?utf-8?b?{}?=",
                base64::engine::general_purpose::STANDARD.encode(w.as_bytes())
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What [`send`] did for one audience.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sent {
    /// The audience.
    pub audience: String,
    /// How (`command`, `webhook`).
    pub channel: &'static str,
    /// `Err`: the delivery failed (why), nothing was recorded. `Ok`: the entry, as judged
    /// before sending ([`Appended::Refused`], [`Appended::Untrusted`]: nothing was sent) or
    /// recorded after ([`Appended::Pushed`]).
    pub outcome: Result<Appended, String>,
}

/// Delivers each of `rendered` through its channel and records an `announce` entry for each
/// delivered one (audiences without a channel are an error before anything is sent).
///
/// # Errors
/// [`Error::NoChannel`] for an audience without command or webhook; when git or the record
/// fail.
pub fn send(to: Scope<'_>, rendered: &[Rendered]) -> Result<Vec<Sent>, Error> {
    if let Some(r) = rendered.iter().find(|r| r.channel.is_none()) {
        return Err(Error::NoChannel {
            audience: r.audience.clone(),
        });
    }
    let mut session = Session::default();
    let mut sent = Vec::new();
    for r in rendered {
        let Some(channel) = &r.channel else { continue };
        let mut draft = Draft::new(Event::Announce, to.tag, "");
        let (payload, format) = match channel {
            Channel::Command(_) => (&r.message, r.format.as_str()),
            Channel::Webhook(_) => (&r.json, Format::Json.as_str()),
        };
        draft.announcement = Some(record::Announcement {
            audience: r.audience.clone(),
            format: format.to_owned(),
            channel: channel.name().to_owned(),
            sha256: crate::digest::sha256_hex(payload.as_bytes()),
        });
        // Nothing is sent that the record would refuse to show.
        let outcome = match session.judge(to.repo, to.config, to.anchors, to.remote, &draft)? {
            Some(refused) => Ok(refused),
            None => {
                let delivered = match channel {
                    Channel::Command(command) => deliver_command(to, r, command),
                    Channel::Webhook(url) => deliver_webhook(r, url),
                };
                match delivered {
                    Ok(()) => {
                        Ok(session.append(to.repo, to.config, to.anchors, to.remote, &draft)?)
                    }
                    Err(why) => Err(why),
                }
            }
        };
        sent.push(Sent {
            audience: r.audience.clone(),
            channel: channel.name(),
            outcome,
        });
    }
    Ok(sent)
}

fn deliver_command(to: Scope<'_>, r: &Rendered, command: &str) -> Result<(), String> {
    let dir: PathBuf = to.repo.root().dir().to_owned();
    let vars = [
        ("REL_TAG", to.tag.to_owned()),
        ("REL_AUDIENCE", r.audience.clone()),
        ("REL_FORMAT", r.format.as_str().to_owned()),
        ("REL_SUBJECT", r.subject.clone()),
    ];
    let shell = crate::process::Shell {
        input: Some(r.message.as_bytes()),
        output: None,
        unset: &[],
    };
    match crate::process::run_shell_with(command, &dir, &vars, DELIVERY_TIMEOUT, &shell) {
        Ok((Some(0), false)) => Ok(()),
        Ok((_, true)) => Err(format!("`{command}` ran out of time")),
        Ok((Some(code), _)) => Err(format!("`{command}` exited with {code}")),
        Ok((None, _)) => Err(format!("`{command}` was killed")),
        Err(e) => Err(format!("cannot run `{command}`: {e}")),
    }
}

fn deliver_webhook(r: &Rendered, url: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client =
            crate::http::client(Some(DELIVERY_TIMEOUT)).map_err(|e| crate::http::chain(&e))?;
        let response = client
            .post(url)
            .header("Content-Type", "application/json")
            .body(r.json.clone())
            .send()
            .await
            .map_err(|e| crate::http::chain(&e))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the webhook answered HTTP {}", status.as_u16()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_headers_a_blank_line_and_the_body() {
        let to = vec![
            "support@example.com".to_owned(),
            "ops@example.com".to_owned(),
        ];
        let message = email(&Mail {
            from: "Rm <rm@example.com>",
            to: &to,
            subject: "app v1.2.0 released\nBcc: everyone@example.com",
            date: 1_767_225_600,
            id: "v1.2.0.support.1767225600",
            tag: "v1.2.0",
            body: "Hello.\n",
        });
        assert!(message.starts_with(
            "From: Rm <rm@example.com>\nTo: support@example.com, ops@example.com\nSubject: app v1.2.0 released Bcc: everyone@example.com\nDate: Thu, 01 Jan 2026 00:00:00 +0000\nMessage-ID: <rel.v1.2.0.support.1767225600@example.com>\n"
        ), "{message}");
        assert!(
            message.ends_with("X-Rel-Release: v1.2.0\n\nHello.\n"),
            "{message}"
        );
        assert_eq!(encode_word("café"), "=?utf-8?b?Y2Fmw6k=?=");
    }
}
