#!/usr/bin/env python3
"""Runs a command several times; prints its median and best wall time and its peak memory,
split into anonymous memory (what the process allocated) and file-backed memory (pack files
mapped from the page cache, which the kernel may drop at will).

Timed runs wait on the process without polling, so short commands are timed exactly. One more,
untimed run samples /proc/PID/status every millisecond for the memory split (very short peaks
can be missed).

Usage: measure.py LABEL RUNS COMMAND [ARGS...]   (the command's stdout is discarded)
"""
import os
import statistics
import subprocess
import sys
import time


def timed(command: list) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, _ = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} exited {proc.returncode}")
    return elapsed


def memory(command: list) -> dict:
    peak = {"RssAnon": 0, "RssFile": 0}
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    while True:
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in peak:
                        peak[key] = max(peak[key], int(value.split()[0]))
        except (FileNotFoundError, ProcessLookupError):
            pass
        pid, _, _ = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return peak
        time.sleep(0.001)


def main() -> None:
    label, runs, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    times = [timed(command) for _ in range(runs)]
    peak = memory(command)

    def fmt(seconds: float) -> str:
        return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"

    print(f"{label:<40} median {fmt(statistics.median(times)):>9}  best {fmt(min(times)):>9}"
          f"  peak anon {peak['RssAnon'] / 1024:6.1f} MB  file-backed {peak['RssFile'] / 1024:6.1f} MB"
          f"  ({runs} runs)")


if __name__ == "__main__":
    main()
