package dev.jbuild.runner.workspace;

import dev.jbuild.layercache.store.StorePermissions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The directory of one run under {@code <store>/runs/<id>/}, also the OCI bundle: {@code owner}
 * (pid and start time of the process that made it, for the sweep), {@code config.json}, {@code
 * rootfs/} (the overlay mount point), {@code upper/} and {@code work/}, {@code etc/} (the generated
 * hosts and resolv.conf), {@code empty/} (a placeholder lower for scratch).
 */
public record RunDir(String id, Path dir) {
  public static final String RUNS = "runs";
  public static final String OWNER = "owner";

  /** Ids of runs start with this; detached containers use bare hex ids. */
  public static final String ID_PREFIX = "run-";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Creates a fresh run directory owned by this process. */
  public static RunDir create(Path storeRoot) throws IOException {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    String id = ID_PREFIX + HexFormat.of().formatHex(b);
    Path dir = storeRoot.resolve(RUNS).resolve(id);
    StorePermissions.createPrivateDirectories(dir);
    Files.writeString(dir.resolve(OWNER), ProcessIdentity.self() + "\n", StandardCharsets.UTF_8);
    return new RunDir(id, dir);
  }

  /** Creates the directory {@code dir} for container {@code id}, owned by this process. */
  public static RunDir at(String id, Path dir) throws IOException {
    StorePermissions.createPrivateDirectories(dir);
    Files.writeString(dir.resolve(OWNER), ProcessIdentity.self() + "\n", StandardCharsets.UTF_8);
    return new RunDir(id, dir);
  }

  /**
   * Records {@code owner} as the process responsible for this directory (replaced atomically: a
   * reader sees the old owner or the new one).
   */
  public void setOwner(ProcessIdentity owner) throws IOException {
    dev.jbuild.layercache.store.AtomicFiles.write(
        dir.resolve(OWNER), (owner + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** True when the process recorded in {@code dir}'s owner file runs (or it is being created). */
  public static boolean ownerAlive(Path dir) throws IOException {
    try {
      String text = Files.readString(dir.resolve(OWNER), StandardCharsets.UTF_8);
      return ProcessIdentity.parse(text).isAlive();
    } catch (java.nio.file.NoSuchFileException | IllegalArgumentException e) {
      // the owner is written right after mkdir: a directory without one is being created now, or
      // was by a process that died at that instant
      try {
        return Files.getLastModifiedTime(dir).toMillis() > System.currentTimeMillis() - 10_000;
      } catch (java.nio.file.NoSuchFileException gone) {
        return false;
      }
    }
  }

  public Path bundle() {
    return dir;
  }

  public Path rootfs() {
    return dir.resolve("rootfs");
  }

  public Path upper() {
    return dir.resolve("upper");
  }

  public Path work() {
    return dir.resolve("work");
  }

  public Path etc() {
    return dir.resolve("etc");
  }

  public Path empty() {
    return dir.resolve("empty");
  }
}
