package dev.jbuild.builder.exec;

import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Posix;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Links the FFM downcalls that writing trees uses (a COPY step's files, a layer unpacked, a RUN's
 * changes), on a virtual thread, once per process: called when a build first knows it will write (a
 * base image pulled, a step missed), so that a cold or incremental build does not pay for the
 * linking (milliseconds per function) on its critical path, and a no-op build never pays for it.
 */
final class WritePrelink {
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private WritePrelink() {}

  static void start() {
    if (STARTED.compareAndSet(false, true)) {
      Thread.ofVirtual()
          .name("jbuild-prelink")
          .start(
              () -> {
                try {
                  At.prelinkWrites();
                  Posix.prelinkWrites();
                } catch (Throwable ignored) {
                  // the write that needs the call reports it
                }
              });
    }
  }
}
