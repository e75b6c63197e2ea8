package dev.jbuild.grammar.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.TableFile;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The rows of dockerignore.txt against {@link Dockerignore}. */
class DockerignoreTableTest {
  @TestFactory
  Stream<DynamicTest> rows() {
    List<TableFile.Row> rows = TableFile.read("dockerignore.txt", 4);
    assertTrue(rows.size() >= 100, "dockerignore table has " + rows.size() + " rows");
    return rows.stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> check(r)));
  }

  private static void check(TableFile.Row row) {
    List<String> patterns = Arrays.asList(row.get(1).split(";", -1));
    String path = row.get(2);
    String expected = row.get(3);
    switch (row.get(0)) {
      case "match" ->
          assertEquals(
              Boolean.parseBoolean(expected),
              Dockerignore.of(patterns).excludes(path),
              row.toString());
      case "skipdir" -> {
        Dockerignore d = Dockerignore.of(patterns);
        boolean skip = d.canSkipDir(path);
        assertEquals(Boolean.parseBoolean(expected), skip, row.toString());
        if (skip) {
          // skipping is only sound when nothing below is included
          for (String below : List.of("x", "keep", "a.md", "x/y.go", "out", "b/c", "x/keep")) {
            assertTrue(d.excludes(path + "/" + below), row + ": " + below + " would be lost");
          }
        }
      }
      case "error" -> {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> Dockerignore.of(patterns));
        assertTrue(e.getMessage().contains(expected), row + ": " + e.getMessage());
      }
      default -> throw new IllegalStateException("unknown kind in " + row);
    }
  }
}
