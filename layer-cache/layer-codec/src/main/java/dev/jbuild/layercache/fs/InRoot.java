package dev.jbuild.layercache.fs;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a path inside a root the way a process whose root it is would see it, given only a way
 * to read links: an absolute link target restarts at the root, ".." stops there, at most {@value
 * #MAX_LINKS} links. The answer is a clean relative path ("" for the root) that need not exist yet
 * (WORKDIR, a mount target, a COPY destination). Where links are read is the caller's: a {@link
 * RootDir}'s descriptors, or the union of an image's layers; no host path is ever followed.
 */
public final class InRoot {
  /** Linux's MAXSYMLINKS is 40 per lookup; this bounds a whole resolution, as BuildKit does. */
  public static final int MAX_LINKS = 255;

  private InRoot() {}

  /** Reads links inside the root. */
  @FunctionalInterface
  public interface Links {
    /**
     * The target of {@code rel} (a clean relative path whose parents hold no symlink) when it is a
     * symlink; null when it is anything else or does not exist.
     */
    String target(String rel) throws IOException;
  }

  /**
   * Resolves {@code path} (absolute or relative to "/"): every component, or all but the last when
   * {@code followLast} is false.
   */
  public static String resolve(String path, boolean followLast, Links links) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    push(todo, path);
    List<String> done = new ArrayList<>();
    int followed = 0;
    while (!todo.isEmpty()) {
      String part = todo.pop();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      done.add(part);
      if (!followLast && todo.stream().allMatch(p -> p.isEmpty() || p.equals("."))) {
        break;
      }
      String target = links.target(String.join("/", done));
      if (target != null) {
        if (++followed > MAX_LINKS) {
          throw new FileSystemException(path, null, "too many levels of symbolic links");
        }
        done.removeLast();
        if (target.startsWith("/")) {
          done.clear();
        }
        push(todo, target);
      }
    }
    return String.join("/", done);
  }

  /**
   * {@link #resolve} with the links of {@code root} read through its descriptors ({@link
   * RootDir#readlink}).
   */
  public static String resolve(RootDir root, String path, boolean followLast) throws IOException {
    return resolve(path, followLast, root::readlink);
  }

  private static void push(Deque<String> todo, String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) {
      todo.push(parts[i]);
    }
  }
}
