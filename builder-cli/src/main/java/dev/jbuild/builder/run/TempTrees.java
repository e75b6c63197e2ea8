package dev.jbuild.builder.run;

import dev.jbuild.builder.errors.BuildErrors;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deletes the engine's scratch trees (a step's temp directories in the store) without following
 * links or crossing into a mount left behind: what a step wrote there came from a container or an
 * archive, so a symlink in it is never followed.
 */
public final class TempTrees {
  private TempTrees() {}

  /**
   * Deletes {@code dir} and everything below it. A directory on another device (something still
   * mounted) makes the call fail rather than deleting through the mount.
   */
  public static void delete(Path dir) throws IOException {
    Object dev;
    try {
      dev = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    delete(dir, dev);
  }

  /** Deletes {@code dir}, leaving what it cannot delete to the store's temp sweep. */
  public static void deleteQuietly(Path dir) {
    try {
      delete(dir);
    } catch (IOException ignored) {
      // the store's temp sweep removes what is left
    }
  }

  private static void delete(Path p, Object dev) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (a.isDirectory()) {
      if (!dev.equals(Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
        throw BuildErrors.stillMounted(p);
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
        for (Path c : ds) {
          delete(c, dev);
        }
      } catch (NoSuchFileException e) {
        return;
      }
    }
    try {
      Files.deleteIfExists(p);
    } catch (DirectoryNotEmptyException e) {
      throw BuildErrors.notEmpty(p, e);
    }
  }
}
