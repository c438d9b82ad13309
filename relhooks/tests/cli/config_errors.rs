//! Configuration and trust errors that must name the right thing: keys inside
//! `[[release.files]]`, `max_header_length = 0`, a `rel.toml` that is a dangling link (in a
//! work tree and on a server), OpenPGP keys that expired or were revoked, and a 1 MB header.

use std::process::Command;

use crate::{Repo, fixtures_dir};

#[test]
fn errors_inside_release_files_name_the_entry_not_the_table_above() {
    let repo = Repo::new("commit 'feat: one'");
    let cases = [
        (
            "[changelog]\npath = \"CHANGELOG.md\"\n\n[[release.files]]\npath = \"Cargo.toml\"\nkind = \"maven\"\n",
            "rel.toml:6:8: `release.files[0].kind`: unknown variant `maven`, expected one of `cargo`, `npm`, `pyproject`",
        ),
        (
            "[policy]\nlint = \"all\"\n[[release.files]]\npath = \"a\"\n[[release.files]]\npath = \"b\"\npattern = '(unclosed'\n",
            "rel.toml:7:11: `release.files[1].pattern`: invalid regex `(unclosed`: error: unclosed group",
        ),
        (
            "[changelog]\npath = \"CHANGELOG.md\"\n[[release.files]]\npath = \"a\"\nformat = \"x\"\n",
            "rel.toml:5:1: unknown key `release.files[0].format`, expected one of `path`, `kind`, `pattern`",
        ),
        (
            "[release]\nfiles = [{ path = \"a\", kind = \"maven\" }]\n",
            "rel.toml:2:31: `release.files[0].kind`: unknown variant `maven`",
        ),
    ];
    for (config, want) in cases {
        repo.write("rel.toml", config);
        let err = repo.rel(&["next"]).failure(2).to_owned();
        assert!(err.contains(want), "want {want:?} in:\n{err}");
        assert!(
            !err.contains("`changelog.") && !err.contains("`policy."),
            "{err}"
        );
    }
}

#[test]
fn max_header_length_zero_is_a_config_error() {
    let repo = Repo::new("commit 'feat: one'");
    repo.write("rel.toml", "[commits]\nmax_header_length = 0\n");
    let want = "rel.toml:2:21: `commits.max_header_length`: must be at least 1: the longest header lint accepts, in characters (default 100)";
    let err = repo
        .rel_stdin(&["lint", "-"], "feat: x\n")
        .failure(2)
        .to_owned();
    assert!(err.contains(want), "{err}");
    repo.write(".git/COMMIT_EDITMSG", "feat: x\n");
    let err = repo
        .rel(&["hook", "commit-msg", ".git/COMMIT_EDITMSG"])
        .failure(2)
        .to_owned();
    assert!(err.contains(want), "{err}");
    // A small limit is a limit, not an error.
    repo.write("rel.toml", "[commits]\nmax_header_length = 7\n");
    repo.rel_stdin(&["lint", "-"], "feat: x\n").success();
    let err = repo
        .rel_stdin(&["lint", "-"], "feat: xy\n")
        .failure(1)
        .to_owned();
    assert!(err.contains("error[header-too-long]"), "{err}");
}

#[test]
fn a_dangling_rel_toml_link_is_an_error_not_the_defaults() {
    let repo = Repo::new("commit 'feat: one'\nln -s policy/rel.toml rel.toml");
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(
        err.contains("rel.toml is a symbolic link to policy/rel.toml, which does not exist"),
        "{err}"
    );
    // Once the target exists it is read; once the link is gone, the defaults apply.
    repo.write("policy/rel.toml", "[version]\ninitial = \"3.0.0\"\n");
    assert_eq!(repo.next(), "3.0.0");
    std::fs::remove_file(repo.path().join("rel.toml")).expect("remove the link");
    assert_eq!(repo.next(), "0.1.0");
    // A directory where the file should be is named too.
    std::fs::create_dir(repo.path().join("rel.toml")).expect("a directory");
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(
        err.contains("cannot read ") && err.contains("rel.toml"),
        "{err}"
    );
}

#[test]
fn a_server_with_a_dangling_rel_toml_refuses_pushes_instead_of_using_defaults() {
    let repo = Repo::empty_dir().sh("git init -q --bare server.git
git clone -q server.git client 2>/dev/null && cd client && git switch -q -c main
commit 'feat: first' && git push -q origin main
commit 'feat: second'");
    let server = repo.path().join("server.git");
    repo.rel_in(&server, &["install", "--server"]).success();
    std::os::unix::fs::symlink("/nonexistent/policy/rel.toml", server.join("rel.toml"))
        .expect("symlink");
    let push = |branch: &str| {
        repo.run(
            Command::new("git")
                .args(["push", "origin", &format!("HEAD:refs/heads/{branch}")])
                .current_dir(repo.path().join("client")),
            None,
        )
    };
    let on_server = |branch: &str| {
        repo.run(
            Command::new("git")
                .args(["rev-parse", "--verify", "-q", branch])
                .current_dir(&server),
            None,
        )
        .code
            == 0
    };
    let run = push("feature/x");
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("remote: error: ")
            && run.stderr.contains(
                "rel.toml is a symbolic link to /nonexistent/policy/rel.toml, which does not exist"
            ),
        "{}",
        run.stderr
    );
    assert!(!on_server("feature/x"));
    // The same push is accepted once the link is gone and the defaults apply on purpose.
    std::fs::remove_file(server.join("rel.toml")).expect("remove the link");
    assert_eq!(push("feature/x").code, 0);
    assert!(on_server("feature/x"));
}

/// A repository with three OpenPGP-signed tags and each key exported as a trust anchor:
/// v1.0.0 by a key that expired in 2020 (made and used with gpg's clock set back), v1.1.0 by
/// a key revoked after signing, v1.2.0 by a valid key.
fn openpgp_tags() -> Repo {
    let keys = fixtures_dir().join("keys.sh");
    Repo::new(&format!(
        ". '{keys}'
commit 'feat: one'
printf '[policy]\\nopenpgp_keys = \".rel/keys\"\\n' > rel.toml
mkdir -p \"$HOME/.gnupg\" && chmod 700 \"$HOME/.gnupg\"
printf '#!/bin/sh\\nexec gpg --faked-system-time 20200101T000000 \"$@\"\\n' > \"$HOME/gpg-2020\" && chmod +x \"$HOME/gpg-2020\"
\"$HOME/gpg-2020\" --batch --quiet --passphrase '' --quick-gen-key 'Old <old@example.com>' ed25519 sign 1d 2>/dev/null
old=$(gpg --batch --with-colons --list-keys old@example.com | awk -F: '/^fpr/ {{ print $10; exit }}')
git -c gpg.program=\"$HOME/gpg-2020\" -c user.signingkey=\"$old\" tag -s -m old v1.0.0
gone=$(gpg_key 'Gone <gone@example.com>')
git -c user.signingkey=\"$gone\" tag -s -m gone v1.1.0
sed 's/^:-----BEGIN/-----BEGIN/' \"$HOME/.gnupg/openpgp-revocs.d/$gone.rev\" | gpg --batch --quiet --import 2>/dev/null
good=$(gpg_key 'Good <good@example.com>')
git -c user.signingkey=\"$good\" tag -s -m good v1.2.0
export_gpg \"$old\" .rel/keys/old.asc && export_gpg \"$gone\" .rel/keys/gone.asc && export_gpg \"$good\" .rel/keys/good.asc
printf '%s\\n%s\\n%s\\n' \"$old\" \"$gone\" \"$good\" > fingerprints
gpgconf --kill all",
        keys = keys.display()
    ))
}

#[test]
fn openpgp_signatures_by_expired_or_revoked_keys_say_so() {
    let repo = openpgp_tags();
    let fingerprints = repo.read("fingerprints");
    let [old, gone, good] = fingerprints.lines().collect::<Vec<_>>()[..] else {
        panic!("three fingerprints: {fingerprints}");
    };
    let run = repo.rel(&["verify", "v1.0.0", "v1.1.0", "v1.2.0"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0].starts_with(&format!(
            "v1.0.0: FAILED [trusted]: signed by an expired OpenPGP key ({old})"
        )),
        "{}",
        run.stdout
    );
    assert!(
        lines[1].starts_with(&format!(
            "v1.1.0: FAILED [trusted]: signed by a revoked OpenPGP key ({gone})"
        )),
        "{}",
        run.stdout
    );
    assert_eq!(
        lines[2],
        format!("v1.2.0: ok (openpgp signature by {good})")
    );
    assert!(
        !run.stdout.contains("changed after signing"),
        "{}",
        run.stdout
    );

    // git, with the same keys in the user's keyring, agrees on each tag.
    for (tag, ok, says) in [
        ("v1.0.0", false, "expired"),
        ("v1.1.0", false, "revoked"),
        ("v1.2.0", true, "Good signature"),
    ] {
        let git = repo.git(&["verify-tag", tag]);
        assert_eq!(git.code == 0, ok, "{tag}: {git:?}");
        assert!(git.stderr.contains(says), "{tag}: {}", git.stderr);
    }
    let _ = repo.sh("gpgconf --kill all");
}

#[test]
fn a_one_megabyte_header_gets_a_diagnostic_of_a_few_lines() {
    let long = "x".repeat(1_000_000);
    for (message, rule, says) in [
        (
            format!("feat: {long}\n"),
            "error[header-too-long]",
            "the header is 1000006 characters long, more than 100".to_owned(),
        ),
        (
            format!("{long}: x\n"),
            "error[type-unknown]",
            format!("unknown type `{}…`", "x".repeat(40)),
        ),
        (
            format!("feat({long}): x\n"),
            "error[header-too-long]",
            "the header is 1000009 characters long".to_owned(),
        ),
    ] {
        let repo = Repo::new("commit 'feat: one'");
        let err = repo
            .rel_stdin(&["lint", "-"], &message)
            .failure(1)
            .to_owned();
        assert!(err.len() < 4096, "{} bytes of diagnostics", err.len());
        assert!(err.contains(&format!("{rule}: {says}")), "{err}");
        // The excerpt is cut around the caret, and says so.
        assert!(err.contains("xxxx…"), "{err}");

        // The same through the commit-msg hook, with the message file git writes.
        repo.rel(&["install"]).success();
        repo.write("message", &message);
        let run = repo.git(&["commit", "--allow-empty", "-F", "message"]);
        assert_ne!(run.code, 0, "the commit should be refused");
        assert!(run.stderr.len() < 4096, "{} bytes", run.stderr.len());
        assert!(run.stderr.contains(rule), "{}", run.stderr);
    }
}

#[test]
fn a_one_megabyte_header_in_a_range_is_cut_in_the_origin_too() {
    let repo = Repo::new(
        "commit 'feat: one'
{ printf 'feat: '; head -c 1000000 /dev/zero | tr '\\0' y; printf '\\n'; } > message
commit_file message && rm message",
    );
    let err = repo
        .rel(&["lint", "--range", "HEAD~1..HEAD"])
        .failure(1)
        .to_owned();
    assert!(err.len() < 4096, "{} bytes", err.len());
    assert!(err.contains("error[header-too-long]"), "{err}");
    assert!(
        err.contains("1 of 1 commits in HEAD~1..HEAD break the commit rules"),
        "{err}"
    );
}

#[test]
fn a_registry_that_is_not_one_is_a_config_error_naming_the_key() {
    let repo = Repo::new("commit 'feat: one'");
    repo.write(
        "rel.toml",
        "[registry]\nrepository = \"https://ghcr.io/team/app\"\n",
    );
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(
        err.contains("rel.toml:2:14: `registry.repository`: `https://ghcr.io/team/app` is not a registry repository (a reference, not a URL: leave the scheme out)"),
        "{err}"
    );
    repo.write(
        "rel.toml",
        "[registry]\nrepository = \"ghcr.io/team/app\"\n\n[registry.retention]\nkeep_environments = [\"production\"]\n",
    );
    let err = repo.rel(&["next"]).failure(2).to_owned();
    assert!(
        err.contains("`registry.retention.keep_environments[0]`: `production` is not an environment (environments: none)"),
        "{err}"
    );
}
