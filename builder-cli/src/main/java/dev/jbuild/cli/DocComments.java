package dev.jbuild.cli;

import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.instructions.Instruction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BuildKit's description comments: the comment lines between an instruction and the one before it
 * (a bare {@code #} starts over; directives do not count); a stage's or ARG's description is the
 * text after {@code NAME } in one of them ({@code # build Builds the binary}).
 */
final class DocComments {
  private final Map<Integer, List<String>> byLine = new HashMap<>();

  DocComments(Dockerfile df, String text) {
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

  /** The description of {@code name} declared by the instruction at {@code line}, or "". */
  String of(int line, String name) {
    if (name == null || name.isEmpty()) {
      return "";
    }
    for (String c : byLine.getOrDefault(line, List.of())) {
      if (c.startsWith(name + " ")) {
        return c.substring(name.length() + 1);
      }
    }
    return "";
  }
}
