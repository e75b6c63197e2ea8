package dev.jbuild.layercache.json;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A small immutable JSON tree. Objects keep their key order, numbers keep their text, so a document
 * parsed and written again keeps its values exactly (only insignificant whitespace changes).
 *
 * <p>{@link #toString()} is the compact form (no whitespace), {@link #toPrettyString()} the
 * indented form for people.
 */
public sealed interface Json
    permits JsonObject, JsonArray, JsonString, JsonNumber, JsonBool, JsonNull {

  /** Parses a UTF-8 JSON document; throws {@link JsonParseException} with line and column. */
  static Json parse(byte[] utf8) {
    return JsonParser.parse(utf8);
  }

  /** Parses a JSON document; throws {@link JsonParseException} with line and column. */
  static Json parse(String text) {
    return JsonParser.parse(text);
  }

  /** Parses a document that must be an object. */
  static JsonObject parseObject(byte[] utf8) {
    Json json = parse(utf8);
    if (json instanceof JsonObject o) {
      return o;
    }
    throw new JsonParseException("expected a JSON object but found " + json.typeName(), 1, 1, 0);
  }

  /** Parses a document that must be an object. */
  static JsonObject parseObject(String text) {
    return parseObject(text.getBytes(StandardCharsets.UTF_8));
  }

  static JsonString of(String value) {
    return new JsonString(value);
  }

  static JsonNumber of(long value) {
    return JsonNumber.of(value);
  }

  static JsonBool of(boolean value) {
    return value ? JsonBool.TRUE : JsonBool.FALSE;
  }

  /** A string, or {@link JsonNull} when {@code value} is null. */
  static Json ofNullable(String value) {
    return value == null ? JsonNull.INSTANCE : new JsonString(value);
  }

  /** An array of strings, or {@link JsonNull} when {@code values} is null. */
  static Json ofStrings(List<String> values) {
    if (values == null) {
      return JsonNull.INSTANCE;
    }
    return new JsonArray(values.stream().<Json>map(JsonString::new).toList());
  }

  /** An object of string values (in the map's iteration order), or null JSON. */
  static Json ofStringMap(Map<String, String> values) {
    if (values == null) {
      return JsonNull.INSTANCE;
    }
    JsonObject.Builder b = JsonObject.builder();
    values.forEach((k, v) -> b.put(k, new JsonString(v)));
    return b.build();
  }

  /** "object", "array", "string", "number", "boolean" or "null" (for error messages). */
  default String typeName() {
    return switch (this) {
      case JsonObject o -> "object";
      case JsonArray a -> "array";
      case JsonString s -> "string";
      case JsonNumber n -> "number";
      case JsonBool b -> "boolean";
      case JsonNull n -> "null";
    };
  }

  default boolean isNull() {
    return this instanceof JsonNull;
  }

  /** The compact UTF-8 encoding. */
  default byte[] toBytes() {
    return JsonWriter.compact(this).getBytes(StandardCharsets.UTF_8);
  }

  /** Indented with 4 spaces, like {@code docker inspect}. */
  default String toPrettyString() {
    return JsonWriter.pretty(this, "    ");
  }

  /** Indented with the given unit. */
  default String toPrettyString(String indent) {
    return JsonWriter.pretty(this, indent);
  }
}
