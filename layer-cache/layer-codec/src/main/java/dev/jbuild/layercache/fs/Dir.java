package dev.jbuild.layercache.fs;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * An open directory (an O_PATH descriptor) and the operations on its entries by name, each one
 * component (no '/'): nothing here follows a symlink that is the entry itself, and nothing resolves
 * more than the one name, so a directory found confined keeps everything done in it confined.
 * Obtained from {@link RootDir}; closing it closes the descriptor (not for the root's own).
 */
public final class Dir implements AutoCloseable {
  private final int fd;
  private final String name;
  private final boolean owned;
  private boolean closed;

  Dir(int fd, String name, boolean owned) {
    this.fd = fd;
    this.name = name;
    this.owned = owned;
  }

  /** The descriptor (valid until {@link #close}). */
  public int fd() {
    return fd;
  }

  /** The path this directory was opened by (for messages). */
  public String name() {
    return name;
  }

  private String where(String entry) {
    return name.isEmpty() || name.equals(".") ? entry : name + "/" + entry;
  }

  /** The lstat of entry {@code entry}, or null when there is none; "" = this directory. */
  public Stat lstat(String entry) throws PosixException {
    return At.lstatat(fd, entry);
  }

  /** Creates directory {@code entry} (mode before the umask). */
  public void mkdir(String entry, int mode) throws PosixException {
    At.mkdirat(fd, entry, mode);
  }

  /** Opens sub-directory {@code entry}; a symlink there is refused (ELOOP or ENOTDIR). */
  public Dir openDir(String entry) throws PosixException {
    int d = At.openat(fd, entry, At.O_PATH | At.O_DIRECTORY | At.O_NOFOLLOW, 0);
    return new Dir(d, where(entry), true);
  }

  /**
   * Creates file {@code entry} for writing ({@code O_CREAT|O_EXCL|O_NOFOLLOW}: fails when anything,
   * even a dangling symlink, is there) and returns its descriptor, which the caller closes with
   * {@link At#close}.
   */
  public int createFile(String entry, int mode) throws PosixException {
    return At.openat(fd, entry, At.O_WRONLY | At.O_CREAT | At.O_EXCL | At.O_NOFOLLOW, mode & 07777);
  }

  /** Creates symlink {@code entry} pointing at {@code target} (stored as is, never resolved). */
  public void symlink(String entry, String target) throws PosixException {
    At.symlinkat(target, fd, entry);
  }

  /** Makes {@code entry} a hard link to {@code from}'s entry {@code fromEntry} (not followed). */
  public void link(String entry, Dir from, String fromEntry) throws PosixException {
    At.linkat(from.fd, fromEntry, fd, entry);
  }

  /** Creates a device or fifo ({@code mode} holds the type bits). */
  public void mknod(String entry, int mode, int major, int minor) throws PosixException {
    At.mknodat(fd, entry, mode, major, minor);
  }

  /** Removes a non-directory. */
  public void unlink(String entry) throws PosixException {
    At.unlinkat(fd, entry, false);
  }

  /** Removes an empty directory. */
  public void rmdir(String entry) throws PosixException {
    At.unlinkat(fd, entry, true);
  }

  /** The target of symlink {@code entry}. */
  public String readlink(String entry) throws PosixException {
    return At.readlinkat(fd, entry);
  }

  /** Owner of {@code entry} itself (a symlink's own); "" = this directory. */
  public void chown(String entry, long uid, long gid) throws PosixException {
    At.chownat(fd, entry, uid, gid);
  }

  /** Mode of {@code entry} (all 07777 bits); a symlink is refused, never followed. */
  public void chmod(String entry, int mode) throws PosixException {
    At.chmodat(fd, entry, mode);
  }

  /** Times of {@code entry} itself; a null {@code atime} is left; "" = this directory. */
  public void setTimes(String entry, Instant atime, Instant mtime) throws PosixException {
    At.utimensat(fd, entry, atime, mtime);
  }

  /** Sets xattr {@code key} on {@code entry} itself (through /proc/self/fd, never followed). */
  public void setxattr(String entry, String key, byte[] value) throws PosixException {
    Posix.lsetxattr(Path.of(At.procPath(fd, requireName(entry))), key, value);
  }

  /** Reads xattr {@code key} of {@code entry} itself. */
  public Optional<byte[]> getxattr(String entry, String key) throws PosixException {
    return Posix.lgetxattr(Path.of(At.procPath(fd, requireName(entry))), key);
  }

  /**
   * The host path naming {@code entry} of this directory through /proc/self/fd, for APIs that need
   * a path: it stays inside this directory (the last component is looked up here, and followed only
   * when the API follows it). Valid while this directory is open.
   */
  public Path procPath(String entry) {
    return Path.of(At.procPath(fd, entry));
  }

  private static String requireName(String entry) {
    if (entry.isEmpty() || entry.indexOf('/') >= 0) {
      throw new IllegalArgumentException("not one path component: '" + entry + "'");
    }
    return entry;
  }

  @Override
  public void close() {
    if (owned && !closed) {
      closed = true;
      At.close(fd);
    }
  }
}
