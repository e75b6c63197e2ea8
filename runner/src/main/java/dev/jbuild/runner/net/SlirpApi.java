package dev.jbuild.runner.net;

import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * slirp4netns's API socket: {@code add_hostfwd} makes slirp4netns accept on a host address and port
 * and connect, from inside the namespace's stack, to the guest's port (rootlesskit's "builtin" port
 * driver does the same through its own process; here the stack that already serves the namespace
 * does it, so no other process, no iptables and no host bridge are involved). The forward lives as
 * long as the slirp4netns process.
 */
public final class SlirpApi {
  /** The socket's name in the network's directory. */
  public static final String SOCKET = "api.sock";

  private static final int MAX_REPLY = 64 * 1024;
  private static final long TIMEOUT_MS = 10_000;

  private SlirpApi() {}

  /**
   * Forwards {@code hostAddr:hostPort} ({@code proto} tcp or udp) to the namespace's {@code
   * guestPort}; a clear error when slirp4netns refuses (the port is taken, a bad address).
   */
  public static void addHostForward(
      Path dir, String proto, String hostAddr, int hostPort, int guestPort) throws IOException {
    JsonObject request =
        JsonObject.builder()
            .put("execute", "add_hostfwd")
            .put(
                "arguments",
                JsonObject.builder()
                    .put("proto", proto)
                    .put("host_addr", hostAddr)
                    .put("host_port", hostPort)
                    .put("guest_port", guestPort)
                    .build())
            .build();
    JsonObject reply = call(dir, request);
    JsonObject error = reply.object("error");
    if (error != null || reply.object("return") == null) {
      String desc = error == null ? reply.toString() : error.string("desc", error.toString());
      throw new RunnerException(
          "cannot publish port "
              + (hostAddr.isEmpty() ? "" : hostAddr + ":")
              + hostPort
              + ":"
              + guestPort
              + "/"
              + proto
              + ": "
              + desc,
          RunnerErrors.CANNOT_CREATE);
    }
  }

  private static JsonObject call(Path dir, JsonObject request) throws IOException {
    // the directory's descriptor names the socket through /proc/self/fd: a short path
    try (RootDir d = RootDir.open(dir);
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(d.dir().procPath(SOCKET)));
      // a stack that does not answer is cut off: the blocked read then fails
      java.nio.channels.Channel cutOff = ch;
      Thread watchdog =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      Thread.sleep(TIMEOUT_MS);
                      cutOff.close();
                    } catch (InterruptedException | IOException e) {
                      // answered in time
                    }
                  });
      try {
        ch.write(ByteBuffer.wrap(request.toBytes()));
        ByteBuffer buf = ByteBuffer.allocate(MAX_REPLY);
        String text = "";
        while (buf.hasRemaining() && ch.read(buf) >= 0) {
          text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
          try {
            return Json.parseObject(text);
          } catch (IllegalArgumentException e) {
            // not the whole answer yet
          }
        }
        throw new RunnerException(
            "slirp4netns's API answered \"" + text + "\"", RunnerErrors.CANNOT_CREATE);
      } catch (java.nio.channels.ClosedChannelException e) {
        throw new RunnerException(
            "slirp4netns's API did not answer within " + TIMEOUT_MS / 1000 + " s",
            RunnerErrors.CANNOT_CREATE);
      } finally {
        watchdog.interrupt();
      }
    }
  }
}
