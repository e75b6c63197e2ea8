package dev.jbuild.runner;

import java.nio.file.Path;
import java.util.List;

/**
 * A mount in a run's container. The builder turns RUN {@code --mount} types into these: bind and
 * cache mounts are {@link Bind}s (a cache's source is its directory in the store), secrets are
 * read-only {@link Bind}s of a file, tmpfs is {@link Tmpfs}.
 */
public sealed interface RunMount {
  /** The absolute path inside the container. */
  String target();

  /** Bind mount of a host file or directory. */
  record Bind(Path source, String target, boolean readOnly) implements RunMount {
    public Bind {
      checkTarget(target);
      if (!source.isAbsolute()) {
        throw new IllegalArgumentException("bind mount source must be absolute: " + source);
      }
    }

    public static Bind readOnly(Path source, String target) {
      return new Bind(source, target, true);
    }

    public static Bind readWrite(Path source, String target) {
      return new Bind(source, target, false);
    }
  }

  /** A fresh tmpfs; {@code sizeBytes} 0 means the kernel's default (half of RAM). */
  record Tmpfs(String target, long sizeBytes, int mode) implements RunMount {
    public Tmpfs {
      checkTarget(target);
      if (sizeBytes < 0) {
        throw new IllegalArgumentException("negative tmpfs size");
      }
    }

    public static Tmpfs of(String target) {
      return new Tmpfs(target, 0, 01777);
    }

    public List<String> options() {
      List<String> o = new java.util.ArrayList<>(List.of("nosuid", "nodev"));
      o.add("mode=" + Integer.toOctalString(mode));
      if (sizeBytes > 0) {
        o.add("size=" + sizeBytes);
      }
      return o;
    }
  }

  private static void checkTarget(String target) {
    if (target == null || !target.startsWith("/")) {
      throw new IllegalArgumentException("mount target must be an absolute path: " + target);
    }
  }
}
