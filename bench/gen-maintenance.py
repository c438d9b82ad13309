#!/usr/bin/env python3
"""Writes a `git fast-import` stream of a history with maintenance branches to stdout.

Usage: gen-maintenance.py electron MAIN_COMMITS BRANCHES [RELEASES_PER_BRANCH] [COMMITS_PER_RELEASE]
       gen-maintenance.py vite MAJORS [COMMITS_PER_RELEASE]

electron:

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
- Release tags are annotated (tag objects); nightlies are lightweight (one a day: a later one
  the same day moves it). Refs `refs/heads/M-x-y`.
- Nothing after the forks is ever merged back, so `rel next` on main has base v9.x and every
  one of the branch releases is a higher version HEAD does not contain.

vite: releases from main, pre-releases first, and the previous major patched on a branch.
- For each major M = 2, 3, ...: alphas and betas (M.0.0-alpha.0-2, -beta.0-19), M.0.0, eight
  patches M.0.1-8, then minors M.1.0 ... M.5.0, each after five betas and followed by eight
  patches; COMMITS_PER_RELEASE commits (default 10) before every release, all on main.
- Once M+1.0.0 is out, a branch `vM` from M.5.8 gets patches M.5.9 ... M.5.13 (three commits
  each) that main never merges: they rank between M.5.8 and M+1's pre-releases.
- main ends with twice COMMITS_PER_RELEASE commits not released yet.

Deterministic: the same arguments give the same repository.
"""
import random
import sys
import time


class Stream:
    """Commits, tags and messages written as a fast-import stream."""

    types = ["feat", "fix", "fix", "fix", "perf", "refactor", "docs", "chore", "test", "ci", "build"]

    def __init__(self, scopes, words):
        self.rng = random.Random(7)
        self.scopes = scopes
        self.words = words
        self.mark = 0
        self.tags = 0
        self.write = sys.stdout.buffer.write

    def message(self, kind=None) -> bytes:
        rng = self.rng
        ty = kind or rng.choice(self.types)
        scope = rng.choice(self.scopes)
        bang = "!" if rng.random() < 0.005 else ""
        desc = " ".join(rng.choice(self.words) for _ in range(rng.randint(3, 8)))
        header = f"{ty}({scope}){bang}: {desc}" if scope else f"{ty}{bang}: {desc}"
        body = " ".join(rng.choice(self.words) for _ in range(rng.randint(10, 60)))
        lines = [header, "", body]
        footers = []
        if bang and rng.random() < 0.5:
            footers.append(f"BREAKING CHANGE: {desc}")
        if rng.random() < 0.3:
            footers.append(f"Refs: #{rng.randint(1, 40000)}")
        if footers:
            lines += [""] + footers
        return ("\n".join(lines) + "\n").encode()

    def commit(self, ref: str, when: int, parent, kind=None) -> int:
        self.mark += 1
        msg = self.message(kind)
        w = self.write
        w(b"commit %s\nmark :%d\n" % (ref.encode(), self.mark))
        w(b"author Bench Author <author@example.com> %d +0000\n" % when)
        w(b"committer Bench Committer <committer@example.com> %d +0000\n" % when)
        w(b"data %d\n" % len(msg))
        w(msg)
        if parent is not None:
            w(b"from :%d\n" % parent)
        w(b"\n")
        return self.mark

    def release(self, name: str, target: int, when: int) -> None:
        """Annotated, every third one lightweight."""
        self.tags += 1
        if self.tags % 3 == 0:
            self.lightweight(name, target)
        else:
            self.annotated(name, target, when)

    def annotated(self, name: str, target: int, when: int) -> None:
        msg = f"Release {name}\n".encode()
        self.write(b"tag %s\nfrom :%d\n" % (name.encode(), target))
        self.write(b"tagger Bench Releaser <release@example.com> %d +0000\n" % when)
        self.write(b"data %d\n" % len(msg))
        self.write(msg)
        self.write(b"\n")

    def lightweight(self, name: str, target: int) -> None:
        self.write(b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), target))


def vite(majors: int, per_release: int) -> None:
    s = Stream(["vite", "ssr", "hmr", "css", "deps", "config", "optimizer", None, None],
               ("plugin module graph import resolve alias chunk bundle build serve preview "
                "worker asset glob transform sourcemap watcher").split())
    when, head = 1_600_000_000, None
    pending = None  # (major, from mark, from when): the branch to patch once the next major is out

    def release(name: str) -> None:
        nonlocal when, head
        for _ in range(per_release):
            when += 600
            head = s.commit("refs/heads/main", when, head)
        s.release(f"v{name}", head, when + 60)

    for major in range(2, 2 + majors):
        for minor in range(6):
            pre = ([f"alpha.{k}" for k in range(3)] + [f"beta.{k}" for k in range(20)]
                   if minor == 0 else [f"beta.{k}" for k in range(5)])
            for p in pre:
                release(f"{major}.{minor}.0-{p}")
            release(f"{major}.{minor}.0")
            if minor == 0 and pending:
                old, frm, t = pending
                for patch in range(9, 14):
                    for _ in range(3):
                        t += 300
                        frm = s.commit(f"refs/heads/v{old}", t, frm, "fix")
                    s.release(f"v{old}.5.{patch}", frm, t + 60)
                pending = None
            for patch in range(1, 9):
                release(f"{major}.{minor}.{patch}")
        pending = (major, head, when)
    for _ in range(2 * per_release):  # not released yet
        when += 600
        head = s.commit("refs/heads/main", when, head)
    s.write(b"done\n")


def main() -> None:
    if sys.argv[1] == "vite":
        vite(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 10)
        return
    electron(sys.argv[2:])


def electron(args) -> None:
    n_main = int(args[0])
    n_branches = int(args[1])
    per_branch = int(args[2]) if len(args) > 2 else 40
    per_release = int(args[3]) if len(args) > 3 else 10
    s = Stream(["renderer", "main", "views", "net", "gpu", "docs", "build", None, None],
               ("window frame session cookie protocol menu tray dialog crash sandbox preload ipc "
                "webview devtools notification shell clipboard screen display power").split())

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
        parent = s.commit("refs/heads/main", when, parent)
        main_marks.append(parent)
        main_dates.append(when)
        if i < early and i > 0 and i % max(1, early // 30) == 0:
            # early stable releases on main: v1.0.0, v1.1.0, ..., an rc before each major
            if early_minor == 0:
                s.lightweight(f"v{early_major}.0.0-rc.1", parent)
            s.annotated(f"v{early_major}.{early_minor}.0", parent, when + 60)
            early_minor += 1
            if early_minor == 4 and early_major < 9:
                early_major, early_minor = early_major + 1, 0
        if i in forks:
            next_major = forks[i] + 1
        if i >= early and i % 100 == 50:
            day = time.strftime("%Y%m%d", time.gmtime(when))
            s.lightweight(f"v{next_major}.0.0-nightly.{day}", parent)

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
                parent = s.commit(ref, when, parent, s.rng.choice(["fix", "fix", "perf", "feat", "chore"]))
            s.annotated(f"v{name}", parent, when + 60)
    s.write(b"done\n")


if __name__ == "__main__":
    main()
