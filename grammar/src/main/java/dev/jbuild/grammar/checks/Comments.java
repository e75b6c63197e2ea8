package dev.jbuild.grammar.checks;

import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.instructions.Instruction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The comments BuildKit attaches to an instruction: the comment lines between it and the
 * instruction before it (a bare {@code #} starts over; directives do not count). A stage's or ARG's
 * description is the text after {@code NAME } in one of them ({@code # build Builds the binary},
 * for {@code --call outline|targets}); a {@code # check=skip=...} among them skips rules for that
 * instruction only.
 */
public final class Comments {
  private final Map<Integer, List<String>> byLine = new HashMap<>();

  public Comments(Dockerfile df, String text) {
    List<String> lines = text.lines().toList();
    int from = 1 + df.directives().values().size();
    for (Instruction i : df.instructions()) {
      List<String> comments = new ArrayList<>();
      for (int l = from; l < i.range().startLine() && l <= lines.size(); l++) {
        String s = lines.get(l - 1).strip();
        if (s.startsWith("#")) {
          String c = s.substring(1).strip();
          if (c.isEmpty()) {
            comments.clear();
          } else {
            comments.add(c);
          }
        }
      }
      byLine.put(i.range().startLine(), comments);
      from = i.range().endLine() + 1;
    }
  }

  /** The comments above the instruction starting at {@code line} (text after '#', trimmed). */
  public List<String> above(int line) {
    List<String> c = byLine.get(line);
    return c == null ? List.of() : c;
  }

  /**
   * The options of the first {@code check=} comment above the instruction at {@code line}, the
   * value up to its first space (BuildKit's WithMergedConfigFromComments), or null.
   */
  CheckOptions checkAt(int line) {
    for (String c : above(line)) {
      int eq = c.indexOf('=');
      if (eq < 0 || !c.substring(0, eq).strip().equalsIgnoreCase("check")) {
        continue;
      }
      String v = c.substring(eq + 1).strip();
      int sp = v.indexOf(' ');
      try {
        return CheckOptions.parse(sp < 0 ? v : v.substring(0, sp));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return null;
  }

  /** The description of {@code name} declared by the instruction at {@code line}, or "". */
  public String of(int line, String name) {
    if (name == null || name.isEmpty()) {
      return "";
    }
    for (String c : above(line)) {
      if (c.startsWith(name + " ")) {
        return c.substring(name.length() + 1);
      }
    }
    return "";
  }
}
