#!/usr/bin/env bash
# RUN step benchmark (root, runc, overlayfs): per-step time of RUN true on a 10-layer busybox image
# (whole step and its phases), runc alone on the same config (the floor), and a RUN writing
# 10,000 files with its diff capture. Prints a markdown table of milliseconds.
#   bench/runner.sh              # STEPS=50 by default
#   STEPS=100 bench/runner.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/setup
BENCH_DIR="${BENCH_DIR:-/var/tmp/jbuild-runner-bench}"
STEPS="${STEPS:-50}"
mkdir -p "$BENCH_DIR"
# RunnerBench is in bench's test sources (it needs testdata, which is test scope only): -DskipTests
# still compiles them, and build-classpath run from the command line lists every scope, test too
mvn -B -q -pl bench -am -DskipTests -Dspotless.check.skip=true package \
  dependency:build-classpath -Dmdep.outputFile="$BENCH_DIR/cp.txt" >&2
CP="bench/target/test-classes:bench/target/classes:$(cat "$BENCH_DIR/cp.txt")"
rm -rf "$BENCH_DIR/store"
echo "| measurement | median ms | min ms | p90 ms | samples |"
echo "|---|---|---|---|---|"
java --enable-native-access=ALL-UNNAMED -Xmx256m -XX:+UseSerialGC -cp "$CP" \
  dev.jbuild.bench.runner.RunnerBench "$BENCH_DIR/store" "$STEPS"
echo
echo "$(nproc) cores, $(uname -r), $(runc --version | head -1), $(java -version 2>&1 | head -1)"
