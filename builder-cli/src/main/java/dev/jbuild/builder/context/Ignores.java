package dev.jbuild.builder.context;

import dev.jbuild.grammar.ignore.Dockerignore;
import dev.jbuild.layercache.fs.RootDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** .dockerignore files and COPY --exclude patterns as {@link IgnoreFilter}s (Docker's matching). */
public final class Ignores {
  private Ignores() {}

  /** The largest ignore file read. */
  static final int MAX_BYTES = 4 * 1024 * 1024;

  /**
   * The filter of a build: {@code <Dockerfile>.dockerignore} next to the Dockerfile, else
   * CONTEXT/.dockerignore, else nothing ignored. A file inside the context is read through the
   * confined toolkit (symlinks followed only inside the context, regular files only, bounded), as
   * everything else the context holds.
   */
  public static IgnoreFilter forContext(Path context, Optional<Path> dockerfile)
      throws IOException {
    Optional<byte[]> text = Optional.empty();
    String name = null;
    Path ctx = context.toAbsolutePath().normalize();
    try (RootDir root = RootDir.open(ctx)) {
      if (dockerfile.isPresent() && dockerfile.get().getFileName() != null) {
        Path df = dockerfile.get().toAbsolutePath().normalize();
        Path specific = df.resolveSibling(df.getFileName() + ".dockerignore");
        name = specific.toString();
        text =
            specific.startsWith(ctx)
                ? root.readFile(ctx.relativize(specific).toString(), MAX_BYTES)
                : Files.isRegularFile(specific)
                    ? RootDir.readRegularFile(specific.toRealPath(), MAX_BYTES)
                    : Optional.empty();
      }
      if (text.isEmpty()) {
        name = ctx.resolve(".dockerignore").toString();
        text = root.readFile(".dockerignore", MAX_BYTES);
      }
    }
    if (text.isEmpty()) {
      return IgnoreFilter.NONE;
    }
    Dockerignore d = Dockerignore.parse(name, new String(text.get(), StandardCharsets.UTF_8));
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
