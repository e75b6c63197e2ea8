package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.shell.Env;
import dev.jbuild.grammar.shell.ExpansionException;
import dev.jbuild.grammar.shell.WordExpander;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A here-document of RUN, COPY or ADD.
 *
 * @param name the delimiter word with quotes removed (also the file name for COPY/ADD)
 * @param content the lines up to the terminator, each with its line ending, as written
 * @param expand false when any part of the delimiter was quoted ({@code <<"EOF"}, {@code <<'EOF'}):
 *     COPY/ADD bodies are then not expanded
 * @param chomp {@code <<-}: leading tabs are stripped from every line
 * @param fd the file descriptor prefix ({@code 3<<EOF}), 0 when absent
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp, int fd) {
  private static final Pattern LEADING_TABS = Pattern.compile("(?m)^\t+");
  private static final Pattern WORD = Pattern.compile("(\\d*)<<(-?)([^<]*)");

  public Heredoc {
    if (name == null || name.isEmpty() || content == null || fd < 0) {
      throw new IllegalArgumentException("heredoc needs a name and content");
    }
  }

  /** The content as used: leading tabs removed when {@link #chomp()}. */
  public String body() {
    return chomp ? LEADING_TABS.matcher(content).replaceAll("") : content;
  }

  public Heredoc withContent(String newContent) {
    return new Heredoc(name, newContent, expand, chomp, fd);
  }

  /**
   * Whether {@code word} is a heredoc start ({@code [fd]<<[-]NAME}, NAME one word, possibly
   * quoted), as BuildKit's ParseHeredoc decides; the result has empty content.
   *
   * @throws ExpansionException when the delimiter cannot be lexed
   */
  public static Optional<Heredoc> parseWord(String word) {
    Matcher m = WORD.matcher(word);
    if (!m.matches() || m.group(3).isEmpty()) {
      return Optional.empty();
    }
    int fd = 0;
    if (!m.group(1).isEmpty()) {
      try {
        fd = Integer.parseInt(m.group(1));
      } catch (NumberFormatException e) {
        fd = 0;
      }
    }
    String rest = m.group(3);
    WordExpander lex = WordExpander.of('\\').withSkipUnsetEnv();
    List<String> words = lex.expandWords(rest, Env.EMPTY);
    if (words.size() != 1) {
      return Optional.empty();
    }
    List<String> raw = lex.withRawQuotes().expandWords(rest, Env.EMPTY);
    if (raw.size() != 1) {
      throw new ExpansionException(
          "internal lexing of heredoc produced inconsistent results: " + rest);
    }
    boolean expand = quotes(words.get(0)) == quotes(raw.get(0));
    return Optional.of(new Heredoc(words.get(0), "", expand, "-".equals(m.group(2)), fd));
  }

  /** The heredocs a logical line starts, in order (BuildKit heredocsFromLine). */
  public static List<Heredoc> fromLine(String line) {
    List<String> words;
    try {
      words = WordExpander.of('\\').withRawQuotes().withRawEscapes().expandWords(line, Env.EMPTY);
    } catch (ExpansionException e) {
      return List.of();
    }
    List<Heredoc> out = new ArrayList<>();
    for (String w : words) {
      parseWord(w).ifPresent(out::add);
    }
    return out;
  }

  private static int quotes(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'' || c == '"') {
        n++;
      }
    }
    return n;
  }
}
