package dev.jbuild.grammar.instructions;

import java.util.List;

/**
 * What a RUN executes: the argv and the inline files the argv refers to (for a heredoc script with
 * a {@code #!} line, BuildKit writes the body to /dev/pipes/NAME with mode 0755 and mounts that
 * directory read-only; the builder must do the same).
 */
public record RunInvocation(List<String> argv, List<InlineFile> files) {
  public RunInvocation {
    argv = List.copyOf(argv);
    files = List.copyOf(files);
  }

  /** A file a RUN needs at {@code path} (absolute, read-only, given mode). */
  public record InlineFile(String path, String content, int mode) {
    public InlineFile {
      if (path == null || !path.startsWith("/") || content == null) {
        throw new IllegalArgumentException("inline file needs an absolute path and content");
      }
    }
  }
}
