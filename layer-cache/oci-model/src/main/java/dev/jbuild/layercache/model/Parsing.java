package dev.jbuild.layercache.model;

import java.util.function.Function;

/** The {@code isValid} of the model's parsers: they throw IllegalArgumentException on bad text. */
final class Parsing {
  private Parsing() {}

  /** True when {@code parser} accepts {@code text}. */
  static boolean accepts(Function<String, ?> parser, String text) {
    try {
      parser.apply(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
