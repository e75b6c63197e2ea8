package dev.jbuild.builder.context;

import dev.jbuild.grammar.ignore.Dockerignore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** .dockerignore files and COPY --exclude patterns as {@link IgnoreFilter}s (Docker's matching). */
public final class Ignores {
  private Ignores() {}

  /**
   * The filter of a build: {@code <Dockerfile>.dockerignore} next to the Dockerfile, else
   * CONTEXT/.dockerignore, else nothing ignored.
   */
  public static IgnoreFilter forContext(Path context, Optional<Path> dockerfile)
      throws IOException {
    Dockerignore d = Dockerignore.forContext(context, dockerfile.orElse(null));
    return d.isEmpty() ? IgnoreFilter.NONE : of(d);
  }

  /**
   * COPY/ADD --exclude patterns (relative to each source).
   *
   * @throws IllegalArgumentException for an invalid pattern
   */
  public static IgnoreFilter fromPatterns(List<String> patterns) {
    return of(Dockerignore.of(patterns));
  }

  private static IgnoreFilter of(Dockerignore d) {
    return new IgnoreFilter() {
      @Override
      public boolean excluded(String path) {
        return d.excludes(path);
      }

      @Override
      public boolean skipDir(String dir) {
        return d.canSkipDir(dir);
      }
    };
  }
}
