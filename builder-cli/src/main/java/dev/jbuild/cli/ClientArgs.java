package dev.jbuild.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a command names on the client's machine, for client mode ({@code jbuild --host}): the one
 * table both sides read. The client reads it from its own parse of the arguments to know what to
 * send (a context as a tar, a file, the names of environment variables) and what it will receive
 * (an {@code --iidfile}, an {@code -o} directory); the daemon reads it from its parse of the same
 * arguments to point the command at its copies and to refuse what cannot be carried. The items are
 * numbered in order, so both sides agree on item {@code i} without naming it in the protocol.
 *
 * <p>Everything that is not in this table and names a path, a socket, a program or a process-wide
 * resource of the machine it runs on is refused in client mode, never done on the daemon's machine.
 */
public final class ClientArgs {
  private ClientArgs() {}

  /** How an item travels. */
  public enum Kind {
    /** A build context directory: sent as a tar filtered by its .dockerignore. */
    CONTEXT,
    /** A directory sent whole (a named build context). */
    DIR,
    /** A file sent as it is (a secret, an archive to load). */
    FILE,
    /** A Dockerfile sent with its {@code NAME.dockerignore} when there is one. */
    DOCKERFILE,
    /** A file the command writes, sent back to the client. */
    OUT_FILE,
    /** A directory the command fills, sent back to the client. */
    OUT_DIR,
    /** A file the command writes that the client prints on its stdout (an {@code dest=-}). */
    OUT_STDOUT;

    public boolean upload() {
      return ordinal() <= DOCKERFILE.ordinal();
    }
  }

  /**
   * One client path: its kind, the path as the client wrote it, and how the daemon points the
   * command at its own copy.
   */
  public record Carried(Kind kind, String clientPath, Consumer<Path> redirect) {}

  /**
   * What a command needs carried: paths, the environment variables it reads by name ({@code
   * --build-arg NAME}, {@code -e NAME}, {@code --secret env=NAME}) and whether it reads stdin.
   */
  public record Plan(List<Carried> paths, Set<String> envNames, boolean stdin) {}

  /** The commands that name nothing on the client's machine. */
  private static final Set<String> PLAIN =
      Set.of(
          "ImagesCommand",
          "InspectCommand",
          "HistoryCommand",
          "TagCommand",
          "RmiCommand",
          "PruneCommand",
          "PsCommand",
          "LogsCommand",
          "StopCommand",
          "LifecycleCommands$Restart",
          "LifecycleCommands$Kill",
          "LifecycleCommands$Wait",
          "LifecycleCommands$Pause",
          "LifecycleCommands$Unpause",
          "LifecycleCommands$Rename",
          "LifecycleCommands$Top",
          "LifecycleCommands$ContainerInspectCommand",
          "LifecycleCommands$ContainerPrune",
          "RmCommand",
          "PortCommand",
          "PullCommand",
          "PushCommand",
          "SystemCommand$Df",
          "SystemInfo",
          "LifecycleCommands$Start",
          "ManifestCommand$Create",
          "ManifestCommand$Add",
          "ManifestCommand$Remove",
          "ManifestCommand$Inspect",
          "ManifestCommand$Rm");

  /**
   * The plan of the command picocli parsed ({@code command} is the innermost user object).
   *
   * @throws UserException (usage) for what client mode cannot carry
   */
  public static Plan of(Object command) {
    List<Carried> paths = new ArrayList<>();
    Set<String> env = new LinkedHashSet<>();
    boolean stdin = false;
    String pkg = command.getClass().getPackageName();
    String simple = command.getClass().getName().substring(pkg.length() + 1);
    if (PLAIN.contains(simple)
        || (pkg.equals("dev.jbuild.cli")
            && (simple.startsWith("VolumeCommand$") || simple.startsWith("NetworkCommand$")))) {
      return new Plan(paths, env, false);
    }
    // instanceof, not a pattern switch: the switch would load every class it names
    if (command instanceof BuildCommand b) {
      stdin = build(b, paths, env);
    } else if (command instanceof LoadCommand l) {
      if (l.input == null) {
        stdin = true;
      } else {
        paths.add(new Carried(Kind.FILE, l.input.toString(), p -> l.input = p));
      }
    } else if (command instanceof SaveCommand s) {
      if (s.output != null) {
        paths.add(new Carried(Kind.OUT_FILE, s.output.toString(), p -> s.output = p));
      }
    } else if (command instanceof RunCommand r) {
      run(r, paths, env);
    } else if (command instanceof ExecCommand e) {
      if (e.interactive || e.tty) {
        throw refused("exec -i/-t (a terminal or stdin through the daemon)");
      }
      bareNames(e.env, env);
    } else {
      throw refused(commandName(command));
    }
    return new Plan(paths, env, stdin);
  }

  private static boolean build(BuildCommand b, List<Carried> paths, Set<String> env) {
    boolean stdin = false;
    if (b.context == null) {
      // picocli has refused the command already; nothing to carry
    } else if (b.context.equals("-")) {
      stdin = true;
    } else if (!dev.jbuild.builder.remote.RemoteContexts.isRemote(b.context)) {
      paths.add(new Carried(Kind.CONTEXT, b.context, p -> b.context = p.toString()));
    }
    if ("-".equals(b.file)) {
      stdin = true;
    } else if (b.file != null) {
      // a -f that is a path on the client is sent; a name inside the context is not (the client
      // sends nothing for it, and the daemon then looks it up in the context only)
      paths.add(
          new Carried(
              Kind.DOCKERFILE,
              b.file,
              p -> {
                b.file = p.toString();
              }));
    }
    if (b.iidfile != null) {
      paths.add(new Carried(Kind.OUT_FILE, b.iidfile.toString(), p -> b.iidfile = p));
    }
    if (b.metadataFile != null) {
      paths.add(new Carried(Kind.OUT_FILE, b.metadataFile.toString(), p -> b.metadataFile = p));
    }
    if (b.runtime != null) {
      throw refused("--runtime (a program on the daemon's machine)");
    }
    if (!b.ssh.isEmpty()) {
      throw refused("--ssh (an agent socket on the client's machine)");
    }
    if (b.load) {
      throw refused("--load (the docker daemon of the daemon's machine)");
    }
    for (String c : b.cacheFrom) {
      if (squeezed(c).contains("type=local")) {
        throw refused("--cache-from type=local (a directory on the client's machine)");
      }
    }
    for (String c : b.cacheTo) {
      if (squeezed(c).contains("type=local")) {
        throw refused("--cache-to type=local (a directory on the client's machine)");
      }
    }
    bareNames(b.buildArgs, env);
    for (int i = 0; i < b.secrets.size(); i++) {
      secret(b.secrets, i, paths, env);
    }
    for (int i = 0; i < b.buildContexts.size(); i++) {
      buildContext(b.buildContexts, i, paths);
    }
    for (int i = 0; i < b.outputs.size(); i++) {
      output(b.outputs, i, paths);
    }
    if (b.quiet && paths.stream().anyMatch(c -> c.kind() == Kind.OUT_STDOUT)) {
      // the command's own check, on the values as written (dest=- becomes a file on the daemon)
      Outputs.check(Outputs.parse(b.outputs), b.load, b.tags, b.quiet, false);
    }
    return stdin;
  }

  private static void run(RunCommand r, List<Carried> paths, Set<String> env) {
    if (r.interactive || r.tty) {
      throw refused("run -i/-t (a terminal or stdin through the daemon)");
    }
    if (!r.envFiles.isEmpty()) {
      throw refused("run --env-file (a file on the client's machine)");
    }
    if (r.runtime != null) {
      throw refused("run --runtime (a program on the daemon's machine)");
    }
    for (String v : r.volumes) {
      int colon = v.indexOf(':');
      if (colon > 0 && (v.startsWith("/") || v.startsWith("."))) {
        throw refused("-v " + v + " (a bind mount of a path on the daemon's machine)");
      }
    }
    for (String m : r.mounts) {
      if (squeezed(m).contains("type=bind")) {
        throw refused("--mount " + m + " (a bind mount of a path on the daemon's machine)");
      }
    }
    for (int i = 0; i < r.securityOpts.size(); i++) {
      String o = r.securityOpts.get(i);
      if (o.startsWith("seccomp=") && !o.equals("seccomp=unconfined")) {
        int index = i;
        paths.add(
            new Carried(
                Kind.FILE,
                o.substring("seccomp=".length()),
                p -> r.securityOpts.set(index, "seccomp=" + p)));
      }
    }
    bareNames(r.env, env);
  }

  /** {@code NAME} alone (no {@code =}) takes its value from the environment: the client's. */
  private static void bareNames(List<String> specs, Set<String> env) {
    for (String s : specs) {
      if (!s.isEmpty() && s.indexOf('=') < 0) {
        env.add(s);
      }
    }
  }

  /** A secret read from a file is sent; one read from a variable sends the variable. */
  private static void secret(List<String> specs, int index, List<Carried> paths, Set<String> env) {
    String[] f = secretFields(specs.get(index));
    if (f == null) {
      return; // Secrets.parse reports it, on both sides
    }
    String id = f[0];
    String src = f[1];
    String var = f[2];
    String type = f[3];
    if ("env".equals(type) || src == null) {
      env.add(var != null ? var : src != null ? src : id);
      return;
    }
    paths.add(new Carried(Kind.FILE, src, p -> specs.set(index, "id=" + id + ",src=" + p)));
  }

  /** id, src, env, type of a {@code --secret} value, or null when it is malformed. */
  private static String[] secretFields(String spec) {
    String[] out = new String[4];
    for (String field : spec.split(",")) {
      int eq = field.indexOf('=');
      if (eq <= 0) {
        return null;
      }
      String k = field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String v = field.substring(eq + 1).trim();
      switch (k) {
        case "id" -> out[0] = v;
        case "src", "source" -> out[1] = v;
        case "env" -> out[2] = v;
        case "type" -> out[3] = v;
        default -> {
          return null;
        }
      }
    }
    return out[0] == null || out[0].isEmpty() ? null : out;
  }

  private static void buildContext(List<String> specs, int index, List<Carried> paths) {
    String spec = specs.get(index);
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      return; // BuildContextSpecs reports it
    }
    String name = spec.substring(0, eq);
    String value = spec.substring(eq + 1);
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.startsWith("oci-layout://")) {
      throw refused("--build-context " + spec + " (an OCI layout on the client's machine)");
    }
    if (lower.startsWith("docker-image://")
        || lower.startsWith("target:")
        || lower.contains("://")
        || dev.jbuild.builder.remote.RemoteContexts.isRemote(value)) {
      return;
    }
    paths.add(new Carried(Kind.DIR, value, p -> specs.set(index, name + "=" + p)));
  }

  /** {@code -o}: a destination on the client comes back to it; an image stays on the daemon. */
  private static void output(List<String> specs, int index, List<Carried> paths) {
    String spec = specs.get(index);
    if (!spec.contains("=")) {
      if (spec.equals("-")) {
        paths.add(new Carried(Kind.OUT_STDOUT, spec, p -> specs.set(index, "type=tar,dest=" + p)));
      } else if (!spec.isEmpty()) {
        paths.add(new Carried(Kind.OUT_DIR, spec, p -> specs.set(index, "type=local,dest=" + p)));
      }
      return;
    }
    String type = null;
    String dest = null;
    List<String> rest = new ArrayList<>();
    for (String f : spec.split(",")) {
      int eq = f.indexOf('=');
      String key = eq < 0 ? f : f.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : f.substring(eq + 1).trim();
      if (key.equals("type")) {
        type = value;
      } else if (key.equals("dest")) {
        dest = value;
        continue;
      }
      rest.add(f);
    }
    if (spec.indexOf('"') >= 0) {
      throw refused("-o " + spec + " (quoted fields)");
    }
    if (dest == null) {
      if ("docker".equals(type)) {
        throw refused("-o type=docker without dest (the docker daemon of the daemon's machine)");
      }
      return;
    }
    Kind kind =
        dest.equals("-") ? Kind.OUT_STDOUT : "local".equals(type) ? Kind.OUT_DIR : Kind.OUT_FILE;
    String prefix = String.join(",", rest);
    paths.add(new Carried(kind, dest, p -> specs.set(index, prefix + ",dest=" + p)));
  }

  private static String squeezed(String spec) {
    return spec.toLowerCase(Locale.ROOT).replace(" ", "").replace("\t", "").replace("\"", "");
  }

  private static String commandName(Object command) {
    picocli.CommandLine.Command c =
        command.getClass().getAnnotation(picocli.CommandLine.Command.class);
    return c != null ? c.name() : command.getClass().getSimpleName();
  }

  /** The items as the request names them ({@code KIND path}), for the daemon to compare. */
  public static List<String> describe(Plan plan) {
    List<String> out = new ArrayList<>();
    for (Carried c : plan.paths()) {
      out.add(c.kind() + " " + c.clientPath());
    }
    return out;
  }

  /** The one-line refusal of client mode (usage, exit 2). */
  public static UserException refused(String what) {
    return new UserException(
        ExitCodes.USAGE,
        "not available with --host: " + what + "; run it on the daemon's machine without --host");
  }

  /**
   * On the daemon: replaces {@code NAME} alone by {@code NAME=VALUE} from the client's variables,
   * and drops it when the client does not have it (as the command drops an unset one); a secret
   * read from a variable becomes a file of the client's value in {@code privateDir} (dropped when
   * the client does not have it). So a name never reads the daemon's own environment.
   */
  public static void resolveNames(Object command, Map<String, String> clientEnv, Path privateDir)
      throws java.io.IOException {
    switch (command) {
      case BuildCommand b -> {
        resolve(b.buildArgs, clientEnv);
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < b.secrets.size(); i++) {
          String spec = b.secrets.get(i);
          String[] f = secretFields(spec);
          if (f == null || (!"env".equals(f[3]) && f[1] != null)) {
            secrets.add(spec);
            continue;
          }
          String value = clientEnv.get(f[2] != null ? f[2] : f[1] != null ? f[1] : f[0]);
          if (value != null) {
            java.nio.file.Files.createDirectories(privateDir);
            Path file = privateDir.resolve("secret-" + i);
            java.nio.file.Files.write(
                java.nio.file.Files.createFile(
                    file,
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))),
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            secrets.add("id=" + f[0] + ",src=" + file);
          }
        }
        b.secrets.clear();
        b.secrets.addAll(secrets);
      }
      case RunCommand r -> resolve(r.env, clientEnv);
      case ExecCommand e -> resolve(e.env, clientEnv);
      default -> {}
    }
  }

  private static void resolve(List<String> specs, Map<String, String> clientEnv) {
    List<String> out = new ArrayList<>();
    for (String s : specs) {
      if (s.isEmpty() || s.indexOf('=') >= 0) {
        out.add(s);
      } else if (clientEnv.containsKey(s)) {
        out.add(s + "=" + clientEnv.get(s));
      }
    }
    specs.clear();
    specs.addAll(out);
  }
}
