//! Attacks on the push gate, each tried through the client's pre-push hook and through the
//! server's pre-receive hook with `git push --no-verify`, as someone with push access would.

use crate::policy::{MODES, Mode, client, on_server, push, refused, setup};
use crate::{Repo, fixtures_dir};

/// Fixture shell in the server's bare repository.
fn server(repo: Repo, script: &str) -> Repo {
    repo.sh(&format!("cd server.git\n{script}"))
}

fn read_id(repo: &Repo, file: &str) -> String {
    repo.read(file).trim().to_owned()
}

#[test]
fn replace_refs_do_not_fake_a_fast_forward() {
    for mode in MODES {
        for same_push in [false, true] {
            // X: an orphan commit; its replacement claims main as its parent.
            let repo = client(
                setup(mode),
                "commit 'feat: second' && git push -q origin main
x=$(git commit-tree -m 'feat: orphan' HEAD^{tree}) && git replace --graft $x HEAD && echo $x > ../x",
            );
            let x = read_id(&repo, "x");
            let before = on_server(&repo, "main");
            let replace = format!("refs/replace/{x}:refs/replace/{x}");
            let force = format!("{x}:refs/heads/main");
            let run = if same_push {
                push(&repo, mode, &["--force", "origin", &replace, &force])
            } else {
                if mode == Mode::PreReceive {
                    assert_eq!(push(&repo, mode, &["origin", &replace]).code, 0);
                }
                push(&repo, mode, &["--force", "origin", &force])
            };
            refused(&run, "refs/heads/main", "protected-force-push");
            assert_eq!(
                on_server(&repo, "main"),
                before,
                "{mode:?}: main was rewritten"
            );
        }
    }
}

#[test]
fn a_grafts_file_does_not_fake_a_fast_forward() {
    // git still honours .git/info/grafts (deprecated); rel never does.
    let repo = client(
        setup(Mode::PrePush),
        "commit 'feat: second' && git push -q origin main
x=$(git commit-tree -m 'feat: orphan' HEAD^{tree}) && echo \"$x $(git rev-parse HEAD)\" > .git/info/grafts && echo $x > ../x",
    );
    let x = read_id(&repo, "x");
    let before = on_server(&repo, "main");
    let run = push(
        &repo,
        Mode::PrePush,
        &["--force", "origin", &format!("{x}:refs/heads/main")],
    );
    refused(&run, "refs/heads/main", "protected-force-push");
    assert_eq!(on_server(&repo, "main"), before);
}

#[test]
fn replace_refs_do_not_hide_an_unlinted_commit() {
    for mode in MODES {
        // Y (not conventional) is a real child of main; its replacement reads as conventional.
        let repo = client(
            setup(mode),
            "commit 'sneaky non-conventional' && y=$(git rev-parse HEAD)
fake=$(git commit-tree -p HEAD~1 -m 'feat: looks fine' HEAD^{tree}) && git replace $y $fake",
        );
        if mode == Mode::PreReceive {
            assert_eq!(
                push(&repo, mode, &["origin", "refs/replace/*:refs/replace/*"]).code,
                0
            );
        }
        let run = push(&repo, mode, &["origin", "main"]);
        refused(&run, "refs/heads/main", "commit-lint");
        assert!(
            run.stderr.contains("`sneaky non-conventional`"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_moved_release_tag_gets_every_tag_check() {
    for mode in MODES {
        let repo = setup(mode).sh("printf 'immutable_tags = false\\n' >> server.git/rel.toml
printf 'immutable_tags = false\\n' >> client/rel.toml");
        let repo = client(
            repo,
            "git tag -s -m one v1.0.0 && git push -q --no-verify origin v1.0.0
commit 'fix: two' && git push -q --no-verify origin main",
        );
        let published = on_server(&repo, "v1.0.0");
        let cases = [
            ("git tag -f v1.0.0", "tag-annotated"),
            ("git tag -f -a -m unsigned v1.0.0", "tag-signed"),
            (
                "git -c user.signingkey=\"$HOME/mallory\" tag -f -s -m mallory v1.0.0",
                "tag-signed",
            ),
        ];
        let mut repo = repo;
        for (script, rule) in cases {
            repo = client(repo, &format!("{script} >/dev/null"));
            refused(
                &push(&repo, mode, &["--force", "origin", "v1.0.0"]),
                "refs/tags/v1.0.0",
                rule,
            );
            assert_eq!(on_server(&repo, "v1.0.0"), published, "{mode:?}: {script}");
        }
        // Moving is allowed by this policy when the new tag passes every check.
        let repo = client(repo, "git tag -f -s -m moved v1.0.0 >/dev/null");
        assert_eq!(
            push(&repo, mode, &["--force", "origin", "v1.0.0"]).code,
            0,
            "{mode:?}"
        );
    }
}

/// A commit whose author line has no e-mail: git stores it, gix cannot decode it.
const MALFORMED: &str = "t=$(git rev-parse HEAD^{tree}) && p=$(git rev-parse HEAD)
printf 'tree %s\\nparent %s\\nauthor NoEmailHere 1700000000 +0000\\ncommitter C <c@x> 1700000000 +0000\\n\\nfeat: bad author\\n' $t $p > ../bad
bad=$(git hash-object -t commit --literally -w ../bad) && echo $bad > ../bad-id";

#[test]
fn a_malformed_object_is_refused_by_the_push_that_brings_it() {
    for mode in MODES {
        let repo = client(
            setup(mode),
            &format!("{MALFORMED}\ngit branch feature/bad $bad"),
        );
        let bad = read_id(&repo, "bad-id");
        let run = push(&repo, mode, &["origin", "feature/bad"]);
        refused(&run, "refs/heads/feature/bad", "object-decode");
        assert!(run.stderr.contains(&bad[..7]), "{}", run.stderr);
        assert_eq!(on_server(&repo, "feature/bad"), None);

        // The same through main, beside a good commit.
        let repo = client(
            repo,
            "commit 'feat: good' && git merge -q --no-edit --no-ff feature/bad",
        );
        refused(
            &push(&repo, mode, &["origin", "main"]),
            "refs/heads/main",
            "object-decode",
        );

        // A tag object with a malformed tagger, pushed as any tag.
        let repo = client(
            repo,
            "p=$(git rev-parse HEAD~1)
id=$(printf 'object %s\\ntype commit\\ntag odd\\ntagger NoEmailHere 1700000000 +0000\\n\\nodd\\n' $p | git hash-object -t tag --literally -w --stdin)
git update-ref refs/tags/odd $id",
        );
        refused(
            &push(&repo, mode, &["origin", "refs/tags/odd"]),
            "refs/tags/odd",
            "object-decode",
        );
    }
}

#[test]
fn a_malformed_object_already_on_the_server_blocks_no_later_push() {
    // Written into the server directly, as if pushed before the gate was installed.
    let repo = server(
        setup(Mode::PreReceive),
        &format!(
            "git symbolic-ref HEAD refs/heads/main\n{MALFORMED}\ngit update-ref refs/heads/feature/old $bad\ngit tag old-tag $bad"
        ),
    );
    let repo = client(repo, "commit 'feat: good' && commit 'fix: also good'");
    let run = push(&repo, Mode::PreReceive, &["origin", "main"]);
    assert_eq!(run.code, 0, "{run:?}");
    let repo = client(repo, "git switch -q -c feature/new && commit 'wip'");
    let run = push(&repo, Mode::PreReceive, &["origin", "feature/new"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn staging_a_commit_elsewhere_does_not_skip_the_lint() {
    for mode in MODES {
        for stage in [
            "refs/heads/feature/stage",
            "refs/tags/stage",
            "refs/stage/x",
        ] {
            let repo = client(setup(mode), "commit 'sneaky non-conventional'");
            let staged = push(&repo, mode, &["origin", &format!("HEAD:{stage}")]);
            assert_eq!(staged.code, 0, "{mode:?} {stage}: {staged:?}");
            let run = push(&repo, mode, &["origin", "main"]);
            refused(&run, "refs/heads/main", "commit-lint");
            assert!(
                run.stderr.contains("`sneaky non-conventional`"),
                "{mode:?} {stage}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn a_release_tag_must_mark_a_commit() {
    for mode in MODES {
        let repo = client(
            setup(mode),
            "git tag -s -m tree v2.0.0 HEAD^{tree}
b=$(echo hi | git hash-object -w --stdin) && git tag -s -m blob v2.1.0 $b
git tag -s -m inner inner-tree HEAD^{tree} && git tag -s -m outer v2.2.0 inner-tree",
        );
        for (tag, kind) in [("v2.0.0", "tree"), ("v2.1.0", "blob"), ("v2.2.0", "tree")] {
            let run = push(&repo, mode, &["origin", tag]);
            refused(&run, &format!("refs/tags/{tag}"), "tag-on-release-branch");
            assert!(
                run.stderr
                    .contains(&format!("points at a {kind}, not a commit")),
                "{}",
                run.stderr
            );
            assert_eq!(on_server(&repo, tag), None, "{mode:?}");
        }
    }
}

#[test]
fn a_retired_key_cannot_sign_a_release_by_backdating_it() {
    for mode in MODES {
        // bob's key was retired on 2025-01-01; the fixture clock is in 2026.
        let repo = setup(mode).sh(&format!(
            ". '{}'
ssh_key bob
line=\"bob@example.com valid-before=\\\"20250101\\\" $(cat \"$HOME/bob.pub\")\"
echo \"$line\" >> server.git/allowed_signers && echo \"$line\" >> client/.rel/allowed_signers",
            fixtures_dir().join("keys.sh").display()
        ));
        let repo = client(
            repo,
            "GIT_COMMITTER_DATE='2024-06-01T00:00:00Z' git -c user.signingkey=\"$HOME/bob\" tag -s -m backdated v1.0.0",
        );
        let run = push(&repo, mode, &["origin", "v1.0.0"]);
        refused(&run, "refs/tags/v1.0.0", "tag-signed");
        assert_eq!(on_server(&repo, "v1.0.0"), None, "{mode:?}");
        // An audit of history judges the key at the tagger's date, as git verify-tag does.
        let client_dir = repo.path().join("client");
        let verify = repo.rel_in(&client_dir, &["verify", "v1.0.0"]);
        assert_eq!(verify.code, 0, "{verify:?}");
        assert!(verify.stdout.contains("v1.0.0: ok"), "{verify:?}");
    }
}

/// Tag shapes whose signature split matters, each judged by `git verify-tag` and `rel verify`.
#[test]
fn the_signature_is_split_where_git_splits_it() {
    let keys = fixtures_dir().join("keys.sh");
    let repo = Repo::new(&format!(
        ". '{keys}'
ssh_key alice
allow_ssh alice alice@example.com .rel/allowed_signers
printf '[policy]\\nallowed_signers = \".rel/allowed_signers\"\\n' > rel.toml
git add . && commit 'feat: first'
git config gpg.format ssh && git config user.signingkey \"$HOME/alice\"
git config gpg.ssh.allowedSignersFile \"$PWD/.rel/allowed_signers\"
printf 'Release\\n\\n-----BEGIN CERTIFICATE-----\\nMIIBszCCAVmgAwIBAgIUQ\\n-----END CERTIFICATE-----\\n' > ../pem
git tag -s -F ../pem v1.0.0
printf 'Release\\n\\n-----BEGIN PGP SIGNATURE-----\\nfake\\n-----END PGP SIGNATURE-----\\n\\nmore\\n' > ../pgp
git tag -s -F ../pgp v1.1.0
printf 'Release\\n\\n-----BEGIN SSH SIGNATURE-----\\nfake\\n-----END SSH SIGNATURE-----\\n' > ../ssh
git tag -s -F ../ssh v1.2.0
git tag -s -m twice tmp && {{ git cat-file tag tmp | sed 's/^tag tmp$/tag v1.3.0/'; git cat-file tag tmp | sed -n '/^-----BEGIN SSH SIGNATURE-----/,$p'; }} > ../twice
git tag -d tmp >/dev/null
git update-ref refs/tags/v1.3.0 $(git mktag < ../twice)
git tag -s -m junk tmp && {{ git cat-file tag tmp | sed 's/^tag tmp$/tag v1.4.0/'; echo trailing; }} > ../junk
git tag -d tmp >/dev/null
git update-ref refs/tags/v1.4.0 $(git mktag < ../junk)
printf 'object %s\\ntype commit\\ntag v1.5.0\\ntagger A <a@x> 1767225600 +0000\\n\\nRelease\\n-----BEGIN PGP MESSAGE-----\\nnot signed\\n' $(git rev-parse HEAD) > ../unsigned
git update-ref refs/tags/v1.5.0 $(git mktag < ../unsigned)",
        keys = keys.display()
    ));
    let legit = ["v1.0.0", "v1.1.0", "v1.2.0"];
    for tag in ["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0", "v1.4.0", "v1.5.0"] {
        let git_ok = repo.git(&["verify-tag", tag]).code == 0;
        let rel = repo.rel(&["verify", tag]);
        assert_eq!(
            rel.code == 0,
            git_ok,
            "{tag}: git verify-tag ok = {git_ok}, rel: {rel:?}"
        );
        assert_eq!(
            git_ok,
            legit.contains(&tag),
            "{tag}: the shape is not what the test meant"
        );
    }
}

#[test]
fn a_release_whose_notes_quote_a_signature_block_verifies() {
    let keys = fixtures_dir().join("keys.sh");
    let repo = Repo::new(&format!(
        ". '{keys}'
ssh_key alice
allow_ssh alice alice@example.com .rel/allowed_signers
printf '[policy]\\nallowed_signers = \".rel/allowed_signers\"\\n' > rel.toml
git add . && commit 'feat: first'
git config gpg.format ssh && git config user.signingkey \"$HOME/alice\"
git config gpg.ssh.allowedSignersFile \"$PWD/.rel/allowed_signers\"
commit 'feat!: armoured keys' 'BREAKING CHANGE: keys now look like
-----BEGIN SSH SIGNATURE-----
abc
-----END SSH SIGNATURE-----'",
        keys = keys.display()
    ));
    repo.rel(&["release"]).success();
    let message = repo.git(&["cat-file", "tag", "v0.1.0"]);
    assert!(
        message
            .stdout
            .matches("-----BEGIN SSH SIGNATURE-----")
            .count()
            == 2,
        "the tag quotes the block: {}",
        message.stdout
    );
    assert_eq!(repo.git(&["verify-tag", "v0.1.0"]).code, 0);
    let verify = repo.rel(&["verify", "v0.1.0"]);
    assert_eq!(verify.code, 0, "{verify:?}");
}

#[test]
fn release_tags_of_one_push_are_checked_against_each_other() {
    for mode in MODES {
        // v2.0.0 on the parent, v1.0.0 on its child: the child contains a higher release.
        let repo = client(
            setup(mode),
            "commit 'feat: c1' && git tag -s -m two v2.0.0 && commit 'fix: c2' && git tag -s -m one v1.0.0",
        );
        let run = push(&repo, mode, &["origin", "main", "v2.0.0", "v1.0.0"]);
        refused(&run, "refs/tags/v1.0.0", "tag-version");
        assert!(run.stderr.contains("lower than v2.0.0"), "{}", run.stderr);
    }
}
