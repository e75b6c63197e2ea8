#!/usr/bin/env bash
# Registry benchmark: jbuild push/pull vs skopeo copy of app- and bigctx-shaped images to a local
# docker-registry. Usage: RUNS=3 bench/registry-bench.sh [app] [bigctx]
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/setup
# package, then the reactor's classpath of bench (its jbuild modules as target/classes); with -am
# every module writes the file in turn and bench, the last, wins. RegistryBench is in bench's test
# sources (testdata is test scope only): -DskipTests still compiles them, and build-classpath run
# from the command line lists every scope, test too
mvn -B -q -pl bench -am package dependency:build-classpath -DskipTests -Dspotless.check.skip=true \
  -Dmdep.outputFile="$PWD/bench/target/classpath.txt" >/dev/null
cp="$(cat bench/target/classpath.txt)"
exec java --enable-native-access=ALL-UNNAMED -Xmx256m -cp "bench/target/test-classes:bench/target/classes:$cp" \
  dev.jbuild.bench.registry.RegistryBench "$@"
