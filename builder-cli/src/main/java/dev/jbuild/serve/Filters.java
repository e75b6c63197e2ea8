package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonBool;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's {@code filters} query parameter: a JSON object of name to values, either {@code
 * {"dangling":["true"]}} or the older {@code {"dangling":{"true":true}}}.
 */
final class Filters {
  private final Map<String, List<String>> values;

  private Filters(Map<String, List<String>> values) {
    this.values = values;
  }

  static Filters parse(String json) throws ApiException {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (json == null || json.isBlank()) {
      return new Filters(out);
    }
    Json parsed;
    try {
      parsed = Json.parse(json);
    } catch (JsonParseException e) {
      throw ApiException.badRequest("invalid filters: " + e.getMessage());
    }
    if (!(parsed instanceof JsonObject o)) {
      throw ApiException.badRequest("invalid filters: not a JSON object");
    }
    for (String key : o.keys()) {
      List<String> list = new ArrayList<>();
      Json v = o.get(key);
      if (v instanceof JsonArray a) {
        for (Json e : a.elements()) {
          list.add(e instanceof dev.jbuild.layercache.json.JsonString s ? s.value() : e.toString());
        }
      } else if (v instanceof JsonObject m) {
        for (String k : m.keys()) {
          if (m.get(k) instanceof JsonBool b && b.value()) {
            list.add(k);
          }
        }
      } else {
        throw ApiException.badRequest("invalid filters: " + key + " is not a list");
      }
      out.put(key, list);
    }
    return new Filters(out);
  }

  /** Refuses a filter name outside {@code names}, as docker does ("invalid filter 'x'"). */
  void allowOnly(String... names) throws ApiException {
    Set<String> allowed = Set.of(names);
    for (String k : values.keySet()) {
      if (!allowed.contains(k)) {
        throw ApiException.badRequest("invalid filter '" + k + "'");
      }
    }
  }

  List<String> values(String name) {
    return values.getOrDefault(name, List.of());
  }

  boolean has(String name) {
    return values.containsKey(name) && !values.get(name).isEmpty();
  }

  /** True when the filter is absent or one of its values equals {@code value}. */
  boolean accepts(String name, String value) {
    List<String> v = values.get(name);
    return v == null || v.isEmpty() || v.contains(value);
  }

  /** Every filter: name to values (for the areas that match names themselves). */
  Map<String, List<String>> asMap() {
    return values;
  }

  /**
   * Whether {@code labels} pass every {@code label} filter value ({@code KEY} present, or {@code
   * KEY=VALUE} equal): docker ANDs label filters, where the values of other filters are ORed.
   */
  static boolean labelsMatch(Map<String, String> labels, List<String> filters) {
    for (String f : filters) {
      int eq = f.indexOf('=');
      boolean ok =
          eq < 0
              ? labels.containsKey(f)
              : f.substring(eq + 1).equals(labels.get(f.substring(0, eq)));
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
