package dev.jbuild.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild system migrate}: stops the pause process that keeps jbuild's user namespace alive,
 * so the next jbuild makes a new one from the current /etc/subuid and /etc/subgid (as {@code podman
 * system migrate}). Running containers keep the old namespace until they exit.
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description =
        "Rootless: start a new user namespace with the current /etc/subuid and /etc/subgid ranges.")
public final class SystemMigrate implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String userns = System.getenv("JBUILD_USERNS");
    if (userns == null || userns.split(":", 4).length < 4) {
      out.println("nothing to migrate: jbuild does not run in its user namespace here");
      out.flush();
      return ExitCodes.OK;
    }
    Path pidFile = Path.of(userns.split(":", 4)[3]);
    long pid;
    try {
      // "PID STARTTIME", written by the launcher
      pid =
          Long.parseLong(
              Files.readString(pidFile, StandardCharsets.US_ASCII).trim().split("\\s+")[0]);
    } catch (java.io.IOException | NumberFormatException e) {
      out.println("nothing to migrate: no pause process (" + pidFile + ")");
      out.flush();
      return ExitCodes.OK;
    }
    Optional<ProcessHandle> pause = ProcessHandle.of(pid);
    boolean isPause =
        pause.isPresent()
            && pause.get().info().command().map(c -> c.endsWith("/sleep")).orElse(false)
            && pause
                .get()
                .info()
                .arguments()
                .map(a -> a.length == 1 && a[0].equals("infinity"))
                .orElse(false);
    if (isPause) {
      pause.get().destroy();
    }
    Files.deleteIfExists(pidFile);
    out.println(
        "stopped jbuild's user namespace"
            + (isPause ? " (pause process " + pid + ")" : "")
            + ": the next jbuild makes a new one from /etc/subuid and /etc/subgid");
    out.flush();
    return ExitCodes.OK;
  }
}
