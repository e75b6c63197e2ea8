package dev.jbuild.grammar.instructions;

/** One {@code key=value} of ENV or LABEL. */
public record KeyValue(String key, String value) {
  public KeyValue {
    if (key == null || value == null) {
      throw new IllegalArgumentException("key and value must not be null");
    }
  }

  @Override
  public String toString() {
    return key + "=" + value;
  }
}
