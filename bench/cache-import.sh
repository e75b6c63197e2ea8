#!/bin/bash
# Times a mode=max registry cache import on a fresh store for the app scenario against a no-op
# rebuild: (1) a cold build exporting --cache-to type=registry,mode=max to the lab registry,
# (2) on a fresh store, `jbuild pull` of the two bases alone (the base blob download), (3) on
# another fresh store, the build with --cache-from (every step CACHED; only the layers the final
# image holds downloaded), (4) a no-op rebuild in that store; beside them every blob the import may
# need (the cache's and the bases') fetched with curl, one after the other (the raw download), and
# the megabytes of blobs the import left in the store (what it did download: the final image's
# layers, since the cache's and the bases' are fetched lazily). Wall
# and CPU (user+sys) seconds of each, and the load average before each run: the machine may be
# shared. The goal (issue 14): import <= 1.5 x (no-op + download). Needs the lab registry on
# localhost:5000 (debian:bookworm-slim, busybox). Usage: bench/cache-import.sh [RUNS]
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
secs() { # runs "$@", prints "WALL CPU" (seconds; CPU = user + sys of it and its children)
  /usr/bin/time -f '%e %U %S' -o "$work/last.time" "$@" >/dev/null 2>"$work/last.err" \
    || { cat "$work/last.err" >&2; exit 1; }
  awk '{ printf "%.2f %.2f", $1, $2 + $3 }' "$work/last.time"
}
"$jbuild" --root "$work/seed" build -q -t app:1 --cache-to "type=registry,ref=$cache,mode=max" "$work/ctx" >/dev/null
fetch_blobs() { # REPO TAG: a manifest's config and layers over HTTP, one after the other
  local m
  m=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://localhost:5000/v2/$1/manifests/$2")
  for d in $(echo "$m" | jq -r '.config.digest, .layers[].digest'); do
    curl -sf -o /dev/null "http://localhost:5000/v2/$1/blobs/$d"
  done
}
fetch_all_blobs() { # what the import downloads: the cache's blobs and the two bases'
  fetch_blobs jbuild-bench/app-cache max
  fetch_blobs library/debian bookworm-slim
  fetch_blobs library/busybox latest
}
export -f fetch_blobs fetch_all_blobs
printf '%-10s %-17s %-17s %-30s %-9s %-17s %s\n' load "download (curl)" "bases pull" \
  "import build" "fetched" "no-op" "import / (no-op + download)"
for _ in $(seq "$runs"); do
  rm -rf "$work/pull" "$work/fresh"
  load=$(cut -d' ' -f1 /proc/loadavg)
  blobs=$(secs bash -c fetch_all_blobs)
  pull=$(secs sh -c "'$jbuild' --root '$work/pull' pull -q localhost:5000/library/debian:bookworm-slim && '$jbuild' --root '$work/pull' pull -q localhost:5000/library/busybox:latest")
  import=$(secs "$jbuild" --root "$work/fresh" build --progress plain -t app:1 --cache-from "$cache" "$work/ctx")
  cached=$(grep -c ' CACHED$' "$work/last.err" || true)
  fetched=$(du -sm "$work/fresh/blobs" | cut -f1)
  noop=$(secs "$jbuild" --root "$work/fresh" build --progress plain -t app:1 "$work/ctx")
  ratio=$(echo "$import $noop $blobs" | awk '{ printf "wall %.2f, cpu %.2f", $1 / ($3 + $5), $2 / ($4 + $6) }')
  printf '%-10s %-17s %-17s %-30s %-9s %-17s %s\n' "$load" "${blobs/ / s, cpu }" "${pull/ / s, cpu }" \
    "${import/ / s, cpu } ($cached CACHED)" "$fetched MB" "${noop/ / s, cpu }" "$ratio"
done
