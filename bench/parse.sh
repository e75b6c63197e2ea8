#!/usr/bin/env bash
# Parse benchmark (JMH): jbuild's Dockerfile front end on a generated 5,000-line Dockerfile (many
# stages, RUN with continuations, COPY, ENV/ARG expansions, heredocs). Builds the bench module and
# runs dev.jbuild.bench.parse.ParseBenchmark; other arguments go to JMH, e.g.
#   bench/parse.sh                         # every benchmark (about 2 minutes)
#   bench/parse.sh parse                   # one benchmark: parse, plan, planOnly, expandAll, coldParse
#   bench/parse.sh -p lines=500 -rf json   # a smaller file, JSON results (jmh-result.json)
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/setup
mvn -B -q -pl bench -am -DskipTests -Dspotless.check.skip=true package >&2
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
filter="dev.jbuild.bench.parse.ParseBenchmark"
args=()
for a in "$@"; do
  case "$a" in
    parse | plan | planOnly | expandAll | coldParse) filter="dev.jbuild.bench.parse.ParseBenchmark.$a\$" ;;
    *) args+=("$a") ;;
  esac
done
exec java -Xmx256m -cp "$CP" org.openjdk.jmh.Main "$filter" ${args[@]+"${args[@]}"}
