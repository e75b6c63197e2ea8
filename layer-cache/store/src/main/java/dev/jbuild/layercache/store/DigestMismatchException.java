package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.Digest;
import java.io.IOException;

/** Content does not match the digest (or size) it was expected to have. */
public final class DigestMismatchException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Digest expected;
  private final transient Digest actual;

  public DigestMismatchException(String what, Digest expected, Digest actual) {
    super(what + ": expected digest " + expected + " but the content has " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  /** {@code message} is the whole message (no "expected ... but" suffix). */
  public DigestMismatchException(String message, Digest expected, Digest actual, boolean whole) {
    super(
        whole
            ? message
            : message + ": expected digest " + expected + " but the content has " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public DigestMismatchException(String message) {
    super(message);
    this.expected = null;
    this.actual = null;
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
