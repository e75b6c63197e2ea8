package dev.jbuild.runner.overlay;

import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.runner.sys.SyscallException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * fuse-overlayfs, for rootless jbuild where the kernel refuses overlayfs in a user namespace (or
 * when {@code JBUILD_OVERLAY=fuse-overlayfs} asks for it). It reads the store's layers as the
 * kernel does (0/0 whiteouts, {@code user.overlay.opaque}); its upper directory marks an opaque
 * directory its own way ({@code user.fuseoverlayfs.opaque} plus {@code .wh..wh..opq} and {@code
 * .wh..opq} entries), which {@link #normalize} turns into the kernel's form before the diff, so the
 * store holds one form whichever overlay made a layer.
 */
public final class FuseOverlay {
  static final String BINARY = "fuse-overlayfs";
  private static final String OWN_XATTRS = "user.fuseoverlayfs.";
  private static final String OPAQUE = "user.fuseoverlayfs.opaque";
  private static final String[] OPAQUE_ENTRIES = {".wh..wh..opq", ".wh..opq"};
  private static volatile boolean inUse = BINARY.equals(System.getenv("JBUILD_OVERLAY"));

  private FuseOverlay() {}

  /** Whether this process mounts overlays with fuse-overlayfs. */
  public static boolean inUse() {
    return inUse;
  }

  static void use() {
    inUse = true;
  }

  /** Whether a kernel mount failed because the kernel will not mount overlayfs here. */
  static boolean refusal(IOException e) {
    return e.getCause() instanceof SyscallException s
        && (s.errno() == Errno.EPERM || s.errno() == Errno.EINVAL || s.errno() == 19 /* ENODEV */);
  }

  static boolean available() {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String d : path.split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, BINARY))) {
        return true;
      }
    }
    return false;
  }

  /** Mounts {@code layout} at {@code target} with fuse-overlayfs (it daemonizes once mounted). */
  static void mount(Path target, OverlayLayout layout) throws IOException {
    StringBuilder o = new StringBuilder("lowerdir=");
    for (int i = 0; i < layout.lowersTopFirst().size(); i++) {
      o.append(i > 0 ? ":" : "").append(checked(layout.lowersTopFirst().get(i)));
    }
    if (layout.upper() != null) {
      o.append(",upperdir=").append(checked(layout.upper()));
      o.append(",workdir=").append(checked(layout.work()));
    }
    // no fsync of the upper directory, as the kernel overlay's volatile
    o.append(",fsync=0");
    List<String> cmd = List.of(BINARY, "-o", o.toString(), target.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out;
    try (var in = p.getInputStream()) {
      out = new String(in.readNBytes(16384), StandardCharsets.UTF_8);
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("cannot mount overlay at " + target + ": fuse-overlayfs hangs");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while fuse-overlayfs mounts");
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "cannot mount overlay at " + target + " with fuse-overlayfs: " + out.strip());
    }
  }

  private static String checked(Path p) throws IOException {
    String s = p.toString();
    if (s.contains(":") || s.contains(",")) {
      throw new IOException("fuse-overlayfs cannot take a path with ':' or ',': " + s);
    }
    return s;
  }

  /**
   * Rewrites fuse-overlayfs's marks in an upper directory into the kernel's: its other attributes
   * go; a directory it marked opaque (it marks every directory it creates) gets {@code
   * user.overlay.opaque=y} only where a lower layer has a directory at that path, as the kernel
   * marks it (elsewhere opacity hides nothing); its opaque entries go. Whiteouts are 0/0 character
   * devices in both. Runs right after the unmount, before anything else reads the upper directory.
   */
  public static void normalize(Path upper, List<Path> lowersTopFirst) throws IOException {
    List<RootDir> lowers = new ArrayList<>();
    try {
      for (Path l : lowersTopFirst) {
        lowers.add(RootDir.open(l));
      }
      rewrite(upper, lowers);
    } finally {
      for (RootDir r : lowers) {
        r.close();
      }
    }
  }

  private static void rewrite(Path upper, List<RootDir> lowers) throws IOException {
    List<Path> dirs = new ArrayList<>();
    dirs.add(upper);
    while (!dirs.isEmpty()) {
      Path dir = dirs.removeLast();
      boolean opaque = false;
      for (String x : Posix.llistxattr(dir)) {
        if (x.startsWith(OWN_XATTRS)) {
          opaque |= x.equals(OPAQUE);
          Posix.lremovexattr(dir, x);
        }
      }
      if (opaque) {
        for (String name : OPAQUE_ENTRIES) {
          Files.deleteIfExists(dir.resolve(name));
        }
        String rel = upper.relativize(dir).toString();
        if (!rel.isEmpty() && inSomeLower(lowers, rel)) {
          Posix.lsetxattr(dir, "user.overlay.opaque", "y".getBytes(StandardCharsets.US_ASCII));
        }
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path c : ds) {
          Stat st = Posix.lstatOrNull(c);
          if (st == null) {
            continue;
          }
          if (st.isDirectory()) {
            dirs.add(c);
          } else if (!st.isSymlink()) {
            for (String x : Posix.llistxattr(c)) {
              if (x.startsWith(OWN_XATTRS)) {
                Posix.lremovexattr(c, x);
              }
            }
          }
        }
      }
    }
  }

  /** Whether a lower layer has a directory at {@code rel}, reached without symlinks. */
  private static boolean inSomeLower(List<RootDir> lowers, String rel) throws PosixException {
    for (RootDir l : lowers) {
      try (Dir _ = l.openDir(rel, true)) {
        return true;
      } catch (PosixException e) {
        if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENOTDIR && e.errno() != Errno.ELOOP) {
          throw e;
        }
      }
    }
    return false;
  }
}
