package dev.jbuild.serve;

import dev.jbuild.testing.LocalRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real registry (Debian's {@code docker-registry} on 127.0.0.1 and a free port) for the daemon
 * tests of a test JVM, holding busybox images made at test time ({@link
 * LocalRegistry#serveBusyboxMulti}). Started on first use and stopped when the JVM exits, so the
 * tests need neither the lab's registry nor the internet: CI has neither.
 */
final class TestRegistry {
  private static LocalRegistry registry;
  private static String prefix;

  private TestRegistry() {}

  /** The registry's {@code host:port}. */
  static synchronized String host() {
    start();
    return registry.host();
  }

  /** {@code host:port/library/busybox:latest}, a one-platform busybox image. */
  static synchronized String busybox() {
    start();
    return prefix + "busybox:latest";
  }

  private static synchronized void start() {
    if (registry != null) {
      return;
    }
    try {
      Path scratch = Files.createTempDirectory("jbt-serve-registry");
      LocalRegistry started = LocalRegistry.start();
      Runtime.getRuntime().addShutdownHook(new Thread(started::close));
      prefix = started.serveBusyboxMulti(scratch);
      registry = started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
