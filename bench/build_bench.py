#!/usr/bin/env python3
"""Build benchmark: jbuild side by side with buildah and docker build (BuildKit).

For every scenario in bench/scenarios/ (hello, app, layers, bigctx, apt): a cold build (the
builder's store wiped; base images come from the local registry on localhost:5000), a no-op
rebuild, and an incremental rebuild after one small context file changed. Prints median wall
seconds of RUNS runs and, for the daemonless builders, the peak RSS of the build process tree's
largest process (jbuild: its JVM).

Needs the peer lab (../shared/lab/setup.sh: registry with busybox and debian, buildah, dockerd).
Contexts are generated under $BENCH_DIR (default /var/tmp/jbuild-bench), never in the repository.

Usage: bench/build-bench.sh [--builders jbuild,buildah,docker,jbuild-rootless,jbuild-chroot] [--runs 3] [scenario...]
"""
import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("BENCH_DIR", "/var/tmp/jbuild-bench")
SCENARIOS = ["hello", "app", "layers", "bigctx", "apt"]
SETTLE = float(os.environ.get("BENCH_SETTLE", "10"))
WIPE_SETTLE = float(os.environ.get("BENCH_WIPE_SETTLE", "3"))
TOUCH = {
    "hello": "hello.txt",
    "app": "src/pkg0/mod0/file0.txt",
    "layers": "f19.txt",
    "bigctx": "small/s0.txt",
    "apt": "config.json",
}


def generate(name):
    """Creates the scenario's context (same content as the peer lab's gen.sh)."""
    d = os.path.join(BENCH_DIR, "ctx", name)
    marker = os.path.join(d, ".generated")
    if os.path.exists(marker):
        shutil.copy(os.path.join(HERE, "scenarios", name, "Dockerfile"), d)
        return d
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    shutil.copy(os.path.join(HERE, "scenarios", name, "Dockerfile"), d)
    if name == "hello":
        open(os.path.join(d, "hello.txt"), "w").write("hello from the lab\n")
    elif name == "layers":
        for i in range(20):
            open(os.path.join(d, f"f{i}.txt"), "w").write(f"file {i}\n")
    elif name == "apt":
        open(os.path.join(d, "config.json"), "w").write('{"name":"lab","threads":4,"tags":["a","b"]}\n')
    elif name == "app":
        random.seed(7)
        root = os.path.join(d, "src")
        for i in range(2000):
            sub = os.path.join(root, f"pkg{i % 20}", f"mod{i % 7}")
            os.makedirs(sub, exist_ok=True)
            size = random.choice([2000, 8000, 20000, 60000])
            with open(os.path.join(sub, f"file{i}.txt"), "wb") as f:
                f.write(os.urandom(size // 2).hex().encode()[:size])
    elif name == "bigctx":
        random.seed(11)
        for i in range(4):
            with open(os.path.join(d, f"big{i}.bin"), "wb") as f:
                for _ in range(192):
                    f.write(os.urandom(1 << 20))
        os.makedirs(os.path.join(d, "small"))
        for i in range(5000):
            with open(os.path.join(d, "small", f"s{i}.txt"), "wb") as f:
                f.write(os.urandom(random.randint(1000, 50000) // 2).hex().encode())
    open(marker, "w").close()
    return d


class Builder:
    daemonless = True

    def __init__(self, name):
        self.name = name

    def build(self, scenario, ctx):
        raise NotImplementedError

    def wipe(self):
        raise NotImplementedError


class Jbuild(Builder):
    def __init__(self, name="jbuild", exe=None):
        super().__init__(name)
        self.exe = exe or os.environ.get("JBUILD", os.path.join(REPO, "jbuild"))
        self.root = os.path.join(BENCH_DIR, name + "-root")

    def build(self, scenario, ctx):
        return [self.exe, "--root", self.root, "build", "-q", "-t", f"bench-{scenario}", ctx]

    def wipe(self):
        shutil.rmtree(self.root, ignore_errors=True)


class JbuildAs(Jbuild):
    """jbuild as an ordinary user (rootless: $BENCH_USER, default jbuild-test, with ranges in
    /etc/subuid), or as root with another --isolation (chroot)."""

    def __init__(self, name, isolation, user=None):
        super().__init__(name)
        self.isolation = isolation
        self.user = user
        self.readable = set()
        if user:
            import pwd
            pw = pwd.getpwnam(user)
            self.uid, self.gid, self.home = pw.pw_uid, pw.pw_gid, pw.pw_dir
            os.makedirs(BENCH_DIR, exist_ok=True)
            os.chmod(BENCH_DIR, 0o755)

    def prefix(self):
        if not self.user:
            return []
        # setpriv, not runuser: no PAM session in the timed path
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--init-groups",
                "env", f"HOME={self.home}", f"USER={self.user}", "XDG_RUNTIME_DIR="]

    def build(self, scenario, ctx):
        if self.user and ctx not in self.readable:
            # once per context: a chmod changes every file's ctime, which voids jbuild's hash cache
            subprocess.run(["chmod", "-R", "a+rX", ctx], check=True)
            self.readable.add(ctx)
        return self.prefix() + [self.exe, "--isolation", self.isolation, "--root", self.root,
                                "build", "-q", "-t", f"bench-{scenario}", ctx]

    def wipe(self):
        if os.path.isdir(self.root):
            subprocess.run(self.prefix() + [self.exe, "--isolation", self.isolation, "--root",
                                            self.root, "system", "reset", "-f"],
                           capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)
        if self.user:
            os.makedirs(self.root, mode=0o700)
            os.chown(self.root, self.uid, self.gid)


class Buildah(Builder):
    def __init__(self):
        super().__init__("buildah")

    def build(self, scenario, ctx):
        return ["buildah", "bud", "-q", "--layers", "--isolation=oci", "--network=host",
                "-t", f"bench-{scenario}", ctx]

    def wipe(self):
        subprocess.run("buildah rm -a; buildah rmi -af", shell=True, capture_output=True)


class Docker(Builder):
    daemonless = False

    def __init__(self):
        super().__init__("docker")
        self.exe = os.environ.get("DOCKER", "/usr/bin/docker")

    def build(self, scenario, ctx):
        return [self.exe, "build", "-q", "--network=host", "-t", f"bench-{scenario}", ctx]

    def wipe(self):
        subprocess.run(f"{self.exe} builder prune -af; {self.exe} image rm -f $({self.exe} images -q)",
                       shell=True, capture_output=True)


def timed(cmd):
    """Runs cmd in a fresh child; returns (seconds, peak RSS KiB of its largest process).

    Dirty pages of the previous run are written back first (sync, not timed), so no builder pays
    for another's writes."""
    os.sync()
    probe = (
        "import resource,subprocess,sys,time\n"
        "t=time.time();r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE)\n"
        "e=time.time()-t\n"
        "if r.returncode: sys.stderr.write(r.stderr.decode()[-2000:]); sys.exit(r.returncode)\n"
        "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = dict(os.environ, DOCKER_BUILDKIT="1")
    r = subprocess.run([sys.executable, "-c", probe] + cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    secs, rss = r.stdout.split()
    return float(secs), int(rss)


def measure(builder, scenario, runs):
    ctx = generate(scenario)
    touch = os.path.join(ctx, TOUCH[scenario])
    original = open(touch, "rb").read()
    out = {}
    try:
        samples = []
        for _ in range(runs):
            builder.wipe()
            # the wipe's own deletions (journal, freed blocks) settle before the timed build:
            # no builder's cold build pays for removing its previous store
            os.sync()
            time.sleep(WIPE_SETTLE)
            samples.append(timed(builder.build(scenario, ctx)))
        out["cold"] = samples
        samples = []
        for _ in range(runs):
            samples.append(timed(builder.build(scenario, ctx)))
        out["noop"] = samples
        samples = []
        for _ in range(runs):
            with open(touch, "ab") as f:
                f.write(f"{random.random()}\n".encode())
            samples.append(timed(builder.build(scenario, ctx)))
        out["incr"] = samples
    finally:
        open(touch, "wb").write(original)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builders", default="jbuild,buildah,docker")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    ap.add_argument("scenarios", nargs="*", default=["hello", "app", "layers", "bigctx"])
    a = ap.parse_args()
    # jbuild-base: another jbuild launcher ($JBUILD_BASE, e.g. a checkout of the previous release)
    # measured in the same run, for before/after figures
    makers = {"jbuild": Jbuild, "buildah": Buildah, "docker": Docker,
              "jbuild-base": lambda: Jbuild("jbuild-base", os.environ["JBUILD_BASE"]),
              "jbuild-rootless": lambda: JbuildAs(
                  "jbuild-rootless", "rootless", os.environ.get("BENCH_USER", "jbuild-test")),
              "jbuild-chroot": lambda: JbuildAs("jbuild-chroot", "chroot")}
    builders = [makers[b]() for b in a.builders.split(",")]
    results = {}
    print(f"{'builder':8} {'scenario':8} {'cold_s':>8} {'noop_s':>8} {'incr_s':>8} {'peak_rss_MiB':>13}")
    for i, s in enumerate(a.scenarios):
        # rotate the order, and let the previous builder's background work (a daemon's commits,
        # writeback) settle, so no builder measures in another's wake
        order = builders[i % len(builders):] + builders[:i % len(builders)]
        for b in order:
            os.sync()
            time.sleep(SETTLE)
            r = measure(b, s, a.runs)
            results[f"{b.name}/{s}"] = r
            med = {k: statistics.median(x[0] for x in v) for k, v in r.items()}
            rss = max(x[1] for v in r.values() for x in v) / 1024 if b.daemonless else float("nan")
            rss_s = f"{rss:13.0f}" if b.daemonless else f"{'(daemon)':>13}"
            print(f"{b.name:8} {s:8} {med['cold']:8.3f} {med['noop']:8.3f} {med['incr']:8.3f} {rss_s}",
                  flush=True)
    os.makedirs(os.path.join(BENCH_DIR, "results"), exist_ok=True)
    with open(os.path.join(BENCH_DIR, "results", f"build-{int(time.time())}.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
