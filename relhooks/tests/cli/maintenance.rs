//! Maintenance-branch histories (issue 9): the base release and every release's previous one
//! are where git says they are, the commits counted are the ones `git rev-list` lists, and the
//! answer comes quickly however many higher releases sit on branches HEAD never merged.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::{Repo, Run, fixtures_dir};

/// A repository with `maintenance_history ARGS` (see `fixtures/history.sh`).
fn maintenance(args: &str) -> Repo {
    let history = fixtures_dir().join("history.sh");
    Repo::new(&format!(
        ". '{}'\nmaintenance_history {args}",
        history.display()
    ))
}

/// Release tags (`v` + a version), highest first by git's version sort, pre-releases below
/// their release.
fn release_tags(repo: &Repo) -> Vec<String> {
    repo.git(&[
        "-c",
        "versionsort.suffix=-",
        "tag",
        "--list",
        "v[0-9]*",
        "--sort=-v:refname",
    ])
    .success()
    .lines()
    .map(str::to_owned)
    .collect()
}

fn is_stable(tag: &str) -> bool {
    !tag.contains('-')
}

/// Whether `tag` marks a commit that is `rev` or one of its ancestors, as git says.
fn contained(repo: &Repo, tag: &str, rev: &str) -> bool {
    let kind = repo.git(&["cat-file", "-t", &format!("{tag}^{{}}")]);
    kind.stdout.trim() == "commit"
        && repo
            .git(&[
                "merge-base",
                "--is-ancestor",
                &format!("{tag}^{{commit}}"),
                rev,
            ])
            .code
            == 0
}

/// The highest release among `tags` (highest first) that `rev` contains, tried one by one.
fn highest_contained<'t>(
    repo: &Repo,
    tags: impl IntoIterator<Item = &'t String>,
    rev: &str,
) -> Option<String> {
    tags.into_iter()
        .find(|t| contained(repo, t, rev))
        .map(|t| t.to_owned())
}

/// What `git rev-list RANGE` lists.
fn rev_list(repo: &Repo, range: &str) -> BTreeSet<String> {
    repo.git(&["rev-list", range])
        .success()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The commit ids `rel log --json` lists.
fn logged(repo: &Repo) -> BTreeSet<String> {
    repo.rel(&["log", "--json"]).json()["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

/// `rel next --json` and `rel log --json` at HEAD, against git: the base is the highest stable
/// release tag git says HEAD contains, and the commits are those of `git rev-list base..HEAD`.
#[track_caller]
fn assert_base_as_git_says(repo: &Repo, tags: &[String], at: &str) {
    let stable: Vec<&String> = tags.iter().filter(|t| is_stable(t)).collect();
    let base = highest_contained(repo, stable, "HEAD");
    let json = repo.next_json();
    assert_eq!(
        json["current"].as_str().map(|v| format!("v{v}")),
        base,
        "base at {at}"
    );
    let range = base.map_or_else(|| "HEAD".to_owned(), |b| format!("{b}..HEAD"));
    let listed = rev_list(repo, &range);
    assert_eq!(json["commits"], listed.len(), "commits of {range} at {at}");
    assert_eq!(logged(repo), listed, "rel log of {range} at {at}");
}

#[test]
fn base_and_commits_are_what_git_says_on_a_maintenance_history() {
    let repo = maintenance("300 4 5 2 odd");
    let tags = release_tags(&repo);
    assert!(tags.len() > 30, "{tags:?}");
    let heads = [
        "main", "main~40", "main~150", "10-x-y", "11-x-y", "11-x-y~3", "12-x-y", "13-x-y~1",
        "v1.1.1",
    ];
    for graph in [false, true] {
        if graph {
            repo.git(&["commit-graph", "write", "--reachable"])
                .success();
        }
        for head in heads {
            repo.git(&["switch", "-q", "--detach", head]).success();
            assert_base_as_git_says(&repo, &tags, &format!("{head} (commit-graph: {graph})"));
        }
    }
    // The tags on a tree and a blob rank highest and are reported, not used.
    repo.git(&["switch", "-q", "main"]).success();
    let run = repo.rel(&["next"]);
    assert!(
        run.stderr
            .contains("tag `v99.0.0` looks like a release but points at a tree"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("tag `v98.0.0` looks like a release but points at a blob"),
        "{run:#?}"
    );
    assert_eq!(run.success().trim(), "11.1.0");
}

/// Each release of `rel changelog --all --context`: its previous release is the one git says
/// (the highest stable one below it that it contains, of any kind for a pre-release), and its
/// commit count is that of `git rev-list previous..tag`; the release after a stable one is the
/// highest release of any kind below it that it contains.
#[track_caller]
fn assert_changelog_as_git_says(repo: &Repo, tags: &[String], at: &str) {
    let context = repo.rel(&["changelog", "--all", "--context"]).json();
    let releases = context["releases"].as_array().expect("releases");
    assert!(releases.len() > 5, "{at}: {context:#}");
    let below = |tag: &str| -> Vec<String> {
        let i = tags.iter().position(|t| t == tag).expect("a listed tag");
        tags[i + 1..].to_vec()
    };
    for (i, release) in releases.iter().enumerate() {
        let tip = release["tag"].as_str().unwrap_or("HEAD").to_owned();
        let lower = if tip == "HEAD" {
            tags.to_vec()
        } else {
            below(&tip)
        };
        let stable_only = tip != "HEAD" && is_stable(&tip);
        let previous = highest_contained(
            repo,
            lower.iter().filter(|t| !stable_only || is_stable(t)),
            &tip,
        );
        assert_eq!(
            release["previous_tag"].as_str(),
            previous.as_deref(),
            "previous of {tip} at {at}"
        );
        let range = previous
            .as_ref()
            .map_or_else(|| tip.clone(), |p| format!("{p}..{tip}"));
        assert_eq!(
            release["counts"]["commits"],
            rev_list(repo, &range).len(),
            "commits of {range} at {at}"
        );
        if let Some(next) = releases.get(i + 1) {
            let following = if stable_only {
                highest_contained(repo, &lower, &tip).or(previous)
            } else {
                previous
            };
            assert_eq!(
                next["tag"].as_str(),
                following.as_deref(),
                "after {tip} at {at}"
            );
        }
    }
}

#[test]
fn changelog_releases_are_what_git_says_on_a_maintenance_history() {
    let repo = maintenance("200 3 3 2 odd");
    let tags = release_tags(&repo);
    for graph in [false, true] {
        if graph {
            repo.git(&["commit-graph", "write", "--reachable"])
                .success();
        }
        for head in ["main", "12-x-y"] {
            repo.git(&["switch", "-q", "--detach", head]).success();
            assert_changelog_as_git_says(&repo, &tags, &format!("{head} (commit-graph: {graph})"));
        }
    }
}

/// A base below a commit dated before its parent: the commits since are the ones git lists,
/// not those a walk by date alone would take for new.
#[test]
fn commits_since_the_base_are_what_git_lists_under_clock_skew() {
    let repo = Repo::new(
        "commit 'feat: one'\n\
         GIT_COMMITTER_DATE='@1700000000 +0000' git commit -q --no-verify --allow-empty -m 'chore: two'\n\
         commit 'chore: three'\ntag v1.0.0\n\
         git switch -q -c fix HEAD~2\ncommit 'fix: four'\nswitch main\nmerge fix",
    );
    let listed = rev_list(&repo, "v1.0.0..HEAD");
    assert_eq!(listed.len(), 2, "git lists the merge and `fix: four`");
    assert_eq!(repo.next(), "1.0.1");
    assert_eq!(repo.next_json()["commits"], 2);
    assert_eq!(logged(&repo), listed);
    let unreleased = repo.rel(&["changelog", "--unreleased", "--stdout"]);
    let notes = unreleased.success();
    assert!(notes.contains("four"), "{notes}");
    assert!(!notes.contains("one"), "`feat: one` is in v1.0.0: {notes}");

    // The same with a commit-graph.
    repo.git(&["commit-graph", "write", "--reachable"])
        .success();
    assert_eq!(repo.next(), "1.0.1");
    assert_eq!(logged(&repo), listed);
}

/// Runs `rel ARGS`, returning the run and how long it took.
fn timed(repo: &Repo, args: &[&str]) -> (Run, Duration) {
    let start = Instant::now();
    let run = repo.rel(args);
    (run, start.elapsed())
}

/// How long a command that reads the history once may take here (a debug build on a shared
/// machine): reading it once per release above the base takes several times longer.
const ONE_WALK: Duration = Duration::from_secs(6);

/// Nearly a thousand releases above the base, all on branches HEAD never merged: `rel next`
/// answers in about one walk of the history, not one per such release.
#[test]
fn many_releases_on_unmerged_branches_cost_one_walk() {
    let repo = maintenance("10000 24 40 10");
    let base = repo
        .git(&[
            "describe",
            "--tags",
            "--abbrev=0",
            "--match",
            "v[0-9]*",
            "--exclude",
            "*-*",
        ])
        .success()
        .trim()
        .to_owned();
    let (run, took) = timed(&repo, &["next", "--json"]);
    let json = run.json();
    assert_eq!(
        json["current"].as_str().map(|v| format!("v{v}")),
        Some(base.clone())
    );
    assert_eq!(
        json["commits"],
        rev_list(&repo, &format!("{base}..HEAD")).len()
    );
    assert!(took < ONE_WALK, "rel next took {took:?}");
}

/// Every release with the previous major's patch releases (never merged) ranked between it and
/// its previous release: the whole changelog still reads each commit about once.
#[test]
fn changelog_with_unmerged_patch_releases_reads_the_history_once() {
    let repo = Repo::new(&format!(
        ". '{}'\npatched_history 24 50 400",
        fixtures_dir().join("history.sh").display()
    ));
    let (run, took) = timed(&repo, &["changelog", "--all", "--context"]);
    let context = run.json();
    let releases = context["releases"].as_array().expect("releases");
    // The releases and their rcs, but v1.0.0-rc.1: with no release before, v1.0.0 covers it.
    assert_eq!(releases.len(), 47);
    for major in 1..=24 {
        let release = releases
            .iter()
            .find(|r| r["tag"] == format!("v{major}.0.0"))
            .expect("each release listed");
        let previous = (major > 1).then(|| format!("v{}.0.0", major - 1));
        assert_eq!(release["previous_tag"].as_str(), previous.as_deref());
        assert_eq!(release["counts"]["commits"], 400);
    }
    assert!(took < ONE_WALK, "rel changelog --all took {took:?}");
}
