package dev.jbuild.grammar.instructions;

import java.util.Locale;
import java.util.Optional;

/** The Dockerfile instructions, with whether Docker expands variables in their arguments. */
public enum Keyword {
  ADD(true),
  ARG(true),
  CMD(false),
  COPY(true),
  ENTRYPOINT(false),
  ENV(true),
  EXPOSE(true),
  FROM(true),
  HEALTHCHECK(false),
  LABEL(true),
  MAINTAINER(false),
  ONBUILD(false),
  RUN(false),
  SHELL(false),
  STOPSIGNAL(true),
  USER(true),
  VOLUME(true),
  WORKDIR(true);

  private final boolean expands;

  Keyword(boolean expands) {
    this.expands = expands;
  }

  /**
   * Whether word expansion applies to the arguments (ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER
   * VOLUME WORKDIR, and ARG defaults; RUN only for its --mount options).
   */
  public boolean expands() {
    return expands;
  }

  /** Case-insensitive lookup of an instruction name. */
  public static Optional<Keyword> of(String name) {
    try {
      return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
