//! The best contained candidate: which of many ranked candidate commits is the best one a tip
//! contains, in one walk.
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

use std::collections::BinaryHeap;

use gix::ObjectId;
use gix::hashtable::HashMap;

use super::{Ancestry, NONE, Stop, UNKNOWN};

mod marks;

impl Ancestry<'_, '_, '_> {
    /// The rank (`0..count`) of the best candidate that is `tip` or one of its ancestors, or
    /// `None`. `target_of(rank)` is what a candidate points at, known without reading anything
    /// (a commit for a lightweight tag): a commit met that one of them names is that
    /// candidate's. `commit_of(rank)` follows a candidate to its commit (`None`: it has none
    /// and never counts); it is called for as few ranks as the answer needs, best first, and
    /// always for the answer.
    pub(in crate::history) fn best_contained<E>(
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
