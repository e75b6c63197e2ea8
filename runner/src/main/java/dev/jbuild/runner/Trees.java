package dev.jbuild.runner;

import dev.jbuild.runner.sys.MountTable;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Directory trees that RUN steps and containers may have mounted into or filled with files of any
 * owner: deleting one without following links or crossing into other mounts, and finding or
 * detaching the mounts below one (scratch directories of the engine, {@code jbuild system reset}).
 */
public final class Trees {
  private Trees() {}

  /**
   * Copies what directory {@code src} holds into directory {@code dst} (existing, its own owner and
   * mode kept): every entry with its owner, mode bits, kept xattrs and mtime; symlinks copied as
   * links, never followed; sockets skipped. Seeds a cache mount from a stage's directory.
   */
  public static void copyContents(Path src, Path dst) throws IOException {
    for (String n : dev.jbuild.layercache.tar.DirectoryWalker.sortedNames(src)) {
      dev.jbuild.runner.chroot.FileCopies.copyTree(src.resolve(n), dst.resolve(n));
    }
  }

  /**
   * Deletes {@code dir} and everything below it. A directory on another device (something still
   * mounted) is left alone and makes the call fail rather than deleting through the mount.
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

  /**
   * Deletes {@code dir} like {@link #delete}, leaving what it cannot delete to the store's sweep.
   */
  public static void deleteQuietly(Path dir) {
    try {
      delete(dir);
    } catch (IOException ignored) {
      // the store's temp sweep removes what is left
    }
  }

  /**
   * The mount points of this process's mount namespace at or below {@code dir}, deepest first (the
   * order to unmount them in).
   */
  public static List<Path> mountsUnder(Path dir) throws IOException {
    return MountTable.under(dir);
  }

  /**
   * Detaches (lazily) every mount at or below {@code dir}, deepest first; returns how many it
   * detached. A mount that went away meanwhile is not an error.
   */
  public static int unmountAll(Path dir) throws IOException {
    return MountTable.unmountAll(dir);
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
        throw new IOException(p + " is still mounted; not deleting through it");
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
      throw new IOException("cannot delete " + p + ": not empty", e);
    }
  }
}
