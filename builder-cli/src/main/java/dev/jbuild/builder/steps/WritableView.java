package dev.jbuild.builder.steps;

import dev.jbuild.runner.overlay.OverlayLayout;
import dev.jbuild.runner.overlay.OverlayMount;
import dev.jbuild.runner.sys.Syscalls;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A writable view of a directory whose writes are thrown away: {@code RUN --mount=type=bind,rw}
 * must never change the build context or a stage. Directories get an overlay with a scratch upper
 * layer; a single file is copied.
 */
final class WritableView implements Closeable {
  private final Path root;
  private final boolean mounted;

  private WritableView(Path root, boolean mounted) {
    this.root = root;
    this.mounted = mounted;
  }

  static WritableView over(Path source, Path scratch) throws IOException {
    if (!Files.isDirectory(source, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Path copy = Files.createTempFile(scratch, "rw-", "");
      Files.copy(
          source, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
      return new WritableView(copy, false);
    }
    Path dir = Files.createTempDirectory(scratch, "rw-");
    Path upper = Files.createDirectory(dir.resolve("u"));
    Path work = Files.createDirectory(dir.resolve("w"));
    Path merged = Files.createDirectory(dir.resolve("m"));
    OverlayMount.mount(merged, new OverlayLayout(List.of(source), upper, work));
    return new WritableView(merged, true);
  }

  Path root() {
    return root;
  }

  @Override
  public void close() throws IOException {
    if (mounted) {
      Syscalls.umount(root, Syscalls.MNT_DETACH);
    }
  }
}
