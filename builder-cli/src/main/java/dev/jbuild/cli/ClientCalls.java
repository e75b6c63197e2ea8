package dev.jbuild.cli;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * The daemon's side of client mode: runs one client's command line in this process, as {@code
 * jbuild} would run it on the client, with the call's own store, environment and streams ({@link
 * JbuildCommand}'s call fields) instead of the process's. Everything the client sent is hostile:
 * the arguments are parsed by picocli as usual, then every path they name is pointed at the call's
 * work directory ({@link ClientArgs}), and what cannot be carried is refused before the command
 * runs.
 */
public final class ClientCalls {
  private ClientCalls() {}

  /** The settings variables a client's own values are used for (the rest are the daemon's). */
  public static final Set<String> CLIENT_SETTINGS =
      Set.of("SOURCE_DATE_EPOCH", "BUILDX_NO_DEFAULT_ATTESTATIONS", "TERM", "COLUMNS", "NO_COLOR");

  /** Global options a client may send (the others name the daemon's store or isolation). */
  private static final Set<String> CLIENT_GLOBALS = Set.of("--debug");

  /**
   * One call: the client's arguments (its --host options removed), its variables the command names,
   * its settings variables ({@link #CLIENT_SETTINGS}), whether its stderr is a terminal, whether a
   * context manifest follows ({@link Manifest}).
   */
  public record Request(
      List<String> argv,
      Map<String, String> env,
      Map<String, String> settings,
      boolean tty,
      List<String> items,
      String client,
      String cwd,
      boolean manifest) {}

  /**
   * A call's context manifest ({@link ContextManifest}): the client's records in, the daemon's
   * answer out (a stream of frames whose close sends the end mark). Answered once: by the command
   * when it reads its contexts, else by {@link #refuseIfUnanswered} after it.
   */
  public static final class Manifest {
    private final InputStream records;
    private final OutputStream answer;
    private boolean answered;

    public Manifest(InputStream records, OutputStream answer) {
      this.records = records;
      this.answer = answer;
    }

    /**
     * When the command never read the manifest (it failed first, or named no context): reads it to
     * its end and answers "none", so that the client sends an empty upload.
     */
    public void refuseIfUnanswered() throws IOException {
      if (answered) {
        return;
      }
      answered = true;
      records.close();
      try (answer) {
        ContextManifest.writeAnswerKind(answer, false);
      }
    }
  }

  /**
   * The call's outcome: the exit code, and the directories holding what the command wrote for the
   * client (one per {@code OUT_*} item, in order; empty when the command did not get that far).
   */
  public record Result(int exitCode, List<Path> downloads) {}

  /** The most bytes of uploads a call accepts (JBUILD_MAX_UPLOAD_BYTES, default 16 GiB). */
  public static long maxUploadBytes(Map<String, String> env) {
    String v = env.get("JBUILD_MAX_UPLOAD_BYTES");
    try {
      return v == null ? 16L << 30 : Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      return 16L << 30;
    }
  }

  /**
   * Runs {@code request}.
   *
   * @param uploads the tar of the client's items (read once the arguments are parsed and checked;
   *     the caller drains what is left)
   * @param stdin the client's standard input, after the uploads
   * @param work an empty directory of this call (uploads under {@code in/}, outputs under {@code
   *     out/}); the caller deletes it
   */
  public static Result run(
      Request request,
      Path storeRoot,
      Map<String, String> daemonEnv,
      Path work,
      InputStream uploads,
      InputStream stdin,
      OutputStream out,
      OutputStream err) {
    return run(request, storeRoot, daemonEnv, work, null, uploads, stdin, out, err);
  }

  /**
   * {@link #run}, with the call's context manifest (null: the client sent none); the caller then
   * calls {@link Manifest#refuseIfUnanswered} before it reads what is left of the uploads.
   */
  public static Result run(
      Request request,
      Path storeRoot,
      Map<String, String> daemonEnv,
      Path work,
      Manifest manifest,
      InputStream uploads,
      InputStream stdin,
      OutputStream out,
      OutputStream err) {
    String[] full = Main.withImplicitBuild(request.argv().toArray(String[]::new));
    List<Path> downloads = new ArrayList<>();
    ClientContexts contexts = new ClientContexts(storeRoot, daemonEnv);
    PrintWriter outWriter =
        new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter errWriter =
        new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    try {
      int globals = Main.afterGlobalOptions(full);
      for (int i = 0; i < globals; i++) {
        if (full[i].startsWith("-") && !CLIENT_GLOBALS.contains(full[i])) {
          String name =
              full[i].contains("=") ? full[i].substring(0, full[i].indexOf('=')) : full[i];
          errWriter.println(
              "jbuild: "
                  + name
                  + " cannot be used with --host: the daemon owns its store and chose its"
                  + " isolation when it started");
          return new Result(ExitCodes.USAGE, downloads);
        }
      }
      String sub = Main.subcommandOf(full);
      JbuildCommand root = new JbuildCommand();
      Map<String, String> env = new HashMap<>(daemonEnv);
      for (String name : CLIENT_SETTINGS) {
        env.remove(name);
        String v = request.settings().get(name);
        if (v != null) {
          env.put(name, v);
        }
      }
      root.callEnv = Map.copyOf(env);
      root.callIn = stdin;
      root.callOut = out;
      root.callErr = err;
      root.callRoot = storeRoot;
      CommandLine cli;
      if (sub == null) {
        cli = new CommandLine(root);
        for (String name : JbuildCommand.SUBCOMMANDS) {
          cli.addSubcommand(name, JbuildCommand.newSubcommand(name));
        }
      } else {
        cli = new CommandLine(root);
        cli.addSubcommand(sub, JbuildCommand.newSubcommand(sub));
      }
      Main.configure(cli);
      cli.setOut(outWriter);
      cli.setErr(errWriter);
      CommandLine theCli = cli;
      cli.setExecutionStrategy(
          parsed -> {
            CommandLine.ParseResult leaf = parsed;
            while (leaf.hasSubcommand()) {
              leaf = leaf.subcommand();
            }
            if (leaf != parsed && !leaf.isUsageHelpRequested() && !leaf.isVersionHelpRequested()) {
              try {
                prepare(
                    leaf.commandSpec().userObject(),
                    request,
                    storeRoot,
                    work,
                    manifest,
                    uploads,
                    downloads,
                    contexts);
              } catch (UserException | IOException e) {
                throw new CommandLine.ExecutionException(theCli, e.getMessage(), e);
              }
            }
            return new CommandLine.RunLast().execute(parsed);
          });
      return new Result(Main.execute(cli, full), downloads);
    } finally {
      outWriter.flush();
      errWriter.flush();
      contexts.close();
    }
  }

  /** Points the command at the call's copies of what the client sent, and refuses the rest. */
  private static void prepare(
      Object command,
      Request request,
      Path storeRoot,
      Path work,
      Manifest manifest,
      InputStream uploads,
      List<Path> downloads,
      ClientContexts contexts)
      throws IOException {
    ClientArgs.Plan plan = ClientArgs.of(command);
    if (!ClientArgs.describe(plan).equals(request.items())) {
      // the items are numbered: both sides must read the command line alike
      throw new UserException(
          ExitCodes.USAGE,
          "the client and the daemon read this command line differently (client "
              + request.items()
              + ", daemon "
              + ClientArgs.describe(plan)
              + "): are they the same jbuild?");
    }
    Path in = work.resolve("in");
    Files.createDirectories(in);
    // a build context goes to a directory the daemon keeps between calls (ClientContexts)
    java.util.Map<String, Path> synced = new java.util.HashMap<>();
    for (int i = 0; i < plan.paths().size(); i++) {
      ClientArgs.Carried c = plan.paths().get(i);
      if (c.kind() == ClientArgs.Kind.CONTEXT) {
        String number = Integer.toString(i);
        Path dir =
            contexts.lend(
                number,
                "cli\0"
                    + request.client()
                    + "\0"
                    + request.cwd()
                    + "\0"
                    + i
                    + "\0"
                    + c.clientPath());
        if (dir != null) {
          synced.put(number, dir);
        }
      }
    }
    java.util.Set<String> syncedSent = java.util.Set.of();
    Path spool = work.resolve("spool");
    if (manifest != null) {
      // the answer: what the kept directories hold (nothing without them); the upload follows
      Files.createDirectories(spool);
      manifest.answered = true;
      try (OutputStream answer = manifest.answer) {
        contexts.manifest(manifest.records, answer, spool);
      }
    }
    if (plan.paths().stream().anyMatch(c -> c.kind().upload())) {
      Files.createDirectories(spool);
      syncedSent = contexts.apply(uploads, in, spool);
    }
    uploads.close(); // to the end mark (a client with nothing to send sends none): stdin is next
    Path outs = work.resolve("out");
    List<ClientArgs.Carried> items = plan.paths();
    for (int i = 0; i < items.size(); i++) {
      ClientArgs.Carried c = items.get(i);
      String name = safeName(c.clientPath());
      if (c.kind().upload()) {
        String number = Integer.toString(i);
        Path item = synced.containsKey(number) ? synced.get(number) : in.resolve(number);
        boolean sent =
            synced.containsKey(number)
                ? syncedSent.contains(number)
                : Files.exists(item, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (sent && !realDirectory(item)) {
          throw new UserException(
              ExitCodes.USAGE, "client sent a non-directory for " + c.clientPath());
        }
        switch (c.kind()) {
          case CONTEXT, DIR -> {
            if (!sent) {
              throw new UserException(
                  ExitCodes.NOT_FOUND, "context directory not found: " + c.clientPath());
            }
            c.redirect().accept(item);
          }
          case DOCKERFILE -> {
            if (sent) {
              c.redirect().accept(regularFile(item, name, c.clientPath()));
            } else if (Path.of(c.clientPath()).isAbsolute()) {
              throw new UserException(
                  ExitCodes.NOT_FOUND, "no such file or directory: " + c.clientPath());
            }
            // else a name in the context, looked up there only (Inputs.read)
          }
          default -> {
            // FILE: a missing one stays missing, under the call's directory
            c.redirect()
                .accept(sent ? regularFile(item, name, c.clientPath()) : item.resolve(name));
          }
        }
      } else {
        Path dir = outs.resolve(Integer.toString(i));
        Files.createDirectories(dir);
        downloads.add(dir);
        c.redirect().accept(dir.resolve(c.kind() == ClientArgs.Kind.OUT_STDOUT ? "stdout" : name));
      }
    }
    ClientArgs.resolveNames(command, request.env(), work.resolve("private"));
    if (command instanceof BuildCommand b && !b.quiet && "auto".equalsIgnoreCase(b.progressMode)) {
      // auto is decided by the client's terminal, not the daemon's
      b.progressMode = request.tty() ? "tty" : "plain";
    }
  }

  /** The name an item keeps below its directory: the client path's last element, if sensible. */
  public static String safeName(String clientPath) {
    String s = clientPath;
    while (s.endsWith("/") && s.length() > 1) {
      s = s.substring(0, s.length() - 1);
    }
    String name = s.substring(s.lastIndexOf('/') + 1);
    if (name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.equals("-")
        || name.length() > 255
        || name.indexOf('\0') >= 0) {
      return "file";
    }
    return name;
  }

  private static boolean realDirectory(Path p) throws IOException {
    Stat st = Posix.lstat(p);
    return st.isDirectory();
  }

  /** A sent file: a regular file below the item's directory, not a link to anywhere else. */
  private static Path regularFile(Path item, String name, String clientPath) throws IOException {
    Path f = item.resolve(name);
    if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return f;
    }
    Stat st = Posix.lstat(f);
    if (!st.isRegularFile()) {
      throw new UserException(ExitCodes.USAGE, "client sent a non-regular file for " + clientPath);
    }
    return f;
  }
}
