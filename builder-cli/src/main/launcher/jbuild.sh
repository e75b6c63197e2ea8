#!/bin/sh
# jbuild launcher, written by `mvn package` (builder-cli). Do not edit: edit
# builder-cli/src/main/launcher/jbuild.sh instead.
# JBUILD_JAVA picks the java binary (default: the JDK that built jbuild, then $JAVA_HOME, then PATH);
# JBUILD_JAVA_OPTS adds JVM options.
jar="@JAR@"
if [ -n "$JBUILD_JAVA" ]; then java="$JBUILD_JAVA"
elif [ -x "@JAVA_HOME@/bin/java" ]; then java="@JAVA_HOME@/bin/java"
elif [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"
else java=java
fi
if [ ! -f "$jar" ]; then
  echo "jbuild: $jar is missing; run 'mvn package' in the repository" >&2
  exit 127
fi
exec "$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xss1m -XX:MaxRAM=1g -Xmx256m \
  -XX:TieredStopAtLevel=4 $JBUILD_JAVA_OPTS -jar "$jar" "$@"
