#!/bin/bash
# Times a cold two-platform build (linux/amd64,linux/arm64) of the app scenario next to the
# single-platform one, each in a fresh store: the build stage is FROM --platform=$BUILDPLATFORM, so
# it must run once (natively) for both targets; the final stage's RUN runs under QEMU for arm64.
# Needs the lab registry on localhost:5000 (debian:bookworm-slim, busybox-multi) and the
# qemu-aarch64 binfmt_misc handler (.ci/setup). Usage: bench/multiplatform.sh [RUNS]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
jbuild="$here/../jbuild"
runs="${1:-3}"
work="$(mktemp -d /tmp/jbuild-mpbench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
python3 - "$work/ctx" <<'PY'
import os, random, sys
d = sys.argv[1]
random.seed(7)
for i in range(2000):  # the app scenario's context, as build_bench.py makes it
    sub = os.path.join(d, "src", f"pkg{i % 20}", f"mod{i % 7}")
    os.makedirs(sub, exist_ok=True)
    size = random.choice([2000, 8000, 20000, 60000])
    with open(os.path.join(sub, f"file{i}.txt"), "wb") as f:
        f.write(os.urandom(size // 2).hex().encode()[:size])
PY
sed -e 's#^FROM localhost:5000/library/debian#FROM --platform=$BUILDPLATFORM localhost:5000/library/debian#' \
    -e 's#^FROM localhost:5000/library/busybox:latest#FROM localhost:5000/library/busybox-multi:latest#' \
    "$here/scenarios/app/Dockerfile" >"$work/ctx/Dockerfile"
time_build() {  # prints the wall time of one cold build in seconds
  rm -rf "$work/root"
  local t0 t1
  t0=$(date +%s.%N)
  "$jbuild" --root "$work/root" build -q --platform "$1" -t app:1 "$work/ctx" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
for p in linux/amd64 linux/arm64 linux/amd64,linux/arm64; do
  printf '%-26s' "$p"
  for _ in $(seq "$runs"); do printf ' %6.2f s' "$(time_build "$p")"; done
  echo
done
