#!/usr/bin/env python3
"""Writes a `git fast-import` stream of an electron-like maintenance-branch history to stdout.

Usage: gen-maintenance.py MAIN_COMMITS BRANCHES [RELEASES_PER_BRANCH] [COMMITS_PER_RELEASE]

- `main` has MAIN_COMMITS commits (Conventional Commit messages with scopes and bodies, some
  footers, about 1% breaking, all on one empty tree). Its first tenth carries the only stable
  tags main will ever get, v1.0.0 ... v9.N.0, with an rc before each major.
- From there on, every MAIN_COMMITS * 0.9 / BRANCHES commits, a maintenance branch `M-x-y`
  (M = 10, 11, ...) forks from main: alpha and beta pre-releases, then M.0.0 and its minor and
  patch releases up to RELEASES_PER_BRANCH stable tags (M.0.0 ... M.4.7), COMMITS_PER_RELEASE
  backport commits before each. A branch's commits are dated after its fork point and spread
  over the time main takes to fork the next three branches, as backports are.
- main carries nightly pre-releases (`v{next major}.0.0-nightly.YYYYMMDD`) every 100 commits,
  so main itself has no stable tag newer than v9, and HEAD contains none of the 10+ releases.
- Release tags are annotated (tag objects); nightlies are lightweight. Refs `refs/heads/M-x-y`.
- Nothing after the forks is ever merged back, so `rel next` on main has base v9.x and every
  one of the branch releases is a higher version HEAD does not contain.

Deterministic: the same arguments give the same repository.
"""
import random
import sys
import time


def main() -> None:
    n_main = int(sys.argv[1])
    n_branches = int(sys.argv[2])
    per_branch = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    per_release = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    rng = random.Random(7)
    types = ["feat", "fix", "fix", "fix", "perf", "refactor", "docs", "chore", "test", "ci", "build"]
    scopes = ["renderer", "main", "views", "net", "gpu", "docs", "build", None, None]
    words = ("window frame session cookie protocol menu tray dialog crash sandbox preload ipc "
             "webview devtools notification shell clipboard screen display power").split()
    out = sys.stdout.buffer
    write = out.write

    def message(kind=None) -> bytes:
        ty = kind or rng.choice(types)
        scope = rng.choice(scopes)
        bang = "!" if rng.random() < 0.005 else ""
        desc = " ".join(rng.choice(words) for _ in range(rng.randint(3, 8)))
        header = f"{ty}({scope}){bang}: {desc}" if scope else f"{ty}{bang}: {desc}"
        body = " ".join(rng.choice(words) for _ in range(rng.randint(10, 60)))
        lines = [header, "", body]
        footers = []
        if bang and rng.random() < 0.5:
            footers.append(f"BREAKING CHANGE: {desc}")
        if rng.random() < 0.3:
            footers.append(f"Refs: #{rng.randint(1, 40000)}")
        if footers:
            lines += [""] + footers
        return ("\n".join(lines) + "\n").encode()

    mark = 0

    def commit(ref: str, when: int, parent, kind=None) -> int:
        nonlocal mark
        mark += 1
        msg = message(kind)
        write(b"commit %s\n" % ref.encode())
        write(b"mark :%d\n" % mark)
        write(b"author Bench Author <author@example.com> %d +0000\n" % when)
        write(b"committer Bench Committer <committer@example.com> %d +0000\n" % when)
        write(b"data %d\n" % len(msg))
        write(msg)
        if parent is not None:
            write(b"from :%d\n" % parent)
        write(b"\n")
        return mark

    def annotated(name: str, target: int, when: int) -> None:
        msg = f"Release {name}\n".encode()
        write(b"tag %s\nfrom :%d\n" % (name.encode(), target))
        write(b"tagger Bench Releaser <release@example.com> %d +0000\n" % when)
        write(b"data %d\n" % len(msg))
        write(msg)
        write(b"\n")

    def lightweight(name: str, target: int) -> None:
        write(b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), target))

    step = 600  # seconds between main commits
    start = 1_400_000_000
    early = n_main // 10
    fork_every = max(1, (n_main - early) * 9 // 10 // max(1, n_branches))
    forks = {early + i * fork_every: 10 + i for i in range(n_branches)}

    # main first; remember each commit's mark and date.
    main_marks, main_dates = [], []
    parent = None
    early_major, early_minor = 1, 0
    next_major = 10
    for i in range(n_main):
        when = start + i * step
        parent = commit("refs/heads/main", when, parent)
        main_marks.append(parent)
        main_dates.append(when)
        if i < early and i > 0 and i % max(1, early // 30) == 0:
            # early stable releases on main: v1.0.0, v1.1.0, ..., an rc before each major
            if early_minor == 0:
                lightweight(f"v{early_major}.0.0-rc.1", parent)
            annotated(f"v{early_major}.{early_minor}.0", parent, when + 60)
            early_minor += 1
            if early_minor == 4 and early_major < 9:
                early_major, early_minor = early_major + 1, 0
        if i in forks:
            next_major = forks[i] + 1
        if i >= early and i % 100 == 50:
            day = time.strftime("%Y%m%d", time.gmtime(when))
            lightweight(f"v{next_major}.0.0-nightly.{day}", parent)

    # then each maintenance branch, dated after its fork point.
    span = 3 * fork_every * step
    for at, major in sorted(forks.items()):
        ref = f"refs/heads/{major}-x-y"
        fork = main_marks[at]
        base_when = main_dates[at]
        releases = ([f"{major}.0.0-alpha.{k}" for k in range(1, 4)]
                    + [f"{major}.0.0-beta.{k}" for k in range(1, 6)])
        minor = patch = 0
        for _ in range(per_branch):
            releases.append(f"{major}.{minor}.{patch}")
            patch += 1
            if patch == 8:
                minor, patch = minor + 1, 0
        total = len(releases) * per_release
        parent = fork
        k = 0
        for name in releases:
            for _ in range(per_release):
                k += 1
                when = base_when + 30 + span * k // total
                parent = commit(ref, when, parent, rng.choice(["fix", "fix", "perf", "feat", "chore"]))
            annotated(f"v{name}", parent, when + 60)
    write(b"done\n")


if __name__ == "__main__":
    main()
