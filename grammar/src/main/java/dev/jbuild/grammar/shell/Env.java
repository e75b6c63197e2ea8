package dev.jbuild.grammar.shell;

import java.util.Map;

/** Variables visible to word expansion. */
@FunctionalInterface
public interface Env {
  /** The value of {@code name}, or null when it is not set (set-but-empty is ""). */
  String get(String name);

  Env EMPTY = name -> null;

  static Env of(Map<String, String> map) {
    return map::get;
  }
}
