package dev.jbuild.layercache.tar;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One entry of a layer tar. Immutable; {@code with...} methods return changed copies.
 *
 * @param name canonical name (see {@link TarNames}); "." is the root directory
 * @param type the kind of entry
 * @param mode permission bits including setuid, setgid and sticky (07777), no type bits
 * @param uid numeric owner
 * @param gid numeric group
 * @param size content length for {@link EntryType#FILE}, 0 for every other type
 * @param mtime modification time (nanoseconds kept when read; the writer stores whole seconds)
 * @param linkName target of a symlink (as written) or hardlink (canonical name of an earlier
 *     entry); empty for other types
 * @param devMajor device major number for {@link EntryType#CHAR} and {@link EntryType#BLOCK}
 * @param devMinor device minor number
 * @param xattrs extended attributes by name (sorted), values as raw bytes
 */
public record TarEntry(
    String name,
    EntryType type,
    int mode,
    long uid,
    long gid,
    long size,
    Instant mtime,
    String linkName,
    int devMajor,
    int devMinor,
    SortedMap<String, byte[]> xattrs) {

  public TarEntry {
    Objects.requireNonNull(type, "type");
    String problem = TarNames.problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("invalid entry name '" + name + "': " + problem);
    }
    if (name.equals(TarNames.ROOT) && type != EntryType.DIR) {
      throw new IllegalArgumentException("the root entry '.' must be a directory, not " + type);
    }
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException(
          "entry " + name + ": mode " + Integer.toOctalString(mode) + " has bits outside 07777");
    }
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException("entry " + name + ": negative uid or gid");
    }
    if (size < 0 || (size != 0 && type != EntryType.FILE)) {
      throw new IllegalArgumentException("entry " + name + ": size " + size + " for a " + type);
    }
    Objects.requireNonNull(mtime, "mtime");
    linkName = linkName == null ? "" : linkName;
    if ((type == EntryType.SYMLINK || type == EntryType.HARDLINK) == linkName.isEmpty()) {
      throw new IllegalArgumentException(
          "entry "
              + name
              + ": "
              + type
              + " "
              + (linkName.isEmpty() ? "needs" : "cannot have")
              + " a link name");
    }
    if (linkName.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("entry " + name + ": link name contains a NUL byte");
    }
    if (type == EntryType.HARDLINK) {
      String lp = TarNames.problem(linkName);
      if (lp != null || linkName.equals(TarNames.ROOT)) {
        throw new IllegalArgumentException(
            "entry "
                + name
                + ": invalid hardlink target '"
                + linkName
                + "': "
                + (lp == null ? "the root" : lp));
      }
    }
    if (!type.isDevice() && (devMajor != 0 || devMinor != 0)) {
      throw new IllegalArgumentException("entry " + name + ": device numbers for a " + type);
    }
    if (devMajor < 0 || devMinor < 0) {
      throw new IllegalArgumentException("entry " + name + ": negative device number");
    }
    TreeMap<String, byte[]> copy = new TreeMap<>();
    if (xattrs != null) {
      for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
        if (e.getKey().isEmpty() || e.getKey().indexOf('\0') >= 0 || e.getKey().indexOf('=') >= 0) {
          throw new IllegalArgumentException(
              "entry " + name + ": invalid xattr name '" + e.getKey() + "'");
        }
        copy.put(e.getKey(), e.getValue().clone());
      }
    }
    xattrs = Collections.unmodifiableSortedMap(copy);
  }

  private static final Instant EPOCH = Instant.EPOCH;

  /** A regular file of {@code size} bytes, mode 0644, owned by 0:0, mtime 0. */
  public static TarEntry file(String name, long size) {
    return new TarEntry(name, EntryType.FILE, 0644, 0, 0, size, EPOCH, "", 0, 0, null);
  }

  /** A directory, mode 0755. */
  public static TarEntry directory(String name) {
    return new TarEntry(name, EntryType.DIR, 0755, 0, 0, 0, EPOCH, "", 0, 0, null);
  }

  /** A symlink to {@code target} (any text), mode 0777. */
  public static TarEntry symlink(String name, String target) {
    return new TarEntry(name, EntryType.SYMLINK, 0777, 0, 0, 0, EPOCH, target, 0, 0, null);
  }

  /** A hardlink to the earlier entry {@code target} (canonical name). */
  public static TarEntry hardlink(String name, String target) {
    return new TarEntry(name, EntryType.HARDLINK, 0644, 0, 0, 0, EPOCH, target, 0, 0, null);
  }

  /** A character device, mode 0666. */
  public static TarEntry charDevice(String name, int major, int minor) {
    return new TarEntry(name, EntryType.CHAR, 0666, 0, 0, 0, EPOCH, "", major, minor, null);
  }

  /** A block device, mode 0660. */
  public static TarEntry blockDevice(String name, int major, int minor) {
    return new TarEntry(name, EntryType.BLOCK, 0660, 0, 0, 0, EPOCH, "", major, minor, null);
  }

  /** A named pipe, mode 0644. */
  public static TarEntry fifo(String name) {
    return new TarEntry(name, EntryType.FIFO, 0644, 0, 0, 0, EPOCH, "", 0, 0, null);
  }

  /**
   * The whiteout that deletes {@code deleted} (canonical name): an empty file {@code dir/.wh.NAME},
   * mode 0, owned by 0:0, as Docker writes it.
   */
  public static TarEntry whiteout(String deleted, Instant mtime) {
    String marker =
        TarNames.join(
            TarNames.parent(deleted), TarNames.WHITEOUT_PREFIX + TarNames.baseName(deleted));
    return new TarEntry(marker, EntryType.FILE, 0, 0, 0, 0, mtime, "", 0, 0, null);
  }

  /** The opaque marker {@code dir/.wh..wh..opq} hiding what lower layers hold in {@code dir}. */
  public static TarEntry opaque(String dir, Instant mtime) {
    return new TarEntry(
        TarNames.join(dir, TarNames.OPAQUE_MARKER),
        EntryType.FILE,
        0,
        0,
        0,
        0,
        mtime,
        "",
        0,
        0,
        null);
  }

  /** True when this entry is a whiteout {@code .wh.NAME} (not the opaque marker). */
  public boolean isWhiteout() {
    String base = TarNames.baseName(name);
    return base.startsWith(TarNames.WHITEOUT_PREFIX) && !base.equals(TarNames.OPAQUE_MARKER);
  }

  /** True when this entry is an opaque marker {@code .wh..wh..opq}. */
  public boolean isOpaqueMarker() {
    return TarNames.baseName(name).equals(TarNames.OPAQUE_MARKER);
  }

  /**
   * This entry as a hard link to the earlier entry {@code target}: same name, mode, owner, mtime
   * and xattrs; no content.
   */
  public TarEntry asHardlinkTo(String target) {
    return new TarEntry(name, EntryType.HARDLINK, mode, uid, gid, 0, mtime, target, 0, 0, xattrs);
  }

  public TarEntry withName(String newName) {
    return new TarEntry(
        newName, type, mode, uid, gid, size, mtime, linkName, devMajor, devMinor, xattrs);
  }

  public TarEntry withMode(int newMode) {
    return new TarEntry(
        name, type, newMode, uid, gid, size, mtime, linkName, devMajor, devMinor, xattrs);
  }

  public TarEntry withOwner(long newUid, long newGid) {
    return new TarEntry(
        name, type, mode, newUid, newGid, size, mtime, linkName, devMajor, devMinor, xattrs);
  }

  public TarEntry withSize(long newSize) {
    return new TarEntry(
        name, type, mode, uid, gid, newSize, mtime, linkName, devMajor, devMinor, xattrs);
  }

  public TarEntry withMtime(Instant newMtime) {
    return new TarEntry(
        name, type, mode, uid, gid, size, newMtime, linkName, devMajor, devMinor, xattrs);
  }

  public TarEntry withLinkName(String newLinkName) {
    return new TarEntry(
        name, type, mode, uid, gid, size, mtime, newLinkName, devMajor, devMinor, xattrs);
  }

  public TarEntry withXattrs(Map<String, byte[]> newXattrs) {
    return new TarEntry(
        name,
        type,
        mode,
        uid,
        gid,
        size,
        mtime,
        linkName,
        devMajor,
        devMinor,
        newXattrs == null ? null : new TreeMap<>(newXattrs));
  }

  /** This entry with one more (or a replaced) extended attribute. */
  public TarEntry withXattr(String key, byte[] value) {
    TreeMap<String, byte[]> copy = new TreeMap<>(xattrs);
    copy.put(key, value);
    return withXattrs(copy);
  }

  @Override
  public SortedMap<String, byte[]> xattrs() {
    return xattrs;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TarEntry e)) {
      return false;
    }
    if (!(name.equals(e.name)
        && type == e.type
        && mode == e.mode
        && uid == e.uid
        && gid == e.gid
        && size == e.size
        && mtime.equals(e.mtime)
        && linkName.equals(e.linkName)
        && devMajor == e.devMajor
        && devMinor == e.devMinor
        && xattrs.keySet().equals(e.xattrs.keySet()))) {
      return false;
    }
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      if (!Arrays.equals(x.getValue(), e.xattrs.get(x.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(name, type, mode, uid, gid, size, mtime, linkName, devMajor, devMinor);
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      h = 31 * h + x.getKey().hashCode() * 17 + Arrays.hashCode(x.getValue());
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder()
            .append(type)
            .append(' ')
            .append(name)
            .append(" mode=")
            .append(Integer.toOctalString(mode))
            .append(' ')
            .append(uid)
            .append(':')
            .append(gid);
    if (type == EntryType.FILE) {
      s.append(" size=").append(size);
    }
    if (!linkName.isEmpty()) {
      s.append(" -> ").append(linkName);
    }
    if (type.isDevice()) {
      s.append(" dev=").append(devMajor).append(',').append(devMinor);
    }
    s.append(" mtime=").append(mtime);
    if (!xattrs.isEmpty()) {
      s.append(" xattrs=").append(xattrs.keySet());
    }
    return s.toString();
  }
}
