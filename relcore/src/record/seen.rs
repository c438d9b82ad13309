//! Where artifact files were last seen, by sha256: `rel attest` and `rel release --artifact`
//! remember the paths they read in `$GIT_DIR/rel/artifact-paths.json`, and `rel publish` looks
//! there first. A cache: a path is used only when its file still has the digest.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Artifact;
use crate::history::Repo;

/// The file, under the repository's (common) git directory.
const FILE: &str = "rel/artifact-paths.json";

/// Remembers that `artifacts` were read from `paths` (failures are ignored).
pub(crate) fn remember(repo: &Repo, paths: &[PathBuf], artifacts: &[Artifact]) {
    let file = repo.private_dir().join(FILE);
    let mut known = remembered(repo);
    for (path, a) in paths.iter().zip(artifacts) {
        if let Ok(path) = std::path::absolute(path) {
            known.insert(a.sha256.clone(), path);
        }
    }
    super::kept::store(&file, &known);
}

/// The paths remembered, by sha256 (empty when there are none or the file is unreadable).
pub(crate) fn remembered(repo: &Repo) -> BTreeMap<String, PathBuf> {
    std::fs::read(repo.private_dir().join(FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}
