package dev.jbuild.layercache.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A JSON object (immutable) that keeps its members in insertion order. Typed getters return null
 * when a member is absent or JSON null, and throw {@link IllegalArgumentException} naming the
 * member when it has another type.
 */
public record JsonObject(Map<String, Json> members) implements Json {
  public static final JsonObject EMPTY = new JsonObject(Map.of());

  public JsonObject {
    Objects.requireNonNull(members, "members");
    LinkedHashMap<String, Json> copy = new LinkedHashMap<>(members);
    copy.forEach(
        (k, v) -> {
          Objects.requireNonNull(k, "key");
          Objects.requireNonNull(v, () -> "value of " + k);
        });
    members = Collections.unmodifiableMap(copy);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting with this object's members. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.members.putAll(members);
    return b;
  }

  public int size() {
    return members.size();
  }

  public boolean isEmpty() {
    return members.isEmpty();
  }

  public Set<String> keys() {
    return members.keySet();
  }

  public boolean has(String key) {
    return members.containsKey(key);
  }

  /** The member, or null when absent (a JSON null member is {@link JsonNull}). */
  public Json get(String key) {
    return members.get(key);
  }

  /** True when the member is present and not JSON null. */
  public boolean hasValue(String key) {
    Json v = members.get(key);
    return v != null && !(v instanceof JsonNull);
  }

  // The accessors test with instanceof, not a pattern switch: a type switch bootstraps a class of
  // its own at its first run (12-25 ms for the first in a JVM, about 1 ms each after), which the
  // AOT
  // cache does not keep, and these run on every build (builder-cli README, "Start-up").
  public String string(String key) {
    Json v = members.get(key);
    if (v instanceof JsonString s) {
      return s.value();
    }
    if (v == null || v instanceof JsonNull) {
      return null;
    }
    throw wrongType(key, "a string", v);
  }

  public String string(String key, String defaultValue) {
    String s = string(key);
    return s == null ? defaultValue : s;
  }

  public JsonNumber number(String key) {
    Json v = members.get(key);
    if (v instanceof JsonNumber num) {
      return num;
    }
    if (v == null || v instanceof JsonNull) {
      return null;
    }
    throw wrongType(key, "a number", v);
  }

  /** The member as a long, or null. */
  public Long longValue(String key) {
    JsonNumber n = number(key);
    if (n == null) {
      return null;
    }
    try {
      return n.longValue();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "field \"" + key + "\" must be an integer: " + n.text(), e);
    }
  }

  public Boolean bool(String key) {
    Json v = members.get(key);
    if (v instanceof JsonBool b) {
      return b.value();
    }
    if (v == null || v instanceof JsonNull) {
      return null;
    }
    throw wrongType(key, "a boolean", v);
  }

  public JsonObject object(String key) {
    Json v = members.get(key);
    if (v instanceof JsonObject o) {
      return o;
    }
    if (v == null || v instanceof JsonNull) {
      return null;
    }
    throw wrongType(key, "an object", v);
  }

  public JsonArray array(String key) {
    Json v = members.get(key);
    if (v instanceof JsonArray a) {
      return a;
    }
    if (v == null || v instanceof JsonNull) {
      return null;
    }
    throw wrongType(key, "an array", v);
  }

  /** The member as a list of strings, or null when absent or JSON null. */
  public java.util.List<String> strings(String key) {
    JsonArray a = array(key);
    if (a == null) {
      return null;
    }
    try {
      return a.strings();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field \"" + key + "\": " + e.getMessage(), e);
    }
  }

  /** The member as a map of strings (in order), or null when absent or JSON null. */
  public Map<String, String> stringMap(String key) {
    JsonObject o = object(key);
    if (o == null) {
      return null;
    }
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    o.members.forEach(
        (k, v) -> {
          if (!(v instanceof JsonString s)) {
            throw new IllegalArgumentException(
                "field \""
                    + key
                    + "\": member \""
                    + k
                    + "\" must be a string, not "
                    + v.typeName());
          }
          out.put(k, s.value());
        });
    return Collections.unmodifiableMap(out);
  }

  /** A copy with {@code key} set: an existing member keeps its position, a new one goes last. */
  public JsonObject with(String key, Json value) {
    LinkedHashMap<String, Json> copy = new LinkedHashMap<>(members);
    copy.put(key, value);
    return new JsonObject(copy);
  }

  public JsonObject with(String key, String value) {
    return with(key, Json.ofNullable(value));
  }

  /** A copy without {@code key}. */
  public JsonObject without(String key) {
    if (!members.containsKey(key)) {
      return this;
    }
    LinkedHashMap<String, Json> copy = new LinkedHashMap<>(members);
    copy.remove(key);
    return new JsonObject(copy);
  }

  /** A copy without the given keys (e.g. the known fields of a model type, to keep the rest). */
  public JsonObject without(Set<String> keys) {
    LinkedHashMap<String, Json> copy = new LinkedHashMap<>(members);
    copy.keySet().removeAll(keys);
    return new JsonObject(copy);
  }

  @Override
  public String toString() {
    return JsonWriter.compact(this);
  }

  private static IllegalArgumentException wrongType(String key, String expected, Json actual) {
    return new IllegalArgumentException(
        "field \"" + key + "\" must be " + expected + ", not " + actual.typeName());
  }

  /** Builds an object in insertion order. */
  public static final class Builder {
    private final LinkedHashMap<String, Json> members = new LinkedHashMap<>();

    private Builder() {} // JsonObject.builder()

    public Builder put(String key, Json value) {
      members.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    public Builder put(String key, String value) {
      return put(key, Json.ofNullable(value));
    }

    public Builder put(String key, long value) {
      return put(key, JsonNumber.of(value));
    }

    public Builder put(String key, boolean value) {
      return put(key, Json.of(value));
    }

    /** Puts the member only when {@code value} is not null (an absent member, not JSON null). */
    public Builder putIfNotNull(String key, Json value) {
      if (value != null) {
        members.put(key, value);
      }
      return this;
    }

    public Builder putIfNotNull(String key, String value) {
      if (value != null) {
        members.put(key, new JsonString(value));
      }
      return this;
    }

    /** Appends every member of {@code other} that is not already present. */
    public Builder putAllAbsent(JsonObject other) {
      other.members.forEach(members::putIfAbsent);
      return this;
    }

    public Builder remove(String key) {
      members.remove(key);
      return this;
    }

    public boolean has(String key) {
      return members.containsKey(key);
    }

    public JsonObject build() {
      return new JsonObject(members);
    }
  }
}
