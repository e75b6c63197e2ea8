package dev.jbuild.grammar.parse;

import dev.jbuild.grammar.Directives;
import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.Messages;
import dev.jbuild.grammar.StageDefinition;
import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.FromInstruction;
import dev.jbuild.grammar.instructions.Heredoc;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.Keyword;
import dev.jbuild.grammar.json.JsonArrays;
import dev.jbuild.grammar.shell.Chars;
import java.util.ArrayList;
import java.util.List;

/**
 * The parse loop, following BuildKit's parser.Parse: physical lines -> directives (top only) ->
 * logical lines (continuations, comments, empty lines) -> the ANTLR line grammar -> heredoc bodies
 * read from the following lines -> instruction records -> global ARGs and stages.
 */
public final class DockerfileReader {
  private final Source source;
  private final DirectiveParser directives;
  private LineParser lineParser;
  private int next; // 0-based index of the next physical line
  private char fixedEscape = '\\'; // escape when there are no directives (readOne)

  private DockerfileReader(String file, String text) {
    this.source = new Source(file, text);
    this.directives = new DirectiveParser(source);
  }

  /** Parses a whole Dockerfile. */
  public static Dockerfile read(String file, String text) {
    return new DockerfileReader(file, text).readAll();
  }

  /**
   * Parses text holding exactly one instruction (continuations and heredoc bodies allowed), e.g. an
   * ONBUILD trigger stored in an image config. No directives; the escape character is given.
   */
  public static Instruction readOne(String origin, String text, char escape) {
    DockerfileReader r = new DockerfileReader(origin, text);
    r.lineParser = new LineParser(escape);
    r.fixedEscape = escape;
    List<Instruction> all = new ArrayList<>();
    Instruction i;
    while ((i = r.nextInstruction(escape, false)) != null) {
      all.add(i);
    }
    if (all.size() != 1) {
      throw r.source.error(1, 1, Messages.triggerNotOneInstruction());
    }
    return all.get(0);
  }

  private Dockerfile readAll() {
    List<ArgInstruction> globalArgs = new ArrayList<>();
    List<FromInstruction> froms = new ArrayList<>();
    List<List<Instruction>> bodies = new ArrayList<>();
    Instruction instr;
    while ((instr = nextInstruction(directives.escape(), true)) != null) {
      if (instr instanceof FromInstruction from) {
        froms.add(from);
        bodies.add(new ArrayList<>());
      } else if (froms.isEmpty()) {
        if (instr instanceof ArgInstruction arg) {
          globalArgs.add(arg);
        } else {
          throw source.error(
              instr.range().startLine(),
              instr.range().startColumn(),
              Messages.noBuildStage(instr.keyword().name()));
        }
      } else {
        bodies.get(bodies.size() - 1).add(instr);
      }
    }
    if (froms.isEmpty()) {
      if (globalArgs.isEmpty()) {
        throw source.error(1, 1, Messages.noInstructions());
      }
      var last = globalArgs.get(globalArgs.size() - 1).range();
      throw source.error(last.startLine(), last.startColumn(), Messages.noStages());
    }
    List<StageDefinition> stages = new ArrayList<>(froms.size());
    for (int i = 0; i < froms.size(); i++) {
      stages.add(new StageDefinition(i, froms.get(i), bodies.get(i)));
    }
    return new Dockerfile(
        source.file,
        new Directives(directives.escape(), directives.values(), directives.positions()),
        globalArgs,
        stages);
  }

  /** Reads the next instruction, or returns null at the end of the file. */
  private Instruction nextInstruction(char escapeIn, boolean withDirectives) {
    LogicalLine ll = nextLogicalLine(withDirectives);
    if (ll == null) {
      return null;
    }
    char escape = withDirectives ? directives.escape() : escapeIn;
    if (Chars.trimSpace(ll.text).isEmpty()) {
      throw source.error(ll.startLine(), ll.columnOf(0), Messages.continuationWithoutInstruction());
    }
    if (lineParser == null) {
      lineParser = new LineParser(escape);
    }
    RawLine raw = lineParser.parse(ll.text);
    List<Heredoc> heredocs = List.of();
    if (ll.text.contains("<<") && canContainHeredoc(raw)) {
      heredocs = readHeredocs(ll);
      ll = ll.withEndLine(next);
    }
    return new InstructionFactory(source, ll, heredocs).build(raw);
  }

  /** RUN, COPY and ADD (also as ONBUILD triggers) in shell form take heredocs. */
  private static boolean canContainHeredoc(RawLine raw) {
    RawLine r = raw.keyword() == Keyword.ONBUILD && raw.nested() != null ? raw.nested() : raw;
    if (r.keyword() != Keyword.RUN && r.keyword() != Keyword.COPY && r.keyword() != Keyword.ADD) {
      return false;
    }
    try {
      return JsonArrays.parseStringArray(r.rest()).isEmpty();
    } catch (JsonArrays.NotStringArrayException e) {
      return false;
    }
  }

  private List<Heredoc> readHeredocs(LogicalLine ll) {
    List<Heredoc> found;
    try {
      found = Heredoc.fromLine(ll.text);
    } catch (RuntimeException e) {
      throw source.error(ll.startLine(), ll.columnOf(0), "bad heredoc: " + e.getMessage());
    }
    List<Heredoc> out = new ArrayList<>(found.size());
    for (Heredoc h : found) {
      StringBuilder content = new StringBuilder();
      boolean terminated = false;
      while (next < source.lineCount()) {
        String raw = source.rawLine(next);
        String candidate = source.line(next);
        next++;
        if (h.chomp()) {
          int t = 0;
          while (t < candidate.length() && candidate.charAt(t) == '\t') {
            t++;
          }
          candidate = candidate.substring(t);
        }
        if (candidate.equals(h.name())) {
          terminated = true;
          break;
        }
        content.append(raw);
      }
      if (!terminated) {
        int at = ll.text.indexOf("<<");
        throw source.error(
            ll.lineOf(Math.max(0, at)),
            ll.columnOf(Math.max(0, at)),
            Messages.unterminatedHeredoc(h.name()));
      }
      out.add(h.withContent(content.toString()));
    }
    return out;
  }

  /** BuildKit's logical-line assembly; null at the end of the file. */
  private LogicalLine nextLogicalLine(boolean withDirectives) {
    char escape = withDirectives ? directives.escape() : fixedEscape;
    while (next < source.lineCount()) {
      int number = next + 1;
      String physical = source.line(next);
      next++;
      int lead = 0;
      while (lead < physical.length() && Chars.isSpace(physical.charAt(lead))) {
        lead++;
      }
      String token = physical.substring(lead);
      if (withDirectives) {
        directives.accept(token, number);
        if (directives.escape() != escape) {
          escape = directives.escape();
          if (lineParser != null) {
            lineParser.escape(escape);
          }
        }
      }
      if (token.startsWith("#")) {
        continue;
      }
      int cont = continuation(token, escape);
      String first = cont >= 0 ? token.substring(0, cont) : token;
      if (cont < 0 && first.isEmpty()) {
        continue;
      }
      LogicalLine.Builder b = new LogicalLine.Builder();
      b.add(first, number, lead + 1);
      boolean endOfLine = cont < 0;
      while (!endOfLine && next < source.lineCount()) {
        int n = next + 1;
        String p = source.line(next);
        next++;
        int k = 0;
        while (k < p.length() && Chars.isSpace(p.charAt(k))) {
          k++;
        }
        if (p.substring(k).startsWith("#") || k == p.length()) {
          b.skipped(n);
          continue;
        }
        int c = continuation(p, escape);
        endOfLine = c < 0;
        b.add(c >= 0 ? p.substring(0, c) : p, n, 1);
      }
      return b.build();
    }
    return null;
  }

  /**
   * Index of the continuation escape ({@code \} or {@code `} then only [ \t] to the end), or -1. As
   * BuildKit's continuation regex ({@code ([^\\])\\[ \t]*$|^\\[ \t]*$}), the escape must follow a
   * character other than the escape, or stand alone: {@code a\\} ends the line.
   */
  private static int continuation(String s, char escape) {
    int i = s.length() - 1;
    while (i >= 0 && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i--;
    }
    return i >= 0 && s.charAt(i) == escape && (i == 0 || s.charAt(i - 1) != escape) ? i : -1;
  }
}
