package dev.jbuild.grammar.shell;

import java.util.Map;

/** Variables visible to word expansion. */
@FunctionalInterface
public interface Env {
  /** The value of {@code name}, or null when it is not set (set-but-empty is ""). */
  String get(String name);

  Env EMPTY = new MapEnv(Map.of());

  static Env of(Map<String, String> map) {
    return new MapEnv(map);
  }

  /** A map as an environment (a class, not a lambda: no bootstrap at first use). */
  record MapEnv(Map<String, String> map) implements Env {
    @Override
    public String get(String name) {
      return map.get(name);
    }
  }
}
