package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * jbuild's registry configuration: one JSON file, {@code registries.json} (see the layer-cache
 * README for the format and where it is looked for).
 *
 * <pre>{@code
 * {
 *   "registries": {
 *     "docker.io":             { "mirrors": ["mirror.example:5000", "127.0.0.1:5001/hub"] },
 *     "registry.example:5000": { "insecure": true },
 *     "private.example":       { "ca": "/etc/ssl/private-ca.pem" }
 *   },
 *   "certsDir": "/etc/jbuild/certs.d"
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code mirrors}: tried in order for pulls of that registry's images (a mirror may carry a
 *       path prefix); the registry itself is tried last. Pushes never go to a mirror.
 *   <li>{@code insecure}: plain HTTP, or HTTPS without certificate verification, as Docker's
 *       insecure-registries. Loopback registries (localhost, 127.0.0.0/8, ::1) are insecure by
 *       default, as in Docker, unless a CA is configured for them or {@code "insecure": false}.
 *   <li>{@code ca}: a PEM file of CA certificates trusted for that registry, in addition to the
 *       JDK's. Without it, {@code <certsDir>/<host>/ca.crt} is used when it exists, like Docker's
 *       {@code /etc/docker/certs.d/<host>/ca.crt} (certsDir defaults to {@code
 *       ~/.config/jbuild/certs.d}, then {@code /etc/jbuild/certs.d}).
 * </ul>
 */
public record RegistryConfig(
    Map<String, HostConfig> registries,
    Optional<Path> certsDir,
    Proxies proxies,
    Timeouts timeouts) {
  /** The file name looked for in the config directories. */
  public static final String FILE_NAME = "registries.json";

  /** Settings of one registry host. {@code insecure} null = default (loopback: true). */
  public record HostConfig(List<String> mirrors, Boolean insecure, Path ca) {
    public HostConfig {
      mirrors = List.copyOf(mirrors);
    }

    public static final HostConfig DEFAULT = new HostConfig(List.of(), null, null);
  }

  public RegistryConfig {
    registries = Map.copyOf(registries);
    Objects.requireNonNull(certsDir, "certsDir");
    Objects.requireNonNull(proxies, "proxies");
    Objects.requireNonNull(timeouts, "timeouts");
  }

  public RegistryConfig(
      Map<String, HostConfig> registries, Optional<Path> certsDir, Proxies proxies) {
    this(registries, certsDir, proxies, Timeouts.DEFAULT);
  }

  public RegistryConfig(Map<String, HostConfig> registries, Optional<Path> certsDir) {
    this(registries, certsDir, Proxies.NONE);
  }

  public static RegistryConfig empty() {
    return new RegistryConfig(Map.of(), Optional.empty());
  }

  /** A copy using these HTTP proxies. */
  public RegistryConfig withProxies(Proxies p) {
    return new RegistryConfig(registries, certsDir, p, timeouts);
  }

  /** A copy with these network timeouts. */
  public RegistryConfig withTimeouts(Timeouts t) {
    return new RegistryConfig(registries, certsDir, proxies, t);
  }

  public HostConfig host(String host) {
    return registries.getOrDefault(host, HostConfig.DEFAULT);
  }

  /** A copy with {@code host}'s settings replaced. */
  public RegistryConfig withHost(String host, HostConfig config) {
    var copy = new LinkedHashMap<>(registries);
    copy.put(host, config);
    return new RegistryConfig(copy, certsDir, proxies, timeouts);
  }

  public RegistryConfig withCertsDir(Path dir) {
    return new RegistryConfig(registries, Optional.of(dir), proxies, timeouts);
  }

  public List<String> mirrors(String host) {
    return host(host).mirrors();
  }

  /** The CA file trusted for {@code host}: its "ca", else certsDir/host/ca.crt when present. */
  public Optional<Path> caFile(String host) {
    HostConfig h = host(host);
    if (h.ca() != null) {
      return Optional.of(h.ca());
    }
    List<Path> dirs =
        certsDir.isPresent()
            ? List.of(certsDir.get())
            : List.of(
                Path.of(System.getProperty("user.home"), ".config", "jbuild", "certs.d"),
                Path.of("/etc/jbuild/certs.d"));
    return dirs.stream()
        .map(d -> d.resolve(host).resolve("ca.crt"))
        .filter(Files::isRegularFile)
        .findFirst();
  }

  /** Plain HTTP / unverified HTTPS allowed for {@code host}. */
  public boolean insecure(String host) {
    HostConfig h = host(host);
    if (h.insecure() != null) {
      return h.insecure();
    }
    return caFile(host).isEmpty() && isLoopback(host);
  }

  /** localhost, 127.0.0.0/8 or ::1, with or without a port. */
  public static boolean isLoopback(String host) {
    String name = stripPort(host);
    if (name.equals("localhost")) {
      return true;
    }
    if (name.matches("[0-9.]+") || name.contains(":")) {
      try {
        return InetAddress.getByName(name).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return false;
  }

  /** The host name of {@code host[:port]} ({@code [v6]} without brackets). */
  public static String stripPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end > 0 ? host.substring(1, end) : host;
    }
    int colon = host.lastIndexOf(':');
    return colon > 0 && host.indexOf(':') == colon ? host.substring(0, colon) : host;
  }

  /**
   * The config file jbuild reads: {@code $JBUILD_REGISTRIES_CONFIG}, else {@code
   * $XDG_CONFIG_HOME/jbuild/registries.json} (default {@code ~/.config}), else {@code
   * /etc/jbuild/registries.json}; the first that exists.
   */
  public static Optional<Path> locate(Map<String, String> env) {
    String explicit = env.get("JBUILD_REGISTRIES_CONFIG");
    if (explicit != null && !explicit.isBlank()) {
      return Optional.of(Path.of(explicit));
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path user =
        (xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".config"))
            .resolve("jbuild")
            .resolve(FILE_NAME);
    if (Files.isRegularFile(user)) {
      return Optional.of(user);
    }
    Path system = Path.of("/etc/jbuild", FILE_NAME);
    return Files.isRegularFile(system) ? Optional.of(system) : Optional.empty();
  }

  /**
   * Loads the located file (or the empty configuration when there is none), with the HTTP proxies
   * and the timeout overrides of the environment ({@link Proxies}, {@link Timeouts}).
   */
  public static RegistryConfig load(Map<String, String> env) throws IOException {
    Optional<Path> file = locate(env);
    RegistryConfig c = file.isPresent() ? load(file.get()) : empty();
    try {
      return c.withProxies(Proxies.fromEnvironment(env))
          .withTimeouts(c.timeouts().withEnvironment(env));
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  public static RegistryConfig load(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException("registry config " + file + " does not exist", e);
    }
    try {
      return parse(Json.parseObject(bytes), file.toAbsolutePath().getParent());
    } catch (IllegalArgumentException e) {
      throw new IOException("invalid registry config " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses the JSON form; relative paths are resolved against {@code baseDir}. */
  public static RegistryConfig parse(JsonObject root, Path baseDir) {
    for (String key : root.keys()) {
      if (!List.of("registries", "certsDir", "timeouts").contains(key)) {
        throw new IllegalArgumentException(
            "unknown field \""
                + key
                + "\" (expected \"registries\", \"certsDir\" or \"timeouts\")");
      }
    }
    Timeouts timeouts = Timeouts.DEFAULT;
    if (root.has("timeouts")) {
      JsonObject t = root.object("timeouts");
      if (t == null) {
        throw new IllegalArgumentException("\"timeouts\" must be an object");
      }
      for (String key : t.keys()) {
        if (!key.equals("connect") && !key.equals("read")) {
          throw new IllegalArgumentException(
              "timeouts: unknown field \"" + key + "\" (expected connect, read)");
        }
      }
      timeouts =
          new Timeouts(
              t.has("connect")
                  ? Timeouts.seconds(t.get("connect").toString(), "timeouts.connect")
                  : timeouts.connect(),
              t.has("read")
                  ? Timeouts.seconds(t.get("read").toString(), "timeouts.read")
                  : timeouts.read());
    }
    var hosts = new LinkedHashMap<String, HostConfig>();
    JsonObject regs = root.object("registries");
    if (regs != null) {
      for (String host : regs.keys()) {
        JsonObject h = regs.object(host);
        if (h == null) {
          throw new IllegalArgumentException("registries.\"" + host + "\" must be an object");
        }
        for (String key : h.keys()) {
          if (!List.of("mirrors", "insecure", "ca").contains(key)) {
            throw new IllegalArgumentException(
                "registries.\""
                    + host
                    + "\": unknown field \""
                    + key
                    + "\" (expected mirrors, insecure, ca)");
          }
        }
        var mirrors = new ArrayList<String>();
        JsonArray m = h.array("mirrors");
        if (m != null) {
          for (String mirror : m.strings()) {
            mirrors.add(stripScheme(mirror));
          }
        }
        String ca = h.string("ca");
        hosts.put(
            host,
            new HostConfig(mirrors, h.bool("insecure"), ca == null ? null : baseDir.resolve(ca)));
      }
    }
    String certs = root.string("certsDir");
    return new RegistryConfig(
        hosts,
        certs == null ? Optional.empty() : Optional.of(baseDir.resolve(certs)),
        Proxies.NONE,
        timeouts);
  }

  private static String stripScheme(String mirror) {
    String m = mirror;
    if (m.startsWith("https://")) {
      m = m.substring(8);
    } else if (m.startsWith("http://")) {
      m = m.substring(7);
    }
    while (m.endsWith("/")) {
      m = m.substring(0, m.length() - 1);
    }
    return m;
  }
}
