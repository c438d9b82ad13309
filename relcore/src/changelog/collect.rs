//! Collecting a release's context: reading its commits from history, parsing them, cancelling
//! reverts, grouping them and linking the issues they mention (`mentions`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use super::links::Links;
use super::{Error, ReleaseRange};
use crate::commit::{self, Kind, Message};
use crate::config::{Config, NON_CONVENTIONAL};
use crate::history::{Repo, Signature};
use gix::ObjectId;

use super::context::{Counts, Entry, Group, Person, Release};
use super::mentions::references;

/// A commit being collected, before reverts cancel and grouping.
#[derive(Debug, Clone)]
pub(crate) struct Collected {
    commit: ObjectId,
    entry: Entry,
    kind: Kind,
    /// The id a revert names in its body (`This reverts commit <id>.`), or the header it quotes.
    reverts: Option<Reverted>,
    merge: bool,
}

#[derive(Debug, Clone)]
enum Reverted {
    Id(String),
    Header(String),
}

/// Reads a release's commits and builds its context: a tagged release, the unreleased commits,
/// or (with [`ReleaseRange::planned`]) a release about to be cut.
///
/// # Errors
/// When history cannot be read.
pub fn build_release(
    repo: &Repo,
    config: &Config,
    range: &ReleaseRange,
    links: Option<&Links>,
) -> Result<Release, Error> {
    let mut read = Read::default();
    repo.walk(range.tip, range.previous.as_ref().map(|p| p.commit), |c| {
        read.push(c);
    })?;
    let date = release_date(repo, range)?;
    Ok(read.assemble(
        config,
        range,
        links,
        date,
        (&mut Known::default(), Keep::Nothing),
    ))
}

/// The date a release shows: its tag's (the tagger's, else the tagged commit's committer's),
/// a planned release's own; none for the unreleased commits.
pub(crate) fn release_date(repo: &Repo, range: &ReleaseRange) -> Result<Option<String>, Error> {
    Ok(match (&range.tag, &range.planned) {
        (Some(tag), _) => repo.tag_signature(tag)?.map(|s| s.date()),
        (None, Some(p)) => Some(p.date.clone()),
        (None, None) => None,
    })
}

/// A release's commits as read from history, in walk order, not parsed yet: reading is done
/// with the repository, the rest ([`Read::assemble`]) may be done on another thread.
#[derive(Debug, Default)]
pub(crate) struct Read {
    /// The commit objects, one after the other.
    objects: Vec<u8>,
    /// The parents of all commits.
    parents: Vec<ObjectId>,
    /// Each commit: its id, where its object and parents are.
    commits: Vec<(ObjectId, Range<usize>, Range<usize>)>,
    hash: Option<gix::hash::Kind>,
}

impl Read {
    /// Keeps a copy of commit `c`.
    pub(crate) fn push(&mut self, c: crate::history::WalkedCommit<'_>) {
        let data = self.objects.len()..self.objects.len() + c.data.len();
        self.objects.extend_from_slice(c.data);
        let parents = self.parents.len()..self.parents.len() + c.parent_ids.len();
        self.parents.extend_from_slice(c.parent_ids);
        self.commits.push((c.id, data, parents));
        self.hash = Some(c.hash());
    }

    /// Whether no commit was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// Builds the release's context from the commits read (and its `date`, see
    /// [`release_date`]); commits `known` from a release built before are not parsed again, and
    /// `known` then keeps what `keep` says for the releases after.
    pub(crate) fn assemble(
        self,
        config: &Config,
        range: &ReleaseRange,
        links: Option<&Links>,
        date: Option<String>,
        (known, keep): (&mut Known, Keep),
    ) -> Release {
        let hash = self.hash.unwrap_or(gix::hash::Kind::Sha1);
        let collected: Vec<Collected> = self
            .commits
            .iter()
            .map(|(id, data, parents)| {
                if let Some(c) = known.commits.get(id) {
                    return c.clone();
                }
                let c = crate::history::WalkedCommit::from_raw(
                    *id,
                    &self.parents[parents.clone()],
                    &self.objects[data.clone()],
                    hash,
                );
                collect(c, links)
            })
            .collect();
        match keep {
            Keep::Mine => {
                known.commits = collected.iter().map(|c| (c.commit, c.clone())).collect();
            }
            Keep::Nothing => known.commits.clear(),
            Keep::Same => {}
        }
        assemble(config, range, links, collected, date)
    }
}

/// The commits of a stable release as collected, for the pre-releases below it, which list
/// them again (each covers what came since the release just before it): they are parsed once.
#[derive(Debug, Default)]
pub(crate) struct Known {
    commits: HashMap<ObjectId, Collected>,
}

/// What [`Known`] keeps after a release is built.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) enum Keep {
    /// Its commits: pre-releases of the next stable release follow.
    Mine,
    /// What it kept: more pre-releases follow.
    Same,
    /// Nothing.
    #[default]
    Nothing,
}

/// Builds a release's context from its commits, read in walk order.
fn assemble(
    config: &Config,
    range: &ReleaseRange,
    links: Option<&Links>,
    mut collected: Vec<Collected>,
    date: Option<String>,
) -> Release {
    cancel_reverts(&mut collected);

    let mut counts = Counts {
        commits: collected.len(),
        ..Counts::default()
    };
    let mut breaking = Vec::new();
    let mut groups: BTreeMap<usize, Group> = BTreeMap::new();
    for c in collected {
        if c.merge {
            continue;
        }
        let ty = match c.kind {
            Kind::Conventional => c.entry.type_.clone().unwrap_or_default(),
            _ => NON_CONVENTIONAL.to_owned(),
        };
        counts.features += usize::from(ty == "feat");
        counts.fixes += usize::from(ty == "fix");
        if c.entry.breaking {
            counts.breaking += 1;
            breaking.push(c.entry.clone());
        }
        if let Some((index, section)) = config.changelog.section_of(&ty)
            && !section.hidden
        {
            groups
                .entry(index)
                .or_insert_with(|| Group {
                    title: section.title.clone(),
                    commits: Vec::new(),
                })
                .commits
                .push(c.entry);
        }
    }

    let (version, tag) = match (&range.tag, &range.planned) {
        (Some(tag), _) => (Some(tag.version.clone()), Some(tag.name.clone())),
        (None, Some(p)) => (Some(p.version.clone()), Some(p.tag.clone())),
        (None, None) => (None, None),
    };
    let previous = range.previous.as_ref();
    let compare_url = match (links, previous) {
        (Some(links), Some(prev)) => {
            Some(links.compare(&prev.name, tag.as_deref().unwrap_or("HEAD")))
        }
        _ => None,
    };
    Release {
        unreleased: tag.is_none(),
        prerelease: version.as_ref().is_some_and(|v| !v.pre.is_empty()),
        version: version.map(|v| v.to_string()),
        tag,
        date,
        previous_version: previous.map(|p| p.version.to_string()),
        previous_tag: previous.map(|p| p.name.clone()),
        compare_url,
        breaking,
        groups: groups.into_values().collect(),
        counts,
    }
}

fn collect(c: crate::history::WalkedCommit<'_>, links: Option<&Links>) -> Collected {
    let text = commit::lossy_text(c.message);
    let summary = commit::header(&text).to_owned();
    let id = c.id.to_string();
    let merge = c.is_merge();
    let message = if merge {
        Message::Git(Kind::Merge)
    } else {
        Message::parse(&text)
    };
    let author = c.author().unwrap_or(Signature {
        name: String::new(),
        email: String::new(),
        seconds: 0,
        offset: 0,
    });
    let mut entry = Entry {
        short_id: id[..7.min(id.len())].to_owned(),
        url: links.map(|l| l.commit(&id)),
        id,
        type_: None,
        scope: None,
        description: summary.clone(),
        summary,
        body: None,
        breaking: false,
        breaking_description: None,
        footers: Vec::new(),
        date: author.date(),
        author: Person {
            name: author.name,
            email: author.email,
        },
        references: Vec::new(),
        fixes: Vec::new(),
    };
    let mut reverts = reverted_in(&text);
    let kind = message.kind();
    match message {
        Message::Conventional(cc) => {
            if cc.type_.eq_ignore_ascii_case("revert") && reverts.is_none() {
                reverts = Some(Reverted::Header(cc.description.clone()));
            }
            entry.type_ = Some(cc.type_.to_lowercase());
            entry.scope = cc.scope;
            entry.description = cc.description;
            entry.body = cc.body;
            entry.breaking = cc.breaking;
            entry.breaking_description = cc.breaking_description;
            entry.footers = cc.footers;
        }
        _ => {
            if let Some(body) = text.split_once("\n\n").map(|(_, b)| b.trim()) {
                entry.body = (!body.is_empty()).then(|| body.to_owned());
            }
        }
    }
    entry.references = references(&entry, links);
    entry.fixes = super::mentions::fixes(&entry);
    Collected {
        commit: c.id,
        kind,
        entry,
        reverts: if merge { None } else { reverts },
        merge,
    }
}

/// What a revert message says it reverts: git's `This reverts commit <id>.`, else the header
/// quoted in `Revert "<header>"`.
fn reverted_in(text: &str) -> Option<Reverted> {
    if let Some(at) = text.find("This reverts commit ") {
        let id: String = text[at + "This reverts commit ".len()..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        if id.len() >= 7 {
            return Some(Reverted::Id(id));
        }
    }
    let header = commit::header(text);
    let quoted = header.strip_prefix("Revert \"")?.strip_suffix('"')?;
    Some(Reverted::Header(quoted.to_owned()))
}

/// Removes each revert together with the commit it reverts when both are in the list.
fn cancel_reverts(commits: &mut Vec<Collected>) {
    let mut drop = HashSet::new();
    for (i, c) in commits.iter().enumerate() {
        let Some(reverted) = &c.reverts else { continue };
        if drop.contains(&i) {
            continue;
        }
        let target = commits.iter().enumerate().position(|(j, other)| {
            j != i
                && !drop.contains(&j)
                && match reverted {
                    Reverted::Id(id) => other.entry.id.starts_with(id.as_str()),
                    Reverted::Header(header) => other.entry.summary == *header,
                }
        });
        if let Some(j) = target {
            drop.insert(i);
            drop.insert(j);
        }
    }
    if !drop.is_empty() {
        let mut index = 0;
        commits.retain(|_| {
            let keep = !drop.contains(&index);
            index += 1;
            keep
        });
    }
}
