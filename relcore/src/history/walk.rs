//! Walking history: the commits of a range (as `git rev-list` lists them), of a tip since its
//! latest release, and ancestry tests.

use gix::ObjectId;

use super::ancestry::{self, Ancestry};
use super::{
    Base, CommitCache, DecodedCommit, Error, ReadSubject, Repo, TagRef, WalkedCommit, message_of,
    read_err,
};

/// Commits as [`Repo::rev_graph`] lists them: each with its committer time and its parents
/// within the set, by index.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    index: std::collections::HashMap<ObjectId, usize>,
    time: Vec<i64>,
    parents: Vec<usize>,
    parent_start: Vec<usize>,
}

impl Graph {
    /// How many commits it holds.
    pub(crate) fn len(&self) -> usize {
        self.time.len()
    }

    /// The index of commit `id`, if the set holds it.
    pub(crate) fn index_of(&self, id: ObjectId) -> Option<usize> {
        self.index.get(&id).copied()
    }

    /// Commit `i`'s committer time (seconds since the epoch).
    pub(crate) fn time(&self, i: usize) -> i64 {
        self.time[i]
    }

    /// Commit `i`'s parents within the set.
    pub(crate) fn parents(&self, i: usize) -> &[usize] {
        &self.parents[self.parent_start[i]..self.parent_start[i + 1]]
    }
}

impl Repo {
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
        let input = self.rev_list_input(tips, hidden);
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

    /// What `git rev-list --stdin` reads for `tips --not hidden`: hidden ids the repository
    /// does not have left out.
    fn rev_list_input(&self, tips: &[ObjectId], hidden: &[ObjectId]) -> String {
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
        input
    }

    /// The commits of [`Repo::rev_list`] with their committer times and their parents among
    /// them (`git rev-list --timestamp --parents`), in one run of git: a `Graph`.
    ///
    /// # Errors
    /// When git cannot run or fails (a tip the repository does not have).
    pub(crate) fn rev_graph(&self, tips: &[ObjectId], hidden: &[ObjectId]) -> Result<Graph, Error> {
        let mut graph = Graph::default();
        if tips.is_empty() {
            return Ok(graph);
        }
        let input = self.rev_list_input(tips, hidden);
        let out = self.git_cli().run(
            &["rev-list", "--stdin", "--timestamp", "--parents"],
            Some(input.as_bytes()),
        )?;
        let bad = |line: &str| Error::BadRevision {
            spec: line.to_owned(),
            reason: "git rev-list printed a line that is not `time id parents...`".into(),
        };
        let mut parents: Vec<Vec<ObjectId>> = Vec::new();
        for line in out.lines() {
            let mut words = line.split(' ');
            let time = words.next().and_then(|t| t.parse::<i64>().ok());
            let ids = words
                .map(|w| ObjectId::from_hex(w.as_bytes()).ok())
                .collect::<Option<Vec<_>>>();
            let (Some(time), Some(ids)) = (time, ids) else {
                return Err(bad(line));
            };
            let Some((id, rest)) = ids.split_first() else {
                return Err(bad(line));
            };
            graph.index.insert(*id, graph.time.len());
            graph.time.push(time);
            parents.push(rest.to_vec());
        }
        // Parents outside the set (hidden) are left out.
        for list in parents {
            graph.parent_start.push(graph.parents.len());
            graph
                .parents
                .extend(list.iter().filter_map(|p| graph.index.get(p).copied()));
        }
        graph.parent_start.push(graph.parents.len());
        Ok(graph)
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
    pub(super) fn with_ancestry<R>(
        &self,
        cache: &mut CommitCache,
        f: impl FnOnce(&mut Ancestry<'_, '_, '_>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        if cache.shallow.is_none() {
            let shallow = self
                .repo
                .shallow_commits()
                .map_err(read_err(ReadSubject::ShallowFile))?;
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

    pub(super) fn stopped(&self, stop: ancestry::Stop<Error>) -> Error {
        match stop {
            ancestry::Stop::Shallow(commit) => Error::Shallow { commit },
            ancestry::Stop::Read(id, source) => self.shallow_or(id, source),
            ancestry::Stop::Candidate(error) => error,
        }
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
            .map_err(read_err(ReadSubject::ShallowFile))?;
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
    pub(super) fn shallow_or(&self, id: ObjectId, source: gix::Error) -> Error {
        if self.repo.is_shallow().unwrap_or(false) {
            Error::Shallow { commit: id }
        } else {
            Error::read(ReadSubject::History(id), source)
        }
    }
}
