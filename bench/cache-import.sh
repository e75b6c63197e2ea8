#!/bin/bash
# Times a mode=max registry cache import on a fresh store for the app scenario against a no-op
# rebuild: (1) a cold build exporting --cache-to type=registry,mode=max to the lab registry,
# (2) on a fresh store, `jbuild pull` of the two bases alone (the base blob download), (3) on
# another fresh store, the build with --cache-from (every step CACHED; the bases and the cached
# layers downloaded), (4) a no-op rebuild in that store; beside them the cache's blobs fetched
# with curl (the raw download). Needs the lab registry on localhost:5000
# (debian:bookworm-slim, busybox). Usage: bench/cache-import.sh [RUNS]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
jbuild="$here/../jbuild"
runs="${1:-3}"
work="$(mktemp -d /tmp/jbuild-cachebench.XXXXXX)"
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
cp "$here/scenarios/app/Dockerfile" "$work/ctx/Dockerfile"
cache="localhost:5000/jbuild-bench/app-cache:max"
secs() { # runs "$@", prints its wall seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
"$jbuild" --root "$work/seed" build -q -t app:1 --cache-to "type=registry,ref=$cache,mode=max" "$work/ctx" >/dev/null
fetch_cache_blobs() { # the cache's blobs over HTTP, one after the other, to /dev/null
  local m
  m=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://localhost:5000/v2/jbuild-bench/app-cache/manifests/max")
  for d in $(echo "$m" | jq -r '.config.digest, .layers[].digest'); do
    curl -sf -o /dev/null "http://localhost:5000/v2/jbuild-bench/app-cache/blobs/$d"
  done
}
for _ in $(seq "$runs"); do
  rm -rf "$work/pull" "$work/fresh"
  blobs=$(secs fetch_cache_blobs)
  pull=$(secs sh -c "'$jbuild' --root '$work/pull' pull -q localhost:5000/library/debian:bookworm-slim && '$jbuild' --root '$work/pull' pull -q localhost:5000/library/busybox:latest")
  import=$(secs "$jbuild" --root "$work/fresh" build --progress plain -t app:1 --cache-from "$cache" "$work/ctx")
  cached=$(grep -c ' CACHED$' "$work/last.err" || true)
  noop=$(secs "$jbuild" --root "$work/fresh" build --progress plain -t app:1 "$work/ctx")
  printf 'bases pull %6.2f s  cache blobs (curl) %6.2f s  import build %6.2f s (%s CACHED)  no-op %6.2f s\n' \
    "$pull" "$blobs" "$import" "$cached" "$noop"
done
