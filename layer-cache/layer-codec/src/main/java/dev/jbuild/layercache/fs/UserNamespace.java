package dev.jbuild.layercache.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The user namespace this process runs in, as its id maps say ({@code /proc/self/uid_map} and
 * {@code gid_map}): the initial namespace (root mode, or an ordinary user outside jbuild's
 * namespace) maps every id to itself; jbuild's rootless namespace maps 0 to the user and 1..N to
 * the user's subordinate range. Decides what overlayfs bookkeeping looks like on disk ({@link
 * #opaqueXattr}) and which ids a chown can give.
 */
public record UserNamespace(List<Range> uids, List<Range> gids, boolean isInitial) {
  /** One line of an id map: {@code count} ids from {@code inside} are {@code outside} outside. */
  public record Range(long inside, long outside, long count) {
    boolean contains(long id) {
      return id >= inside && id - inside < count;
    }
  }

  private static final long ALL = 4294967295L;

  /** The inode of the initial user namespace ({@code PROC_USER_INIT_INO}), fixed by the kernel. */
  private static final String INITIAL = "user:[4026531837]";

  private static volatile UserNamespace current;

  public UserNamespace {
    uids = List.copyOf(uids);
    gids = List.copyOf(gids);
  }

  /** This process's namespace (read once). */
  public static UserNamespace current() {
    UserNamespace c = current;
    if (c == null) {
      c =
          new UserNamespace(
              parse(Path.of("/proc/self/uid_map")),
              parse(Path.of("/proc/self/gid_map")),
              initial());
      current = c;
    }
    return c;
  }

  private static boolean initial() {
    try {
      return INITIAL.equals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString());
    } catch (IOException | UnsupportedOperationException e) {
      return true; // no /proc: nothing can be told, assume the host's
    }
  }

  static List<Range> parse(Path map) {
    List<Range> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(map, StandardCharsets.US_ASCII)) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 3) {
          out.add(new Range(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no /proc: treat as the initial namespace
      out.add(new Range(0, 0, ALL));
    }
    return out;
  }

  /**
   * Whether this is the initial user namespace (told by its inode, not by the maps: root's rootless
   * namespace maps every id to itself too).
   */
  @Override
  public boolean isInitial() {
    return isInitial;
  }

  /** Whether setgroups(2) may be called here ({@code /proc/self/setgroups} is not "deny"). */
  public boolean setgroupsAllowed() {
    try {
      return !Files.readString(Path.of("/proc/self/setgroups"), StandardCharsets.US_ASCII)
          .trim()
          .equals("deny");
    } catch (IOException e) {
      return true;
    }
  }

  public boolean mapsUid(long uid) {
    return uids.stream().anyMatch(r -> r.contains(uid));
  }

  public boolean mapsGid(long gid) {
    return gids.stream().anyMatch(r -> r.contains(gid));
  }

  /** The ids a chown can give, for messages: {@code 0-65536}. */
  public static String describe(List<Range> ranges) {
    StringBuilder b = new StringBuilder();
    for (Range r : ranges) {
      if (!b.isEmpty()) {
        b.append(',');
      }
      b.append(r.inside());
      if (r.count() > 1) {
        b.append('-').append(r.inside() + r.count() - 1);
      }
    }
    return b.toString();
  }

  /**
   * The overlayfs opaque-directory attribute this process's overlays read and write: {@code
   * trusted.overlay.opaque} in the initial namespace, {@code user.overlay.opaque} in a user
   * namespace (overlayfs mounted with {@code userxattr}, Linux 5.11+: trusted.* needs CAP_SYS_ADMIN
   * in the initial namespace). Root without CAP_SYS_ADMIN (chroot isolation, which mounts no
   * overlay) can neither read nor write trusted.*: it keeps the flag in {@code
   * user.overlay.opaque}.
   */
  public static String opaqueXattr() {
    return current().isInitial() && hasSysAdmin()
        ? "trusted.overlay.opaque"
        : "user.overlay.opaque";
  }

  private static volatile Boolean sysAdmin;

  /** Whether CapEff of /proc/self/status has CAP_SYS_ADMIN (true when it cannot be read). */
  public static boolean hasSysAdmin() {
    Boolean b = sysAdmin;
    if (b == null) {
      b = true;
      try {
        for (String line :
            Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
          if (line.startsWith("CapEff:")) {
            b = (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> 21 & 1) != 0;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // no /proc: assume a full root
      }
      sysAdmin = b;
    }
    return b;
  }

  /**
   * The error for an id this namespace cannot give, naming the files that fix it (a single-id
   * mapping when the user has no subordinate ranges).
   */
  public IOException unmapped(String what, long id, String path) {
    String user = System.getenv().getOrDefault("JBUILD_USER", "your user");
    return new IOException(
        path
            + ": "
            + what
            + " "
            + id
            + " is not mapped in jbuild's user namespace (mapped "
            + what
            + "s: "
            + describe(what.equals("uid") ? uids : gids)
            + "); give "
            + user
            + " a subordinate range in /etc/subuid and /etc/subgid (e.g. '"
            + user
            + ":100000:65536' in both) and run 'jbuild system migrate'");
  }

  /**
   * {@code e} itself, or, for a chown that failed because this user namespace has no such id
   * (EINVAL), the same failure with a message that names the files to edit.
   */
  public static PosixException chownFailed(PosixException e, long uid, long gid) {
    UserNamespace ns = current();
    if (e.errno() != Errno.EINVAL || ns.isInitial()) {
      return e;
    }
    boolean uidMissing = !ns.mapsUid(uid);
    if (!uidMissing && ns.mapsGid(gid)) {
      return e;
    }
    String what = uidMissing ? "uid" : "gid";
    String message = ns.unmapped(what, uidMissing ? uid : gid, e.operand()).getMessage();
    return new PosixException(e.call(), e.operand(), e.errno(), message);
  }
}
