package dev.jbuild.builder.cache;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Says why a step missed the cache: it remembers, per step position (Dockerfile, stage,
 * instruction), the key the last build used, and on a miss compares the inputs recorded with that
 * key against the current ones ("file src/a.c changed", "build arg VERSION changed").
 */
public final class MissExplainer {
  private static final int MAX_NAMED = 3;
  private final Store store;
  private final Path dir;

  public MissExplainer(Store store) {
    this.store = store;
    this.dir = store.root().resolve("builder").resolve("positions");
  }

  /** A step's position: the same Dockerfile step in two builds has the same position. */
  public static String position(String dockerfile, int stage, String where) {
    String s = dockerfile + "\0" + stage + "\0" + where;
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32);
  }

  /** Records that the step at {@code position} now has {@code key}. */
  public void remember(String position, Digest key) {
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(position + ".tmp" + ProcessHandle.current().pid());
      Files.writeString(tmp, key.hex());
      Files.move(
          tmp,
          dir.resolve(position),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException ignored) {
      // explanations are best effort
    }
  }

  /** What changed since the last build of this position, or "" when that is unknown. */
  public String explain(String position, Map<String, String> current) {
    try {
      Path p = dir.resolve(position);
      if (!Files.isRegularFile(p)) {
        return "";
      }
      String prevKey = Files.readString(p).trim();
      Optional<CacheRecord> prev = store.cache().get(prevKey);
      if (prev.isEmpty()) {
        return "";
      }
      return describe(prev.get().why(), current);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Names the differences between two input maps, most telling first. */
  static String describe(Map<String, String> before, Map<String, String> now) {
    List<String> files = new ArrayList<>();
    List<String> other = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(before.keySet());
    names.addAll(now.keySet());
    boolean parent = false;
    for (String n : names) {
      String a = before.get(n);
      String b = now.get(n);
      if (a != null && a.equals(b)) {
        continue;
      }
      String verb = a == null ? "added" : b == null ? "removed" : "changed";
      if (n.equals("parent")) {
        parent = true;
      } else if (n.startsWith("file:") || n.startsWith("src:")) {
        files.add(n.substring(n.indexOf(':') + 1) + " " + verb);
      } else if (n.startsWith("mount:") && n.indexOf(':', 6) > 0) {
        files.add(n.substring(n.indexOf(':', 6) + 1) + " " + verb + " (bind mount)");
      } else if (n.startsWith("env:")) {
        other.add("env " + n.substring(4) + " " + verb);
      } else if (n.startsWith("url:")) {
        other.add("content of " + n.substring(4) + " " + verb);
      } else {
        other.add(n + " " + verb);
      }
    }
    List<String> parts = new ArrayList<>();
    if (!files.isEmpty()) {
      String f = "file " + String.join(", ", files.subList(0, Math.min(MAX_NAMED, files.size())));
      if (files.size() > MAX_NAMED) {
        f += " and " + (files.size() - MAX_NAMED) + " more";
      }
      parts.add(f);
    }
    parts.addAll(other);
    if (parts.isEmpty() && parent) {
      parts.add("a previous step changed");
    }
    return String.join("; ", parts);
  }
}
