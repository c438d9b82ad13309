//! Step 2 of applying a plan: the release's tag object, made (and signed) by git out of sight.

use std::path::Path;

use gix::ObjectId;

use crate::git::Git;
use crate::history::Repo;
use crate::release::{Error, Plan};

/// Makes the annotated (and, if planned, signed) tag object with `git tag`, run on a throwaway
/// git dir that shares this repository's objects and configuration but not its refs, and
/// returns its id. Nothing in the repository's refs changes.
pub(super) fn make_tag_object(
    repo: &Repo,
    git: &Git,
    scratch: &Path,
    plan: &Plan,
    commit: &str,
) -> Result<ObjectId, Error> {
    let gix = repo.gix();
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Read { path, source }
    };
    let shadow = scratch.join("tagging");
    std::fs::create_dir_all(shadow.join("refs/tags")).map_err(io(&shadow))?;
    std::fs::create_dir_all(shadow.join("refs/heads")).map_err(io(&shadow))?;
    std::fs::write(
        shadow.join("HEAD"),
        format!("ref: refs/heads/{}\n", plan.branch),
    )
    .map_err(io(&shadow))?;
    let mut config = String::new();
    if gix.object_hash() == gix::hash::Kind::Sha1 {
        config.push_str("[core]\n\trepositoryformatversion = 0\n");
    } else {
        config.push_str(&format!(
            "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectformat = {}\n",
            gix.object_hash()
        ));
    }
    let real_config =
        std::path::absolute(gix.common_dir().join("config")).map_err(io(gix.common_dir()))?;
    let objects =
        std::path::absolute(gix.objects.store_ref().path()).map_err(io(gix.common_dir()))?;
    config.push_str(&format!(
        "[include]\n\tpath = {}\n",
        real_config
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    ));
    std::fs::write(shadow.join("config"), config).map_err(io(&shadow))?;
    let message = scratch.join("tag-message");
    std::fs::write(&message, &plan.tag_message).map_err(io(&message))?;
    let message_arg = message.to_string_lossy().into_owned();
    let mut args = vec!["tag", "-a", "--cleanup=verbatim", "-F", &message_arg];
    args.push(if plan.sign { "-s" } else { "--no-sign" });
    args.extend([plan.tag.as_str(), commit]);
    let tagging = git
        .with_env("GIT_DIR", &shadow)
        .with_env("GIT_OBJECT_DIRECTORY", &objects);
    tagging.run(&args, None).map_err(|source| Error::Git {
        step: if plan.sign {
            "signing the tag".into()
        } else {
            "making the tag".into()
        },
        source,
    })?;
    let id = tagging
        .run(
            &["rev-parse", "--verify", &format!("refs/tags/{}", plan.tag)],
            None,
        )
        .map_err(|source| Error::Git {
            step: "reading the new tag".into(),
            source,
        })?;
    Ok(id.parse().expect("git prints a valid object id"))
}
