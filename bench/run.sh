#!/usr/bin/env bash
# History benchmark: `rel next` against git on synthetic histories.
#
#   bench/run.sh                 # 100k and 1M commits
#   bench/run.sh 100000          # only the sizes given
#
# For each size it generates (once, cached under bench/repos/) a bare repository with
# `git fast-import`: Conventional Commit messages with scopes and bodies, ~1% breaking, a
# release tag every 500 commits and none in the last 1,000. Refs are packed, as after a clone.
# It then times, on the repository as a clone leaves it (no commit-graph) and again after
# `git commit-graph write` (as `git gc` leaves it):
#   - rel next over the whole history (a tag_prefix that matches no tag),
#   - rel next with the base release 1,000 commits back,
#   - git rev-list --count HEAD and git log --format=%B over the whole history,
#   - git log --format=%B over the same 1,000 commits,
#   - rel changelog --all --stdout: every release of the whole history rendered.
# Medians of several runs; peak memory split into allocated (anon) and mapped pack files.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(100000 1000000)

cargo build --release --quiet -p relhooks
rel=$PWD/target/release/rel
measure="python3 $PWD/bench/measure.py"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

for n in "${sizes[@]}"; do
  repo=$PWD/bench/repos/history-$n
  if [[ ! -f $repo/.complete ]]; then
    echo "generating $n commits in $repo ..."
    rm -rf "$repo"
    git init -q --bare "$repo"
    python3 bench/gen-history.py "$n" 1000 | git -C "$repo" fast-import --quiet --done
    git -C "$repo" symbolic-ref HEAD refs/heads/main
    git -C "$repo" pack-refs --all
    touch "$repo/.complete"
  fi
  last=$(git -C "$repo" describe --tags --abbrev=0 HEAD)
  runs=5
  ((n < 500000)) || runs=3
  for state in clone commit-graph; do
    if [[ $state == commit-graph ]]; then
      git -C "$repo" commit-graph write --reachable 2>/dev/null
    else
      rm -f "$repo/objects/info/commit-graph"
      rm -rf "$repo/objects/info/commit-graphs"
    fi
    echo "== $n commits, $state (base $last, 1,000 commits back)"
    printf '[version]\ntag_prefix = "no-such-tag-"\n' >"$repo/rel.toml"
    $measure "rel next (whole history)" "$runs" "$rel" -C "$repo" next
    rm "$repo/rel.toml"
    $measure "git log --format=%B (whole history)" "$runs" git -C "$repo" log --format=%B
    $measure "git rev-list --count HEAD" "$runs" git -C "$repo" rev-list --count HEAD
    $measure "rel next (base 1,000 back)" 30 "$rel" -C "$repo" next
    $measure "git log --format=%B $last..HEAD" 30 git -C "$repo" log --format=%B "$last..HEAD"
    $measure "git rev-parse HEAD (process floor)" 30 git -C "$repo" rev-parse HEAD
    $measure "rel changelog --all --stdout" "$runs" "$rel" -C "$repo" changelog --all --stdout
  done
done
