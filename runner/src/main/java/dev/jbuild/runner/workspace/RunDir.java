package dev.jbuild.runner.workspace;

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
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(OWNER), ProcessIdentity.self() + "\n", StandardCharsets.UTF_8);
    return new RunDir(id, dir);
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
