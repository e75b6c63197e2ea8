package dev.jbuild.cli;

import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.model.NativeSha256;
import dev.jbuild.layercache.store.CacheRecords;

/**
 * Start-up work a build needs soon, done on a second thread while the main one builds picocli's
 * command model (most machines have a second core idle at that moment): linking the FFM downcalls
 * that opening the store and reading the Dockerfile use (the JDK spins a few classes for each,
 * which the AOT cache cannot hold), libcrypto's SHA-256, and the Dockerfile lexer's tables. Each
 * piece is a class initialisation, which the JVM runs once whichever thread gets there first; it
 * has no other effect, and a failure here is left for the real call to report.
 */
final class Warmup {
  private Warmup() {}

  static void start() {
    Thread.ofPlatform().daemon().name("jbuild-warm-up").start(Warmup::run);
  }

  private static void run() {
    try {
      // in the order the build reaches them: opening the store, reading the Dockerfile, the parse,
      // the first digests
      Posix.prelink();
      CacheRecords.prelink();
      At.prelinkReads();
      Dockerfiles.parse("warm-up", "FROM scratch\nRUN true\nCOPY a b\n");
      NativeSha256.available();
    } catch (Throwable ignored) {
      // the same call on the main thread reports it
    }
  }
}
