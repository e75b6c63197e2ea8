package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.List;

/** {@code VOLUME ["/a", "/b"]} or {@code VOLUME /a /b}. */
public record VolumeInstruction(SourceRange range, String text, List<String> volumes)
    implements Instruction {
  public VolumeInstruction {
    if (range == null || text == null || volumes == null || volumes.isEmpty()) {
      throw new IllegalArgumentException("VOLUME needs at least one path");
    }
    volumes = List.copyOf(volumes);
  }

  @Override
  public Keyword keyword() {
    return Keyword.VOLUME;
  }
}
