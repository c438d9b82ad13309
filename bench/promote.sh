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
. bench/record-lib.sh
record_setup "$releases" 10
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
export REL=$rel TAG=$tag
# git alone, for the same work rel's promotion asks of it: a fetch of the record, three SSH
# signatures (the probe that tells who signs, the promote entry, the result entry) and two
# pushes of one entry, to a copy of the remote without rel's hook. What is left of rel's time
# is its own: its checks, its state, its server hook on both pushes.
cp -r "$work/server.git" "$work/plain.git" && rm -f "$work/plain.git"/hooks/*
git fetch -q "$work/plain.git" +refs/rel/record:refs/rel/record
python3 - "$work" <<'PY'
import os, statistics, subprocess, sys, time

work = sys.argv[1]
env = dict(os.environ, GIT_CONFIG_PARAMETERS=f"'gpg.format=ssh' 'user.signingkey={work}/keys/rm.pub'")
def timed(cmd, **kw):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start
fetch, signs, pushes, promotes = [], [], [], []
empty = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
for _ in range(5):
    fetch.append(timed(["git", "fetch", "-q", "origin", "+refs/rel/record:refs/rel/record"]))
    tip = subprocess.check_output(["git", "rev-parse", "refs/rel/record"], text=True).strip()
    start = time.perf_counter()
    entry = subprocess.check_output(["git", "commit-tree", "-S", "-p", tip, "-m", "x", empty], env=env, text=True).strip()
    signs.append(time.perf_counter() - start)
    pushes.append(timed(["git", "push", "-q", f"{work}/plain.git", f"+{entry}:refs/rel/record"]))
    subprocess.run(["git", "update-ref", "refs/rel/record", tip], check=True)
    subprocess.run(["git", "fetch", "-q", "origin", "+refs/rel/record:refs/rel/record"], check=True)
    promotes.append(timed([os.environ["REL"], "promote", os.environ["TAG"], "--to", "production"], env=env))
m = lambda xs: statistics.median(xs) * 1000
git = m(fetch) + 3 * m(signs) + 2 * m(pushes)
print(f"rel promote (again, interleaved)        median {m(promotes):7.1f} ms")
print(f"git: fetch {m(fetch):.1f} + 3 x commit-tree -S {m(signs):.1f} + 2 x push without hook {m(pushes):.1f} = {git:.1f} ms")
print(f"rel's own overhead per promotion (its checks, state and server hook; commands excluded): {m(promotes) - git:.1f} ms")
PY
echo "record: $(git rev-list --count refs/rel/record) entries; audit:"
"$rel" audit --remote '' | tail -1
