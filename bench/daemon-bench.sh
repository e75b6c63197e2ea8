#!/bin/sh
# Daemon benchmark: a no-op rebuild through `jbuild serve` driven by the docker CLI (classic
# builder, DOCKER_BUILDKIT=0: the whole context is sent as a tar each time), next to the daemonless
# jbuild and docker build with BuildKit (the lab's dockerd), on the bench/scenarios contexts.
# Needs the peer lab (registry on localhost:5000, dockerd). Median of --runs no-op rebuilds.
# Usage: bench/daemon-bench.sh [--runs 10] [hello app]
exec python3 "$(dirname "$0")/daemon_bench.py" "$@"
