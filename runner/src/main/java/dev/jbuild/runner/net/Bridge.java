package dev.jbuild.runner.net;

import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.sys.MountTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A user network's bridge: a network namespace of its own ({@code NETDIR/netns}, made by {@link
 * Netns}) holding bridge {@code br0} with the gateway address; a container joins with a veth pair,
 * one end on the bridge in the network's namespace, the other ({@code ethN}) in the container's
 * namespace. Nothing is created in the host's own network namespace. The links are made with
 * iproute2's {@code ip} run under {@code nsenter --net=FILE} (a few ms each); a container's end
 * disappears with the container's namespace, the bridge with {@link #remove}.
 */
public final class Bridge {
  private static final long TIMEOUT_S = 20;

  private Bridge() {}

  /**
   * Makes sure the network's namespace exists with its bridge ({@code gatewayCidr} on br0): made
   * when missing (first use, or after a reboot lost the mount).
   */
  public static synchronized void ensure(Path netDir, String gatewayCidr) throws IOException {
    Path netns = netDir.resolve(UserNetwork.NETNS);
    if (Files.exists(netns) && MountTable.mountPoints().contains(netns)) {
      try {
        ip(netns, "link", "show", "br0");
        return;
      } catch (RunnerException e) {
        // a jbuild killed while it set the namespace up: start again
      }
    }
    Netns.remove(netns);
    Netns.create(netns);
    try {
      ip(netns, "link", "set", "lo", "up");
      ip(netns, "link", "add", "br0", "type", "bridge");
      ip(netns, "addr", "add", gatewayCidr, "dev", "br0");
      ip(netns, "link", "set", "br0", "up");
    } catch (IOException e) {
      Netns.remove(netns);
      throw e;
    }
  }

  /**
   * Connects the namespace {@code containerNetns} to the bridge: veth {@code hostSide} on br0, its
   * peer {@code ifname} (eth1, eth2, ...) with {@code cidr} in the container.
   */
  public static void attach(
      Path netDir, Path containerNetns, String hostSide, String ifname, String cidr)
      throws IOException {
    Path netns = netDir.resolve(UserNetwork.NETNS);
    ip(
        netns,
        "link",
        "add",
        hostSide,
        "type",
        "veth",
        "peer",
        "name",
        ifname,
        "netns",
        containerNetns.toString());
    ip(netns, "link", "set", hostSide, "master", "br0", "up");
    ip(containerNetns, "addr", "add", cidr, "dev", ifname);
    ip(containerNetns, "link", "set", ifname, "up");
  }

  /** Removes the container's end ({@code hostSide} in the network's namespace); none: nothing. */
  public static void detach(Path netDir, String hostSide) throws IOException {
    Path netns = netDir.resolve(UserNetwork.NETNS);
    if (Files.exists(netns)) {
      try {
        ip(netns, "link", "del", hostSide);
      } catch (RunnerException e) {
        // gone with the container's namespace
      }
    }
  }

  /** Removes the network's namespace (and so its bridge and every veth end on it). */
  public static void remove(Path netDir) throws IOException {
    Netns.remove(netDir.resolve(UserNetwork.NETNS));
  }

  private static void ip(Path netns, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netns, "ip"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out;
    try {
      if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new RunnerException(
            "ip " + String.join(" ", args) + " timed out", RunnerErrors.CANNOT_CREATE);
      }
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted: ip " + String.join(" ", args));
    }
    if (p.exitValue() != 0) {
      throw new RunnerException(
          "cannot set up the network (ip " + String.join(" ", args) + "): " + out,
          RunnerErrors.CANNOT_CREATE);
    }
  }
}
