package dev.jbuild.layercache.json;

import java.util.Objects;

/** A JSON string. */
public record JsonString(String value) implements Json {
  public JsonString {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return JsonWriter.compact(this);
  }
}
