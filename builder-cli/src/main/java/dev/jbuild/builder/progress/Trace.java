package dev.jbuild.builder.progress;

import java.lang.management.ManagementFactory;

/**
 * Phase timings for performance work: with {@code JBUILD_TRACE=1}, {@link #mark} prints the
 * milliseconds since the JVM started to stderr. Off by default and free when off.
 */
public final class Trace {
  private static final boolean ON = "1".equals(System.getenv("JBUILD_TRACE"));

  private Trace() {}

  public static void mark(String what) {
    if (ON) {
      System.err.println(
          "[trace] " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms " + what);
    }
  }
}
