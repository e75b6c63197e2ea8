package dev.jbuild.grammar.checks;

import java.util.regex.Pattern;

/**
 * Whether a string is a reference distribution/reference's ParseNormalizedNamed accepts: {@code
 * [domain[:port]/]path[:tag][@digest]}, lower-case path components, no upper case in the repository
 * name.
 */
final class ImageNames {
  private ImageNames() {}

  private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final String HOST =
      "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
          + "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[[a-fA-F0-9:]+\\])";
  private static final Pattern REFERENCE =
      Pattern.compile(
          "(?:"
              + HOST
              + "(?::[0-9]+)?/)?"
              + COMPONENT
              + "(?:/"
              + COMPONENT
              + ")*"
              + "(?::[\\w][\\w.-]{0,127})?"
              + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");

  static boolean valid(String ref) {
    if (ref.isEmpty() || ref.length() > 4096) {
      return false;
    }
    return REFERENCE.matcher(ref).matches();
  }
}
