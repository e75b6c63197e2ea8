package dev.jbuild.cli;

import picocli.CommandLine.Option;

/**
 * {@code --call} and {@code --check} of {@code jbuild build} (buildx's): evaluate the Dockerfile
 * instead of building it. Values as buildx's ParseCallFunc: a name ({@code build}, {@code check}
 * (alias {@code lint}), {@code outline}, {@code targets}) and optional {@code format=json|text},
 * {@code ignorestatus=true} fields, comma-separated.
 */
public final class CallOptions {
  @Option(
      names = "--call",
      paramLabel = "build|check|outline|targets[,format=json]",
      defaultValue = "build",
      description =
          "Evaluate the Dockerfile instead of building (buildx's): check = the build checks (exit 1"
              + " on a violation), outline = the target's build args, secrets and SSH, targets ="
              + " the stages; format=json prints buildx's JSON (default: ${DEFAULT-VALUE}).")
  String call;

  @Option(names = "--check", description = "Shorthand for --call=check: run the build checks only.")
  boolean check;

  /**
   * What was asked.
   *
   * @param name check, outline or targets
   * @param json format=json
   * @param ignoreStatus ignorestatus=true: exit 0 even with violations
   */
  record CallFunc(String name, boolean json, boolean ignoreStatus) {}

  /** The function asked, or null for an ordinary build. */
  CallFunc parse() {
    String value = check ? "check" : call;
    String name = null;
    boolean json = false;
    boolean ignore = false;
    for (String field : value.split(",", -1)) {
      String f = field.strip();
      int eq = f.indexOf('=');
      if (eq >= 0) {
        String k = f.substring(0, eq);
        String v = f.substring(eq + 1);
        switch (k) {
          case "format" -> {
            if (!v.equals("json") && !v.equals("text") && !v.isEmpty()) {
              throw bad(value, "format must be json or text");
            }
            json = v.equals("json");
          }
          case "ignorestatus" -> ignore = parseBool(value, v);
          default -> throw new UserException(ExitCodes.USAGE, "invalid print field: " + f);
        }
      } else {
        if (name != null) {
          throw new UserException(ExitCodes.USAGE, "invalid print value: " + value);
        }
        name = f;
      }
    }
    if (name == null || name.equals("build")) {
      return null;
    }
    if (name.equals("lint")) {
      name = "check";
    }
    if (!name.equals("check") && !name.equals("outline") && !name.equals("targets")) {
      throw bad(value, "expected build, check, outline or targets");
    }
    return new CallFunc(name, json, ignore);
  }

  private static boolean parseBool(String value, String v) {
    return switch (v) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False" -> false;
      default -> throw bad(value, "invalid ignorestatus print value: " + v);
    };
  }

  private static UserException bad(String value, String why) {
    return new UserException(ExitCodes.USAGE, "invalid --call \"" + value + "\": " + why);
  }
}
