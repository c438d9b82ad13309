//! `[roles]` and `[environments.<name>]`: who holds which role, and what each environment's
//! gate asks for. The release record (`crate::record`) enforces them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `[roles]`: role name → the principals holding it (as the trust anchors name them: SSH
/// allowed-signers principals, OpenPGP user-id e-mails).
pub type RolesConfig = BTreeMap<String, Vec<String>>;

/// `[environments.<name>]`: one deployment environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct EnvironmentConfig {
    /// The environment a release must be verified in first.
    pub after: Option<String>,
    /// The command that deploys a release here.
    pub deploy: Option<String>,
    /// The command whose exit status verifies a deployment.
    pub smoke: Option<String>,
    /// The roles that may promote here (empty: any trusted signer).
    pub promoters: Vec<String>,
    /// The roles that may open and resolve incidents here (empty: anyone holding a role in
    /// `[roles]`, or who may promote here).
    pub responders: Vec<String>,
    /// How long a release must have been verified in `after` (e.g. `1h`).
    pub soak: Option<Duration>,
    /// The approvals the gate needs: one distinct person per item, holding one of the item's
    /// roles (`"product-owner | sre"`).
    pub approvals: Vec<String>,
    /// Whether a passing readiness review is required.
    pub require_ready: bool,
    /// `auto`: a failed smoke test deploys the last verified release back; `manual` (the
    /// default): `rel rollback` does it when asked.
    pub rollback: Rollback,
    /// How long `deploy` and `smoke` may each run (default 30m); one that runs longer is
    /// killed and the deployment `failed`.
    pub timeout: Option<Duration>,
}

/// `rollback` of an environment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Rollback {
    /// Only when asked (`rel rollback`).
    #[default]
    Manual,
    /// A failed smoke test deploys the release verified there before back.
    Auto,
}

/// A duration in rel.toml: a number and a unit (`s`, `m`, `h`, `d`, `w`), several of them in
/// a row (`1h30m`).
///
/// ```
/// let config = relcore::Config::from_toml(
///     "[environments.production]\nsoak = \"1h30m\"\n",
///     "rel.toml".as_ref(),
/// )?;
/// let soak = config.environments["production"].soak.expect("set");
/// assert_eq!(soak.seconds(), 5400);
/// assert_eq!(soak.to_string(), "1h30m");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration(u64);

impl Duration {
    /// A duration of `seconds`.
    pub fn from_seconds(seconds: u64) -> Self {
        Duration(seconds)
    }

    /// Its length in seconds.
    pub fn seconds(self) -> u64 {
        self.0
    }

    /// `text` as a duration, or `None`.
    fn parse(text: &str) -> Option<Self> {
        let mut total: u64 = 0;
        let mut number = String::new();
        let mut any = false;
        for c in text.trim().chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let unit = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 604_800,
                _ => return None,
            };
            let n: u64 = number.parse().ok()?;
            total = total.checked_add(n.checked_mul(unit)?)?;
            number.clear();
            any = true;
        }
        (any && number.is_empty()).then_some(Duration(total))
    }
}

impl std::str::FromStr for Duration {
    type Err = String;

    /// `90d`, `12w`, `1h30m`: numbers each followed by a unit (`s`, `m`, `h`, `d`, `w`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Duration::parse(text).ok_or_else(|| text.to_owned())
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        if rest == 0 {
            return write!(f, "0s");
        }
        for (unit, size) in [
            ("w", 604_800),
            ("d", 86_400),
            ("h", 3600),
            ("m", 60),
            ("s", 1),
        ] {
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Duration::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration (a number and a unit: 30s, 10m, 1h, 2d, 1w, or several: 1h30m)"
            ))
        })
    }
}

/// The roles an approvals item accepts: `"product-owner | sre"` gives `product-owner`, `sre`.
pub(crate) fn item_roles(item: &str) -> impl Iterator<Item = &str> {
    item.split('|').map(str::trim).filter(|r| !r.is_empty())
}
