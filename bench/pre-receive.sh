#!/usr/bin/env bash
# Server-side policy cost: `rel hook pre-receive` evaluating a push of 10,000 new commits to
# main (every one linted) and 100 new SSH-signed annotated release tags (every one verified
# with ssh-keygen against the allowed signers, checked for a release branch and for its version).
#
#   bench/pre-receive.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p relhooks
rel=$PWD/target/release/rel
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
export HOME=$work GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

ssh-keygen -q -t ed25519 -N '' -C bench -f "$work/key"
git init -q -b main "$work/client"
python3 bench/gen-history.py 10000 10000 | git -C "$work/client" fast-import --quiet --done
git -C "$work/client" config gpg.format ssh
git -C "$work/client" config user.signingkey "$work/key"
for i in $(seq 1 100); do
  git -C "$work/client" tag -s -m "release 1.$i.0" "v1.$i.0" "main~$((10000 - i * 100))"
done

git init -q --bare "$work/server.git"
echo "bench@example.com $(cat "$work/key.pub")" >"$work/server.git/allowed_signers"
printf '[policy]\nallowed_signers = "allowed_signers"\n' >"$work/server.git/rel.toml"
# The objects arrive as in a push, then the ref goes again: the hook sees them as new.
git -C "$work/client" push -q "$work/server.git" main:refs/incoming/main 'refs/tags/*:refs/incoming-tags/*'
git -C "$work/server.git" for-each-ref --format='%(refname)' refs/incoming refs/incoming-tags | while read -r ref; do
  git -C "$work/server.git" update-ref -d "$ref"
done
zero=0000000000000000000000000000000000000000
{
  echo "$zero $(git -C "$work/client" rev-parse main) refs/heads/main"
  git -C "$work/client" for-each-ref --format="$zero %(objectname) %(refname)" refs/tags
} >"$work/lines"
echo "$(wc -l <"$work/lines") ref updates: main with $(git -C "$work/client" rev-list --count main) new commits, $(git -C "$work/client" tag | wc -l) signed tags"
(cd "$work/server.git" && GIT_DIR=. "$rel" hook pre-receive <"$work/lines") && echo "accepted"
cd "$work/server.git"
python3 "$OLDPWD/bench/measure.py" "rel hook pre-receive (10k commits, 100 tags)" 5 \
  bash -c "GIT_DIR=. '$rel' hook pre-receive < '$work/lines'"
python3 "$OLDPWD/bench/measure.py" "bash -c true (shell floor)" 20 bash -c true
