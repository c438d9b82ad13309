#!/usr/bin/env bash
# All or nothing under interruption: `rel release` (SSH-signed, three version files) killed at a
# random moment, RUNS times, each time on a fresh copy of the same repository; then the
# repository is compared with the state before and the state after a complete release.
#
#   bench/kill-release.sh              # 200 runs of kill -9
#   bench/kill-release.sh 100 INT      # 100 runs of Ctrl-C: SIGINT to rel's whole process group
#   REL=path/to/rel bench/kill-release.sh
#
# Prints how many runs left the repository as before, fully released, interrupted inside the
# final step (refs moved, files and index not yet: finished from the journal by the next rel
# command, which the script then runs), or in a half state (anything else, even after that: a
# tag without its commit, a moved branch with the old index, a stale lock, a stray file...).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
signal=${2:-KILL}
if [[ -z ${REL:-} ]]; then
  cargo build --release --quiet -p relhooks
  REL=$PWD/target/release/rel
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
# Fixed dates: the release commit and tag (ed25519 signatures are deterministic) are the same
# in every run, so "fully released" is one exact state.
export GIT_AUTHOR_DATE='@1780000000 +0000' GIT_COMMITTER_DATE='@1780000000 +0000' SOURCE_DATE_EPOCH=1780000000

ssh-keygen -q -t ed25519 -N '' -C bench -f "$work/key"
template=$work/template
git init -q -b main "$template"
(
  cd "$template"
  git config gpg.format ssh && git config user.signingkey "$work/key"
  mkdir -p .rel && echo "bench@example.com $(cat "$work/key.pub")" >.rel/allowed_signers
  printf '[policy]\nallowed_signers = ".rel/allowed_signers"\n\n[[release.files]]\npath = "Cargo.toml"\n[[release.files]]\npath = "package.json"\n[[release.files]]\npath = "pyproject.toml"\n' >rel.toml
  printf '[package]\nname = "demo"\nversion = "1.0.0"\n' >Cargo.toml
  printf '{\n  "name": "demo",\n  "version": "1.0.0"\n}\n' >package.json
  printf '[project]\nname = "demo"\nversion = "1.0.0"\n' >pyproject.toml
  printf '# Changelog\n\nHand-written intro.\n' >CHANGELOG.md
  git add . && git commit -q -m 'feat: first'
  git tag -s -m v1.0.0 v1.0.0
  for i in $(seq 1 50); do git commit -q --allow-empty -m "feat(area$((i % 5))): change $i"; done
)

state() {
  (
    cd "$1"
    git for-each-ref --format='%(refname) %(objectname)'
    git rev-parse HEAD
    git status --porcelain --untracked-files=all
    git ls-files -s
    sha256sum CHANGELOG.md Cargo.toml package.json pyproject.toml 2>&1
    # A lock file left behind would block the next git command.
    find .git -name '*.lock' | sort
  )
}
before=$(state "$template")
cp -a "$template" "$work/full"
start=$(date +%s%N)
(cd "$work/full" && "$REL" release >/dev/null 2>&1)
duration_ns=$(($(date +%s%N) - start))
after=$(state "$work/full")
[[ $before != "$after" ]] || { echo "a complete release changed nothing?" >&2; exit 1; }

as_before=0 released=0 half=0 recovered=0 scratch=0
for i in $(seq 1 "$runs"); do
  copy=$work/run
  rm -rf "$copy" && cp -a "$template" "$copy"
  delay_ns=$(( (RANDOM * 32768 + RANDOM) % (duration_ns + duration_ns / 5) ))
  (cd "$copy" && exec setsid "$REL" release >/dev/null 2>&1) &
  pid=$!
  sleep "$(printf '0.%09d' "$delay_ns")"
  if [[ $signal == INT ]]; then kill -INT -- "-$pid" 2>/dev/null || true; else kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  # git children (own process group) finish their step; give them a moment.
  sleep 0.05
  now=$(state "$copy")
  if [[ $now == "$before" ]]; then
    as_before=$((as_before + 1))
  elif [[ $now == "$after" ]]; then
    released=$((released + 1))
  else
    # Interrupted inside the visible step: the next rel command finishes it from the journal.
    (cd "$copy" && "$REL" next >/dev/null 2>&1) || true
    later=$(state "$copy")
    if [[ $later == "$after" || $later == "$before" ]]; then
      recovered=$((recovered + 1))
    else
      half=$((half + 1))
      echo "run $i: half state after ${delay_ns} ns, even after the next rel command:" >&2
      diff <(echo "$before") <(echo "$later") >&2 || true
    fi
  fi
  compgen -G "$copy/.git/rel-release-*" >/dev/null && scratch=$((scratch + 1))
done
echo "rel release killed with SIG$signal at random moments in $runs runs (a full release takes $((duration_ns / 1000000)) ms):"
echo "  as before: $as_before   fully released: $released   finished by the next rel command: $recovered   half states: $half"
echo "  (a scratch directory left in .git, which git ignores: $scratch)"
[[ $half == 0 ]]
