//! Reading the repository with gix: release tags, the base release, and the commits since.

use std::path::{Path, PathBuf};

use gix::ObjectId;
use semver::Version;

use crate::config::{self, Config};
use crate::version;

mod ancestry;

use ancestry::Ancestry;

/// Why the repository could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No git repository at or above the directory.
    #[error("not a git repository (or any parent up to the filesystem root): {}", path.display())]
    NotARepository {
        /// The directory searched from.
        path: PathBuf,
        /// What gix said.
        #[source]
        source: gix::Error,
    },
    /// The repository has no commits yet.
    #[error(
        "the repository has no commits yet (HEAD is `{branch}`, which does not exist): make a first commit"
    )]
    UnbornHead {
        /// The branch HEAD names.
        branch: String,
    },
    /// The history is cut off by a shallow clone before the walk could finish.
    #[error(
        "the history is shallow: commit {commit} has parents this clone does not have, so the commits since the last release cannot be counted; fetch the full history with `git fetch --unshallow --tags`"
    )]
    Shallow {
        /// The commit at the shallow boundary.
        commit: ObjectId,
    },
    /// A revision given by the user does not name a commit.
    #[error("`{spec}` does not name a commit: {reason}")]
    BadRevision {
        /// The revision as given.
        spec: String,
        /// Why not.
        reason: String,
    },
    /// A range was not of the form `A..B`, `A..`, `..B` or a single revision.
    #[error(
        "`{spec}` is not a range: use `A..B` (commits in B not in A), `A..`, `..B` or a single revision"
    )]
    BadRange {
        /// The range as given.
        spec: String,
    },
    /// A git command run to read the repository failed.
    #[error(transparent)]
    Git(#[from] crate::git::Error),
    /// Reading an object or reference failed.
    #[error("cannot read {what}")]
    Read {
        /// What was being read, e.g. `commit 1a2b3c4` or `tag v1.2.0`.
        what: String,
        /// What gix said.
        #[source]
        source: gix::Error,
    },
}

fn read_err(what: impl Into<String>) -> impl FnOnce(gix::Error) -> Error {
    let what = what.into();
    move |source| Error::Read { what, source }
}

/// A tag named `<tag_prefix><semver>`, as listed: not yet followed to what it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TagRef {
    /// The tag's short name, e.g. `v1.2.3`.
    pub name: String,
    /// The version it names.
    pub version: Version,
    /// What the reference points at: a tag object (annotated) or a commit (lightweight).
    pub target: ObjectId,
}

/// A release tag followed to the commit it marks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReleaseTag {
    /// The tag's short name, e.g. `v1.2.3`.
    pub name: String,
    /// The version it names.
    pub version: Version,
    /// The commit it points at.
    pub commit: ObjectId,
    /// What the reference points at: the tag object when annotated, else the commit.
    pub target: ObjectId,
    /// Whether it is an annotated tag (a tag object) rather than a lightweight one.
    pub annotated: bool,
}

/// Something odd found while reading, that did not stop the reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Warning {
    /// A tag with a release name that points at a tree or blob; it is ignored.
    #[error("tag `{tag}` looks like a release but points at a {kind}, not a commit; ignored")]
    TagNotOnCommit {
        /// The tag's short name.
        tag: String,
        /// `tree` or `blob`.
        kind: String,
    },
}

/// The base release and what was odd about the tags examined to find it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Base {
    /// The highest stable release tag HEAD contains, if any.
    pub tag: Option<ReleaseTag>,
    /// Release-named tags that were examined and ignored.
    pub warnings: Vec<Warning>,
}

/// What HEAD points at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Head {
    /// The commit.
    pub id: ObjectId,
    /// The branch (`main`), or `None` when HEAD is detached.
    pub branch: Option<String>,
}

/// Commits read while finding releases and walking ranges, kept from one search or walk to the
/// next on the same repository (up to a bound), so that a changelog reads each commit about
/// once.
#[derive(Default)]
pub(crate) struct CommitCache {
    store: ancestry::Store,
    /// The commit-graph file, once looked for.
    graph: Option<Option<gix::commitgraph::Graph>>,
    /// The shallow boundary, once read.
    shallow: Option<Vec<ObjectId>>,
}

impl std::fmt::Debug for CommitCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitCache")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// A commit met while walking history.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct WalkedCommit<'a> {
    /// Its id.
    pub id: ObjectId,
    /// Its parents (more than one: a merge).
    pub parent_ids: &'a [ObjectId],
    /// The raw message bytes (perhaps not UTF-8).
    pub message: &'a [u8],
    /// The whole raw commit object, for [`WalkedCommit::author`].
    pub data: &'a [u8],
    hash: gix::hash::Kind,
}

/// An object that cannot be read or decoded, and why.
#[derive(Debug, Clone)]
pub(crate) struct ObjectProblem {
    pub(crate) id: ObjectId,
    pub(crate) reason: String,
}

/// A commit decoded in full: what the push gate needs of it.
#[derive(Debug, Clone)]
pub(crate) struct DecodedCommit {
    pub(crate) parents: usize,
    pub(crate) message: String,
}

/// A person and a moment, from a commit's author line or a tag's tagger line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signature {
    /// The name, lossily decoded.
    pub name: String,
    /// The e-mail address, lossily decoded.
    pub email: String,
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// The time zone offset in seconds east of UTC.
    pub offset: i32,
}

impl Signature {
    fn from_gix(s: gix::actor::SignatureRef<'_>) -> Option<Self> {
        let time = s.time().ok()?;
        Some(Self {
            name: s.name.to_string(),
            email: s.email.to_string(),
            seconds: time.seconds,
            offset: time.offset,
        })
    }

    /// The date in the signer's time zone, `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        gix::date::Time::new(self.seconds, self.offset)
            .format_or_unix(gix::date::time::format::SHORT)
    }
}

impl<'a> WalkedCommit<'a> {
    /// The commit `id` of raw object `data`, as read before.
    pub(crate) fn from_raw(
        id: ObjectId,
        parent_ids: &'a [ObjectId],
        data: &'a [u8],
        hash: gix::hash::Kind,
    ) -> Self {
        WalkedCommit {
            id,
            parent_ids,
            message: message_of(data),
            data,
            hash,
        }
    }

    /// The hash kind of its id.
    pub(crate) fn hash(&self) -> gix::hash::Kind {
        self.hash
    }

    /// Whether it is a merge commit (more than one parent).
    pub fn is_merge(&self) -> bool {
        self.parent_ids.len() > 1
    }

    /// The author, if the commit's author line can be read.
    pub fn author(&self) -> Option<Signature> {
        // Straight to the header line; the full parse when it is not where git writes it.
        let line = self
            .data
            .split(|b| *b == b'\n')
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix(b"author "));
        if let Some(signature) = line.and_then(|l| gix::actor::SignatureRef::from_bytes(l).ok()) {
            return Signature::from_gix(signature);
        }
        let commit = gix::objs::CommitRefIter::from_bytes(self.data, self.hash);
        Signature::from_gix(commit.author().ok()?)
    }
}

/// A git repository, opened for reading release history.
#[derive(Debug, Clone)]
pub struct Repo {
    repo: gix::Repository,
    /// A throwaway view directory this handle reads through (see [`Repo::open_receiving`]).
    view: Option<std::sync::Arc<tempfile::TempDir>>,
    /// The quarantine of a push being received, for git commands run on this repository.
    quarantine: Option<PathBuf>,
    /// The real git dir behind a receiving view.
    cli_dir: Option<PathBuf>,
}

impl Repo {
    /// Finds the repository containing `dir`, like git does (honouring `GIT_DIR`): a work
    /// tree's, or a bare repository when `dir` is in one.
    ///
    /// # Errors
    /// [`Error::NotARepository`] when there is none.
    pub fn discover(dir: &Path) -> Result<Self, Error> {
        let not_a_repository = |source| Error::NotARepository {
            path: dir.to_owned(),
            source,
        };
        // Searched from an absolute path: from a relative one (`../server.git`, or `.` inside
        // a bare repository's `refs/`), gix 0.90 rewrites the bare repository's path as if it
        // ended in `.git` (wrong, and an assertion failure in debug builds).
        let absolute =
            std::path::absolute(dir).map_err(|e| not_a_repository(gix::Error::from_error(e)))?;
        let repo = gix::discover_with_environment_overrides(&absolute).map_err(not_a_repository)?;
        Ok(Self::from_gix(repo))
    }

    /// Opens the repository at `git_dir` (a `.git` directory or a bare repository), without discovery.
    ///
    /// # Errors
    /// [`Error::NotARepository`] when it is not one.
    pub fn open(git_dir: &Path) -> Result<Self, Error> {
        let repo = gix::open(git_dir).map_err(|source| Error::NotARepository {
            path: git_dir.to_owned(),
            source,
        })?;
        Ok(Self::from_gix(repo))
    }

    /// Wraps an already opened gix repository.
    ///
    /// Replace refs (`refs/replace/*`) are ignored: what rel reads is the objects as they are,
    /// whatever anyone pushed under `refs/replace/`, so no replacement can rewrite the history
    /// a policy, a version or a changelog is computed from. (gix reads no grafts file.)
    pub(crate) fn from_gix(mut repo: gix::Repository) -> Self {
        // The walk reads each commit right after the traversal decoded it: a small cache avoids inflating it twice.
        repo.object_cache_size_if_unset(4 * 1024 * 1024);
        repo.objects.ignore_replacements = true;
        Self {
            repo,
            view: None,
            quarantine: None,
            cli_dir: None,
        }
    }

    /// Opens the repository a server-side hook runs in, seeing the objects of the push being
    /// received. git keeps those in a quarantine directory (`GIT_QUARANTINE_PATH`) until the
    /// hooks accept the push, and gix does not read that variable; so this assembles a
    /// throwaway view: an empty object store whose alternates are the quarantine and the main
    /// store, and the real `HEAD`, `config`, `refs` and `packed-refs` linked in. Without a
    /// quarantine (a delete-only push) it is [`Repo::open`].
    ///
    /// # Errors
    /// When the view cannot be made or the repository cannot be opened.
    pub fn open_receiving(git_dir: &Path, quarantine: Option<&Path>) -> Result<Self, Error> {
        let Some(quarantine) = quarantine else {
            return Self::open(git_dir);
        };
        let io = |e: std::io::Error| Error::NotARepository {
            path: git_dir.to_owned(),
            source: gix::Error::from_error(e),
        };
        let git_dir = git_dir.canonicalize().map_err(io)?;
        let view = tempfile::tempdir().map_err(io)?;
        let info = view.path().join("objects/info");
        std::fs::create_dir_all(&info).map_err(io)?;
        std::fs::create_dir_all(view.path().join("objects/pack")).map_err(io)?;
        let quarantine = git_dir.join(quarantine);
        std::fs::write(
            info.join("alternates"),
            format!(
                "{}\n{}\n",
                quarantine.display(),
                git_dir.join("objects").display()
            ),
        )
        .map_err(io)?;
        for name in ["HEAD", "config", "refs", "packed-refs", "shallow"] {
            let target = git_dir.join(name);
            if target.exists() {
                #[cfg(unix)]
                std::os::unix::fs::symlink(&target, view.path().join(name)).map_err(io)?;
            }
        }
        let mut repo = Self::open(view.path())?;
        repo.view = Some(std::sync::Arc::new(view));
        repo.quarantine = Some(quarantine.to_owned());
        repo.cli_dir = Some(git_dir);
        Ok(repo)
    }

    /// git, run on this repository: on its real git dir (not a receiving view), seeing the
    /// quarantined objects of a push being received, never honouring replace refs or grafts.
    pub(crate) fn git_cli(&self) -> crate::git::Git {
        let git_dir = self
            .cli_dir
            .clone()
            .unwrap_or_else(|| self.repo.git_dir().to_owned());
        let dir = self.work_dir().unwrap_or(&git_dir).to_owned();
        let mut git = crate::git::Git::new(&dir).with_env("GIT_DIR", &git_dir);
        if let Some(quarantine) = &self.quarantine {
            git = git
                .with_env("GIT_OBJECT_DIRECTORY", quarantine)
                .with_env("GIT_ALTERNATE_OBJECT_DIRECTORIES", &git_dir.join("objects"));
        }
        git
    }

    /// The commits reachable from `tips` and from none of `hidden` (`git rev-list tips --not
    /// hidden`), newest first. git decides: it is the authority on ancestry, and it reads
    /// commits leniently, so an odd object among the hidden side's history (pushed before any
    /// gate) never makes this fail. Hidden ids the repository does not have are skipped.
    ///
    /// # Errors
    /// When git cannot run or fails (a tip the repository does not have).
    pub fn rev_list(&self, tips: &[ObjectId], hidden: &[ObjectId]) -> Result<Vec<ObjectId>, Error> {
        if tips.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = String::new();
        for id in tips {
            input.push_str(&id.to_string());
            input.push('\n');
        }
        for id in hidden.iter().filter(|id| self.repo.has_object(**id)) {
            input.push('^');
            input.push_str(&id.to_string());
            input.push('\n');
        }
        let out = self
            .git_cli()
            .run(&["rev-list", "--stdin"], Some(input.as_bytes()))?;
        out.lines()
            .map(|line| {
                ObjectId::from_hex(line.as_bytes()).map_err(|e| Error::BadRevision {
                    spec: line.to_owned(),
                    reason: e.to_string(),
                })
            })
            .collect()
    }

    /// The underlying gix repository.
    pub(crate) fn gix(&self) -> &gix::Repository {
        &self.repo
    }

    /// The work tree root, `None` for a bare repository.
    pub fn work_dir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Where `rel.toml` lives: the work tree root, or `$GIT_DIR` for a bare repository.
    pub fn config_path(&self) -> PathBuf {
        self.work_dir()
            .unwrap_or_else(|| self.repo.git_dir())
            .join(config::FILE_NAME)
    }

    /// Loads `rel.toml` (defaults when it does not exist).
    ///
    /// # Errors
    /// See [`Config::load`].
    pub fn load_config(&self) -> Result<Config, config::Error> {
        Config::load(&self.config_path())
    }

    /// The commit HEAD points at, and its branch unless detached.
    ///
    /// # Errors
    /// [`Error::UnbornHead`] in a repository without commits.
    pub fn head(&self) -> Result<Head, Error> {
        let head = self.repo.head().map_err(read_err("HEAD"))?;
        let branch = head.referent_name().map(|n| n.shorten().to_string());
        match head.id() {
            Some(id) => Ok(Head {
                id: id.detach(),
                branch,
            }),
            None => Err(Error::UnbornHead {
                branch: branch.unwrap_or_else(|| "HEAD".into()),
            }),
        }
    }

    /// Every tag named `<prefix><semver>`, highest version first. Reads only references, no
    /// objects: a repository with thousands of tags lists them in a few milliseconds.
    ///
    /// # Errors
    /// When references cannot be read.
    pub fn release_tags(&self, prefix: &str) -> Result<Vec<TagRef>, Error> {
        let mut tags = Vec::new();
        let platform = self.repo.references().map_err(read_err("references"))?;
        for reference in platform.tags().map_err(read_err("tags"))? {
            let reference = reference.map_err(read_err("tags"))?;
            let full = reference.name().as_bstr();
            let Some(name) = full
                .strip_prefix(b"refs/tags/")
                .and_then(|n| std::str::from_utf8(n).ok())
            else {
                continue;
            };
            let (Some(version), Some(target)) =
                (version::parse_tag(name, prefix), reference.try_id())
            else {
                continue;
            };
            tags.push(TagRef {
                name: name.to_owned(),
                version,
                target: target.detach(),
            });
        }
        tags.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
        Ok(tags)
    }

    /// Follows a tag through tag objects to its commit; `Err(Warning)` when it ends at a tree or blob.
    ///
    /// # Errors
    /// When an object cannot be read.
    pub fn peel(&self, tag: &TagRef) -> Result<Result<ReleaseTag, Warning>, Error> {
        let (mut id, mut annotated) = (tag.target, false);
        loop {
            let what = || format!("tag {}", tag.name);
            let header = self
                .repo
                .find_header(id)
                .map_err(|e| self.shallow_or(id, e))?;
            match header.kind() {
                gix::object::Kind::Commit => {
                    return Ok(Ok(ReleaseTag {
                        name: tag.name.clone(),
                        version: tag.version.clone(),
                        commit: id,
                        target: tag.target,
                        annotated,
                    }));
                }
                gix::object::Kind::Tag => {
                    annotated = true;
                    let object = self.repo.find_tag(id).map_err(read_err(what()))?;
                    id = object.target_id().map_err(read_err(what()))?.detach();
                }
                kind => {
                    return Ok(Err(Warning::TagNotOnCommit {
                        tag: tag.name.clone(),
                        kind: kind.to_string(),
                    }));
                }
            }
        }
    }

    /// The base release: the highest stable release tag whose commit is an ancestor of (or is) `head`.
    ///
    /// # Errors
    /// When history cannot be read, or a tag's commit lies beyond a shallow boundary.
    pub fn base(&self, tags: &[TagRef], head: ObjectId) -> Result<Base, Error> {
        self.latest_release(tags, head, false)
    }

    /// The highest release tag among `tags` (sorted highest first) whose commit is an ancestor
    /// of (or is) `head`; pre-releases count when `include_pre`.
    ///
    /// One walk of `head`'s history decides between all the tags, however many of them sit on
    /// branches `head` does not contain (see `history/ancestry.rs`). The warnings are those of
    /// the tags ranked above the release found.
    ///
    /// # Errors
    /// As [`Repo::base`].
    pub fn latest_release(
        &self,
        tags: &[TagRef],
        head: ObjectId,
        include_pre: bool,
    ) -> Result<Base, Error> {
        self.latest_release_cached(&mut CommitCache::default(), tags, head, include_pre)
    }

    /// [`Repo::latest_release`], reading commits through `cache`.
    pub(crate) fn latest_release_cached(
        &self,
        cache: &mut CommitCache,
        tags: &[TagRef],
        head: ObjectId,
        include_pre: bool,
    ) -> Result<Base, Error> {
        self.with_ancestry(cache, |ancestry| {
            self.latest_in(ancestry, tags, head, include_pre)
        })
    }

    /// [`Repo::latest_release`], reading commits through `ancestry`.
    fn latest_in(
        &self,
        ancestry: &mut Ancestry<'_, '_, '_>,
        tags: &[TagRef],
        head: ObjectId,
        include_pre: bool,
    ) -> Result<Base, Error> {
        let eligible: Vec<&TagRef> = tags
            .iter()
            .filter(|t| include_pre || version::is_stable(&t.version))
            .collect();
        // Tags are followed to their commits only as far as the search asks, best first.
        let mut peeled = Vec::new();
        let found = ancestry
            .best_contained(
                head,
                eligible.len(),
                |rank| eligible[rank].target,
                |rank| {
                    let release = self.peel(eligible[rank])?;
                    let commit = release.as_ref().ok().map(|r| r.commit);
                    peeled.push(release);
                    Ok(commit)
                },
            )
            .map_err(|stop| self.stopped(stop))?;
        let mut base = Base::default();
        for (rank, release) in peeled.into_iter().enumerate() {
            match release {
                Ok(release) if found == Some(rank) => {
                    base.tag = Some(release);
                    break;
                }
                Ok(_) => {}
                Err(warning) => base.warnings.push(warning),
            }
        }
        Ok(base)
    }

    /// Follows `id` through tag objects: `Some(commit)`, or `None` when it ends at a tree or
    /// blob. Each tag object on the way must decode.
    pub(crate) fn peel_to_commit(
        &self,
        mut id: ObjectId,
    ) -> Result<Option<ObjectId>, ObjectProblem> {
        let hash = self.repo.object_hash();
        loop {
            let object = self.repo.find_object(id).map_err(|e| ObjectProblem {
                id,
                reason: e.to_string(),
            })?;
            match object.kind {
                gix::object::Kind::Commit => return Ok(Some(id)),
                gix::object::Kind::Tag => {
                    let tag = gix::objs::TagRef::from_bytes(&object.data, hash).map_err(|e| {
                        ObjectProblem {
                            id,
                            reason: e.to_string(),
                        }
                    })?;
                    let tagger = tag.tagger().map_err(|e| ObjectProblem {
                        id,
                        reason: format!("bad tagger line: {e}"),
                    })?;
                    if let Some(tagger) = tagger {
                        tagger.time().map_err(|e| ObjectProblem {
                            id,
                            reason: format!("bad tagger date: {e}"),
                        })?;
                    }
                    id = tag.target();
                }
                _ => return Ok(None),
            }
        }
    }

    /// Decodes commit `id` wholly (headers, author and committer with their dates), as the
    /// gate must be able to; `Err` says what is wrong with it.
    pub(crate) fn decode_commit(&self, id: ObjectId) -> Result<DecodedCommit, String> {
        let object = self.repo.find_object(id).map_err(|e| e.to_string())?;
        if object.kind != gix::object::Kind::Commit {
            return Err(format!("a {} where a commit was expected", object.kind));
        }
        let commit = gix::objs::CommitRef::from_bytes(&object.data, self.repo.object_hash())
            .map_err(|e| e.to_string())?;
        for (role, line) in [
            ("author", commit.author()),
            ("committer", commit.committer()),
        ] {
            let signature = line.map_err(|e| format!("bad {role} line: {e}"))?;
            signature
                .time()
                .map_err(|e| format!("bad {role} date: {e}"))?;
        }
        Ok(DecodedCommit {
            parents: commit.parents.len(),
            message: crate::commit::lossy_text(commit.message).into_owned(),
        })
    }

    /// Runs `f` with a reader of the commit graph (through the commit-graph file when there is
    /// one) that keeps what it reads in `cache`.
    fn with_ancestry<R>(
        &self,
        cache: &mut CommitCache,
        f: impl FnOnce(&mut Ancestry<'_, '_, '_>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        if cache.shallow.is_none() {
            let shallow = self
                .repo
                .shallow_commits()
                .map_err(read_err("the shallow file"))?;
            cache.shallow = Some(shallow.map_or_else(Vec::new, |s| s.iter().copied().collect()));
        }
        if cache.graph.is_none() {
            cache.graph = Some(self.repo.commit_graph_if_enabled().ok().flatten());
        }
        let CommitCache {
            store,
            graph,
            shallow,
        } = cache;
        let graph = graph.as_ref().and_then(Option::as_ref);
        let shallow = shallow.as_deref().unwrap_or_default();
        f(&mut Ancestry::new(&self.repo, graph, shallow, store))
    }

    fn stopped(&self, stop: ancestry::Stop<Error>) -> Error {
        match stop {
            ancestry::Stop::Shallow(commit) => Error::Shallow { commit },
            ancestry::Stop::Read(id, source) => self.shallow_or(id, source),
            ancestry::Stop::Candidate(error) => error,
        }
    }

    /// When the release was made: the tagger of an annotated tag, else the committer of its commit.
    ///
    /// # Errors
    /// When the tag or commit object cannot be read.
    pub fn tag_signature(&self, tag: &ReleaseTag) -> Result<Option<Signature>, Error> {
        let what = || format!("tag {}", tag.name);
        if tag.annotated {
            let object = self.repo.find_tag(tag.target).map_err(read_err(what()))?;
            let decoded = object.decode().map_err(read_err(what()))?;
            if let Some(tagger) = decoded.tagger().ok().flatten() {
                return Ok(Signature::from_gix(tagger));
            }
        }
        let commit = self
            .repo
            .find_commit(tag.commit)
            .map_err(read_err(what()))?;
        let committer = commit.committer().map_err(read_err(what()))?;
        Ok(Signature::from_gix(committer))
    }

    /// The URL of remote `name`'s fetch side, if configured.
    pub fn remote_url(&self, name: &str) -> Option<String> {
        self.repo
            .config_snapshot()
            .string(format!("remote.{name}.url").as_str())
            .map(|u| u.to_string())
    }

    /// Walks the commits of `tip` since its latest release among `tags` (sorted highest first;
    /// pre-releases count when `include_pre`), adding each to a fresh `state()` with `each`,
    /// and returns that release with the state.
    ///
    /// The release is found first, in one walk for all the tags ([`Repo::latest_release`]);
    /// then `release..tip` is walked. With no release, the state covers all of `tip`'s history.
    ///
    /// # Errors
    /// When history cannot be read (a shallow boundary included).
    pub fn walk_since_release<S>(
        &self,
        tip: ObjectId,
        tags: &[TagRef],
        include_pre: bool,
        state: impl FnOnce() -> S,
        each: impl FnMut(&mut S, WalkedCommit<'_>),
    ) -> Result<(Base, S), Error> {
        self.walk_since_release_cached(
            &mut CommitCache::default(),
            tip,
            tags,
            include_pre,
            state,
            each,
        )
    }

    /// [`Repo::walk_since_release`], reading commits through `cache`.
    pub(crate) fn walk_since_release_cached<S>(
        &self,
        cache: &mut CommitCache,
        tip: ObjectId,
        tags: &[TagRef],
        include_pre: bool,
        state: impl FnOnce() -> S,
        mut each: impl FnMut(&mut S, WalkedCommit<'_>),
    ) -> Result<(Base, S), Error> {
        self.with_ancestry(cache, |ancestry| {
            let base = self.latest_in(ancestry, tags, tip, include_pre)?;
            let mut s = state();
            match &base.tag {
                Some(release) if release.commit == tip => {}
                Some(release) => {
                    self.walk_in(ancestry, tip, &[release.commit], |c| each(&mut s, c))?;
                }
                None => self.walk(tip, None, |c| each(&mut s, c))?,
            }
            Ok((base, s))
        })
    }

    /// For each of `targets`, whether `tip` contains it — in one walk for all of them: newest
    /// first down to (a day before) the oldest target's commit time, stopping once every target
    /// was met. A target the walk did not meet (clock skew) gets an exact ancestry test.
    ///
    /// # Errors
    /// When history cannot be read.
    pub fn contains_all(&self, tip: ObjectId, targets: &[ObjectId]) -> Result<Vec<bool>, Error> {
        let mut found = vec![false; targets.len()];
        if targets.is_empty() {
            return Ok(found);
        }
        let mut oldest = i64::MAX;
        for id in targets {
            let commit = self
                .repo
                .find_commit(*id)
                .map_err(|e| self.shallow_or(*id, e))?;
            oldest = oldest.min(commit.time().map_or(0, |t| t.seconds));
        }
        let walk = self
            .repo
            .rev_walk([tip])
            .sorting(gix::revision::walk::Sorting::ByCommitTimeCutoff {
                order: gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
                seconds: oldest.saturating_sub(86_400),
            })
            .all()
            .map_err(|e| self.shallow_or(tip, e))?;
        let mut left = targets.len();
        for info in walk {
            let info = info.map_err(|e| self.shallow_or(tip, e))?;
            for (i, target) in targets.iter().enumerate() {
                if !found[i] && *target == info.id {
                    found[i] = true;
                    left -= 1;
                }
            }
            if left == 0 {
                break;
            }
        }
        for (i, target) in targets.iter().enumerate() {
            if !found[i] {
                found[i] = self.is_ancestor(*target, tip)?;
            }
        }
        Ok(found)
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor).
    ///
    /// # Errors
    /// When history cannot be read.
    pub fn is_ancestor(&self, ancestor: ObjectId, descendant: ObjectId) -> Result<bool, Error> {
        if ancestor == descendant {
            return Ok(true);
        }
        match self.repo.merge_base(ancestor, descendant) {
            Ok(base) => Ok(base.is_some_and(|b| b.detach() == ancestor)),
            Err(source) => Err(self.shallow_or(ancestor, source)),
        }
    }

    /// Resolves a revision (`HEAD`, `v1.2.0`, `main~3`, an id) to the commit it names.
    ///
    /// # Errors
    /// [`Error::BadRevision`] when it names nothing, or something that is not a commit.
    pub fn resolve(&self, spec: &str) -> Result<ObjectId, Error> {
        let bad = |reason: String| Error::BadRevision {
            spec: spec.to_owned(),
            reason,
        };
        let id = self
            .repo
            .rev_parse_single(spec)
            .map_err(|e| bad(e.to_string()))?;
        let object = id.object().map_err(|e| bad(e.to_string()))?;
        let commit = object
            .peel_to_kind(gix::object::Kind::Commit)
            .map_err(|_| bad("it does not lead to a commit".into()))?;
        Ok(commit.id)
    }

    /// Resolves a range to the commit to walk from and the one whose history to leave out:
    /// `A..B`, `A..` (to HEAD), `..B` (from HEAD), or one revision for all of its history.
    ///
    /// # Errors
    /// [`Error::BadRange`] for `A...B` and the like, [`Error::BadRevision`] for a side that names no commit.
    pub fn range(&self, spec: &str) -> Result<(ObjectId, Option<ObjectId>), Error> {
        let side = |s: &str| self.resolve(if s.is_empty() { "HEAD" } else { s });
        match spec.split_once("..") {
            Some((_, to)) if to.starts_with('.') => Err(Error::BadRange { spec: spec.into() }),
            Some((from, to)) => Ok((side(to)?, Some(side(from)?))),
            None if spec.is_empty() => Err(Error::BadRange { spec: spec.into() }),
            None => Ok((side(spec)?, None)),
        }
    }

    /// The comment string git strips from edited messages: `core.commentString`, else
    /// `core.commentChar` (either may be `auto`), else `None` for git's default `#`.
    pub fn comment_setting(&self) -> Option<String> {
        let config = self.repo.config_snapshot();
        ["core.commentString", "core.commentChar"]
            .into_iter()
            .find_map(|key| config.string(key))
            .map(|v| v.to_string())
    }

    /// Calls `each` for every commit reachable from `tip` and not from any of `hidden` (`hidden..tip`),
    /// newest first (breadth-first from `tip`), merged branches included: the set `git rev-list`
    /// lists, decided as git decides it (see `history/ancestry.rs`). All of `tip`'s history
    /// (no `hidden`) is streamed, nothing kept; a range is decided before it is listed.
    ///
    /// # Errors
    /// [`Error::Shallow`] when the walk reaches a shallow boundary, [`Error::Read`] when an object
    /// cannot be read.
    pub fn walk(
        &self,
        tip: ObjectId,
        hidden: impl IntoIterator<Item = ObjectId>,
        mut each: impl FnMut(WalkedCommit<'_>),
    ) -> Result<(), Error> {
        // Tags hide what they point at; trees, blobs and unknown ids hide nothing.
        let hidden: Vec<ObjectId> = hidden
            .into_iter()
            .filter_map(|id| self.commit_behind(id))
            .collect();
        if !hidden.is_empty() {
            return self.with_ancestry(&mut CommitCache::default(), |ancestry| {
                self.walk_in(ancestry, tip, &hidden, each)
            });
        }
        // All of the history: streamed, nothing kept.
        let shallow = self
            .repo
            .shallow_commits()
            .map_err(read_err("the shallow file"))?;
        let walk = self
            .repo
            .rev_walk([tip])
            .all()
            .map_err(|e| self.shallow_or(tip, e))?;
        for info in walk {
            let info = info.map_err(|e| self.shallow_or(tip, e))?;
            if let Some(shallow) = &shallow
                && shallow.binary_search(&info.id).is_ok()
            {
                return Err(Error::Shallow { commit: info.id });
            }
            let commit = self
                .repo
                .find_commit(info.id)
                .map_err(|e| self.shallow_or(info.id, e))?;
            each(WalkedCommit {
                id: info.id,
                parent_ids: &info.parent_ids,
                message: commit.message_raw_sloppy(),
                data: &commit.data,
                hash: self.repo.object_hash(),
            });
        }
        Ok(())
    }

    /// The commit `id` is or (through tags) points at, if any.
    fn commit_behind(&self, id: ObjectId) -> Option<ObjectId> {
        match self.repo.find_header(id).ok()?.kind() {
            gix::object::Kind::Commit => Some(id),
            gix::object::Kind::Tag => {
                let object = self.repo.find_object(id).ok()?;
                Some(object.peel_to_kind(gix::object::Kind::Commit).ok()?.id)
            }
            _ => None,
        }
    }

    /// [`Repo::walk`] of `hidden..tip` (`hidden` not empty), reading commits through `ancestry`.
    fn walk_in(
        &self,
        ancestry: &mut Ancestry<'_, '_, '_>,
        tip: ObjectId,
        hidden: &[ObjectId],
        mut each: impl FnMut(WalkedCommit<'_>),
    ) -> Result<(), Error> {
        let listed = ancestry
            .range(tip, hidden)
            .map_err(|stop| self.stopped(stop))?;
        for id in listed {
            let read;
            let data = match ancestry.data(&id) {
                Some(data) => data,
                None => {
                    read = self
                        .repo
                        .find_commit(id)
                        .map_err(|e| self.shallow_or(id, e))?;
                    &read.data[..]
                }
            };
            each(WalkedCommit {
                id,
                parent_ids: ancestry.parents(&id),
                message: message_of(data),
                data,
                hash: self.repo.object_hash(),
            });
        }
        Ok(())
    }

    /// The error for a failed read at `id`: in a shallow clone, missing history is the likely cause.
    fn shallow_or(&self, id: ObjectId, source: gix::Error) -> Error {
        if self.repo.is_shallow().unwrap_or(false) {
            Error::Shallow { commit: id }
        } else {
            Error::Read {
                what: format!("the history of {}", id.to_hex_with_len(7)),
                source,
            }
        }
    }
}

/// The message of a raw commit object: everything after the headers (as gix's
/// `message_raw_sloppy`).
fn message_of(data: &[u8]) -> &[u8] {
    use gix::bstr::ByteSlice as _;
    data.find(b"\n\n").map_or(&[], |at| &data[at + 2..])
}
