package dev.jbuild.layercache.fs;

import java.time.Instant;

/**
 * What {@code lstat} says about a path (from {@code statx(2)}, whose layout is the same on every
 * architecture). {@code mode} holds the file type bits and the 07777 permission bits.
 */
public record Stat(
    long dev,
    long ino,
    int mode,
    long nlink,
    long uid,
    long gid,
    int rdevMajor,
    int rdevMinor,
    long size,
    Instant mtime,
    Instant ctime) {
  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFIFO = 0010000;

  /** The type bits ({@link #S_IFMT} part of the mode). */
  public int type() {
    return mode & S_IFMT;
  }

  /** The permission bits including setuid, setgid and sticky (07777). */
  public int permissions() {
    return mode & 07777;
  }

  public boolean isDirectory() {
    return type() == S_IFDIR;
  }

  public boolean isRegularFile() {
    return type() == S_IFREG;
  }

  public boolean isSymlink() {
    return type() == S_IFLNK;
  }

  public boolean isCharDevice() {
    return type() == S_IFCHR;
  }

  public boolean isBlockDevice() {
    return type() == S_IFBLK;
  }

  public boolean isFifo() {
    return type() == S_IFIFO;
  }

  public boolean isSocket() {
    return type() == S_IFSOCK;
  }

  /** An overlayfs whiteout: a character device with device number 0/0. */
  public boolean isWhiteout() {
    return isCharDevice() && rdevMajor == 0 && rdevMinor == 0;
  }

  /** The device number in glibc's {@code makedev} encoding. */
  public long rdev() {
    return makedev(rdevMajor, rdevMinor);
  }

  /** glibc's {@code makedev(major, minor)}. */
  public static long makedev(int major, int minor) {
    long ma = Integer.toUnsignedLong(major);
    long mi = Integer.toUnsignedLong(minor);
    return ((ma & 0xfffff000L) << 32)
        | ((ma & 0x00000fffL) << 8)
        | ((mi & 0xffffff00L) << 12)
        | (mi & 0x000000ffL);
  }
}
