#!/usr/bin/env bash
# The readiness review on a long record and a big tree: the record of bench/gen-record.py
# (RELEASES releases, 10 entries each: 10,000 by default) on a bare remote with rel's
# pre-receive hook, and a release whose tree holds FILES files (20,000 of 2 KiB by default).
# The checklist: a `file` item, an `approval` item and a `command` item (`true`), so a review
# makes a clean checkout of the tag, runs `true` in it, removes it, signs and pushes one entry.
#
#   bench/ready.sh [RELEASES] [FILES]      KEEP=1 keeps the work directory, NOBUILD=1 skips the build
set -euo pipefail
releases=${1:-1000}
files=${2:-20000}
cd "$(dirname "$0")/.."
. bench/record-lib.sh
record_setup "$releases" 10
cat >>"$work/server.git/rel.toml" <<'T'

[readiness]
items = [
  { name = "runbook", file = "docs/runbook.md" },
  { name = "approved for staging", approval = "staging", required = false },
  { name = "tests", command = "true" },
]
T
"$rel" -C "$work/server.git" install --server >/dev/null

git clone -q "$work/server.git" "$work/client" 2>/dev/null
cp "$work/server.git/allowed_signers" "$work/server.git/rel.toml" "$work/client/"
cd "$work/client"
git config gpg.format ssh && git config user.signingkey "$work/keys/rm.pub" && git config user.email rm@example.com
python3 - "$files" <<'PY'
import os, sys
for i in range(int(sys.argv[1])):
    d = f"src/m{i // 500:03d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05d}.txt", "w") as f:
        f.write((f"line {i}\n" * 256)[:2048])
os.makedirs("docs", exist_ok=True)
open("docs/runbook.md", "w").write("# Runbook\n")
PY
git add -A && git commit -qm "feat: a big tree" && git tag -s -m v9.0.0 v9.0.0
git push -q origin HEAD:main v9.0.0
echo "record: $(git rev-list --count refs/rel/record 2>/dev/null || git ls-remote origin refs/rel/record | wc -l) entries; tree: $(git ls-files | wc -l) files"
python3 "$bench/measure.py" "rel ready v9.0.0" 5 "$rel" ready v9.0.0
# git alone, for the same work: a worktree of the tag added and removed, `true` run in it, the
# record fetched, an entry signed and pushed to a copy of the remote without rel's hook.
cp -r "$work/server.git" "$work/plain.git" && rm -f "$work/plain.git"/hooks/*
python3 "$bench/measure.py" "git: worktree add + true + worktree remove, fetch, sign, push" 5 sh -c "
  git worktree add -q --detach $work/wt v9.0.0 && (cd $work/wt && true) && git worktree remove --force $work/wt &&
  git fetch -q $work/plain.git +refs/rel/record:refs/rel/record &&
  e=\$(git commit-tree -S -p refs/rel/record -m x 4b825dc642cb6eb9a060e54bf8d69288fbee4904) &&
  git push -q $work/plain.git \$e:refs/rel/record"
