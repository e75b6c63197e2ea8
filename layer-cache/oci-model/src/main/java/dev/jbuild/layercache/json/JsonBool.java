package dev.jbuild.layercache.json;

/** {@code true} or {@code false}. */
public record JsonBool(boolean value) implements Json {
  public static final JsonBool TRUE = new JsonBool(true);
  public static final JsonBool FALSE = new JsonBool(false);

  @Override
  public String toString() {
    return Boolean.toString(value);
  }
}
