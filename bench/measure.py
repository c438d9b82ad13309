#!/usr/bin/env python3
"""Runs a command several times; prints its median and best wall time and its peak memory,
split into anonymous memory (what the process allocated) and file-backed memory (pack files
mapped from the page cache, which the kernel may drop at will). /proc/PID/status is sampled
every 2 ms, so very short peaks can be missed.

Usage: measure.py LABEL RUNS COMMAND [ARGS...]   (the command's stdout is discarded)
"""
import statistics
import subprocess
import sys
import time


def sample(pid: int, peak: dict) -> None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in peak:
                    peak[key] = max(peak[key], int(value.split()[0]))
    except (FileNotFoundError, ProcessLookupError):
        pass


def main() -> None:
    label, runs, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    times = []
    peak = {"RssAnon": 0, "RssFile": 0}
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        while proc.poll() is None:
            sample(proc.pid, peak)
            time.sleep(0.002)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"{label}: {' '.join(command)} exited {proc.returncode}")

    def fmt(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"

    print(f"{label:<44} median {fmt(statistics.median(times)):>9}  best {fmt(min(times)):>9}"
          f"  peak anon {peak['RssAnon'] / 1024:6.1f} MB  file-backed {peak['RssFile'] / 1024:6.1f} MB  ({runs} runs)")


if __name__ == "__main__":
    main()
