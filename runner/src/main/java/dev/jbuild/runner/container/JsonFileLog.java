package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's log in Docker's json-file format: one JSON object per line of output, {@code
 * {"log":"text\n","stream":"stdout","time":"RFC 3339 with nanoseconds"}} (a line longer than 16 KiB
 * is split into entries without the newline, as Docker does). The file {@code <id>-json.log} is
 * capped: when an entry would take it past {@code max-size} it is renamed to {@code .1} (older ones
 * shift up to {@code .<max-file - 1>}, the oldest is dropped) and a new one begins; with {@code
 * max-file=1} it is truncated.
 */
final class JsonFileLog implements AutoCloseable {
  /** The longest entry: longer lines are split. */
  static final int MAX_LINE = 16 * 1024;

  private final Path file;
  private final HostConfig.LogConfig config;
  private OutputStream out;
  private long size;

  JsonFileLog(Path file, HostConfig.LogConfig config) throws IOException {
    this.file = file;
    this.config = config;
    open();
  }

  /** The log file of container {@code id} in {@code cdir}. */
  static Path file(Path cdir, String id) {
    return cdir.resolve(id + "-json.log");
  }

  /** The log's files, oldest first (rotated ones, then the current one), those that exist. */
  static List<Path> files(Path current, int maxFiles) {
    List<Path> out = new ArrayList<>();
    for (int i = Math.max(maxFiles, 1) + 1; i >= 1; i--) {
      Path p = rotated(current, i);
      if (Files.exists(p)) {
        out.add(p);
      }
    }
    if (Files.exists(current)) {
      out.add(current);
    }
    return out;
  }

  private static Path rotated(Path current, int n) {
    return current.resolveSibling(current.getFileName() + "." + n);
  }

  private void open() throws IOException {
    out =
        Files.newOutputStream(
            file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    size = Files.size(file);
  }

  /** Appends one entry. */
  synchronized void write(String stream, byte[] text, int off, int len, Instant time)
      throws IOException {
    String log =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE)
            .decode(java.nio.ByteBuffer.wrap(text, off, len))
            .toString();
    byte[] entry =
        (new String(
                    JsonObject.builder()
                        .put("log", log)
                        .put("stream", stream)
                        .put("time", time.toString())
                        .build()
                        .toBytes(),
                    StandardCharsets.UTF_8)
                + "\n")
            .getBytes(StandardCharsets.UTF_8);
    if (size > 0 && size + entry.length > config.maxSize()) {
      rotate();
    }
    out.write(entry);
    out.flush();
    size += entry.length;
  }

  private void rotate() throws IOException {
    out.close();
    if (config.maxFiles() <= 1) {
      Files.write(file, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
    } else {
      Files.deleteIfExists(rotated(file, config.maxFiles() - 1));
      for (int i = config.maxFiles() - 2; i >= 1; i--) {
        try {
          Files.move(rotated(file, i), rotated(file, i + 1));
        } catch (NoSuchFileException e) {
          // fewer files so far
        }
      }
      Files.move(file, rotated(file, 1));
    }
    open();
  }

  /**
   * Copies {@code in} into the log as {@code stream} until end of file: one entry per line (or per
   * {@link #MAX_LINE} bytes), the rest when it ends without a newline.
   */
  void copy(InputStream in, String stream) throws IOException {
    byte[] buf = new byte[8192];
    byte[] line = new byte[MAX_LINE];
    int pending = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      Instant now = Instant.now();
      for (int i = 0; i < n; i++) {
        line[pending++] = buf[i];
        if (buf[i] == '\n' || pending == MAX_LINE) {
          write(stream, line, 0, pending, now);
          pending = 0;
        }
      }
    }
    if (pending > 0) {
      write(stream, line, 0, pending, Instant.now());
    }
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
