package dev.jbuild.layercache.tar;

import java.io.IOException;

/**
 * A layer tar that cannot be read or applied: truncated, malformed, or trying to write outside the
 * target root. The message names the entry (see {@link TarErrors}).
 */
public final class LayerFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public LayerFormatException(String message) {
    super(message);
  }

  public LayerFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
