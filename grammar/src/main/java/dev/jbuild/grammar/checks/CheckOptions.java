package dev.jbuild.grammar.checks;

import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.Messages;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the {@code # check=} directive or the {@code BUILDKIT_DOCKERFILE_CHECK} build arg asks
 * (BuildKit's linter.ParseLintOptions): {@code skip=Rule1,Rule2} or {@code skip=all}, {@code
 * error=true|false}, {@code experimental=...} (accepted; jbuild has no experimental rule), up to
 * three {@code ;}-separated options. The build arg replaces the directive, as in BuildKit.
 *
 * @param skipAll {@code skip=all}
 * @param skip the rule names to skip (unknown names are ignored, as BuildKit)
 * @param error a violation fails the build ({@code --check} always exits 1 on one)
 */
public record CheckOptions(boolean skipAll, Set<String> skip, boolean error) {
  public static final String BUILD_ARG = "BUILDKIT_DOCKERFILE_CHECK";

  public static final CheckOptions DEFAULT = new CheckOptions(false, Set.of(), false);

  public CheckOptions {
    skip = Set.copyOf(skip);
  }

  /**
   * Parses BuildKit's grammar.
   *
   * @throws IllegalArgumentException with BuildKit's wording
   */
  public static CheckOptions parse(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      return DEFAULT;
    }
    boolean skipAll = false;
    boolean error = false;
    Set<String> skip = new LinkedHashSet<>();
    List<String> parts = splitN(s, ';', 3);
    for (String p : parts) {
      int eq = p.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid check option \"" + p + "\"");
      }
      String k = p.substring(0, eq).strip();
      String v = p.substring(eq + 1).strip();
      switch (k) {
        case "skip" -> {
          if (v.equals("all")) {
            skipAll = true;
          } else {
            for (String r : v.split(",", -1)) {
              skip.add(r.strip());
            }
          }
        }
        case "experimental" -> {
          // no experimental rule is implemented: nothing to enable
        }
        case "error" -> error = parseBool(p, v);
        default -> throw new IllegalArgumentException("invalid check option \"" + k + "\"");
      }
    }
    return new CheckOptions(skipAll, skip, error);
  }

  /**
   * The options in effect: the {@code BUILDKIT_DOCKERFILE_CHECK} build arg if given, else the
   * directive, else the defaults.
   */
  public static CheckOptions of(Optional<String> directive, Map<String, String> buildArgs) {
    String arg = buildArgs.get(BUILD_ARG);
    if (arg != null) {
      return parse(arg);
    }
    return directive.isPresent() ? parse(directive.get()) : DEFAULT;
  }

  /**
   * {@link #of} for a parsed Dockerfile, with BuildKit's errors.
   *
   * @throws DockerfileException at the directive (or line 1 for the build arg) when the options do
   *     not parse
   */
  public static CheckOptions of(Dockerfile df, Map<String, String> buildArgs) {
    try {
      return of(df.directives().check(), buildArgs);
    } catch (IllegalArgumentException e) {
      boolean arg = buildArgs.containsKey(BUILD_ARG);
      String reason =
          arg
              ? "failed to parse " + BUILD_ARG + ": " + e.getMessage()
              : Messages.badCheckDirective(e.getMessage());
      throw DockerfileException.at(
          df.directives().position("check", df.fileName()),
          reason,
          "# check=" + df.directives().check().orElse(""));
    }
  }

  public boolean enabled(Rule rule) {
    return !skipAll && !skip.contains(rule.ruleName());
  }

  /** The warnings of rules that are not skipped. */
  public List<Warning> filter(List<Warning> all) {
    List<Warning> out = new ArrayList<>(all.size());
    for (Warning w : all) {
      if (enabled(w.rule())) {
        out.add(w);
      }
    }
    return out;
  }

  /**
   * BuildKit's error when {@code error=true} and there are violations: {@code lint violation found
   * for rules: A, B}; empty when the build may go on.
   */
  public Optional<String> failure(List<Warning> warnings) {
    if (!error || warnings.isEmpty()) {
      return Optional.empty();
    }
    Set<String> names = new LinkedHashSet<>();
    for (Warning w : warnings) {
      names.add(w.rule().ruleName());
    }
    return Optional.of("lint violation found for rules: " + String.join(", ", names));
  }

  private static boolean parseBool(String option, String v) {
    return switch (v) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default ->
          throw new IllegalArgumentException(
              "failed to parse check option \""
                  + option
                  + "\": strconv.ParseBool: parsing \""
                  + v
                  + "\": invalid syntax");
    };
  }

  private static List<String> splitN(String s, char sep, int n) {
    List<String> out = new ArrayList<>();
    int from = 0;
    while (out.size() < n - 1) {
      int i = s.indexOf(sep, from);
      if (i < 0) {
        break;
      }
      out.add(s.substring(from, i));
      from = i + 1;
    }
    out.add(s.substring(from));
    return out;
  }
}
