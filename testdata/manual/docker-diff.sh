#!/usr/bin/env bash
# Manual parity check (CI has no Docker daemon): builds small Dockerfiles with docker build
# (BuildKit) and with jbuild, then compares the image configs (config, layer count, history
# empty_layer flags) and the final filesystems (path, type, mode, owner, link target, content hash).
#
#   testdata/manual/docker-diff.sh [CASE...]
#
# Needs: a Docker engine with BuildKit (DOCKER, default /usr/bin/docker), skopeo, umoci, jq, python3,
# and a registry serving busybox as $BASE (default localhost:5000/library/busybox, as
# ../shared/lab/setup.sh sets up). Work files go to $OUT (default /tmp/jbuild-docker-diff).
#
# Known, intended differences: jbuild writes no layer for a step that changes nothing (an existing
# WORKDIR, a RUN or COPY that changes nothing) where BuildKit writes an empty one; docker 20.10
# leaves RUN --mount target stubs (/mnt) that newer BuildKit and jbuild remove; inode numbers.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
J=${JBUILD:-$here/jbuild}
DOCKER=${DOCKER:-/usr/bin/docker}
BASE=${BASE:-localhost:5000/library/busybox}
OUT=${OUT:-/tmp/jbuild-docker-diff}
ROOT=$OUT/jroot
CASES=$OUT/cases
rm -rf "$CASES"; mkdir -p "$CASES" "$OUT/www"

mk() { mkdir -p "$CASES/$1"; sed "s#@BASE@#$BASE#g" > "$CASES/$1/Dockerfile"; }
ctx() { (cd "$CASES/$1" && shift && eval "$*"); }

# --- the cases -----------------------------------------------------------------------------------
mk copy <<'EOF'
FROM @BASE@
WORKDIR /app
COPY a.txt .
COPY a.txt b.txt sub/
COPY dir /d1
COPY dir/ /d2/
COPY a.txt /newname
COPY a.txt /etc/
COPY *.txt /w/
COPY d?r/nested /n
COPY link /linkcopy
COPY dir/nested/deep.txt relative/
COPY --chown=1000:1000 dir /owned
COPY --chown=nobody a.txt /o2
COPY --chown=nobody:nogroup dir/ /o3/
COPY dir/nested/ /n3/
RUN mkdir -p /exist && chmod 700 /exist
COPY dir/nested /exist
COPY a.txt b.txt /dest
COPY *.nomatch a.txt /some/
COPY *.nomatch /nothing/
EOF
ctx copy 'echo a > a.txt; echo b > b.txt; mkdir -p dir/nested; echo x > dir/x; echo deep > dir/nested/deep.txt; chmod 751 dir/nested; chmod 600 b.txt; ln -sf a.txt link; ln -sf ../a.txt dir/uplink'

mk meta <<'EOF'
FROM @BASE@
ENV A=1 B="two words" C=$A-x
ENV D 4 5 6
LABEL l1=v1 "l 2"="v 2" l3=${A}
EXPOSE 80 443/tcp 53/udp 8080-8081
VOLUME ["/data", "/logs"]
VOLUME /a /b
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=4 CMD wget -q localhost || exit 1
SHELL ["/bin/sh", "-ec"]
USER nobody
WORKDIR rel
WORKDIR sub/$A
CMD echo hi
ONBUILD RUN echo built
ONBUILD COPY . /x
EOF

mk entrypoint <<'EOF'
FROM @BASE@
ENTRYPOINT ["/bin/echo"]
FROM @BASE@
CMD ["a"]
ENTRYPOINT /bin/echo hi
EOF

mk args <<'EOF'
ARG BASE=@BASE@
ARG V=global
FROM $BASE
ARG V
ARG W=wdef
ENV E=$V-$W
RUN echo "$V $W $E" > /out && env | sort | grep -v HOSTNAME > /env
ARG E=argE
RUN echo "$E" > /out2
ENV V=envv
ARG V=argv
RUN echo "$V" > /out3
ENV FROMARG=$V
WORKDIR /w/$V
EOF
echo "--build-arg W=fromcli --build-arg UNUSED=1" > "$CASES/args/args"

mk run <<'EOF'
FROM @BASE@
RUN mkdir -p /a/b/c /rm/x && echo 1 > /a/f && echo 2 > /a/b/g && ln -s /a/f /a/sym && ln /a/f /a/hard && chmod 4755 /a/f && mkfifo /a/fifo
RUN rm -rf /rm/x && rm /a/b/g && echo changed > /a/f && rm -rf /a/b/c && mkdir /a/b/c && touch /a/b/c/new
RUN rm -rf /usr && mkdir /usr && echo x > /usr/only
RUN chown 1000:2000 /a/f && chmod 0640 /a/b
RUN rm /bin/ls && rm -r /root
RUN env | sort > /env.txt; id > /id.txt; umask > /umask.txt; grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status > /caps.txt; ulimit -n > /nofile.txt; pwd > /pwd.txt
EOF

mk user <<'EOF'
FROM @BASE@
RUN echo 'app:x:1234:4321::/home/app:/bin/sh' >> /etc/passwd && echo 'grp:x:4321:' >> /etc/group && echo 'other:x:777:app' >> /etc/group
USER app
WORKDIR /home/app/work
RUN id > /tmp/id.txt && touch mine && pwd > where
COPY --chown=app f /f1
COPY --chown=app:other f /f2
COPY --chown=:other f /f3
USER 1234:777
RUN id > /tmp/id2.txt
USER 5555
RUN id > /tmp/id3.txt
EOF
ctx user 'echo f > f'

mk ignore <<'EOF'
FROM @BASE@
COPY . /c
EOF
ctx ignore 'mkdir -p a/b c/d e vendor/keep vendor/drop x/y; touch a/b/keep.txt a/b/drop.log c/d/x.md e/y README.md x.go vendor/keep/a vendor/drop/b x/y/f; printf "*.log\n**/*.md\n!README.md\ne\n# comment\nDockerfile\nvendor\n!vendor/keep\n./x/y\n" > .dockerignore'

mk multistage <<'EOF'
FROM @BASE@ AS Build
WORKDIR /src
ARG TARGETARCH
RUN echo built-$TARGETARCH > out.bin && mkdir -p lib && echo l > lib/l.so
FROM @BASE@ AS unused
RUN exit 1
FROM @BASE@
COPY --from=build /src/out.bin /usr/local/bin/
COPY --from=build /src/lib /lib2
COPY --from=0 --chown=1:1 /src /s
COPY --from=@BASE@ /bin/busybox /bb
RUN --mount=from=build,source=/src,target=/m cp /m/out.bin /via-mount
EOF

mk add <<'EOF'
FROM @BASE@
ADD t.tar.gz /x/
ADD t.tar.gz /y
ADD t.tar.gz /
ADD plain.txt /p/
ADD d /ad
ADD http://127.0.0.1:8765/file.txt /
ADD http://127.0.0.1:8765/file.txt /named
ADD http://127.0.0.1:8765/arch.tar.gz /arch/
ADD --chown=nobody http://127.0.0.1:8765/file.txt /owned
EOF
ctx add 'mkdir -p src/in d; echo a > src/in/f; chmod 750 src; echo p > plain.txt; echo dd > d/e; tar -C src -czf t.tar.gz .; rm -rf src'

mk perms <<'EOF'
FROM @BASE@
COPY . /p
RUN ln /p/a /p/c && stat -c '%h' /p/a /p/b > /p/links
EOF
ctx perms 'echo s > suid; chmod 4755 suid; echo g > sgid; chmod 2750 sgid; mkdir sticky; chmod 1777 sticky; echo x > ro; chmod 400 ro; echo a > a; ln a b'

mk symlinks <<'EOF'
FROM @BASE@
RUN mkdir -p /target && ln -s /target /lnk && ln -s target /rel
COPY f /lnk/
COPY f /rel/sub/
COPY dlink /dl
COPY d/ /lnk/
COPY f /lnk/renamed
EOF
ctx symlinks 'echo f > f; mkdir -p d/x; echo y > d/x/y; ln -s d dlink; ln -s ../../etc/passwd d/escape'

mk scratch <<'EOF'
FROM scratch
COPY f /
WORKDIR /app
COPY f .
EOF
ctx scratch 'echo s > f'

mk mounts <<'EOF'
FROM @BASE@
RUN --mount=type=cache,target=/cache echo x >> /cache/log && cp /cache/log /log-copy
RUN --mount=type=bind,target=/ctx cat /ctx/f > /from-bind
RUN --mount=type=tmpfs,target=/tmp echo t > /tmp/t && ls /tmp > /tmp-list
EOF
ctx mounts 'echo m > f'

mk parsing <<'EOF'
from @BASE@ as Base
env A=b=c \ 
    B="x y"\
    C=z
# comment inside
  label a= b="" "c d"=e
ARG Q="x y"
run echo "$Q" > /q \
# interrupting comment

  && echo done >> /q
WORKDIR /my dir
ENV PATH=$PATH:/extra
CMD ["sh", "-c", "echo $HOME"]
EXPOSE 7000-7002/udp
FROM base
RUN echo "$A|$B|$C" > /abc
EOF

# --- the comparison ------------------------------------------------------------------------------
printf 'remote content\n' > "$OUT/www/file.txt"
(cd "$OUT/www" && mkdir -p in && echo z > in/z && tar -czf arch.tar.gz in && touch -d '2020-01-02 03:04:05' file.txt arch.tar.gz)
(cd "$OUT/www" && exec python3 -m http.server 8765 --bind 127.0.0.1) >/dev/null 2>&1 &
www=$!
trap 'kill $www 2>/dev/null' EXIT
sleep 1

norm_cfg() { jq -S 'del(.config.OnBuild|select(.==null))' "$1" | jq -S '{c:.config, layers:(.rootfs.diff_ids|length), hist:[.history[]|{e:(.empty_layer//false)}]}'; }
listing() { (cd "$1" && find . -mindepth 1 \( -path ./proc -o -path ./sys -o -path ./dev \) -prune -o -printf '%P|%y|%m|%U|%G|%l|' -exec sh -c 'if [ -f "$1" ] && [ ! -L "$1" ]; then md5sum < "$1" | cut -c1-8; else echo; fi' _ {} \; | sort); }
selected=("$@"); [ ${#selected[@]} = 0 ] && selected=($(ls "$CASES"))
failed=0
for c in "${selected[@]}"; do
  d=$CASES/$c; o=$OUT/work/$c; rm -rf "$o"; mkdir -p "$o"
  args=(); [ -f "$d/args" ] && read -ra args < "$d/args"
  DOCKER_BUILDKIT=1 $DOCKER build -q --network=host "${args[@]}" -t "jdiff-$c" "$d" >"$o/docker.out" 2>&1 || echo "$c: docker build failed (see $o/docker.out)"
  $J --root "$ROOT" build --progress plain "${args[@]}" -o "type=oci,dest=$o/j.tar" -t "jdiff-$c" "$d" >"$o/jbuild.out" 2>&1 || echo "$c: jbuild build failed (see $o/jbuild.out)"
  skopeo copy -q "docker-daemon:jdiff-$c:latest" "oci:$o/doci:d" >/dev/null 2>&1
  mkdir -p "$o/dsave" "$o/joci"; $DOCKER save "jdiff-$c" | tar -x -C "$o/dsave"; tar -C "$o/joci" -xf "$o/j.tar" 2>/dev/null
  jt=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$o/joci/index.json" 2>/dev/null)
  umoci raw unpack --image "$o/doci:d" "$o/drootfs" >/dev/null 2>&1
  umoci raw unpack --image "$o/joci:$jt" "$o/jrootfs" >/dev/null 2>&1
  norm_cfg "$o/dsave/$(jq -r '.[0].Config' "$o/dsave/manifest.json")" > "$o/d.cfg"
  m=$(jq -r '.manifests[0].digest' "$o/joci/index.json" | cut -d: -f2)
  norm_cfg "$o/joci/blobs/sha256/$(jq -r .config.digest "$o/joci/blobs/sha256/$m" | cut -d: -f2)" > "$o/j.cfg"
  listing "$o/drootfs" > "$o/d.fs"; listing "$o/jrootfs" > "$o/j.fs"
  if diff -q "$o/d.cfg" "$o/j.cfg" >/dev/null && diff -q "$o/d.fs" "$o/j.fs" >/dev/null; then echo "$c: same"; else
    echo "$c: DIFFERENT (< docker, > jbuild)"; diff "$o/d.cfg" "$o/j.cfg" | head -30; diff "$o/d.fs" "$o/j.fs" | head -30; failed=1; fi
done
exit $failed
