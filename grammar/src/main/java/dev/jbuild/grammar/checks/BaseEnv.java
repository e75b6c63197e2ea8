package dev.jbuild.grammar.checks;

import java.util.List;
import java.util.Optional;

/**
 * The Env of a base image, which UndefinedVar needs (a variable the base image sets is defined).
 * The builder answers from the image store; an image it does not know makes the checks skip
 * UndefinedVar in the stages built on it rather than guess.
 */
@FunctionalInterface
public interface BaseEnv {
  /** The config Env ({@code K=V}) of the image {@code reference} (expanded FROM), if known. */
  Optional<List<String>> of(String reference);

  BaseEnv UNKNOWN = new Unknown();

  /** Knows no image (a class, not a lambda: no bootstrap on the build path). */
  final class Unknown implements BaseEnv {
    private Unknown() {}

    @Override
    public Optional<List<String>> of(String reference) {
      return Optional.empty();
    }
  }
}
