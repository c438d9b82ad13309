#!/usr/bin/env bash
# Maintenance-branch benchmark: `rel next` and `rel changelog --all` against git on histories
# whose releases sit on branches HEAD never merged.
#
#   bench/maintenance.sh                  # both shapes below
#   bench/maintenance.sh electron         # one of them
#   REL_OLD=/path/to/rel bench/maintenance.sh   # also time another build (one run each: it may be slow)
#
# Shapes, generated once with bench/gen-maintenance.py and `git fast-import` (cached under
# bench/repos/), then repacked as a clone leaves them:
#   - electron: 30,000 commits on main, 25 branches `M-x-y` with 45 stable releases each
#     (1,125 stable releases HEAD does not contain, all higher than its base v8.x) plus alphas,
#     betas and main's nightlies; 43,000 commits, 1,550 tags.
#   - vite: 5,200 commits on main, 530 tags: betas before every minor, patches after, the
#     previous major patched on an unmerged branch, and 20 commits not released yet.
# Each is timed as a clone leaves it (no commit-graph) and after `git commit-graph write`:
#   - rel next, beside git's own way to the same answer: `git describe --tags --abbrev=0
#     --match 'v[0-9]*' --exclude '*-*'` (the nearest stable tag, which here is the highest)
#     plus `git log --format=%B BASE..HEAD`,
#   - rel changelog --all --stdout, beside `git log --format=%B`.
# Medians of several runs (bench/measure.py); peak memory split into allocated and mapped.
set -euo pipefail
cd "$(dirname "$0")/.."
shapes=("$@")
((${#shapes[@]})) || shapes=(electron vite)

cargo build --release --quiet -p relhooks
rel=$PWD/target/release/rel
measure="python3 $PWD/bench/measure.py"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

for shape in "${shapes[@]}"; do
  case $shape in
    electron) args=(electron 30000 25 45 10) ;;
    vite) args=(vite 5 10) ;;
    *) echo "unknown shape $shape (electron, vite)" >&2; exit 2 ;;
  esac
  repo=$PWD/bench/repos/maintenance-$shape
  if [[ ! -f $repo/.complete ]]; then
    echo "generating the $shape history in $repo ..."
    rm -rf "$repo"
    git init -q --bare "$repo"
    python3 bench/gen-maintenance.py "${args[@]}" | git -C "$repo" fast-import --quiet --done
    git -C "$repo" symbolic-ref HEAD refs/heads/main
    git -C "$repo" repack -adfq
    git -C "$repo" pack-refs --all
    touch "$repo/.complete"
  fi
  base=$(git -C "$repo" describe --tags --abbrev=0 --match 'v[0-9]*' --exclude '*-*' HEAD)
  for state in clone commit-graph; do
    if [[ $state == commit-graph ]]; then
      git -C "$repo" commit-graph write --reachable 2>/dev/null
    else
      rm -f "$repo/objects/info/commit-graph"
      rm -rf "$repo/objects/info/commit-graphs"
    fi
    echo "== $shape, $state ($(git -C "$repo" rev-list --count --all) commits, $(git -C "$repo" tag | wc -l) tags, base $base)"
    $measure "rel next" 5 "$rel" -C "$repo" next
    $measure "git describe (the base)" 5 git -C "$repo" describe --tags --abbrev=0 --match 'v[0-9]*' --exclude '*-*'
    $measure "git log --format=%B $base..HEAD" 5 git -C "$repo" log --format=%B "$base..HEAD"
    $measure "rel changelog --all --stdout" 5 "$rel" -C "$repo" changelog --all --stdout
    $measure "git log --format=%B" 5 git -C "$repo" log --format=%B
    if [[ -n ${REL_OLD:-} ]]; then
      $measure "REL_OLD next" 1 "$REL_OLD" -C "$repo" next
      $measure "REL_OLD changelog --all --stdout" 1 "$REL_OLD" -C "$repo" changelog --all --stdout
    fi
  done
done
