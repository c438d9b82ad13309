//! The commit graph as the release history needs it: which of many ranked candidate commits is
//! the best one a tip contains, and the commits of a range, reading each commit once.
//!
//! The best contained candidate is searched for in `search`, the commits of a range listed in
//! `range`.
//!
//! Commits are read once into a [`Store`], which a caller may keep from one search or walk to
//! the next (a changelog does, release after release); it forgets the oldest beyond a bound.

use gix::ObjectId;
use gix::hashtable::HashMap;

mod range;
mod search;

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
