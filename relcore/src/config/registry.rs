//! `[registry]`: the OCI registry a release's artifacts are published to, and
//! `[registry.retention]`: which published versions are kept.

use serde::{Deserialize, Deserializer, Serialize};

/// `[registry]`: where `rel publish` pushes a release's attested artifacts.
///
/// ```
/// let config = relcore::Config::from_toml(
///     "[registry]\nrepository = \"127.0.0.1:5000/team/app\"\n\n[registry.retention]\nkeep_last = 3\n",
///     "rel.toml".as_ref(),
/// )?;
/// let registry = &config.registry;
/// assert_eq!(registry.repository.as_deref(), Some("127.0.0.1:5000/team/app"));
/// assert_eq!(registry.host(), Some("127.0.0.1:5000"));
/// assert!(registry.plain_http_allowed()); // loopback
/// assert_eq!(registry.retention.keep_last, 3);
/// // A registry reference that is not one is a config error naming the key.
/// let bad = relcore::Config::from_toml("[registry]\nrepository = \"Team/App\"\n", "rel.toml".as_ref());
/// assert!(bad.unwrap_err().to_string().contains("registry.repository"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct RegistryConfig {
    /// The repository, `host[:port]/path` (e.g. `registry.example.com/team/app`); `None`: no
    /// registry configured.
    #[serde(deserialize_with = "repository")]
    pub repository: Option<String>,
    /// Allow plain HTTP to a host that is not a loopback address (loopback always may).
    pub insecure: bool,
    /// `[registry.retention]`.
    pub retention: Retention,
}

/// `[registry.retention]`: what `rel prune` keeps; everything else published is deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Retention {
    /// The newest N published versions (0: this rule keeps none).
    pub keep_last: usize,
    /// Every version ever verified in one of these environments, forever.
    pub keep_environments: Vec<String>,
    /// Versions published within this many days (0: this rule keeps none).
    pub keep_days: u64,
}

impl RegistryConfig {
    /// The registry host (with its port), e.g. `registry.example.com` or `127.0.0.1:5000`.
    pub fn host(&self) -> Option<&str> {
        self.repository.as_deref()?.split_once('/').map(|(h, _)| h)
    }

    /// The repository's path in the registry, e.g. `team/app`.
    pub fn path(&self) -> Option<&str> {
        self.repository.as_deref()?.split_once('/').map(|(_, p)| p)
    }

    /// Whether plain HTTP may be used: for a loopback host, or with `insecure = true`.
    pub fn plain_http_allowed(&self) -> bool {
        if self.insecure {
            return true;
        }
        let Some(host) = self.host() else {
            return false;
        };
        let name = match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        };
        let name = name.trim_start_matches('[').trim_end_matches(']');
        name == "localhost"
            || name
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// A repository reference as the OCI distribution spec names them: a host (a dot, a colon or
/// `localhost` tells it from a path), then path components of `[a-z0-9]` separated by `.`,
/// `_`, `__`, `-` runs or `/`.
fn repository<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    match repository_problem(&text) {
        None => Ok(Some(text)),
        Some(why) => Err(serde::de::Error::custom(format!(
            "`{text}` is not a registry repository ({why}); write host[:port]/path, e.g. registry.example.com/team/app"
        ))),
    }
}

/// What makes `text` no repository reference (`host[:port]/path`), if anything.
pub(crate) fn repository_problem(text: &str) -> Option<&'static str> {
    if text.contains("://") {
        return Some("a reference, not a URL: leave the scheme out");
    }
    let Some((host, path)) = text.split_once('/') else {
        return Some("no path after the host");
    };
    if !(host.contains('.') || host.contains(':') || host == "localhost") {
        return Some("the part before the first `/` is not a host");
    }
    if host.is_empty() || host.contains(['@', ' ']) {
        return Some("the host is not one");
    }
    let component_ok = |c: &str| {
        !c.is_empty()
            && c.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && c.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
            && c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    };
    if !path.split('/').all(component_ok) {
        return Some("path components are lowercase letters and digits, joined by `.`, `_` or `-`");
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::Config;

    fn registry(toml: &str) -> Result<super::RegistryConfig, String> {
        Config::from_toml(toml, "rel.toml".as_ref())
            .map(|c| c.registry)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn plain_http_only_for_loopback_or_when_insecure() {
        for (repository, insecure, allowed) in [
            ("127.0.0.1:5000/app", false, true),
            ("localhost:5000/team/app", false, true),
            ("[::1]:5000/app", false, true),
            ("registry.example.com/team/app", false, false),
            ("10.0.0.7:5000/app", false, false),
            ("registry.example.com/team/app", true, true),
        ] {
            let r = registry(&format!(
                "[registry]\nrepository = \"{repository}\"\ninsecure = {insecure}\n"
            ))
            .expect("valid");
            assert_eq!(r.plain_http_allowed(), allowed, "{repository}");
        }
    }

    #[test]
    fn a_bad_repository_or_kept_environment_names_its_key() {
        for (repository, why) in [
            ("app", "no path after the host"),
            ("team/app", "is not a host"),
            ("ghcr.io/Team/App", "lowercase"),
            ("ghcr.io/team//app", "lowercase"),
            ("https://ghcr.io/team/app", "not a URL"),
        ] {
            let err = registry(&format!("[registry]\nrepository = \"{repository}\"\n"))
                .expect_err(repository);
            assert!(err.contains("registry.repository"), "{err}");
            assert!(err.contains(why), "{repository}: {err}");
        }
        let err = registry(
            "[environments.production]\n\n[registry.retention]\nkeep_environments = [\"prod\"]\n",
        )
        .expect_err("unknown environment");
        assert_eq!(
            err,
            "rel.toml:4:23: `registry.retention.keep_environments[0]`: `prod` is not an environment (environments: production)"
        );
    }
}
