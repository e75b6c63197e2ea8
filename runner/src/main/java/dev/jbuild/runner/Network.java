package dev.jbuild.runner;

/**
 * The network a run gets, as BuildKit's RUN {@code --network}: its own network namespace with
 * outbound access through a user-mode network stack (the default: {@code default}), the host's
 * ({@code host}), or only loopback ({@code none}).
 */
public enum Network {
  /** A private network namespace, outbound only, the host's loopback out of reach (default). */
  PRIVATE,
  /** The host's network namespace. */
  HOST,
  /** A private network namespace with only loopback. */
  NONE;

  /** The BuildKit / Docker name: default, host, none. */
  public String dockerName() {
    return this == PRIVATE ? "default" : name().toLowerCase(java.util.Locale.ROOT);
  }
}
