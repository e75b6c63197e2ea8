package dev.jbuild.runner.fs;

import dev.jbuild.layercache.fs.InRoot;
import dev.jbuild.layercache.fs.RootDir;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Resolves a path inside a root filesystem the way the container will see it: symbolic links are
 * followed relative to the root (an absolute target restarts at the root) and ".." never climbs
 * above it; links are read through descriptors of the root ({@link InRoot}, {@link RootDir}), never
 * by host path. The result is a host path under {@code root}, which may not exist yet: callers
 * create what is missing through {@code RootDir} too.
 */
public final class RootPath {
  private RootPath() {}

  /** Resolves {@code path} (absolute or relative to "/") under {@code root}, following links. */
  public static Path resolve(Path root, String path) throws IOException {
    try (RootDir dir = RootDir.open(root)) {
      String rel = InRoot.resolve(dir, path, true);
      return rel.isEmpty() ? root : root.resolve(rel);
    }
  }
}
