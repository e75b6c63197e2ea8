package dev.jbuild.testing;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP server on the host's 127.0.0.1 (a stand-in for a registry, a database, a metadata endpoint)
 * answering {@link #BODY}, and what a step would try to reach it by.
 */
public final class HostServer implements AutoCloseable {
  public static final String BODY = "host-secret";
  private final ServerSocket server;
  private final Thread acceptor;

  public HostServer() throws IOException {
    server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    acceptor =
        Thread.ofPlatform()
            .daemon()
            .name("host-server")
            .start(
                () -> {
                  while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                      s.getOutputStream().write((BODY + "\n").getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                      // closed, or the client went away
                    }
                  }
                });
  }

  public int port() {
    return server.getLocalPort();
  }

  /** 127.0.0.1, slirp4netns's gateway 10.0.2.2, and every other IPv4 address of the host. */
  public static List<String> hostAddresses() throws IOException {
    List<String> out = new ArrayList<>(List.of("127.0.0.1", "10.0.2.2"));
    for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
      for (InetAddress a : nif.inetAddresses().toList()) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          out.add(a.getHostAddress());
        }
      }
    }
    return out;
  }

  /** A shell command printing what the server sends, reached at {@code address} (busybox nc). */
  public String fetch(String address) {
    return "nc -w 3 " + address + " " + port() + " </dev/null";
  }

  /** A shell line printing "ADDR ok" or "ADDR refused" for each host address. */
  public String probeScript() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String a : hostAddresses()) {
      sb.append("if ")
          .append(fetch(a))
          .append(" 2>/dev/null | grep -q ")
          .append(BODY)
          .append("; then echo '")
          .append(a)
          .append(" ok'; else echo '")
          .append(a)
          .append(" refused'; fi; ");
    }
    return sb.toString();
  }

  /** The pids of slirp4netns processes working for the store at {@code root}. */
  public static List<Long> slirpProcesses(Path root) throws IOException {
    List<Long> out = new ArrayList<>();
    try (var s = Files.list(Path.of("/proc"))) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          String argv0 = cmd.indexOf('\0') < 0 ? cmd : cmd.substring(0, cmd.indexOf('\0'));
          if (argv0.endsWith("slirp4netns") && cmd.contains(root.toString())) {
            out.add(Long.parseLong(name));
          }
        } catch (IOException e) {
          // exited meanwhile
        }
      }
    }
    return out;
  }

  /** Waits up to 5 s for the store's slirp4netns processes to end; those still there. */
  public static List<Long> awaitNoSlirp(Path root) throws IOException, InterruptedException {
    List<Long> left = slirpProcesses(root);
    for (int i = 0; i < 100 && !left.isEmpty(); i++) {
      Thread.sleep(50);
      left = slirpProcesses(root);
    }
    return left;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
