package dev.jbuild.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Docker registry (Debian's {@code docker-registry}, distribution 2.8) on 127.0.0.1 and a
 * free port, with its storage in a temp directory. Variants: basic auth (an htpasswd file made with
 * {@code htpasswd -Bbn}) and TLS (an openssl self-signed certificate for 127.0.0.1 and localhost;
 * clients trust it through {@link #caCertificate()}). {@link #close()} stops the process by its pid
 * and deletes the temp directory.
 *
 * <pre>{@code
 * try (var registry = LocalRegistry.start(LocalRegistry.Options.plain())) {
 *   String ref = registry.host() + "/app:1";
 * }
 * }</pre>
 */
public final class LocalRegistry implements AutoCloseable {
  private static final String BINARY = "docker-registry";

  /** Basic-auth credentials the registry accepts. */
  public record BasicAuth(String username, String password) {
    public BasicAuth {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
    }
  }

  /**
   * Which variant to start. {@code auth} may be null (no authentication); with {@code token} the
   * credentials are checked by a bearer-token service (the flow Docker Hub uses) instead of Basic
   * auth.
   */
  public record Options(BasicAuth auth, boolean tls, boolean token) {
    public static Options plain() {
      return new Options(null, false, false);
    }

    public Options withAuth(String username, String password) {
      return new Options(new BasicAuth(username, password), tls, token);
    }

    /** Bearer tokens from a token service on 127.0.0.1 that accepts these credentials. */
    public Options withTokenAuth(String username, String password) {
      return new Options(new BasicAuth(username, password), tls, true);
    }

    public Options withTls() {
      return new Options(auth, true, token);
    }
  }

  private final Options options;
  private final Path dir;
  private final Process process;
  private final int port;
  private final Thread shutdownHook;
  private TokenServer tokenServer;

  private LocalRegistry(Options options, Path dir, Process process, int port) {
    this.options = options;
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.shutdownHook = new Thread(process::destroyForcibly, "local-registry-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** A plain HTTP registry without authentication. */
  public static LocalRegistry start() {
    return start(Options.plain());
  }

  /** Starts a registry and waits until {@code /v2/} answers (at most 20 s). */
  public static LocalRegistry start(Options options) {
    Path dir;
    try {
      dir = Files.createTempDirectory("jbuild-registry-");
      Files.createDirectories(dir.resolve("storage"));
      if (options.tls()) {
        selfSigned(
            dir,
            "key.pem",
            "ca.crt",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost");
      }
      if (options.token()) {
        selfSigned(dir, "token.key", "token.crt", "/CN=jbuild-test-token");
      }
      if (options.auth() != null && !options.token()) {
        String line =
            run(dir, "htpasswd", "-Bbn", options.auth().username(), options.auth().password());
        Files.writeString(dir.resolve("htpasswd"), line.strip() + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the local registry", e);
    }
    TokenServer tokens = null;
    if (options.token()) {
      try {
        tokens =
            new TokenServer(dir.resolve("token.key"), dir.resolve("token.crt"), options.auth());
      } catch (IOException e) {
        deleteTree(dir);
        throw new UncheckedIOException(e);
      }
    }
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      try {
        Path config = dir.resolve("config.yml");
        Files.writeString(
            config, config(options, dir, port, tokens == null ? null : tokens.realm()));
        Process p =
            new ProcessBuilder(BINARY, "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        var registry = new LocalRegistry(options, dir, p, port);
        registry.tokenServer = tokens;
        try {
          registry.awaitReady(Duration.ofSeconds(20));
          return registry;
        } catch (IOException e) {
          last = e;
          registry.stopProcess();
          registry.tokenServer = null;
        }
      } catch (IOException e) {
        last = e;
      }
    }
    if (tokens != null) {
      tokens.close();
    }
    deleteTree(dir);
    throw new IllegalStateException(
        "the local registry (" + BINARY + ") did not start: " + last.getMessage(), last);
  }

  /**
   * A self-signed EC (P-256) certificate for {@code subject}, valid two days, written with its key
   * into {@code dir}; {@code extra} are more {@code openssl req} arguments.
   */
  private static void selfSigned(Path dir, String key, String cert, String subject, String... extra)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                subject));
    args.addAll(List.of(extra));
    args.addAll(
        List.of("-keyout", dir.resolve(key).toString(), "-out", dir.resolve(cert).toString()));
    run(dir, args.toArray(String[]::new));
  }

  private static String config(Options options, Path dir, int port, String tokenRealm) {
    var sb = new StringBuilder();
    sb.append("version: 0.1\n");
    sb.append("log:\n  level: error\n  accesslog:\n    disabled: true\n");
    sb.append("storage:\n  filesystem:\n    rootdirectory: ")
        .append(dir.resolve("storage"))
        .append("\n  delete:\n    enabled: true\n");
    sb.append("  maintenance:\n    uploadpurging:\n      enabled: false\n");
    sb.append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
    if (options.tls()) {
      sb.append("  tls:\n    certificate: ").append(dir.resolve("ca.crt")).append('\n');
      sb.append("    key: ").append(dir.resolve("key.pem")).append('\n');
    }
    if (tokenRealm != null) {
      sb.append("auth:\n  token:\n    realm: ").append(tokenRealm).append('\n');
      sb.append("    service: ").append(TokenServer.SERVICE).append('\n');
      sb.append("    issuer: ").append(TokenServer.ISSUER).append('\n');
      sb.append("    rootcertbundle: ").append(dir.resolve("token.crt")).append('\n');
    } else if (options.auth() != null) {
      sb.append("auth:\n  htpasswd:\n    realm: jbuild-test\n    path: ")
          .append(dir.resolve("htpasswd"))
          .append('\n');
    }
    return sb.toString();
  }

  private void awaitReady(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpClient client = httpClient();
    URI uri = URI.create(baseUrl() + "/v2/");
    while (true) {
      if (!process.isAlive()) {
        throw new IOException(
            "exited with " + process.exitValue() + ": " + log().strip().replace('\n', ' '));
      }
      try {
        int status =
            client
                .send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
        if (status == 200 || status == 401) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("no answer on " + uri + " after " + timeout.toSeconds() + " s");
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  /** {@code 127.0.0.1:PORT}: the registry part of an image reference. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  /** {@code localhost:PORT}: the same registry under its other name (valid for the certificate). */
  public String localhostHost() {
    return "localhost:" + port;
  }

  public int port() {
    return port;
  }

  public boolean tls() {
    return options.tls();
  }

  /** {@code http://127.0.0.1:PORT} or {@code https://127.0.0.1:PORT}. */
  public String baseUrl() {
    return (options.tls() ? "https://" : "http://") + host();
  }

  /** The self-signed certificate (PEM) clients must trust, for the TLS variant. */
  public Optional<Path> caCertificate() {
    return options.tls() ? Optional.of(dir.resolve("ca.crt")) : Optional.empty();
  }

  public Optional<BasicAuth> auth() {
    return Optional.ofNullable(options.auth());
  }

  /** The registry's storage directory (filesystem driver). */
  public Path storage() {
    return dir.resolve("storage");
  }

  /** What the registry process printed (errors only). */
  public String log() {
    try {
      Path log = dir.resolve("registry.log");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * A JDK HTTP client that trusts this registry's certificate (TLS variant) or the default trust
   * store.
   */
  public HttpClient httpClient() {
    var builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    caCertificate().ifPresent(ca -> builder.sslContext(sslContextTrusting(ca)));
    return builder.build();
  }

  /**
   * Arguments for skopeo to reach this registry as source ({@code --src-...}) or destination
   * ({@code --dest-...}); {@code side} is "src", "dest" or "" (for {@code skopeo inspect}).
   */
  public List<String> skopeoArgs(String side) {
    String prefix = side.isEmpty() ? "--" : "--" + side + "-";
    var args = new ArrayList<String>();
    if (options.tls()) {
      args.add(prefix + "cert-dir=" + dir.resolve("certs.d-for-skopeo"));
      try {
        Path certDir = dir.resolve("certs.d-for-skopeo");
        Files.createDirectories(certDir);
        Files.copy(
            dir.resolve("ca.crt"),
            certDir.resolve("ca.crt"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      args.add(prefix + "tls-verify=false");
    }
    if (options.auth() != null) {
      args.add(prefix + "creds=" + options.auth().username() + ":" + options.auth().password());
    } else {
      args.add(prefix + "no-creds");
    }
    return args;
  }

  /**
   * Serves the multi-platform test bases, like the lab's: {@code library/busybox-multi:latest} (an
   * OCI index of linux/amd64 and linux/arm64 busybox, {@link TestImages#busyboxMulti}), {@code
   * library/busybox-arm64:latest} (the arm64 image alone) and {@code library/busybox:latest} (amd64
   * alone). They are made in a store under {@code scratch} and copied with {@code skopeo copy
   * --all} from that store's OCI layout. Returns {@code host()/library/}, the references' prefix.
   */
  public String serveBusyboxMulti(Path scratch) throws IOException {
    Path layout = scratch.resolve("busybox-multi-layout");
    try (var store = dev.jbuild.layercache.store.Store.open(layout)) {
      TestImages.busyboxMulti(store, "busybox-multi:latest");
      TestImages.busybox(
          store,
          "busybox-arm64:latest",
          TestImages.Options.defaults()
              .withPlatform(dev.jbuild.layercache.model.Platform.linux("arm64")));
      TestImages.busybox(store, "busybox:latest");
    }
    String prefix = host() + "/library/";
    for (String name : List.of("busybox-multi:latest", "busybox-arm64:latest", "busybox:latest")) {
      List<String> args = new ArrayList<>(List.of("copy", "--all"));
      args.addAll(skopeoArgs("dest"));
      args.add("oci:" + layout + ":" + name);
      args.add("docker://" + prefix + name);
      Skopeo.run(args);
    }
    return prefix;
  }

  /** An SSL context whose only trust anchors are the certificates in the PEM file. */
  public static SSLContext sslContextTrusting(Path pemFile) {
    try (InputStream in = Files.newInputStream(pemFile)) {
      var ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, (X509Certificate) cert);
      }
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      var ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot load certificate " + pemFile, e);
    }
  }

  @Override
  public void close() {
    stopProcess();
    if (tokenServer != null) {
      tokenServer.close();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    deleteTree(dir);
  }

  private void stopProcess() {
    process.destroy(); // SIGTERM to this pid only
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static String run(Path dir, String... command) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false).start();
    } catch (IOException e) {
      throw new IOException(
          command[0] + " is not installed (Debian: openssl, apache2-utils): " + e.getMessage(), e);
    }
    try {
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (p.waitFor() != 0) {
        throw new IOException(
            String.join(" ", command[0], command[1])
                + " failed: "
                + new String(err, StandardCharsets.UTF_8).strip());
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }
}
