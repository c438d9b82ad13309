//! The commits of a range, as `git rev-list` lists them.
//!
//! **The commits of a range** `hidden..tip` are decided as `git rev-list` decides them (its
//! `limit_list`: newest commit date first, ancestors of hidden commits marked uninteresting as
//! soon as they are known, and five more commits looked at once only uninteresting ones are
//! left), so that they are the same set as git's even where clock skew makes that set depend on
//! the algorithm. They are then listed breadth-first from the tip, parents in order.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use gix::ObjectId;
use gix::hashtable::{HashMap, HashSet};

use super::{Ancestry, Stop};

impl Ancestry<'_, '_, '_> {
    /// The commits of `hidden..tip`, the set `git rev-list` gives, listed breadth-first from
    /// `tip`.
    pub(in crate::history) fn range<E>(
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
