//! Finding the files of a release's attested artifacts: by content (size, then sha256), in the
//! paths given, else where `rel attest` or `rel release --artifact` last saw them
//! ([`crate::record::remembered`]), else anywhere in the work tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Error;
use crate::history::Repo;
use crate::record::{Artifact, artifact};

/// The file of each of `attested` (release `tag`): see the module docs. A file given in
/// `paths` that is not attested is an error; a directory in `paths` is searched.
///
/// # Errors
/// [`Error::NotAnArtifact`], [`Error::ArtifactsMissing`], or a file that cannot be read.
pub(super) fn locate(
    repo: &Repo,
    tag: &str,
    attested: &[Artifact],
    paths: &[PathBuf],
) -> Result<Vec<(Artifact, PathBuf)>, Error> {
    let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut dirs = Vec::new();
    for path in paths {
        if path.is_dir() {
            dirs.push(path.clone());
            continue;
        }
        let file = artifact(path)?;
        if !attested.iter().any(|a| a.sha256 == file.sha256) {
            return Err(Error::NotAnArtifact {
                path: path.clone(),
                sha256: file.sha256,
                tag: tag.to_owned(),
            });
        }
        found.insert(file.sha256, path.clone());
    }
    let missing = |found: &BTreeMap<String, PathBuf>| -> Vec<&Artifact> {
        attested
            .iter()
            .filter(|a| !found.contains_key(&a.sha256))
            .collect()
    };
    for dir in &dirs {
        search(dir, &missing(&found), &mut found)?;
    }
    if paths.is_empty() && !missing(&found).is_empty() {
        let remembered = crate::record::remembered(repo);
        for a in missing(&found) {
            if let Some(path) = remembered.get(&a.sha256)
                && matches(path, a)
            {
                found.insert(a.sha256.clone(), path.clone());
            }
        }
        let wanted = missing(&found);
        if !wanted.is_empty() {
            search(repo.root().dir(), &wanted, &mut found)?;
        }
    }
    let left = missing(&found);
    if !left.is_empty() {
        return Err(Error::ArtifactsMissing {
            tag: tag.to_owned(),
            missing: left
                .iter()
                .map(|a| (a.name.clone(), a.sha256.clone()))
                .collect(),
        });
    }
    Ok(attested
        .iter()
        .map(|a| (a.clone(), found[&a.sha256].clone()))
        .collect())
}

/// Whether the file at `path` is `a` (its size, then its digest).
fn matches(path: &Path, a: &Artifact) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == a.size)
        && artifact(path).is_ok_and(|f| f.sha256 == a.sha256)
}

/// Searches `dir` (recursively, not into `.git`, not following symlinks) for files of
/// `wanted`, hashing only those of a wanted size.
fn search(
    dir: &Path,
    wanted: &[&Artifact],
    found: &mut BTreeMap<String, PathBuf>,
) -> Result<(), Error> {
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if entry.file_name() != ".git" {
                    stack.push(path);
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).ok();
            let candidates: Vec<&&Artifact> = wanted
                .iter()
                .filter(|a| Some(a.size) == size && !found.contains_key(&a.sha256))
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let file = artifact(&path)?;
            if candidates.iter().any(|a| a.sha256 == file.sha256) {
                found.entry(file.sha256).or_insert(path);
            }
        }
    }
    Ok(())
}
