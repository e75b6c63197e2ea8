package dev.jbuild.runner.overlay;

import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.UserNamespace;
import dev.jbuild.runner.sys.SyscallException;
import dev.jbuild.runner.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Mounts kernel overlayfs. Layers are handed to the kernel one at a time through the new mount API
 * ({@code fsopen("overlay")} + {@code fsconfig("lowerdir+", dir)}, Linux 6.8+), so a chain of any
 * length (the kernel's limit is 500 layers) fits, whatever the length of the layer paths. On older
 * kernels it falls back to mount(2), whose option string is limited to one page.
 */
public final class OverlayMount {
  /** The options every jbuild overlay uses: no index, no metacopy, no redirects (see README). */
  static final List<String> FIXED_OPTIONS =
      List.of("index=off", "metacopy=off", "redirect_dir=off");

  private static final int PAGE = 4096;
  private static volatile boolean newApi = true;

  private OverlayMount() {}

  /**
   * Mounts an overlay at {@code target}.
   *
   * @param layout the lower directories (top first), and the upper and work directories, or none
   *     for a read-only view
   */
  public static void mount(Path target, OverlayLayout layout) throws IOException {
    if (FuseOverlay.inUse()) {
      FuseOverlay.mount(target, layout);
      return;
    }
    try {
      kernelMount(target, layout);
    } catch (IOException e) {
      // a kernel that refuses overlayfs in a user namespace (before 5.11, or a file system it
      // will not stack on): fuse-overlayfs, for the rest of this process
      if (!userXattr() || !FuseOverlay.refusal(e) || !FuseOverlay.available()) {
        throw e;
      }
      FuseOverlay.use();
      FuseOverlay.mount(target, layout);
    }
  }

  private static void kernelMount(Path target, OverlayLayout layout) throws IOException {
    if (newApi) {
      try {
        mountNewApi(target, layout);
        return;
      } catch (SyscallException e) {
        if (e.errno() != Errno.ENOSYS && !(e.errno() == Errno.EINVAL && lowerdirPlusRejected(e))) {
          throw new IOException("cannot mount overlay at " + target + ": " + e.getMessage(), e);
        }
        newApi = false;
      }
    }
    mountClassic(target, layout);
  }

  private static boolean lowerdirPlusRejected(SyscallException e) {
    return e.getMessage().contains("lowerdir+");
  }

  private static void mountNewApi(Path target, OverlayLayout layout) throws SyscallException {
    int fs = Syscalls.fsopen("overlay");
    int mnt = -1;
    try {
      Syscalls.fsconfigString(fs, "source", "jbuild");
      for (Path lower : layout.lowersTopFirst()) {
        Syscalls.fsconfigString(fs, "lowerdir+", lower.toString());
      }
      if (layout.upper() != null) {
        Syscalls.fsconfigString(fs, "upperdir", layout.upper().toString());
        Syscalls.fsconfigString(fs, "workdir", layout.work().toString());
        // no syncs of the upper directory (fsync, syncfs, the one at unmount): a step that does
        // not finish is run again, and a layer's blob is fsynced by the store
        Syscalls.fsconfigFlag(fs, "volatile");
      }
      for (String option : options()) {
        int eq = option.indexOf('=');
        Syscalls.fsconfigString(fs, option.substring(0, eq), option.substring(eq + 1));
      }
      if (userXattr()) {
        Syscalls.fsconfigFlag(fs, "userxattr");
      }
      Syscalls.fsconfigCreate(fs);
      mnt = Syscalls.fsmount(fs, layout.upper() == null ? Syscalls.MOUNT_ATTR_RDONLY : 0);
      Syscalls.moveMount(mnt, target);
    } finally {
      Syscalls.closeQuietly(mnt);
      Syscalls.closeQuietly(fs);
    }
  }

  private static void mountClassic(Path target, OverlayLayout layout) throws IOException {
    StringBuilder data = new StringBuilder("lowerdir=");
    for (int i = 0; i < layout.lowersTopFirst().size(); i++) {
      if (i > 0) {
        data.append(':');
      }
      data.append(escape(layout.lowersTopFirst().get(i).toString()));
    }
    if (layout.upper() != null) {
      data.append(",upperdir=").append(escape(layout.upper().toString()));
      data.append(",workdir=").append(escape(layout.work().toString()));
      data.append(",volatile");
    }
    for (String option : options()) {
      data.append(',').append(option);
    }
    if (userXattr()) {
      data.append(",userxattr");
    }
    if (data.length() >= PAGE) {
      throw new IOException(
          "cannot mount overlay at "
              + target
              + ": "
              + layout.lowersTopFirst().size()
              + " layers need "
              + data.length()
              + " bytes of mount options (limit "
              + (PAGE - 1)
              + ") and this kernel lacks lowerdir+ (Linux 6.8+)");
    }
    try {
      Syscalls.mount(
          "jbuild",
          target,
          "overlay",
          layout.upper() == null ? Syscalls.MS_RDONLY : 0,
          data.toString());
    } catch (SyscallException e) {
      throw new IOException("cannot mount overlay at " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@link #FIXED_OPTIONS}; with {@code userxattr} the kernel refuses {@code redirect_dir=off}
   * (which still follows redirects) and wants {@code nofollow}: no redirect is created or followed.
   */
  static List<String> options() {
    return userXattr() ? USERXATTR_OPTIONS : FIXED_OPTIONS;
  }

  private static final List<String> USERXATTR_OPTIONS =
      List.of("index=off", "metacopy=off", "redirect_dir=nofollow");

  /**
   * In a user namespace (rootless) overlayfs keeps its bookkeeping in {@code user.overlay.*}
   * attributes ({@code userxattr}, Linux 5.11+): {@code trusted.*} needs the initial namespace.
   */
  static boolean userXattr() {
    return !UserNamespace.current().isInitial();
  }

  private static String escape(String path) {
    return path.replace("\\", "\\\\").replace(":", "\\:").replace(",", "\\,");
  }
}
