package dev.jbuild.builder.remote;

import dev.jbuild.layercache.registry.RegistryConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a git fetch may use: the build's secrets (BuildKit's {@code GIT_AUTH_TOKEN} and {@code
 * GIT_AUTH_HEADER}, optionally suffixed {@code .HOST}), the {@code --ssh default} agent for ssh
 * remotes, the registry settings (which hosts may be reached over plain http, the network timeouts)
 * and the byte bound of anything fetched.
 *
 * @param secrets looks a secret up by id
 * @param sshAgent the agent socket of {@code --ssh default}, if given
 * @param config insecure hosts and timeouts
 * @param maxBytes the most a fetch may bring (pack data, checkout content, a download)
 */
public record GitAccess(
    SecretLookup secrets, Optional<Path> sshAgent, RegistryConfig config, long maxBytes) {

  /** The default bound of a remote source: {@value} bytes, or {@code JBUILD_MAX_REMOTE_BYTES}. */
  public static final long DEFAULT_MAX_BYTES = 8L << 30;

  /** A secret's value by id, empty when the build has none of that id. */
  @FunctionalInterface
  public interface SecretLookup {
    Optional<byte[]> get(String id) throws IOException;
  }

  /** The bound from {@code JBUILD_MAX_REMOTE_BYTES}, else {@link #DEFAULT_MAX_BYTES}. */
  public static long maxBytes(java.util.Map<String, String> env) {
    String v = env.get("JBUILD_MAX_REMOTE_BYTES");
    if (v == null || v.isBlank()) {
      return DEFAULT_MAX_BYTES;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException(
        "JBUILD_MAX_REMOTE_BYTES=" + v + ": expected a positive number of bytes");
  }
}
