#!/bin/sh
# jbuild launcher, written by `mvn package` (builder-cli). Do not edit: edit
# builder-cli/src/main/launcher/jbuild.sh instead.
# JBUILD_JAVA picks the java binary (default: the JDK that built jbuild, then $JAVA_HOME, then PATH);
# JBUILD_JAVA_OPTS adds JVM options.
jar="@JAR@"
aot="@AOT@"
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
# A JDK that cannot use it ignores it (-Xlog keeps its complaint quiet).
cache=""
if [ -f "$aot" ] && [ -z "$JBUILD_NO_AOT" ]; then
  cache="-XX:AOTCache=$aot -Xlog:aot=off -Xlog:cds=off"
fi
# jbuild runs with C1 alone (short-lived: less compiling, a third faster no-op rebuilds); its one
# hot loop, SHA-256, is libcrypto's. Without libcrypto, C2 is needed to hash fast.
jit=""
found=""
for d in /usr/lib/*-linux-gnu /lib/*-linux-gnu /usr/lib64 /lib64 /usr/lib /usr/local/lib; do
  if [ -e "$d/libcrypto.so.3" ]; then found=1; break; fi
done
[ -n "$found" ] || jit="-XX:TieredStopAtLevel=4"
exec "$java" @JVM_FLAGS@ $jit $cache $JBUILD_JAVA_OPTS -jar "$jar" "$@"
