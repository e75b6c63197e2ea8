package dev.jbuild.layercache.registry;

import java.io.IOException;
import java.util.Objects;

/**
 * A registry operation failed. The message is one line a person can act on (it names the registry
 * host and the repository or reference); {@link #kind()} tells callers and exit-code mappers what
 * went wrong. Messages come from {@link RegistryErrors}.
 */
public final class RegistryException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The image, tag, manifest or blob does not exist. */
    NOT_FOUND,
    /** Authentication required or credentials rejected (HTTP 401). */
    UNAUTHORIZED,
    /** Authenticated but not allowed (HTTP 403). */
    DENIED,
    /** The registry cannot be reached (connection refused, unknown host, timeout). */
    CONNECTION,
    /** The TLS handshake failed (untrusted certificate, wrong host name, not a TLS server). */
    TLS,
    /** The registry sent bytes that do not match the digest that names them. */
    DIGEST_MISMATCH,
    /** The registry answered something this client does not understand or accept. */
    PROTOCOL,
    /** The registry reported an error of its own (HTTP 5xx, or an error body). */
    SERVER
  }

  private final Kind kind;

  public RegistryException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public RegistryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }

  /**
   * True when another try may succeed: the network failed (a dropped connection, a stall) or the
   * registry answered 5xx. A 4xx, a TLS error or a digest mismatch is final.
   */
  public boolean retryable() {
    return kind == Kind.CONNECTION || kind == Kind.SERVER;
  }
}
