//! The release record on a push: `refs/rel/record` only fast-forwards, every new entry is
//! signed by a trusted key and passes the record's rules in the state before it; nothing else
//! may be pushed under `refs/rel/`.

use std::collections::HashMap;

use super::{RefUpdate, Rule, Violation, violation};
use crate::config::Config;
use crate::history::Repo;
use crate::record;
use crate::signature::{self, Anchors, At};

const HINT: &str =
    "record decisions with `rel approve`; the record only grows, one signed entry at a time";

/// Checks one update of a ref under `refs/rel/`, adding what is wrong to `out`.
pub(super) fn check(
    repo: &Repo,
    config: &Config,
    anchors: &Anchors,
    update: &RefUpdate,
    out: &mut Vec<Violation>,
) -> Result<(), signature::Error> {
    let name = update.name.as_str();
    let refuse = |rule: Rule, message: String| violation(rule, name, message, HINT);
    if name != record::REF {
        out.push(refuse(
            Rule::RecordRef,
            format!(
                "`{name}` is not the release record: only {} may be pushed under refs/rel/",
                record::REF
            ),
        ));
        return Ok(());
    }
    let Some(new) = update.new else {
        out.push(refuse(
            Rule::RecordRef,
            format!("{} cannot be deleted", record::REF),
        ));
        return Ok(());
    };
    if let Some(old) = update.old
        && (!repo.gix().has_object(old) || !repo.is_ancestor(old, new)?)
    {
        out.push(refuse(
            Rule::RecordRef,
            format!(
                "this push rewrites {} (not a fast-forward from {})",
                record::REF,
                old.to_hex_with_len(7)
            ),
        ));
        return Ok(());
    }
    let unreadable = |e: record::Error| {
        refuse(
            Rule::RecordEntry,
            format!("the new entries cannot be read: {e}"),
        )
    };
    let mut state = match record::state_at(repo, update.old) {
        Ok(state) => state,
        Err(e) => {
            out.push(unreadable(e));
            return Ok(());
        }
    };
    let entries = match record::read_since(repo, new, update.old) {
        Ok(entries) => entries,
        Err(e) => {
            out.push(unreadable(e));
            return Ok(());
        }
    };
    let now = crate::record::now();
    let mut facts = HashMap::new();
    for entry in &entries {
        let short = entry.id.to_hex_with_len(7);
        let statement = match &entry.statement {
            Ok(s) => s,
            Err(reason) => {
                out.push(refuse(
                    Rule::RecordEntry,
                    format!("entry {short}: {reason}"),
                ));
                return Ok(());
            }
        };
        let signer = match entry.signer(anchors, At::Now)? {
            Ok(signer) => signer.principal,
            Err(reason) => {
                out.push(refuse(
                    Rule::RecordSigned,
                    format!("entry {short} is not signed by a trusted key: {reason}"),
                ));
                return Ok(());
            }
        };
        if !facts.contains_key(&statement.tag) {
            let found = record::release_facts(repo, config, anchors, &statement.tag)?;
            facts.insert(statement.tag.clone(), found);
        }
        if let Err(v) = state.validate(
            config,
            &record::Candidate {
                entry: Some(entry.id),
                statement,
                signer: &signer,
                time: entry.time,
            },
            &facts[&statement.tag],
            Some(now),
        ) {
            out.push(refuse(
                Rule::from_record(v.rule),
                format!("entry {short}: {}", v.message),
            ));
            return Ok(());
        }
        state.apply(entry.id, statement, entry.time);
    }
    Ok(())
}
