package dev.jbuild.cli;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.serve.CliProtocol;
import dev.jbuild.serve.StdStreams;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * Client mode: {@code jbuild --host unix://PATH|tcp://HOST:PORT ...} (or JBUILD_HOST) runs the
 * command on a daemon ({@code jbuild serve}) through {@code POST /jbuild/v1/cli} ({@link
 * CliProtocol}), with the same output, bytes and exit code as the command run here. What the
 * command names on this machine travels with it ({@link ClientArgs}): the context as a tar filtered
 * by its .dockerignore, files, the variables it reads by name; what it writes for this machine
 * comes back and is written here. Help, {@code --version} and {@code parse} (which use no store)
 * run here.
 */
final class ClientMode {
  private ClientMode() {}

  /** Commands that name nothing on this machine: sent as they are, without a local parse. */
  private static final Set<String> PLAIN =
      Set.of(
          "images",
          "inspect",
          "history",
          "tag",
          "rmi",
          "prune",
          "ps",
          "logs",
          "stop",
          "restart",
          "kill",
          "wait",
          "pause",
          "unpause",
          "rename",
          "top",
          "rm",
          "volume",
          "network",
          "port",
          "container",
          "pull",
          "push",
          "start");

  /** Bounds of the daemon's answer to a manifest (the client wrote the names it may name). */
  private static final int MAX_ANSWER_BYTES = 64 << 20;

  private static final int MAX_ANSWER_NAMES = 500_000;

  static int run(String[] args) {
    ClientOptions options;
    try {
      options = ClientOptions.parse(args, System.getenv());
    } catch (UserException e) {
      return fail(e);
    }
    String[] rest = options.rest();
    String[] full = Main.withImplicitBuild(rest);
    String sub = Main.subcommandOf(full);
    if ((sub == null && Main.isVersion(full))
        || Main.helpPageOf(full, sub) != null
        || "parse".equals(sub)) {
      return Main.runHere(rest); // no store: the same text here as on the daemon
    }
    int globals = Main.afterGlobalOptions(full);
    for (int i = 0; i < globals; i++) {
      if (!full[i].equals("--debug")) {
        String name = full[i].contains("=") ? full[i].substring(0, full[i].indexOf('=')) : full[i];
        return fail(
            new UserException(
                ExitCodes.USAGE,
                name
                    + " cannot be used with --host: the daemon owns its store and chose its"
                    + " isolation when it started"));
      }
    }
    ClientArgs.Plan plan = new ClientArgs.Plan(List.of(), Set.of(), false);
    if (sub != null && !PLAIN.contains(sub)) {
      try {
        plan = plan(full, sub);
      } catch (UserException e) {
        return fail(e);
      }
    }
    try (ClientConnection conn = ClientConnection.open(options)) {
      dev.jbuild.builder.progress.Trace.mark("client connected");
      return call(conn, rest, plan);
    } catch (UserException e) {
      return fail(e);
    } catch (IOException e) {
      return fail(
          new UserException(ExitCodes.FAILED, "daemon at " + options.host() + ": " + message(e)));
    }
  }

  private static String message(IOException e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static int fail(UserException e) {
    System.err.println("jbuild: " + e.getMessage());
    System.err.flush();
    return e.exitCode();
  }

  /** What the command needs carried, from picocli's parse of it here (as the daemon parses it). */
  private static ClientArgs.Plan plan(String[] full, String sub) {
    Object scanned = ClientScan.scan(sub, full);
    if (scanned != null) {
      return checked(ClientArgs.of(scanned));
    }
    CommandLine cli = new CommandLine(new JbuildCommand());
    cli.addSubcommand(sub, JbuildCommand.newSubcommand(sub));
    Main.configure(cli);
    CommandLine.ParseResult parsed;
    try {
      parsed = cli.parseArgs(full);
    } catch (CommandLine.ParameterException e) {
      // the daemon reports it, in picocli's words
      return new ClientArgs.Plan(List.of(), Set.of(), false);
    }
    while (parsed.hasSubcommand()) {
      parsed = parsed.subcommand();
    }
    if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
      return new ClientArgs.Plan(List.of(), Set.of(), false);
    }
    return checked(ClientArgs.of(parsed.commandSpec().userObject()));
  }

  /** The plan, after the checks the command makes here before anything else (the context). */
  private static ClientArgs.Plan checked(ClientArgs.Plan plan) {
    for (ClientArgs.Carried c : plan.paths()) {
      if (c.kind() == ClientArgs.Kind.CONTEXT) {
        Path ctx = Path.of(c.clientPath());
        if (!Files.isDirectory(ctx)) {
          throw new UserException(
              ExitCodes.NOT_FOUND,
              Files.exists(ctx)
                  ? "context " + c.clientPath() + " is not a directory"
                  : "context directory not found: " + c.clientPath());
        }
      }
    }
    return plan;
  }

  /** One call on an open connection: request, uploads and stdin out; output, files, exit in. */
  private static int call(ClientConnection conn, String[] argv, ClientArgs.Plan plan)
      throws IOException {
    Map<String, String> env = System.getenv();
    Map<String, String> named = new LinkedHashMap<>();
    for (String name : plan.envNames()) {
      String v = env.get(name);
      if (v != null) {
        named.put(name, v);
      }
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (String name : ClientCalls.CLIENT_SETTINGS) {
      String v = env.get(name);
      if (v != null) {
        settings.put(name, v);
      }
    }
    // Progress's auto: a console (stdin and stdout a terminal) and TERM not dumb; checked as the
    // help pages check it, without the JDK's console providers
    boolean tty = HelpPages.terminal(0) && HelpPages.terminal(1) && !"dumb".equals(env.get("TERM"));
    // with a build context and a daemon that reads manifests, the context's file list goes first
    // and only what the daemon does not hold is sent (ContextManifest)
    boolean manifest = conn.manifests() && ClientUploads.hasContext(plan);
    var answer = new java.util.concurrent.CompletableFuture<Set<String>>();
    JsonObject request =
        JsonObject.builder()
            .put("argv", Json.ofStrings(List.of(argv)))
            .put("env", Json.ofStringMap(named))
            .put("settings", Json.ofStringMap(settings))
            .put("tty", tty)
            .put("items", Json.ofStrings(ClientArgs.describe(plan)))
            .put("cwd", Path.of("").toAbsolutePath().toString())
            .put("manifest", manifest)
            .build();
    OutputStream out = conn.out();
    byte[] json = request.toString().getBytes(StandardCharsets.UTF_8);
    CliProtocol.write(out, CliProtocol.REQUEST, json, 0, json.length);
    ClientArgs.Plan thePlan = plan;
    Thread sender =
        Thread.ofPlatform()
            .daemon()
            .name("jbuild-client-send")
            .start(
                () -> {
                  try {
                    Set<String> have = Set.of();
                    ClientUploads.Walked walked = null;
                    if (manifest) {
                      try (OutputStream m = CliProtocol.frames(out, CliProtocol.MANIFEST)) {
                        walked = ClientUploads.manifest(thePlan, m);
                      }
                      dev.jbuild.builder.progress.Trace.mark("client manifest sent");
                      have = answer.get();
                      dev.jbuild.builder.progress.Trace.mark("client answer read");
                    }
                    try (OutputStream up = CliProtocol.frames(out, CliProtocol.UPLOAD)) {
                      if (have != null) {
                        ClientUploads.write(thePlan, up, have, walked);
                      } // else the daemon reads no upload: the end mark alone
                    }
                    dev.jbuild.builder.progress.Trace.mark("client upload sent");
                    try (OutputStream in = CliProtocol.frames(out, StdStreams.STDIN)) {
                      if (thePlan.stdin()) {
                        System.in.transferTo(in);
                      }
                    }
                  } catch (IOException | RuntimeException e) {
                    // the daemon answered already (an error before it read everything): the
                    // answer says what happened
                  } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                    // the command ended without answering the manifest
                  }
                });
    int code;
    try {
      code = receive(conn.in(), plan, answer);
    } finally {
      answer.cancel(true);
    }
    sender.interrupt();
    return code;
  }

  private static int receive(
      InputStream in,
      ClientArgs.Plan plan,
      java.util.concurrent.CompletableFuture<Set<String>> answer)
      throws IOException {
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);
    OutputStream stderr = new FileOutputStream(FileDescriptor.err);
    List<ClientArgs.Carried> downloads = new ArrayList<>();
    for (ClientArgs.Carried c : plan.paths()) {
      if (!c.kind().upload()) {
        downloads.add(c);
      }
    }
    // with an output on stdout (-o dest=-), the command's own stdout (an ID with -q) comes after
    // it, as the command writes them in the process: held until the downloads are written
    boolean hold = downloads.stream().anyMatch(c -> c.kind() == ClientArgs.Kind.OUT_STDOUT);
    java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream haveBytes = new java.io.ByteArrayOutputStream();
    int next = 0;
    while (true) {
      CliProtocol.Frame f = CliProtocol.read(in);
      if (f == null) {
        throw new IOException("the daemon closed the connection before the command ended");
      }
      switch (f.type()) {
        case StdStreams.STDOUT -> (hold ? held : stdout).write(f.payload());
        case StdStreams.STDERR -> stderr.write(f.payload());
        case CliProtocol.DOWNLOAD -> {
          if (next >= downloads.size()) {
            throw new IOException("the daemon sent a file the command did not ask for");
          }
          InputStream tar =
              new java.io.SequenceInputStream(
                  new java.io.ByteArrayInputStream(f.payload()),
                  f.payload().length == 0
                      ? InputStream.nullInputStream()
                      : CliProtocol.stream(in, CliProtocol.DOWNLOAD, Long.MAX_VALUE));
          ClientDownloads.receive(downloads.get(next++), tar, stdout);
        }
        case CliProtocol.HAVE -> {
          if (answer.isDone()) {
            throw new IOException("the daemon answered the context manifest twice");
          }
          if (f.payload().length > 0) {
            if (haveBytes.size() + f.payload().length > MAX_ANSWER_BYTES) {
              throw new IOException("the daemon's context answer is too long");
            }
            haveBytes.write(f.payload());
          } else {
            answer.complete(
                ContextManifest.readAnswer(
                    new java.io.ByteArrayInputStream(haveBytes.toByteArray()), MAX_ANSWER_NAMES));
            haveBytes = new java.io.ByteArrayOutputStream();
          }
        }
        case CliProtocol.EXIT -> {
          dev.jbuild.builder.progress.Trace.mark("client exit read");
          held.writeTo(stdout);
          stdout.flush();
          return f.exitCode();
        }
        default -> throw new IOException("the daemon sent a frame of unknown type " + f.type());
      }
    }
  }
}
