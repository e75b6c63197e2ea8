#!/bin/sh
# Start-up benchmark: `jbuild --version`, `--help` and `build --help` next to a bare JVM
# hello-world on the same java and JVM flags (issue 16: within 2x), with hyperfine (median of
# RUNS, default 30, after 5 warm-ups). JBUILD_BASE=OLD/jbuild adds an older launcher for
# before/after figures. Output: median and mean milliseconds per command, and the median's ratio to
# the hello-world.
# Usage: [JBUILD_BASE=OLD/jbuild] [RUNS=30] bench/startup.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
jbuild="$here/jbuild"
[ -x "$jbuild" ] || { echo "startup.sh: $jbuild is missing; run mvn package first" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "startup.sh: hyperfine is not installed" >&2; exit 1; }
# the java and flags the launcher uses (the lines it was written with)
java=$(sed -n 's/^elif \[ -x "\(.*\/bin\/java\)" \].*/\1/p' "$jbuild" | head -1)
[ -n "$java" ] && [ -x "$java" ] || java=$(command -v java)
flags=$(sed -n 's/^set -- "\$java" \(.*\) \$jit \$cache .*/\1/p' "$jbuild")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
"$(dirname "$java")/javac" -d "$work" "$work/Hello.java"
set -- -N -w 5 -r "${RUNS:-30}" --export-json "$work/times.json" \
  -n "java hello-world (same flags)" "$java $flags -cp $work Hello" \
  -n "jbuild --version" "$jbuild --version" \
  -n "jbuild --help" "$jbuild --help" \
  -n "jbuild build --help" "$jbuild build --help"
if [ -n "${JBUILD_BASE:-}" ]; then
  set -- "$@" -n "base --version" "$JBUILD_BASE --version" -n "base --help" "$JBUILD_BASE --help"
fi
hyperfine "$@" >&2
python3 - "$work/times.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
base = runs[0]["median"]
print(f"{'command':32} {'median_ms':>10} {'mean_ms':>8} {'x hello':>8}")
for r in runs:
    print(f"{r['command']:32} {r['median'] * 1000:10.1f} {r['mean'] * 1000:8.1f} {r['median'] / base:8.2f}")
PY
