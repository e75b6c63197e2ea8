package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildContextTest {
  @TempDir Path dir;
  @TempDir Path cacheDir;

  @BeforeEach
  void tree() throws IOException {
    write("a.txt", "a");
    write("b.go", "b");
    write("src/main.go", "m");
    write("src/util/x.go", "x");
    write("src/util/y.txt", "y");
    write("docs/readme.md", "r");
    write("docs/keep/k.md", "k");
    Files.createSymbolicLink(dir.resolve("link"), Path.of("src/util"));
    Files.createSymbolicLink(dir.resolve("escape"), Path.of("/etc"));
    Files.createSymbolicLink(dir.resolve("up"), Path.of("../../../a.txt"));
  }

  private void write(String rel, String content) throws IOException {
    Path p = dir.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private BuildContext context(IgnoreFilter ignore) {
    return new BuildContext(dir, ignore, FileHashCache.load(cacheDir.resolve("h")));
  }

  private static List<String> rels(List<ContextFile> files) {
    return files.stream().map(ContextFile::rel).toList();
  }

  @Test
  void resolvesLiteralsWildcardsAndLinks() throws Exception {
    BuildContext c = context(IgnoreFilter.NONE);
    assertEquals(List.of("a.txt"), rels(c.resolve("a.txt", true)));
    assertEquals(List.of("a.txt"), rels(c.resolve("/../x/../a.txt", true)));
    assertEquals(List.of("a.txt", "b.go"), rels(c.resolve("?.*", true)));
    assertEquals(List.of("src/main.go"), rels(c.resolve("src/*.go", true)));
    assertEquals(List.of("src/util/x.go"), rels(c.resolve("*/*/x.go", true)));
    assertEquals(List.of("src/util"), rels(c.resolve("link", true)));
    assertEquals("link", c.resolve("link", true).getFirst().nameAsSource(), "named as written");
    assertEquals("a.txt", c.resolve("up", true).getFirst().name());
    assertEquals("up", c.resolve("u?", true).getFirst().nameAsSource());
    assertEquals(List.of("a.txt"), rels(c.resolve("up", true)), "links stay inside the context");
    assertEquals(List.of(""), rels(c.resolve(".", true)));
  }

  @Test
  void aWildcardMatchingNothingIsEmptyNotAnError() throws Exception {
    BuildContext c = context(IgnoreFilter.NONE);
    assertEquals(List.of(), c.resolve("*.none", true));
    assertEquals(List.of(), c.resolve("src/*/none-*", true));
  }

  @Test
  void missingAndEscapingSourcesAreErrors() {
    BuildContext c = context(IgnoreFilter.NONE);
    ContextException e = assertThrows(ContextException.class, () -> c.resolve("nope.txt", true));
    assertTrue(e.getMessage().contains("\"nope.txt\": not found"), e.getMessage());
    assertThrows(ContextException.class, () -> c.resolve("*.none", false));
    assertThrows(ContextException.class, () -> c.resolve("nodir/x.go", true));
    // /etc seen from inside the context is <context>/etc, which does not exist
    assertThrows(ContextException.class, () -> c.resolve("escape/passwd", true));
  }

  @Test
  void walksInCanonicalOrderHonouringIgnoreAndExcludes() throws Exception {
    IgnoreFilter ignore = new SetIgnore(Set.of("docs", "docs/readme.md"), Set.of());
    BuildContext c = context(ignore);
    ContextFile root = c.resolve(".", true).getFirst();
    assertEquals(
        List.of(
            "a.txt",
            "b.go",
            "escape",
            "link",
            "src",
            "src/main.go",
            "src/util",
            "src/util/x.go",
            "src/util/y.txt",
            "up"),
        collect(c.walk(root, IgnoreFilter.NONE)));
    ContextFile src = c.resolve("src", true).getFirst();
    assertEquals(
        List.of("src/main.go", "src/util", "src/util/x.go"),
        collect(c.walk(src, new SetIgnore(Set.of("util/y.txt"), Set.of()))));
  }

  @Test
  void excludedDirectoryAppearsWhenAChildIsReincluded() throws Exception {
    // "docs" excluded but "docs/keep/k.md" re-included: docs and docs/keep appear before k.md
    IgnoreFilter ignore =
        new SetIgnore(Set.of("docs", "docs/readme.md", "docs/keep"), Set.of("docs", "docs/keep"));
    BuildContext c = context(ignore);
    ContextFile root = c.resolve(".", true).getFirst();
    List<String> all = collect(c.walk(root, IgnoreFilter.NONE));
    int i = all.indexOf("docs");
    assertEquals(List.of("docs", "docs/keep", "docs/keep/k.md"), all.subList(i, i + 3));
    assertTrue(!all.contains("docs/readme.md"));
  }

  private static List<String> collect(Iterator<ContextFile> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(f -> out.add(f.rel()));
    return out;
  }

  /** Excludes exactly the listed paths; directories in {@code walkable} must still be entered. */
  private record SetIgnore(Set<String> excluded, Set<String> walkable) implements IgnoreFilter {
    @Override
    public boolean excluded(String path) {
      return excluded.contains(path);
    }

    @Override
    public boolean skipDir(String d) {
      return excluded.contains(d) && !walkable.contains(d);
    }
  }
}
