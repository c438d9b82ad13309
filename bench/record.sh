#!/usr/bin/env bash
# The release record at scale: RELEASES releases (default 1,000) with PER signed entries each
# (default 10: 10,000 entries) on refs/rel/record, every entry valid. Measures, beside git on
# the same work:
#   - `rel status TAG` on a clone (the record as fetched; `--remote ''`: nothing fetched again),
#     for the newest release and one in the middle;
#   - the server's check of a push of one new entry (`rel hook pre-receive` with that update),
#     the first time and again (its state of the record is kept in $GIT_DIR/rel/);
#   - `rel status` (the open gates) and `rel audit` (every signature verified) once.
#
#   bench/record.sh [RELEASES [PER]]   KEEP=1 keeps the work directory, NOBUILD=1 skips the build
set -euo pipefail
releases=${1:-1000}
per=${2:-10}
cd "$(dirname "$0")/.."
. bench/record-lib.sh
record_setup "$releases" "$per"
next=$(cat "$work/server.git/next-entry")
tip=$(git -C "$work/server.git" rev-parse refs/rel/record)

git clone -q "$work/server.git" "$work/client"
git -C "$work/client" fetch -q origin refs/rel/record:refs/rel/record
cp "$work/server.git/allowed_signers" "$work/client/allowed_signers"
cp "$work/server.git/rel.toml" "$work/client/rel.toml"
newest=v1.$((releases - 1)).0
middle=v1.$((releases / 2)).0
echo "record: $(git -C "$work/client" rev-list --count refs/rel/record) entries, $(git -C "$work/client" tag | wc -l) release tags"
cd "$work/client"
"$rel" status "$middle" --remote '' | head -4

m() { python3 "$bench/measure.py" "$@"; }
m "rel status $newest (local record)" 9 "$rel" status "$newest" --remote ''
m "rel status $middle (local record)" 9 "$rel" status "$middle" --remote ''
m "rel status $newest (fetches origin first)" 9 "$rel" status "$newest"
m "git log --format=%B refs/rel/record (the record's messages)" 9 git log --format=%B refs/rel/record
m "git verify-commit (one entry)" 9 git -c gpg.ssh.allowedSignersFile=allowed_signers verify-commit refs/rel/record
m "git ls-remote origin refs/rel/record" 9 git ls-remote origin refs/rel/record

cd "$work/server.git"
echo "$tip $next refs/rel/record" >"$work/line"
rm -rf rel
m "rel hook pre-receive (one new entry, no kept state)" 1 bash -c "GIT_DIR=. '$rel' hook pre-receive < '$work/line'"
m "rel hook pre-receive (one new entry)" 9 bash -c "GIT_DIR=. '$rel' hook pre-receive < '$work/line'"
m "bash -c true (shell floor)" 9 bash -c true

cd "$work/client"
m "rel status (open gates, local record)" 3 "$rel" status --remote ''
m "rel audit (every entry's signature verified, local record)" 1 "$rel" audit --remote ''
