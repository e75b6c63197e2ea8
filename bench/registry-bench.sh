#!/usr/bin/env bash
# Registry benchmark: jbuild push/pull vs skopeo copy of app- and bigctx-shaped images to a local
# docker-registry. Usage: RUNS=3 bench/registry-bench.sh [app] [bigctx]
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/setup
mvn -B -q -pl bench -am package -DskipTests -Dspotless.check.skip=true
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=bench/target/classpath.txt >/dev/null
cp="layer-cache/target/classes:testdata/target/classes:grammar/target/classes:$(cat bench/target/classpath.txt)"
exec java --enable-native-access=ALL-UNNAMED -Xmx256m -cp "bench/target/classes:$cp" \
  dev.jbuild.bench.registry.RegistryBench "$@"
