package dev.jbuild.grammar.ignore;

import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.shell.Chars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The build-context filter of a {@code .dockerignore} file, with Docker's rules
 * (moby/patternmatcher and its ignorefile reader):
 *
 * <ul>
 *   <li>lines starting with '#' are comments; blank lines are skipped; patterns are trimmed,
 *       cleaned like filepath.Clean, and a leading '/' is dropped (paths are relative to the
 *       context root);
 *   <li>{@code *} and {@code ?} do not cross '/', {@code **} matches any number of directories,
 *       {@code [...]} is a character class; {@code !pattern} is an exception that re-includes;
 *   <li>the last matching pattern wins, and a pattern matching a directory matches everything below
 *       it.
 * </ul>
 *
 * Paths given to {@link #excludes(String)} are relative to the context, '/'-separated.
 */
public final class Dockerignore {
  private static final Dockerignore EMPTY = new Dockerignore(List.of(), Optional.empty());

  private final List<IgnorePattern> patterns;
  private final boolean hasExceptions;
  private final Optional<Path> source;

  private Dockerignore(List<IgnorePattern> patterns, Optional<Path> source) {
    this.patterns = List.copyOf(patterns);
    boolean exceptions = false;
    for (IgnorePattern p : patterns) {
      exceptions |= p.exclusion();
    }
    this.hasExceptions = exceptions;
    this.source = source;
  }

  /** Excludes nothing. */
  public static Dockerignore empty() {
    return EMPTY;
  }

  /**
   * Parses the text of an ignore file.
   *
   * @param name the file name used in error messages
   * @throws DockerfileException naming {@code name:line:1} for an invalid pattern
   */
  public static Dockerignore parse(String name, String text) {
    return parse(name, text, Optional.empty());
  }

  private static Dockerignore parse(String name, String text, Optional<Path> source) {
    List<IgnorePattern> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (i == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.startsWith("#")) {
        continue;
      }
      String p = Chars.trimSpace(line);
      if (p.isEmpty()) {
        continue;
      }
      boolean invert = p.charAt(0) == '!';
      if (invert) {
        p = Chars.trimSpace(p.substring(1));
      }
      if (!p.isEmpty()) {
        p = CleanPath.clean(p);
        if (p.length() > 1 && p.charAt(0) == '/') {
          p = p.substring(1);
        }
      }
      if (invert) {
        p = "!" + p;
      }
      try {
        out.add(IgnorePattern.of(p));
      } catch (IllegalArgumentException e) {
        throw new DockerfileException(name, i + 1, 1, e.getMessage(), lines[i]);
      }
    }
    return new Dockerignore(out, source);
  }

  /**
   * Patterns as they would appear in a file, one per element (for tests and API callers).
   *
   * @throws IllegalArgumentException for an invalid pattern
   */
  public static Dockerignore of(List<String> patterns) {
    try {
      return parse("patterns", String.join("\n", patterns));
    } catch (DockerfileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * The ignore file Docker uses for a build: {@code <Dockerfile name>.dockerignore} next to the
   * Dockerfile if it exists, else {@code .dockerignore} at the context root, else none.
   *
   * @param dockerfile the Dockerfile's path, or null when it comes from standard input
   */
  public static Optional<Path> locate(Path context, Path dockerfile) {
    if (dockerfile != null && dockerfile.getFileName() != null) {
      Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
      if (Files.isRegularFile(specific)) {
        return Optional.of(specific);
      }
    }
    Path root = context.resolve(".dockerignore");
    return Files.isRegularFile(root) ? Optional.of(root) : Optional.empty();
  }

  /** Reads the ignore file {@link #locate} finds; {@link #empty()} when there is none. */
  public static Dockerignore forContext(Path context, Path dockerfile) throws IOException {
    Optional<Path> file = locate(context, dockerfile);
    if (file.isEmpty()) {
      return EMPTY;
    }
    String text = new String(Files.readAllBytes(file.get()), StandardCharsets.UTF_8);
    return parse(file.get().toString(), text, file);
  }

  /** The file the patterns came from, if any. */
  public Optional<Path> source() {
    return source;
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** Whether a pattern is an exception ({@code !pattern}). */
  public boolean hasExceptions() {
    return hasExceptions;
  }

  /** The patterns as cleaned ("!" prefix for exceptions). */
  public List<String> patterns() {
    List<String> out = new ArrayList<>(patterns.size());
    for (IgnorePattern p : patterns) {
      out.add(p.toString());
    }
    return List.copyOf(out);
  }

  /**
   * Whether {@code path} (relative to the context, '/'-separated) is excluded: the last pattern
   * matching it or one of its parent directories decides (patternmatcher MatchesOrParentMatches).
   */
  public boolean excludes(String path) {
    if (patterns.isEmpty()) {
      return false;
    }
    String file = CleanPath.clean(path);
    if (file.startsWith("/")) {
      file = file.substring(1);
    }
    int lastSlash = file.lastIndexOf('/');
    boolean matched = false;
    for (IgnorePattern p : patterns) {
      if (p.exclusion() != matched) {
        continue;
      }
      boolean match = p.matches(file);
      if (!match && lastSlash > 0) {
        int from = 0;
        while (true) {
          int slash = file.indexOf('/', from);
          if (slash < 0 || slash > lastSlash) {
            break;
          }
          if (p.matches(file.substring(0, slash))) {
            match = true;
            break;
          }
          from = slash + 1;
        }
      }
      if (match) {
        matched = !p.exclusion();
      }
    }
    return matched;
  }

  /**
   * Whether a context walk may skip directory {@code dir} without looking inside: it is excluded
   * and no exception pattern could re-include anything below it.
   */
  public boolean canSkipDir(String dir) {
    if (!excludes(dir)) {
      return false;
    }
    if (!hasExceptions) {
      return true;
    }
    String d = CleanPath.clean(dir);
    if (d.startsWith("/")) {
      d = d.substring(1);
    }
    for (IgnorePattern p : patterns) {
      if (p.exclusion() && p.couldMatchBelow(d)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "Dockerignore" + patterns();
  }
}
