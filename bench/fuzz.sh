#!/usr/bin/env bash
# Coverage-guided fuzzing with Jazzer (libFuzzer for the JVM) of one @FuzzTest target:
#   bench/fuzz.sh dockerfile 600   # grammar: parser + expansion + stage graph + jbuild parse dump
#   bench/fuzz.sh layer 600        # layer-cache: tar reader, then the applier in FLAT/OVERLAY/PLAIN
#   bench/fuzz.sh json 600         # layer-cache: JSON parser and the OCI documents on it
#   bench/fuzz.sh archive 600      # layer-cache: jbuild load's archive loader into a temp store
# `mvn verify` runs the same targets on their seeds only (regression mode). Here JAZZER_FUZZ=1 makes
# Jazzer mutate for SECONDS (default 600); an input that takes over 30 s is a hang (JUnit's timeout
# setting, which Jazzer turns into libFuzzer's -timeout; JUnit itself must not time the whole run). The generated
# corpus goes to MODULE/.cifuzz-corpus/ (kept between runs, not committed); a finding is written
# next to the seeds (src/test/resources/.../<Class>Inputs/<method>/crash-*), where it becomes a
# regression input once fixed. Prints libFuzzer's last status lines and the findings.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/setup
target="${1:?usage: bench/fuzz.sh dockerfile|layer|json|archive [SECONDS]}"
seconds="${2:-600}"
case "$target" in
  dockerfile) module=grammar test=dev.jbuild.grammar.fuzz.DockerfileFuzzTest include='dev.jbuild.**:org.antlr.**' ;;
  layer) module=layer-cache/layer-codec test=dev.jbuild.layercache.fuzz.LayerFuzzTest include='dev.jbuild.**' ;;
  json) module=layer-cache/oci-model test=dev.jbuild.layercache.fuzz.JsonFuzzTest include='dev.jbuild.**' ;;
  archive) module=layer-cache/registry test=dev.jbuild.layercache.fuzz.ArchiveFuzzTest include='dev.jbuild.**:org.apache.commons.compress.**' ;;
  *) echo "bench/fuzz.sh: unknown target $target (dockerfile, layer, json, archive)" >&2; exit 2 ;;
esac
mkdir -p bench/out
log="bench/out/fuzz-$target.log"
status=0
JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" JAZZER_INSTRUMENTATION_INCLUDES="$include" \
  mvn -B -o test -pl "$module" -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dspotless.check.skip=true -Djunit.jupiter.execution.timeout.default=30s \
  -Djunit.jupiter.execution.timeout.mode=disabled >"$log" 2>&1 || status=$?
grep -E '^#[0-9]+' "$log" | tail -n 2 || true
grep -E 'Done [0-9]+ runs|== Java Exception|FuzzTestFinding|crash-[0-9a-f]+|ERROR\]  |Tests run:' "$log" | sort -u | tail -n 20 || true
echo "bench/fuzz.sh: $target ran ${seconds}s, exit $status (full log: $log)"
exit "$status"
