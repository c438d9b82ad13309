//! relcore against git, on repositories built by the fixture scripts with the real git CLI:
//! where git is the authority (ancestry, which commits a range holds, version order of tags,
//! message cleanup), relcore must say what git says. And the shape of relcore's own source:
//! its modules import each other without a cycle (`imports`).

mod imports;

use std::path::Path;
use std::process::Command;

use relcore::{ObjectId, Repo};

/// A repository built by `script` (with `fixtures/lib.sh` loaded) in a temporary directory.
struct Fixture {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Fixture {
    #[track_caller]
    fn new(script: &str) -> Self {
        let fixture = Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
            home: tempfile::tempdir().expect("temp home"),
        };
        fixture.sh(&format!("repo\n{script}"));
        fixture
    }

    #[track_caller]
    fn sh(&self, script: &str) -> String {
        let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/lib.sh");
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(". '{}'\n{script}", lib.display()))
            .current_dir(self.dir.path())
            .env("REL_FIXTURE_HOME", self.home.path())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "fixture script failed:\n{script}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// `git ARGS` in the fixture environment: (exit status ok, stdout).
    fn git(&self, args: &[&str]) -> (bool, String) {
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/lib.sh");
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(". '{}'\ngit {}", lib.display(), quoted.join(" ")))
            .current_dir(self.dir.path())
            .env("REL_FIXTURE_HOME", self.home.path())
            .output()
            .expect("git runs");
        (
            out.status.success(),
            String::from_utf8(out.stdout).expect("UTF-8 output"),
        )
    }

    fn repo(&self) -> Repo {
        Repo::discover(self.dir.path()).expect("a repository")
    }

    fn ids(&self, revs: &str) -> Vec<ObjectId> {
        self.sh(&format!("git --no-replace-objects rev-list {revs}"))
            .lines()
            .map(|l| l.parse().expect("an id"))
            .collect()
    }
}

/// Branches, merges both ways, a criss-cross, an orphan branch, and a replace ref (which git
/// honours unless told not to, and relcore never does).
const HISTORY: &str = "commit 'feat: a' && commit 'fix: b'
branch topic && commit 'feat: t1' && commit 'feat: t2'
switch main && commit 'fix: c' && merge topic
switch topic && commit 'feat: t3' && merge main
switch main && commit 'perf: d'
git switch -q --orphan lone && commit 'feat: orphan'
switch main
git replace --graft lone main~2";

#[test]
fn ancestry_is_what_git_merge_base_says() {
    let f = Fixture::new(HISTORY);
    let repo = f.repo();
    let commits = f.ids("--all");
    assert!(commits.len() >= 10, "{commits:?}");
    for a in &commits {
        for b in &commits {
            let (git_says, _) = f.git(&[
                "--no-replace-objects",
                "merge-base",
                "--is-ancestor",
                &a.to_string(),
                &b.to_string(),
            ]);
            let rel_says = repo.is_ancestor(*a, *b).expect("readable");
            assert_eq!(rel_says, git_says, "is {a} an ancestor of {b}?");
        }
    }
}

#[test]
fn a_walk_holds_what_git_rev_list_lists() {
    let f = Fixture::new(HISTORY);
    let repo = f.repo();
    for (tip, hidden) in [
        ("main", None),
        ("main", Some("main~2")),
        ("topic", Some("main")),
        ("main", Some("topic")),
        ("lone", None),
        ("main", Some("lone")),
    ] {
        let tip_id: ObjectId = f
            .sh(&format!("git rev-parse {tip}"))
            .trim()
            .parse()
            .expect("id");
        let hidden_id: Option<ObjectId> = hidden.map(|h| {
            f.sh(&format!("git rev-parse {h}"))
                .trim()
                .parse()
                .expect("id")
        });
        let mut walked = Vec::new();
        repo.walk(tip_id, hidden_id, |c| walked.push(c.id))
            .expect("walks");
        let spec = match hidden {
            Some(h) => format!("{tip} ^{h}"),
            None => tip.to_owned(),
        };
        let mut listed = f.ids(&spec);
        walked.sort();
        listed.sort();
        assert_eq!(walked, listed, "{tip} ^{hidden:?}");
    }
}

#[test]
fn release_tags_sort_as_git_sorts_versions() {
    let f = Fixture::new(
        "commit 'feat: a'
for t in v0.1.0 v0.2.0 v0.10.0 v1.0.0-rc.1 v1.0.0-rc.2 v1.0.0-rc.10 v1.0.0 v1.0.1 v2.0.0-alpha v2.0.0-beta v10.0.0; do tag $t; done
tag not-a-version && tag v1.2 && tag vx.y.z",
    );
    let rel: Vec<String> = f
        .repo()
        .release_tags("v")
        .expect("tags")
        .into_iter()
        .map(|t| t.name)
        .collect();
    // versionsort.suffix=- : a pre-release sorts before its release, as in semver.
    let git = f.sh("git -c versionsort.suffix=- tag -l 'v[0-9]*.[0-9]*.[0-9]*' --sort=-v:refname");
    let git: Vec<&str> = git.lines().collect();
    assert_eq!(rel, git);
}

#[test]
fn message_cleanup_is_git_stripspace() {
    let messages = [
        "feat: x\n",
        "feat: x\n\n\n\nbody\n\n\n",
        "  \n\nfeat: x   \n\t\nbody line   \n",
        "feat: x\n# a comment\n#another\n\nbody\n# trailing comment\n",
        "# only comments\n#\n",
        "feat: x\n\n   # indented is not a comment\n",
        "feat: x\r\n\r\nbody\r\n",
        "",
        "\n\n\n",
        "feat: x\nno blank line\n",
    ];
    let f = Fixture::new("commit 'feat: a'");
    for message in messages {
        let file = f.dir.path().join("message");
        std::fs::write(&file, message).expect("write message");
        let git = f.sh("git stripspace --strip-comments < message");
        let rel = relcore::lint::cleanup(message, "#");
        assert_eq!(rel, git, "cleanup of {message:?}");
    }
}
