package dev.jbuild.grammar.graph;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shared, append-only state of a chain of {@link StageScope}s: the image config's ENVs, the
 * stage's ARGs, and the variables expansion sees (both), each as a {@link VarHistory}, plus the
 * newest version. A scope that is not the newest of its chain and is applied again starts a copy (a
 * fork): the usual walk, one instruction after the other, never copies. Thread-safe.
 */
final class ScopeChain {
  final VarHistory env = new VarHistory();
  final VarHistory args = new VarHistory();
  final VarHistory vars = new VarHistory();
  final ExpansionBudget budget;
  private int latest;

  ScopeChain(ExpansionBudget budget) {
    this.budget = budget;
  }

  /** A new chain holding what {@code from} holds at {@code version}, as its version 0. */
  static ScopeChain copyOf(ScopeChain from, int version) {
    ScopeChain c = new ScopeChain(from.budget);
    synchronized (from) {
      putAll(c.env, from.env.snapshot(version));
      putAll(c.args, from.args.snapshot(version));
      putAll(c.vars, from.vars.snapshot(version));
    }
    return c;
  }

  private static void putAll(VarHistory h, Map<String, String> values) {
    for (Map.Entry<String, String> e : values.entrySet()) {
      h.put(0, e.getKey(), e.getValue());
    }
  }

  /** The next version, when {@code version} is the newest; else -1 (the caller must fork). */
  synchronized int next(int version) {
    if (version != latest) {
      return -1;
    }
    return ++latest;
  }

  synchronized String get(VarHistory h, String name, int version) {
    return h.get(name, version);
  }

  synchronized boolean contains(VarHistory h, String name, int version) {
    return h.contains(name, version);
  }

  synchronized LinkedHashMap<String, String> snapshot(VarHistory h, int version) {
    return h.snapshot(version);
  }

  synchronized void put(VarHistory h, int version, String name, String value) {
    h.put(version, name, value);
  }
}
