#!/bin/sh
# Build benchmark: jbuild, buildah and docker build (BuildKit) side by side on the scenarios of
# bench/scenarios (cold, no-op and incremental builds; median seconds and peak RSS).
# Needs the peer lab: /work/shared/lab/setup.sh (or ../shared/lab/setup.sh from the repository).
# Usage: [JBUILD_BASE=OLD/jbuild] bench/build-bench.sh [--builders jbuild,jbuild-base,buildah,docker] [--runs 3] [hello app layers bigctx apt]
exec python3 "$(dirname "$0")/build_bench.py" "$@"
