#!/usr/bin/env python3
"""A realistic release history for `rel metrics`: YEARS years of COMMITS commits on main and
RELEASES releases, each approved, promoted to production and verified or failed, with
rollbacks, incidents and announcements, on refs/rel/record.

Two passes into a bare repository REPO:
  fast-import   the history (written by `history`), one commit every ~YEARS/COMMITS, ending an
                hour ago; every COMMITS/RELEASES-th commit is a release commit that updates
                CHANGELOG.md (its 20 newest sections; 1 in 10 releases forgets its own).
                The marks (`--export-marks`) give the release commits' ids.
  `record`      the SSH-signed release tags (tagged by rm) and the record: per release, alice
                (tech-lead) and carol (sre) approve it for production, rm promotes it an hour
                later and its smoke result follows; 1 in 25 fails and is rolled back to the
                release before; 1 in 50 gets an incident (opened 5 h after, resolved 2 h
                later); every other release is announced to dev. Entries are signed in-process
                (bench/gen-record.py's SSHSIG signer) and written loose; refs go in through
                `git update-ref --stdin`.

Deterministic for the same arguments and hour.

Usage: gen-metrics.py history YEARS COMMITS RELEASES | git fast-import --export-marks=M
       gen-metrics.py record REPO KEYDIR MARKS YEARS COMMITS RELEASES
"""
import importlib.util
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("gen_record", os.path.join(HERE, "gen-record.py"))
gen_record = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen_record)

EMPTY_TREE = gen_record.EMPTY_TREE
STATEMENT = "https://in-toto.io/Statement/v1"


def span(years: int, commits: int):
    end = (int(time.time()) // 3600) * 3600 - 3600
    start = end - years * 365 * 86400
    step = (end - start) / commits
    return start, step


def history(years: int, commits: int, releases: int) -> None:
    start, step = span(years, commits)
    every = commits // releases
    rng = random.Random(42)
    kinds = ["feat", "fix", "fix", "perf", "refactor", "docs", "chore"]
    out = sys.stdout.buffer
    sections = []
    for n in range(1, commits + 1):
        when = int(start + n * step)
        kind = rng.choice(kinds)
        message = f"{kind}: change {n}\n\nBody of change {n}.\n".encode()
        out.write(b"commit refs/heads/main\n")
        out.write(f"mark :{n}\n".encode())
        who = f"Dev <dev@example.com> {when} +0000"
        out.write(f"author {who}\ncommitter {who}\n".encode())
        out.write(b"data %d\n%s" % (len(message), message))
        if n % every == 0:
            release = n // every
            if release % 10 != 7:
                day = time.strftime("%Y-%m-%d", time.gmtime(when))
                sections.insert(0, f"## [1.{release}.0] - {day}\n\n- change {n}\n\n")
                del sections[20:]
            text = ("# Changelog\n\n" + "".join(sections)).encode()
            out.write(b"M 100644 inline CHANGELOG.md\n")
            out.write(b"data %d\n%s\n" % (len(text), text))
        out.write(b"\n")


def record(repo: str, keydir: str, marks: str, years: int, commits: int, releases: int) -> None:
    start, step = span(years, commits)
    every = commits // releases
    ids = {}
    with open(marks) as f:
        for line in f:
            mark, oid = line.split()
            ids[int(mark[1:])] = oid
    store = gen_record.Store(repo)
    signers = {p: gen_record.Signer(os.path.join(keydir, p)) for p in ["rm", "alice", "carol"]}
    store.write("tree", b"")
    state = {"tip": None, "count": 0}

    def entry(subject, kind, predicate, summary, actor, when):
        statement = {
            "_type": STATEMENT,
            "subject": [subject],
            "predicateType": f"https://rel.dev/record/{kind}/v1",
            "predicate": dict(predicate, actor=f"{actor}@example.com"),
        }
        message = f"{summary}\n\n{json.dumps(statement, indent=2)}\n"
        who = f"{actor.title()} <{actor}@example.com> {when} +0000"
        tip = state["tip"]
        headers = f"tree {EMPTY_TREE}\n" + (f"parent {tip}\n" if tip else "")
        headers += f"author {who}\ncommitter {who}\n"
        payload = (headers + "\n" + message).encode()
        signature = signers[actor].sign(payload)
        gpgsig = "gpgsig " + signature.rstrip("\n").replace("\n", "\n ") + "\n"
        state["tip"] = store.write("commit", (headers + gpgsig + "\n" + message).encode())
        state["count"] += 1
        return state["tip"]

    refs = []
    released = []
    outcome = lambda code: {"step": "smoke", "exitCode": code, "timedOut": False, "durationMs": 900}
    for release in range(1, releases + 1):
        n = release * every
        commit = ids[n]
        when = int(start + n * step)
        tag = f"v1.{release}.0"
        who = f"Rm <rm@example.com> {when + 600} +0000"
        payload = f"object {commit}\ntype commit\ntag {tag}\ntagger {who}\n\n{tag}\n".encode()
        tag_object = store.write("tag", payload + signers["rm"].sign(payload).encode())
        refs.append((f"refs/tags/{tag}", tag_object))
        subject = {"name": tag, "digest": {"gitTag": tag_object, "gitCommit": commit}}
        released.append(subject)
        for actor, offset in [("alice", 1800), ("carol", 2400)]:
            entry(subject, "decision", {"event": "approve", "environment": "production"},
                  f"approve {tag} for production", actor, when + offset)
        env = {"environment": "production"}
        promote = entry(subject, "deploy", dict(env, event="promote"),
                        f"promote {tag} in production", "rm", when + 3600)
        if release % 25 == 13 and len(released) > 1:
            entry(subject, "deploy", dict(env, event="failed", outcome=outcome(1)),
                  f"failed {tag} in production", "rm", when + 3700)
            back = released[-2]
            entry(back, "deploy", dict(env, event="rollback", note="smoke failed"),
                  f"rollback {back['name']} in production", "rm", when + 4300)
            entry(back, "deploy", dict(env, event="verified", outcome=outcome(0)),
                  f"verified {back['name']} in production", "rm", when + 4400)
            released.pop()
            continue
        entry(subject, "deploy", dict(env, event="verified", outcome=outcome(0)),
              f"verified {tag} in production", "rm", when + 3700)
        if release % 50 == 21:
            incident = entry(subject, "incident",
                             dict(env, event="incident", note="errors after deploy", deployment=promote),
                             f"incident {tag} in production", "carol", when + 21600)
            entry(subject, "incident", dict(env, event="resolve", incident=incident),
                  f"resolve incident {incident[:7]} ({tag} in production)", "carol", when + 28800)
        if release % 2 == 0:
            announcement = {"audience": "dev", "format": "markdown", "channel": "command",
                            "sha256": "0" * 64}
            entry(subject, "announce", {"event": "announce", "announcement": announcement},
                  f"announce {tag} to dev", "rm", when + 7200)
    refs.append(("refs/rel/record", state["tip"]))
    lines = "".join(f"update {name} {oid}\n" for name, oid in refs)
    subprocess.run(["git", "--git-dir", repo, "update-ref", "--stdin"], input=lines.encode(), check=True)
    print(f"{releases} releases, {state['count']} entries on refs/rel/record")


def main() -> None:
    if sys.argv[1] == "history":
        history(*map(int, sys.argv[2:5]))
    else:
        repo, keydir, marks = sys.argv[2:5]
        record(repo, keydir, marks, *map(int, sys.argv[5:8]))


if __name__ == "__main__":
    main()
