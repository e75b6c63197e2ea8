package dev.jbuild.builder.context;

/** A COPY/ADD source that cannot be used: missing, ignored, outside the context, unreadable. */
public final class ContextException extends Exception {
  private static final long serialVersionUID = 1L;

  public ContextException(String message) {
    super(message);
  }

  public ContextException(String message, Throwable cause) {
    super(message, cause);
  }
}
