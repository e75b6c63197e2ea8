package dev.jbuild.grammar.instructions;

import java.util.Optional;

/** One name of an ARG instruction, with its default value as written when it has one. */
public record ArgDeclaration(String name, Optional<String> defaultValue) {
  public ArgDeclaration {
    if (name == null || defaultValue == null) {
      throw new IllegalArgumentException("name and defaultValue must not be null");
    }
  }

  @Override
  public String toString() {
    return defaultValue.map(v -> name + "=" + v).orElse(name);
  }
}
