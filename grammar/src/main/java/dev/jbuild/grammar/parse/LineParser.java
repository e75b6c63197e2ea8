package dev.jbuild.grammar.parse;

import dev.jbuild.grammar.instructions.Keyword;
import dev.jbuild.grammar.shell.Chars;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Runs the ANTLR lexer and parser over one logical line and turns the tree into a {@link RawLine}.
 * One instance per Dockerfile parse; the lexer and parser are reused from line to line (SLL
 * prediction, bail-out error strategy: the grammar accepts every token sequence, so a syntax error
 * would be a bug of ours).
 */
final class LineParser {
  private final DockerfileLexer lexer;
  private final DockerfileParser parser;

  LineParser(char escape) {
    lexer = new DockerfileLexer(CharStreams.fromString(""));
    lexer.removeErrorListeners();
    lexer.setBacktickEscape(escape == '`');
    parser = new DockerfileParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    parser.setErrorHandler(new BailErrorStrategy());
    parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
    parser.setBuildParseTree(true);
  }

  /** Switches the escape character (after a directive). */
  void escape(char escape) {
    lexer.setBacktickEscape(escape == '`');
  }

  RawLine parse(String line) {
    lexer.setInputStream(CharStreams.fromString(line));
    parser.setTokenStream(new CommonTokenStream(lexer));
    DockerfileParser.LineContext tree;
    try {
      tree = parser.line();
    } catch (ParseCancellationException e) {
      throw new IllegalStateException("internal error: the line grammar rejected: " + line, e);
    }
    return convert(line, tree.instruction());
  }

  private RawLine convert(String line, DockerfileParser.InstructionContext ctx) {
    Token keywordToken = ctx.getStart();
    Keyword keyword =
        keywordToken.getType() == DockerfileLexer.NAME
            ? null
            : Keyword.valueOf(DockerfileLexer.VOCABULARY.getSymbolicName(keywordToken.getType()));
    DockerfileParser.FlagsContext flagsCtx =
        ctx.getRuleContext(DockerfileParser.FlagsContext.class, 0);
    List<RawLine.RawFlag> flags = new ArrayList<>();
    int afterFlags = keywordToken.getStopIndex() + 1;
    for (TerminalNode f : flagsCtx.FLAG()) {
      Token t = f.getSymbol();
      afterFlags = t.getStopIndex() + 1;
      String text = t.getText();
      if (!text.equals("--")) {
        flags.add(
            new RawLine.RawFlag(
                decodeFlag(text, t.getStopIndex() + 1 == line.length()), t.getStartIndex()));
      }
    }
    int restStart = afterFlags;
    while (restStart < line.length() && Chars.isSpace(line.charAt(restStart))) {
      restStart++;
    }
    String rest = Chars.trimSpace(line.substring(restStart));
    RawLine nested = null;
    List<RawLine.RawWord> words = new ArrayList<>();
    if (ctx instanceof DockerfileParser.OnbuildContext onbuild) {
      if (onbuild.instruction() != null) {
        nested = convert(line, onbuild.instruction());
      }
    } else {
      DockerfileParser.ArgsContext args = ctx.getRuleContext(DockerfileParser.ArgsContext.class, 0);
      for (TerminalNode w : args.WORD()) {
        Token t = w.getSymbol();
        words.add(new RawLine.RawWord(t.getText(), t.getStartIndex()));
      }
    }
    return new RawLine(
        keyword,
        keywordToken.getText(),
        keywordToken.getStartIndex(),
        List.copyOf(flags),
        rest,
        restStart,
        List.copyOf(words),
        nested);
  }

  /**
   * A flag word as BuildKit's extractBuilderFlags reads it: quotes group, backslash escapes the
   * next character (also inside quotes); a backslash at the very end of the line is dropped.
   */
  static String decodeFlag(String token, boolean atEndOfLine) {
    StringBuilder word = new StringBuilder(token.length());
    char quote = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (quote == 0) {
        if (c == '\'' || c == '"') {
          quote = c;
          continue;
        }
      } else if (c == quote) {
        quote = 0;
        continue;
      }
      if (c == '\\') {
        if (i + 1 == token.length()) {
          if (atEndOfLine) {
            continue;
          }
          word.append(c);
          continue;
        }
        c = token.charAt(++i);
      }
      word.append(c);
    }
    return word.toString();
  }
}
