//! The gates: an environment's approval items, covered by distinct approvers who hold one of
//! each item's roles (a maximum bipartite matching), and blocked by any standing rejection.

use gix::ObjectId;
use serde::Serialize;

use super::{Event, State};
use crate::config::{Config, item_roles};

/// A gate: an environment's approvals for one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Gate {
    /// The environment.
    pub environment: String,
    /// The items the approvals must cover, as configured (`"product-owner | sre"`).
    pub required: Vec<String>,
    /// Whether it is satisfied: every item covered by a distinct person, no standing rejection.
    pub satisfied: bool,
    /// `(item, actor)`: who covers which item.
    pub approvals: Vec<(String, String)>,
    /// The items nobody covers yet.
    pub missing: Vec<String>,
    /// Who rejects the release here (it is blocked until they revoke).
    pub rejected_by: Vec<String>,
}

impl State {
    /// The gate of `environment` for release `tag` (object `tag_object`): who covers which
    /// item, what is missing. `None` when the environment takes no approvals.
    ///
    /// This is the question a promotion asks: is `v1.2.0` approved for production?
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let git = |args: &[&str]| -> Result<(), Box<dyn std::error::Error>> {
    /// #     let out = std::process::Command::new("git").current_dir(dir.path()).args(args)
    /// #         .env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null")
    /// #         .env("GIT_AUTHOR_NAME", "Rm").env("GIT_AUTHOR_EMAIL", "rm@example.com")
    /// #         .env("GIT_COMMITTER_NAME", "Rm").env("GIT_COMMITTER_EMAIL", "rm@example.com")
    /// #         .output()?;
    /// #     if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into()) }
    /// # };
    /// # git(&["init", "-q", "-b", "main"])?;
    /// # git(&["commit", "-q", "--allow-empty", "-m", "feat: first"])?;
    /// # git(&["tag", "-a", "v1.2.0", "-m", "v1.2.0"])?;
    /// // A repository with release v1.2.0 and no approvals recorded yet.
    /// let repo = relcore::Repo::discover(dir.path())?;
    /// let config = relcore::Config::from_toml(
    ///     r#"
    /// [roles]
    /// tech-lead = ["alice@example.com"]
    /// product-owner = ["bob@example.com"]
    /// sre = ["carol@example.com"]
    ///
    /// [environments.production]
    /// approvals = ["tech-lead", "product-owner | sre"]
    /// "#,
    ///     "rel.toml".as_ref(),
    /// )?;
    /// let (tag_object, _commit) = relcore::record::release_of(&repo, "v1.2.0")?;
    /// let tip = repo.resolve(relcore::record::REF).ok(); // None: no record yet
    /// let state = relcore::record::state_at(&repo, tip)?;
    /// let gate = state.gate(&config, "v1.2.0", tag_object, "production").expect("a gate");
    /// assert!(!gate.satisfied);
    /// assert_eq!(gate.missing, ["tech-lead", "product-owner | sre"]);
    /// // Environments without `approvals` have no gate.
    /// assert!(state.gate(&config, "v1.2.0", tag_object, "staging").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn gate(
        &self,
        config: &Config,
        tag: &str,
        tag_object: ObjectId,
        environment: &str,
    ) -> Option<Gate> {
        self.gate_without(config, tag, tag_object, environment, "")
    }

    /// The gate as [`State::gate`] sees it, `promoter`'s own approval left out: the promoter
    /// never counts.
    pub(crate) fn gate_without(
        &self,
        config: &Config,
        tag: &str,
        tag_object: ObjectId,
        environment: &str,
        promoter: &str,
    ) -> Option<Gate> {
        let env = config.environments.get(environment)?;
        if env.approvals.is_empty() {
            return None;
        }
        let decisions = self.decisions(tag, tag_object, environment);
        let approvers: Vec<&str> = decisions
            .iter()
            .filter(|d| d.event == Event::Approve && d.actor != promoter)
            .map(|d| d.actor.as_str())
            .collect();
        let matched = matching(config, &env.approvals, &approvers);
        let approvals: Vec<(String, String)> = matched
            .iter()
            .enumerate()
            .filter_map(|(item, who)| {
                who.map(|a| (env.approvals[item].clone(), approvers[a].to_owned()))
            })
            .collect();
        let missing: Vec<String> = matched
            .iter()
            .enumerate()
            .filter(|(_, who)| who.is_none())
            .map(|(item, _)| env.approvals[item].clone())
            .collect();
        let rejected_by: Vec<String> = decisions
            .iter()
            .filter(|d| d.event == Event::Reject)
            .map(|d| d.actor.clone())
            .collect();
        Some(Gate {
            environment: environment.to_owned(),
            required: env.approvals.clone(),
            satisfied: missing.is_empty() && rejected_by.is_empty(),
            approvals,
            missing,
            rejected_by,
        })
    }
}

pub(super) fn covered(matched: &[Option<usize>]) -> usize {
    matched.iter().filter(|m| m.is_some()).count()
}

/// The roles `principal` holds.
pub(crate) fn roles_of<'c>(config: &'c Config, principal: &str) -> Vec<&'c str> {
    config
        .roles
        .iter()
        .filter(|(_, members)| members.iter().any(|m| m == principal))
        .map(|(role, _)| role.as_str())
        .collect()
}

/// A largest assignment of distinct approvers to items (each approver holding one of the
/// item's roles): for each item, the index of its approver in `approvers`.
pub(super) fn matching(
    config: &Config,
    items: &[String],
    approvers: &[&str],
) -> Vec<Option<usize>> {
    let can: Vec<Vec<bool>> = items
        .iter()
        .map(|item| {
            approvers
                .iter()
                .map(|a| {
                    let roles = roles_of(config, a);
                    item_roles(item).any(|r| roles.contains(&r))
                })
                .collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; approvers.len()];
    for item in 0..items.len() {
        let mut seen = vec![false; approvers.len()];
        augment(item, &can, &mut owner, &mut seen);
    }
    let mut matched = vec![None; items.len()];
    for (approver, item) in owner.iter().enumerate() {
        if let Some(item) = item {
            matched[*item] = Some(approver);
        }
    }
    matched
}

/// Kuhn's augmenting path: finds `item` an approver, moving others along if need be.
fn augment(item: usize, can: &[Vec<bool>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for approver in 0..owner.len() {
        if can[item][approver] && !seen[approver] {
            seen[approver] = true;
            if owner[approver].is_none_or(|other| augment(other, can, owner, seen)) {
                owner[approver] = Some(item);
                return true;
            }
        }
    }
    false
}
