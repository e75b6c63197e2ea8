package dev.jbuild.testing;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A directory outside every store that an attack tries to reach: a few files and directories with
 * distinct owners and modes. {@link #assertUntouched} fails when anything under it (or the
 * directory itself) was created, removed, chowned, chmodded or rewritten since {@link #create}.
 */
public final class Victim implements AutoCloseable {
  private final Path dir;
  private final Map<String, String> before;

  private Victim(Path dir) throws IOException {
    this.dir = dir;
    this.before = snapshot(dir);
  }

  /** A fresh victim directory under /tmp (never under a store or a test's work directory). */
  public static Victim create() throws IOException {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "jbuild-victim-");
    Posix.chmod(dir, 0750);
    Posix.lchown(dir, 1234, 1234);
    Path sub = Files.createDirectory(dir.resolve("d"));
    Posix.chmod(sub, 0700);
    Files.writeString(dir.resolve("f"), "victim\n");
    Posix.chmod(dir.resolve("f"), 0600);
    Posix.lchown(dir.resolve("f"), 1234, 1234);
    Files.writeString(sub.resolve("g"), "victim too\n");
    Files.createDirectory(dir.resolve("empty"));
    Files.createFile(dir.resolve("zero"));
    return new Victim(dir);
  }

  public Path dir() {
    return dir;
  }

  /** The directory's path as a string (for Dockerfiles and symlink targets). */
  @Override
  public String toString() {
    return dir.toString();
  }

  /** Fails naming the first difference since {@link #create}. */
  public void assertUntouched() throws IOException {
    Map<String, String> now = snapshot(dir);
    if (!now.equals(before)) {
      StringBuilder diff = new StringBuilder("the victim directory " + dir + " changed:");
      for (String k : new java.util.TreeSet<>(union(before, now))) {
        String a = before.get(k);
        String b = now.get(k);
        if (a == null || !a.equals(b)) {
          diff.append("\n  ").append(k).append(": ").append(a).append(" -> ").append(b);
        }
      }
      throw new AssertionError(diff.toString());
    }
  }

  private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
    java.util.Set<String> s = new java.util.HashSet<>(a.keySet());
    s.addAll(b.keySet());
    return s;
  }

  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      all.forEach(
          p -> {
            try {
              Stat st = Posix.lstat(p);
              String content =
                  st.isRegularFile() ? Integer.toHexString(Files.readString(p).hashCode()) : "";
              m.put(
                  dir.relativize(p).toString(),
                  Integer.toOctalString(st.mode())
                      + " "
                      + st.uid()
                      + ":"
                      + st.gid()
                      + " "
                      + st.size()
                      + " "
                      + st.mtime()
                      + " "
                      + content);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return m;
  }

  @Override
  public void close() throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
