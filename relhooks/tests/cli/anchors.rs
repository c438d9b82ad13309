//! Trust anchors for CI on forges without server hooks: a checkout of the tag being verified is
//! the attacker's tree, so its own rel.toml and allowed_signers prove nothing. `rel verify
//! --anchors-from REV` takes rel.toml and the anchors from a ref the attacker cannot push;
//! `--allowed-signers` / `--openpgp-keys` name anchors outside the checkout.

use std::path::PathBuf;
use std::process::Command;

use crate::{Repo, Run, fixtures_dir};

/// `work/`: main trusts alice (`.rel/allowed_signers`), v1.0.0 is signed by her. On `topic`,
/// mallory adds her own key to the allowed signers and signs v1.0.1, after running `script`
/// there; the checkout is then detached at v1.0.1, as a CI job checks a tag out.
/// `trusted_signers`, outside the work tree, trusts alice.
fn attacked(script: &str) -> Repo {
    let keys = fixtures_dir().join("keys.sh");
    Repo::empty_dir().sh(&format!(
        ". '{keys}'
ssh_key alice && ssh_key mallory
allow_ssh alice alice@example.com trusted_signers
repo work && cd work
allow_ssh alice alice@example.com .rel/allowed_signers
printf '[policy]\\nallowed_signers = \".rel/allowed_signers\"\\n' > rel.toml
git add . && commit 'feat: one'
git config gpg.format ssh
git -c user.signingkey=\"$HOME/alice\" tag -s -m 'release v1.0.0' v1.0.0
git switch -q -c topic
allow_ssh mallory mallory@example.com .rel/allowed_signers
{script}
git add . && commit 'fix: two'
git -c user.signingkey=\"$HOME/mallory\" tag -s -m 'release v1.0.1' v1.0.1
git checkout -q --detach v1.0.1",
        keys = keys.display()
    ))
}

fn work(repo: &Repo) -> PathBuf {
    repo.path().join("work")
}

fn rel(repo: &Repo, args: &[&str]) -> Run {
    repo.rel_in(&work(repo), args)
}

fn git(repo: &Repo, args: &[&str]) -> Run {
    repo.run(Command::new("git").args(args).current_dir(work(repo)), None)
}

#[test]
fn a_tag_that_trusts_its_own_signer_fails_with_anchors_from_main() {
    let repo = attacked("");
    // The hole: the tag's own tree trusts mallory, so verifying in the checkout passes.
    assert_eq!(
        rel(&repo, &["verify", "v1.0.1"]).success(),
        "v1.0.1: ok (ssh signature by mallory@example.com)\n"
    );
    // main's anchors do not trust her.
    let run = rel(&repo, &["verify", "--anchors-from", "main", "v1.0.1"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with(
            "v1.0.1: FAILED [trusted]: signed by an SSH key that is not in the allowed signers"
        ),
        "{run:?}"
    );
    // Every release tag HEAD contains, against main's anchors.
    let run = rel(&repo, &["verify", "--anchors-from", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "v1.0.0: ok (ssh signature by alice@example.com)");
    assert!(lines[1].starts_with("v1.0.1: FAILED [trusted]"), "{run:?}");
    // git agrees, given main's allowed signers.
    let main_signers = repo.path().join("main_signers");
    std::fs::write(
        &main_signers,
        git(&repo, &["show", "main:.rel/allowed_signers"]).stdout,
    )
    .expect("write");
    let allowed = format!("gpg.ssh.allowedSignersFile={}", main_signers.display());
    for (tag, ok) in [("v1.0.0", true), ("v1.0.1", false)] {
        let run = git(&repo, &["-c", &allowed, "verify-tag", tag]);
        assert_eq!(run.code == 0, ok, "git verify-tag {tag}: {run:?}");
    }
    // The same with the anchors named outside the checkout.
    let run = rel(
        &repo,
        &["verify", "--allowed-signers", "../trusted_signers"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stdout.lines().next(),
        Some("v1.0.0: ok (ssh signature by alice@example.com)")
    );
    assert!(run.stdout.contains("v1.0.1: FAILED [trusted]"), "{run:?}");
}

#[test]
fn the_tags_own_rel_toml_does_not_count_either() {
    // mallory also renames the release tags, so that her tree sees none to verify.
    let repo = attacked(
        "printf '[version]\\ntag_prefix = \"release-\"\\n[policy]\\nallowed_signers = \".rel/allowed_signers\"\\nrequire_signed_tags = false\\n' > rel.toml",
    );
    let run = rel(&repo, &["verify"]);
    assert_eq!(run.code, 0, "the hole: {run:?}");
    assert!(run.stderr.contains("no release tags to verify"), "{run:?}");
    let run = rel(&repo, &["verify", "--anchors-from", "main"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("v1.0.1: FAILED [trusted]"), "{run:?}");
    // rel check takes its policy from the same place.
    let rules = |run: &Run| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        json["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .map(|v| v["rule"].as_str().expect("rule").to_owned())
            .collect()
    };
    let mine = rel(&repo, &["check", "--ref", "refs/tags/v1.0.1", "--json"]);
    assert!(!rules(&mine).contains(&"tag-signed".to_owned()), "{mine:?}");
    let mains = rel(
        &repo,
        &[
            "check",
            "--ref",
            "refs/tags/v1.0.1",
            "--json",
            "--anchors-from",
            "main",
        ],
    );
    assert_eq!(mains.code, 1, "{mains:?}");
    assert!(
        rules(&mains).contains(&"tag-signed".to_owned()),
        "{mains:?}"
    );
}

#[test]
fn explicit_anchors_replace_the_configured_ones() {
    // mallory signs with OpenPGP and trusts her key in her tree; an operator who names the SSH
    // anchors on the command line trusts nothing else, so her OpenPGP key does not count.
    let repo = attacked(
        "fpr=$(gpg_key 'Mallory <mallory@example.com>') && export_gpg \"$fpr\" .rel/keys/mallory.asc
printf '[policy]\\nallowed_signers = \".rel/allowed_signers\"\\nopenpgp_keys = \".rel/keys\"\\n' > rel.toml
git add . && commit 'fix: pgp'
git -c gpg.format=openpgp -c user.signingkey=\"$fpr\" tag -s -m 'release v1.0.2' v1.0.2
trusted=$(gpg_key 'Trusted <t@example.com>') && export_gpg \"$trusted\" ../trusted_keys/trusted.asc
git -c gpg.format=openpgp -c user.signingkey=\"$trusted\" tag -s -m 'release v1.0.3' v1.0.3",
    );
    assert_eq!(rel(&repo, &["verify", "v1.0.2"]).code, 0, "the hole");
    let run = rel(
        &repo,
        &[
            "verify",
            "--allowed-signers",
            "../trusted_signers",
            "v1.0.2",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("no OpenPGP trust anchors are configured"),
        "{run:?}"
    );
    let run = rel(
        &repo,
        &[
            "verify",
            "--openpgp-keys",
            "../trusted_keys",
            "v1.0.3",
            "v1.0.2",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with("v1.0.3: ok (openpgp signature by "),
        "{run:?}"
    );
    assert!(run.stdout.contains("v1.0.2: FAILED [trusted]"), "{run:?}");
    let _ = repo.sh("gpgconf --kill all");
}

#[test]
fn anchors_from_a_bad_ref_or_path_is_an_error() {
    let repo = attacked("");
    let err = rel(&repo, &["verify", "--anchors-from", "no-such-ref"])
        .failure(2)
        .to_owned();
    assert!(err.contains("no-such-ref"), "{err}");
    // main names anchors that escape the tree, or are missing from it.
    let repo = repo.sh(
        "cd work && git switch -q main
printf '[policy]\\nallowed_signers = \"signers\"\\n' > rel.toml && ln -s .rel/allowed_signers signers
git add . && commit 'chore: link' && git branch linked
printf '[policy]\\nallowed_signers = \"missing\"\\n' > rel.toml && git rm -q signers
git add . && commit 'chore: missing' && git branch nofile
git checkout -q --detach v1.0.1",
    );
    let err = rel(&repo, &["verify", "--anchors-from", "linked", "v1.0.0"])
        .failure(2)
        .to_owned();
    assert!(
        err.contains("policy.allowed_signers") && err.contains("symlink"),
        "{err}"
    );
    let err = rel(&repo, &["verify", "--anchors-from", "nofile", "v1.0.0"])
        .failure(2)
        .to_owned();
    assert!(
        err.contains("policy.allowed_signers") && err.contains("\"missing\""),
        "{err}"
    );
}
