package dev.jbuild.builder.context;

import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * lstat through the JDK's "unix" attribute view. The context walk runs on every build, including
 * no-op ones that touch nothing else native: the JDK's stat is ready at start-up, while the first
 * Foreign Function call of a process costs tens of milliseconds to link (measured: 4 ms vs 52 ms
 * for the first call with the AOT cache; about 12 µs more per later call, so it pays up to a few
 * thousand files and costs little beyond).
 */
public final class JdkStat {
  private static final String ATTRS =
      "unix:dev,ino,mode,nlink,uid,gid,rdev,size,lastModifiedTime,ctime";

  private JdkStat() {}

  private static volatile boolean nativeStat;

  /**
   * Makes every later lstat the native one ({@code statx} through the Foreign Function API): for
   * the daemon, which links it once and walks contexts for its whole life, where it is several
   * times cheaper than the JDK's attribute map.
   */
  public static void preferNative() {
    nativeStat = true;
  }

  /** The lstat of {@code p}, or null when it does not exist. */
  static Stat lstatOrNull(Path p) throws IOException {
    if (nativeStat) {
      return dev.jbuild.layercache.fs.Posix.lstatOrNull(p);
    }
    Map<String, Object> a;
    try {
      a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
    long rdev = (Long) a.get("rdev");
    int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
    int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
    return new Stat(
        (Long) a.get("dev"),
        (Long) a.get("ino"),
        (Integer) a.get("mode"),
        ((Integer) a.get("nlink")).longValue(),
        Integer.toUnsignedLong((Integer) a.get("uid")),
        Integer.toUnsignedLong((Integer) a.get("gid")),
        major,
        minor,
        (Long) a.get("size"),
        ((FileTime) a.get("lastModifiedTime")).toInstant(),
        ((FileTime) a.get("ctime")).toInstant());
  }
}
