#!/usr/bin/env bash
# Promotion on a long record: the record of bench/gen-record.py (RELEASES releases, 10 entries
# each: 10,000 by default) on a bare remote with rel's pre-receive hook, environments
# staging -> qa -> production with no-op deploy and smoke commands (`true`) and production's
# gate (tech-lead + product-owner | sre). Release v1.RELEASES.0 is approved, then promoted
# through the three environments; then promoted to production again several times, timed.
# Each promotion checks every rule, appends and pushes `promote`, runs deploy and smoke,
# appends and pushes `verified`: rel's own cost is the figure less the two `true`s.
#
#   bench/promote.sh [RELEASES]      KEEP=1 keeps the work directory, NOBUILD=1 skips the build
set -euo pipefail
releases=${1:-1000}
cd "$(dirname "$0")/.."
[[ -n ${NOBUILD:-} ]] || cargo build --release --quiet -p relhooks
rel=$PWD/target/release/rel
bench=$PWD/bench
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
export HOME=$work GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

mkdir "$work/keys"
git init -q --bare -b main "$work/server.git"
for who in rm alice dave bob erin carol frank; do
  ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$work/keys/$who"
  echo "$who@example.com $(cat "$work/keys/$who.pub")" >>"$work/server.git/allowed_signers"
done
cat >"$work/server.git/rel.toml" <<'T'
[policy]
allowed_signers = "allowed_signers"

[roles]
tech-lead = ["alice@example.com", "dave@example.com"]
sre = ["bob@example.com", "erin@example.com"]
product-owner = ["carol@example.com", "frank@example.com"]

[environments.staging]
approvals = ["tech-lead"]
deploy = "true"
smoke = "true"

[environments.qa]
after = "staging"
approvals = ["sre"]
deploy = "true"
smoke = "true"

[environments.production]
after = "qa"
approvals = ["tech-lead", "product-owner | sre"]
deploy = "true"
smoke = "true"
T
python3 "$bench/gen-record.py" "$work/server.git" "$work/keys" "$releases" 10
git -C "$work/server.git" repack -adq
git -C "$work/server.git" prune-packed
"$rel" -C "$work/server.git" install --server >/dev/null

git clone -q "$work/server.git" "$work/client"
cp "$work/server.git/allowed_signers" "$work/server.git/rel.toml" "$work/client/"
cd "$work/client"
tag=v1.$releases.0
as() { local who=$1; shift; GIT_CONFIG_PARAMETERS="'gpg.format=ssh' 'user.signingkey=$work/keys/$who.pub'" "$@"; }
# What the approvers would have done (the record is at 10,000 entries when timing starts).
as alice "$rel" approve "$tag" --for staging >/dev/null
as bob "$rel" approve "$tag" --for qa >/dev/null
as dave "$rel" approve "$tag" --for production >/dev/null
as carol "$rel" approve "$tag" --for production >/dev/null
echo "record: $(git rev-list --count refs/rel/record) entries"
for env in staging qa production; do
  python3 "$bench/measure.py" "rel promote $tag --to $env (first)" 1 \
    env GIT_CONFIG_PARAMETERS="'gpg.format=ssh' 'user.signingkey=$work/keys/rm.pub'" "$rel" promote "$tag" --to "$env"
done
python3 "$bench/measure.py" "rel promote $tag --to production (again)" 5 \
  env GIT_CONFIG_PARAMETERS="'gpg.format=ssh' 'user.signingkey=$work/keys/rm.pub'" "$rel" promote "$tag" --to production
# git alone, for the same kind of work: one signed commit made and pushed through the hook
# (refused by it, as a hand-made entry is), and a fetch of the record.
python3 "$bench/measure.py" "git fetch origin refs/rel/record" 5 git fetch -q origin +refs/rel/record:refs/rel/record
python3 "$bench/measure.py" "git commit-tree -S (one SSH signature)" 5 \
  env GIT_CONFIG_PARAMETERS="'gpg.format=ssh' 'user.signingkey=$work/keys/rm.pub'" \
  git commit-tree -S -m x 4b825dc642cb6eb9a060e54bf8d69288fbee4904
python3 "$bench/measure.py" "true (a no-op deploy or smoke)" 9 true
echo "record: $(git rev-list --count refs/rel/record) entries; audit:"
"$rel" audit --remote '' | tail -1
