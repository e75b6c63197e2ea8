package dev.jbuild.cli;

import dev.jbuild.serve.ApiRoutes;
import dev.jbuild.serve.ApiServer;
import dev.jbuild.serve.DaemonLock;
import dev.jbuild.serve.Events;
import dev.jbuild.serve.Listeners;
import dev.jbuild.serve.RequestLog;
import dev.jbuild.serve.ServeContext;
import dev.jbuild.serve.ServeRecovery;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild serve}: the daemon. Serves a subset of the Docker Engine API (v1.41) on a UNIX
 * socket and, with mutual TLS, on TCP; one daemon per store.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the daemon: the Docker Engine API (v1.41) on a UNIX socket or mutual-TLS TCP.",
      "Clients: the docker CLI (DOCKER_HOST=unix://PATH, DOCKER_BUILDKIT=0), docker SDKs,"
          + " jbuild --host. One daemon per store; SIGTERM or SIGINT stop it."
    })
public final class ServeCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;

  @Option(
      names = {"-H", "--host"},
      paramLabel = "ADDRESS",
      description =
          "Where to listen, repeatable: unix://PATH or tcp://HOST:PORT (default:"
              + " unix:///run/jbuild/jbuild.sock as root, else"
              + " unix://$XDG_RUNTIME_DIR/jbuild/jbuild.sock). TCP needs --tlsverify unless"
              + " HOST is a loopback address.")
  List<String> hosts = new ArrayList<>();

  @Option(
      names = {"-G", "--group"},
      paramLabel = "NAME",
      description =
          "Group of the UNIX socket (mode 0660; default: jbuild when that group exists, else the"
              + " user's).")
  String group;

  @Option(
      names = "--tlsverify",
      description = "TCP with mutual TLS: clients need a certificate signed by --tlscacert.")
  boolean tlsVerify;

  @Option(names = "--tlscacert", paramLabel = "FILE", description = "CA of client certificates.")
  Path tlsCaCert;

  @Option(names = "--tlscert", paramLabel = "FILE", description = "The server's certificate.")
  Path tlsCert;

  @Option(names = "--tlskey", paramLabel = "FILE", description = "The server's private key.")
  Path tlsKey;

  @Override
  public Integer call() throws Exception {
    // a long life: the native lstat's one-time link cost is nothing against every build's walks
    dev.jbuild.builder.context.JdkStat.preferNative();
    Map<String, String> env = System.getenv();
    Path store = root.storeRoot();
    SSLContext tls = null;
    if (tlsVerify) {
      if (tlsCaCert == null || tlsCert == null || tlsKey == null) {
        throw new UserException(
            ExitCodes.USAGE, "--tlsverify needs --tlscacert, --tlscert and --tlskey");
      }
      tls = dev.jbuild.serve.TlsSetup.context(tlsCaCert, tlsCert, tlsKey);
    } else if (tlsCaCert != null || tlsCert != null || tlsKey != null) {
      throw new UserException(
          ExitCodes.USAGE, "--tlscacert, --tlscert and --tlskey need --tlsverify");
    }
    List<String> addresses = hosts.isEmpty() ? List.of(defaultHost(env)) : hosts;
    RequestLog log = new RequestLog(System.err);
    DaemonLock lock;
    try {
      lock = DaemonLock.acquire(store);
    } catch (DaemonLock.HeldException e) {
      throw new UserException(ExitCodes.FAILED, e.getMessage());
    }
    ApiServer server = null;
    try {
      ServeRecovery.run(store, log);
      ServeContext context = new ServeContext(store, env, new Events());
      server = new ApiServer(ApiRoutes.router(context), ApiServer.Limits.DEFAULT, log);
      List<Listeners.Listener> listening = new ArrayList<>();
      try {
        for (String address : addresses) {
          listening.add(listener(address, tls));
        }
      } catch (java.io.IOException | RuntimeException e) {
        for (Listeners.Listener l : listening) {
          l.close();
        }
        throw e;
      }
      for (Listeners.Listener l : listening) {
        server.listen(l);
        log.line("jbuild serve: listening on " + l.address() + " (store " + store + ")");
      }
      CountDownLatch forever = new CountDownLatch(1);
      ApiServer running = server;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    log.line("jbuild serve: stopping");
                    running.stop(10_000);
                    lock.close();
                    log.line("jbuild serve: stopped");
                  },
                  "jbuild-serve-stop"));
      forever.await();
      return ExitCodes.OK;
    } catch (java.io.IOException e) {
      if (server != null) {
        server.close();
      }
      lock.close();
      throw new UserException(ExitCodes.FAILED, e.getMessage(), e);
    }
  }

  private Listeners.Listener listener(String address, SSLContext tls) throws java.io.IOException {
    if (address.startsWith("unix://")) {
      String path = address.substring("unix://".length());
      if (path.isEmpty()) {
        throw new UserException(ExitCodes.USAGE, "no path in " + address);
      }
      return Listeners.unix(Path.of(path), group());
    }
    if (address.startsWith("tcp://")) {
      URI uri;
      try {
        uri = new URI(address);
      } catch (java.net.URISyntaxException e) {
        throw new UserException(ExitCodes.USAGE, "bad address " + address + ": " + e.getMessage());
      }
      if (uri.getHost() == null || uri.getPort() < 0) {
        throw new UserException(
            ExitCodes.USAGE, "bad address " + address + ": use tcp://HOST:PORT");
      }
      String host = uri.getHost();
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return tls != null
          ? Listeners.tls(host, uri.getPort(), tls)
          : Listeners.loopbackTcp(host, uri.getPort());
    }
    throw new UserException(
        ExitCodes.USAGE, "unsupported address " + address + ": use unix://PATH or tcp://HOST:PORT");
  }

  /** --group, else jbuild when it exists, else null (the process's group). */
  private GroupPrincipal group() throws java.io.IOException {
    var lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    String name = group != null ? group : "jbuild";
    try {
      return lookup.lookupPrincipalByGroupName(name);
    } catch (UserPrincipalNotFoundException e) {
      if (group != null) {
        throw new UserException(ExitCodes.USAGE, "no group " + group);
      }
      return null;
    }
  }

  /** Docker's default: the system socket as root, else the user's runtime directory. */
  static String defaultHost(Map<String, String> env) {
    String userns = env.get("JBUILD_USERNS");
    boolean asRoot =
        userns != null && !userns.isBlank()
            ? userns.startsWith("0:")
            : "root".equals(System.getProperty("user.name"));
    if (asRoot) {
      return "unix:///run/jbuild/jbuild.sock";
    }
    String xdg = env.get("XDG_RUNTIME_DIR");
    if (xdg == null || xdg.isBlank()) {
      throw new UserException(
          ExitCodes.USAGE, "XDG_RUNTIME_DIR is not set: give the socket with -H unix://PATH");
    }
    return "unix://" + Path.of(xdg, "jbuild", "jbuild.sock");
  }
}
