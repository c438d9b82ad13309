//! The artifact registry: a real `docker-registry` (distribution 2.8, deletion enabled) on a
//! free port of 127.0.0.1, started and stopped by each test; `skopeo` as the independent
//! client that checks what rel published.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::deploy::{artifact, current, fixture, raw_push, rel, scenario, statement};
use super::record::{rejected, server_record};
use crate::{Repo, Run};

/// A registry serving on 127.0.0.1 until dropped.
pub(crate) struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// A registry without authentication.
    pub(crate) fn start() -> Registry {
        Self::with_auth(None)
    }

    /// A registry that takes `user` with `password` (htpasswd, bcrypt) and nobody else.
    pub(crate) fn with_user(user: &str, password: &str) -> Registry {
        Self::with_auth(Some((user, password)))
    }

    fn with_auth(auth: Option<(&str, &str)>) -> Registry {
        let dir = tempfile::tempdir().expect("registry dir");
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if let Some((user, password)) = auth {
            let htpasswd = dir.path().join("htpasswd");
            std::fs::write(&htpasswd, format!("{user}:{}\n", bcrypt(password)))
                .expect("write htpasswd");
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: rel-test\n    path: {}\n",
                htpasswd.display()
            ));
        }
        let file = dir.path().join("config.yml");
        std::fs::write(&file, config).expect("write registry config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry runs (Debian package docker-registry; .ci/run installs it)");
        let registry = Registry {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the registry did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        registry
    }

    /// `127.0.0.1:PORT`.
    pub(crate) fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The repository the tests publish to.
    pub(crate) fn repository(&self) -> String {
        format!("{}/team/app", self.host())
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now.
pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address").port()
}

/// A bcrypt hash of `password`, as htpasswd wants (glibc's crypt, through Python).
fn bcrypt(password: &str) -> String {
    let out = Command::new("python3")
        .args([
            "-W",
            "ignore",
            "-c",
            "import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))",
            password,
        ])
        .output()
        .expect("python3 runs");
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(hash.starts_with("$2"), "no bcrypt hash: {out:?}");
    hash
}

/// `skopeo ARGS` (no TLS: the registry is on loopback); its run.
pub(crate) fn skopeo(repo: &Repo, args: &[&str]) -> Run {
    let mut command = Command::new("skopeo");
    command.args(args).current_dir(repo.path());
    repo.run(&mut command, None)
}

/// The digest the registry's `tag` points at, as skopeo sees it; `None` when it has no such tag.
pub(crate) fn skopeo_digest(repo: &Repo, registry: &Registry, tag: &str) -> Option<String> {
    let run = skopeo(
        repo,
        &[
            "inspect",
            "--tls-verify=false",
            "--raw",
            &format!("docker://{}:{tag}", registry.repository()),
        ],
    );
    (run.code == 0).then(|| {
        use sha2::Digest;
        let hex: String = sha2::Sha256::digest(run.stdout.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("sha256:{hex}")
    })
}

/// The scenario of `fixtures/deploy.sh` with `[registry]` pointing at `registry` (plus `extra`
/// lines of config) in rm's and the server's rel.toml.
pub(crate) fn registry_scenario(registry: &Registry, extra: &[&str]) -> Repo {
    let repo = scenario();
    let mut script = format!("registry_config '{}'", registry.repository());
    for line in extra {
        script.push_str(&format!(" '{line}'"));
    }
    registry_fixture(&repo, &script);
    repo
}

pub(crate) fn registry_fixture(repo: &Repo, script: &str) -> String {
    repo.fixture(
        &["keys.sh", "record.sh", "deploy.sh", "registry.sh"],
        script,
    )
}

/// A hand-made entry (`summary`, `json`) signed by rm and pushed raw from rm's clone: the
/// server refuses it by `rule`, saying `message`, and its record stays where it was.
#[track_caller]
fn refused_by_server(repo: &Repo, summary: &str, json: &str, rule: &str, message: &str) {
    let entry = fixture(repo, &format!("raw_json rm rm '{summary}' '{json}'"));
    let tip = server_record(repo);
    let run = raw_push(repo, "rm", &entry);
    rejected(&run, rule);
    assert!(
        run.stderr.contains(message),
        "expected `{message}`: {run:?}"
    );
    assert_eq!(server_record(repo), tip);
}

/// `rel attest TAG artifacts/TAG/app.txt` then `rel publish TAG`, by the release manager.
pub(crate) fn attest_and_publish(repo: &Repo, tag: &str) -> Run {
    rel(repo, "rm", &["attest", tag, &artifact(repo, tag)]).success();
    rel(repo, "rm", &["publish", tag])
}

/// The `sha256:` digest of the manifest `rel status TAG --json` says the release was
/// published as (the latest publication).
pub(crate) fn recorded_digest(repo: &Repo, tag: &str) -> Option<String> {
    let status = rel(repo, "rm", &["status", tag, "--json"]).json();
    status["published"]
        .as_array()?
        .last()
        .and_then(|p| p["location"]["digest"].as_str())
        .map(str::to_owned)
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).expect("read file");
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn published_versions_are_what_an_independent_client_sees() {
    let registry = Registry::start();
    let repo = registry_scenario(&registry, &[]);
    let before = server_record(&repo);
    for (tag, version) in [("v1.0.0", "1.0.0"), ("v1.1.0", "1.1.0")] {
        let run = attest_and_publish(&repo, tag);
        let out = run.success();
        assert!(
            out.contains(&format!(
                "rm@example.com published {}:{version}@sha256:",
                registry.repository()
            )),
            "{run:?}"
        );
        // The record holds the digest the registry serves the tag as.
        let recorded = recorded_digest(&repo, tag).expect("a recorded digest");
        assert_eq!(
            skopeo_digest(&repo, &registry, version),
            Some(recorded.clone())
        );
        let status = rel(&repo, "rm", &["status", tag]).success().to_owned();
        assert!(
            status.contains(&format!(
                "artifacts: {}:{version}@{recorded}",
                registry.repository()
            )),
            "{status}"
        );
        // skopeo copies the files out: they are the attested bytes.
        let out_dir = repo.path().join(format!("copied-{version}"));
        let copied = skopeo(
            &repo,
            &[
                "copy",
                "--src-tls-verify=false",
                &format!("docker://{}:{version}", registry.repository()),
                &format!("dir:{}", out_dir.display()),
            ],
        );
        assert_eq!(copied.code, 0, "{copied:?}");
        let attested = sha256_hex(&repo.path().join(format!("artifacts/{tag}/app.txt")));
        assert!(
            out_dir.join(&attested).is_file(),
            "skopeo copied no layer with the attested digest {attested}: {:?}",
            std::fs::read_dir(&out_dir)
                .map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>())
        );
        // The manifest names the file, the version, the release and rel's artifact type.
        let manifest: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out_dir.join("manifest.json")).expect("manifest copied"),
        )
        .expect("manifest JSON");
        assert_eq!(manifest["artifactType"], "application/vnd.rel.release.v1");
        assert_eq!(
            manifest["layers"][0]["annotations"]["org.opencontainers.image.title"],
            "app.txt"
        );
        assert_eq!(
            manifest["annotations"]["org.opencontainers.image.version"],
            version
        );
        assert_eq!(manifest["annotations"]["dev.rel.tag"], tag);
    }
    let tags = skopeo(
        &repo,
        &[
            "list-tags",
            "--tls-verify=false",
            &format!("docker://{}", registry.repository()),
        ],
    );
    let tags: serde_json::Value = serde_json::from_str(tags.success()).expect("tags JSON");
    let mut tags: Vec<&str> = tags["Tags"]
        .as_array()
        .expect("a tag list")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, ["1.0.0", "1.1.0"]);
    assert_ne!(server_record(&repo), before);

    // Publishing again: nothing new, nothing recorded.
    let tip = server_record(&repo);
    let again = rel(&repo, "rm", &["publish", "v1.0.0"]);
    assert!(
        again.success().contains("v1.0.0 is already published"),
        "{again:?}"
    );
    assert_eq!(server_record(&repo), tip);
    // Other bytes as v1.0.0: refused, exit 1, nothing pushed or recorded.
    let other = repo.path().join("other.txt");
    std::fs::write(&other, "app 1.0.0, rebuilt\n").expect("write");
    let rebuilt = rel(
        &repo,
        "rm",
        &["publish", "v1.0.0", &other.display().to_string()],
    );
    assert_eq!(rebuilt.code, 1, "{rebuilt:?}");
    assert!(
        rebuilt
            .stderr
            .contains("is not an attested artifact of v1.0.0"),
        "{rebuilt:?}"
    );
    assert_eq!(server_record(&repo), tip);
}

#[test]
fn a_version_taken_in_the_registry_is_never_overwritten() {
    let registry = Registry::start();
    let repo = registry_scenario(&registry, &[]);
    attest_and_publish(&repo, "v1.0.0").success();
    let published = skopeo_digest(&repo, &registry, "1.0.0");
    // Someone else pushes other content under 1.1.0 first.
    let copied = skopeo(
        &repo,
        &[
            "copy",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            &format!("docker://{}:1.0.0", registry.repository()),
            &format!("docker://{}:1.1.0", registry.repository()),
        ],
    );
    assert_eq!(copied.code, 0, "{copied:?}");
    let tip = server_record(&repo);
    let run = attest_and_publish(&repo, "v1.1.0");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "{}:1.1.0 already exists with digest {}",
            registry.repository(),
            published.clone().expect("published")
        )) && run.stderr.contains("a published version is immutable"),
        "{run:?}"
    );
    // The registry keeps what it had; the record has the attestation and no publication.
    assert_eq!(skopeo_digest(&repo, &registry, "1.1.0"), published);
    assert_eq!(
        fixture(
            &repo,
            "git -C server.git log -1 --format=%s refs/rel/record"
        ),
        "attest v1.1.0"
    );
    assert_ne!(server_record(&repo), tip);
}

#[test]
fn promotion_pulls_the_recorded_digest_and_refuses_a_re_pushed_tag() {
    let registry = Registry::start();
    let repo = registry_scenario(&registry, &[]);
    attest_and_publish(&repo, "v1.0.0").success();
    attest_and_publish(&repo, "v1.1.0").success();
    // No --artifact: the files come from the registry, by digest.
    let run = rel(&repo, "rm", &["promote", "v1.0.0", "--to", "dev"]);
    assert!(run.success().contains("v1.0.0 verified in dev"), "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "rel: pulled 1 file(s) from {}:1.0.0@sha256:",
            registry.repository()
        )),
        "{run:?}"
    );
    assert_eq!(current(&repo, "dev"), "v1.0.0");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("envs/dev/releases/v1.0.0/app.txt"))
            .expect("deployed file"),
        "app 1.0.0\n"
    );
    // The promote entry lists the attested artifact.
    let promoted = fixture(
        &repo,
        "git -C server.git log -2 --format=%B refs/rel/record",
    );
    assert!(promoted.contains("\"name\": \"app.txt\""), "{promoted}");

    // Someone re-pushes 1.0.0 with 1.1.0's content: rel deploys only the recorded digest.
    let copied = skopeo(
        &repo,
        &[
            "copy",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            &format!("docker://{}:1.1.0", registry.repository()),
            &format!("docker://{}:1.0.0", registry.repository()),
        ],
    );
    assert_eq!(copied.code, 0, "{copied:?}");
    let tip = server_record(&repo);
    let refused = rel(
        &repo,
        "rm",
        &["promote", "v1.0.0", "--to", "staging", "--from-registry"],
    );
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains(&format!(
            "{}:1.0.0 points at {}, but the record published it as {}",
            registry.repository(),
            skopeo_digest(&repo, &registry, "1.1.0").expect("1.1.0"),
            recorded_digest(&repo, "v1.0.0").expect("recorded")
        )),
        "{refused:?}"
    );
    assert_eq!(server_record(&repo), tip);
    assert_eq!(current(&repo, "staging"), "");
    // v1.1.0 (published) comes from the registry as well.
    let other = rel(
        &repo,
        "rm",
        &["promote", "v1.1.0", "--to", "dev", "--from-registry"],
    );
    assert!(
        other.success().contains("v1.1.0 verified in dev"),
        "{other:?}"
    );
    // A release attested and never published cannot come from the registry.
    registry_fixture(&repo, "more_releases 2");
    rel(
        &repo,
        "rm",
        &["attest", "v1.2.0", &artifact(&repo, "v1.2.0")],
    )
    .success();
    let tip = server_record(&repo);
    let unpublished = rel(
        &repo,
        "rm",
        &["promote", "v1.2.0", "--to", "dev", "--from-registry"],
    );
    assert_eq!(unpublished.code, 1, "{unpublished:?}");
    assert!(
        unpublished.stderr.contains(&format!(
            "v1.2.0 is not published in {}: publish it first",
            registry.repository()
        )),
        "{unpublished:?}"
    );
    assert_eq!(server_record(&repo), tip);
    assert_eq!(current(&repo, "dev"), "v1.1.0");
}

#[test]
fn retention_keeps_the_newest_and_what_production_ran() {
    let registry = Registry::start();
    let repo = registry_scenario(
        &registry,
        &[
            "[registry.retention]",
            "keep_last = 3",
            "keep_environments = [\"production\"]",
        ],
    );
    registry_fixture(&repo, "more_releases 11");
    let tags: Vec<String> = (0..12).map(|minor| format!("v1.{minor}.0")).collect();
    for tag in &tags {
        attest_and_publish(&repo, tag).success();
    }
    // v1.0.0 and v1.4.0 reach production.
    for tag in ["v1.0.0", "v1.4.0"] {
        for env in ["dev", "staging"] {
            rel(&repo, "rm", &["promote", tag, "--to", env]).success();
        }
        rel(&repo, "alice", &["approve", tag, "--for", "production"]).success();
        rel(&repo, "bob", &["approve", tag, "--for", "production"]).success();
        let run = rel(&repo, "rm", &["promote", tag, "--to", "production"]);
        assert!(
            run.success()
                .contains(&format!("{tag} verified in production")),
            "{run:?}"
        );
    }
    let deleted: Vec<&str> = vec![
        "1.1.0", "1.2.0", "1.3.0", "1.5.0", "1.6.0", "1.7.0", "1.8.0",
    ];
    let tip = server_record(&repo);
    let dry = rel(&repo, "rm", &["prune", "--dry-run"]);
    let table = dry.success().to_owned();
    for version in &deleted {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(&format!("{version} ")) && l.contains("delete (dry run)")),
            "{version} is not to be deleted:\n{table}"
        );
    }
    for (version, reason) in [
        ("1.11.0", "newest 3"),
        ("1.10.0", "newest 3"),
        ("1.9.0", "newest 3"),
        ("1.4.0", "verified in production"),
        ("1.0.0", "verified in production"),
    ] {
        assert!(
            table.lines().any(|l| l.starts_with(&format!("{version} "))
                && l.contains("keep")
                && l.contains(reason)),
            "{version} is not kept ({reason}):\n{table}"
        );
    }
    assert!(
        table.contains("5 kept, 7 to delete (dry run: nothing deleted)"),
        "{table}"
    );
    // Nothing deleted, nothing recorded.
    assert_eq!(server_record(&repo), tip);
    for minor in 0..12 {
        assert!(skopeo_digest(&repo, &registry, &format!("1.{minor}.0")).is_some());
    }

    let run = rel(&repo, "rm", &["prune"]);
    let out = run.success();
    assert!(out.contains("5 kept, 7 deleted"), "{run:?}");
    // The same table, the actions done.
    for version in &deleted {
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("{version} ")) && l.contains("deleted")),
            "{run:?}"
        );
    }
    for minor in 0..12 {
        let version = format!("1.{minor}.0");
        assert_eq!(
            skopeo_digest(&repo, &registry, &version).is_some(),
            !deleted.contains(&version.as_str()),
            "{version}"
        );
    }
    let pruned = fixture(
        &repo,
        "git -C server.git log --format=%s refs/rel/record | grep -c '^prune '",
    );
    assert_eq!(pruned, "7");
    // Pruning again deletes nothing.
    let again = rel(&repo, "rm", &["prune", "--json"]);
    let json = again.json();
    assert_eq!(json["deleted"], serde_json::json!([]));
    assert_eq!(json["planned"].as_array().map(Vec::len), Some(5));
    // What is still published, release by release.
    let overview = rel(&repo, "rm", &["status"]).success().to_owned();
    assert!(
        overview.contains(&format!(
            "v1.4.0 artifacts: {}:1.4.0@sha256:",
            registry.repository()
        )) && !overview.contains("v1.1.0 artifacts"),
        "{overview}"
    );
    // The status of a pruned release says so.
    let status = rel(&repo, "rm", &["status", "v1.1.0"]).success().to_owned();
    assert!(status.contains("(pruned by rm@example.com at "), "{status}");
}

#[test]
fn a_registry_down_or_refusing_the_credentials_is_an_error_naming_it() {
    let registry = Registry::with_user("rel", "s3cret");
    let repo = registry_scenario(&registry, &["[registry.retention]", "keep_last = 1"]);
    rel(
        &repo,
        "rm",
        &["attest", "v1.0.0", &artifact(&repo, "v1.0.0")],
    )
    .success();
    let tip = server_record(&repo);
    // No credentials.
    let anonymous = rel(&repo, "rm", &["publish", "v1.0.0"]);
    assert_eq!(anonymous.code, 2, "{anonymous:?}");
    assert!(
        anonymous.stderr.contains(&format!(
            "registry {} refused the credentials from anonymous access",
            registry.host()
        )),
        "{anonymous:?}"
    );
    // Wrong ones, in docker's auth file.
    let docker = repo.home().join(".docker");
    std::fs::create_dir_all(&docker).expect("mkdir");
    let auth = |user_password: &str| {
        use base64::Engine;
        format!(
            r#"{{"auths": {{"{}": {{"auth": "{}"}}}}}}"#,
            registry.host(),
            base64::engine::general_purpose::STANDARD.encode(user_password)
        )
    };
    std::fs::write(docker.join("config.json"), auth("rel:wrong")).expect("write");
    let wrong = rel(&repo, "rm", &["publish", "v1.0.0"]);
    assert_eq!(wrong.code, 2, "{wrong:?}");
    assert!(
        wrong.stderr.contains(&format!(
            "registry {} refused the credentials from {}",
            registry.host(),
            docker.join("config.json").display()
        )),
        "{wrong:?}"
    );
    assert_eq!(server_record(&repo), tip, "nothing recorded");
    assert_eq!(skopeo_digest(&repo, &registry, "1.0.0"), None);
    // The right ones.
    std::fs::write(docker.join("config.json"), auth("rel:s3cret")).expect("write");
    rel(&repo, "rm", &["publish", "v1.0.0"]).success();
    attest_and_publish(&repo, "v1.1.0").success();
    let tip = server_record(&repo);

    // The registry goes down: publishing, promoting from it and pruning it (v1.0.0 is to go)
    // fail naming it, and record nothing.
    drop(registry);
    for args in [
        &["publish", "v1.0.0"][..],
        &["promote", "v1.0.0", "--to", "dev"],
        &["prune"],
    ] {
        let run = rel(&repo, "rm", args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("registry 127.0.0.1:") && run.stderr.contains("cannot be reached"),
            "{args:?}: {run:?}"
        );
        assert_eq!(server_record(&repo), tip, "{args:?}: nothing recorded");
    }
}

#[test]
fn the_server_refuses_what_the_registry_rules_forbid() {
    let registry = Registry::start();
    let repo = registry_scenario(
        &registry,
        &["[registry.retention]", "keep_environments = [\"dev\"]"],
    );
    attest_and_publish(&repo, "v1.0.0").success();
    rel(&repo, "rm", &["promote", "v1.0.0", "--to", "dev"]).success();
    let digest = recorded_digest(&repo, "v1.0.0").expect("digest");
    let location = |tag: &str, digest: &str| {
        format!(
            r#""registry":{{"repository":"{}","tag":"{tag}","digest":"{digest}"}},"#,
            registry.repository()
        )
    };
    // A prune of what dev ran: the retention policy keeps it.
    let prune = statement(
        &repo,
        "v1.0.0",
        "registry",
        "prune",
        &location("1.0.0", &digest),
        "",
    );
    refused_by_server(
        &repo,
        "prune v1.0.0",
        &prune,
        "record-prune",
        "the retention policy keeps",
    );
    // The same prune below an entry that is fine on its own: the server judges every entry
    // a push adds, not only the tip.
    let below = fixture(&repo, &format!("raw_json rm rm 'prune v1.0.0' '{prune}'"));
    let above = fixture(
        &repo,
        &format!(
            "RAW_PARENTS={below} raw_entry rm alice approve v1.0.0 production alice@example.com"
        ),
    );
    let tip = server_record(&repo);
    let run = raw_push(&repo, "rm", &above);
    rejected(&run, "record-prune");
    assert!(run.stderr.contains("(verified in dev)"), "{run:?}");
    assert_eq!(server_record(&repo), tip);
    // A second publication of 1.0.0 under another digest: versions are immutable.
    let other = format!("sha256:{}", "ab".repeat(32));
    let subject = |tag: &str| {
        let file = repo.path().join(format!("artifacts/{tag}/app.txt"));
        let size = std::fs::metadata(&file).map(|m| m.len()).expect("size");
        format!(
            r#",{{"name":"app.txt","digest":{{"sha256":"{}"}},"annotations":{{"size":{size}}}}}"#,
            sha256_hex(&file)
        )
    };
    let publish = |tag: &str, location: &str| {
        statement(&repo, tag, "registry", "publish", location, &subject(tag))
    };
    refused_by_server(
        &repo,
        "publish v1.0.0",
        &publish("v1.0.0", &location("1.0.0", &other)),
        "record-publish",
        "a published version is immutable",
    );
    // v1.0.0 again, under another version's tag with the kept digest (so that a prune of the
    // decoy would delete the manifest production runs), or under a higher version to crowd
    // the newest out of keep_last: a release is published under its own version only.
    for decoy in ["1.0.0-decoy", "999.0.0"] {
        refused_by_server(
            &repo,
            "publish v1.0.0",
            &publish("v1.0.0", &location(decoy, &digest)),
            "record-publish",
            "is published under its version, tag `1.0.0`",
        );
    }
    // Another repository than the configured one.
    refused_by_server(
        &repo,
        "publish v1.0.0",
        &publish(
            "v1.0.0",
            &format!(
                r#""registry":{{"repository":"evil.example/team/app","tag":"1.0.0","digest":"{other}"}},"#
            ),
        ),
        "record-publish",
        "not evil.example/team/app",
    );
    // v1.1.0 (attested) without its artifacts, or under v1.0.0's manifest digest (one
    // manifest is one version: deleting it would delete both).
    rel(
        &repo,
        "rm",
        &["attest", "v1.1.0", &artifact(&repo, "v1.1.0")],
    )
    .success();
    let bare = statement(
        &repo,
        "v1.1.0",
        "registry",
        "publish",
        &location("1.1.0", &other),
        "",
    );
    refused_by_server(
        &repo,
        "publish v1.1.0",
        &bare,
        "record-publish",
        "exactly its attested artifacts",
    );
    refused_by_server(
        &repo,
        "publish v1.1.0",
        &publish("v1.1.0", &location("1.1.0", &digest)),
        "record-publish",
        "one manifest is one version",
    );
}
