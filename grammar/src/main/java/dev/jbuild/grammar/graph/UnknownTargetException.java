package dev.jbuild.grammar.graph;

/** {@code --target} names no stage of the Dockerfile. */
public final class UnknownTargetException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UnknownTargetException(String message) {
    super(message);
  }
}
