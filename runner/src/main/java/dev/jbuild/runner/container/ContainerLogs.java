package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.List;

/**
 * {@code jbuild logs}: a container's json-file log (its rotated files, oldest first, then the
 * current one), filtered by time and count, and followed while the container runs (across
 * rotations: the rest of a file renamed away is read before the new one).
 */
public final class ContainerLogs {
  /** How long {@code -f} sleeps when there is nothing new. */
  private static final long POLL_MILLIS = 100;

  private ContainerLogs() {}

  /** Where the entries go: the text of one entry (a line with its newline) and its stream. */
  public interface Sink {
    void write(boolean stderr, String text) throws IOException;
  }

  /**
   * What to show.
   *
   * @param follow keep reading while the container runs
   * @param tail the last N entries only (-1: all)
   * @param since entries from this time on (null: all)
   * @param timestamps prefix each entry with its time (RFC 3339, nanoseconds)
   * @param until entries up to this time only (null: all); following ends once it passed
   */
  public record Options(
      boolean follow, int tail, Instant since, boolean timestamps, Instant until) {
    public Options(boolean follow, int tail, Instant since, boolean timestamps) {
      this(follow, tail, since, timestamps, null);
    }

    /** Whether entry time {@code t} is within since and until (both inclusive, as docker's). */
    boolean shows(Instant t) {
      return (since == null || !t.isBefore(since)) && (until == null || !t.isAfter(until));
    }
  }

  /** Writes the log of container {@code ref} to {@code sink}. */
  public static void read(Containers all, String ref, Options o, Sink sink)
      throws IOException, InterruptedException {
    String id = all.find(ref).record().id();
    Path current = all.logFile(id);
    int maxFiles = Containers.hostConfig(current.getParent()).log().maxFiles();
    ArrayDeque<JsonObject> tail = new ArrayDeque<>();
    long offset = 0;
    Object key = null;
    List<Path> files = JsonFileLog.files(current, maxFiles);
    for (Path f : files) {
      byte[] bytes;
      Object k;
      try {
        k = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        bytes = Files.readAllBytes(f);
      } catch (NoSuchFileException e) {
        continue; // rotated away meanwhile
      }
      int end = complete(bytes, bytes.length);
      for (JsonObject e : entries(bytes, 0, end)) {
        if (o.shows(time(e))) {
          tail.addLast(e);
          if (o.tail() >= 0 && tail.size() > o.tail()) {
            tail.removeFirst();
          }
        }
      }
      if (f.equals(current)) {
        offset = end;
        key = k;
      }
    }
    for (JsonObject e : tail) {
      emit(e, o, sink);
    }
    if (o.follow()) {
      follow(all, id, current, key, offset, o, sink);
    }
  }

  /** Follows from the current end of the log until the container stops (for {@code start -a}). */
  public static void followFrom(Containers all, String id, Instant since, Sink sink)
      throws IOException, InterruptedException {
    read(all, id, new Options(true, -1, since, false), sink);
  }

  private static void follow(
      Containers all, String id, Path current, Object key, long offset, Options o, Sink sink)
      throws IOException, InterruptedException {
    boolean last = false;
    while (true) {
      ContainerState s = all.stateOf(id);
      boolean running = s != null && s.isRunning();
      Object k;
      try {
        k =
            Files.readAttributes(current, java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey();
      } catch (NoSuchFileException e) {
        k = null;
      }
      if (key != null && k != null && !key.equals(k)) {
        // rotated: the rest of the file we read, now current.1
        Path rotated = current.resolveSibling(current.getFileName() + ".1");
        offset = drain(rotated, offset, o, sink);
        key = k;
        offset = 0;
      } else if (key == null) {
        key = k;
      }
      if (k != null) {
        offset = drain(current, offset, o, sink);
      }
      if (last || s == null || o.until() != null && Instant.now().isAfter(o.until())) {
        return;
      }
      if (!running) {
        last = true; // once more: what it wrote just before it stopped
        continue;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** Emits the complete entries of {@code f} after {@code offset}; the new offset. */
  private static long drain(Path f, long offset, Options o, Sink sink) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(f)) {
      in.skipNBytes(Math.min(offset, Files.size(f)));
      bytes = in.readAllBytes();
    } catch (NoSuchFileException | java.io.EOFException e) {
      return offset;
    }
    int end = complete(bytes, bytes.length);
    for (JsonObject e : entries(bytes, 0, end)) {
      if (o.shows(time(e))) {
        emit(e, o, sink);
      }
    }
    return offset + end;
  }

  /** The length of the complete lines at the start of {@code bytes}. */
  private static int complete(byte[] bytes, int length) {
    for (int i = length - 1; i >= 0; i--) {
      if (bytes[i] == '\n') {
        return i + 1;
      }
    }
    return 0;
  }

  private static List<JsonObject> entries(byte[] bytes, int from, int to) {
    List<JsonObject> out = new java.util.ArrayList<>();
    int start = from;
    for (int i = from; i < to; i++) {
      if (bytes[i] == '\n') {
        try {
          out.add(Json.parseObject(new String(bytes, start, i - start, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
          // not an entry (a torn write of a killed monitor): skipped
        }
        start = i + 1;
      }
    }
    return out;
  }

  private static Instant time(JsonObject e) {
    try {
      return Instant.parse(e.string("time", ""));
    } catch (DateTimeParseException ex) {
      return Instant.EPOCH;
    }
  }

  private static void emit(JsonObject e, Options o, Sink sink) throws IOException {
    String text = e.string("log", "");
    if (o.timestamps()) {
      text = e.string("time", "") + " " + text;
    }
    sink.write("stderr".equals(e.string("stream", "")), text);
  }
}
