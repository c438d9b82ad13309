#!/usr/bin/env python3
"""Writes a `git fast-import` stream of a synthetic linear history to stdout.

Usage: gen-history.py COMMITS [UNTAGGED_TAIL]

Conventional Commit messages with scopes and bodies (about 1% breaking, some footers), all on
one empty tree, and a lightweight release tag every 500 commits, except in the last
UNTAGGED_TAIL commits (default 1000) so that the newest release is that far behind HEAD.
Deterministic: the same arguments give the same repository.
"""
import random
import sys

def main() -> None:
    total = int(sys.argv[1])
    tail = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rng = random.Random(42)
    types = ["feat", "fix", "fix", "fix", "perf", "refactor", "docs", "chore", "test", "ci", "build", "style"]
    scopes = ["parser", "cli", "core", "io", "net", "config", "docs", None, None]
    words = ("handle retry cache buffer token stream index parse render merge release config "
             "branch signal encode decode verify path limit window queue").split()
    out = sys.stdout.buffer
    write = out.write
    when = 1_600_000_000
    minor = 0
    for n in range(1, total + 1):
        when += 37
        ty = rng.choice(types)
        scope = rng.choice(scopes)
        bang = "!" if rng.random() < 0.005 else ""
        desc = " ".join(rng.choice(words) for _ in range(rng.randint(3, 8)))
        header = f"{ty}({scope}){bang}: {desc}" if scope else f"{ty}{bang}: {desc}"
        body = " ".join(rng.choice(words) for _ in range(rng.randint(10, 60)))
        lines = [header, "", body]
        footers = []
        if rng.random() < 0.005:
            footers.append(f"BREAKING CHANGE: {desc}")
        if rng.random() < 0.2:
            footers.append(f"Refs: #{rng.randint(1, 9999)}")
        if footers:
            lines += [""] + footers
        msg = ("\n".join(lines) + "\n").encode()
        write(b"commit refs/heads/main\n")
        write(b"mark :%d\n" % n)
        write(b"author Bench Author <author@example.com> %d +0000\n" % when)
        write(b"committer Bench Committer <committer@example.com> %d +0000\n" % when)
        write(b"data %d\n" % len(msg))
        write(msg)
        if n > 1:
            write(b"from :%d\n" % (n - 1))
        write(b"\n")
        if n % 500 == 0 and n <= total - tail:
            minor += 1
            write(b"reset refs/tags/v1.%d.0\nfrom :%d\n\n" % (minor, n))
    write(b"done\n")

if __name__ == "__main__":
    main()
