package dev.jbuild.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training workload of client mode's own AOT cache ({@code jbuild-client.aot}, written by
 * {@code mvn package}, see builder-cli/pom.xml): a {@code jbuild serve} in another process (so that
 * none of the daemon's classes enter this cache), and in this JVM the client's commands against it:
 * a cold build of a context of a few hundred files, its no-op rebuild (the context manifest, what
 * {@code jbuild --host} users run most), a rebuild after a change, and a listing. The launcher maps
 * this cache in client mode instead of the full one: a client loads about 1,500 classes (the JDK's
 * included), and mapping the full cache's 4,000 cost it more than it saved. Needs no root or
 * network; a failing step only makes the cache smaller.
 *
 * <p>Usage: {@code java -XX:AOTCacheOutput=jbuild-client.aot -cp jbuild.jar
 * dev.jbuild.cli.ClientTraining WORK CONTEXT}
 */
public final class ClientTraining {
  private ClientTraining() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Path context = Path.of(args[1]);
    // files enough for the walk's and the manifest's loops to be profiled
    for (int d = 0; d < 10; d++) {
      Path dir = Files.createDirectories(context.resolve("many/d" + d));
      for (int f = 0; f < 40; f++) {
        Files.writeString(dir.resolve("f" + f + ".txt"), "file " + d + "/" + f + "\n");
      }
    }
    Path socket = work.resolve("d.sock");
    Path jar =
        Path.of(ClientTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Process daemon =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    jar.toString(),
                    Main.class.getName(),
                    "--root",
                    work.resolve("store").toString(),
                    "serve",
                    "-H",
                    "unix://" + socket))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("daemon.log").toFile()))
            .redirectErrorStream(true)
            .start();
    try {
      if (!awaitPing(daemon, socket)) {
        System.err.println("jbuild AOT client training: the daemon did not start (no cache)");
        return;
      }
      String host = "unix://" + socket;
      String[] build = {"--host", host, "build", "-q", "-t", "train:1", context.toString()};
      step(Main.run(build));
      step(Main.run(build));
      Files.writeString(
          context.resolve("b.txt"),
          "changed\n",
          StandardOpenOption.APPEND,
          StandardOpenOption.CREATE);
      step(Main.run(build));
      step(Main.run(build));
      step(Main.run("--host", host, "images", "-q"));
    } finally {
      daemon.destroy();
      if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
  }

  private static void step(int exit) {
    if (exit != 0) {
      System.err.println(
          "jbuild AOT client training: a step exited " + exit + " (the cache covers less)");
    }
  }

  /**
   * Waits up to a minute for the daemon's {@code _ping}; false when it exited or never answered.
   */
  private static boolean awaitPing(Process daemon, Path socket) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end && daemon.isAlive()) {
      if (Files.exists(socket)) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          ch.connect(UnixDomainSocketAddress.of(socket));
          ch.write(
              ByteBuffer.wrap(
                  "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"
                      .getBytes(StandardCharsets.US_ASCII)));
          ByteBuffer answer = ByteBuffer.allocate(512);
          while (ch.read(answer) >= 0 && answer.hasRemaining()) {
            // to the close
          }
          if (new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII)
              .contains("OK")) {
            return true;
          }
        } catch (IOException e) {
          // not listening yet
        }
      }
      Thread.sleep(50);
    }
    return false;
  }
}
