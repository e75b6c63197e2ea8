package dev.jbuild.grammar.parse;

import dev.jbuild.grammar.Messages;
import dev.jbuild.grammar.SourceRange;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parser directives ({@code # syntax=}, {@code # escape=}, {@code # check=}): recognised only in
 * the comment lines at the very top; the first line that is not a known directive (an empty line,
 * another comment, an unknown directive, an instruction) ends them, as in BuildKit. A {@code #!}
 * first line is skipped. Each directive may appear once.
 */
final class DirectiveParser {
  private static final Pattern DIRECTIVE =
      Pattern.compile(
          "^#[ \\t\\n\\f\\r]*([a-zA-Z][a-zA-Z0-9]*)[ \\t\\n\\f\\r]*=[ \\t\\n\\f\\r]*(.+?)[ \\t\\n\\f\\r]*$");

  private final Source source;
  private final Map<String, String> values = new LinkedHashMap<>();
  private final Map<String, SourceRange> at = new LinkedHashMap<>();
  private boolean done;
  private int lines;
  private char escape = '\\';

  DirectiveParser(Source source) {
    this.source = source;
  }

  /** Looks at one line (leading whitespace removed); returns true if it was a directive. */
  boolean accept(String line, int lineNumber) {
    lines++;
    if (done) {
      return false;
    }
    if (lines == 1 && line.startsWith("#!")) {
      return false;
    }
    Matcher m = DIRECTIVE.matcher(line);
    if (!m.matches()) {
      done = true;
      return false;
    }
    String key = m.group(1).toLowerCase(Locale.ROOT);
    if (!key.equals("syntax") && !key.equals("escape") && !key.equals("check")) {
      done = true;
      return false;
    }
    if (values.containsKey(key)) {
      throw source.error(lineNumber, 1, Messages.duplicateDirective(key));
    }
    String value = m.group(2);
    if (key.equals("escape")) {
      if (!value.equals("`") && !value.equals("\\")) {
        throw source.error(lineNumber, m.start(2) + 1, Messages.invalidEscape(value));
      }
      escape = value.charAt(0);
    }
    values.put(key, value);
    at.put(key, SourceRange.at(source.file, lineNumber, m.start(2) + 1 + lead(lineNumber)));
    return true;
  }

  char escape() {
    return escape;
  }

  Map<String, SourceRange> positions() {
    return at;
  }

  /** Leading whitespace of the physical line (the matcher saw the line without it). */
  private int lead(int lineNumber) {
    String line = source.line(lineNumber - 1);
    int i = 0;
    while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  Map<String, String> values() {
    return values;
  }
}
