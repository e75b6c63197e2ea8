package dev.jbuild.builder.context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * .dockerignore and COPY --exclude patterns as {@link IgnoreFilter}s. (Interim matcher until the
 * grammar module's Dockerignore lands.)
 */
public final class Ignores {
  private Ignores() {}

  /**
   * The filter of a context: {@code <Dockerfile>.dockerignore} next to it, else
   * CONTEXT/.dockerignore.
   */
  public static IgnoreFilter forContext(Path context, Optional<Path> dockerfile)
      throws IOException {
    Path file = null;
    if (dockerfile.isPresent()) {
      Path df = dockerfile.get();
      Path specific = df.resolveSibling(df.getFileName() + ".dockerignore");
      if (Files.isRegularFile(specific)) {
        file = specific;
      }
    }
    if (file == null && Files.isRegularFile(context.resolve(".dockerignore"))) {
      file = context.resolve(".dockerignore");
    }
    if (file == null) {
      return IgnoreFilter.NONE;
    }
    List<String> patterns = new ArrayList<>();
    for (String line : Files.readString(file, StandardCharsets.UTF_8).split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      patterns.add(l);
    }
    return fromPatterns(patterns);
  }

  public static IgnoreFilter fromPatterns(List<String> patterns) {
    List<Rule> rules = new ArrayList<>();
    for (String p : patterns) {
      boolean exclusion = p.startsWith("!");
      String body = exclusion ? p.substring(1).strip() : p;
      List<String> parts = BuildContext.components(body);
      if (parts.isEmpty()) {
        continue;
      }
      rules.add(new Rule(Pattern.compile(regex(String.join("/", parts))), exclusion));
    }
    boolean anyExclusion = rules.stream().anyMatch(Rule::exclusion);
    return new IgnoreFilter() {
      @Override
      public boolean excluded(String path) {
        boolean out = false;
        for (Rule r : rules) {
          if (matches(r.pattern, path)) {
            out = !r.exclusion;
          }
        }
        return out;
      }

      @Override
      public boolean skipDir(String dir) {
        return !anyExclusion && excluded(dir);
      }
    };
  }

  private record Rule(Pattern pattern, boolean exclusion) {}

  /** A pattern matches a path or any of its parent directories (Docker's rule). */
  private static boolean matches(Pattern p, String path) {
    if (p.matcher(path).matches()) {
      return true;
    }
    int slash = path.lastIndexOf('/');
    while (slash > 0) {
      if (p.matcher(path.substring(0, slash)).matches()) {
        return true;
      }
      slash = path.lastIndexOf('/', slash - 1);
    }
    return false;
  }

  private static String regex(String pattern) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
          i++;
          if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
            i++;
            b.append("(?:.*/)?");
          } else {
            b.append(".*");
          }
        } else {
          b.append("[^/]*");
        }
      } else if (c == '?') {
        b.append("[^/]");
      } else if (c == '\\' && i + 1 < pattern.length()) {
        b.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '[') {
        int end = pattern.indexOf(']', i + 1);
        if (end < 0) {
          b.append("\\[");
        } else {
          String cls = pattern.substring(i + 1, end);
          if (cls.startsWith("^") || cls.startsWith("!")) {
            cls = "^" + cls.substring(1);
          }
          b.append('[').append(cls.replace("\\", "\\\\")).append(']');
          i = end;
        }
      } else {
        b.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return b.toString();
  }
}
