//! The commit graph as the release history needs it: which of many ranked candidate commits is
//! the best one a tip contains, and the commits of a range, reading each commit once.
//!
//! **The best contained candidate** (the base release: the highest version HEAD contains). On
//! a project that releases from maintenance branches, most higher versions sit on branches
//! HEAD never merged, and proving that one is *not* contained is what costs: testing the
//! candidates one by one walks HEAD's history once per such tag. Here one walk settles them all.
//!
//! - The walk starts at the tip and marks what it reaches. A candidate reached is contained;
//!   the best one so far is kept, and only the candidates ranked above it still matter (they
//!   are *open*). Candidates are recognised by their commit once followed to it, and before
//!   that by what they point at (a lightweight tag names its commit).
//! - Candidates are taken into account best first, in windows that double (1, 2, 4, ...): the
//!   usual answer is the best candidate or one close to it, and then the others are never even
//!   read. When no open candidate of the window can be reached any more, the next window joins
//!   the same walk. While none is found, the walk from the tip is first let run ahead a little
//!   (as far again as it went), in case it meets one of the next window.
//! - **With a commit-graph** covering the candidates, commits are taken highest generation
//!   first. A commit only reaches commits of lower generation, so once the highest generation
//!   left in the queue is below every open candidate's, none of them can be reached.
//! - **Without one** (or with candidates newer than it), each candidate also paints its own
//!   ancestors with a bit of its own, newest commit first. An open candidate can only be
//!   reached through commits that are not its ancestors, and those never carry its bit; so
//!   once every reached commit still queued carries the bits of all open candidates, none of
//!   them can be reached any more. The walk from the tip does not go on below a commit that
//!   carries them all (only the bits do, to commits reached another way). Commit dates only
//!   order the work: a commit whose marks grow after it was taken (clock skew) is queued
//!   again, so skew costs time, never correctness. This is git's merge-base painting with one
//!   colour per candidate, so that a candidate that is an ancestor of another cannot hide
//!   behind it.
//!
//! Either way the answer is what `git merge-base --is-ancestor` says for each candidate, and the
//! walk goes about as deep as the answer and the fork points of the better candidates.
//!
//! **The commits of a range** `hidden..tip` are decided as `git rev-list` decides them (its
//! `limit_list`: newest commit date first, ancestors of hidden commits marked uninteresting as
//! soon as they are known, and five more commits looked at once only uninteresting ones are
//! left), so that they are the same set as git's even where clock skew makes that set depend on
//! the algorithm. They are then listed breadth-first from the tip, parents in order.
//!
//! Commits are read once into a [`Store`], which a caller may keep from one search or walk to
//! the next (a changelog does, release after release); it forgets the oldest beyond a bound.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use gix::ObjectId;
use gix::hashtable::{HashMap, HashSet};

/// Why a walk stopped without an answer.
#[derive(Debug)]
pub(super) enum Stop<E> {
    /// A commit the walk must go past is at the shallow boundary.
    Shallow(ObjectId),
    /// Reading the commit failed.
    Read(ObjectId, gix::Error),
    /// Following a candidate to its commit failed.
    Candidate(E),
}

/// The priority of a commit the commit-graph does not cover (or gives generation 0, which old
/// writers use for "not computed"): above every covered one.
const UNKNOWN: u32 = u32::MAX;
/// No bits allocated.
const NONE: u32 = u32::MAX;
/// How many bytes of commit objects a [`Store`] keeps for listing them without reading them
/// again.
const KEEP: usize = 64 << 20;
/// How many commits a [`Store`] remembers between searches and walks.
const REMEMBER: usize = 1 << 17;

/// A commit read. Its parents and object live in the store's arenas.
struct Node {
    /// Where its parents start in the arena, and how many.
    parents: (u32, u32),
    generation: u32,
    time: i64,
    /// Where its commit object is in the arena, when it was read from the object database
    /// (not the commit-graph) and the budget allowed keeping it, for listing it without
    /// reading it again.
    data: Option<(usize, usize)>,
    /// What the current search knows of it.
    mark: Mark,
}

/// What one search knows of a commit; stale (all unset) when made by another search.
#[derive(Clone, Copy)]
struct Mark {
    search: u32,
    reached: bool,
    queued: bool,
    /// Where its candidate bits start in the arena, in `width` words, or `NONE`.
    slot: u32,
}

impl Mark {
    fn new(search: u32) -> Self {
        Mark {
            search,
            reached: false,
            queued: false,
            slot: NONE,
        }
    }
}

/// Commits read so far, kept from one search or walk to the next.
#[derive(Default)]
pub(super) struct Store {
    nodes: HashMap<ObjectId, Node>,
    /// The parents of all nodes.
    parents: Vec<ObjectId>,
    /// The commit objects kept.
    kept: Vec<u8>,
    /// The current search.
    search: u32,
    /// The object database without its object cache: the store keeps what is read.
    objects: Option<gix::OdbHandle>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("commits", &self.nodes.len())
            .field("kept", &self.kept.len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Forgets everything once it holds more than it remembers.
    fn trim(&mut self) {
        if self.nodes.len() > REMEMBER {
            self.nodes.clear();
            self.parents.clear();
            self.kept.clear();
        }
    }

    fn parents(&self, node: &Node) -> &[ObjectId] {
        let (at, len) = node.parents;
        &self.parents[at as usize..][..len as usize]
    }
}

/// Reads commits (from the commit-graph when it covers them) into a [`Store`], and answers
/// from it.
pub(super) struct Ancestry<'a, 'repo, 'cache> {
    graph: gix::revwalk::Graph<'repo, 'cache, ()>,
    cache: Option<&'cache gix::commitgraph::Graph>,
    shallow: &'a [ObjectId],
    store: &'a mut Store,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Ancestry<'_, '_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ancestry")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl<'a, 'repo, 'cache> Ancestry<'a, 'repo, 'cache> {
    /// Reads `repo`'s commits, through its commit-graph `cache` when given, into `store`.
    /// `shallow` lists the commits whose parents the repository does not have, sorted.
    pub(super) fn new(
        repo: &'repo gix::Repository,
        cache: Option<&'cache gix::commitgraph::Graph>,
        shallow: &'a [ObjectId],
        store: &'a mut Store,
    ) -> Self {
        store.trim();
        if store.objects.is_none() {
            let mut objects = repo.objects.clone();
            objects.unset_object_cache();
            store.objects = Some(objects);
        }
        Ancestry {
            graph: repo.revision_graph(cache),
            cache,
            shallow,
            store,
            buf: Vec::new(),
        }
    }

    /// The commit `id`, read on first use: from the commit-graph when it covers it, else from
    /// the object database (and then kept while within budget).
    fn node<E>(&mut self, id: ObjectId) -> Result<&mut Node, Stop<E>> {
        if !self.store.nodes.contains_key(&id) {
            let read = |e| Stop::Read(id, e);
            let missing = || {
                Stop::Read(
                    id,
                    gix::Error::from_error(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "the commit is missing",
                    )),
                )
            };
            let at = self.store.parents.len();
            let (generation, time, data) = if self.cache.is_some_and(|c| c.lookup(id).is_some()) {
                let commit = self
                    .graph
                    .try_lookup(&id)
                    .map_err(read)?
                    .ok_or_else(missing)?;
                let (generation, time) = commit.generation_and_timestamp().map_err(read)?;
                for parent in commit.iter_parents() {
                    self.store.parents.push(parent.map_err(read)?);
                }
                (generation, time, None)
            } else {
                let object = gix::objs::Find::try_find(
                    self.store.objects.as_ref().expect("set when made"),
                    &id,
                    &mut self.buf,
                )
                .map_err(read)?
                .filter(|o| o.kind == gix::object::Kind::Commit)
                .ok_or_else(missing)?;
                let time = match header(object.data, &mut self.store.parents) {
                    Some(time) => time,
                    None => {
                        self.store.parents.truncate(at);
                        let commit = gix::objs::CommitRefIter::from_bytes(object.data, id.kind());
                        self.store.parents.extend(commit.parent_ids());
                        commit.committer().map_err(read)?.seconds()
                    }
                };
                let kept = self.store.kept.len();
                let keep = kept + object.data.len() <= KEEP;
                if keep {
                    self.store.kept.extend_from_slice(object.data);
                }
                (None, time, keep.then_some((kept, object.data.len())))
            };
            let parents = (
                u32::try_from(at).expect("fewer than 4G parents"),
                u32::try_from(self.store.parents.len() - at).expect("fewer than 4G parents"),
            );
            self.store.nodes.insert(
                id,
                Node {
                    parents,
                    generation: generation.filter(|g| *g > 0).unwrap_or(UNKNOWN),
                    time,
                    data,
                    mark: Mark::new(0),
                },
            );
        }
        Ok(self.store.nodes.get_mut(&id).expect("inserted above"))
    }

    fn is_shallow(&self, id: &ObjectId) -> bool {
        self.shallow.binary_search(id).is_ok()
    }

    /// The parents of a commit read before (none at a shallow boundary, as for git).
    pub(super) fn parents(&self, id: &ObjectId) -> &[ObjectId] {
        if self.is_shallow(id) {
            return &[];
        }
        self.store
            .nodes
            .get(id)
            .map_or(&[], |n| self.store.parents(n))
    }

    /// The commit object `id` if it was kept.
    pub(super) fn data(&self, id: &ObjectId) -> Option<&[u8]> {
        let (at, len) = self.store.nodes.get(id)?.data?;
        Some(&self.store.kept[at..at + len])
    }

    /// The rank (`0..count`) of the best candidate that is `tip` or one of its ancestors, or
    /// `None`. `target_of(rank)` is what a candidate points at, known without reading anything
    /// (a commit for a lightweight tag): a commit met that one of them names is that
    /// candidate's. `commit_of(rank)` follows a candidate to its commit (`None`: it has none
    /// and never counts); it is called for as few ranks as the answer needs, best first, and
    /// always for the answer.
    pub(super) fn best_contained<E>(
        &mut self,
        tip: ObjectId,
        count: usize,
        target_of: impl Fn(usize) -> ObjectId,
        mut commit_of: impl FnMut(usize) -> Result<Option<ObjectId>, E>,
    ) -> Result<Option<usize>, Stop<E>> {
        if count == 0 {
            return Ok(None);
        }
        let mut commits: Vec<Option<ObjectId>> = Vec::new();
        let mut by_generation = self.cache.is_some();
        loop {
            self.store.search += 1;
            let mut search = Search {
                search: self.store.search,
                ancestry: self,
                by_generation,
                heap: BinaryHeap::new(),
                rank: HashMap::default(),
                hint: None,
                known: HashMap::default(),
                expanded: 0,
                count,
                seeded: 0,
                best: count,
                bits: Vec::new(),
                width: count.div_ceil(64),
                need: vec![0; count.div_ceil(64)],
                pending: 0,
                skipped: Vec::new(),
                lowest_open: None,
                unusable: false,
                pass: vec![0; count.div_ceil(64)],
                parents: Vec::new(),
            };
            match search.run(tip, &mut commits, &mut commit_of, &target_of)? {
                Some(answer) => return Ok(answer),
                // Generations turned out unusable: paint instead.
                None => by_generation = false,
            }
        }
    }

    /// The commits of `hidden..tip`, the set `git rev-list` gives, listed breadth-first from
    /// `tip`.
    pub(super) fn range<E>(
        &mut self,
        tip: ObjectId,
        hidden: &[ObjectId],
    ) -> Result<Vec<ObjectId>, Stop<E>> {
        let interesting = Limit::new(self).run(tip, hidden)?;
        let mut listed = Vec::with_capacity(interesting.len());
        let mut queue = VecDeque::from([tip]);
        let mut seen: HashSet<ObjectId> = [tip].into_iter().collect();
        while let Some(id) = queue.pop_front() {
            if !interesting.contains(&id) {
                continue;
            }
            if self.is_shallow(&id) {
                return Err(Stop::Shallow(id));
            }
            listed.push(id);
            for parent in self.parents(&id) {
                if interesting.contains(parent) && seen.insert(*parent) {
                    queue.push_back(*parent);
                }
            }
        }
        Ok(listed)
    }
}

/// The committer time of a commit object, its parents added to `parents`, read straight from
/// its header lines (`None` when they are not as git writes them).
fn header(data: &[u8], parents: &mut Vec<ObjectId>) -> Option<i64> {
    for line in data.split(|b| *b == b'\n') {
        if line.is_empty() {
            break;
        }
        if let Some(hex) = line.strip_prefix(b"parent ") {
            parents.push(ObjectId::from_hex(hex).ok()?);
        } else if let Some(signature) = line.strip_prefix(b"committer ") {
            return Some(
                gix::actor::SignatureRef::from_bytes(signature)
                    .ok()?
                    .seconds(),
            );
        }
    }
    None
}

/// The state of one search for the best contained candidate.
struct Search<'s, 'a, 'repo, 'cache> {
    ancestry: &'s mut Ancestry<'a, 'repo, 'cache>,
    /// Which marks are this search's.
    search: u32,
    by_generation: bool,
    /// Queued commits, one entry each, highest (generation, commit time) first.
    heap: BinaryHeap<(u32, i64, ObjectId)>,
    /// Seeded candidate commit -> its best rank, which is also its bit.
    rank: HashMap<ObjectId, usize>,
    /// Candidate target -> its best rank: a commit reached that is one is that candidate's.
    /// Made once the first window does not settle the search.
    hint: Option<HashMap<ObjectId, usize>>,
    /// Candidate commit -> its best rank, for the candidates followed to their commits so far.
    known: HashMap<ObjectId, usize>,
    /// Reached commits followed so far.
    expanded: usize,
    count: usize,
    /// The candidates ranked below this are taken into account.
    seeded: usize,
    /// The best rank reached so far; `count` while none is.
    best: usize,
    /// Painting: candidate bits, `width` words per painted commit.
    bits: Vec<u64>,
    width: usize,
    /// Painting: the bits of the open seeded candidates.
    need: Vec<u64>,
    /// Painting: queued commits that are reached and lack the bit of some open candidate.
    pending: usize,
    /// Painting: reached commits not followed because they carried every bit needed then.
    skipped: Vec<ObjectId>,
    /// By generation: the lowest generation among the open seeded candidates, if any.
    lowest_open: Option<u32>,
    /// By generation: a seeded candidate is not covered by the commit-graph.
    unusable: bool,
    /// Scratch space: the bits a commit passes on, and its parents.
    pass: Vec<u64>,
    parents: Vec<ObjectId>,
}

impl Search<'_, '_, '_, '_> {
    /// The answer, or `None` when walking by generation turned out impossible.
    fn run<E>(
        &mut self,
        tip: ObjectId,
        commits: &mut Vec<Option<ObjectId>>,
        commit_of: &mut impl FnMut(usize) -> Result<Option<ObjectId>, E>,
        target_of: &impl Fn(usize) -> ObjectId,
    ) -> Result<Option<Option<usize>>, Stop<E>> {
        self.ancestry.node(tip)?;
        self.reach(tip);
        self.push(tip);
        let mut window = 1;
        loop {
            // The next window of candidates: recognised first, so that the walk from the tip,
            // let run ahead a little, may find one contained before the others are painted.
            let end = window.min(self.count).min(self.best);
            for rank in self.seeded..end {
                if rank == commits.len() {
                    commits.push(commit_of(rank).map_err(Stop::Candidate)?);
                }
                if let Some(id) = commits[rank] {
                    self.known.entry(id).or_insert(rank);
                    if self.reached(&id) {
                        self.best = self.best.min(rank);
                    }
                }
            }
            if !self.by_generation && self.seeded > 0 && self.best == self.count {
                // Down to the oldest of them: a walk by date meets a candidate it contains
                // before it gets older than that candidate (clock skew aside).
                let mut oldest = i64::MAX;
                for id in commits[self.seeded..end].iter().flatten() {
                    oldest = oldest.min(self.ancestry.node(*id)?.time);
                }
                self.probe(oldest)?;
            }
            let end = end.min(self.best);
            for (rank, id) in commits.iter().enumerate().take(end).skip(self.seeded) {
                if let Some(id) = id {
                    self.seed(rank, *id)?;
                }
            }
            self.seeded = self.seeded.max(end);
            if self.by_generation {
                if self.unusable {
                    return Ok(None);
                }
                self.lowest_open = self.lowest_open();
                if !self.walk_by_generation()? {
                    return Ok(None);
                }
            } else {
                self.refresh_need();
                for id in std::mem::take(&mut self.skipped) {
                    self.push(id);
                }
                self.pending = self.count_pending();
                while self.pending > 0 {
                    let Some(id) = self.pop() else { break };
                    self.expand(id, false)?;
                }
            }
            // Every open candidate is taken into account and out of reach.
            if self.best <= self.seeded {
                if self.best == self.count {
                    return Ok(Some(None));
                }
                // Found through its target: follow it too, as the caller wants its commit.
                while commits.len() <= self.best {
                    commits.push(commit_of(commits.len()).map_err(Stop::Candidate)?);
                }
                return Ok(Some(Some(self.best)));
            }
            if self.hint.is_none() {
                let mut hint = HashMap::default();
                for rank in 0..self.count {
                    hint.entry(target_of(rank)).or_insert(rank);
                }
                self.hint = Some(hint);
                // Commits already reached that a target names.
                let reached = self
                    .hint
                    .iter()
                    .flatten()
                    .filter(|(id, _)| self.reached(id))
                    .map(|(_, rank)| *rank)
                    .min();
                if let Some(rank) = reached {
                    self.best = self.best.min(rank);
                }
            }
            if self.heap.is_empty() && self.skipped.is_empty() {
                // Nothing is left to walk: the other candidates are contained only if already
                // reached, which seeding notices.
                window = self.count;
            } else {
                window *= 2;
            }
        }
    }

    /// This search's marks on `id` (a read commit).
    fn mark(&self, id: &ObjectId) -> Mark {
        let mark = self.ancestry.store.nodes[id].mark;
        if mark.search == self.search {
            mark
        } else {
            Mark::new(self.search)
        }
    }

    /// Whether `id` (read or not) was reached.
    fn reached(&self, id: &ObjectId) -> bool {
        self.ancestry
            .store
            .nodes
            .get(id)
            .is_some_and(|n| n.mark.search == self.search && n.mark.reached)
    }

    fn mark_mut(&mut self, id: &ObjectId) -> &mut Mark {
        let search = self.search;
        let mark = &mut self
            .ancestry
            .store
            .nodes
            .get_mut(id)
            .expect("a read commit")
            .mark;
        if mark.search != search {
            *mark = Mark::new(search);
        }
        mark
    }

    fn node(&self, id: &ObjectId) -> &Node {
        &self.ancestry.store.nodes[id]
    }

    /// Takes candidate `rank` (commit `id`) into account.
    fn seed<E>(&mut self, rank: usize, id: ObjectId) -> Result<(), Stop<E>> {
        if self.rank.contains_key(&id) {
            return Ok(());
        }
        self.rank.insert(id, rank);
        let generation = self.ancestry.node(id)?.generation;
        if self.mark(&id).reached {
            self.best = self.best.min(rank);
            return Ok(());
        }
        if self.by_generation {
            self.unusable |= generation == UNKNOWN;
        } else {
            let mut bit = vec![0; self.width];
            bit[rank / 64] |= 1 << (rank % 64);
            self.add_bits(id, &bit);
            self.push(id);
        }
        Ok(())
    }

    /// Whether `id` counts in `pending`: queued, reached, and lacking an open candidate's bit.
    fn counted(&self, id: &ObjectId) -> bool {
        let mark = self.mark(id);
        if self.by_generation || !mark.queued || !mark.reached {
            return false;
        }
        if mark.slot == NONE {
            return self.need.iter().any(|w| *w != 0);
        }
        let at = mark.slot as usize * self.width;
        self.bits[at..at + self.width]
            .iter()
            .zip(&self.need)
            .any(|(have, need)| have & need != *need)
    }

    fn count_pending(&self) -> usize {
        self.heap
            .iter()
            .filter(|(_, _, id)| self.counted(id))
            .count()
    }

    fn push(&mut self, id: ObjectId) {
        let mark = self.mark_mut(&id);
        if mark.queued {
            return;
        }
        mark.queued = true;
        let node = self.node(&id);
        self.heap.push((node.generation, node.time, id));
        if self.counted(&id) {
            self.pending += 1;
        }
    }

    fn pop(&mut self) -> Option<ObjectId> {
        let (_, _, id) = self.heap.pop()?;
        if self.counted(&id) {
            self.pending -= 1;
        }
        self.mark_mut(&id).queued = false;
        Some(id)
    }

    /// Marks `id` reached; returns whether it was not before. A candidate reached may be the
    /// new best, which closes every candidate ranked below it.
    fn reach(&mut self, id: ObjectId) -> bool {
        let was = self.counted(&id);
        let mark = self.mark_mut(&id);
        if mark.reached {
            return false;
        }
        mark.reached = true;
        let rank = match (
            self.known.get(&id),
            self.hint.as_ref().and_then(|h| h.get(&id)),
        ) {
            (Some(a), Some(b)) => Some(*a.min(b)),
            (a, b) => a.or(b).copied(),
        };
        match rank {
            Some(rank) if rank < self.best => {
                self.best = rank;
                if self.by_generation {
                    self.lowest_open = self.lowest_open();
                } else {
                    self.refresh_need();
                    self.pending = self.count_pending();
                }
            }
            _ => {
                self.pending = self.pending + usize::from(self.counted(&id)) - usize::from(was);
            }
        }
        true
    }

    /// Adds `bits` to `id`'s; returns whether any was new.
    fn add_bits(&mut self, id: ObjectId, bits: &[u64]) -> bool {
        let was = self.counted(&id);
        let width = self.width;
        let free = u32::try_from(self.bits.len() / width).expect("fewer than 4G commits");
        let mark = self.mark_mut(&id);
        if mark.slot == NONE {
            mark.slot = free;
            self.bits.resize(self.bits.len() + width, 0);
        }
        let at = self.mark(&id).slot as usize * width;
        let mut grew = false;
        for (have, add) in self.bits[at..at + width].iter_mut().zip(bits) {
            grew |= *have | add != *have;
            *have |= add;
        }
        if grew {
            self.pending = self.pending + usize::from(self.counted(&id)) - usize::from(was);
        }
        grew
    }

    /// The bits of the seeded candidates ranked above the best reached.
    fn refresh_need(&mut self) {
        self.need.iter_mut().for_each(|w| *w = 0);
        for &rank in self.rank.values() {
            if rank < self.best {
                self.need[rank / 64] |= 1 << (rank % 64);
            }
        }
    }

    fn lowest_open(&self) -> Option<u32> {
        self.rank
            .iter()
            .filter(|(_, rank)| **rank < self.best)
            .map(|(id, _)| self.node(id).generation)
            .min()
    }

    /// Highest generation first, until no open seeded candidate can be reached. `false` when a
    /// commit-graph generation turns out unusable below a covered commit.
    fn walk_by_generation<E>(&mut self) -> Result<bool, Stop<E>> {
        while let Some(&(generation, _, _)) = self.heap.peek() {
            match self.lowest_open {
                Some(lowest) if generation >= lowest => {}
                _ => break,
            }
            let id = self.pop().expect("peeked");
            if self.ancestry.is_shallow(&id) {
                return Err(Stop::Shallow(id));
            }
            let mut parents = std::mem::take(&mut self.parents);
            parents.clear();
            parents.extend_from_slice(self.ancestry.parents(&id));
            for &parent in &parents {
                let parent_generation = self.ancestry.node(parent)?.generation;
                if parent_generation == UNKNOWN && generation != UNKNOWN {
                    return Ok(false);
                }
                if self.reach(parent) {
                    self.push(parent);
                }
            }
            self.parents = parents;
        }
        Ok(true)
    }

    /// Lets the walk from the tip run ahead, past commits that carry every bit needed, down to
    /// commits dated `oldest` (and at most about as far again as it went so far), in case it
    /// meets a candidate: the candidates ranked below need no proof then.
    fn probe<E>(&mut self, oldest: i64) -> Result<(), Stop<E>> {
        for id in std::mem::take(&mut self.skipped) {
            self.push(id);
        }
        let (best, budget) = (self.best, self.expanded.max(64));
        let mut followed = 0;
        while let Some(&(_, time, id)) = self.heap.peek() {
            if time < oldest || followed >= budget || self.best != best {
                break;
            }
            self.pop();
            followed += usize::from(self.mark(&id).reached);
            self.expand(id, true)?;
        }
        Ok(())
    }

    /// Passes what `id` carries to its parents: reachability, and the bits of the open
    /// candidates. A reached commit carrying every open bit passes on only the bits, unless
    /// `force`d: no open candidate is below it, so the walk from the tip stops there (until a
    /// new window brings new bits), while commits below that were reached another way still
    /// get the bits.
    fn expand<E>(&mut self, id: ObjectId, force: bool) -> Result<(), Stop<E>> {
        let mark = self.mark(&id);
        let mut pass = std::mem::take(&mut self.pass);
        let mut any = false;
        let painted = mark.slot != NONE;
        if painted {
            let at = mark.slot as usize * self.width;
            for ((out, have), need) in pass
                .iter_mut()
                .zip(&self.bits[at..at + self.width])
                .zip(&self.need)
            {
                *out = have & need;
                any |= *out != 0;
            }
        }
        let complete = mark.reached && painted && pass == self.need;
        if complete && !force {
            self.skipped.push(id);
        }
        let reach = mark.reached && (force || !complete);
        let result = if !reach && !any {
            Ok(())
        } else if self.ancestry.is_shallow(&id) {
            if reach {
                Err(Stop::Shallow(id))
            } else {
                Ok(())
            }
        } else {
            self.expanded += usize::from(reach);
            let mut parents = std::mem::take(&mut self.parents);
            parents.clear();
            parents.extend_from_slice(self.ancestry.parents(&id));
            let mut result = Ok(());
            for &parent in &parents {
                if let Err(e) = self.ancestry.node(parent) {
                    result = Err(e);
                    break;
                }
                let mut grew = any && self.add_bits(parent, &pass);
                if reach {
                    grew |= self.reach(parent);
                }
                if grew {
                    self.push(parent);
                }
            }
            self.parents = parents;
            result
        };
        self.pass = pass;
        result
    }
}

/// `git rev-list`'s marks.
const SEEN: u8 = 1;
const ADDED: u8 = 2;
const UNINTERESTING: u8 = 4;
/// Read (git: parsed), so that its parents are known.
const PARSED: u8 = 8;
/// In the date-ordered list.
const LISTED: u8 = 16;

/// How many more uninteresting commits git looks at once only those are left (its `SLOP`).
const SLOP: u32 = 5;

/// git's `limit_list`, which decides the commits of a range.
struct Limit<'s, 'a, 'repo, 'cache> {
    ancestry: &'s mut Ancestry<'a, 'repo, 'cache>,
    flags: HashMap<ObjectId, u8>,
    /// Newest commit date first; among equal dates, first in first out.
    list: BinaryHeap<(i64, Reverse<u64>, ObjectId)>,
    inserted: u64,
    /// Listed commits not (yet) marked uninteresting.
    interesting_listed: usize,
    /// Scratch space for marking uninteresting.
    pending: Vec<ObjectId>,
}

impl<'s, 'a, 'repo, 'cache> Limit<'s, 'a, 'repo, 'cache> {
    fn new(ancestry: &'s mut Ancestry<'a, 'repo, 'cache>) -> Self {
        Limit {
            ancestry,
            flags: HashMap::default(),
            list: BinaryHeap::new(),
            inserted: 0,
            interesting_listed: 0,
            pending: Vec::new(),
        }
    }

    fn flags(&self, id: &ObjectId) -> u8 {
        self.flags.get(id).copied().unwrap_or(0)
    }

    fn set(&mut self, id: ObjectId, flag: u8) {
        let flags = self.flags.entry(id).or_insert(0);
        if flag == UNINTERESTING && *flags & (LISTED | UNINTERESTING) == LISTED {
            self.interesting_listed -= 1;
        }
        *flags |= flag;
    }

    /// Reads `id` (git: parses it) so that its parents are known.
    fn parse<E>(&mut self, id: ObjectId) -> Result<(), Stop<E>> {
        if self.flags(&id) & PARSED == 0 {
            self.ancestry.node(id)?;
            self.set(id, PARSED);
        }
        Ok(())
    }

    fn parents(&self, id: &ObjectId) -> Vec<ObjectId> {
        self.ancestry.parents(id).to_vec()
    }

    fn time(&self, id: &ObjectId) -> i64 {
        self.ancestry.store.nodes[id].time
    }

    fn insert(&mut self, id: ObjectId) {
        self.inserted += 1;
        let time = self.time(&id);
        self.list.push((time, Reverse(self.inserted), id));
        if self.flags(&id) & UNINTERESTING == 0 {
            self.interesting_listed += 1;
        }
        self.set(id, LISTED);
    }

    fn pop(&mut self) -> Option<ObjectId> {
        let (_, _, id) = self.list.pop()?;
        let flags = self.flags.entry(id).or_insert(0);
        *flags &= !LISTED;
        if *flags & UNINTERESTING == 0 {
            self.interesting_listed -= 1;
        }
        Some(id)
    }

    /// git's `mark_parents_uninteresting`: through every commit read so far.
    fn mark_parents_uninteresting(&mut self, id: &ObjectId) {
        let mut pending = std::mem::take(&mut self.pending);
        pending.clear();
        pending.extend_from_slice(self.ancestry.parents(id));
        while let Some(id) = pending.pop() {
            if self.flags(&id) & UNINTERESTING != 0 {
                continue;
            }
            self.set(id, UNINTERESTING);
            if self.flags(&id) & PARSED != 0 {
                pending.extend_from_slice(self.ancestry.parents(&id));
            }
        }
        self.pending = pending;
    }

    /// git's `process_parents`.
    fn process_parents<E>(&mut self, id: ObjectId) -> Result<(), Stop<E>> {
        if self.flags(&id) & ADDED != 0 {
            return Ok(());
        }
        self.set(id, ADDED);
        let uninteresting = self.flags(&id) & UNINTERESTING != 0;
        for parent in self.parents(&id) {
            if uninteresting {
                self.set(parent, UNINTERESTING);
                self.parse(parent)?;
                self.mark_parents_uninteresting(&parent);
            } else {
                self.parse(parent)?;
            }
            if self.flags(&parent) & SEEN == 0 {
                self.set(parent, SEEN);
                self.insert(parent);
            }
        }
        Ok(())
    }

    /// The commits of `hidden..tip`.
    fn run<E>(mut self, tip: ObjectId, hidden: &[ObjectId]) -> Result<HashSet<ObjectId>, Stop<E>> {
        // The command line: `^hidden... tip`, then sorted by date (stably).
        let mut start = Vec::new();
        for (id, uninteresting) in hidden.iter().map(|h| (*h, true)).chain([(tip, false)]) {
            self.parse(id)?;
            if uninteresting {
                self.set(id, UNINTERESTING);
                self.mark_parents_uninteresting(&id);
            }
            if self.flags(&id) & SEEN == 0 {
                self.set(id, SEEN);
                start.push(id);
            }
        }
        start.sort_by_key(|id| Reverse(self.time(id)));
        for id in start {
            self.insert(id);
        }

        let mut slop = SLOP;
        let mut date = i64::MAX;
        let mut newlist = Vec::new();
        while let Some(id) = self.pop() {
            self.process_parents(id)?;
            if self.flags(&id) & UNINTERESTING != 0 {
                self.mark_parents_uninteresting(&id);
                slop = self.still_interesting(date, slop);
                if slop > 0 {
                    continue;
                }
                break;
            }
            date = self.time(&id);
            newlist.push(id);
        }
        Ok(newlist
            .into_iter()
            .filter(|id| self.flags(id) & UNINTERESTING == 0)
            .collect())
    }

    /// git's `still_interesting`.
    fn still_interesting(&self, date: i64, slop: u32) -> u32 {
        let Some((newest, _, _)) = self.list.peek() else {
            return 0;
        };
        if date <= *newest || self.interesting_listed > 0 {
            return SLOP;
        }
        slop - 1
    }
}
