package dev.jbuild.layercache.store;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one way jbuild replaces a file that must be whole or absent: a temp file (beside the target,
 * or in a store's staging directory on the same file system), the content written, {@code fsync},
 * an atomic {@code rename} over the target, {@code fsync} of the target's directory. A failure or a
 * crash at any point leaves the old content or the new one under the target's name, never a mix, an
 * empty file or nothing (when there was something).
 *
 * <p>A temp file is named {@code .NAME.jbuild-tmp.PID.RANDOM}; a failed write deletes it, a killed
 * writer leaves it, and {@link #sweep(Path)} removes those whose process is gone. Temp files in a
 * store's staging directory are swept with it when the store opens.
 */
public final class AtomicFiles {
  private static final String TEMP_MARK = ".jbuild-tmp.";
  private static final Pattern TEMP_NAME =
      Pattern.compile("^\\..*\\.jbuild-tmp\\.(\\d{1,10})\\.[0-9a-f]{16}$", Pattern.DOTALL);

  /** A temp file older than this is stale even if a process with its pid runs (pid reuse). */
  private static final Duration STALE = Duration.ofDays(1);

  private static final int MAX_NAME_IN_TEMP = 100;
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /** Writes the content of a file being replaced. */
  @FunctionalInterface
  public interface Content {
    /** Writes to {@code out} (buffered; closing it is allowed and does not end the write). */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * How a write is done.
   *
   * @param mode permission bits of a new file (0600 by default), restricted by the umask as with
   *     open(2); the target ends with these bits whatever it had before
   * @param fsync fsync the file before the rename and the directory after it (default); without it
   *     the replacement is still atomic for other processes, not across a power loss
   * @param stagingDir where the temp file is made (null: beside the target); must be on the
   *     target's file system
   */
  public record Options(int mode, boolean fsync, Path stagingDir) {
    public static final Options DEFAULT = new Options(0600, true, null);

    public Options {
      if ((mode & ~0777) != 0) {
        throw new IllegalArgumentException("mode " + Integer.toOctalString(mode));
      }
    }

    public Options withMode(int newMode) {
      return new Options(newMode, fsync, stagingDir);
    }

    /** Not durable across a power loss (for files that are worthless after one). */
    public Options withoutFsync() {
      return new Options(mode, false, stagingDir);
    }

    /**
     * Makes the temp file in {@code dir} (e.g. {@link Store#stagingDir()}), not beside the target.
     */
    public Options stagedIn(Path dir) {
      return new Options(mode, fsync, dir);
    }
  }

  /** Writes {@code data} to {@code target} atomically and durably (mode 0600, temp beside it). */
  public static void write(Path target, byte[] data) throws IOException {
    write(target, data, Options.DEFAULT);
  }

  public static void write(Path target, byte[] data, Options options) throws IOException {
    write(target, out -> out.write(data), options);
  }

  /** Streams {@code content} into {@code target} atomically and durably. */
  public static void write(Path target, Content content) throws IOException {
    write(target, content, Options.DEFAULT);
  }

  public static void write(Path target, Content content, Options options) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp =
        (options.stagingDir() != null ? options.stagingDir() : dir)
            .resolve(tempName(abs.getFileName().toString()));
    Faults f = FAULTS.get();
    boolean renamed = false;
    try {
      f.at(Point.CREATE, tmp);
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              permissions(options.mode()))) {
        try (ChannelOut out = new ChannelOut(ch, f, tmp)) {
          content.writeTo(out);
          out.flushBuffer();
        }
        if (options.fsync()) {
          f.at(Point.FSYNC, tmp);
          ch.force(false);
        }
      }
      f.at(Point.RENAME, tmp);
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      renamed = true;
      if (options.fsync()) {
        f.at(Point.DIR_FSYNC, dir);
        fsyncDir(dir);
      }
    } finally {
      if (!renamed) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Renames {@code source} (a file or a directory) to {@code target} unless {@code target} already
   * exists (then {@code source} stays), and fsyncs the target's directory. Returns true when this
   * call put it in place.
   */
  public static boolean moveIfAbsent(Path source, Path target) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      return false;
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + source + " to " + target + " atomically", e);
    } catch (java.nio.file.FileSystemException e) {
      // rename(2) of a directory onto one another thread installed meanwhile fails with ENOTEMPTY
      // or EEXIST, which the JDK reports as a plain FileSystemException: the target won the race
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      throw e;
    }
    fsyncDir(target.toAbsolutePath().getParent());
    return true;
  }

  /** fsync of a directory, so a rename or a new entry in it survives a power loss. */
  public static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Deletes the temp files that writes into {@code dir} left behind when their process died (or
   * that are older than a day). Returns how many. A missing directory has none.
   */
  public static int sweep(Path dir) throws IOException {
    int removed = 0;
    Instant staleBefore = Instant.now().minus(STALE);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*" + TEMP_MARK + "*")) {
      for (Path p : ds) {
        Matcher m = TEMP_NAME.matcher(p.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long pid = Long.parseLong(m.group(1));
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        try {
          if ((!alive
                  || Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS)
                      .toInstant()
                      .isBefore(staleBefore))
              && Files.deleteIfExists(p)) {
            removed++;
          }
        } catch (NoSuchFileException gone) {
          // its writer finished meanwhile
        }
      }
    } catch (NoSuchFileException e) {
      return 0;
    }
    return removed;
  }

  /** True when {@code name} is the name of a temp file made by {@link #write}. */
  public static boolean isTempName(String name) {
    return TEMP_NAME.matcher(name).matches();
  }

  static String tempName(String targetName) {
    String base =
        targetName.length() > MAX_NAME_IN_TEMP
            ? targetName.substring(0, MAX_NAME_IN_TEMP)
            : targetName;
    byte[] r = new byte[8];
    RANDOM.nextBytes(r);
    return "."
        + base
        + TEMP_MARK
        + ProcessHandle.current().pid()
        + "."
        + HexFormat.of().formatHex(r);
  }

  private static FileAttribute<Set<PosixFilePermission>> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (0400 >> i)) != 0) {
        set.add(bits[i]);
      }
    }
    return PosixFilePermissions.asFileAttribute(set);
  }

  /** A buffered stream into the channel; close flushes but leaves the channel to the caller. */
  private static final class ChannelOut extends OutputStream {
    private final FileChannel ch;
    private final Faults faults;
    private final Path tmp;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

    ChannelOut(FileChannel ch, Faults faults, Path tmp) {
      this.ch = ch;
      this.faults = faults;
      this.tmp = tmp;
    }

    @Override
    public void write(int b) throws IOException {
      if (!buf.hasRemaining()) {
        flushBuffer();
      }
      buf.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > buf.remaining()) {
        flushBuffer();
      }
      if (len >= buf.capacity()) {
        drain(ByteBuffer.wrap(b, off, len));
      } else {
        buf.put(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      flushBuffer();
    }

    void flushBuffer() throws IOException {
      buf.flip();
      drain(buf);
      buf.clear();
    }

    private void drain(ByteBuffer b) throws IOException {
      if (!b.hasRemaining()) {
        return;
      }
      faults.at(Point.WRITE, tmp);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }

    @Override
    public void close() throws IOException {
      flushBuffer();
    }
  }

  /** Where a test can make a write fail. */
  enum Point {
    CREATE,
    WRITE,
    FSYNC,
    RENAME,
    DIR_FSYNC
  }

  /** A test hook, per thread: throws to simulate a failure at a point. */
  @FunctionalInterface
  interface Faults {
    void at(Point point, Path path) throws IOException;
  }

  static final ThreadLocal<Faults> FAULTS = ThreadLocal.withInitial(() -> (p, path) -> {});

  /** Writes {@code data} via a temp file in {@code tmpDir} (the store's staging directory). */
  static void write(Path target, byte[] data, Path tmpDir) throws IOException {
    write(target, data, Options.DEFAULT.stagedIn(tmpDir));
  }

  /** Deletes a file tree; missing entries are fine. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
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
                  return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
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
