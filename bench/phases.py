#!/usr/bin/env python3
"""Where a no-op rebuild's time goes: runs `jbuild build` of a bench scenario N times with
JBUILD_TRACE=1 and prints the median milliseconds since JVM start at each phase mark, for this
checkout's launcher and, with JBUILD_BASE=OLD/jbuild, an older one side by side.

Usage: [JBUILD_BASE=OLD/jbuild] bench/phases.py [--runs 15] [scenario]   (default: hello)
The scenario's context is generated as build-bench.sh does; each launcher gets a store of its own
under $BENCH_DIR (built once, cold, before the measured no-op runs).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build_bench  # noqa: E402  (generate(), BENCH_DIR)

MARKS = ["main", "args", "root command line", "command line ready", "build command", "store open",
         "inputs read", "context ready", "stages done", "image written"]


def phases(exe, root, ctx, scenario):
    cmd = [exe, "--root", root, "build", "-q", "-t", f"phases-{scenario}", ctx]
    env = dict(os.environ, JBUILD_TRACE="1")
    t = time.time()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = (time.time() - t) * 1000
    if r.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
    out = {}
    for line in r.stderr.splitlines():
        m = re.match(r"\[trace\] (\d+) ms (.*)$", line)
        if m and m.group(2) in MARKS and m.group(2) not in out:
            out[m.group(2)] = int(m.group(1))
    out["exit (wall, launcher included)"] = wall
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("scenario", nargs="?", default="hello")
    a = ap.parse_args()
    ctx = build_bench.generate(a.scenario)
    launchers = [("jbuild", os.path.join(HERE, "..", "jbuild"))]
    if os.environ.get("JBUILD_BASE"):
        launchers.append(("base", os.environ["JBUILD_BASE"]))
    medians = {}
    for name, exe in launchers:
        root = os.path.join(build_bench.BENCH_DIR, "phases", name)
        shutil.rmtree(root, ignore_errors=True)
        phases(exe, root, ctx, a.scenario)  # cold build: the no-op runs follow
        samples = [phases(exe, root, ctx, a.scenario) for _ in range(a.runs)]
        medians[name] = {k: statistics.median(s[k] for s in samples if k in s)
                         for k in MARKS + ["exit (wall, launcher included)"]
                         if any(k in s for s in samples)}
    names = [n for n, _ in launchers]
    print(f"no-op rebuild of {a.scenario}, median of {a.runs}, ms since JVM start")
    print(f"{'phase':34}" + "".join(f"{n:>10}" for n in names))
    for k in MARKS + ["exit (wall, launcher included)"]:
        print(f"{k:34}" + "".join(
            f"{medians[n][k]:10.0f}" if k in medians[n] else f"{'-':>10}" for n in names))


if __name__ == "__main__":
    main()
