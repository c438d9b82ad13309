#!/usr/bin/env bash
# Latency of the commit-msg hook, which every commit pays: `rel hook commit-msg` on a typical
# message (header, body, footers, git's comment lines) in a repository with a rel.toml, as a
# whole process (start, discover the repository, load rel.toml and git's config, lint, exit),
# beside `git rev-parse HEAD` as the floor of starting a git process. Medians of 300 runs.
#
#   bench/hook-latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p relhooks
rel=$PWD/target/release/rel
measure="python3 $PWD/bench/measure.py"

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
git -C "$repo" init -q -b main
for i in $(seq 1 50); do echo "$i" >"$repo/file"; git -C "$repo" add file; git -C "$repo" commit -q -m "feat(core): change $i"; done
"$rel" -C "$repo" init 2>/dev/null
cat >"$repo/.git/COMMIT_EDITMSG" <<'MSG'
fix(parser): accept tabs between the type and the scope

Tabs were rejected with a confusing error. They are now treated like spaces
wherever the grammar allows whitespace, and the error names the column.

Refs: #1234
Reviewed-by: Someone Else <someone@example.com>
# Please enter the commit message for your changes. Lines starting
# with '#' will be ignored, and an empty message aborts the commit.
#
# On branch main
# Changes to be committed:
#	modified:   src/parser.rs
#
MSG

cd "$repo"
"$rel" hook commit-msg .git/COMMIT_EDITMSG
$measure "rel hook commit-msg (typical message)" 300 "$rel" hook commit-msg .git/COMMIT_EDITMSG
$measure "git rev-parse HEAD (process floor)" 300 git rev-parse HEAD
$measure "rel --version (process start only)" 300 "$rel" --version
