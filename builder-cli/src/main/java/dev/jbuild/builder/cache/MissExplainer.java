package dev.jbuild.builder.cache;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.StorePermissions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Says why a step missed the cache. Per Dockerfile (and context) it keeps one small file mapping
 * each step position (stage, instruction) to the key the last build used; the inputs behind a key
 * are kept beside the cache records, in {@code <root>/builder/why/<key>}, written only when a step
 * runs. On a miss, the current inputs are compared with those of the position's last key: "file
 * b.txt changed", "env LATE changed", "a previous step changed". A no-op rebuild reads the
 * positions file once and writes nothing.
 */
public final class MissExplainer {
  private static final int MAX_NAMED = 3;
  private final Path positionsFile;
  private final Path whyDir;
  private final Store store;
  private final Map<String, String> positions = new LinkedHashMap<>();
  private boolean dirty;

  /**
   * @param build identifies the Dockerfile and context (one positions file each)
   */
  public MissExplainer(Store store, String build) {
    Path dir = store.root().resolve("builder");
    String id = Digest.sha256(build.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32);
    this.positionsFile = dir.resolve("positions").resolve(id);
    this.whyDir = dir.resolve("why");
    this.store = store;
    try {
      JsonObject o = Json.parseObject(Files.readAllBytes(positionsFile));
      for (String k : o.keys()) {
        if (o.get(k) instanceof JsonString s) {
          positions.put(k, s.value());
        }
      }
    } catch (IOException | RuntimeException e) {
      // first build, or an unreadable file: explanations start afresh
    }
  }

  /** Where a step is: stage index and instruction (the same step in two builds, the same text). */
  public static String position(int stage, String where) {
    return stage + "/" + where;
  }

  /** Records that the step at {@code position} now has {@code key}. */
  public synchronized void remember(String position, Digest key) {
    String prev = positions.put(position, key.hex());
    if (!key.hex().equals(prev)) {
      dirty = true;
    }
  }

  /** Keeps the inputs of a step that ran, for explaining its next miss. */
  public void recordInputs(Digest key, Map<String, String> why) {
    try {
      StorePermissions.createPrivateDirectories(whyDir);
      write(whyDir.resolve(key.hex()), Json.ofStringMap(why).toBytes());
    } catch (IOException ignored) {
      // explanations are best effort
    }
  }

  /** Writes the positions file when a step's key changed. */
  public synchronized void save() {
    if (!dirty) {
      return;
    }
    try {
      StorePermissions.createPrivateDirectories(positionsFile.getParent());
      write(positionsFile, Json.ofStringMap(positions).toBytes());
      dirty = false;
    } catch (IOException ignored) {
      // explanations are best effort
    }
  }

  /**
   * Atomic but not fsynced: these files only explain misses (a lost or unreadable one means no
   * explanation, never a wrong build), and fsyncing one per executed step would cost milliseconds
   * each. The temp file is staged in the store's staging directory, swept when the store opens.
   */
  private void write(Path target, byte[] bytes) throws IOException {
    AtomicFiles.write(
        target, bytes, AtomicFiles.Options.DEFAULT.withoutFsync().stagedIn(store.stagingDir()));
  }

  /** The inputs recorded for {@code key}, or null. */
  public Map<String, String> inputsOf(String keyHex) {
    try {
      JsonObject o = Json.parseObject(Files.readAllBytes(whyDir.resolve(keyHex)));
      Map<String, String> m = new LinkedHashMap<>();
      for (String k : o.keys()) {
        if (o.get(k) instanceof JsonString s) {
          m.put(k, s.value());
        }
      }
      return m;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The key the last build used at {@code position}, or null. */
  public synchronized String previousKey(String position) {
    return positions.get(position);
  }

  /** What changed since the last build of this position, or "" when that is unknown. */
  public String explain(String position, Map<String, String> current) {
    String prev = previousKey(position);
    if (prev == null) {
      return "";
    }
    Map<String, String> before = inputsOf(prev);
    return before == null ? "" : describe(before, current);
  }

  /** Removes the recorded inputs of keys that have no cache record any more (after a prune). */
  public static int prune(Store store) throws IOException {
    Path why = store.root().resolve("builder").resolve("why");
    if (!Files.isDirectory(why)) {
      return 0;
    }
    java.util.Set<String> live = new java.util.HashSet<>(store.cache().keys());
    int n = 0;
    try (var list = Files.list(why)) {
      for (Path p : list.toList()) {
        if (!live.contains(p.getFileName().toString()) && Files.deleteIfExists(p)) {
          n++;
        }
      }
    }
    return n;
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
      } else if (n.startsWith("git:")) {
        other.add("commit of " + n.substring(4) + " " + verb);
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
