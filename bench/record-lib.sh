# The shared setup of bench/record.sh and bench/promote.sh (sourced, from the project root):
#   record_setup RELEASES PER
# builds rel (unless NOBUILD=1), makes $work (removed on exit unless KEEP=1) with an isolated
# git setup, ed25519 keys for rm (the release manager) and six approvers in $work/keys, and
# $work/server.git: its allowed signers, a rel.toml with three roles and environments
# staging -> qa -> production (each gated, with `true` as deploy and smoke), and the record of
# bench/gen-record.py (RELEASES releases, PER entries each), repacked as a server keeps it.
# Sets $rel, $bench and $work.

record_setup() {
  local releases=$1 per=$2
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
  python3 "$bench/gen-record.py" "$work/server.git" "$work/keys" "$releases" "$per"
  git -C "$work/server.git" repack -adq
  git -C "$work/server.git" prune-packed
}
