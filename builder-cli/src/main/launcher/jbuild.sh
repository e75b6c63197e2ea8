#!/bin/sh
# jbuild launcher, written by `mvn package` (builder-cli). Do not edit: edit
# builder-cli/src/main/launcher/jbuild.sh instead.
# JBUILD_JAVA picks the java binary (default: the JDK that built jbuild, then $JAVA_HOME, then PATH);
# JBUILD_JAVA_OPTS adds JVM options.
jar="@JAR@"
aot="@AOT@"
client_aot="@CLIENT_AOT@"
if [ -n "$JBUILD_JAVA" ]; then java="$JBUILD_JAVA"
elif [ -x "@JAVA_HOME@/bin/java" ]; then java="@JAVA_HOME@/bin/java"
elif [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"
else java=java
fi
if [ ! -f "$jar" ]; then
  echo "jbuild: $jar is missing; run 'mvn package' in the repository" >&2
  exit 127
fi
# File names are UTF-8 whatever the caller's locale (the JVM decodes them with it).
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
  *UTF-8*|*utf-8*|*utf8*|*UTF8*) ;;
  *) LC_ALL=C.UTF-8; export LC_ALL ;;
esac
# The AOT cache made at package time by the same JDK: classes pre-parsed and pre-linked.
# A JDK that cannot use it ignores it (-Xlog keeps its complaint quiet). It is mapped at the address
# it was written for (ArchiveRelocationMode=0, the JDK's default until 19): JDK 25 moves it to a
# random address and patches every pointer in its 30 MB first, 30-100 ms of every start. Where that
# address is taken the JVM relocates as before; JBUILD_AOT_RELOCATE=1 asks for the relocation
# (class metadata at a random address) whatever it costs (builder-cli/README.md, "Start-up").
# Client mode (-H/--host/--tls* before the command, or JBUILD_HOST) maps the client's own cache:
# a client loads about 1,500 classes, and mapping the full cache's 4,000 costs it more
# than it saves. A command run here after all (help, parse) only loads from the jar what it lacks.
client=""
[ -n "$JBUILD_HOST" ] && client=1
for a in "$@"; do
  case "$a" in
    -H|-H=*|--host|--host=*|--tlsverify|--tlsverify=*|--tlscacert*|--tlscert*|--tlskey*) client=1 ;;
    serve) client=""; break ;;
    -*) ;;
    *) break ;;
  esac
done
[ -n "$client" ] && [ -f "$client_aot" ] && aot="$client_aot"
cache=""
if [ -f "$aot" ] && [ -z "$JBUILD_NO_AOT" ]; then
  cache="-XX:AOTCache=$aot -Xlog:aot=off -Xlog:cds=off"
  [ -n "$JBUILD_AOT_RELOCATE" ] ||
    cache="$cache -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0"
fi
# --version and --help print a stored text (about 70 classes of jbuild's own): mapping the cache's
# ~4,000 classes would cost them more than it saves
case "$#:$*" in
  0:|1:-V|1:--version|1:-h|1:--help|[12]:*--help) cache="" ;;
esac
# jbuild runs with C1 alone (short-lived: less compiling, a third faster no-op rebuilds); its one
# hot loop, SHA-256, is libcrypto's. Without libcrypto, C2 is needed to hash fast.
jit=""
found=""
for d in /usr/lib/*-linux-gnu /lib/*-linux-gnu /usr/lib64 /lib64 /usr/lib /usr/local/lib; do
  if [ -e "$d/libcrypto.so.3" ]; then found=1; break; fi
done
[ -n "$found" ] || jit="-XX:TieredStopAtLevel=4"
# The daemon (jbuild serve) lives long: C2 pays for itself there (the context comparison of every
# API build is a hot loop). A "serve" that is another command's argument only changes the JIT.
case " $* " in *" serve "*) jit="-XX:TieredStopAtLevel=4" ;; esac
set -- "$java" @JVM_FLAGS@ $jit $cache $JBUILD_JAVA_OPTS -jar "$jar" "$@"

# Isolation (runner/README.md, "Isolation"). Root with CAP_SYS_ADMIN runs jbuild as it is (runc over
# overlayfs). Anyone else, or --isolation rootless, runs it inside jbuild's user namespace: 0 is the
# user, 1..N the user's range in /etc/subuid and /etc/subgid (root: every id it has, unchanged), with
# a mount namespace of its own. A pause process keeps both alive, so every jbuild of this user joins
# the same ones (running containers and their mounts stay visible), as rootless Podman does. Where
# user namespaces are refused (a container with Docker's defaults), jbuild runs as it is and picks
# chroot isolation itself.
isolation="${JBUILD_ISOLATION:-auto}"
prev=""
for a in "$@"; do
  case "$prev" in --isolation) isolation="$a" ;; esac
  case "$a" in --isolation=*) isolation="${a#--isolation=}" ;; --) break ;; esac
  prev="$a"
done
# the effective uid and capabilities from /proc/self/status with shell builtins (no id or sed
# process before every command)
uid=""
capeff=""
if [ -r /proc/self/status ]; then
  while read -r key v1 v2 _; do
    case "$key" in
      Uid:) uid="$v2" ;;
      CapEff:) capeff="$v1" ;;
    esac
  done </proc/self/status
fi
[ -n "$uid" ] || uid=$(id -u)
want=""
if [ -z "$JBUILD_USERNS" ]; then
  case "$isolation" in
    rootless) want=1 ;;
    auto)
      if [ "$uid" != 0 ]; then want=1
      else
        # root without CAP_SYS_ADMIN: rootless where user namespaces are allowed and runc is
        # there to use them, else (Docker's default container) chroot, chosen by jbuild itself
        if [ $(( 0x${capeff:-0} >> 21 & 1 )) = 0 ] && command -v runc >/dev/null 2>&1 &&
          unshare --user true 2>/dev/null; then want=1; fi
      fi ;;
  esac
fi
[ -n "$want" ] || exec "$@"

jbuild_userns_fail() {
  echo "jbuild: cannot enter jbuild's user namespace: $*" >&2
  exit 125
}
state="${XDG_RUNTIME_DIR:-}"
if [ -n "$state" ] && [ -d "$state" ] && [ -O "$state" ] && [ ! -L "$state" ]; then state="$state/jbuild"
else state="${TMPDIR:-/tmp}/jbuild-$uid"
fi
# the pause process of the pid file ("PID STARTTIME"), if it still is one: a `sleep` of this user
# that started when the file says (a reused pid is not it), in a user namespace other than the
# initial one (builtins only: this runs before every command)
jbuild_pause_alive() {
  [ -n "$1" ] && [ -n "$2" ] && [ -O "/proc/$1" ] || return 1
  read -r st 2>/dev/null <"/proc/$1/stat" || return 1
  case "$st" in "$1 (sleep) "*) ;; *) return 1 ;; esac
  started="$2"
  # shellcheck disable=SC2086
  set -- $st
  [ "${22}" = "$started" ] || return 1
  read -r m 2>/dev/null <"/proc/$1/uid_map" || return 1
  # shellcheck disable=SC2086
  set -- $m
  [ "$1 $2 $3" != "0 0 4294967295" ]
}
# the start time (field 22 of /proc/PID/stat) of process $1
jbuild_started() {
  read -r st 2>/dev/null <"/proc/$1/stat" || return 1
  # shellcheck disable=SC2086
  set -- $st
  echo "${22}"
}
jbuild_pause_start() {
  # the pause process waits for its id maps, then sleeps; its maps are written from here
  setsid unshare --user --mount --propagation slave -- /bin/sh -c \
    'while ! read -r _ </proc/self/uid_map; do sleep 0.005; done; exec sleep infinity' \
    </dev/null >/dev/null 2>&1 9>&- &
  p=$!
  i=0
  while [ "$(readlink "/proc/$p/ns/user" 2>/dev/null)" = "$(readlink /proc/self/ns/user)" ]; do
    i=$((i + 1)); [ $i -lt 2000 ] || jbuild_userns_fail "unshare --user did not start"
    sleep 0.005
  done
  [ -e "/proc/$p/ns/user" ] || jbuild_userns_fail "user namespaces are not allowed here (unshare --user failed; in a container with Docker's default security run jbuild as root: it then uses chroot isolation)"
  if [ "$uid" = 0 ]; then
    # root keeps every id it has: the store's ownership is the same as in root mode (all but the
    # last id of a full map: runc takes a map of all 4294967295 ids for the initial namespace)
    idmap='{ n = $3; if ($1 == 0 && n == 4294967295) n = 4294967294; printf "%s %s %.0f\n", $1, $1, n }'
    awk "$idmap" /proc/self/gid_map >"/proc/$p/gid_map" &&
      awk "$idmap" /proc/self/uid_map >"/proc/$p/uid_map" ||
      { kill "$p"; jbuild_userns_fail "cannot write the id maps of pid $p"; }
  else
    sub_u=$(awk -F: -v n="$user" -v u="$uid" '($1 == n || $1 == u) && $3 > 0 {print $2, $3; exit}' /etc/subuid 2>/dev/null)
    sub_g=$(awk -F: -v n="$user" -v u="$uid" '($1 == n || $1 == u) && $3 > 0 {print $2, $3; exit}' /etc/subgid 2>/dev/null)
    if [ -n "$sub_u" ] && [ -n "$sub_g" ] && command -v newuidmap >/dev/null 2>&1 && command -v newgidmap >/dev/null 2>&1; then
      newgidmap "$p" 0 "$gid" 1 1 $sub_g && newuidmap "$p" 0 "$uid" 1 1 $sub_u ||
        { kill "$p"; jbuild_userns_fail "newuidmap/newgidmap refused the ranges of $user in /etc/subuid and /etc/subgid"; }
    else
      # no subordinate ranges (or no uidmap package): only the user's own id, as root
      echo deny >"/proc/$p/setgroups" && echo "0 $gid 1" >"/proc/$p/gid_map" && echo "0 $uid 1" >"/proc/$p/uid_map" ||
        { kill "$p"; jbuild_userns_fail "cannot map uid $uid in a user namespace"; }
    fi
  fi
  echo "$user" >"$state/user"
  echo "$p $(jbuild_started "$p")" >"$state/userns.pid.tmp" && mv -f "$state/userns.pid.tmp" "$state/userns.pid"
}
pid=""
started=""
user=""
if [ -O "$state" ] && [ ! -L "$state" ] && [ -f "$state/userns.pid" ]; then
  read -r pid started 2>/dev/null <"$state/userns.pid"
  read -r user 2>/dev/null <"$state/user"
fi
if ! jbuild_pause_alive "$pid" "$started"; then
  user=$(id -un 2>/dev/null || echo "$uid")
  for t in unshare nsenter flock; do
    command -v "$t" >/dev/null 2>&1 || jbuild_userns_fail "$t not found (Debian package util-linux)"
  done
  mkdir -m 700 "$state" 2>/dev/null
  if [ -L "$state" ] || [ ! -d "$state" ] || [ ! -O "$state" ]; then
    jbuild_userns_fail "$state is not a directory of $user's"
  fi
  chmod 700 "$state"
  gid=$(id -g)
  exec 9>>"$state/userns.lock"
  flock 9 || jbuild_userns_fail "cannot lock $state/userns.lock"
  pid=""
  started=""
  [ ! -f "$state/userns.pid" ] || read -r pid started <"$state/userns.pid"
  if ! jbuild_pause_alive "$pid" "$started"; then
    jbuild_pause_start
    read -r pid started <"$state/userns.pid"
  fi
  exec 9>&-
fi
[ -n "$user" ] || user=$(id -un 2>/dev/null || echo "$uid")
JBUILD_USERNS="$uid:${gid:-}:$user:$state/userns.pid"
JBUILD_USER="$user"
export JBUILD_USERNS JBUILD_USER
# inside, uid 0 is named root: the user's own home stays the home (credentials, registries.json)
java="$1"
shift
if [ -n "$HOME" ]; then set -- "$java" "-Duser.home=$HOME" "$@"; else set -- "$java" "$@"; fi
exec nsenter --user --mount --target "$pid" --preserve-credentials --wd="$PWD" -- "$@"
