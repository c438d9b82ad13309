//! Announcements: the four built-in audiences for a real release, an e-mail that Python's
//! `email` package parses, a webhook delivered to a real HTTP server on 127.0.0.1 and recorded,
//! a command fed the message, and template errors that name file and line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::Repo;
use crate::ready::scenario;
use crate::record::{raw_push, rejected, rel, server_record};

const CHECKLIST: &str = r#"[{ name = "no critical defects", defects = "critical" }]"#;

/// Appends `toml` to the release manager's rel.toml (the work tree's, which rel reads).
fn configure(repo: &Repo, toml: &str) {
    let path = repo.path().join("rm/rel.toml");
    let mut text = std::fs::read_to_string(&path).expect("rel.toml");
    text.push_str(toml);
    std::fs::write(path, text).expect("write rel.toml");
}

/// The text between `==> AUDIENCE (...) <==` and the next such line.
fn section<'a>(out: &'a str, audience: &str) -> &'a str {
    let start = out
        .find(&format!("==> {audience} ("))
        .unwrap_or_else(|| panic!("no {audience} section: {out}"));
    let rest = &out[start..];
    let end = rest[4..].find("==> ").map_or(rest.len(), |e| e + 4);
    &rest[..end]
}

#[test]
fn the_four_built_in_audiences_each_hear_what_concerns_them() {
    let repo = scenario(CHECKLIST);
    let run = rel(&repo, "rm", &["announce", "v1.2.0"]);
    let out = run.success();
    let dev = section(out, "dev");
    assert!(
        dev.contains("# rm v1.2.0 is out (2026-01-01)\n\nFor developers"),
        "{dev}"
    );
    assert!(
        dev.contains("- **export:** dates in the local time zone ("),
        "{dev}"
    );
    assert!(dev.contains("index the exports table"), "{dev}");
    assert!(
        !dev.contains("dark mode"),
        "its trailer names product and support only: {dev}"
    );
    let ops = section(out, "ops");
    assert!(ops.contains("deployment notice"), "{ops}");
    assert!(
        ops.contains("index the exports table") && !ops.contains("dark mode"),
        "{ops}"
    );
    assert!(ops.contains("`rel promote v1.2.0 --to ENV`"), "{ops}");
    let product = section(out, "product");
    assert!(product.contains("- dark mode (ui)"), "{product}");
    assert!(
        !product.contains("index the exports table"),
        "perf is not for product: {product}"
    );
    let support = section(out, "support");
    assert!(
        support.contains("dates in the local time zone (export); fixes DEF-7"),
        "{support}"
    );
    assert!(
        support.contains("Close the tickets of the defects this release fixes (DEF-7)"),
        "{support}"
    );
    // Every one: what is still broken, how to go back, whom to ask.
    for text in [dev, ops, product, support] {
        assert!(
            text.contains("- **DEF-12** (critical): Export hangs on files over 2 GB. Workaround: Split the export in parts."),
            "{text}"
        );
        assert!(text.contains("## Rollback plan\n\n- dev: "), "{text}");
        assert!(text.contains("## Contact\n\n"), "{text}");
    }
    // The rollback plan knows what was verified before.
    rel(&repo, "rm", &["promote", "v1.1.0", "--to", "dev"]).success();
    let ops = rel(&repo, "rm", &["announce", "v1.2.0", "--audience", "ops"]);
    assert!(
        ops.success()
            .contains("- dev: `rel rollback dev -m REASON` deploys v1.1.0 back."),
        "{ops:?}"
    );
    assert!(
        !ops.stdout.contains("==> "),
        "one audience, no separators: {ops:?}"
    );
    let unknown = rel(&repo, "rm", &["announce", "v1.2.0", "--audience", "sales"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("no audience `sales`: the audiences are dev, ops, product, support"),
        "{unknown:?}"
    );
}

#[test]
fn the_email_format_is_a_message_python_parses() {
    let repo = scenario(CHECKLIST);
    configure(
        &repo,
        "\n[announce.support]\nformat = \"email\"\nto = [\"support@example.com\", \"Help Desk <help@example.com>\"]\nfrom = \"Release Bot <rel@example.com>\"\nsubject = \"{{ project }} {{ release.tag }}: what support needs to know\"\ncontact = \"Rm <rm@example.com>\"\n",
    );
    let run = rel(
        &repo,
        "rm",
        &["announce", "v1.2.0", "--audience", "support"],
    );
    let message = run.success();
    let script = r#"
import email, email.policy, email.utils, sys
m = email.message_from_string(sys.stdin.read(), policy=email.policy.default)
assert not m.defects, m.defects
print(m["Subject"])
print(m["From"])
print(",".join(a.addr_spec for a in m["To"].addresses))
print(email.utils.parsedate_to_datetime(m["Date"]).year > 2000)
print(m["Message-ID"])
print(m.get_content_type(), m.get_content_charset())
print(m.get_content())
"#;
    let mut python = Command::new("python3");
    python.args(["-c", script]);
    let parsed = repo.run(&mut python, Some(message));
    let out = parsed.success();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "rm v1.2.0: what support needs to know", "{out}");
    assert_eq!(lines[1], "Release Bot <rel@example.com>", "{out}");
    assert_eq!(lines[2], "support@example.com,help@example.com", "{out}");
    assert_eq!(lines[3], "True", "{out}");
    assert!(
        lines[4].starts_with("<rel.v1.2.0.support.") && lines[4].ends_with("@example.com>"),
        "{out}"
    );
    assert_eq!(lines[5], "text/plain utf-8", "{out}");
    assert!(out.contains("# rm v1.2.0: support briefing"), "{out}");
    assert!(out.contains("## Contact\n\nRm <rm@example.com>"), "{out}");
}

/// A real HTTP server on 127.0.0.1 that takes one POST, writes its body to `file`, answers
/// `status`; its port.
fn webhook(repo: &Repo, file: &str, status: u16) -> (Child, u16) {
    let script = format!(
        r#"
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open({file:?}, "wb").write(self.headers["Content-Type"].encode() + b"\n" + body)
        self.send_response({status}); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.handle_request()
"#
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .current_dir(repo.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout"))
        .read_line(&mut line)
        .expect("the port");
    (child, line.trim().parse().expect("a port number"))
}

#[test]
fn a_webhook_is_posted_to_a_real_server_and_the_record_shows_it() {
    let repo = scenario(CHECKLIST);
    let (mut server, port) = webhook(&repo, "posted.txt", 204);
    configure(
        &repo,
        &format!(
            "\n[announce.ops]\nformat = \"json\"\nwebhook = \"http://127.0.0.1:{port}/hooks/releases\"\n\n[announce.dev]\ncommand = \"cat > ../sent-dev.txt\"\n"
        ),
    );
    let printed = rel(&repo, "rm", &["announce", "v1.2.0", "--audience", "ops"]);
    let printed: serde_json::Value = serde_json::from_str(printed.success()).expect("JSON");
    assert_eq!(printed["tag"], "v1.2.0");
    let sent = rel(&repo, "rm", &["announce", "v1.2.0", "--send"]);
    assert_eq!(sent.code, 0, "{sent:?}");
    server.wait().expect("the server took one request");
    let posted = std::fs::read_to_string(repo.path().join("posted.txt")).expect("a POST arrived");
    let (content_type, body) = posted.split_once('\n').expect("type and body");
    assert_eq!(content_type, "application/json");
    let json: serde_json::Value = serde_json::from_str(body).expect("the rendered JSON");
    assert_eq!(json["audience"], "ops");
    assert_eq!(json["version"], "1.2.0");
    assert!(
        json["text"]
            .as_str()
            .expect("text")
            .contains("deployment notice"),
        "{json}"
    );
    // The command got the dev message on stdin.
    let dev = std::fs::read_to_string(repo.path().join("sent-dev.txt")).expect("the command ran");
    assert!(dev.starts_with("# rm v1.2.0 is out"), "{dev}");
    assert!(
        sent.stdout
            .contains("sent the ops announcement of v1.2.0 through its webhook; recorded as entry"),
        "{sent:?}"
    );
    assert!(
        sent.stdout
            .contains("sent the dev announcement of v1.2.0 through its command"),
        "{sent:?}"
    );
    // The record shows both, seen from another clone; the audit passes.
    let status = rel(&repo, "alice", &["status", "v1.2.0", "--json"]);
    let timeline = status.json()["timeline"].clone();
    let announced: Vec<&serde_json::Value> = timeline
        .as_array()
        .expect("a timeline")
        .iter()
        .filter(|s| s["event"] == "announce")
        .collect();
    assert_eq!(announced.len(), 2, "{status:?}");
    let log = repo.run(
        Command::new("git")
            .args(["log", "--format=%s", "refs/rel/record"])
            .current_dir(repo.path().join("server.git")),
        None,
    );
    assert!(log.stdout.contains("announce v1.2.0 to ops"), "{log:?}");
    rel(&repo, "alice", &["audit"]).success();

    // A webhook that answers 500: nothing recorded, exit 1.
    let (mut failing, port) = webhook(&repo, "posted-2.txt", 500);
    configure(
        &repo,
        &format!("\n[announce.product]\nwebhook = \"http://127.0.0.1:{port}/x\"\n"),
    );
    let before = server_record(&repo);
    let failed = rel(
        &repo,
        "rm",
        &["announce", "v1.2.0", "--audience", "product", "--send"],
    );
    failing.wait().expect("the server took one request");
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(
        failed
            .stderr
            .contains("the product announcement was not sent: the webhook answered HTTP 500"),
        "{failed:?}"
    );
    assert_eq!(server_record(&repo), before, "nothing recorded");
    // --send for an audience with no channel says so.
    let none = rel(
        &repo,
        "rm",
        &["announce", "v1.2.0", "--audience", "support", "--send"],
    );
    assert_eq!(none.code, 2, "{none:?}");
    assert!(
        none.stderr
            .contains("announce.support has no command or webhook"),
        "{none:?}"
    );
}

#[test]
fn a_template_error_names_its_file_and_line() {
    let repo = scenario(CHECKLIST);
    std::fs::create_dir_all(repo.path().join("rm/announce")).expect("dir");
    std::fs::write(
        repo.path().join("rm/announce/sales.md.j2"),
        "# {{ release.tag }}\n\n{{ release.no_such_field }}\n",
    )
    .expect("template");
    configure(
        &repo,
        "\n[announce.sales]\ntemplate = \"announce/sales.md.j2\"\n",
    );
    let run = rel(&repo, "rm", &["announce", "v1.2.0", "--audience", "sales"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("template announce/sales.md.j2, line 3"),
        "{run:?}"
    );
    // A syntax error too, and an audience without a template is a config error.
    std::fs::write(
        repo.path().join("rm/announce/sales.md.j2"),
        "ok\n{% if %}\n",
    )
    .expect("template");
    let run = rel(&repo, "rm", &["announce", "v1.2.0", "--audience", "sales"]);
    assert!(
        run.stderr.contains("template announce/sales.md.j2, line 2"),
        "{run:?}"
    );
    configure(&repo, "\n[announce.legal]\nformat = \"text\"\n");
    let run = rel(&repo, "rm", &["announce", "v1.2.0"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("announce.legal.template"), "{run:?}");
}

#[test]
fn the_server_refuses_an_announcement_it_cannot_read() {
    let repo = scenario(CHECKLIST);
    let object = crate::ready::fixture(&repo, "git -C rm rev-parse refs/tags/v1.2.0");
    let commit = crate::ready::fixture(&repo, "git -C rm rev-parse 'v1.2.0^{commit}'");
    let forged = |audience: &str, sha: &str| {
        let json = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"v1.2.0","digest":{{"gitTag":"{object}","gitCommit":"{commit}"}}}}],"predicateType":"https://rel.dev/record/announce/v1","predicate":{{"event":"announce","actor":"rm@example.com","announcement":{{"audience":"{audience}","format":"json","channel":"webhook","sha256":"{sha}"}}}}}}"#
        );
        crate::ready::fixture(&repo, &format!("raw_json rm rm 'announce v1.2.0' '{json}'"))
    };
    let good = "ab".repeat(32);
    let entry = forged("everyone", &good);
    rejected(
        &raw_push(
            &repo,
            "rm",
            &["origin", &format!("{entry}:refs/rel/record")],
        ),
        "record-entry",
    );
    let entry = forged("ops", "not-a-digest");
    rejected(
        &raw_push(
            &repo,
            "rm",
            &["origin", &format!("{entry}:refs/rel/record")],
        ),
        "record-entry",
    );
    assert_eq!(server_record(&repo), None);
    let entry = forged("ops", &good);
    raw_push(
        &repo,
        "rm",
        &["origin", &format!("{entry}:refs/rel/record")],
    )
    .success();
}
