//! Credentials for a registry, found the way container tools find them: rel's own environment
//! variables, then the auth files of podman/skopeo and of docker (with its credential helpers),
//! else anonymous.

use std::path::{Path, PathBuf};

use base64::Engine;
use oci_client::secrets::RegistryAuth;

use super::Error;

/// Where credentials were found, for messages (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// `REL_REGISTRY_USERNAME` and `REL_REGISTRY_PASSWORD`, or `REL_REGISTRY_TOKEN`.
    Environment,
    /// An auth file (`auths` in docker's config.json or containers' auth.json).
    File(PathBuf),
    /// A docker credential helper, `docker-credential-<name>`.
    Helper(String),
    /// None found: anonymous access.
    Anonymous,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Environment => f.write_str("REL_REGISTRY_USERNAME/REL_REGISTRY_PASSWORD"),
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Helper(name) => write!(f, "docker-credential-{name}"),
            Source::Anonymous => f.write_str("anonymous access (no credentials found)"),
        }
    }
}

/// The credentials for `host` (`name[:port]`) and where they come from.
///
/// The order: `REL_REGISTRY_TOKEN` (a bearer token), `REL_REGISTRY_USERNAME` with
/// `REL_REGISTRY_PASSWORD`; then `REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`,
/// `~/.config/containers/auth.json` (podman, skopeo); then `$DOCKER_CONFIG/config.json` or
/// `~/.docker/config.json`, whose `credHelpers` and `credsStore` name a helper to run.
///
/// # Errors
/// [`Error::Credentials`] when a file or helper that has an entry for `host` cannot be read.
pub(super) fn credentials(host: &str) -> Result<(RegistryAuth, Source), Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let Some(token) = var("REL_REGISTRY_TOKEN") {
        return Ok((RegistryAuth::Bearer(token), Source::Environment));
    }
    if let (Some(user), Some(password)) =
        (var("REL_REGISTRY_USERNAME"), var("REL_REGISTRY_PASSWORD"))
    {
        return Ok((RegistryAuth::Basic(user, password), Source::Environment));
    }
    let home = var("HOME").map(PathBuf::from);
    let mut files: Vec<PathBuf> = Vec::new();
    files.extend(var("REGISTRY_AUTH_FILE").map(PathBuf::from));
    files.extend(var("XDG_RUNTIME_DIR").map(|d| Path::new(&d).join("containers/auth.json")));
    files.extend(
        home.as_ref()
            .map(|h| h.join(".config/containers/auth.json")),
    );
    let docker = var("DOCKER_CONFIG")
        .map(|d| Path::new(&d).join("config.json"))
        .or_else(|| home.as_ref().map(|h| h.join(".docker/config.json")));
    files.extend(docker);
    for file in files {
        if let Some(found) = from_file(&file, host)? {
            return Ok(found);
        }
    }
    Ok((RegistryAuth::Anonymous, Source::Anonymous))
}

/// The credentials `file` holds for `host`, if any.
fn from_file(file: &Path, host: &str) -> Result<Option<(RegistryAuth, Source)>, Error> {
    let Ok(bytes) = std::fs::read(file) else {
        return Ok(None);
    };
    let bad = |reason: String| Error::Credentials {
        host: host.to_owned(),
        source_name: file.display().to_string(),
        reason,
    };
    let json: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let entry = |section: &str| {
        json.get(section)?
            .as_object()?
            .iter()
            .find(|(key, _)| normalize(key) == host)
            .map(|(_, value)| value.clone())
    };
    if let Some(helper) = entry("credHelpers").and_then(|v| v.as_str().map(str::to_owned)) {
        return helper_credentials(&helper, host).map(Some);
    }
    if let Some(auth) = entry("auths") {
        let user = auth.get("username").and_then(|v| v.as_str());
        let password = auth.get("password").and_then(|v| v.as_str());
        if let (Some(user), Some(password)) = (user, password) {
            let found = RegistryAuth::Basic(user.to_owned(), password.to_owned());
            return Ok(Some((found, Source::File(file.to_owned()))));
        }
        if let Some(encoded) = auth.get("auth").and_then(|v| v.as_str()) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|d| String::from_utf8(d).ok())
                .ok_or_else(|| bad(format!("auths.{host}.auth is not base64 of user:password")))?;
            let (user, password) = decoded
                .split_once(':')
                .ok_or_else(|| bad(format!("auths.{host}.auth is not base64 of user:password")))?;
            let found = RegistryAuth::Basic(user.to_owned(), password.to_owned());
            return Ok(Some((found, Source::File(file.to_owned()))));
        }
        if let Some(token) = auth.get("identitytoken").and_then(|v| v.as_str()) {
            let found = RegistryAuth::Bearer(token.to_owned());
            return Ok(Some((found, Source::File(file.to_owned()))));
        }
    }
    if let Some(store) = json.get("credsStore").and_then(|v| v.as_str()) {
        let (auth, source) = helper_credentials(store, host)?;
        if auth != RegistryAuth::Anonymous {
            return Ok(Some((auth, source)));
        }
    }
    Ok(None)
}

/// A key of `auths` or `credHelpers` as a host: `https://host/v1/` is `host`.
fn normalize(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

/// Asks `docker-credential-<helper> get` for `host`'s credentials.
fn helper_credentials(helper: &str, host: &str) -> Result<(RegistryAuth, Source), Error> {
    use std::io::Write;
    let program = format!("docker-credential-{helper}");
    let bad = |reason: String| Error::Credentials {
        host: host.to_owned(),
        source_name: program.clone(),
        reason,
    };
    let mut child = std::process::Command::new(&program)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| bad(format!("cannot run it: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(host.as_bytes())
            .map_err(|e| bad(e.to_string()))?;
    }
    let out = child.wait_with_output().map_err(|e| bad(e.to_string()))?;
    if !out.status.success() {
        // "credentials not found in native keychain": nothing stored for this host.
        return Ok((RegistryAuth::Anonymous, Source::Anonymous));
    }
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| bad(format!("printed no JSON: {e}")))?;
    let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    match (field("Username"), field("Secret")) {
        // Docker's convention: a username of `<token>` means the secret is an identity token.
        (Some(user), Some(secret)) if user == "<token>" => Ok((
            RegistryAuth::Bearer(secret),
            Source::Helper(helper.to_owned()),
        )),
        (Some(user), Some(secret)) => Ok((
            RegistryAuth::Basic(user, secret),
            Source::Helper(helper.to_owned()),
        )),
        _ => Err(bad("printed no Username and Secret".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_file_keys_name_hosts() {
        assert_eq!(normalize("https://index.docker.io/v1/"), "index.docker.io");
        assert_eq!(normalize("127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(normalize("http://127.0.0.1:5000"), "127.0.0.1:5000");
    }

    #[test]
    fn an_auth_file_gives_basic_credentials() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("config.json");
        // base64("rel:secret")
        std::fs::write(
            &file,
            r#"{"auths": {"https://reg.example:5000": {"auth": "cmVsOnNlY3JldA=="}}}"#,
        )?;
        let (auth, source) = from_file(&file, "reg.example:5000")?.ok_or("no entry")?;
        assert_eq!(auth, RegistryAuth::Basic("rel".into(), "secret".into()));
        assert_eq!(source, Source::File(file.clone()));
        assert!(from_file(&file, "other.example")?.is_none());
        std::fs::write(&file, r#"{"auths": {"reg.example:5000": {"auth": "%%%"}}}"#)?;
        let err = from_file(&file, "reg.example:5000")
            .err()
            .ok_or("no error")?;
        assert!(err.to_string().contains("not base64"), "{err}");
        Ok(())
    }
}
