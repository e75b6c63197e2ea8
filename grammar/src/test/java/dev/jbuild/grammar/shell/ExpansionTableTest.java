package dev.jbuild.grammar.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.TableFile;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The rows of expansion.txt against {@link WordExpander}. */
class ExpansionTableTest {
  private static final Env ENV =
      Env.of(
          Map.of(
              "FOO", "foo",
              "BAR", "bar",
              "NULL", "",
              "SPACES", "a b  c",
              "FILE", "archive.tar.gz",
              "PATHV", "/usr/local/bin/tool",
              "TEXT", "banana",
              "URL", "https://example.com/path",
              "KOREAN", "한국어"));

  @TestFactory
  Stream<DynamicTest> rows() {
    List<TableFile.Row> rows = TableFile.read("expansion.txt", 3);
    assertTrue(rows.size() >= 100, "expansion table has " + rows.size() + " rows");
    return rows.stream().map(r -> DynamicTest.dynamicTest(r.toString(), () -> check(r)));
  }

  private static void check(TableFile.Row row) {
    String mode = row.get(0);
    String input = row.get(1);
    String expected = row.get(2);
    WordExpander lex = WordExpander.of('\\');
    switch (mode) {
      case "word" -> assertEquals(expected, lex.expand(input, ENV), row.toString());
      case "words" ->
          assertEquals(
              expected, "[" + String.join(",", lex.expandWords(input, ENV)) + "]", row.toString());
      case "bt" -> assertEquals(expected, WordExpander.of('`').expand(input, ENV), row.toString());
      case "raw" ->
          assertEquals(expected, lex.withSkipProcessQuotes().expand(input, ENV), row.toString());
      case "error" -> {
        ExpansionException e =
            assertThrows(ExpansionException.class, () -> lex.expand(input, ENV), row.toString());
        assertTrue(
            e.getMessage().contains(expected), row + ": message was \"" + e.getMessage() + "\"");
      }
      default -> throw new IllegalStateException("unknown mode in " + row);
    }
  }
}
