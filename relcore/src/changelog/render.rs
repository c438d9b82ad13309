//! The minijinja templates: the built-in ones embedded at build time, overridable from rel.toml.
//! Templates run with strict undefined behaviour (a typo is an error, not an empty string) and
//! debug info on, so an error names the template and line and shows an excerpt.

use std::fmt;
use std::path::Path;

use crate::paths::Root;

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value, context, syntax::SyntaxConfig};

use super::Error;
use super::context::Release;
use crate::config::Config;

const CHANGELOG: &str = include_str!("../../../templates/changelog.md.j2");
const NOTES: &str = include_str!("../../../templates/release-notes.md.j2");
const TAG_MESSAGE: &str = include_str!("../../../templates/tag-message.j2");

/// Which template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateKind {
    /// One release section of the changelog (`changelog.md.j2`).
    Changelog,
    /// Release notes for one version (`release-notes.md.j2`).
    Notes,
    /// The message of an annotated release tag (`tag-message.j2`).
    TagMessage,
}

impl TemplateKind {
    fn builtin(self) -> (&'static str, &'static str) {
        match self {
            TemplateKind::Changelog => ("changelog.md.j2", CHANGELOG),
            TemplateKind::Notes => ("release-notes.md.j2", NOTES),
            TemplateKind::TagMessage => ("tag-message.j2", TAG_MESSAGE),
        }
    }
}

/// The loaded templates.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    names: [String; 3],
}

/// What the template engine said about a template: its message, then an excerpt of the
/// template with the fault marked and the variables it referenced (the source of
/// [`Error::Template`]).
#[derive(Debug)]
pub struct TemplateError(minijinja::Error);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The alternate form is minijinja's with the excerpt.
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for TemplateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

fn template_error(name: &str, e: minijinja::Error) -> Error {
    Error::Template {
        name: e.name().unwrap_or(name).to_owned(),
        line: e.line(),
        source: TemplateError(e),
    }
}

impl Templates {
    /// The built-in templates, with the overrides configured in `[changelog] template` and
    /// `[notes] template` (paths inside `root`, the work tree).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// use relcore::changelog::{Releases, TemplateKind, Templates};
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = repo.load_config()?;
    /// let mut releases = Releases::new(&repo, &config)?;
    /// let (_, unreleased) = releases.next_release()?.expect("the commits since v0.1.0");
    /// let (_, v0_1_0) = releases.next_release()?.expect("v0.1.0");
    /// let templates = Templates::new(&config, &repo.root())?;
    /// assert!(templates.changelog_section(&unreleased)?.starts_with("## [Unreleased]"));
    /// assert!(templates.notes(&unreleased, None)?.contains("retry on EINTR"));
    /// assert!(templates.tag_message(&v0_1_0)?.starts_with("Release v0.1.0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When an override's path leaves the root, or it cannot be read or does not parse.
    pub fn new(config: &Config, root: &Root) -> Result<Self, Error> {
        let mut templates = Templates {
            env: environment(),
            names: Default::default(),
        };
        for kind in [
            TemplateKind::Changelog,
            TemplateKind::Notes,
            TemplateKind::TagMessage,
        ] {
            let (name, source) = kind.builtin();
            templates.add(kind, name.to_owned(), source.to_owned())?;
        }
        let overrides = [
            (
                TemplateKind::Changelog,
                "changelog.template",
                &config.changelog.template,
            ),
            (
                TemplateKind::Notes,
                "notes.template",
                &config.notes.template,
            ),
        ];
        for (kind, key, path) in overrides {
            if !path.as_os_str().is_empty() {
                let path = root.resolve(key, path)?;
                let source = super::read_text(path.clone())?;
                templates.add(kind, path.display().to_string(), source)?;
            }
        }
        Ok(templates)
    }

    /// Replaces the `kind` template with the file at `path` (a path the user gave, followed as given).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// use relcore::changelog::{Releases, TemplateKind, Templates};
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = repo.load_config()?;
    /// let mut releases = Releases::new(&repo, &config)?;
    /// let (_, unreleased) = releases.next_release()?.expect("the commits since v0.1.0");
    /// let (_, v0_1_0) = releases.next_release()?.expect("v0.1.0");
    /// let mut templates = Templates::new(&config, &repo.root())?;
    /// std::fs::write(dir.path().join("short.j2"), "{{ release.tag }}: {{ release.counts.commits }} commit(s)")?;
    /// templates.load(TemplateKind::Notes, &dir.path().join("short.j2"))?;
    /// assert_eq!(templates.notes(&v0_1_0, None)?, "v0.1.0: 1 commit(s)\n");
    /// let _ = unreleased;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When the file cannot be read or does not parse.
    pub fn load(&mut self, kind: TemplateKind, path: &Path) -> Result<(), Error> {
        let source = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        self.add(kind, path.display().to_string(), source)
    }

    fn add(&mut self, kind: TemplateKind, name: String, source: String) -> Result<(), Error> {
        self.env
            .add_template_owned(name.clone(), source)
            .map_err(|e| template_error(&name, e))?;
        self.names[kind as usize] = name;
        Ok(())
    }

    fn render(&self, kind: TemplateKind, ctx: Value) -> Result<String, Error> {
        let name = &self.names[kind as usize];
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(name, e))?;
        template.render(ctx).map_err(|e| template_error(name, e))
    }

    /// One release section of the changelog, ending in exactly one newline.
    ///
    /// # Errors
    /// [`Error::Template`] when the template fails.
    pub fn changelog_section(&self, release: &Release) -> Result<String, Error> {
        let text = self.render(
            TemplateKind::Changelog,
            context! { release => Value::from(Serde(release)) },
        )?;
        Ok(normalise(&text))
    }

    /// Release notes; `known_issues` is the Markdown of the configured file (`None` when no
    /// file is configured).
    ///
    /// # Errors
    /// [`Error::Template`] when the template fails.
    pub fn notes(&self, release: &Release, known_issues: Option<&str>) -> Result<String, Error> {
        self.notes_with(release, known_issues, None, &[])
    }

    /// Release notes with the outstanding `defects` of `[notes] defects` (`None` when not
    /// configured) and the readiness `waivers` that let the release pass.
    ///
    /// # Errors
    /// [`Error::Template`] when the template fails.
    pub fn notes_with(
        &self,
        release: &Release,
        known_issues: Option<&str>,
        defects: Option<&crate::defects::Outstanding>,
        waivers: &[crate::record::Waiver],
    ) -> Result<String, Error> {
        let text = self.render(
            TemplateKind::Notes,
            context! {
                release => Value::from(Serde(release)),
                known_issues => known_issues.map(str::trim),
                defects => defects.map(|d| Value::from(Serde(d))),
                waivers => Value::from(Serde(waivers)),
            },
        )?;
        Ok(normalise(&text))
    }

    /// The message of the release's annotated tag.
    ///
    /// # Errors
    /// [`Error::Template`] when the template fails.
    pub fn tag_message(&self, release: &Release) -> Result<String, Error> {
        let text = self.render(
            TemplateKind::TagMessage,
            context! { release => Value::from(Serde(release)) },
        )?;
        Ok(normalise(&text))
    }
}

/// The template engine as every rel template runs in it: strict undefined behaviour, debug
/// info, and blocks that take their own line away.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_debug(true);
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env
}

/// Renders template `source` (called `name` in errors) with `ctx`, as rel's own templates are
/// rendered, `partials` (name, source) there to include; whitespace tidied as [`Templates`]
/// does.
///
/// # Errors
/// [`Error::Template`] naming the template and line when it does not parse or fails.
pub(crate) fn render_source(
    name: &str,
    source: &str,
    ctx: Value,
    partials: &[(&str, &str)],
) -> Result<String, Error> {
    let mut env = environment();
    for (partial, text) in partials {
        env.add_template_owned((*partial).to_owned(), (*text).to_owned())
            .map_err(|e| template_error(partial, e))?;
    }
    env.add_template_owned(name.to_owned(), source.to_owned())
        .map_err(|e| template_error(name, e))?;
    let template = env
        .get_template(name)
        .map_err(|e| template_error(name, e))?;
    let text = template.render(ctx).map_err(|e| template_error(name, e))?;
    Ok(normalise(&text))
}

/// Trailing whitespace off each line, no leading or trailing blank lines, at most one blank
/// line in a row, one final newline: templates need not be fussy about whitespace.
fn normalise(text: &str) -> String {
    crate::lint::tidy(text.lines())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_error_names_the_template_and_line_and_keeps_the_excerpt_as_its_source() {
        let mut templates = Templates::new(&Config::default(), &Root::git_dir("/nowhere"))
            .expect("the built-in templates load");
        let err = templates
            .add(
                TemplateKind::Notes,
                "tpl.md.j2".into(),
                "## {{ release.version }}\n{{ release.title \n".into(),
            )
            .expect_err("a syntax error");
        assert_eq!(err.to_string(), "template tpl.md.j2, line 2");
        let source = std::error::Error::source(&err).expect("the engine's error is kept");
        assert_eq!(
            source.to_string(),
            concat!(
                "syntax error: unexpected end of input, expected end of variable block (in tpl.md.j2:2)\n",
                "---------------------------------- tpl.md.j2 ----------------------------------\n",
                "   1 | ## {{ release.version }}\n",
                "   2 > {{ release.title \n",
                "     i            ^^^^^ syntax error\n",
                "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n",
                "No referenced variables\n",
                "-------------------------------------------------------------------------------",
            )
        );
        assert!(source.source().is_none());
    }
}
