//! The marks a search keeps on commits: reached, queued, and the candidate bits painted on
//! them.

use gix::ObjectId;

use super::Search;
use crate::history::ancestry::{Mark, NONE, Node, Stop, UNKNOWN};

impl Search<'_, '_, '_, '_> {
    /// This search's marks on `id` (a read commit).
    pub(super) fn mark(&self, id: &ObjectId) -> Mark {
        let mark = self.ancestry.store.nodes[id].mark;
        if mark.search == self.search {
            mark
        } else {
            Mark::new(self.search)
        }
    }

    /// Whether `id` (read or not) was reached.
    pub(super) fn reached(&self, id: &ObjectId) -> bool {
        self.ancestry
            .store
            .nodes
            .get(id)
            .is_some_and(|n| n.mark.search == self.search && n.mark.reached)
    }

    pub(super) fn mark_mut(&mut self, id: &ObjectId) -> &mut Mark {
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

    pub(super) fn node(&self, id: &ObjectId) -> &Node {
        &self.ancestry.store.nodes[id]
    }

    /// Takes candidate `rank` (commit `id`) into account.
    pub(super) fn seed<E>(&mut self, rank: usize, id: ObjectId) -> Result<(), Stop<E>> {
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
    pub(super) fn counted(&self, id: &ObjectId) -> bool {
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

    pub(super) fn count_pending(&self) -> usize {
        self.heap
            .iter()
            .filter(|(_, _, id)| self.counted(id))
            .count()
    }

    pub(super) fn push(&mut self, id: ObjectId) {
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

    pub(super) fn pop(&mut self) -> Option<ObjectId> {
        let (_, _, id) = self.heap.pop()?;
        if self.counted(&id) {
            self.pending -= 1;
        }
        self.mark_mut(&id).queued = false;
        Some(id)
    }

    /// Marks `id` reached; returns whether it was not before. A candidate reached may be the
    /// new best, which closes every candidate ranked below it.
    pub(super) fn reach(&mut self, id: ObjectId) -> bool {
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
    pub(super) fn add_bits(&mut self, id: ObjectId, bits: &[u64]) -> bool {
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
    pub(super) fn refresh_need(&mut self) {
        self.need.iter_mut().for_each(|w| *w = 0);
        for &rank in self.rank.values() {
            if rank < self.best {
                self.need[rank / 64] |= 1 << (rank % 64);
            }
        }
    }

    pub(super) fn lowest_open(&self) -> Option<u32> {
        self.rank
            .iter()
            .filter(|(_, rank)| **rank < self.best)
            .map(|(id, _)| self.node(id).generation)
            .min()
    }
}
