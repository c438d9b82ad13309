//! The releases an update wants, streamed newest first: which ones ([`build`]), read from
//! history on the caller's thread while another assembles and renders them.

use super::{Mode, Update};
use crate::changelog::collect::Known;
use crate::changelog::{Error, Layout, Release, ReleaseRange, Releases, Unassembled};

impl Update<'_> {
    /// Builds and renders each release the mode asks for, newest first, and hands it to `emit`
    /// with its rendered section.
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
    /// let mut versions = Vec::new();
    /// update.each_release(|release, section| {
    ///     assert!(section.starts_with("## "));
    ///     versions.push(release.version.clone());
    ///     Ok::<_, changelog::Error>(())
    /// })?;
    /// assert_eq!(versions, [None, Some("0.1.0".to_owned())]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// When history cannot be read or a template fails; `emit`'s own error.
    pub fn each_release<E: From<Error>>(
        &mut self,
        mut emit: impl FnMut(&Release, String) -> Result<(), E>,
    ) -> Result<(), E> {
        // Each release is read here; its commits are parsed and its section rendered on a
        // thread of their own meanwhile, a few releases behind at most. Sections are handed
        // to `emit` in order, on this thread.
        let (config, links) = (self.releases.config(), self.releases.links().cloned());
        let (releases, templates) = (&mut self.releases, &self.templates);
        let (mode, layout) = (self.mode, &self.layout);
        std::thread::scope(|scope| {
            let (to_render, rendering) =
                std::sync::mpsc::sync_channel::<(ReleaseRange, Unassembled)>(AHEAD);
            // Unbounded, so that the renderer never waits on this thread while it waits to send:
            // it is drained after every send, so it holds a few sections at most.
            let (to_emit, rendered) = std::sync::mpsc::channel();
            scope.spawn(move || {
                let mut known = Known::default();
                for (range, read) in rendering {
                    let release = read.assemble(config, links.as_ref(), &range, &mut known);
                    let section = templates.changelog_section(&release);
                    if to_emit.send((release, section)).is_err() {
                        break;
                    }
                }
            });
            let mut emit_one =
                |(release, section): (Release, Result<String, Error>)| emit(&release, section?);
            let built = build::<E>(releases, mode, layout, |range, read| {
                // A closed channel means the renderer is gone (it panicked): join reports it.
                if to_render.send((range, read)).is_err() {
                    return Ok(());
                }
                while let Ok(done) = rendered.try_recv() {
                    emit_one(done)?;
                }
                Ok(())
            });
            drop(to_render);
            built?;
            for done in rendered {
                emit_one(done)?;
            }
            Ok(())
        })
    }

    /// Builds each release the mode asks for, newest first, and hands it to `each` unrendered:
    /// the template context of each section (`rel changelog --context`).
    ///
    /// # Errors
    /// When history cannot be read; `each`'s own error.
    pub fn each_context<E: From<Error>>(
        &mut self,
        mut each: impl FnMut(Release) -> Result<(), E>,
    ) -> Result<(), E> {
        let (config, links) = (self.releases.config(), self.releases.links().cloned());
        let mut known = Known::default();
        build(
            &mut self.releases,
            self.mode,
            &self.layout,
            |range, read| each(read.assemble(config, links.as_ref(), &range, &mut known)),
        )
    }
}

/// How many releases may wait to be rendered.
const AHEAD: usize = 32;

/// Builds the releases `mode` wants of those `releases` yields, newest first, handing each to
/// `each`: stops before a release the file already has (or any, for [`Mode::Unreleased`]).
fn build<E: From<Error>>(
    releases: &mut Releases<'_>,
    mode: Mode,
    layout: &Layout,
    mut each: impl FnMut(ReleaseRange, Unassembled) -> Result<(), E>,
) -> Result<(), E> {
    let present = |version: &semver::Version| layout.versions.contains(&version.to_string());
    loop {
        let wanted = match releases.peek() {
            None => false,
            Some(None) => true,
            Some(Some(tag)) => match mode {
                Mode::Unreleased => false,
                Mode::New => !present(&tag.version),
                Mode::All => true,
            },
        };
        let Some((range, read)) = wanted.then(|| releases.next_read()).transpose()?.flatten()
        else {
            return Ok(());
        };
        // HEAD on a release has no unreleased commits: what came is that release.
        match (&range.tag, mode) {
            (Some(_), Mode::Unreleased) => return Ok(()),
            (Some(tag), Mode::New) if present(&tag.version) => return Ok(()),
            _ => {}
        }
        each(range, read)?;
    }
}
