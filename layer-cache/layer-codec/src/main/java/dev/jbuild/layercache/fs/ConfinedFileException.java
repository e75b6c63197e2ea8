package dev.jbuild.layercache.fs;

import java.io.IOException;

/**
 * A file named by an image, a context or a step that jbuild refuses to read on the host: not a
 * regular file (a fifo, a device, ...) or larger than the reader's bound. The message names the
 * path, e.g. {@code /etc/passwd is a fifo, not a regular file}.
 */
public final class ConfinedFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final boolean notRegular;

  public ConfinedFileException(String path, String problem, boolean notRegular) {
    super(display(path) + " " + problem);
    this.path = path;
    this.notRegular = notRegular;
  }

  /** True when the file is not a regular file (false: it is one, but too large). */
  public boolean notRegular() {
    return notRegular;
  }

  /** The path as it was asked for. */
  public String path() {
    return path;
  }

  private static String display(String path) {
    return path.startsWith("/") ? path : "/" + path;
  }
}
