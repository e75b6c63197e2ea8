package dev.jbuild.serve;

import java.nio.file.Path;

/** Starts a daemon for a client test: a real {@code jbuild serve} process. */
final class Daemons {
  private Daemons() {}

  static DaemonProcess start(Path socket, Path root, Path dir) throws Exception {
    return DaemonProcess.start(root, socket, dir.resolve("daemon.log"));
  }
}
