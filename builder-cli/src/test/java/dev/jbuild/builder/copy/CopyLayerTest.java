package dev.jbuild.builder.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.FileHashCache;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyLayerTest {
  @TempDir Path ctx;
  @TempDir Path rootfs;
  @TempDir Path tmp;
  BuildContext context;
  static final Instant NOW = Instant.parse("2024-01-02T03:04:05Z");
  static final CopyLayer.Attributes ROOT = new CopyLayer.Attributes(0, 0, false, null, NOW);

  @BeforeEach
  void setUp() throws IOException {
    write(ctx, "hello.txt", "hello\n");
    write(ctx, "src/a.go", "a");
    write(ctx, "src/sub/b.go", "b");
    Files.setPosixFilePermissions(
        ctx.resolve("src/a.go"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createDirectories(rootfs.resolve("usr/bin"));
    Files.createSymbolicLink(rootfs.resolve("bin"), Path.of("usr/bin"));
    Files.createDirectories(rootfs.resolve("tmp"));
    Posix.chmod(rootfs.resolve("tmp"), 01777);
    Files.createDirectories(rootfs.resolve("app"));
    context = new BuildContext(ctx, IgnoreFilter.NONE, FileHashCache.load(tmp.resolve("h")));
  }

  private static void write(Path root, String rel, String content) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private CopyItem item(String source) throws Exception {
    ContextFile f = context.resolve(source, true).getFirst();
    String name = source.contains("/") ? source.substring(source.lastIndexOf('/') + 1) : source;
    return new CopyItem.Tree(context, f, name, IgnoreFilter.NONE, "");
  }

  private List<String> layer(Path root, List<CopyItem> items, String dest, CopyLayer.Attributes a)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (LayerWriter w = LayerWriter.open(out, LayerWriterOptions.defaults())) {
      CopyLayer.write(w, root == null ? null : RootfsView.of(root), items, dest, a);
      w.finish();
    }
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        String content =
            e.isLink()
                ? " -> " + e.getLinkName()
                : e.isFile()
                    ? " " + new String(in.readAllBytes(), StandardCharsets.UTF_8).trim()
                    : "";
        names.add(
            e.getName()
                + " "
                + Integer.toOctalString(e.getMode() & 07777)
                + " "
                + e.getLongUserId()
                + ":"
                + e.getLongGroupId()
                + content);
      }
    }
    return names;
  }

  @Test
  void fileToNewPathCreatesParents() throws Exception {
    assertEquals(
        List.of("opt/ 755 0:0", "opt/x/ 755 0:0", "opt/x/h.txt 644 0:0 hello"),
        layer(rootfs, List.of(item("hello.txt")), "/opt/x/h.txt", ROOT));
  }

  @Test
  void fileIntoExistingDirectoryKeepsItsMetadata() throws Exception {
    assertEquals(
        List.of("tmp/ 1777 0:0", "tmp/hello.txt 644 0:0 hello"),
        layer(rootfs, List.of(item("hello.txt")), "/tmp", ROOT));
  }

  @Test
  void symlinkedDestinationIsFollowedInsideTheRoot() throws Exception {
    assertEquals(
        List.of("usr/ 755 0:0", "usr/bin/ 755 0:0", "usr/bin/hello.txt 644 0:0 hello"),
        layer(rootfs, List.of(item("hello.txt")), "/bin/", ROOT));
  }

  @Test
  void directoryContentsWithChownAndChmod() throws Exception {
    var a = new CopyLayer.Attributes(1000, 1001, true, (m, d) -> 0700, NOW);
    assertEquals(
        List.of(
            "app/ 755 0:0",
            "app/a.go 700 1000:1001 a",
            "app/sub/ 700 1000:1001",
            "app/sub/b.go 700 1000:1001 b"),
        layer(rootfs, List.of(item("src")), "/app", a));
  }

  @Test
  void directoryToNewDestinationIsANewDirectoryNotACopyOfTheSource() throws Exception {
    // docker build copies a directory's contents, never the directory's own metadata
    Posix.chmod(ctx.resolve("src"), 0700);
    List<String> l = layer(null, List.of(item("src")), "/new", ROOT);
    assertEquals(
        List.of("new/ 755 0:0", "new/a.go 750 0:0 a", "new/sub/ 755 0:0", "new/sub/b.go 644 0:0 b"),
        l);
    var chowned = new CopyLayer.Attributes(7, 8, true, null, NOW);
    assertEquals("new/ 755 7:8", layer(null, List.of(item("src")), "/new", chowned).getFirst());
  }

  @Test
  void hardLinksWithinOneSourceStayHardLinks() throws Exception {
    Files.createLink(ctx.resolve("src/sub/z.go"), ctx.resolve("src/a.go"));
    context = new BuildContext(ctx, IgnoreFilter.NONE, FileHashCache.load(tmp.resolve("h2")));
    List<String> l = layer(null, List.of(item("src")), "/new", ROOT);
    assertEquals(
        List.of(
            "new/ 755 0:0",
            "new/a.go 750 0:0 a",
            "new/sub/ 755 0:0",
            "new/sub/b.go 644 0:0 b",
            "new/sub/z.go 750 0:0 -> new/a.go"),
        l);
  }

  @Test
  void severalSourcesMergeInOrderAndTheLastWins() throws Exception {
    write(ctx, "other/a.go", "override");
    List<String> l =
        layer(rootfs, List.of(item("src"), item("hello.txt"), item("other")), "/app/", ROOT);
    assertEquals(
        List.of(
            "app/ 755 0:0",
            "app/a.go 644 0:0 override",
            "app/hello.txt 644 0:0 hello",
            "app/sub/ 755 0:0",
            "app/sub/b.go 644 0:0 b"),
        l);
  }

  @Test
  void heredocAndParents() throws Exception {
    CopyItem inline = new CopyItem.Inline("run.sh", "echo hi\n".getBytes(), 0644, NOW);
    ContextFile f = context.resolve("src/sub/b.go", true).getFirst();
    CopyItem parents = new CopyItem.Tree(context, f, "b.go", IgnoreFilter.NONE, "src/sub/b.go");
    assertEquals(
        List.of(
            "app/ 755 0:0",
            "app/run.sh 644 0:0 echo hi",
            "app/src/ 755 0:0",
            "app/src/sub/ 755 0:0",
            "app/src/sub/b.go 644 0:0 b"),
        layer(rootfs, List.of(inline, parents), "/app/", ROOT));
  }
}
