package dev.jbuild.layercache.json;

import java.util.ArrayList;
import java.util.List;

/** A JSON array (immutable). */
public record JsonArray(List<Json> elements) implements Json {
  public static final JsonArray EMPTY = new JsonArray(List.of());

  public JsonArray {
    elements = List.copyOf(elements);
  }

  public static JsonArray of(Json... elements) {
    return new JsonArray(List.of(elements));
  }

  public int size() {
    return elements.size();
  }

  public boolean isEmpty() {
    return elements.isEmpty();
  }

  public Json get(int i) {
    return elements.get(i);
  }

  /** A new array with {@code value} appended. */
  public JsonArray with(Json value) {
    List<Json> copy = new ArrayList<>(elements);
    copy.add(value);
    return new JsonArray(copy);
  }

  /** The elements as strings; throws naming the index when one is not a string. */
  public List<String> strings() {
    List<String> out = new ArrayList<>(elements.size());
    for (int i = 0; i < elements.size(); i++) {
      if (!(elements.get(i) instanceof JsonString s)) {
        throw new IllegalArgumentException(
            "element " + i + " is a " + elements.get(i).typeName() + ", expected a string");
      }
      out.add(s.value());
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return JsonWriter.compact(this);
  }
}
