//! `rel release` and `rel verify`, with real git, real ssh-keygen and real gpg (in the
//! throwaway HOME of each test).

use crate::Repo;

const UNSIGNED: &str = "[policy]\nrequire_signed_tags = false\n";

/// A repository with version files, released once as v1.0.0, and a feature since.
fn project(config: &str) -> Repo {
    let repo = Repo::new(
        "printf '[package]\\nname = \"demo\"\\nversion = \"1.0.0\"\\n\\n[dependencies]\\nversion = \"9\"\\n' > Cargo.toml
printf '{\\n  \"name\": \"demo\",\\n  \"version\": \"1.0.0\"\\n}\\n' > package.json
printf '[project]\\nname = \"demo\"\\nversion = \"1.0.0\"\\n' > pyproject.toml
printf 'VERSION=1.0.0\\n' > version.env
git add . && commit 'feat: first'
atag v1.0.0
commit 'feat(api): second' 'Closes #7'",
    );
    repo.write(
        "rel.toml",
        format!(
            "{config}\n[[release.files]]\npath = \"Cargo.toml\"\n[[release.files]]\npath = \"package.json\"\n[[release.files]]\npath = \"pyproject.toml\"\n[[release.files]]\npath = \"version.env\"\npattern = 'VERSION=(?P<version>\\S+)'\n"
        ),
    );
    repo.sh("git add rel.toml && commit 'chore: configure rel'")
}

/// Everything a failed release must leave alone.
fn state(repo: &Repo) -> String {
    let git = |args: &[&str]| repo.git(args).stdout;
    let files: String = [
        "CHANGELOG.md",
        "Cargo.toml",
        "package.json",
        "pyproject.toml",
        "version.env",
    ]
    .iter()
    .map(|f| format!("{f}: {:?}\n", std::fs::read(repo.path().join(f)).ok()))
    .collect();
    format!(
        "{}\n{}\n{}\n{}\n{files}",
        git(&["for-each-ref"]),
        git(&["status", "--porcelain", "--untracked-files=all"]),
        git(&["ls-files", "-s"]),
        git(&["rev-parse", "HEAD"]),
    )
}

#[test]
fn unsigned_release_makes_one_commit_and_one_annotated_tag() {
    let repo = project(UNSIGNED);
    let old_head = repo.git(&["rev-parse", "HEAD"]).stdout;
    let run = repo.rel(&["release"]);
    assert_eq!(run.success(), "1.1.0\n");
    assert!(
        run.stderr.contains("unsigned annotated tag v1.1.0"),
        "{run:?}"
    );

    // One commit on top of the old HEAD, with the changelog and every version file.
    assert_eq!(repo.git(&["rev-parse", "HEAD^"]).stdout, old_head);
    assert_eq!(repo.message("HEAD"), "chore(release): v1.1.0");
    let changed = repo.git(&["diff", "--name-only", "HEAD^", "HEAD"]).stdout;
    assert_eq!(
        changed,
        "CHANGELOG.md\nCargo.toml\npackage.json\npyproject.toml\nversion.env\n"
    );
    assert!(
        repo.read("Cargo.toml")
            .contains("version = \"1.1.0\"\n\n[dependencies]\nversion = \"9\"")
    );
    assert!(repo.read("package.json").contains("\"version\": \"1.1.0\""));
    assert!(repo.read("pyproject.toml").contains("version = \"1.1.0\""));
    assert_eq!(repo.read("version.env"), "VERSION=1.1.0\n");
    let changelog = repo.read("CHANGELOG.md");
    assert!(
        changelog.contains("## [1.1.0] - 2026-05-28\n\n### Features\n\n- **api:** second ("),
        "{changelog}"
    );

    // An annotated tag on the release commit whose message holds the notes.
    assert_eq!(repo.git(&["cat-file", "-t", "v1.1.0"]).stdout, "tag\n");
    assert_eq!(
        repo.git(&["rev-parse", "v1.1.0^{commit}"]).stdout,
        repo.git(&["rev-parse", "HEAD"]).stdout
    );
    let message = repo
        .git(&["tag", "-l", "--format=%(contents)", "v1.1.0"])
        .stdout;
    assert!(
        message.starts_with("Release v1.1.0\n\nFeatures:\n- api: second ("),
        "{message}"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]).stdout, "");

    // A second release keeps hand edits made to the first release's section.
    let edited = changelog.replace("- **api:** second", "- **api:** second, as edited by hand");
    repo.write("CHANGELOG.md", &edited);
    let repo = repo.sh("git commit -q -am 'docs: reword the changelog' && commit 'fix: third'");
    assert_eq!(repo.rel(&["release"]).success(), "1.1.1\n");
    let after = repo.read("CHANGELOG.md");
    let at = after.find("## [1.1.0]").expect("first release still there");
    assert_eq!(
        &after[at..],
        &edited[edited.find("## [1.1.0]").expect("edited")..]
    );
    assert!(
        after.contains("## [1.1.1] - 2026-05-28\n\n### Bug Fixes\n\n- third ("),
        "{after}"
    );
}

#[test]
fn ssh_signed_release_verifies_with_git_and_rel() {
    let repo = project("[policy]\nallowed_signers = \".rel/allowed_signers\"\n");
    let repo = with_keys(
        repo,
        "ssh_key alice && allow_ssh alice alice@example.com .rel/allowed_signers && git add .rel && commit 'chore: trust alice'\ngit config gpg.format ssh && git config user.signingkey \"$HOME/alice\"",
    );
    let run = repo.rel(&["release"]);
    assert_eq!(run.success(), "1.1.0\n");
    assert!(
        run.stderr.contains("signed annotated tag v1.1.0"),
        "{run:?}"
    );
    let verify = repo.git(&[
        "-c",
        "gpg.ssh.allowedSignersFile=.rel/allowed_signers",
        "verify-tag",
        "v1.1.0",
    ]);
    assert_eq!(verify.code, 0, "{verify:?}");
    let run = repo.rel(&["verify", "v1.1.0"]);
    assert_eq!(
        run.success(),
        "v1.1.0: ok (ssh signature by alice@example.com)\n"
    );
}

#[test]
fn openpgp_signed_release_verifies_with_git_and_rel() {
    let repo = with_keys(
        project("[policy]\nopenpgp_keys = \".rel/keys\"\n"),
        "fpr=$(gpg_key 'Alice <alice@example.com>') && export_gpg \"$fpr\" .rel/keys/alice.asc && git add .rel && commit 'chore: trust alice'\ngit config user.signingkey \"$fpr\"\necho \"$fpr\" > fpr",
    );
    let fpr = repo.read("fpr").trim().to_owned();
    assert_eq!(repo.rel(&["release"]).success(), "1.1.0\n");
    let verify = repo.git(&["verify-tag", "v1.1.0"]);
    assert_eq!(verify.code, 0, "{verify:?}");
    let run = repo.rel(&["verify", "v1.1.0", "--json"]);
    let json = run.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["tags"][0]["format"], "openpgp");
    assert_eq!(json["tags"][0]["signer"], fpr.as_str());
    let _ = repo.sh("gpgconf --kill all");
}

/// Runs `script` with the key helpers loaded.
fn with_keys(repo: Repo, script: &str) -> Repo {
    let keys = crate::fixtures_dir().join("keys.sh");
    repo.sh(&format!(". '{}'\n{script}", keys.display()))
}

#[test]
fn verify_rejects_what_it_must() {
    // Trusted: alice (SSH) and the OpenPGP key `trusted`. Not trusted: mallory (SSH), and an
    // OpenPGP key the user's own keyring trusts ultimately.
    let repo = with_keys(
        Repo::new("commit 'feat: one'"),
        "ssh_key alice && ssh_key mallory && allow_ssh alice alice@example.com .rel/allowed_signers
trusted=$(gpg_key 'Trusted <t@example.com>') && export_gpg \"$trusted\" .rel/keys/trusted.asc
own=$(gpg_key 'Own <own@example.com>')
printf '[policy]\\nallowed_signers = \".rel/allowed_signers\"\\nopenpgp_keys = \".rel/keys\"\\n' > rel.toml
git config gpg.format ssh
git -c user.signingkey=\"$HOME/alice\" tag -s -m good v1.0.0
git tag -a -m unsigned v1.1.0
git tag v1.2.0
git -c user.signingkey=\"$HOME/mallory\" tag -s -m mallory v1.3.0
git -c gpg.format=openpgp -c user.signingkey=\"$own\" tag -s -m own v1.4.0
git -c gpg.format=openpgp -c user.signingkey=\"$trusted\" tag -s -m trusted v1.5.0
# Forged: v1.0.0's valid signature on another payload.
git cat-file tag v1.0.0 | sed -n '/^-----BEGIN/,$p' > sig
printf 'object %s\\ntype commit\\ntag v1.6.0\\ntagger Eve <e@x> 1767225600 +0000\\n\\nforged\\n' \"$(git rev-parse HEAD)\" > forged
cat sig >> forged && git update-ref refs/tags/v1.6.0 \"$(git mktag < forged)\"
# Another namespace: an SSH signature over the right payload, made for `file`, not `git`.
printf 'object %s\\ntype commit\\ntag v1.7.0\\ntagger Eve <e@x> 1767225600 +0000\\n\\nother namespace\\n' \"$(git rev-parse HEAD)\" > payload
ssh-keygen -q -Y sign -n file -f \"$HOME/alice\" payload
cat payload payload.sig > namespaced && git update-ref refs/tags/v1.7.0 \"$(git mktag < namespaced)\"
# Named for another version.
git cat-file tag v1.0.0 > renamed && git update-ref refs/tags/v1.8.0 \"$(git hash-object -t tag -w renamed)\"",
    );
    let run = repo.rel(&["verify"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    let expect = [
        "v1.0.0: ok (ssh signature by alice@example.com)",
        "v1.1.0: FAILED [signed]: not signed (git tag -s)",
        "v1.2.0: FAILED [annotated]: a lightweight tag",
        "v1.3.0: FAILED [trusted]: signed by an SSH key that is not in the allowed signers",
        "v1.4.0: FAILED [trusted]: signed by an OpenPGP key that is not among the trusted keys",
        "v1.5.0: ok (openpgp signature by ",
        "v1.6.0: FAILED [trusted]: the SSH signature does not verify",
        "v1.7.0: FAILED [trusted]: the SSH signature does not verify",
        "v1.8.0: FAILED [name]: the tag object is named `v1.0.0`, not `v1.8.0`",
    ];
    assert_eq!(lines.len(), expect.len(), "{}", run.stdout);
    for (line, want) in lines.iter().zip(expect) {
        assert!(
            line.starts_with(want),
            "{line:?} should start with {want:?}\n{}",
            run.stdout
        );
    }
    // The user's own keyring trusts `own` ultimately; verify must not care.
    let own_ok = repo.git(&["-c", "gpg.format=openpgp", "verify-tag", "v1.4.0"]);
    assert_eq!(
        own_ok.code, 0,
        "git itself accepts it with the user's keyring: {own_ok:?}"
    );
    assert_eq!(repo.rel(&["verify", "v1.0.0", "v1.5.0"]).code, 0);
    let _ = repo.sh("gpgconf --kill all");
}

#[test]
fn failed_signing_leaves_everything_as_it_was() {
    for setup in [
        // A signing key that does not exist.
        "git config gpg.format ssh && git config user.signingkey \"$HOME/no-such-key\"",
        // A gpg.program that fails.
        "printf '#!/bin/sh\\necho broken gpg >&2\\nexit 1\\n' > \"$HOME/fail-gpg\" && chmod +x \"$HOME/fail-gpg\" && git config gpg.program \"$HOME/fail-gpg\"",
    ] {
        let repo = project("[policy]\nrequire_signed_tags = true\n").sh(setup);
        let before = state(&repo);
        let run = repo.rel(&["release"]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            run.stderr
                .contains("signing the tag failed, so nothing was released"),
            "{}",
            run.stderr
        );
        assert_eq!(state(&repo), before, "after {setup}");
    }
}

#[test]
fn dry_run_writes_nothing() {
    let repo = project(UNSIGNED);
    let before = state(&repo);
    let run = repo.rel(&["release", "--dry-run"]);
    assert!(
        run.success().starts_with("# v1.1.0 (2026-05-28)\n"),
        "{run:?}"
    );
    assert!(run.stderr.contains("would release v1.1.0"), "{run:?}");
    assert_eq!(state(&repo), before);
}

#[test]
fn preconditions_refuse_and_write_nothing() {
    let repo = project(UNSIGNED);
    let refused = |repo: &Repo, args: &[&str], why: &str| {
        let before = state(repo);
        let run = repo.rel(args);
        assert!(run.code == 1 || run.code == 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(why), "{args:?}: {}", run.stderr);
        assert_eq!(state(repo), before, "{args:?} wrote something");
    };
    repo.write("Cargo.toml", "changed by hand\n");
    refused(&repo, &["release"], "uncommitted changes");
    let repo = repo.sh("git checkout -q -- Cargo.toml && git switch -q -c topic");
    refused(&repo, &["release"], "`topic` is not a release branch");
    // v1.1.0 exists on a commit HEAD does not contain, so the base stays v1.0.0.
    let repo = repo.sh(
        "git switch -q main && git tag v1.1.0 \"$(git commit-tree 'HEAD^{tree}' -m elsewhere)\"",
    );
    refused(&repo, &["release"], "the tag v1.1.0 already exists");
    refused(
        &repo,
        &["release", "--version", "0.9.0"],
        "not above the last release 1.0.0",
    );
    refused(
        &repo,
        &["release", "--version", "banana"],
        "not a semantic version",
    );
    let repo = Repo::new("commit 'feat: one'\ntag v1.0.0\ncommit 'docs: two'");
    repo.write("rel.toml", UNSIGNED);
    let repo = repo.sh("git add rel.toml && commit 'chore: c'");
    refused(&repo, &["release"], "nothing to release");
    repo.write("rel.toml", "[policy]\nrequire_signed_tags = true\n");
    let repo = repo.sh("git add rel.toml && commit 'feat: c'");
    refused(
        &repo,
        &["release", "--no-sign"],
        "policy.require_signed_tags is on",
    );
}

#[test]
fn explicit_version_and_pre_releases() {
    let repo = project(UNSIGNED);
    assert_eq!(
        repo.rel(&["release", "--pre", "rc"]).success(),
        "1.1.0-rc.1\n"
    );
    let repo = repo.sh("commit 'fix: more'");
    assert_eq!(
        repo.rel(&["release", "--pre", "rc"]).success(),
        "1.1.0-rc.2\n"
    );
    let repo = repo.sh("commit 'fix: final'");
    assert_eq!(
        repo.rel(&["release", "--version", "2.0.0"]).success(),
        "2.0.0\n"
    );
    assert!(repo.read("Cargo.toml").contains("version = \"2.0.0\""));
    let tags = repo.git(&["tag", "-l"]).stdout;
    assert_eq!(tags, "v1.0.0\nv1.1.0-rc.1\nv1.1.0-rc.2\nv2.0.0\n");
}

#[test]
fn push_sends_branch_and_tag_atomically() {
    let repo = project(UNSIGNED).sh("git init -q --bare .git/remote.git && git remote add origin .git/remote.git && git push -q origin main v1.0.0");
    let remote = repo.path().join(".git/remote.git");
    let run = repo.rel(&["release", "--push"]);
    assert_eq!(run.success(), "1.1.0\n");
    assert!(
        run.stderr.contains("pushed main and v1.1.0 to origin"),
        "{run:?}"
    );
    let remote_tags = repo.run(
        std::process::Command::new("git")
            .arg("-C")
            .arg(&remote)
            .args(["tag", "-l"]),
        None,
    );
    assert_eq!(remote_tags.stdout, "v1.0.0\nv1.1.0\n");
    let remote_head = repo.run(
        std::process::Command::new("git")
            .arg("-C")
            .arg(&remote)
            .args(["rev-parse", "main"]),
        None,
    );
    assert_eq!(remote_head.stdout, repo.git(&["rev-parse", "HEAD"]).stdout);
}
