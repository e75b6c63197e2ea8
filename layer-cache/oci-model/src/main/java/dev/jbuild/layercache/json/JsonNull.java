package dev.jbuild.layercache.json;

/** The JSON {@code null} literal (distinct from an absent member). */
public record JsonNull() implements Json {
  public static final JsonNull INSTANCE = new JsonNull();

  @Override
  public String toString() {
    return "null";
  }
}
