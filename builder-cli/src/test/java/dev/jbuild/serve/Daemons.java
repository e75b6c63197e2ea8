package dev.jbuild.serve;

import java.nio.file.Path;

/** Starts a daemon for a test (the temporary in-JVM one until the real server lands). */
final class Daemons {
  private Daemons() {}

  static AutoCloseable start(Path socket, Path root, Path dir) throws Exception {
    return new TinyDaemon(socket, root, System.getenv());
  }
}
