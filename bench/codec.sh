#!/usr/bin/env bash
# Codec benchmark: jbuild's layer writer (walk + tar + sha256, then gzip or zstd) and applier on a
# generated ~1 GiB directory, next to tar, sha256sum, gzip, pigz and zstd on the same data.
# Prints a markdown table of MiB/s (of the uncompressed tar). Data lives under $BENCH_DIR
# (default /var/tmp/jbuild-codec-bench), never in the repository; page cache warm; best of $REPS.
#   bench/codec.sh            # generate once (kept), build, measure
#   THREADS=2 REPS=3 SIZE_MIB=1024 bench/codec.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/setup
BENCH_DIR="${BENCH_DIR:-/var/tmp/jbuild-codec-bench}"
THREADS="${THREADS:-2}"
REPS="${REPS:-2}"
SIZE_MIB="${SIZE_MIB:-1024}"
DATA="$BENCH_DIR/data"
TAR="$BENCH_DIR/data.tar"
for t in tar sha256sum gzip pigz zstd; do
  command -v "$t" >/dev/null || { echo "codec.sh: $t is missing (.ci/setup installs it)" >&2; exit 1; }
done

# --- data: half real files copied from /usr (a natural mix of small and large, compressible
# binaries and text), half random (incompressible) files of 32 MiB --------------------------
if [ ! -f "$BENCH_DIR/.complete-$SIZE_MIB" ]; then
  echo "generating ${SIZE_MIB} MiB under $DATA" >&2
  rm -rf "$BENCH_DIR"
  mkdir -p "$DATA/usr" "$DATA/random"
  half=$((SIZE_MIB * 1024 * 1024 / 2))
  copied=0
  round=0
  while [ "$copied" -lt "$half" ]; do
    while IFS= read -r -d '' f; do
      [ "$copied" -ge "$half" ] && break
      rel="r$round${f}"
      mkdir -p "$DATA/usr/$(dirname "$rel")"
      cp -p "$f" "$DATA/usr/$rel" 2>/dev/null || continue
      copied=$((copied + $(stat -c %s "$f")))
    done < <(find /usr/lib /usr/share /usr/bin -xdev -type f -size -4M -print0 2>/dev/null | sort -z)
    round=$((round + 1))
  done
  n=$(((SIZE_MIB / 2 + 31) / 32))
  for i in $(seq 1 "$n"); do
    head -c $((32 * 1024 * 1024)) /dev/urandom >"$DATA/random/r$i.bin"
  done
  (cd "$DATA" && tar --sort=name --numeric-owner -cf "$TAR" .)
  touch "$BENCH_DIR/.complete-$SIZE_MIB"
fi
files=$(find "$DATA" -type f | wc -l)
tar_bytes=$(stat -c %s "$TAR")
tar_mib=$(awk -v b="$tar_bytes" 'BEGIN { printf "%.0f", b / 1048576 }')

# --- build jbuild's benchmark runner --------------------------------------------------------
mvn -B -q -pl bench -am -DskipTests -Dspotless.check.skip=true package \
  dependency:build-classpath -Dmdep.outputFile="$BENCH_DIR/cp.txt" >&2
CP="bench/target/classes:$(cat "$BENCH_DIR/cp.txt")"
JAVA=(java --enable-native-access=ALL-UNNAMED -Xmx256m -Dreps="$REPS" -cp "$CP" dev.jbuild.bench.codec.CodecBench)

# warm the page cache
cat "$TAR" >/dev/null
tar -cf - -C "$DATA" . >/dev/null

best() { # best wall seconds of REPS runs of "$@"
  local b="" s e t
  for _ in $(seq 1 "$REPS"); do
    s=$(date +%s.%N)
    bash -c "$1" >/dev/null
    e=$(date +%s.%N)
    t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
    if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b="$t"; fi
  done
  echo "$b"
}
rate() { awk -v b="$tar_bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
jrun() { "${JAVA[@]}" "$@" | awk '{ print $2 }'; }

rows=()
row() { rows+=("| $1 | $2 | $(rate "$2") |"); echo "  $1: $2 s" >&2; }

echo "measuring (threads=$THREADS, best of $REPS)" >&2
row "tar -cf - (to /dev/null)" "$(best "tar -cf - -C '$DATA' . | cat >/dev/null")"
row "sha256sum of the tar file" "$(best "sha256sum '$TAR'")"
row "tar -cf - \| sha256sum" "$(best "tar -cf - -C '$DATA' . | sha256sum")"
row "jbuild SHA-256 of the tar file" "$(jrun sha256 "$TAR")"
row "**jbuild layer, uncompressed (walk+tar+sha256)**" "$(jrun tar "$DATA" "$THREADS")"
row "gzip -6 (1 core) of the tar file" "$(best "gzip -6 -c '$TAR'")"
row "pigz -6 -p $THREADS of the tar file" "$(best "pigz -6 -p $THREADS -c '$TAR'")"
row "tar \| pigz -6 -p $THREADS \| sha256sum" "$(best "tar -cf - -C '$DATA' . | pigz -6 -p $THREADS | sha256sum")"
row "**jbuild layer, gzip -6 on $THREADS threads (+diffId and blob sha256)**" "$(jrun gzip "$DATA" "$THREADS")"
row "zstd -3 -T$THREADS of the tar file" "$(best "zstd -q -3 -T$THREADS -c '$TAR'")"
row "tar \| zstd -3 -T$THREADS \| sha256sum" "$(best "tar -cf - -C '$DATA' . | zstd -q -3 -T$THREADS | sha256sum")"
row "**jbuild layer, zstd -3 on $THREADS threads (+diffId and blob sha256)**" "$(jrun zstd "$DATA" "$THREADS")"
rm -rf "$BENCH_DIR/x"
row "tar -xf of the tar file" "$(best "mkdir -p '$BENCH_DIR/x' && tar --numeric-owner -xf '$TAR' -C '$BENCH_DIR/x'; rm -rf '$BENCH_DIR/x'")"
row "**jbuild apply of the tar file (FLAT, kernel copies)**" "$(jrun apply "$TAR" "$BENCH_DIR/x")"

echo
echo "Data: $tar_mib MiB tar, $files files ($DATA), $(nproc) cores, $(java -version 2>&1 | head -1)"
echo
echo "| operation | seconds | MiB/s |"
echo "|---|---|---|"
printf '%s\n' "${rows[@]}"
