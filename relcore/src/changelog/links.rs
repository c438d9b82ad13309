//! Web links to commits, issues and comparisons, for the forges whose URL shapes are known.

use serde::Serialize;

/// Which forge's URL shapes to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Forge {
    /// github.com and GitHub Enterprise (also the shape for hosts rel does not recognise).
    GitHub,
    /// gitlab.com and self-hosted GitLab.
    GitLab,
    /// Gitea, Forgejo and Codeberg.
    Gitea,
    /// bitbucket.org.
    Bitbucket,
}

/// A repository's web address and how to link into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Links {
    /// The forge.
    pub forge: Forge,
    /// The repository's web address, e.g. `https://github.com/owner/repo` (no trailing `/`).
    pub url: String,
}

impl Links {
    /// Links for `url`, either a web address or a git remote URL (https, `ssh://`, or scp-like
    /// `git@host:owner/repo.git`). `None` for URLs with no host and path (local paths).
    pub fn from_url(url: &str) -> Option<Links> {
        let url = url.trim();
        let (host, path) = if let Some(rest) = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
        {
            rest.split_once('/')?
        } else if let Some(rest) = url
            .strip_prefix("ssh://")
            .or_else(|| url.strip_prefix("git://"))
        {
            let (host, path) = rest.split_once('/')?;
            // ssh://git@host:2222/owner/repo: drop the user and the port.
            (host.split_once(':').map_or(host, |(h, _)| h), path)
        } else if !url.contains("://") && url.contains(':') && !url.starts_with('/') {
            url.split_once(':')?
        } else {
            return None;
        };
        let host = host.rsplit('@').next()?.to_ascii_lowercase();
        let path = path
            .trim_matches('/')
            .trim_end_matches(".git")
            .trim_matches('/');
        if host.is_empty() || path.is_empty() || !path.contains('/') {
            return None;
        }
        let forge = if host.contains("gitlab") {
            Forge::GitLab
        } else if host.contains("bitbucket") {
            Forge::Bitbucket
        } else if host.contains("gitea") || host.contains("forgejo") || host.contains("codeberg") {
            Forge::Gitea
        } else {
            Forge::GitHub
        };
        Some(Links {
            forge,
            url: format!("https://{host}/{path}"),
        })
    }

    /// The page of commit `id`.
    pub fn commit(&self, id: &str) -> String {
        match self.forge {
            Forge::GitLab => format!("{}/-/commit/{id}", self.url),
            Forge::Bitbucket => format!("{}/commits/{id}", self.url),
            Forge::GitHub | Forge::Gitea => format!("{}/commit/{id}", self.url),
        }
    }

    /// The page of issue (or pull request) number `n`.
    pub fn issue(&self, n: &str) -> String {
        match self.forge {
            Forge::GitLab => format!("{}/-/issues/{n}", self.url),
            Forge::GitHub | Forge::Gitea | Forge::Bitbucket => format!("{}/issues/{n}", self.url),
        }
    }

    /// The comparison of `from` with `to` (tags, or `HEAD`).
    pub fn compare(&self, from: &str, to: &str) -> String {
        match self.forge {
            Forge::GitLab => format!("{}/-/compare/{from}...{to}", self.url),
            Forge::Bitbucket => format!("{}/branches/compare/{to}%0D{from}", self.url),
            Forge::GitHub | Forge::Gitea => format!("{}/compare/{from}...{to}", self.url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn parsed(url: &str) -> (Forge, String) {
        let l = Links::from_url(url).unwrap_or_else(|| panic!("{url} not understood"));
        (l.forge, l.url)
    }

    #[test]
    fn url_shapes() {
        let gh = (Forge::GitHub, "https://github.com/o/r".to_owned());
        assert_eq!(parsed("https://github.com/o/r"), gh);
        assert_eq!(parsed("https://github.com/o/r.git"), gh);
        assert_eq!(parsed("https://user@github.com/o/r/"), gh);
        assert_eq!(parsed("git@github.com:o/r.git"), gh);
        assert_eq!(parsed("ssh://git@github.com/o/r.git"), gh);
        assert_eq!(
            parsed("ssh://git@gitlab.example.com:2222/g/r.git"),
            (Forge::GitLab, "https://gitlab.example.com/g/r".into())
        );
        assert_eq!(
            parsed("https://codeberg.org/o/r.git"),
            (Forge::Gitea, "https://codeberg.org/o/r".into())
        );
        assert_eq!(
            parsed("git@bitbucket.org:o/r.git"),
            (Forge::Bitbucket, "https://bitbucket.org/o/r".into())
        );
        for local in ["/srv/repo.git", "file:///srv/repo.git", "../other", "C"] {
            assert!(Links::from_url(local).is_none(), "{local}");
        }
    }

    #[test]
    fn link_shapes() {
        let b = Links::from_url("git@bitbucket.org:o/r.git").expect("bitbucket");
        assert_eq!(b.commit("abc"), "https://bitbucket.org/o/r/commits/abc");
        assert_eq!(
            b.compare("v1", "v2"),
            "https://bitbucket.org/o/r/branches/compare/v2%0Dv1"
        );
        let g = Links::from_url("https://gitlab.com/g/r").expect("gitlab");
        assert_eq!(g.issue("9"), "https://gitlab.com/g/r/-/issues/9");
        assert_eq!(
            g.compare("v1", "v2"),
            "https://gitlab.com/g/r/-/compare/v1...v2"
        );
    }
}

/// The examples of these items, now that they are not public.
#[cfg(test)]
mod examples {
    #[test]
    fn from_url_1() {
        use crate::changelog::links::{Forge, Links};
        let l = Links::from_url("git@gitlab.com:group/sub/project.git").expect("the example holds");
        assert_eq!(
            (l.forge, l.url.as_str()),
            (Forge::GitLab, "https://gitlab.com/group/sub/project")
        );
        assert_eq!(
            l.commit("abc"),
            "https://gitlab.com/group/sub/project/-/commit/abc"
        );
        let l = Links::from_url("https://github.com/o/r.git").expect("the example holds");
        assert_eq!(
            l.compare("v1.0.0", "v1.1.0"),
            "https://github.com/o/r/compare/v1.0.0...v1.1.0"
        );
        assert!(Links::from_url("/srv/git/repo.git").is_none());
    }
}
