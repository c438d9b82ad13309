#!/usr/bin/env bash
# `rel metrics` at scale: YEARS years (default 10) of COMMITS commits (default 1,000,000),
# RELEASES releases (default 5,000), each approved, promoted to production and verified or
# failed, with rollbacks, incidents and announcements: about 23,000 signed entries on
# refs/rel/record (bench/gen-metrics.py). Measures, beside git on the same history:
#   - `git log --format=%B` over all of main (every message: what any tool reading the
#     commits pays) and `git rev-list --count main`;
#   - `rel metrics --json` for the last 90 days (the default) and for the whole ten years;
#   - `rel metrics --html FILE` for the whole ten years.
#
#   bench/metrics.sh [YEARS [COMMITS [RELEASES]]]   KEEP=1 keeps the work directory,
#                                                   NOBUILD=1 skips the build
set -euo pipefail
years=${1:-10}
commits=${2:-1000000}
releases=${3:-5000}
cd "$(dirname "$0")/.."
[[ -n ${NOBUILD:-} ]] || cargo build --release --quiet -p relhooks
rel=$PWD/target/release/rel
bench=$PWD/bench
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
export HOME=$work GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

mkdir "$work/keys"
git init -q --bare -b main "$work/repo.git"
for who in rm alice carol; do
  ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$work/keys/$who"
  echo "$who@example.com $(cat "$work/keys/$who.pub")" >>"$work/allowed_signers"
done
start=$(date +%s)
python3 "$bench/gen-metrics.py" history "$years" "$commits" "$releases" |
  git -C "$work/repo.git" fast-import --quiet --export-marks="$work/marks"
python3 "$bench/gen-metrics.py" record "$work/repo.git" "$work/keys" "$work/marks" "$years" "$commits" "$releases"
git -C "$work/repo.git" repack -adq
git -C "$work/repo.git" commit-graph write --reachable
echo "generated in $(($(date +%s) - start)) s"

git clone -q "$work/repo.git" "$work/client"
cd "$work/client"
git fetch -q origin '+refs/rel/record:refs/rel/record'
cp "$work/allowed_signers" .
cat >rel.toml <<'T'
[policy]
allowed_signers = "allowed_signers"

[roles]
tech-lead = ["alice@example.com"]
sre = ["carol@example.com"]

[environments.production]
approvals = ["tech-lead", "sre"]
deploy = "true"
smoke = "true"

[announce.dev]
command = "true"
T
echo "history: $(git rev-list --count main) commits, $(git tag | wc -l) tags, $(git rev-list --count refs/rel/record) record entries"
first=$(git log --max-parents=0 --format=%cs main)
"$rel" metrics --remote '' --from "$first" | sed 's/^/  /'

m() { python3 "$bench/measure.py" "$@"; }
m "git log --format=%B main (every message)" 3 git log --format=%B main
m "git rev-list --count main" 3 git rev-list --count main
m "rel metrics --json (last 90 days)" 5 "$rel" metrics --json --remote ''
m "rel metrics --json --from $first (all ${years} years)" 3 "$rel" metrics --json --remote '' --from "$first"
m "rel metrics --html (all ${years} years)" 3 "$rel" metrics --remote '' --from "$first" --html "$work/dashboard.html"
ls -l "$work/dashboard.html" | awk '{print "  dashboard: " $5 " bytes"}'
