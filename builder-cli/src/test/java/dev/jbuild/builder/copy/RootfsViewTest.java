package dev.jbuild.builder.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The union of overlay-lower layer directories, read without mounting them. */
class RootfsViewTest {
  @TempDir Path dir;

  private Path layer(String name) throws IOException {
    return Files.createDirectories(dir.resolve(name));
  }

  private static void write(Path p, String s) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, s);
  }

  private static void whiteout(Path p) throws IOException {
    Files.createDirectories(p.getParent());
    Posix.mknod(p, Stat.S_IFCHR, 0, 0);
  }

  @Test
  void topLayerWinsWhiteoutsAndOpaqueDirectoriesHide() throws IOException {
    Path base = layer("base");
    write(base.resolve("etc/passwd"), "base");
    write(base.resolve("etc/hosts"), "base");
    write(base.resolve("opt/a/x"), "base");
    write(base.resolve("var/lib/y"), "base");
    Files.createDirectories(base.resolve("usr/bin"));
    Files.createSymbolicLink(base.resolve("bin"), Path.of("usr/bin"));
    Path mid = layer("mid");
    write(mid.resolve("etc/passwd"), "mid");
    whiteout(mid.resolve("etc/hosts"));
    Files.createDirectories(mid.resolve("opt/a"));
    Posix.lsetxattr(
        mid.resolve("opt/a"), "trusted.overlay.opaque", "y".getBytes(StandardCharsets.UTF_8));
    write(mid.resolve("opt/a/new"), "mid");
    Files.createDirectories(mid.resolve("var"));
    write(mid.resolve("var/lib"), "now a file");
    Path top = layer("top");
    write(top.resolve("usr/bin/tool"), "top");

    RootfsView v = RootfsView.layers(List.of(top, mid, base));
    assertEquals("mid", Files.readString(v.file("etc/passwd")));
    assertNull(v.file("etc/hosts"), "whiteout");
    assertNull(v.file("opt/a/x"), "below an opaque directory");
    assertEquals("mid", Files.readString(v.file("opt/a/new")));
    assertNull(v.file("var/lib/y"), "a file hides the directory it replaced");
    assertTrue(v.lstat("var/lib").isRegularFile());
    assertTrue(v.lstat("bin").isSymlink());
    assertEquals("usr/bin", v.resolve("/bin", true));
    assertEquals("bin", v.resolve("/bin", false));
    assertEquals("usr/bin/tool", v.resolve("/bin/tool", true));
    assertEquals("usr/bin/tool", v.resolve("/bin/../bin/./tool", true));
    assertEquals("top", Files.readString(v.file(v.resolve("/bin/tool", true))));
    assertNull(v.file("nothing/here"));
    assertEquals("", v.resolve("/../..", true));
  }

  @Test
  void aLowerLayersSymlinkedParentNeverLeadsToTheHost() throws IOException {
    Path host = Files.createDirectories(dir.resolve("host"));
    write(host.resolve("passwd"), "host secret");
    Path lower = layer("lower");
    Files.createSymbolicLink(lower.resolve("etc"), host);
    Files.createDirectories(lower.resolve("usr"));
    Files.createSymbolicLink(lower.resolve("usr/lib"), host);
    Path top = layer("top");
    Files.createDirectories(top.resolve("etc"));
    write(top.resolve("etc/hosts"), "top");
    Files.createDirectories(top.resolve("usr/lib"));
    RootfsView view = RootfsView.layers(List.of(top, lower));
    // overlayfs: the top layer's directory hides the lower layer's symlink of the same name
    assertNull(view.lstat("etc/passwd"));
    assertNull(view.file("etc/passwd"));
    assertNull(view.file("usr/lib/passwd"));
    assertEquals("etc/hosts", view.resolve("/etc/hosts", true));
    // a symlink as the merged path is followed inside the image, never on the host
    RootfsView only = RootfsView.layers(List.of(lower));
    assertEquals(host.toString().substring(1), only.resolve("/etc", true));
    assertNull(only.file(host.toString().substring(1) + "/passwd"));
    assertNull(only.file("etc/passwd"));
  }
}
