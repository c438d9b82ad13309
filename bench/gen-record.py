#!/usr/bin/env python3
"""Writes a release record into a bare repository: RELEASES releases on main (one commit and
one SSH-signed annotated tag each, tagged by rm) and PER signed entries about each of them on
refs/rel/record, as `rel approve` would write them, every one valid under the rel.toml that
bench/record.sh writes. One more entry, valid after the last, is written but left off the ref:
its id goes to <repo>/next-entry, for timing the server's check of a push of one entry.

Objects are written loose with Python's zlib and signed in-process with the `cryptography`
package (SSHSIG, namespace git, sha512: byte-for-byte what `ssh-keygen -Y sign` produces), since
10,000 sequential ssh-keygen runs would take minutes. `rel audit` at the end of record.sh
verifies every signature with ssh-keygen.

Usage: gen-record.py REPO KEYDIR RELEASES PER
  KEYDIR holds OpenSSH ed25519 private keys named rm, alice, dave, bob, erin, carol, frank.
"""
import base64
import hashlib
import json
import os
import struct
import sys
import time
import zlib

from cryptography.hazmat.primitives import serialization

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

# (actor, event, environment): ten entries that are each valid in the state before them.
SCRIPT = [
    ("alice", "approve", "staging"),
    ("alice", "revoke", "staging"),
    ("dave", "approve", "staging"),
    ("carol", "reject", "production"),
    ("carol", "revoke", "production"),
    ("alice", "approve", "production"),
    ("bob", "approve", "production"),
    ("bob", "revoke", "production"),
    ("erin", "approve", "production"),
    ("bob", "approve", "qa"),
]


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


class Signer:
    def __init__(self, path: str):
        with open(path, "rb") as f:
            self.key = serialization.load_ssh_private_key(f.read(), password=None)
        public = self.key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        self.public_blob = base64.b64decode(public.split()[1])

    def sign(self, payload: bytes) -> str:
        digest = hashlib.sha512(payload).digest()
        signed = (
            b"SSHSIG"
            + ssh_string(b"git")
            + ssh_string(b"")
            + ssh_string(b"sha512")
            + ssh_string(digest)
        )
        raw = self.key.sign(signed)
        blob = (
            b"SSHSIG"
            + struct.pack(">I", 1)
            + ssh_string(self.public_blob)
            + ssh_string(b"git")
            + ssh_string(b"")
            + ssh_string(b"sha512")
            + ssh_string(ssh_string(b"ssh-ed25519") + ssh_string(raw))
        )
        text = base64.b64encode(blob).decode()
        lines = [text[i : i + 70] for i in range(0, len(text), 70)]
        return "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(lines) + "\n-----END SSH SIGNATURE-----\n"


class Store:
    def __init__(self, repo: str):
        self.objects = os.path.join(repo, "objects")

    def write(self, kind: str, body: bytes) -> str:
        data = f"{kind} {len(body)}\0".encode() + body
        oid = hashlib.sha1(data).hexdigest()
        directory = os.path.join(self.objects, oid[:2])
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, oid[2:])
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(zlib.compress(data, 1))
        return oid


def main() -> None:
    repo, keydir, releases, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if not 1 <= per <= len(SCRIPT):
        sys.exit(f"PER must be 1 to {len(SCRIPT)}")
    store = Store(repo)
    people = ["rm", "alice", "dave", "bob", "erin", "carol", "frank"]
    signers = {p: Signer(os.path.join(keydir, p)) for p in people}
    store.write("tree", b"")
    start = int(time.time()) - (releases + 2) * 3600
    refs = []
    parent = None
    record = None
    entries = 0

    def entry(tag, tag_object, commit, actor, event, env, when):
        nonlocal record, entries
        statement = {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": tag, "digest": {"gitTag": tag_object, "gitCommit": commit}}],
            "predicateType": "https://rel.dev/record/decision/v1",
            "predicate": {"event": event, "environment": env, "actor": f"{actor}@example.com"},
        }
        message = f"{event} {tag} for {env}\n\n{json.dumps(statement, indent=2)}\n"
        who = f"{actor.title()} <{actor}@example.com> {when} +0000"
        headers = f"tree {EMPTY_TREE}\n" + (f"parent {record}\n" if record else "")
        headers += f"author {who}\ncommitter {who}\n"
        payload = (headers + "\n" + message).encode()
        signature = signers[actor].sign(payload)
        gpgsig = "gpgsig " + signature.rstrip("\n").replace("\n", "\n ") + "\n"
        entries += 1
        return store.write("commit", (headers + gpgsig + "\n" + message).encode())

    for i in range(releases + 1):
        when = start + i * 3600
        who = f"Rm <rm@example.com> {when} +0000"
        body = f"tree {EMPTY_TREE}\n" + (f"parent {parent}\n" if parent else "")
        body += f"author {who}\ncommitter {who}\n\nfeat: change {i}\n"
        parent = store.write("commit", body.encode())
        tag = f"v1.{i}.0"
        payload = f"object {parent}\ntype commit\ntag {tag}\ntagger {who}\n\n{tag}\n".encode()
        tag_object = store.write("tag", payload + signers["rm"].sign(payload).encode())
        refs.append((f"refs/tags/{tag}", tag_object, parent))
        for n, (actor, event, env) in enumerate(SCRIPT[:per] if i < releases else SCRIPT[:1]):
            oid = entry(tag, tag_object, parent, actor, event, env, when + 60 + n * 60)
            if i < releases:
                record = oid
            else:
                with open(os.path.join(repo, "next-entry"), "w") as f:
                    f.write(oid + "\n")
    refs.append(("refs/heads/main", parent, None))
    refs.append(("refs/rel/record", record, None))
    with open(os.path.join(repo, "packed-refs"), "w") as f:
        f.write("# pack-refs with: peeled fully-peeled sorted \n")
        for name, oid, peeled in sorted(refs):
            f.write(f"{oid} {name}\n" + (f"^{peeled}\n" if peeled else ""))
    print(f"{releases + 1} releases, {entries - 1} entries on refs/rel/record (+1 left off)")


if __name__ == "__main__":
    main()
