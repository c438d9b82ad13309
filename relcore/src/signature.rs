//! Verifying release tags: annotated, signed, signed by a trusted key, and named for the
//! version they claim.
//!
//! Trust comes only from the anchors in the configuration — an SSH allowed-signers file and a
//! folder of OpenPGP public keys — never from the presence of a signature block, and never from
//! the user's own keyring: OpenPGP signatures are checked in a throwaway GnuPG home holding
//! only the configured keys, SSH signatures with `ssh-keygen -Y verify` against the
//! allowed-signers file, in namespace `git`, at the tagger's time, as git does.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::config::{self, Config};
use crate::history::{self, Repo, TagRef};
use crate::paths::{self, Escape, Root, RootKind};
use crate::process::Tool;

/// Which check a tag failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Check {
    /// It is a lightweight tag, not a tag object.
    Annotated,
    /// The tag object carries no signature.
    Signed,
    /// The signature does not verify against the trust anchors.
    Trusted,
    /// The tag object's own name differs from the tag's name.
    Name,
}

impl Check {
    /// The check's id, as in JSON output: `annotated`, `signed`, `trusted`, `name`.
    pub fn id(self) -> &'static str {
        match self {
            Check::Annotated => "annotated",
            Check::Signed => "signed",
            Check::Trusted => "trusted",
            Check::Name => "name",
        }
    }
}

/// The signature formats git writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// `-----BEGIN PGP SIGNATURE-----`.
    Openpgp,
    /// `-----BEGIN SSH SIGNATURE-----`.
    Ssh,
    /// `-----BEGIN SIGNED MESSAGE-----` (gitsign and other x509 signers).
    X509,
}

impl Format {
    /// The format's name, as in JSON output: `openpgp`, `ssh`, `x509`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Openpgp => "openpgp",
            Format::Ssh => "ssh",
            Format::X509 => "x509",
        }
    }
}

/// The verdict on one tag.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Verdict {
    /// The tag's name.
    pub tag: String,
    /// The signature format, when signed.
    pub format: Option<Format>,
    /// Who signed, when the signature verifies: the SSH principal or the OpenPGP key fingerprint.
    pub signer: Option<String>,
    /// The check that failed, if any.
    pub failed: Option<Check>,
    /// Why, in a sentence.
    pub reason: Option<String>,
}

impl Verdict {
    /// Whether every check passed.
    pub fn is_ok(&self) -> bool {
        self.failed.is_none()
    }

    fn fail(mut self, check: Check, reason: impl Into<String>) -> Self {
        self.failed = Some(check);
        self.reason = Some(reason.into());
        self
    }
}

/// Why verification could not run at all (as opposed to a tag failing it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the repository failed.
    #[error(transparent)]
    History(#[from] history::Error),
    /// A tool (`ssh-keygen`, `gpg`) or a temporary file was not available.
    #[error("cannot run {what}")]
    Tool {
        /// What was being run.
        what: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The rel.toml of the revision the anchors are taken from is not accepted.
    #[error(transparent)]
    Config(#[from] config::Error),
    /// An anchor path in the rel.toml of `rev` leaves its tree or passes through a symlink.
    #[error("cannot take the trust anchors from {rev}")]
    Anchors {
        /// The revision, as given.
        rev: String,
        /// What is wrong with the path.
        #[source]
        source: paths::Error,
    },
    /// An anchor path in the rel.toml of `rev` names nothing of the right kind in its tree.
    #[error("{rev}:rel.toml: {key} = \"{}\" names no {expected} in the tree of {rev}", path.display())]
    NotInTree {
        /// The revision, as given.
        rev: String,
        /// The key, `policy.allowed_signers` or `policy.openpgp_keys`.
        key: String,
        /// The path as configured.
        path: PathBuf,
        /// `file` or `folder`.
        expected: &'static str,
    },
}

/// The parts of a tag object that verification needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TagObject {
    /// The `tag` header: the name the tag was made with.
    pub name: String,
    /// The tagger's time, seconds since the epoch.
    pub tagger_time: Option<i64>,
    /// The signed bytes: everything before the signature.
    pub payload: Vec<u8>,
    /// The ASCII-armoured signature, if any.
    pub signature: Option<Vec<u8>>,
}

/// Splits a raw tag object into its name, tagger time, payload and signature.
///
/// ```
/// let raw = b"object 0123\ntype commit\ntag v1.0.0\ntagger A <a@x> 1700000000 +0000\n\nmsg\n-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----\n";
/// let tag = relcore::signature::parse_tag_object(raw);
/// assert_eq!(tag.name, "v1.0.0");
/// assert_eq!(tag.tagger_time, Some(1700000000));
/// assert!(tag.payload.ends_with(b"msg\n"));
/// assert!(tag.signature.unwrap().starts_with(b"-----BEGIN SSH SIGNATURE-----"));
/// ```
pub fn parse_tag_object(raw: &[u8]) -> TagObject {
    let header_end = find(raw, b"\n\n").map_or(raw.len(), |i| i + 1);
    let mut name = String::new();
    let mut tagger_time = None;
    for line in raw[..header_end].split(|&b| b == b'\n') {
        if let Some(n) = line.strip_prefix(b"tag ") {
            name = String::from_utf8_lossy(n).into_owned();
        } else if let Some(t) = line.strip_prefix(b"tagger ") {
            let text = String::from_utf8_lossy(t);
            tagger_time = text.rsplit(' ').nth(1).and_then(|s| s.parse::<i64>().ok());
        }
    }
    // The signature starts where git's does (`parse_signed_buffer`): at the LAST line that begins
    // with one of git's own signature headers. A quoted certificate or an earlier block in the
    // message is payload; a block appended twice leaves the first one in the payload.
    let mut at = 0;
    let mut signature_start = None;
    while at < raw.len() {
        if SIGNATURE_HEADERS.iter().any(|h| raw[at..].starts_with(h)) {
            signature_start = Some(at);
        }
        at = match find(&raw[at..], b"\n") {
            Some(i) => at + i + 1,
            None => raw.len(),
        };
    }
    match signature_start {
        Some(start) => TagObject {
            name,
            tagger_time,
            payload: raw[..start].to_vec(),
            signature: Some(raw[start..].to_vec()),
        },
        None => TagObject {
            name,
            tagger_time,
            payload: raw.to_vec(),
            signature: None,
        },
    }
}

/// The lines git recognises as the start of a signature (gpg-interface.c), by format.
const SIGNATURE_HEADERS: [&[u8]; 4] = [
    b"-----BEGIN PGP SIGNATURE-----",
    b"-----BEGIN PGP MESSAGE-----",
    b"-----BEGIN SIGNED MESSAGE-----",
    b"-----BEGIN SSH SIGNATURE-----",
];

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The moment at which a signing key must be valid (SSH `valid-after` / `valid-before`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum At {
    /// The tagger's date, as `git verify-tag` does: an audit of history (`rel verify`), where a
    /// key retired since still vouches for what it signed while it was valid.
    #[default]
    Tagger,
    /// Now: a gate deciding on a push (the hooks, `rel check`). The tagger date is the pusher's
    /// to write, so a retired key cannot get a release through by backdating it.
    Now,
}

/// The trust anchors: an SSH allowed-signers file and a folder of OpenPGP public keys.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Anchors {
    /// The SSH allowed-signers file, if any.
    pub allowed_signers: Option<PathBuf>,
    /// The folder of OpenPGP public keys, if any (only its regular files count).
    pub openpgp_keys: Option<PathBuf>,
    /// Where anchors read from a tree were written, kept for as long as the anchors are used.
    scratch: Option<Arc<tempfile::TempDir>>,
}

impl Anchors {
    /// Exactly these anchors: files the operator named (e.g. on the command line), taken as given.
    pub fn from_files(allowed_signers: Option<PathBuf>, openpgp_keys: Option<PathBuf>) -> Self {
        Self {
            allowed_signers,
            openpgp_keys,
            scratch: None,
        }
    }

    /// The anchors `config` names, inside `root` (the work tree, or `$GIT_DIR` on a server).
    ///
    /// # Errors
    /// When a configured path leaves the root, reaches git's own files or passes through a
    /// symlink ([`Root::resolve`]).
    pub fn from_config(config: &Config, root: &Root) -> Result<Self, paths::Error> {
        let resolve = |key: &str, p: &Path| {
            (!p.as_os_str().is_empty())
                .then(|| root.resolve(key, p))
                .transpose()
        };
        Ok(Self::from_files(
            resolve("policy.allowed_signers", &config.policy.allowed_signers)?,
            resolve("policy.openpgp_keys", &config.policy.openpgp_keys)?,
        ))
    }

    /// rel.toml as committed in `rev` (e.g. `origin/main`: a ref a pusher of tags cannot
    /// change), and the anchors it names, read from the same tree with gix and written to a
    /// temporary folder. The work tree is not read at all, so a checkout of the very tag being
    /// verified cannot vouch for itself. No rel.toml in `rev` gives the defaults (no anchors).
    ///
    /// # Errors
    /// When `rev` does not name a commit, its rel.toml is not accepted, an anchor path passes
    /// through a symlink in the tree or names nothing of the right kind there.
    pub fn from_tree(repo: &Repo, rev: &str) -> Result<(Config, Self), Error> {
        let commit = repo.resolve(rev)?;
        let read = |what: String| {
            move |e: gix::Error| Error::History(history::Error::Read { what, source: e })
        };
        let tree = repo
            .gix()
            .find_object(commit)
            .map_err(|e| read(format!("commit {commit}"))(gix::Error::from_error(e)))?
            .peel_to_tree()
            .map_err(|e| read(format!("the tree of {rev}"))(gix::Error::from_error(e)))?;
        let label = format!("{rev}:{}", config::FILE_NAME);
        let config = match tree_node(
            repo,
            &tree,
            rev,
            config::FILE_NAME,
            Path::new(config::FILE_NAME),
        )? {
            Node::Missing => Config::default(),
            Node::Blob(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| config::Error::Invalid {
                    path: PathBuf::from(&label),
                    line: 1,
                    column: 1,
                    key: None,
                    message: "the file is not valid UTF-8".into(),
                })?;
                Config::from_toml(&text, Path::new(&label))?
            }
            Node::Tree(_) => {
                return Err(Error::NotInTree {
                    rev: rev.to_owned(),
                    key: config::FILE_NAME.to_owned(),
                    path: PathBuf::from(config::FILE_NAME),
                    expected: "file",
                });
            }
        };
        let scratch = tempfile::tempdir().map_err(tool_error("a temporary directory"))?;
        let write = |path: &Path, bytes: &[u8]| {
            std::fs::write(path, bytes).map_err(tool_error("a temporary file"))
        };
        let not_in_tree = |key: &str, path: &Path, expected| Error::NotInTree {
            rev: rev.to_owned(),
            key: key.to_owned(),
            path: path.to_owned(),
            expected,
        };
        let mut anchors = Self::from_files(None, None);
        let (key, signers) = ("policy.allowed_signers", &config.policy.allowed_signers);
        if !signers.as_os_str().is_empty() {
            let Node::Blob(bytes) = tree_node(repo, &tree, rev, key, signers)? else {
                return Err(not_in_tree(key, signers, "file"));
            };
            let path = scratch.path().join("allowed_signers");
            write(&path, &bytes)?;
            anchors.allowed_signers = Some(path);
        }
        let (key, keys) = ("policy.openpgp_keys", &config.policy.openpgp_keys);
        if !keys.as_os_str().is_empty() {
            let Node::Tree(folder) = tree_node(repo, &tree, rev, key, keys)? else {
                return Err(not_in_tree(key, keys, "folder"));
            };
            let dir = scratch.path().join("openpgp_keys");
            std::fs::create_dir(&dir).map_err(tool_error("a temporary directory"))?;
            let entries = folder
                .decode()
                .map_err(|e| read(format!("{rev}:{}", keys.display()))(gix::Error::from_error(e)))?
                .entries;
            // Regular files only, as in a work tree; named by position, not by the tree's names.
            for (n, entry) in entries.iter().filter(|e| e.mode.is_blob()).enumerate() {
                let blob = repo.gix().find_object(entry.oid).map_err(|e| {
                    read(format!("{rev}:{}/{}", keys.display(), entry.filename))(
                        gix::Error::from_error(e),
                    )
                })?;
                write(&dir.join(format!("key-{n:04}.asc")), &blob.data)?;
            }
            anchors.openpgp_keys = Some(dir);
        }
        anchors.scratch = Some(Arc::new(scratch));
        Ok((config, anchors))
    }
}

/// What a path names in a tree.
enum Node<'repo> {
    Missing,
    Blob(Vec<u8>),
    Tree(gix::Tree<'repo>),
}

/// The blob or tree at `path` (the value of `key`) in `tree`, refusing a path that leaves the
/// tree or passes through a symlink, as [`Root::resolve`] does in a work tree.
fn tree_node<'repo>(
    repo: &'repo Repo,
    tree: &gix::Tree<'repo>,
    rev: &str,
    key: &str,
    path: &Path,
) -> Result<Node<'repo>, Error> {
    let refuse = |reason| Error::Anchors {
        rev: rev.to_owned(),
        source: paths::Error::Outside {
            key: key.to_owned(),
            path: path.to_owned(),
            reason,
            root: RootKind::WorkTree,
        },
    };
    paths::check(path).map_err(refuse)?;
    let parts: Vec<&OsStr> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        return Err(refuse(Escape::Empty));
    }
    let mut current = tree.clone();
    let mut shown = PathBuf::new();
    for (i, part) in parts.iter().enumerate() {
        shown.push(part);
        let last = i + 1 == parts.len();
        let Some(entry) = current.find_entry(part.as_encoded_bytes()) else {
            return Ok(Node::Missing);
        };
        let (mode, id) = (entry.inner.mode, entry.inner.oid.to_owned());
        if mode.is_link() {
            return Err(refuse(Escape::Symlink { at: shown, last }));
        }
        let wanted = mode.is_tree() || (last && mode.is_blob());
        if !wanted {
            // A submodule, or a file where a folder is needed.
            return Ok(Node::Missing);
        }
        let object = repo.gix().find_object(id).map_err(|e| {
            Error::History(history::Error::Read {
                what: format!("{rev}:{}", shown.display()),
                source: gix::Error::from_error(e),
            })
        })?;
        if mode.is_blob() {
            return Ok(Node::Blob(object.detach().data));
        }
        current = object.into_tree();
        if last {
            return Ok(Node::Tree(current));
        }
    }
    Ok(Node::Missing)
}

/// Verifies one release tag.
///
/// # Errors
/// When the tag cannot be read or a verification tool cannot run.
pub fn verify(repo: &Repo, tag: &TagRef, anchors: &Anchors) -> Result<Verdict, Error> {
    let object = read_tag(repo, tag)?;
    verify_parsed(&tag.name, object.as_ref(), anchors, At::Tagger)
}

/// Verifies many release tags, the signature checks spread over the machine's cores (each
/// check runs `ssh-keygen` or `gpg`, so they wait on processes, not on each other).
///
/// # Errors
/// When a tag cannot be read or a verification tool cannot run.
pub fn verify_many(
    repo: &Repo,
    tags: &[TagRef],
    anchors: &Anchors,
    at: At,
) -> Result<Vec<Verdict>, Error> {
    let objects = tags
        .iter()
        .map(|t| read_tag(repo, t))
        .collect::<Result<Vec<_>, _>>()?;
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let chunk = tags.len().div_ceil(workers).max(1);
    let results: Vec<Result<Vec<Verdict>, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = tags
            .chunks(chunk)
            .zip(objects.chunks(chunk))
            .map(|(tags, objects)| {
                scope.spawn(move || {
                    tags.iter()
                        .zip(objects)
                        .map(|(t, o)| verify_parsed(&t.name, o.as_ref(), anchors, at))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a verification thread does not panic"))
            .collect()
    });
    let mut out = Vec::with_capacity(tags.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// The tag object a release tag points at; `None` for a lightweight tag.
///
/// # Errors
/// When it cannot be read.
pub fn read_tag(repo: &Repo, tag: &TagRef) -> Result<Option<TagObject>, Error> {
    let object = repo
        .gix()
        .find_object(tag.target)
        .map_err(|source| history::Error::Read {
            what: format!("tag {}", tag.name),
            source,
        })?;
    Ok((object.kind == gix::object::Kind::Tag).then(|| parse_tag_object(&object.data)))
}

/// Verifies a tag named `name` whose object is `object` (`None`: lightweight), with keys valid
/// [`At`] the given moment.
///
/// # Errors
/// When a verification tool cannot run.
pub fn verify_parsed(
    name: &str,
    object: Option<&TagObject>,
    anchors: &Anchors,
    at: At,
) -> Result<Verdict, Error> {
    let verdict = Verdict {
        tag: name.to_owned(),
        format: None,
        signer: None,
        failed: None,
        reason: None,
    };
    match object {
        None => Ok(verdict.fail(
            Check::Annotated,
            "a lightweight tag: release tags must be annotated (git tag -a)",
        )),
        Some(parsed) => verify_object(parsed, name, anchors, at, verdict),
    }
}

fn verify_object(
    parsed: &TagObject,
    name: &str,
    anchors: &Anchors,
    at: At,
    mut verdict: Verdict,
) -> Result<Verdict, Error> {
    if parsed.name != name {
        return Ok(verdict.fail(
            Check::Name,
            format!(
                "the tag object is named `{}`, not `{name}`: it was made for another version",
                parsed.name
            ),
        ));
    }
    let Some(signature) = &parsed.signature else {
        return Ok(verdict.fail(Check::Signed, "not signed (git tag -s)"));
    };
    let format = if signature.starts_with(SIGNATURE_HEADERS[3]) {
        Format::Ssh
    } else if signature.starts_with(SIGNATURE_HEADERS[0])
        || signature.starts_with(SIGNATURE_HEADERS[1])
    {
        Format::Openpgp
    } else {
        Format::X509
    };
    verdict.format = Some(format);
    let outcome = match format {
        Format::Ssh => verify_ssh(parsed, signature, anchors, at)?,
        Format::Openpgp => verify_openpgp(parsed, signature, anchors)?,
        Format::X509 => Err("x509 signatures cannot be checked against rel's trust anchors (SSH allowed signers, OpenPGP keys)".to_owned()),
    };
    Ok(match outcome {
        Ok(signer) => {
            verdict.signer = Some(signer);
            verdict
        }
        Err(reason) => verdict.fail(Check::Trusted, reason),
    })
}

fn tool_error(what: &str) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Tool {
        what: what.to_owned(),
        source,
    }
}

/// Runs `program args` with `stdin`; (success, stdout, stderr).
fn run(
    program: &str,
    args: &[&str],
    stdin: &[u8],
    env: &[(&str, &Path)],
) -> Result<(bool, String, String), Error> {
    let tool = env
        .iter()
        .fold(Tool::new(program), |tool, (k, v)| tool.with_env(k, *v));
    let out = tool
        .run(args, Some(stdin))
        .map_err(|e| tool_error(program)(e.source))?;
    Ok((out.success, out.stdout, out.stderr))
}

fn verify_ssh(
    parsed: &TagObject,
    signature: &[u8],
    anchors: &Anchors,
    at: At,
) -> Result<Result<String, String>, Error> {
    let Some(allowed) = &anchors.allowed_signers else {
        return Ok(Err(
            "signed with SSH, but no SSH trust anchors are configured (policy.allowed_signers)"
                .into(),
        ));
    };
    if !allowed.is_file() {
        return Ok(Err(format!(
            "the allowed-signers file {} does not exist (policy.allowed_signers)",
            allowed.display()
        )));
    }
    let dir = tempfile::tempdir().map_err(tool_error("a temporary directory"))?;
    let sig = dir.path().join("signature");
    std::fs::write(&sig, signature).map_err(tool_error("a temporary file"))?;
    let (allowed_s, sig_s) = (allowed.to_string_lossy(), sig.to_string_lossy());
    // Without -Overify-time, ssh-keygen judges the key's validity now.
    let mut time_arg = String::new();
    if let (At::Tagger, Some(t)) = (at, parsed.tagger_time) {
        let time = gix::date::Time::new(t, 0);
        time_arg = format!(
            "-Overify-time={}",
            time.format_or_unix(gix::date::time::CustomFormat::new("%Y%m%d%H%M%S"))
        );
    }
    // Who signed: read from the signature's key and the allowed-signers file when that is
    // plain; otherwise (wildcards, certificate authorities, options) ask ssh-keygen as git does.
    let principal = match principal_of(signature, allowed) {
        Lookup::Found(p) => p,
        Lookup::Absent => {
            return Ok(Err(
                "signed by an SSH key that is not in the allowed signers (policy.allowed_signers)"
                    .into(),
            ));
        }
        Lookup::AskSshKeygen => {
            let mut find_args = vec!["-Y", "find-principals", "-f", &allowed_s, "-s", &sig_s];
            if !time_arg.is_empty() {
                find_args.push(&time_arg);
            }
            let (found, principals, _) = run("ssh-keygen", &find_args, b"", &[])?;
            match principals.lines().next().filter(|_| found) {
                Some(p) => p.to_owned(),
                None => {
                    return Ok(Err(
                        "signed by an SSH key that is not in the allowed signers (policy.allowed_signers)".into(),
                    ));
                }
            }
        }
    };
    let mut verify_args = vec![
        "-Y", "verify", "-f", &allowed_s, "-I", &principal, "-n", "git", "-s", &sig_s,
    ];
    if !time_arg.is_empty() {
        verify_args.push(&time_arg);
    }
    let (ok, _, stderr) = run("ssh-keygen", &verify_args, &parsed.payload, &[])?;
    if ok {
        Ok(Ok(principal))
    } else {
        Ok(Err(format!(
            "the SSH signature does not verify: {}",
            stderr.trim()
        )))
    }
}

fn verify_openpgp(
    parsed: &TagObject,
    signature: &[u8],
    anchors: &Anchors,
) -> Result<Result<String, String>, Error> {
    let Some(folder) = &anchors.openpgp_keys else {
        return Ok(Err("signed with OpenPGP, but no OpenPGP trust anchors are configured (policy.openpgp_keys)".into()));
    };
    let keys: Vec<PathBuf> = match std::fs::read_dir(folder) {
        Ok(entries) => {
            // Regular files only: a symlink in the folder could point anywhere.
            let mut keys: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .collect();
            keys.sort();
            keys
        }
        Err(_) => {
            return Ok(Err(format!(
                "the OpenPGP keys folder {} cannot be read (policy.openpgp_keys)",
                folder.display()
            )));
        }
    };
    // A throwaway keyring with only the configured keys: the user's keyring and its trust never count.
    let home = tempfile::tempdir().map_err(tool_error("a temporary directory"))?;
    let env = [("GNUPGHOME", home.path())];
    for key in &keys {
        let key_s = key.to_string_lossy();
        let _ = run(
            "gpg",
            &["--batch", "--quiet", "--import", &key_s],
            b"",
            &env,
        )?;
    }
    let sig = home.path().join("signature.asc");
    let payload = home.path().join("payload");
    std::fs::write(&sig, signature).map_err(tool_error("a temporary file"))?;
    std::fs::write(&payload, &parsed.payload).map_err(tool_error("a temporary file"))?;
    let (sig_s, payload_s) = (sig.to_string_lossy(), payload.to_string_lossy());
    let (_, status, _) = run(
        "gpg",
        &[
            "--batch",
            "--status-fd",
            "1",
            "--verify",
            &sig_s,
            &payload_s,
        ],
        b"",
        &env,
    )?;
    let _ = run("gpgconf", &["--kill", "all"], b"", &env);
    Ok(openpgp_outcome(&status))
}

/// What gpg's status lines (`--status-fd`) say about one signature: the signer's fingerprint,
/// or why the signature is not accepted. Like `git verify-tag`, only a good signature by a key
/// that is neither expired nor revoked passes.
fn openpgp_outcome(status: &str) -> Result<String, String> {
    let mut fingerprint = None;
    let mut verdict = None;
    for line in status.lines() {
        let Some(rest) = line.strip_prefix("[GNUPG:] ") else {
            continue;
        };
        let (keyword, args) = rest.split_once(' ').unwrap_or((rest, ""));
        match keyword {
            "VALIDSIG" => fingerprint = args.split_whitespace().next().map(str::to_owned),
            "GOODSIG" | "EXPSIG" | "EXPKEYSIG" | "REVKEYSIG" | "BADSIG" | "ERRSIG" => {
                verdict.get_or_insert((keyword, args.split_whitespace().next().unwrap_or("")));
            }
            "NO_PUBKEY" => {
                verdict.get_or_insert(("ERRSIG", args.trim()));
            }
            _ => {}
        }
    }
    let key = |id: &str| fingerprint.clone().unwrap_or_else(|| id.to_owned());
    match verdict {
        Some(("GOODSIG", _)) if fingerprint.is_some() => Ok(key("")),
        Some(("EXPKEYSIG", id)) => Err(format!(
            "signed by an expired OpenPGP key ({}): the key's validity ended; renew it (gpg --quick-set-expire) and export it to policy.openpgp_keys again, or sign with a valid key",
            key(id)
        )),
        Some(("REVKEYSIG", id)) => Err(format!(
            "signed by a revoked OpenPGP key ({}): its owner withdrew it, so its signatures are no longer trusted",
            key(id)
        )),
        Some(("EXPSIG", id)) => Err(format!(
            "the OpenPGP signature by {} has expired (it was made with an expiry date that has passed)",
            key(id)
        )),
        Some(("ERRSIG", _)) => Err(
            "signed by an OpenPGP key that is not among the trusted keys (policy.openpgp_keys)".into(),
        ),
        _ => Err("the OpenPGP signature does not verify (the tag was changed after signing, or the signature belongs to other content)".into()),
    }
}

enum Lookup {
    Found(String),
    Absent,
    AskSshKeygen,
}

/// The principal of the allowed-signers line whose key signed `armored`, when the file is plain
/// enough to tell without ssh-keygen (no options, wildcards or certificate authorities).
fn principal_of(armored: &[u8], allowed: &Path) -> Lookup {
    let Some(key) = sshsig_public_key(armored) else {
        return Lookup::AskSshKeygen;
    };
    let Ok(text) = std::fs::read_to_string(allowed) else {
        return Lookup::AskSshKeygen;
    };
    let mut plain = true;
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // principals keytype base64 [comment]: anything else (options) is ssh-keygen's to read.
        let [principals, keytype, blob, ..] = fields[..] else {
            plain = false;
            continue;
        };
        let is_keytype = keytype.starts_with("ssh-")
            || keytype.starts_with("ecdsa-")
            || keytype.starts_with("sk-");
        if !is_keytype || principals.contains(['*', '?', '!']) {
            plain = false;
            continue;
        }
        if base64_decode(blob).as_deref() == Some(key.as_slice()) {
            let first = principals.split(',').next().unwrap_or(principals);
            return Lookup::Found(first.to_owned());
        }
    }
    if plain {
        Lookup::Absent
    } else {
        Lookup::AskSshKeygen
    }
}

/// The public key blob inside an armoured SSHSIG (`-----BEGIN SSH SIGNATURE-----`).
fn sshsig_public_key(armored: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(armored).ok()?;
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let blob = base64_decode(&body)?;
    let rest = blob.strip_prefix(b"SSHSIG")?;
    let rest = rest.get(4..)?; // version
    let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    rest.get(4..4 + len).map(<[u8]>::to_vec)
}

/// Standard base64 with padding.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bytes: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for quad in bytes.chunks(4) {
        let pad = quad.iter().rev().take_while(|&&b| b == b'=').count();
        let mut n = 0u32;
        for (i, &b) in quad.iter().enumerate() {
            let v = if i >= 4 - pad {
                0
            } else {
                u32::from(value(b)?)
            };
            n = (n << 6) | v;
        }
        let chunk = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&chunk[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("aGVsbG8h").as_deref(), Some(&b"hello!"[..]));
        assert_eq!(base64_decode("aGVsbA==").as_deref(), Some(&b"hell"[..]));
        assert_eq!(base64_decode("a?=="), None);
    }

    #[test]
    fn gpg_status_lines() {
        let fpr = "ABA877BABC76087E46368A44D3D59AF4E4031679";
        let status = |keyword: &str| {
            format!(
                "[GNUPG:] NEWSIG\n[GNUPG:] KEYEXPIRED 1577923200\n[GNUPG:] {keyword} D3D59AF4E4031679 Old <old@example.com>\n[GNUPG:] VALIDSIG {fpr} 2020-01-01 1577836800 0 4 0 22 10 00 {fpr}\n"
            )
        };
        assert_eq!(openpgp_outcome(&status("GOODSIG")), Ok(fpr.to_owned()));
        let reason = |keyword: &str| openpgp_outcome(&status(keyword)).expect_err("refused");
        assert!(
            reason("EXPKEYSIG").starts_with(&format!("signed by an expired OpenPGP key ({fpr})"))
        );
        assert!(
            reason("REVKEYSIG").starts_with(&format!("signed by a revoked OpenPGP key ({fpr})"))
        );
        assert!(reason("EXPSIG").contains("signature by"));
        assert!(
            openpgp_outcome("[GNUPG:] BADSIG D3D59AF4E4031679 Old\n")
                .expect_err("refused")
                .contains("changed after signing")
        );
        assert!(
            openpgp_outcome("[GNUPG:] ERRSIG D3D59AF4E4031679 22 10 00 1 9\n[GNUPG:] NO_PUBKEY D3D59AF4E4031679\n")
                .expect_err("refused")
                .contains("not among the trusted keys")
        );
        // A good signature line without the fingerprint line is not enough.
        assert!(openpgp_outcome("[GNUPG:] GOODSIG D3D59AF4E4031679 Old\n").is_err());
    }
}
