package dev.jbuild.grammar.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Dockerfile word expansion, a port of BuildKit's shell/lex.go: {@code $v ${v} ${v:-w} ${v-w}
 * ${v:+w} ${v+w} ${v:?msg} ${v?msg} ${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}}, single and
 * double quotes (removed), and the escape character (backslash, or backtick after {@code #
 * escape=`}). {@link #expand} keeps the result one word (ENV, LABEL, COPY, WORKDIR, ...); {@link
 * #expandWords} splits unquoted whitespace, including whitespace that came out of a variable
 * (EXPOSE).
 *
 * <p>Immutable; the {@code with...} methods give the variants BuildKit uses internally: raw quotes
 * and raw escapes (heredoc delimiter detection), skipped quote processing (COPY/ADD heredoc
 * bodies), unset variables left as written.
 */
public final class WordExpander {
  /**
   * At most this many nested {@code ${...}} (each level is a recursion of the scanner): deeper
   * nesting is refused instead of overflowing the stack. BuildKit has no limit (Go stacks grow).
   */
  public static final int MAX_NESTING = 100;

  /**
   * At most this many characters in one expanded word ({@code ENV A=$A$A} forty times would be a
   * terabyte): a longer result is refused.
   */
  public static final int MAX_LENGTH = 1 << 20;

  private final int escape;
  private final boolean rawQuotes;
  private final boolean rawEscapes;
  private final boolean skipProcessQuotes;
  private final boolean skipUnsetEnv;

  private WordExpander(
      int escape,
      boolean rawQuotes,
      boolean rawEscapes,
      boolean skipProcessQuotes,
      boolean skipUnsetEnv) {
    this.escape = escape;
    this.rawQuotes = rawQuotes;
    this.rawEscapes = rawEscapes;
    this.skipProcessQuotes = skipProcessQuotes;
    this.skipUnsetEnv = skipUnsetEnv;
  }

  private static final WordExpander BACKSLASH = new WordExpander('\\', false, false, false, false);
  private static final WordExpander BACKTICK = new WordExpander('`', false, false, false, false);

  /** The expander for a Dockerfile whose escape character is {@code escape}. */
  public static WordExpander of(char escape) {
    return switch (escape) {
      case '\\' -> BACKSLASH;
      case '`' -> BACKTICK;
      default -> throw new IllegalArgumentException("escape must be \\ or `");
    };
  }

  /** Quotes stay in the result. */
  public WordExpander withRawQuotes() {
    return new WordExpander(escape, true, rawEscapes, skipProcessQuotes, skipUnsetEnv);
  }

  /** Escape characters stay in the result. */
  public WordExpander withRawEscapes() {
    return new WordExpander(escape, rawQuotes, true, skipProcessQuotes, skipUnsetEnv);
  }

  /** Quotes are ordinary characters. */
  public WordExpander withSkipProcessQuotes() {
    return new WordExpander(escape, rawQuotes, rawEscapes, true, skipUnsetEnv);
  }

  /** Unset variables are left as written ({@code $v}, {@code ${v:-w}}). */
  public WordExpander withSkipUnsetEnv() {
    return new WordExpander(escape, rawQuotes, rawEscapes, skipProcessQuotes, true);
  }

  /** Expands {@code word} into one word (BuildKit ProcessWord). */
  public String expand(String word, Env env) {
    if (!needsWork(word)) {
      return word;
    }
    return new Scan(word, env).process().result;
  }

  /** Expands {@code word} and splits it into words (BuildKit ProcessWords). */
  public List<String> expandWords(String word, Env env) {
    return new Scan(word, env).process().words;
  }

  private boolean needsWork(String word) {
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c == '$' || c == escape || (!skipProcessQuotes && (c == '\'' || c == '"'))) {
        return true;
      }
    }
    return false;
  }

  private record Processed(String result, List<String> words) {}

  /** Collects words the way BuildKit's wordsStruct does. */
  private static final class Words {
    private final StringBuilder word = new StringBuilder();
    private final List<String> words = new ArrayList<>();
    private boolean inWord;

    void addChar(int ch) {
      if (Chars.isSpace(ch) && inWord) {
        if (!word.isEmpty()) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else if (!Chars.isSpace(ch)) {
        addRawChar(ch);
      }
    }

    void addRawChar(int ch) {
      word.appendCodePoint(ch);
      inWord = true;
    }

    void addString(String s) {
      for (int i = 0; i < s.length(); ) {
        int c = s.codePointAt(i);
        addChar(c);
        i += Character.charCount(c);
      }
    }

    void addRawString(String s) {
      word.append(s);
      inWord = true;
    }

    List<String> getWords() {
      if (!word.isEmpty()) {
        words.add(word.toString());
        word.setLength(0);
        inWord = false;
      }
      return words;
    }
  }

  private static final int EOF = -1;

  /** One expansion: a scanner over the code points of the source. */
  private final class Scan {
    private final String source;
    private final Env env;
    private int pos;
    private int depth;
    private boolean scanRawEscapes = rawEscapes;

    Scan(String source, Env env) {
      this.source = source;
      this.env = env;
    }

    Processed process() {
      try {
        return processStopOn(EOF, scanRawEscapes);
      } catch (ExpansionException e) {
        String shown = source.length() > 200 ? source.substring(0, 200) + "..." : source;
        throw new ExpansionException("failed to process \"" + shown + "\": " + e.getMessage());
      }
    }

    private int peek() {
      return pos < source.length() ? source.codePointAt(pos) : EOF;
    }

    private int next() {
      if (pos >= source.length()) {
        return EOF;
      }
      int c = source.codePointAt(pos);
      pos += Character.charCount(c);
      return c;
    }

    private Processed processStopOn(int stopChar, boolean withRawEscapes) {
      StringBuilder result = new StringBuilder();
      Words words = new Words();
      boolean saved = scanRawEscapes;
      scanRawEscapes = withRawEscapes;
      try {
        while (peek() != EOF) {
          int ch = peek();
          if (stopChar != EOF && ch == stopChar) {
            next();
            return new Processed(result.toString(), words.getWords());
          }
          if (ch == '$') {
            String tmp = processDollar();
            bounded(result.length() + tmp.length());
            result.append(tmp);
            words.addString(tmp);
          } else if (!skipProcessQuotes && ch == '\'') {
            String tmp = processSingleQuote();
            bounded(result.length() + tmp.length());
            result.append(tmp);
            words.addRawString(tmp);
          } else if (!skipProcessQuotes && ch == '"') {
            String tmp = processDoubleQuote();
            bounded(result.length() + tmp.length());
            result.append(tmp);
            words.addRawString(tmp);
          } else {
            ch = next();
            if (ch == escape) {
              if (scanRawEscapes) {
                words.addRawChar(ch);
                result.appendCodePoint(ch);
              }
              ch = next();
              if (ch == EOF) {
                break;
              }
              words.addRawChar(ch);
            } else {
              words.addChar(ch);
            }
            result.appendCodePoint(ch);
          }
        }
      } finally {
        scanRawEscapes = saved;
      }
      if (stopChar != EOF) {
        throw new ExpansionException(
            "unexpected end of statement while looking for matching "
                + new String(Character.toChars(stopChar)));
      }
      return new Processed(result.toString(), words.getWords());
    }

    private String processSingleQuote() {
      StringBuilder result = new StringBuilder();
      int ch = next();
      if (rawQuotes) {
        result.appendCodePoint(ch);
      }
      while (true) {
        ch = next();
        if (ch == EOF) {
          throw new ExpansionException(
              "unexpected end of statement while looking for matching single-quote");
        }
        if (ch == '\'') {
          if (rawQuotes) {
            result.appendCodePoint(ch);
          }
          return result.toString();
        }
        result.appendCodePoint(ch);
      }
    }

    private String processDoubleQuote() {
      StringBuilder result = new StringBuilder();
      int ch = next();
      if (rawQuotes) {
        result.appendCodePoint(ch);
      }
      while (true) {
        int p = peek();
        if (p == EOF) {
          throw new ExpansionException(
              "unexpected end of statement while looking for matching double-quote");
        }
        if (p == '"') {
          ch = next();
          if (rawQuotes) {
            result.appendCodePoint(ch);
          }
          return result.toString();
        }
        if (p == '$') {
          String tmp = processDollar();
          bounded(result.length() + tmp.length());
          result.append(tmp);
          continue;
        }
        ch = next();
        if (ch == escape) {
          if (scanRawEscapes) {
            result.appendCodePoint(ch);
          }
          int q = peek();
          if (q == EOF) {
            continue; // ignore an escape at the end of the word
          }
          if (q == '"' || q == '$' || q == escape) {
            ch = next();
          }
        }
        result.appendCodePoint(ch);
      }
    }

    private String processDollar() {
      if (++depth > MAX_NESTING) {
        throw new ExpansionException(
            "variable expansions nested deeper than " + MAX_NESTING + " levels");
      }
      try {
        return bounded(dollar());
      } finally {
        depth--;
      }
    }

    private String dollar() {
      next(); // '$'
      if (peek() != '{') {
        String name = processName();
        if (name.isEmpty()) {
          return "$";
        }
        String value = env.get(name);
        if (value == null && skipUnsetEnv) {
          return "$" + name;
        }
        return value == null ? "" : value;
      }
      next(); // '{'
      switch (peek()) {
        case EOF -> throw new ExpansionException("syntax error: missing '}'");
        case '{', '}', ':' -> throw new ExpansionException("syntax error: bad substitution");
        default -> {}
      }
      String name = processName();
      int ch = next();
      StringBuilder chs = new StringBuilder();
      if (ch != EOF) {
        chs.appendCodePoint(ch);
      }
      boolean nullIsUnset = false;
      switch (ch) {
        case '}' -> {
          String value = env.get(name);
          if (value == null && skipUnsetEnv) {
            return "${" + name + "}";
          }
          return value == null ? "" : value;
        }
        case ':', '+', '-', '?', '#', '%' -> {
          if (ch == ':') {
            nullIsUnset = true;
            ch = next();
            if (ch != EOF) {
              chs.appendCodePoint(ch);
            }
          }
          boolean patternEscapes = ch == '#' || ch == '%';
          if (nullIsUnset && patternEscapes) {
            throw new ExpansionException("unsupported modifier (" + chs + ") in substitution");
          }
          String word;
          try {
            word = processStopOn('}', patternEscapes).result;
          } catch (ExpansionException e) {
            if (peek() == EOF) {
              throw new ExpansionException("syntax error: missing '}'");
            }
            throw e;
          }
          String value = env.get(name);
          boolean set = value != null;
          if (skipUnsetEnv && !set) {
            return "${" + name + chs + word + "}";
          }
          switch (ch) {
            case '-' -> {
              return !set || (nullIsUnset && value.isEmpty()) ? word : value;
            }
            case '+' -> {
              return !set || (nullIsUnset && value.isEmpty()) ? "" : word;
            }
            case '?' -> {
              if (!set) {
                throw new ExpansionException(
                    name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
              }
              if (nullIsUnset && value.isEmpty()) {
                throw new ExpansionException(
                    name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
              }
              return value;
            }
            case '%', '#' -> {
              boolean longest = false;
              String pattern = word;
              if (!pattern.isEmpty() && pattern.charAt(0) == ch) {
                longest = true;
                pattern = pattern.substring(1);
              }
              String v = set ? value : "";
              ShellPattern p = ShellPattern.compile(pattern);
              return ch == '%' ? p.trimSuffix(v, longest) : p.trimPrefix(v, longest);
            }
            default ->
                throw new ExpansionException("unsupported modifier (" + chs + ") in substitution");
          }
        }
        case '/' -> {
          boolean replaceAll = peek() == '/';
          if (replaceAll) {
            next();
          }
          String pattern;
          try {
            pattern = processStopOn('/', true).result;
          } catch (ExpansionException e) {
            if (peek() == EOF) {
              throw new ExpansionException("syntax error: missing '/' in ${}");
            }
            throw e;
          }
          String replacement;
          try {
            replacement = processStopOn('}', false).result;
          } catch (ExpansionException e) {
            if (peek() == EOF) {
              throw new ExpansionException("syntax error: missing '}'");
            }
            throw e;
          }
          String value = env.get(name);
          if (value == null && skipUnsetEnv) {
            return "${" + name + (replaceAll ? "//" : "/") + pattern + "/" + replacement + "}";
          }
          return ShellPattern.compile(pattern)
              .replace(value == null ? "" : value, replacement, replaceAll, MAX_LENGTH);
        }
        default -> {
          if (ch == EOF) {
            throw new ExpansionException("syntax error: missing '}'");
          }
          throw new ExpansionException("unsupported modifier (" + chs + ") in substitution");
        }
      }
    }

    private String processName() {
      StringBuilder name = new StringBuilder();
      while (peek() != EOF) {
        int ch = peek();
        if (name.isEmpty() && Character.isDigit(ch)) {
          while (peek() != EOF && Character.isDigit(peek())) {
            name.appendCodePoint(next());
          }
          return name.toString();
        }
        if (name.isEmpty() && isSpecialParam(ch)) {
          return new String(Character.toChars(next()));
        }
        if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
          break;
        }
        name.appendCodePoint(next());
      }
      return name.toString();
    }
  }

  private static String bounded(String s) {
    bounded(s.length());
    return s;
  }

  private static void bounded(long length) {
    if (length > MAX_LENGTH) {
      throw new ExpansionException("expansion longer than " + MAX_LENGTH + " characters");
    }
  }

  private static boolean isSpecialParam(int c) {
    return switch (c) {
      case '@', '*', '#', '?', '-', '$', '!', '0' -> true;
      default -> false;
    };
  }
}
