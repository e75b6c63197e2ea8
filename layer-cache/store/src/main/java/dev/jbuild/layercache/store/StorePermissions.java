package dev.jbuild.layercache.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The store is private to the user running jbuild: its root is mode 0700 and owned by that user, so
 * nobody else can reach what it holds (unpacked layers may contain setuid-root programs and 0666
 * device nodes: the class of moby's CVE-2021-41091). Every directory jbuild creates in the store is
 * made 0700 too. An existing store that is wider, or owned by someone else, is refused with the
 * command that fixes it; jbuild does not change the mode of a directory it did not create.
 */
public final class StorePermissions {
  private static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rwx------");
  private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_ATTR =
      PosixFilePermissions.asFileAttribute(PRIVATE);

  private StorePermissions() {}

  /**
   * Creates {@code root} mode 0700 when it does not exist (its missing parents get the usual
   * modes), else checks that it is a directory of this user with no group or other bits.
   */
  public static void prepareRoot(Path root) throws IOException {
    if (!Files.exists(root)) {
      Path parent = root.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(root, PRIVATE_ATTR);
        Files.setPosixFilePermissions(root, PRIVATE); // exactly 0700, whatever the umask
        return;
      } catch (FileAlreadyExistsException raced) {
        // another process created it first: check what it made
      }
    }
    check(root);
  }

  /** Throws {@link StorePermissionException} unless {@code root} is private to this user. */
  public static void check(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new StorePermissionException("the store " + root + " is not a directory");
    }
    Map<String, Object> a = Files.readAttributes(root, "unix:mode,uid");
    int mode = (Integer) a.get("mode") & 07777;
    int uid = (Integer) a.get("uid");
    int me = effectiveUid();
    if (uid != me) {
      throw new StorePermissionException(
          "the store "
              + root
              + " belongs to uid "
              + uid
              + ", not to the user running jbuild (uid "
              + me
              + "): use a store of your own (--root) or run: chown "
              + me
              + " "
              + root);
    }
    if ((mode & 077) != 0) {
      throw new StorePermissionException(
          "the store "
              + root
              + " is open to other users (mode "
              + String.format("%04o", mode)
              + "): setuid programs and device nodes in its image layers would be usable by"
              + " them; make it private with: chmod 700 "
              + root);
    }
  }

  /** Creates {@code dir} and its missing parents mode 0700 (the umask can only narrow it). */
  public static Path createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    return Files.createDirectories(dir, PRIVATE_ATTR);
  }

  /**
   * The effective uid, without a native call at start-up: /proc/self belongs to the process's
   * effective user (jbuild is never setuid, so the process stays dumpable).
   */
  static int effectiveUid() throws IOException {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (NoSuchFileException e) {
      return dev.jbuild.layercache.fs.Posix.geteuid();
    }
  }
}
