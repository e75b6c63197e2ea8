package dev.jbuild.grammar;

import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.OnbuildInstruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code # syntax=} directive. jbuild implements the docker/dockerfile frontend itself and runs
 * no frontend image, so it accepts only {@code [docker.io/]docker/dockerfile[:TAG][@sha256:...]}
 * with TAG {@code 1}, {@code 1.x}, {@code 1.x.y}, each optionally {@code -labs}, or {@code latest}
 * / {@code labs} / none; any other image is an error naming it. {@code --build-arg
 * BUILDKIT_SYNTAX=...} replaces the directive (as in BuildKit) and must be one of those too.
 *
 * <p>Flags that were labs-only before a stable release (BuildKit's reference: COPY/ADD {@code
 * --exclude} stable in 1.19, COPY {@code --parents} and RUN {@code --security} in 1.20) are refused
 * when the directive names an older stable version. No directive, a floating {@code 1} or {@code
 * latest} mean the newest stable syntax, which has them all.
 *
 * @param minor the minor version asked, or -1 for the newest
 * @param labs the labs channel
 */
public record Syntax(String image, int minor, boolean labs) {
  public static final String BUILD_ARG = "BUILDKIT_SYNTAX";

  /** No directive: the newest stable syntax. */
  public static final Syntax DEFAULT = new Syntax("docker/dockerfile:1", -1, false);

  private static final Pattern IMAGE =
      Pattern.compile(
          "(?:docker\\.io/)?docker/dockerfile(?::(latest|labs|1(?:\\.(\\d{1,4})(?:\\.\\d{1,4})?)?(-labs)?))?(?:@sha256:[0-9a-f]{64})?");

  /** The syntax {@code value} asks for, or empty when jbuild does not implement that frontend. */
  public static Optional<Syntax> parse(String value) {
    Matcher m = IMAGE.matcher(value.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    String tag = m.group(1);
    if (tag == null || tag.equals("latest")) {
      return Optional.of(new Syntax(value, -1, false));
    }
    if (tag.equals("labs")) {
      return Optional.of(new Syntax(value, -1, true));
    }
    int minor = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
    return Optional.of(new Syntax(value, minor, m.group(3) != null));
  }

  /**
   * The syntax a build uses: the BUILDKIT_SYNTAX build arg, else the directive, else the default.
   *
   * @throws DockerfileException naming the frontend jbuild cannot run, at the directive
   */
  public static Syntax of(Dockerfile df, Map<String, String> buildArgs) {
    String arg = buildArgs.get(BUILD_ARG);
    Optional<String> directive = df.directives().syntax();
    String value = arg != null ? arg : directive.orElse(null);
    if (value == null) {
      return DEFAULT;
    }
    Optional<Syntax> s = parse(value);
    if (s.isEmpty()) {
      SourceRange at = df.directives().position("syntax", df.fileName());
      throw DockerfileException.at(
          at, Messages.unsupportedSyntax(value, arg != null), "# syntax=" + value);
    }
    return s.get();
  }

  /** Whether a feature stable since docker/dockerfile:1.{@code sinceMinor} is available. */
  public boolean has(int sinceMinor) {
    return labs || minor < 0 || minor >= sinceMinor;
  }

  /**
   * Parses the directive (or build arg) and refuses labs-only flags the syntax asked for does not
   * have.
   *
   * @throws DockerfileException at the directive or the instruction using the flag
   */
  public static Syntax enforce(Dockerfile df, Map<String, String> buildArgs) {
    Syntax s = of(df, buildArgs);
    if (s.labs || s.minor < 0) {
      return s;
    }
    for (Instruction i : df.instructions()) {
      s.check(i);
    }
    return s;
  }

  private void check(Instruction i) {
    if (i instanceof OnbuildInstruction o) {
      check(o.trigger());
    } else if (i instanceof CopyInstruction c) {
      need(c.parents(), "COPY --parents", 20, i);
      need(!c.excludes().isEmpty(), "COPY --exclude", 19, i);
    } else if (i instanceof AddInstruction a) {
      need(!a.excludes().isEmpty(), "ADD --exclude", 19, i);
    } else if (i instanceof RunInstruction r) {
      need(r.security().isPresent(), "RUN --security", 20, i);
    }
  }

  private void need(boolean used, String flag, int sinceMinor, Instruction i) {
    if (used && !has(sinceMinor)) {
      throw DockerfileException.at(i.range(), Messages.labsOnly(flag, sinceMinor, image), i.text());
    }
  }
}
