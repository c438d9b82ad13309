//! DORA metrics from a record built at known times (fixtures/metrics.sh): four production
//! deployments in the week of 2026-03-01 — one verified, one failing its smoke test and rolled
//! back by hand, one with an incident, one rolled back — and every figure worked out by hand.

use std::process::Command;

use crate::{Repo, Run};

use super::record::dir;

fn scenario() -> Repo {
    let repo = Repo::empty_dir();
    repo.fixture(&["keys.sh", "record.sh", "metrics.sh"], "metrics_scenario");
    repo.rel_in(&repo.path().join("server.git"), &["install", "--server"])
        .success();
    repo
}

/// `rel ARGS` in `who`'s clone with its entries dated `date` (UTC).
fn at(repo: &Repo, who: &str, date: &str, args: &[&str]) -> Run {
    repo.run(
        Command::new(env!("CARGO_BIN_EXE_rel"))
            .args(args)
            .current_dir(dir(repo, who))
            .env("GIT_COMMITTER_DATE", format!("{date} +0000")),
        None,
    )
}

/// alice and carol approve `tag` for production on `day`, rm promotes it at 04:00.
fn approve_and_promote(repo: &Repo, tag: &str, day: &str) -> Run {
    for (who, time) in [("alice", "03:00"), ("carol", "03:10")] {
        at(
            repo,
            who,
            &format!("{day} {time}:00"),
            &["approve", tag, "--for", "production"],
        )
        .success();
    }
    at(
        repo,
        "rm",
        &format!("{day} 04:00:00"),
        &["promote", tag, "--to", "production"],
    )
}

/// The record of the week, as the module docs tell it.
fn week(repo: &Repo) {
    approve_and_promote(repo, "v1.0.0", "2026-03-01").success();
    // v1.1.0 fails its smoke test at 04:00; rm rolls back by hand at 04:30.
    let failed = approve_and_promote(repo, "v1.1.0", "2026-03-03");
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(
        failed.stdout.contains("v1.1.0 FAILED in production"),
        "{failed:?}"
    );
    at(
        repo,
        "rm",
        "2026-03-03 04:30:00",
        &["rollback", "production", "-m", "smoke failed"],
    )
    .success();
    approve_and_promote(repo, "v1.2.0", "2026-03-05").success();
    // An incident against what runs (v1.2.0), resolved two hours later.
    let opened = at(
        repo,
        "carol",
        "2026-03-06 00:00:00",
        &["incident", "open", "production", "-m", "checkout errors"],
    );
    let line = opened.success().to_owned();
    assert!(
        line.contains("opened in production, linked to v1.2.0"),
        "{opened:?}"
    );
    let id = line
        .split_whitespace()
        .nth(1)
        .expect("an incident id")
        .to_owned();
    at(
        repo,
        "alice",
        "2026-03-06 02:00:00",
        &["incident", "resolve", &id, "-m", "fixed the config"],
    )
    .success();
    approve_and_promote(repo, "v1.3.0", "2026-03-07").success();
    at(
        repo,
        "rm",
        "2026-03-07 06:00:00",
        &[
            "rollback",
            "production",
            "--to",
            "v1.2.0",
            "-m",
            "memory leak",
        ],
    )
    .success();
    // Two announcements: v1.0.0 and v1.2.0.
    for tag in ["v1.0.0", "v1.2.0"] {
        at(
            repo,
            "rm",
            "2026-03-07 07:00:00",
            &["announce", tag, "--audience", "dev", "--send"],
        )
        .success();
    }
}

fn metrics(repo: &Repo, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "metrics",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-07",
        "--json",
    ];
    args.extend(extra);
    super::record::rel(repo, "rm", &args).json()
}

#[test]
fn every_metric_equals_the_one_worked_out_by_hand() {
    let repo = scenario();
    week(&repo);
    let m = metrics(&repo, &[]);
    assert_eq!(m["environment"], "production");
    assert_eq!(m["from"], "2026-03-01T00:00:00+00:00");
    // --to names a day: it is included.
    assert_eq!(m["to"], "2026-03-08T00:00:00+00:00");
    // Four promotions whose deploy succeeded (v1.1.0's smoke test failed: still deployed);
    // the two rollbacks are not deployments. Seven days: 4 per week, 0.57 a day.
    let d = &m["deployments"];
    assert_eq!(d["count"], 4, "{d}");
    assert_eq!(d["per_week"], 4.0);
    assert_eq!(d["band"], "high");
    let tags: Vec<&str> = d["list"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|x| x["tag"].as_str().expect("a tag"))
        .collect();
    assert_eq!(tags, ["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0"]);
    // Lead times, from commit to the verified deployment that first carried it:
    // c1 03-01 00:00 -> v1.0.0 03-01 04:00: 4 h; c2 03-02 and c3 03-03 -> v1.2.0 03-05 04:00
    // (v1.1.0 never verified): 3 d 4 h and 2 d 4 h; c4 03-05 -> 4 h; c5 03-07 -> v1.3.0: 4 h.
    // Sorted: 4h 4h 4h 2d4h 3d4h; median (rank 3) 4 h, p90 (rank 5) 3 d 4 h.
    let l = &m["lead_time_seconds"];
    assert_eq!(l["commits"], 5, "{l}");
    assert_eq!(l["median"], 4 * 3600);
    assert_eq!(l["p90"], 3 * 86_400 + 4 * 3600);
    let carried: Vec<u64> = d["list"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|x| x["commits"].as_u64().expect("commits"))
        .collect();
    assert_eq!(carried, [1, 0, 3, 1]);
    // Failed: v1.1.0 (smoke), v1.2.0 (incident), v1.3.0 (rolled back): 3 of 4.
    let c = &m["change_failure_rate"];
    assert_eq!(
        (c["failed"].as_u64(), c["deployments"].as_u64()),
        (Some(3), Some(4))
    );
    assert_eq!(c["rate"], 0.75);
    assert_eq!(c["causes"]["smoke"], 1);
    assert_eq!(c["causes"]["incident"], 1);
    assert_eq!(c["causes"]["rollback"], 1);
    // Restores: smoke 04:00 -> rollback verified 04:30 (30 min); incident 00:00 -> resolved
    // 02:00 (2 h); the rollback of v1.3.0 verified at once (0). Median (rank 2): 30 min.
    let r = &m["time_to_restore_seconds"];
    assert_eq!(r["failures"], 3, "{r}");
    assert_eq!(r["unrestored"], 0);
    assert_eq!(r["median"], 1800);
    // Coverage: 5 release tags, 4 semver and signed (v2 is neither); 3 of the 4 semver
    // releases have their changelog section (not 1.2.0); every deployment had alice and carol;
    // 2 of the 4 releases deployed were announced.
    let cov = &m["coverage"];
    let share = |name: &str| {
        (
            cov[name]["count"].as_u64().expect("count"),
            cov[name]["total"].as_u64().expect("total"),
        )
    };
    assert_eq!(share("semver_signed"), (4, 5), "{cov}");
    assert_eq!(cov["semver_signed"]["rate"], 0.8);
    assert_eq!(share("changelog"), (3, 4));
    assert_eq!(share("approvals"), (4, 4));
    assert_eq!(share("announced"), (2, 4));
    assert_eq!(cov["announced"]["target"], 0.8);

    // A window of the first three days only: v1.0.0 and v1.1.0, one failure.
    let early = super::record::rel(
        &repo,
        "rm",
        &[
            "metrics",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-03",
            "--json",
        ],
    )
    .json();
    assert_eq!(early["deployments"]["count"], 2);
    assert_eq!(early["change_failure_rate"]["rate"], 0.5);
    assert_eq!(early["lead_time_seconds"]["commits"], 1);
    // Staging saw nothing.
    let staging = metrics(&repo, &["--env", "staging"]);
    assert_eq!(staging["deployments"]["count"], 0);
    assert_eq!(
        staging["change_failure_rate"]["rate"],
        serde_json::Value::Null
    );

    // The text report says the same, with the counts.
    let text = super::record::rel(
        &repo,
        "rm",
        &["metrics", "--from", "2026-03-01", "--to", "2026-03-07"],
    );
    let out = text.success();
    assert!(out.contains("4 deployments, 4.00 per week (high)"), "{out}");
    assert!(
        out.contains("median 4h 0m, p90 3d 4h, over 5 commits"),
        "{out}"
    );
    assert!(out.contains("75% (3 of 4 deployments failed"), "{out}");
    assert!(out.contains("4 of 5 (80%; target 100%)"), "{out}");
}

#[test]
fn incidents_link_to_a_deployment_and_resolve_once() {
    let repo = scenario();
    // Nothing ran in production yet: no deployment to link to.
    let none = at(
        &repo,
        "carol",
        "2026-03-01 00:30:00",
        &["incident", "open", "production", "-m", "down"],
    );
    assert_eq!(none.code, 2, "{none:?}");
    assert!(
        none.stderr
            .contains("nothing was ever promoted to production"),
        "{none:?}"
    );
    approve_and_promote(&repo, "v1.0.0", "2026-03-01").success();
    // A release never promoted there.
    let other = at(
        &repo,
        "carol",
        "2026-03-01 05:00:00",
        &[
            "incident",
            "open",
            "production",
            "-m",
            "down",
            "--release",
            "v1.1.0",
        ],
    );
    assert_eq!(other.code, 2, "{other:?}");
    assert!(
        other
            .stderr
            .contains("v1.1.0 was never promoted to production"),
        "{other:?}"
    );
    let opened = at(
        &repo,
        "carol",
        "2026-03-01 05:00:00",
        &[
            "incident",
            "open",
            "production",
            "-m",
            "down",
            "--release",
            "v1.0.0",
            "--json",
        ],
    );
    let opened = opened.json();
    assert_eq!(opened["tag"], "v1.0.0");
    assert_eq!(opened["environment"], "production");
    let id = opened["entry"].as_str().expect("an id")[..10].to_owned();
    let list = super::record::rel(&repo, "rm", &["incident", "list", "--json"]).json();
    assert_eq!(list[0]["tag"], "v1.0.0");
    assert_eq!(list[0]["description"], "down");
    let resolved = at(
        &repo,
        "alice",
        "2026-03-01 06:00:00",
        &["incident", "resolve", &id],
    );
    assert!(
        resolved
            .success()
            .contains("resolved (v1.0.0 in production, open 1h 0m)"),
        "{resolved:?}"
    );
    // Once only.
    let again = at(
        &repo,
        "alice",
        "2026-03-01 06:10:00",
        &["incident", "resolve", &id],
    );
    assert_eq!(again.code, 1, "{again:?}");
    assert!(
        again.stderr.contains("refused [record-incident]"),
        "{again:?}"
    );
    // Only SREs open incidents in staging.
    at(
        &repo,
        "rm",
        "2026-03-01 06:20:00",
        &["promote", "v1.0.0", "--to", "staging"],
    )
    .success();
    let tech_lead = at(
        &repo,
        "alice",
        "2026-03-01 06:30:00",
        &["incident", "open", "staging", "-m", "slow"],
    );
    assert_eq!(tech_lead.code, 1, "{tech_lead:?}");
    assert!(
        tech_lead.stderr.contains("refused [record-role]"),
        "{tech_lead:?}"
    );
    assert!(
        tech_lead
            .stderr
            .contains("`alice@example.com` may not open incidents in staging: that takes one of the roles sre (responders)"),
        "{tech_lead:?}"
    );
    at(
        &repo,
        "carol",
        "2026-03-01 06:30:00",
        &["incident", "open", "staging", "-m", "slow"],
    )
    .success();
    let unknown = super::record::rel(&repo, "alice", &["incident", "resolve", "abcdef0"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown.stderr.contains("no incident has id `abcdef0`"),
        "{unknown:?}"
    );
}

#[test]
fn bad_windows_and_environments_are_usage_errors() {
    let repo = scenario();
    for (args, says) in [
        (
            &["metrics", "--since", "ninety"][..],
            "--since `ninety` is not a duration",
        ),
        (
            &["metrics", "--from", "March"],
            "--from `March` is not a date",
        ),
        (
            &["metrics", "--from", "2026-03-05", "--to", "2026-03-01"],
            "before it starts",
        ),
        (
            &["metrics", "--env", "prod"],
            "environment `prod` is not configured (environments in rel.toml: production, staging)",
        ),
    ] {
        let run = super::record::rel(&repo, "rm", args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(says), "{args:?}: {run:?}");
    }
}

/// What the page draws, read in the browser: each chart's marks and their data attributes.
const READ_PAGE: &str = r#"(() => {
  const marks = (sel) => [...document.querySelectorAll(sel)].map((e) => {
    const box = e.getBoundingClientRect();
    return Object.assign({ width: box.width, height: box.height }, e.dataset);
  });
  return {
    lanes: marks('#chart-deployments g.lane'),
    points: [...document.querySelectorAll('#chart-deployments circle.deployment')].map(
      (c) => Object.assign({ environment: c.closest('g').dataset.environment }, c.dataset)),
    bars: marks('#chart-lead-time rect.bar'),
    failures: marks('#chart-failures g.failure'),
    figures: marks('#chart-coverage g.figure'),
    charts: marks('svg'),
    injected: document.querySelectorAll('script, img, iframe, object').length,
    text: document.body.innerText,
  };
})()"#;

#[test]
fn the_dashboard_draws_the_metrics_in_a_real_browser_offline_light_dark_and_phone() {
    let repo = scenario();
    week(&repo);
    // An incident whose description tries to inject markup and a request.
    at(
        &repo,
        "carol",
        "2026-03-07 08:00:00",
        &[
            "incident",
            "open",
            "production",
            "-m",
            "<script>alert(1)</script><img src=\"http://127.0.0.1:9/x\">",
        ],
    )
    .success();
    let hostile = super::record::rel(&repo, "rm", &["incident", "list", "--json"]).json();
    let hostile = hostile[0]["entry"].as_str().expect("an id").to_owned();
    at(
        &repo,
        "carol",
        "2026-03-07 09:00:00",
        &["incident", "resolve", &hostile],
    )
    .success();
    let out_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("metrics-dashboard");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let page = out_dir.join("dashboard.html");
    let page_arg = page.display().to_string();
    let json = super::record::rel(
        &repo,
        "rm",
        &[
            "metrics",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-07",
            "--json",
            "--html",
            &page_arg,
        ],
    )
    .json();
    let html = std::fs::read_to_string(&page).expect("the page was written");
    assert!(
        !html.contains("<script>alert"),
        "markup from the record is escaped"
    );

    let browser = repo.run(
        Command::new("python3")
            .arg(crate::fixtures_dir().join("browser.py"))
            .arg(&page)
            .arg(&out_dir)
            .arg(READ_PAGE),
        None,
    );
    assert_eq!(
        browser.code, 0,
        "headless Chromium (Debian's chromium, installed by .ci/run) must run: {browser:?}"
    );
    let report: serde_json::Value = serde_json::from_str(&browser.stdout).expect("a JSON report");
    // The page says nothing: the only message is the driver's own probe, which shows the
    // console was listened to.
    assert_eq!(
        report["console"],
        serde_json::json!([{"level": "warning", "text": "rel-probe"}]),
        "{report}"
    );
    let url = format!("file://{}", page.display());
    assert_eq!(
        report["requests"],
        serde_json::json!([url, url, url]),
        "only the file itself, once per view"
    );
    let desktop = &report["views"]["desktop"]["data"];
    assert_eq!(desktop["injected"], 0);
    assert!(
        desktop["text"]
            .as_str()
            .expect("text")
            .contains("<script>alert(1)</script>"),
        "the description reads as text"
    );
    // Deployments over time, per environment: production's four promotions and two
    // rollbacks, in order, each with its result; staging empty.
    let lanes: Vec<(String, u64)> = desktop["lanes"]
        .as_array()
        .expect("lanes")
        .iter()
        .map(|l| {
            (
                l["environment"].as_str().expect("env").to_owned(),
                l["count"].as_str().expect("count").parse().expect("number"),
            )
        })
        .collect();
    assert_eq!(
        lanes,
        [("production".to_owned(), 6), ("staging".to_owned(), 0)]
    );
    let points: Vec<(&str, &str, &str)> = desktop["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| {
            (
                p["tag"].as_str().expect("tag"),
                p["event"].as_str().expect("event"),
                p["result"].as_str().expect("result"),
            )
        })
        .collect();
    assert_eq!(
        points,
        [
            ("v1.0.0", "promote", "verified"),
            ("v1.1.0", "promote", "failed"),
            ("v1.0.0", "rollback", "verified"),
            ("v1.2.0", "promote", "verified"),
            ("v1.3.0", "promote", "verified"),
            ("v1.2.0", "rollback", "verified"),
        ]
    );
    // The lead-time histogram: the JSON's buckets, a visible bar for each non-empty one.
    let buckets = json["lead_time_seconds"]["histogram"]
        .as_array()
        .expect("buckets");
    let bars = desktop["bars"].as_array().expect("bars");
    assert_eq!(bars.len(), buckets.len());
    for (bar, bucket) in bars.iter().zip(buckets) {
        assert_eq!(bar["label"], bucket["label"]);
        assert_eq!(bar["count"], bucket["count"].to_string());
        let drawn = bar["height"].as_f64().expect("height") > 0.0;
        assert_eq!(drawn, bucket["count"] != 0, "{bar} {bucket}");
    }
    assert_eq!(buckets[1]["count"], 3, "three commits within a day");
    assert_eq!(buckets[2]["count"], 2, "two within a week");
    // Failures and restores: v1.1.0 (smoke, restored 30 min later), v1.2.0 (from the first
    // incident to the second one's resolution, 03-07 09:00: 33 h), v1.3.0 (rolled back,
    // restored at once).
    let failures: Vec<(&str, &str, i64)> = desktop["failures"]
        .as_array()
        .expect("failures")
        .iter()
        .map(|f| {
            let at: i64 = f["at"].as_str().expect("at").parse().expect("number");
            let restored: i64 = f["restored"]
                .as_str()
                .expect("restored")
                .parse()
                .expect("number");
            (
                f["tag"].as_str().expect("tag"),
                f["cause"].as_str().expect("cause"),
                restored - at,
            )
        })
        .collect();
    assert_eq!(
        failures,
        [
            ("v1.1.0", "smoke", 1800),
            ("v1.2.0", "incident", 33 * 3600),
            ("v1.3.0", "rollback", 0)
        ]
    );
    // Coverage against the targets.
    let figures: Vec<(&str, &str, &str, &str)> = desktop["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .map(|f| {
            (
                f["figure"].as_str().expect("figure"),
                f["count"].as_str().expect("count"),
                f["total"].as_str().expect("total"),
                f["target"].as_str().expect("target"),
            )
        })
        .collect();
    assert_eq!(
        figures,
        [
            ("semver_signed", "4", "5", "1"),
            ("changelog", "3", "4", "0.9"),
            ("approvals", "4", "4", "1"),
            ("announced", "2", "4", "0.8"),
        ]
    );
    // On a phone, nothing is wider than the screen, and every chart is drawn.
    let phone = &report["views"]["phone"];
    assert!(
        phone["scrollWidth"].as_u64().expect("width") <= 390,
        "{phone}"
    );
    for chart in phone["data"]["charts"].as_array().expect("charts") {
        let width = chart["width"].as_f64().expect("width");
        assert!(width > 300.0 && width <= 390.0, "{chart}");
    }
    // Dark mode paints a dark page.
    assert_eq!(
        report["views"]["desktop"]["background"],
        "rgb(255, 255, 255)"
    );
    assert_eq!(report["views"]["dark"]["background"], "rgb(13, 17, 23)");
    for view in ["desktop", "phone", "dark"] {
        let png = std::fs::read(out_dir.join(format!("{view}.png"))).expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{view}");
    }
}

/// A hand-made entry about `tag` by carol: `event` with `predicate` fields besides.
fn by_carol(repo: &Repo, tag: &str, event: &str, predicate: &str) -> String {
    let rev = |spec: &str| repo.fixture(&[], &format!("git -C rm rev-parse '{spec}'"));
    let kind = if event == "approve" {
        "decision"
    } else {
        "incident"
    };
    format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"{tag}","digest":{{"gitTag":"{}","gitCommit":"{}"}}}}],"predicateType":"https://rel.dev/record/{kind}/v1","predicate":{{"event":"{event}","environment":"production","actor":"carol@example.com"{predicate}}}}}"#,
        rev(&format!("refs/tags/{tag}")),
        rev(&format!("{tag}^{{commit}}"))
    )
}

/// `json` as an entry on the server's record, signed with `key`'s SSH key and pushed raw
/// from carol's clone: the entry, and the push.
fn push_raw(repo: &Repo, key: &str, json: &str) -> (String, Run) {
    let entry = repo.fixture(
        &["keys.sh", "record.sh"],
        &format!("raw_json carol {key} 'by hand' '{json}'"),
    );
    let run = super::record::raw_push(
        repo,
        "carol",
        &["origin", &format!("{entry}:refs/rel/record")],
    );
    (entry, run)
}

#[test]
fn the_server_refuses_hand_made_incidents() {
    let repo = scenario();
    approve_and_promote(&repo, "v1.0.0", "2026-03-01").success();
    let log = repo.fixture(
        &[],
        "git -C rm fetch -q origin '+refs/rel/record:refs/rel/record' && git -C rm log --format='%H %s' refs/rel/record",
    );
    let entry_of = |summary: &str| {
        log.lines()
            .find(|l| l.ends_with(summary))
            .and_then(|l| l.split(' ').next())
            .expect("an entry")
            .to_owned()
    };
    let promote = entry_of("promote v1.0.0 in production");
    let approve = entry_of("approve v1.0.0 for production");
    let server = || repo.fixture(&[], "git -C server.git rev-parse refs/rel/record");
    let before = server();
    let link = |id: &str| format!(r#","note":"down","deployment":"{id}""#);
    let cases = [
        // Linked to an approval, not a deployment.
        (
            by_carol(&repo, "v1.0.0", "incident", &link(&approve)),
            "record-incident",
        ),
        // Linked to another release's deployment.
        (
            by_carol(&repo, "v1.1.0", "incident", &link(&promote)),
            "record-incident",
        ),
        // Linked to production's deployment, but said to be in staging.
        (
            by_carol(&repo, "v1.0.0", "incident", &link(&promote))
                .replace("\"production\"", "\"staging\""),
            "record-incident",
        ),
        // Linked to nothing, or saying nothing.
        (
            by_carol(&repo, "v1.0.0", "incident", r#","note":"down""#),
            "record-incident",
        ),
        (
            by_carol(
                &repo,
                "v1.0.0",
                "incident",
                &format!(r#","deployment":"{promote}""#),
            ),
            "record-incident",
        ),
        // An incident carrying a deployment's outcome.
        (
            by_carol(
                &repo,
                "v1.0.0",
                "incident",
                &format!(
                    r#"{},"outcome":{{"step":"smoke","exitCode":1,"durationMs":5}}"#,
                    link(&promote)
                ),
            ),
            "record-entry",
        ),
        // A resolution of no incident, of a promotion, and a link on an approval.
        (
            by_carol(
                &repo,
                "v1.0.0",
                "resolve",
                &format!(r#","incident":"{}""#, "a".repeat(40)),
            ),
            "record-incident",
        ),
        (
            by_carol(
                &repo,
                "v1.0.0",
                "resolve",
                &format!(r#","incident":"{promote}""#),
            ),
            "record-incident",
        ),
        (
            by_carol(
                &repo,
                "v1.0.0",
                "approve",
                &format!(r#","incident":"{promote}""#),
            ),
            "record-entry",
        ),
    ];
    for (json, rule) in &cases {
        let (_, run) = push_raw(&repo, "carol", json);
        assert_ne!(run.code, 0, "{json}: {run:?}");
        assert!(
            run.stderr.contains(&format!("[{rule}]")),
            "{json}: expected {rule}: {run:?}"
        );
        assert_eq!(server(), before, "{json}");
    }
    // mallory's key is trusted by nobody.
    let valid = by_carol(&repo, "v1.0.0", "incident", &link(&promote));
    let (_, run) = push_raw(&repo, "mallory", &valid);
    assert!(run.stderr.contains("[record-signed]"), "{run:?}");
    assert_eq!(server(), before);
    // The same entry signed by carol lands; a resolution of it in staging does not.
    let (entry, run) = push_raw(&repo, "carol", &valid);
    run.success();
    let elsewhere = by_carol(
        &repo,
        "v1.0.0",
        "resolve",
        &format!(r#","incident":"{entry}""#),
    )
    .replace("\"production\"", "\"staging\"");
    let (_, run) = push_raw(&repo, "carol", &elsewhere);
    assert!(run.stderr.contains("[record-incident]"), "{run:?}");
    assert!(
        run.stderr
            .contains("is about v1.0.0 in production, not v1.0.0 in staging"),
        "{run:?}"
    );
    // rel audit replays the record: clean.
    super::record::rel(&repo, "rm", &["audit"]).success();
}
