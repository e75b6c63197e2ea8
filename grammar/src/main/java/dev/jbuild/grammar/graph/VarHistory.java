package dev.jbuild.grammar.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;

/**
 * One kind of variables (ENV, ARG, or both) along a chain of scopes: for each name, the values it
 * had from which version on. A scope is a version number, so {@link StageScope#apply} appends one
 * version instead of copying every variable (ARG and ENV handling is linear in the number of
 * instructions, not quadratic). Not thread-safe on its own: {@link ScopeChain} locks.
 */
final class VarHistory {
  private static final class Versions {
    int[] versions = new int[2];
    String[] values = new String[2];
    int size;
  }

  private final HashMap<String, Versions> byName = new HashMap<>();
  private final ArrayList<String> order = new ArrayList<>();
  private int[] firstVersion = new int[16];

  /** Sets {@code name} from {@code version} on ({@code value} may be null: declared, no value). */
  void put(int version, String name, String value) {
    Versions v = byName.get(name);
    if (v == null) {
      v = new Versions();
      byName.put(name, v);
      if (order.size() == firstVersion.length) {
        firstVersion = Arrays.copyOf(firstVersion, firstVersion.length * 2);
      }
      firstVersion[order.size()] = version;
      order.add(name);
    }
    if (v.size > 0 && v.versions[v.size - 1] == version) {
      v.values[v.size - 1] = value; // set twice in one instruction: the last wins
      return;
    }
    if (v.size == v.versions.length) {
      v.versions = Arrays.copyOf(v.versions, v.size * 2);
      v.values = Arrays.copyOf(v.values, v.size * 2);
    }
    v.versions[v.size] = version;
    v.values[v.size] = value;
    v.size++;
  }

  /** The index of the newest entry of {@code v} at or before {@code version}, or -1. */
  private static int at(Versions v, int version) {
    int lo = 0;
    int hi = v.size - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (v.versions[mid] <= version) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  boolean contains(String name, int version) {
    Versions v = byName.get(name);
    return v != null && at(v, version) >= 0;
  }

  /** The value at {@code version}, or null (unset, or declared without a value). */
  String get(String name, int version) {
    Versions v = byName.get(name);
    if (v == null) {
      return null;
    }
    int i = at(v, version);
    return i < 0 ? null : v.values[i];
  }

  /** The variables at {@code version} in the order they were first set (as a LinkedHashMap). */
  LinkedHashMap<String, String> snapshot(int version) {
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < order.size(); i++) {
      if (firstVersion[i] <= version) {
        String name = order.get(i);
        Versions v = byName.get(name);
        out.put(name, v.values[at(v, version)]);
      }
    }
    return out;
  }
}
