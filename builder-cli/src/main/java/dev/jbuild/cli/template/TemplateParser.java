package dev.jbuild.cli.template;

import dev.jbuild.cli.template.Node.Action;
import dev.jbuild.cli.template.Node.If;
import dev.jbuild.cli.template.Node.Pipeline;
import dev.jbuild.cli.template.Node.Range;
import dev.jbuild.cli.template.Node.Text;
import dev.jbuild.cli.template.Node.With;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses a template: splits it into text and {@code {{actions}}} (with {@code {{-}} and {@code -}}}
 * trimming), nests the if/range/with blocks, and splits each pipeline into words.
 */
final class TemplateParser {
  private TemplateParser() {}

  /** Parses {@code template} into nodes; a syntax error names what is wrong. */
  static List<Node> parse(String template) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf("{{", i);
      if (open < 0) {
        tokens.add("T" + template.substring(i));
        break;
      }
      int close = template.indexOf("}}", open + 2);
      if (close < 0) {
        throw new TemplateException("unclosed action in \"" + template + "\"");
      }
      String text = template.substring(i, open);
      String inner = template.substring(open + 2, close);
      if (inner.startsWith("-")
          && (inner.length() == 1 || Character.isWhitespace(inner.charAt(1)))) {
        text = text.stripTrailing();
        inner = inner.substring(1);
      }
      boolean trimAfter = false;
      if (inner.endsWith("-")
          && (inner.length() == 1 || Character.isWhitespace(inner.charAt(inner.length() - 2)))) {
        inner = inner.substring(0, inner.length() - 1);
        trimAfter = true;
      }
      tokens.add("T" + text);
      tokens.add("A" + inner.strip());
      i = close + 2;
      if (trimAfter) {
        while (i < template.length() && Character.isWhitespace(template.charAt(i))) {
          i++;
        }
      }
    }
    int[] pos = {0};
    List<Node> nodes = parseList(tokens, pos, Set.of());
    if (pos[0] < tokens.size()) {
      throw new TemplateException("unexpected {{" + tokens.get(pos[0]).substring(1) + "}}");
    }
    return nodes;
  }

  private static List<Node> parseList(List<String> tokens, int[] pos, Set<String> stops) {
    List<Node> out = new ArrayList<>();
    while (pos[0] < tokens.size()) {
      String t = tokens.get(pos[0]);
      if (t.startsWith("T")) {
        if (t.length() > 1) {
          out.add(new Text(t.substring(1)));
        }
        pos[0]++;
        continue;
      }
      String a = t.substring(1);
      String word = a.split("\\s+", 2)[0];
      if (stops.contains(word)) {
        return out;
      }
      pos[0]++;
      if (a.startsWith("/*")) {
        continue;
      }
      switch (word) {
        case "if" -> out.add(parseIf(a.substring(2).strip(), tokens, pos));
        case "range" -> {
          String rest = a.substring(5).strip();
          List<String> vars = new ArrayList<>();
          int decl = rest.indexOf(":=");
          if (decl >= 0) {
            for (String v : rest.substring(0, decl).split(",")) {
              vars.add(v.strip());
            }
            rest = rest.substring(decl + 2).strip();
          }
          Pipeline over = pipeline(rest);
          List<Node> body = parseList(tokens, pos, Set.of("else", "end"));
          List<Node> otherwise = elseAndEnd(tokens, pos);
          out.add(new Range(vars, over, body, otherwise));
        }
        case "with" -> {
          Pipeline v = pipeline(a.substring(4).strip());
          List<Node> body = parseList(tokens, pos, Set.of("else", "end"));
          out.add(new With(v, body, elseAndEnd(tokens, pos)));
        }
        case "end", "else" -> throw new TemplateException("unexpected {{" + a + "}}");
        default -> out.add(new Action(pipeline(a)));
      }
    }
    if (!stops.isEmpty()) {
      throw new TemplateException("missing {{end}}");
    }
    return out;
  }

  private static If parseIf(String cond, List<String> tokens, int[] pos) {
    Pipeline c = pipeline(cond);
    List<Node> then = parseList(tokens, pos, Set.of("else", "end"));
    String t = tokens.get(pos[0]).substring(1);
    pos[0]++;
    if (t.equals("end")) {
      return new If(c, then, List.of());
    }
    String rest = t.substring(4).strip();
    if (rest.startsWith("if ")) {
      return new If(c, then, List.of(parseIf(rest.substring(3).strip(), tokens, pos)));
    }
    List<Node> otherwise = parseList(tokens, pos, Set.of("end"));
    pos[0]++;
    return new If(c, then, otherwise);
  }

  private static List<Node> elseAndEnd(List<String> tokens, int[] pos) {
    String t = tokens.get(pos[0]).substring(1);
    pos[0]++;
    if (t.equals("end")) {
      return List.of();
    }
    List<Node> otherwise = parseList(tokens, pos, Set.of("end"));
    pos[0]++;
    return otherwise;
  }

  /** Splits a pipeline into commands and each command into words (quoted strings kept whole). */
  static Pipeline pipeline(String text) {
    if (text.isEmpty()) {
      throw new TemplateException("missing value in {{}}");
    }
    List<List<String>> commands = new ArrayList<>();
    List<String> words = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '|') {
        commands.add(words);
        words = new ArrayList<>();
        i++;
      } else if (c == '(') {
        int depth = 0;
        int j = i;
        boolean quoted = false;
        for (; j < text.length(); j++) {
          char d = text.charAt(j);
          if (d == '"' && (j == 0 || text.charAt(j - 1) != '\\')) {
            quoted = !quoted;
          } else if (!quoted && d == '(') {
            depth++;
          } else if (!quoted && d == ')' && --depth == 0) {
            break;
          }
        }
        if (j >= text.length()) {
          throw new TemplateException("unclosed '(' in {{" + text + "}}");
        }
        words.add("(" + text.substring(i + 1, j));
        i = j + 1;
      } else if (c == '"' || c == '`') {
        int j = i + 1;
        StringBuilder s = new StringBuilder();
        while (j < text.length() && text.charAt(j) != c) {
          if (c == '"' && text.charAt(j) == '\\' && j + 1 < text.length()) {
            char e = text.charAt(++j);
            s.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
          } else {
            s.append(text.charAt(j));
          }
          j++;
        }
        if (j >= text.length()) {
          throw new TemplateException("unterminated string in {{" + text + "}}");
        }
        words.add("\"" + s);
        i = j + 1;
      } else {
        int j = i;
        while (j < text.length()
            && !Character.isWhitespace(text.charAt(j))
            && text.charAt(j) != '|'
            && text.charAt(j) != '(') {
          j++;
        }
        words.add(text.substring(i, j));
        i = j;
      }
    }
    commands.add(words);
    for (List<String> w : commands) {
      if (w.isEmpty()) {
        throw new TemplateException("empty command in {{" + text + "}}");
      }
    }
    return new Pipeline(commands);
  }
}
