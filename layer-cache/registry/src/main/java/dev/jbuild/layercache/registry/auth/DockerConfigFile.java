package dev.jbuild.layercache.registry.auth;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes Docker's {@code config.json} for {@code jbuild login} and {@code logout}, as {@code docker
 * login} does: {@code auths.<server>.auth = base64(user:password)}, or, when {@code credHelpers}
 * names a helper for the server or {@code credsStore} is set, {@code docker-credential-NAME store}
 * (and {@code erase}). Docker Hub's key is {@code https://index.docker.io/v1/}. Every other member
 * of the file is kept; the file is replaced atomically with mode 0600.
 */
public final class DockerConfigFile {
  /** The key Docker uses for Docker Hub. */
  public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

  private final Path file;

  public DockerConfigFile(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** The key {@code docker login} uses for a registry host. */
  public static String serverKey(String host) {
    return switch (host) {
      case "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" ->
          DOCKER_HUB_KEY;
      default -> host;
    };
  }

  /** Saves a credential for {@code host}; returns where it went (the file or the helper). */
  public String store(String host, RegistryCredential credential) throws IOException {
    JsonObject root = read();
    String key = serverKey(host);
    String helper = helperFor(root, key);
    if (helper != null) {
      String input =
          JsonObject.builder()
              .put("ServerURL", key)
              .put("Username", credential.username())
              .put("Secret", credential.secret())
              .build()
              .toString();
      runHelper(helper, "store", input);
      return "docker-credential-" + helper;
    }
    JsonObject auths = root.object("auths");
    if (auths == null) {
      auths = JsonObject.EMPTY;
    }
    String auth =
        Base64.getEncoder()
            .encodeToString(
                (credential.username() + ":" + credential.secret())
                    .getBytes(StandardCharsets.UTF_8));
    JsonObject entry = auths.object(key);
    entry = (entry == null ? JsonObject.EMPTY : entry).with("auth", auth);
    entry = entry.without("username").without("password").without("identitytoken");
    write(root.with("auths", auths.with(key, entry)));
    return file.toString();
  }

  /** Removes the credential for {@code host}; false when there was none. */
  public boolean erase(String host) throws IOException {
    JsonObject root = read();
    String key = serverKey(host);
    String helper = helperFor(root, key);
    boolean removed = false;
    if (helper != null) {
      runHelper(helper, "erase", key);
      removed = true;
    }
    JsonObject auths = root.object("auths");
    if (auths != null && auths.has(key)) {
      write(root.with("auths", auths.without(key)));
      removed = true;
    }
    return removed;
  }

  private static String helperFor(JsonObject root, String key) {
    Map<String, String> helpers = root.stringMap("credHelpers");
    if (helpers != null && helpers.containsKey(key)) {
      return helpers.get(key);
    }
    String store = root.string("credsStore");
    return store == null || store.isBlank() ? null : store;
  }

  private JsonObject read() throws IOException {
    if (!Files.exists(file)) {
      return JsonObject.EMPTY;
    }
    byte[] bytes = Files.readAllBytes(file);
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      return JsonObject.EMPTY;
    }
    try {
      return Json.parseObject(bytes);
    } catch (IllegalArgumentException e) {
      throw new IOException("invalid Docker config " + file + ": " + e.getMessage(), e);
    }
  }

  private void write(JsonObject root) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    // a symlinked config.json (dotfiles) is replaced where it points, as docker does
    Path target = Files.isSymbolicLink(file) && Files.exists(file) ? file.toRealPath() : file;
    AtomicFiles.sweep(target.getParent());
    AtomicFiles.write(target, (root.toPrettyString("\t") + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void runHelper(String helper, String action, String input) throws IOException {
    String command = "docker-credential-" + helper;
    Process p;
    try {
      p = new ProcessBuilder(command, action).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(
          "credential helper " + command + " (from the Docker config) is not on PATH", e);
    }
    try (var in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(command + " " + action + " did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(command + " " + action + " failed: " + out);
    }
  }
}
