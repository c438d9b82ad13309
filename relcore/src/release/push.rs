//! Publishing a release: its branch and tag pushed together.

use super::{Error, Plan, work_tree};
use crate::git::Git;
use crate::history::Repo;

/// Pushes the branch and the tag together (`git push --atomic`): both or neither.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let git = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
/// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args).envs([("GIT_CONFIG_NOSYSTEM", "1"), ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_AUTHOR_NAME", "A"), ("GIT_AUTHOR_EMAIL", "a@example.com"), ("GIT_COMMITTER_NAME", "A"), ("GIT_COMMITTER_EMAIL", "a@example.com")]).output()?;
/// #     if out.status.success() { Ok(String::from_utf8(out.stdout)?.trim().to_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
/// # };
/// # for args in [&["init", "-q", "-b", "main"][..], &["commit", "-q", "--allow-empty", "-m", "feat: first"], &["tag", "-a", "v0.1.0", "-m", "v0.1.0"], &["commit", "-q", "--allow-empty", "-m", "fix(io): retry on EINTR"]] { git(args)?; }
/// use relcore::release::{self, CutOptions};
/// git(&["config", "user.name", "A"])?;
/// git(&["config", "user.email", "a@example.com"])?;
/// let repo = relcore::Repo::discover(dir.path())?;
/// let config = relcore::Config::from_toml("[policy]\nrequire_signed_tags = false\n", "rel.toml".as_ref())?;
/// let mut options = CutOptions::default();
/// options.sign = Some(false);
/// let remote = tempfile::tempdir()?;
/// git(&["init", "-q", "--bare", &remote.path().display().to_string()])?;
/// git(&["remote", "add", "origin", &remote.path().display().to_string()])?;
/// git(&["push", "-q", "-u", "origin", "main"])?;
/// let plan = release::plan(&repo, &config, &options)?;
/// release::apply(&repo, &plan)?;
/// release::push(&repo, &plan)?;
/// assert!(git(&["ls-remote", "origin"])?.contains("refs/tags/v0.1.1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Git`] when the push fails; the local release stays. [`Error::Refused`] in a bare
/// repository.
pub fn push(repo: &Repo, plan: &Plan) -> Result<String, Error> {
    let git = Git::new(work_tree(repo)?.dir());
    let remote = git
        .run(
            &["config", "--get", &format!("branch.{}.remote", plan.branch)],
            None,
        )
        .unwrap_or_else(|_| "origin".into());
    git.run(
        &[
            "push",
            "--atomic",
            &remote,
            &format!("refs/heads/{0}:refs/heads/{0}", plan.branch),
            &format!("refs/tags/{0}:refs/tags/{0}", plan.tag),
        ],
        None,
    )
    .map_err(|source| Error::Push {
        remote: remote.clone(),
        branch: plan.branch.clone(),
        tag: plan.tag.clone(),
        source,
    })?;
    Ok(remote)
}
