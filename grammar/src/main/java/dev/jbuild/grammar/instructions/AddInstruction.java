package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.List;
import java.util.Optional;

/**
 * {@code ADD [--chown=u:g] [--chmod=mode] [--link] [--checksum=digest] [--keep-git-dir]
 * [--exclude=p]... [--unpack=bool] src... dest}: sources may be context paths, http(s) URLs or git
 * references; local archives are unpacked unless {@code --unpack=false}.
 */
public record AddInstruction(
    SourceRange range,
    String text,
    List<String> sources,
    List<Heredoc> heredocs,
    String destination,
    Optional<String> chown,
    Optional<String> chmod,
    boolean link,
    Optional<String> checksum,
    boolean keepGitDir,
    List<String> excludes,
    Optional<Boolean> unpack)
    implements FileInstruction {
  public AddInstruction {
    if (range == null
        || text == null
        || sources == null
        || heredocs == null
        || destination == null
        || chown == null
        || chmod == null
        || checksum == null
        || excludes == null
        || unpack == null) {
      throw new IllegalArgumentException("ADD fields must not be null");
    }
    sources = List.copyOf(sources);
    heredocs = List.copyOf(heredocs);
    excludes = List.copyOf(excludes);
  }

  @Override
  public Keyword keyword() {
    return Keyword.ADD;
  }
}
