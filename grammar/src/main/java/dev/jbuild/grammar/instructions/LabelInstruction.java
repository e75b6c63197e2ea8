package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.List;

/** {@code LABEL k=v ...} (or the legacy {@code LABEL k v}); keys and values as written. */
public record LabelInstruction(SourceRange range, String text, List<KeyValue> labels)
    implements Instruction {
  public LabelInstruction {
    if (range == null || text == null || labels == null || labels.isEmpty()) {
      throw new IllegalArgumentException("LABEL needs at least one label");
    }
    labels = List.copyOf(labels);
  }

  @Override
  public Keyword keyword() {
    return Keyword.LABEL;
  }
}
