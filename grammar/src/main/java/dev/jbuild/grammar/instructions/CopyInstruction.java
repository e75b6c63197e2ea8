package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.List;
import java.util.Optional;

/**
 * {@code COPY [--from=stage|index|image] [--chown=u:g] [--chmod=mode] [--link] [--parents]
 * [--exclude=p]... src... dest} (or the JSON form). {@code --from} stays as written: resolve it
 * with the build graph ({@code Stage.source(instruction)}), which implements BuildKit's rules.
 */
public record CopyInstruction(
    SourceRange range,
    String text,
    List<String> sources,
    List<Heredoc> heredocs,
    String destination,
    Optional<String> from,
    Optional<String> chown,
    Optional<String> chmod,
    boolean link,
    boolean parents,
    List<String> excludes)
    implements FileInstruction {
  public CopyInstruction {
    if (range == null
        || text == null
        || sources == null
        || heredocs == null
        || destination == null
        || from == null
        || chown == null
        || chmod == null
        || excludes == null) {
      throw new IllegalArgumentException("COPY fields must not be null");
    }
    sources = List.copyOf(sources);
    heredocs = List.copyOf(heredocs);
    excludes = List.copyOf(excludes);
  }

  @Override
  public Keyword keyword() {
    return Keyword.COPY;
  }
}
