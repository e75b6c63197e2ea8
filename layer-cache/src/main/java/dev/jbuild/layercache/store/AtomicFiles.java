package dev.jbuild.layercache.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/** The write discipline of the store: temp file, fsync, atomic rename, directory fsync. */
final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code data} to {@code target} atomically via a temp file in {@code tmpDir}. */
  static void write(Path target, byte[] data, Path tmpDir) throws IOException {
    Path tmp = Files.createTempFile(tmpDir, "w-", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDir(target.getParent());
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Renames {@code source} to {@code target} unless {@code target} already exists (then {@code
   * source} stays). Returns true when this call put it in place.
   */
  static boolean moveIfAbsent(Path source, Path target) throws IOException {
    if (Files.exists(target)) {
      return false;
    }
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      return false;
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + source + " to " + target + " atomically", e);
    }
    fsyncDir(target.getParent());
    return true;
  }

  /** fsync of a directory, so a rename in it survives a power loss. */
  static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Deletes a file tree; missing entries are fine. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (NoSuchFileException e) {
                  // already gone
                } catch (IOException e) {
                  // a read-only directory in a layer: make it writable and retry
                  try {
                    p.getParent().toFile().setWritable(true);
                    Files.deleteIfExists(p);
                  } catch (IOException e2) {
                    throw new UncheckedIOException(e2);
                  }
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Sum of the sizes of regular files below {@code root} (hardlinks counted once per name). */
  static long treeSize(Path root) {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.mapToLong(
              p -> {
                try {
                  return Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                      ? Files.size(p)
                      : 0;
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }
}
