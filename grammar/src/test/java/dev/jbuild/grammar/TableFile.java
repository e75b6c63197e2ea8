package dev.jbuild.grammar;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads a pipe-separated test table from the test resources: columns split on " | ", trimmed. */
public final class TableFile {
  private TableFile() {}

  /** One data row with its line number. */
  public record Row(int line, List<String> columns) {
    public String get(int i) {
      return columns.get(i);
    }

    @Override
    public String toString() {
      return "line " + line + ": " + String.join(" | ", columns);
    }
  }

  public static List<Row> read(String resource, int columns) {
    try (InputStream in = TableFile.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<Row> rows = new ArrayList<>();
      String[] lines = text.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String padded = line.endsWith(" |") ? line + " " : line;
        String[] parts = padded.split(" \\| ", -1);
        if (parts.length != columns) {
          throw new IllegalStateException(
              resource + ":" + (i + 1) + ": expected " + columns + " columns: " + line);
        }
        List<String> cols = new ArrayList<>();
        for (String p : parts) {
          cols.add(p.strip());
        }
        rows.add(new Row(i + 1, cols));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
