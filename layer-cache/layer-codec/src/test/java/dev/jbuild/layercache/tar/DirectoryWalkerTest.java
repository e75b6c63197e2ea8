package dev.jbuild.layercache.tar;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jbuild.layercache.fs.Posix;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryWalkerTest {
  @TempDir Path root;

  private List<TarEntry> walk(DirectoryWalker.Options o) throws Exception {
    List<TarEntry> out = new ArrayList<>();
    DirectoryWalker.walk(root, o, (e, src) -> out.add(e));
    return out;
  }

  @Test
  void sortedDepthFirstWithHardlinksXattrsAndNoSockets() throws Exception {
    Files.createDirectories(root.resolve("a/b"));
    Files.writeString(root.resolve("a/b/f"), "x");
    Files.writeString(root.resolve("a-c"), "y");
    Files.writeString(root.resolve("Z"), "z");
    Files.createLink(root.resolve("a/link"), root.resolve("a/b/f"));
    Files.createLink(root.resolve("a-link"), root.resolve("a/b/f"));
    Posix.lsetxattr(root.resolve("Z"), "user.k", "v".getBytes(UTF_8));
    Posix.lsetxattr(root.resolve("Z"), "trusted.overlay.opaque", "y".getBytes(UTF_8));
    Posix.lsetxattr(
        root.resolve("Z"),
        "security.capability",
        new byte[] {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    try (ServerSocketChannel s = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      s.bind(UnixDomainSocketAddress.of(root.resolve("sock")));
      List<TarEntry> entries = walk(DirectoryWalker.Options.defaults());
      assertEquals(
          List.of("Z", "a", "a/b", "a/b/f", "a/link", "a-c", "a-link"),
          entries.stream().map(TarEntry::name).toList());
      assertEquals(EntryType.FILE, entries.get(3).type());
      assertEquals(EntryType.HARDLINK, entries.get(4).type());
      assertEquals("a/b/f", entries.get(4).linkName());
      assertEquals("a/b/f", entries.get(6).linkName());
      assertEquals(
          List.of("security.capability", "user.k"), List.copyOf(entries.get(0).xattrs().keySet()));
      assertArrayEquals("v".getBytes(UTF_8), entries.get(0).xattrs().get("user.k"));
    }
  }

  @Test
  void hookRenamesAreSortedAndPrefixApplies() throws Exception {
    Files.writeString(root.resolve("b"), "");
    Files.writeString(root.resolve("zz"), "");
    Files.createDirectory(root.resolve("skip"));
    Files.writeString(root.resolve("skip/inner"), "");
    DirectoryWalker.Hook hook =
        new DirectoryWalker.Hook() {
          @Override
          public TarEntry entry(DirectoryWalker.WalkedFile f, TarEntry e) {
            if (f.name().equals("skip")) {
              return null;
            }
            if (f.name().equals("zz")) {
              return TarEntry.whiteout(e.name(), e.mtime());
            }
            return e.withOwner(7, 8);
          }

          @Override
          public List<TarEntry> extraChildren(DirectoryWalker.WalkedFile dir, String name) {
            return List.of(TarEntry.opaque(name, java.time.Instant.EPOCH));
          }
        };
    List<TarEntry> entries =
        walk(DirectoryWalker.Options.defaults().withNamePrefix("app/x").withHook(hook));
    assertEquals(
        List.of("app/x/.wh..wh..opq", "app/x/.wh.zz", "app/x/b"),
        entries.stream().map(TarEntry::name).toList());
    assertEquals(7, entries.get(2).uid());
    assertNull(entries.stream().filter(e -> e.name().contains("inner")).findAny().orElse(null));
    assertFalse(entries.get(1).xattrs().containsKey("x"));
  }
}
