package dev.jbuild.grammar.shell;

/** A word that cannot be expanded (bad syntax, or {@code ${v?msg}} with v unset). */
public final class ExpansionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ExpansionException(String message) {
    super(message);
  }
}
