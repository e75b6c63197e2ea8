package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code HEALTHCHECK NONE} ({@link #command()} empty) or {@code HEALTHCHECK [options] CMD command}.
 * Durations are zero when not given (Docker then inherits from the base image or uses its
 * defaults); retries zero when not given.
 */
public record HealthcheckInstruction(
    SourceRange range,
    String text,
    Optional<Command> command,
    Duration interval,
    Duration timeout,
    Duration startPeriod,
    Duration startInterval,
    int retries)
    implements Instruction {
  public HealthcheckInstruction {
    if (range == null
        || text == null
        || command == null
        || interval == null
        || timeout == null
        || startPeriod == null
        || startInterval == null) {
      throw new IllegalArgumentException("HEALTHCHECK fields must not be null");
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative");
    }
  }

  public boolean isNone() {
    return command.isEmpty();
  }

  /** The image config's Healthcheck.Test: ["NONE"], ["CMD-SHELL", text] or ["CMD", args...]. */
  public List<String> test() {
    if (command.isEmpty()) {
      return List.of("NONE");
    }
    List<String> out = new ArrayList<>();
    switch (command.get()) {
      case Command.ShellForm s -> {
        out.add("CMD-SHELL");
        out.add(s.text());
      }
      case Command.ExecForm e -> {
        out.add("CMD");
        out.addAll(e.args());
      }
    }
    return List.copyOf(out);
  }

  @Override
  public Keyword keyword() {
    return Keyword.HEALTHCHECK;
  }
}
