package dev.jbuild.runner.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.runner.overlay.OverlayLayout;
import dev.jbuild.runner.overlay.OverlayMount;
import dev.jbuild.runner.sys.Syscalls;
import dev.jbuild.runner.testing.LayerEntries;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diff capture over a real overlay mount (root and overlayfs needed), with the changes made through
 * the merged directory so the kernel makes the whiteouts, opaque directories and copy-ups.
 */
class UpperDiffIT {
  static final Instant T = Instant.parse("2001-02-03T04:05:06Z");
  static final byte[] CAP_NET_BIND_SERVICE = {
    0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  };

  @TempDir Path tmp;

  Path lower0;
  Path lower1;
  Path upper;
  Path merged;

  void file(Path p, String content) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
  }

  void stamp(Path root) throws IOException {
    try (var s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Posix.utimensat(p, T, T);
      }
    }
  }

  void setUp() throws IOException {
    lower0 = tmp.resolve("l0");
    lower1 = tmp.resolve("l1");
    upper = tmp.resolve("upper");
    merged = tmp.resolve("merged");
    for (Path p : List.of(lower0, lower1, upper, tmp.resolve("work"), merged)) {
      Files.createDirectories(p);
    }
    file(lower0.resolve("a/f1"), "1");
    file(lower0.resolve("a/sub/g"), "g");
    file(lower0.resolve("b/k"), "k");
    file(lower0.resolve("c"), "c");
    file(lower0.resolve("d/x"), "x");
    file(lower0.resolve("keep/same"), "same");
    file(lower0.resolve("keep3/file"), "f");
    file(lower0.resolve("h1"), "h");
    file(lower0.resolve("e/old"), "o");
    stamp(lower0);
    // lower1 deletes b/k and c, and replaces d by an opaque directory holding y
    Files.createDirectories(lower1.resolve("b"));
    Posix.mknod(lower1.resolve("b/k"), Stat.S_IFCHR | 0, 0, 0);
    Posix.mknod(lower1.resolve("c"), Stat.S_IFCHR | 0, 0, 0);
    file(lower1.resolve("d/y"), "y");
    Posix.lsetxattr(lower1.resolve("d"), "trusted.overlay.opaque", "y".getBytes());
    stamp(lower1);
    OverlayMount.mount(
        merged, new OverlayLayout(List.of(lower1, lower0), upper, tmp.resolve("work")));
  }

  List<String> diff() throws IOException {
    Syscalls.umount(merged, 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int n;
    try (LayerWriter w = LayerWriter.open(out, LayerWriterOptions.defaults())) {
      n = UpperDiff.write(upper, List.of(lower1, lower0), w);
      w.finish();
    }
    List<String> entries = LayerEntries.of(new ByteArrayInputStream(out.toByteArray()));
    assertEquals(n, entries.size());
    return entries;
  }

  @Test
  void everyKindOfChange() throws IOException {
    setUp();
    assertFalse(Files.exists(merged.resolve("c")));
    assertFalse(Files.exists(merged.resolve("d/x")));
    file(merged.resolve("a/new"), "new");
    Files.writeString(merged.resolve("a/sub/g"), "more", StandardOpenOption.APPEND);
    Files.delete(merged.resolve("a/f1"));
    Files.delete(merged.resolve("d/y"));
    Files.delete(merged.resolve("d"));
    // a directory where a lower layer has a whiteout: a plain new directory
    Files.createDirectory(merged.resolve("c"));
    // a directory replaced by a new one: opaque
    Files.delete(merged.resolve("e/old"));
    Files.delete(merged.resolve("e"));
    file(merged.resolve("e/new"), "e");
    Posix.chmod(merged.resolve("keep"), 0700);
    Files.createLink(merged.resolve("h2"), merged.resolve("h1"));
    file(merged.resolve("cap"), "cap");
    Posix.lsetxattr(merged.resolve("cap"), "security.capability", CAP_NET_BIND_SERVICE);
    Posix.lsetxattr(merged.resolve("cap"), "user.note", "n".getBytes());
    Posix.lsetxattr(merged.resolve("cap"), "trusted.private", "t".getBytes());
    Files.createSymbolicLink(merged.resolve("s"), Path.of("../target"));
    Files.delete(merged.resolve("b"));
    file(merged.resolve("b"), "now a file");
    Posix.mkfifo(merged.resolve("fifo"), 0640);
    Posix.lchown(merged.resolve("fifo"), 12, 34);
    // a directory copied up and then restored: stays out of the layer
    Files.writeString(merged.resolve("keep3/tmp"), "t");
    Files.delete(merged.resolve("keep3/tmp"));
    Posix.utimensat(merged.resolve("keep3"), T, T);

    List<String> entries = diff();
    entries.forEach(System.out::println);
    assertEquals(
        List.of(
            "FILE .wh.d 0000 0:0",
            "DIR a 0755 0:0",
            "FILE a/.wh.f1 0000 0:0",
            "FILE a/new 0644 0:0 3",
            "DIR a/sub 0755 0:0",
            "FILE a/sub/g 0644 0:0 5",
            "FILE b 0644 0:0 10",
            "DIR c 0755 0:0",
            "FILE cap 0644 0:0 3 xattrs=[security.capability, user.note]",
            "DIR e 0755 0:0",
            "FILE e/.wh..wh..opq 0000 0:0",
            "FILE e/new 0644 0:0 1",
            "FIFO fifo 0640 12:34",
            "FILE h1 0644 0:0 1",
            "HARDLINK h2 0644 0:0 -> h1",
            "DIR keep 0700 0:0",
            "SYMLINK s 0777 0:0 -> ../target"),
        entries);
    assertFalse(Files.exists(upper.resolve("keep3")), "unchanged copy-up removed from the upper");
    assertTrue(Posix.lgetxattr(upper.resolve("e"), "trusted.overlay.opaque").isPresent());
    assertFalse(Posix.lgetxattr(upper.resolve("c"), "trusted.overlay.opaque").isPresent());
  }

  @Test
  void nothingChangedGivesNoEntries() throws IOException {
    setUp();
    Files.readString(merged.resolve("a/f1"));
    assertEquals(List.of(), diff());
  }
}
