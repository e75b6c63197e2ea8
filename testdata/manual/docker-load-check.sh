#!/usr/bin/env bash
# Manual check (not run by CI, which has no Docker daemon): an image jbuild saves in the
# docker-archive format loads into a real Docker engine and runs.
#   testdata/manual/docker-load-check.sh            # uses $DOCKER_HOST or the default socket
#   PRIVATE_DOCKERD=1 testdata/manual/docker-load-check.sh
#       starts a private dockerd (Debian's docker.io, iptables off, no bridge) on a socket in a
#       temp dir, and stops it (by pid) at the end.
# Needs: a built ./jbuild (mvn -B -q package -DskipTests), docker; runs the sample image.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d /var/tmp/jbuild-docker-load.XXXXXX)
dockerd_pid=""
cleanup() {
  if [ -n "$dockerd_pid" ]; then kill "$dockerd_pid" 2>/dev/null || true; wait "$dockerd_pid" 2>/dev/null || true; fi
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
if [ "${PRIVATE_DOCKERD:-}" = 1 ]; then
  dockerd --iptables=false --ip6tables=false --bridge=none --data-root "$work/docker" \
    --exec-root "$work/exec" --pidfile "$work/dockerd.pid" --host "unix://$work/docker.sock" \
    >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  export DOCKER_HOST="unix://$work/docker.sock"
  for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
fi
docker info >/dev/null
root="$work/store"
testdata/sample/prepare.sh >/dev/null 2>&1 || true
./jbuild --root "$root" build -q -t jbuild-sample:1 testdata/sample >/dev/null
./jbuild --root "$root" save -o "$work/sample.tar" jbuild-sample:1
docker load -i "$work/sample.tar"
out=$(docker run --rm --network none jbuild-sample:1 docker)
echo "docker run printed: $out"
docker rmi jbuild-sample:1 >/dev/null
echo "docker load check: OK"
