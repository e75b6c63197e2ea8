package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.StorePermissions;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.Trees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Volumes kept in the store: {@code <store>/volumes/<name>/volume.json} (the {@link VolumeRecord})
 * and {@code <store>/volumes/<name>/_data/} (what containers see). A volume appears whole or not at
 * all: it is made in {@code volumes/.tmp-<random>/} and renamed into place; removal renames it to
 * {@code volumes/.rm-<random>/} first, so a killed jbuild leaves at most such a directory, which
 * the next open deletes. Whether a volume is in use is decided under {@link #lock()}, which {@code
 * run} holds while it records the volumes its container uses.
 */
public final class Volumes {
  public static final String DIR = "volumes";
  static final String RECORD = "volume.json";
  static final String DATA = "_data";
  private static final String LOCK = ".lock";
  private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ReentrantLock JVM_LOCK = new ReentrantLock();
  private static final Duration STALE_TEMP = Duration.ofHours(1);

  private final Store store;
  private final Path dir;

  private Volumes(Store store) {
    this.store = store;
    this.dir = store.root().resolve(DIR);
  }

  /** The volumes of {@code store}; removes what a killed jbuild left half made or half removed. */
  public static Volumes open(Store store) throws IOException {
    Volumes v = new Volumes(store);
    v.sweep();
    return v;
  }

  /** Whether {@code name} is a valid volume name (Docker's rule). */
  public static boolean validName(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /** The store-wide volume lock (also across processes); held briefly. */
  public Lock lock() throws IOException {
    StorePermissions.createPrivateDirectories(dir);
    JVM_LOCK.lock();
    try {
      FileChannel ch =
          FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new Lock(ch, ch.lock());
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      JVM_LOCK.unlock();
      throw e;
    }
  }

  /** A held {@link #lock()}. */
  public static final class Lock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private Lock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() throws IOException {
      try {
        lock.release();
        channel.close();
      } finally {
        JVM_LOCK.unlock();
      }
    }
  }

  /**
   * Creates volume {@code name} (null: an anonymous volume with a random 64-hex name); an existing
   * one of that name is returned as it is, as {@code docker volume create} does.
   */
  public VolumeRecord create(String name, Map<String, String> labels) throws IOException {
    return create(name, labels, null);
  }

  /**
   * As {@link #create(String, Map)}; an anonymous one goes with {@code --rm} container {@code
   * removeWith}.
   */
  VolumeRecord create(String name, Map<String, String> labels, String removeWith)
      throws IOException {
    boolean anonymous = name == null;
    String n = anonymous ? randomHex() : name;
    if (!validName(n)) {
      throw RunnerErrors.invalidVolumeName(n);
    }
    Optional<VolumeRecord> existing = find(n);
    if (existing.isPresent()) {
      return existing.get();
    }
    StorePermissions.createPrivateDirectories(dir);
    Path tmp = dir.resolve(".tmp-" + randomHex().substring(0, 16));
    Files.createDirectory(tmp);
    try {
      VolumeRecord rec =
          new VolumeRecord(
              n, Instant.now(), labels, anonymous, data(n), anonymous ? removeWith : null);
      Path data = Files.createDirectory(tmp.resolve(DATA));
      dev.jbuild.layercache.fs.Posix.chmod(data, 0755);
      AtomicFiles.write(
          tmp.resolve(RECORD),
          rec.toJson().toBytes(),
          AtomicFiles.Options.DEFAULT.stagedIn(store.stagingDir()));
      try {
        Files.move(tmp, dir.resolve(n), StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // made by another jbuild meanwhile: that one is the volume
        Trees.delete(tmp);
        return find(n).orElseThrow(() -> RunnerErrors.volumeNotFound(n));
      }
      AtomicFiles.fsyncDir(dir);
      return rec;
    } catch (IOException | RuntimeException e) {
      Trees.deleteQuietly(tmp);
      throw e;
    }
  }

  /** The volume named {@code name}, if it exists. */
  public Optional<VolumeRecord> find(String name) throws IOException {
    if (!validName(name)) {
      return Optional.empty();
    }
    Path vdir = dir.resolve(name);
    try {
      return Optional.of(
          VolumeRecord.fromJson(
              Json.parseObject(Files.readAllBytes(vdir.resolve(RECORD))), vdir.resolve(DATA)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      throw new RunnerException(
          "volume " + name + " has a corrupt " + RECORD + ": " + e.getMessage(),
          RunnerErrors.CANNOT_CREATE);
    }
  }

  /** The volume named {@code name}, or a "no such volume" error. */
  public VolumeRecord get(String name) throws IOException {
    return find(name).orElseThrow(() -> RunnerErrors.volumeNotFound(name));
  }

  /** Every volume, by name. */
  public List<VolumeRecord> list() throws IOException {
    List<VolumeRecord> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!n.startsWith(".")) {
          find(n).ifPresent(out::add);
        }
      }
    }
    out.sort(Comparator.comparing(VolumeRecord::name));
    return out;
  }

  /**
   * Removes volume {@code name} unless a container uses it ({@code users}: volume name to the
   * containers that use it, from {@link Containers#volumeUsers()}). Call under {@link #lock()}.
   */
  public void remove(String name, Map<String, List<String>> users) throws IOException {
    VolumeRecord rec = get(name);
    List<String> by = users.getOrDefault(rec.name(), List.of());
    if (!by.isEmpty()) {
      throw RunnerErrors.volumeInUse(name, by);
    }
    delete(rec.name());
  }

  /**
   * Removes the unused volumes: anonymous ones, or all with {@code all} (Docker's {@code volume
   * prune [-a]}); returns the removed ones with their sizes. Call under {@link #lock()}.
   */
  public Map<VolumeRecord, Long> prune(boolean all, Map<String, List<String>> users)
      throws IOException {
    Map<VolumeRecord, Long> removed = new java.util.LinkedHashMap<>();
    for (VolumeRecord v : list()) {
      if ((all || v.anonymous()) && users.getOrDefault(v.name(), List.of()).isEmpty()) {
        long size = size(v);
        delete(v.name());
        removed.put(v, size);
      }
    }
    return removed;
  }

  /** Bytes of the files in the volume (each inode once; symlinks not followed). */
  public long size(VolumeRecord v) throws IOException {
    long[] total = {0};
    Set<Object> seen = new java.util.HashSet<>();
    if (!Files.isDirectory(v.mountpoint())) {
      return 0;
    }
    Files.walkFileTree(
        v.mountpoint(),
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
            if (a.isRegularFile() && (a.fileKey() == null || seen.add(a.fileKey()))) {
              total[0] += a.size();
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }
        });
    return total[0];
  }

  /** The directory containers see for volume {@code name}. */
  public Path data(String name) {
    return dir.resolve(name).resolve(DATA);
  }

  private void delete(String name) throws IOException {
    Path gone = dir.resolve(".rm-" + randomHex().substring(0, 16));
    try {
      Files.move(dir.resolve(name), gone, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return;
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot remove volume " + name + ": " + e.getMessage(), e);
    }
    Trees.delete(gone);
  }

  private void sweep() throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    Instant staleBefore = Instant.now().minus(STALE_TEMP);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        // .rm-: removal began; .tmp-: a creation that did not finish (another jbuild may still be
        // making one: only old ones)
        if (n.startsWith(".rm-")
            || (n.startsWith(".tmp-")
                && Files.getLastModifiedTime(p).compareTo(FileTime.from(staleBefore)) < 0)) {
          Trees.deleteQuietly(p);
        }
      }
    }
    // anonymous volumes of --rm containers that are gone (a detached one's monitor removed it)
    Path containers = store.root().resolve(Containers.DIR);
    for (VolumeRecord v : list()) {
      if (v.removeWith() != null && !Files.exists(containers.resolve(v.removeWith()))) {
        delete(v.name());
      }
    }
  }

  /** Removes anonymous volume {@code name} (a container's, with it); nothing if it is gone. */
  void removeAnonymous(String name) throws IOException {
    Optional<VolumeRecord> v = find(name);
    if (v.isPresent() && v.get().anonymous()) {
      delete(name);
    }
  }

  private static String randomHex() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
