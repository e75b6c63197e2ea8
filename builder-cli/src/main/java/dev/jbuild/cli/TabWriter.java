package dev.jbuild.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's text/tabwriter as buildx's printers use it (minwidth 0, tabwidth 0, padding N, ' '): every
 * cell but a row's last is padded to its column's widest cell plus the padding.
 */
final class TabWriter {
  private final int padding;
  private final List<String[]> rows = new ArrayList<>();

  TabWriter(int padding) {
    this.padding = padding;
  }

  TabWriter row(String... cells) {
    rows.add(cells);
    return this;
  }

  String render() {
    int columns = 0;
    for (String[] r : rows) {
      columns = Math.max(columns, r.length);
    }
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < r.length - 1; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        sb.append(r[i]);
        if (i < r.length - 1) {
          sb.append(" ".repeat(width[i] - r[i].length() + padding));
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
