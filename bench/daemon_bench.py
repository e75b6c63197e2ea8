#!/usr/bin/env python3
"""No-op rebuild through jbuild's daemon (docker CLI, classic builder) vs the daemonless jbuild
and BuildKit. Each builder builds the scenario once (not timed), then RUNS no-op rebuilds are
timed, alternating builders so none measures in another's wake. Prints median seconds.

The daemon runs on its own store and socket under $BENCH_DIR (default /var/tmp/jbuild-bench);
BuildKit is the lab's dockerd (/var/run/docker.sock), as in build-bench.sh.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_bench  # noqa: E402  (the scenarios' contexts)

REPO = build_bench.REPO
BENCH_DIR = build_bench.BENCH_DIR
JBUILD = os.environ.get("JBUILD", os.path.join(REPO, "jbuild"))
DOCKER = os.environ.get("DOCKER", "/usr/bin/docker")


def run(cmd, env):
    t = time.time()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    e = time.time() - t
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr.decode()[-2000:]}")
    return e


def ping(sock):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
        return b"OK" in s.recv(4096)
    except OSError:
        return False
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "10")))
    ap.add_argument("scenarios", nargs="*", default=["hello", "app"])
    a = ap.parse_args()
    base = dict(os.environ)
    base.pop("DOCKER_HOST", None)
    home = os.path.join(BENCH_DIR, "daemon-home")
    os.makedirs(home, exist_ok=True)
    store = os.path.join(BENCH_DIR, "daemon-root")
    sock = os.path.join(BENCH_DIR, "daemon.sock")
    log = open(os.path.join(BENCH_DIR, "daemon.log"), "ab")
    daemon = subprocess.Popen([JBUILD, "--root", store, "serve", "-H", "unix://" + sock],
                              stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if ping(sock):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("jbuild serve did not start")
        via_daemon = dict(base, DOCKER_HOST="unix://" + sock, DOCKER_BUILDKIT="0",
                          DOCKER_CONFIG=os.path.join(home, ".docker"), HOME=home)
        buildkit = dict(base, DOCKER_BUILDKIT="1")
        jroot = os.path.join(BENCH_DIR, "jbuild-root")
        print(f"{'scenario':8} {'jbuild_s':>9} {'daemon_s':>9} {'client_s':>9} {'buildkit_s':>11}"
              f"  (median no-op of {a.runs}; daemon_s: docker CLI to jbuild serve, client_s: jbuild --host)")
        for s in a.scenarios:
            ctx = build_bench.generate(s)
            tag = f"bench-{s}"
            cmds = {
                "jbuild": ([JBUILD, "--root", jroot, "build", "-q", "-t", tag, ctx], base),
                "daemon": ([DOCKER, "build", "-q", "-t", tag, ctx], via_daemon),
                "client": ([JBUILD, "--host", "unix://" + sock, "build", "-q", "-t", tag, ctx], base),
                "buildkit": ([DOCKER, "build", "-q", "--network=host", "-t", tag, ctx], buildkit),
            }
            for cmd, env in cmds.values():
                run(cmd, env)  # the first build (cold or not): not timed
                run(cmd, env)
            samples = {k: [] for k in cmds}
            for _ in range(a.runs):
                for k, (cmd, env) in cmds.items():
                    samples[k].append(run(cmd, env))
            med = {k: statistics.median(v) for k, v in samples.items()}
            print(f"{s:8} {med['jbuild']:9.3f} {med['daemon']:9.3f} {med['client']:9.3f} {med['buildkit']:11.3f}",
                  flush=True)
    finally:
        daemon.terminate()
        daemon.wait(60)


if __name__ == "__main__":
    main()
