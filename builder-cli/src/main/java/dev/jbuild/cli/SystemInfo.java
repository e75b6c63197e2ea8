package dev.jbuild.cli;

import dev.jbuild.builder.run.Binfmt;
import dev.jbuild.layercache.fs.UserNamespace;
import dev.jbuild.runner.Isolation;
import dev.jbuild.runner.RunRequest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code jbuild system info}: how this jbuild runs here (isolation, ids, store, tools). */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Show how jbuild runs here: isolation, user namespace, store, runtime, network.")
public final class SystemInfo implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    JbuildCommand root = JbuildCommand.of(spec);
    Isolation isolation = root.isolation();
    PrintWriter out = spec.commandLine().getOut();
    out.println("Isolation:      " + isolation.option() + " (" + isolation.description() + ")");
    UserNamespace ns = UserNamespace.current();
    if (ns.isInitial()) {
      out.println(
          "User namespace: the host's (uid " + dev.jbuild.layercache.fs.Posix.geteuid() + ")");
    } else {
      out.println("User namespace: uids " + maps(ns.uids()) + "; gids " + maps(ns.gids()));
      if (ns.uids().size() == 1 && ns.uids().getFirst().count() == 1) {
        out.println(
            "                one id only: steps that need another uid fail; add ranges to"
                + " /etc/subuid and /etc/subgid, then 'jbuild system migrate'");
      }
    }
    out.println("Store:          " + root.storeRoot());
    out.println(
        "Runtime:        "
            + (isolation == Isolation.CHROOT
                ? "none (chroot)"
                : which(RunRequest.DEFAULT_RUNTIME)));
    out.println(
        "Network:        "
            + (isolation == Isolation.CHROOT
                ? "the host's (chroot)"
                : "private per build through " + which(Path.of("slirp4netns"))));
    out.println("Platforms:      " + platforms());
    out.println("Kernel:         " + System.getProperty("os.version"));
    out.println("Java:           " + Runtime.version());
    out.flush();
    return ExitCodes.OK;
  }

  /**
   * The platforms RUN steps can run for: this machine's, then each one a binfmt_misc handler
   * emulates (QEMU user mode), as {@code docker buildx inspect} lists them.
   */
  private static String platforms() {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (var p : Binfmt.runnable(Binfmt.DEFAULT_DIR)) {
      names.add(p.toString());
    }
    return String.join(", ", names);
  }

  private static String maps(java.util.List<UserNamespace.Range> ranges) {
    StringBuilder b = new StringBuilder();
    for (UserNamespace.Range r : ranges) {
      if (!b.isEmpty()) {
        b.append(", ");
      }
      b.append(range(r.inside(), r.count())).append(" -> ").append(range(r.outside(), r.count()));
    }
    return b.toString();
  }

  private static String range(long from, long count) {
    return count == 1 ? Long.toString(from) : from + "-" + (from + count - 1);
  }

  /** The binary's path ({@code PATH} lookup for a bare name), or "not found". */
  static String which(Path binary) {
    if (binary.isAbsolute()) {
      return Files.isExecutable(binary) ? binary.toString() : binary + " (not found)";
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir).resolve(binary))) {
        return Path.of(dir).resolve(binary).toString();
      }
    }
    return binary + " (not found in PATH)";
  }
}
