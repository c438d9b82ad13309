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
    /// How long a release must have been verified in `after` (e.g. `1h`).
    pub soak: Option<String>,
    /// The approvals the gate needs: one distinct person per item, holding one of the item's
    /// roles (`"product-owner | sre"`).
    pub approvals: Vec<String>,
    /// Whether a passing readiness review is required.
    pub require_ready: bool,
    /// `auto`: a failed smoke test deploys the last verified release back.
    pub rollback: Option<String>,
}

/// The roles an approvals item accepts: `"product-owner | sre"` gives `product-owner`, `sre`.
pub(crate) fn item_roles(item: &str) -> impl Iterator<Item = &str> {
    item.split('|').map(str::trim).filter(|r| !r.is_empty())
}
