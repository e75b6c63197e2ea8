package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.io.NonClosingOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A deterministic tar writer for archives (not layers): entries owned by 0:0, mtime 0, mode 0644
 * (directories 0755), PAX headers for long names and big sizes; each path written once.
 */
final class TarOut implements AutoCloseable {
  private final TarArchiveOutputStream tar;
  private final Set<String> written = new HashSet<>();

  TarOut(OutputStream out) {
    this.tar = new TarArchiveOutputStream(new NonClosingOutputStream(out), 64 * 1024);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  boolean has(String name) {
    return written.contains(name);
  }

  void dir(String name) throws IOException {
    if (!written.add(name + "/")) {
      return;
    }
    TarArchiveEntry e = new TarArchiveEntry(name + "/");
    e.setModTime(0);
    e.setMode(040755);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  void bytes(String name, byte[] data) throws IOException {
    if (!written.add(name)) {
      return;
    }
    TarArchiveEntry e = entry(name, data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  void text(String name, String text) throws IOException {
    bytes(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code size} bytes from {@code in} (a verified store blob: read to its end, then closed). */
  void file(String name, long size, InputStream in) throws IOException {
    try (in) {
      if (!written.add(name)) {
        return;
      }
      tar.putArchiveEntry(entry(name, size));
      in.transferTo(tar);
      tar.closeArchiveEntry();
    }
  }

  void file(String name, Path file) throws IOException {
    if (!written.add(name)) {
      return;
    }
    long size = Files.size(file);
    tar.putArchiveEntry(entry(name, size));
    try (InputStream in = Files.newInputStream(file)) {
      in.transferTo(tar);
    }
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String name, long size) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setModTime(0);
    e.setMode(0100644);
    e.setSize(size);
    return e;
  }

  @Override
  public void close() throws IOException {
    tar.finish();
    tar.flush();
    tar.close();
  }
}
