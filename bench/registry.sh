#!/usr/bin/env bash
# Publishing a big artifact: `rel publish` (the attested file pushed as one OCI artifact, then
# its `publish` entry signed and pushed to the record) beside `skopeo copy` of the same file
# (a one-layer OCI artifact in a dir: layout) to the same registry. Each run gets fresh
# registries (Debian's docker-registry on 127.0.0.1, filesystem storage in the work
# directory), so neither client finds the blob there already.
#
#   bench/registry.sh [MB] [RUNS]     NOBUILD=1 skips the build, KEEP=1 keeps the work dir
set -euo pipefail
mb=${1:-100}
runs=${2:-5}
cd "$(dirname "$0")/.."
[[ -n ${NOBUILD:-} ]] || cargo build --release --quiet -p relhooks
rel=$PWD/target/release/rel
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -n ${KEEP:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
export HOME=$work GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=rm@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=rm@example.com

# A remote with rel's server hook, a release manager's clone with an SSH-signed v1.0.0.
ssh-keygen -q -t ed25519 -N '' -C rm -f "$work/rm"
git init -q --bare -b main "$work/server.git"
echo "rm@example.com $(cat "$work/rm.pub")" >"$work/server.git/allowed_signers"
printf '[policy]\nallowed_signers = "allowed_signers"\n' >"$work/server.git/rel.toml"
"$rel" -C "$work/server.git" install --server >/dev/null 2>&1
git clone -q "$work/server.git" "$work/client" 2>/dev/null
cd "$work/client"
git config gpg.format ssh && git config user.signingkey "$work/rm.pub"
cp "$work/server.git/allowed_signers" "$work/server.git/rel.toml" .
git commit -q --allow-empty -m "feat: first"
git tag -s -m v1.0.0 v1.0.0
git push -q origin main v1.0.0

head -c "${mb}M" /dev/urandom >"$work/app.bin"
"$rel" attest v1.0.0 "$work/app.bin" >/dev/null

# The same file as skopeo's dir: transport wants it: blobs named by their hex digest.
python3 - "$work" <<'PY'
import hashlib, json, os, sys
work = sys.argv[1]
src = os.path.join(work, "skopeo-src")
os.makedirs(src)
h = hashlib.sha256()
with open(os.path.join(work, "app.bin"), "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
layer = h.hexdigest()
os.link(os.path.join(work, "app.bin"), os.path.join(src, layer))
config = hashlib.sha256(b"{}").hexdigest()
open(os.path.join(src, config), "wb").write(b"{}")
manifest = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "artifactType": "application/vnd.rel.release.v1",
    "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": f"sha256:{config}", "size": 2},
    "layers": [{"mediaType": "application/octet-stream", "digest": f"sha256:{layer}",
                "size": os.path.getsize(os.path.join(work, "app.bin")),
                "annotations": {"org.opencontainers.image.title": "app.bin"}}],
}
open(os.path.join(src, "manifest.json"), "w").write(json.dumps(manifest))
open(os.path.join(src, "version"), "w").write("Directory Transport Version: 1.1\n")
PY

# registry NAME: a fresh registry on a free port; prints the port.
registry() {
  local dir=$work/registry-$1 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$dir"
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$dir/data" "$port" >"$dir/config.yml"
  docker-registry serve "$dir/config.yml" >/dev/null 2>&1 &
  pids+=($!)
  until curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; do sleep 0.05; done
  echo "$port"
}

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rel_times=() skopeo_times=() fixed_times=()
for i in $(seq "$runs"); do
  port=$(registry "rel-$i")
  printf '[policy]\nallowed_signers = "allowed_signers"\n\n[registry]\nrepository = "127.0.0.1:%s/team/app"\n' "$port" >rel.toml
  start=$(date +%s%N)
  "$rel" publish v1.0.0 >/dev/null
  rel_times+=("$(ms "$start")")
  port=$(registry "skopeo-$i")
  start=$(date +%s%N)
  skopeo copy -q --dest-tls-verify=false "dir:$work/skopeo-src" "docker://127.0.0.1:$port/team/app:skopeo" >/dev/null
  skopeo_times+=("$(ms "$start")")
  # The same registry, which now holds the blob (skopeo pushed it to this repository under
  # another tag): rel publish uploads nothing but its manifest. What is left is rel's own
  # cost: finding and hashing the file, the record's entry (fetch, sign, check, push).
  printf '[policy]\nallowed_signers = "allowed_signers"\n\n[registry]\nrepository = "127.0.0.1:%s/team/app"\n' "$port" >rel.toml
  start=$(date +%s%N)
  "$rel" publish v1.0.0 >/dev/null
  fixed_times+=("$(ms "$start")")
done
# Peak memory (max RSS), one more run each.
port=$(registry rel-rss)
printf '[policy]\nallowed_signers = "allowed_signers"\n\n[registry]\nrepository = "127.0.0.1:%s/team/app"\n' "$port" >rel.toml
/usr/bin/time -f %M -o "$work/rel.rss" "$rel" publish v1.0.0 >/dev/null
port=$(registry skopeo-rss)
/usr/bin/time -f %M -o "$work/skopeo.rss" skopeo copy -q --dest-tls-verify=false "dir:$work/skopeo-src" "docker://127.0.0.1:$port/team/app:skopeo" >/dev/null
echo "peak memory: rel publish $(( $(cat "$work/rel.rss") / 1024 )) MiB, skopeo copy $(( $(cat "$work/skopeo.rss") / 1024 )) MiB"
python3 - "$mb" "${rel_times[*]}" "${skopeo_times[*]}" "${fixed_times[*]}" <<'PY'
import statistics, sys
mb = sys.argv[1]
for label, xs in (("rel publish (push + record entry)", sys.argv[2]),
                  ("skopeo copy dir: -> docker://", sys.argv[3]),
                  ("rel publish, blob already there", sys.argv[4])):
    xs = [int(x) for x in xs.split()]
    print(f"{mb} MB  {label:36} median {statistics.median(xs):6.0f} ms  best {min(xs):6.0f} ms  ({len(xs)} runs)")
PY
