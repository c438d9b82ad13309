//! Updating a changelog file as `rel changelog` does: which releases to render (those the file
//! lacks, only the unreleased commits, or all of them), and where they go, keeping every other
//! byte of the file. Reading and rendering those releases is `stream`'s.

use std::io::Write;
use std::path::{Path, PathBuf};

mod stream;

use super::{DEFAULT_INTRO, Error, Layout, Release, Releases, Templates, layout};
use super::{insert_sections, separator};
use crate::config::Config;
use crate::history::{Repo, Warning};
use crate::paths;

/// Which releases an update renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// The releases the file does not have yet, and the Unreleased section (replacing the
    /// file's own).
    #[default]
    New,
    /// Only the Unreleased section (the commits since the last release).
    Unreleased,
    /// Every release from the whole history; the file keeps only what comes before its first
    /// release heading (its title and introduction).
    All,
}

/// What [`Update::write_file`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The file was rewritten from the whole history ([`Mode::All`]).
    Wrote,
    /// New sections were put in the file.
    Updated,
    /// The file already had them: nothing was written.
    UpToDate,
}

/// An update of one changelog file, releases rendered newest first as they are read from
/// history (see [`Releases`]): memory stays bounded by the largest release.
#[derive(Debug)]
pub struct Update<'r> {
    releases: Releases<'r>,
    templates: Templates,
    layout: Layout,
    existing: Option<Vec<u8>>,
    mode: Mode,
    path: PathBuf,
}

/// Starts updating the changelog of `repo`: `output`, or the `[changelog] path` file (which must
/// stay inside the work tree), read now; a missing file starts from a default title.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// use relcore::changelog::{self, Mode, Outcome};
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = repo.load_config()?;
/// std::fs::write(dir.path().join("CHANGELOG.md"), "# Changelog\n\nKept as it is.\n")?;
/// let mut update = changelog::update(&repo, &config, Mode::New, None)?;
/// assert_eq!(update.write_file(|_release| {})?, Outcome::Updated);
/// let text = std::fs::read_to_string(update.path())?;
/// assert!(text.starts_with("# Changelog\n\nKept as it is.\n\n## [Unreleased]"));
/// assert!(text.contains("retry on EINTR") && text.contains("## [0.1.0]"));
/// // Nothing new since: the file is left alone.
/// let mut again = changelog::update(&repo, &config, Mode::New, None)?;
/// assert_eq!(again.write_file(|_release| {})?, Outcome::UpToDate);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// When a template cannot be loaded, the configured path leaves the work tree, the file is not
/// a regular file or cannot be read, or history cannot be read.
pub fn update<'r>(
    repo: &'r Repo,
    config: &'r Config,
    mode: Mode,
    output: Option<PathBuf>,
) -> Result<Update<'r>, Error> {
    let root = repo.root();
    let templates = Templates::new(config, &root)?;
    // An explicit output is the caller's choice, anywhere; `changelog.path` stays in the tree.
    let path = match output {
        Some(path) => path,
        None => root.resolve("changelog.path", &config.changelog.path)?,
    };
    // Read as bytes, and only a regular file: a symlink, FIFO or device is refused unopened.
    let existing = paths::read(&path)?;
    let layout = layout(existing.as_deref().unwrap_or_default());
    Ok(Update {
        releases: Releases::new(repo, config)?,
        templates,
        layout,
        existing,
        mode,
        path,
    })
}

impl Update<'_> {
    /// The file being updated.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Odd release-named tags met so far, ignored.
    pub fn warnings(&self) -> &[Warning] {
        &self.releases.warnings
    }

    /// The new sections, newest first ([`Mode::All`]: every release's).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// use relcore::changelog::{self, Mode, Outcome};
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = repo.load_config()?;
    /// let mut update = changelog::update(&repo, &config, Mode::Unreleased, None)?;
    /// let sections = update.sections(|_release| {})?;
    /// assert_eq!(sections.len(), 1);
    /// assert!(sections[0].starts_with("## [Unreleased]") && sections[0].contains("retry on EINTR"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Update::each_release`].
    pub fn sections(&mut self, mut on_release: impl FnMut(&Release)) -> Result<Vec<String>, Error> {
        let mut sections = Vec::new();
        self.each_release(|release, section| {
            on_release(release);
            sections.push(section);
            Ok::<_, Error>(())
        })?;
        Ok(sections)
    }

    /// The whole changelog of [`Mode::All`], streamed to `out`: the file's title and
    /// introduction kept byte for byte (else a default one), then every release.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// use relcore::changelog::{self, Mode, Outcome};
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = repo.load_config()?;
    /// let mut update = changelog::update(&repo, &config, Mode::All, None)?;
    /// let mut out = Vec::new();
    /// update.write_all::<Box<dyn std::error::Error>>(&mut out, |_release| {})?;
    /// let text = String::from_utf8(out)?;
    /// assert!(text.starts_with("# Changelog") && text.contains("## [0.1.0]"));
    /// assert!(!dir.path().join("CHANGELOG.md").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Update::each_release`]; when `out` fails.
    pub fn write_all<E: From<Error> + From<std::io::Error>>(
        &mut self,
        out: &mut dyn Write,
        mut on_release: impl FnMut(&Release),
    ) -> Result<(), E> {
        let eol = self.layout.line_ending;
        let kept = match &self.existing {
            Some(bytes) => {
                let head = &bytes[..self.layout.first_release.unwrap_or(bytes.len())];
                (!head.trim_ascii().is_empty()).then(|| head.to_vec())
            }
            None => None,
        }
        .unwrap_or_else(|| eol.apply(DEFAULT_INTRO));
        out.write_all(&kept)?;
        let mut first = true;
        self.each_release(|release, section| {
            on_release(release);
            if first {
                out.write_all(&separator(&kept, eol))?;
            } else {
                out.write_all(eol.as_bytes())?;
            }
            first = false;
            out.write_all(&eol.apply(&section))?;
            Ok::<_, E>(())
        })
    }

    /// Updates the file in place, atomically: [`Mode::All`] rewrites it from the whole
    /// history; the other modes put the new sections where they go, keeping every other byte.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
    /// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
    /// use relcore::changelog::{self, Mode, Outcome};
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = repo.load_config()?;
    /// let mut update = changelog::update(&repo, &config, Mode::All, None)?;
    /// let mut released = 0;
    /// assert_eq!(update.write_file(|_release| released += 1)?, Outcome::Wrote);
    /// assert_eq!(released, 2); // Unreleased and 0.1.0
    /// assert!(std::fs::read_to_string(dir.path().join("CHANGELOG.md"))?.contains("## [0.1.0]"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Update::each_release`]; when the file cannot be written.
    pub fn write_file(&mut self, on_release: impl FnMut(&Release)) -> Result<Outcome, Error> {
        if self.mode == Mode::All {
            let path = self.path.clone();
            paths::write_with(&path.clone(), false, |out| {
                self.write_all::<Wrapped>(out, on_release)
                    .map_err(|e| e.into_error(&path))
            })?;
            return Ok(Outcome::Wrote);
        }
        let sections = self.sections(on_release)?;
        let base = self.existing.as_deref().unwrap_or(DEFAULT_INTRO.as_bytes());
        let updated = insert_sections(base, &sections, true);
        if self.existing.as_deref() == Some(updated.as_slice()) {
            return Ok(Outcome::UpToDate);
        }
        paths::write(&self.path, &updated)?;
        Ok(Outcome::Updated)
    }
}

/// A changelog error or a failed write, before the path of the write is known.
enum Wrapped {
    Changelog(Error),
    Io(std::io::Error),
}

impl From<Error> for Wrapped {
    fn from(e: Error) -> Self {
        Wrapped::Changelog(e)
    }
}

impl From<std::io::Error> for Wrapped {
    fn from(e: std::io::Error) -> Self {
        Wrapped::Io(e)
    }
}

impl Wrapped {
    fn into_error(self, path: &Path) -> Error {
        match self {
            Wrapped::Changelog(e) => e,
            Wrapped::Io(source) => Error::Path(paths::Error::Write {
                path: path.to_owned(),
                source,
            }),
        }
    }
}
