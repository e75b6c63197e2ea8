package dev.jbuild.serve;

import dev.jbuild.cli.ClientCalls;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The API area of jbuild's own endpoints for client mode (jbuild --host): what the Docker API
 * cannot carry. {@code POST /jbuild/v1/cli} runs one jbuild command line for the client ({@link
 * CliProtocol}, {@link ClientCalls}).
 */
final class ClientRoutes implements Routes {
  /** Bounds of a request: arguments, their total size, the variables sent. */
  static final int MAX_ARGS = 4096;

  static final int MAX_ARG_BYTES = 64 * 1024;
  static final int MAX_VARIABLES = 1024;

  private final ServeContext context;

  ClientRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    router.add("POST", CliProtocol.PATH, this::cli);
  }

  private void cli(ApiCall call) throws IOException, ApiException {
    try (RawStream raw = call.hijack(CliProtocol.CONTENT_TYPE)) {
      InputStream in = raw.in();
      OutputStream out = raw.out();
      ClientCalls.Request request;
      try {
        request = request(CliProtocol.read(in));
      } catch (IOException | IllegalArgumentException e) {
        byte[] msg =
            ("jbuild: bad client request: " + e.getMessage() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        CliProtocol.write(out, StdStreams.STDERR, msg, 0, msg.length);
        CliProtocol.writeExit(out, 2);
        return;
      }
      ApiCall.Client who = call.client();
      String client = who.uid() >= 0 ? "uid=" + who.uid() : who.description();
      run(
          new ClientCalls.Request(
              request.argv(),
              request.env(),
              request.settings(),
              request.tty(),
              request.items(),
              client,
              request.cwd(),
              request.manifest()),
          in,
          out);
    }
  }

  private void run(ClientCalls.Request request, InputStream in, OutputStream out)
      throws IOException {
    // the store stays open for the call: its staging area (where the call's directory is) lives
    // as long as it does
    try (Store store = Store.open(context.storeRoot())) {
      call(request, in, out, store.newTempDir("client-call"));
    }
  }

  private void call(ClientCalls.Request request, InputStream in, OutputStream out, Path work)
      throws IOException {
    try {
      long max = ClientCalls.maxUploadBytes(context.env());
      ClientCalls.Manifest manifest =
          request.manifest()
              ? new ClientCalls.Manifest(
                  CliProtocol.stream(in, CliProtocol.MANIFEST, max),
                  CliProtocol.frames(out, CliProtocol.HAVE))
              : null;
      // after the uploads a thread reads the client's stdin and then watches for its end: a
      // client that goes away (killed, Ctrl-C) interrupts the command, as docker cancels a build
      Thread command = Thread.currentThread();
      ClientInput input = new ClientInput(in, command::interrupt);
      InputStream uploads = input.afterUploads(CliProtocol.stream(in, CliProtocol.UPLOAD, max));
      InputStream stdin = input.stdin();
      OutputStream stdout = StdStreams.framed(out, StdStreams.STDOUT);
      OutputStream stderr = StdStreams.framed(out, StdStreams.STDERR);
      ClientCalls.Result result;
      HttpConnection.DisconnectWatch watch = input.watch();
      try (watch) {
        result =
            ClientCalls.run(
                request,
                context.storeRoot(),
                context.env(),
                work,
                manifest,
                uploads,
                stdin,
                stdout,
                stderr);
      } finally {
        if (input.watch().clientGone()) {
          Thread.interrupted(); // the command was cancelled; nothing more reaches the client
        } else {
          stdout.flush();
          stderr.flush();
        }
      }
      if (input.watch().clientGone()) {
        return;
      }
      try {
        if (manifest != null) {
          manifest.refuseIfUnanswered(); // the client waits for an answer before its upload
        }
        uploads.close(); // read to its end mark: a TCP close with unread bytes would reset
      } catch (IOException e) {
        // the client stopped sending; the exit frame may still reach it
      }
      for (Path dir : result.downloads()) {
        try (OutputStream down = CliProtocol.frames(out, CliProtocol.DOWNLOAD)) {
          LayerWriter w = LayerWriter.open(down, LayerWriterOptions.defaults().withThreads(1));
          DirectoryWalker.writeTo(dir, DirectoryWalker.Options.defaults(), w);
          w.finish();
        }
      }
      CliProtocol.writeExit(out, result.exitCode());
    } finally {
      dev.jbuild.runner.Trees.deleteQuietly(work);
    }
  }

  private static String bounded(String s) {
    if (s.length() > MAX_ARG_BYTES || s.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("the working directory is too long or holds a NUL byte");
    }
    return s;
  }

  /** The request frame, bounded and checked: argv, env, settings, tty. */
  static ClientCalls.Request request(CliProtocol.Frame f) throws IOException {
    if (f == null || f.type() != CliProtocol.REQUEST) {
      throw new IOException("expected a request frame first");
    }
    JsonObject o = Json.parseObject(f.payload());
    List<String> argv = o.strings("argv");
    if (argv == null) {
      throw new IllegalArgumentException("no argv");
    }
    if (argv.size() > MAX_ARGS) {
      throw new IllegalArgumentException("more than " + MAX_ARGS + " arguments");
    }
    for (String a : argv) {
      if (a.length() > MAX_ARG_BYTES || a.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("an argument is too long or holds a NUL byte");
      }
    }
    Map<String, String> env = o.stringMap("env");
    Map<String, String> settings = o.stringMap("settings");
    env = env == null ? Map.of() : env;
    settings = settings == null ? Map.of() : settings;
    if (env.size() > MAX_VARIABLES || settings.size() > MAX_VARIABLES) {
      throw new IllegalArgumentException("too many variables");
    }
    Boolean tty = o.bool("tty");
    List<String> items = o.strings("items");
    if (items != null && items.size() > MAX_ARGS) {
      throw new IllegalArgumentException("too many items");
    }
    return new ClientCalls.Request(
        List.copyOf(argv),
        env,
        settings,
        tty != null && tty,
        items == null ? List.of() : List.copyOf(items),
        "",
        bounded(o.string("cwd", "")),
        Boolean.TRUE.equals(o.bool("manifest")));
  }
}
