package dev.jbuild.cli;

import dev.jbuild.builder.attest.Attestations;
import dev.jbuild.builder.publish.Export;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Stack;
import picocli.CommandLine;

/**
 * {@code --attest}, {@code --provenance} and {@code --sbom} as docker buildx reads them: {@code
 * --attest} is a CSV record {@code type=provenance|sbom[,key=value...]}; {@code --provenance} and
 * {@code --sbom} take a boolean (alone: true) or the fields of such a record without its type, and
 * win over an {@code --attest} of their type. buildx's default: a build that pushes or exports an
 * image ({@code --push}, {@code -o type=image|registry|oci}) gets {@code mode=min} provenance
 * unless provenance is set, or {@code BUILDX_NO_DEFAULT_ATTESTATIONS} is true. An unknown type, key
 * or value is a usage error (exit 2).
 */
final class AttestSpecs {
  private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
  private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

  private AttestSpecs() {}

  /**
   * The attestations the options ask for.
   *
   * @param imageOut whether the build pushes or exports an image (buildx's default provenance)
   */
  static Attestations parse(
      List<String> attest,
      String provenance,
      String sbom,
      boolean imageOut,
      Map<String, String> env) {
    Map<String, Map<String, String>> byType = new LinkedHashMap<>();
    for (String a : attest) {
      Map<String, String> f = fields("--attest", a);
      String type = f.remove("type");
      if (type == null) {
        throw usage("--attest", a, "type is required (type=provenance or type=sbom)");
      }
      if (!type.equals("provenance") && !type.equals("sbom")) {
        throw usage("--attest", a, "unsupported type " + type + " (supported: provenance, sbom)");
      }
      byType.put(type, f);
    }
    if (provenance != null) {
      byType.put("provenance", shorthand("--provenance", provenance));
    }
    if (sbom != null) {
      byType.put("sbom", shorthand("--sbom", sbom));
    }
    Optional<Attestations.Mode> mode = Optional.empty();
    Map<String, String> p = byType.get("provenance");
    if (p != null) {
      if (!disabled("--attest type=provenance", p)) {
        String m = p.getOrDefault("mode", "min");
        mode =
            Optional.of(
                switch (m) {
                  case "min" -> Attestations.Mode.MIN;
                  case "max" -> Attestations.Mode.MAX;
                  default ->
                      throw usage("--attest type=provenance", "mode=" + m, "mode is min or max");
                });
        String v = p.getOrDefault("version", "v0.2");
        if (!v.equals("v0.2")) {
          throw usage(
              "--attest type=provenance",
              "version=" + v,
              "jbuild writes SLSA provenance v0.2 only (BuildKit's default)");
        }
      }
      only("--attest type=provenance", p, "mode", "disabled", "version");
    } else if (imageOut && !noDefault(env)) {
      mode = Optional.of(Attestations.Mode.MIN);
    }
    boolean withSbom = false;
    Map<String, String> s = byType.get("sbom");
    if (s != null) {
      if (s.containsKey("generator")) {
        throw usage(
            "--attest type=sbom",
            "generator=" + s.get("generator"),
            "jbuild generates the SBOM itself (no scanner image)");
      }
      only("--attest type=sbom", s, "disabled");
      withSbom = !disabled("--attest type=sbom", s);
    }
    return new Attestations(mode, withSbom);
  }

  /** Whether the build pushes or exports an image, which gets buildx's default provenance. */
  static boolean imageOut(boolean push, List<Export> exports) {
    if (push) {
      return true;
    }
    for (Export e : exports) {
      if (e.type() == Export.Type.IMAGE || e.type() == Export.Type.OCI) {
        return true;
      }
    }
    return false;
  }

  private static boolean noDefault(Map<String, String> env) {
    String v = env.get("BUILDX_NO_DEFAULT_ATTESTATIONS");
    return v != null && TRUE.contains(v);
  }

  private static Map<String, String> shorthand(String option, String value) {
    if (TRUE.contains(value)) {
      return new LinkedHashMap<>();
    }
    if (FALSE.contains(value)) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("disabled", "true");
      return m;
    }
    Map<String, String> f = fields(option, value);
    if (f.containsKey("type")) {
      throw usage(option, value, "type= is not allowed here");
    }
    return f;
  }

  private static boolean disabled(String option, Map<String, String> f) {
    String d = f.get("disabled");
    if (d == null) {
      return false;
    }
    if (TRUE.contains(d)) {
      return true;
    }
    if (FALSE.contains(d)) {
      return false;
    }
    throw usage(option, "disabled=" + d, "disabled is true or false");
  }

  private static void only(String option, Map<String, String> f, String... keys) {
    for (String k : f.keySet()) {
      if (!List.of(keys).contains(k)) {
        throw usage(
            option, k, "unsupported key " + k + " (supported: " + String.join(", ", keys) + ")");
      }
    }
  }

  /** CSV fields {@code key=value} (keys lower-cased, a field may be double-quoted). */
  static Map<String, String> fields(String option, String value) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String field : csv(option, value)) {
      int eq = field.indexOf('=');
      if (eq <= 0) {
        throw usage(option, value, "expected key=value fields, got \"" + field + "\"");
      }
      String k = field.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      if (out.put(k, field.substring(eq + 1)) != null) {
        throw usage(option, value, k + " given twice");
      }
    }
    return out;
  }

  private static List<String> csv(String option, String value) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < value.length() && value.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      throw usage(option, value, "unterminated quote");
    }
    out.add(cur.toString());
    return out;
  }

  private static UserException usage(String option, String value, String why) {
    return new UserException(ExitCodes.USAGE, "invalid " + option + " \"" + value + "\": " + why);
  }

  /**
   * picocli's consumer for {@code --provenance} and {@code --sbom}: as buildx's flags, the option
   * alone means true, and the next argument is its value only when it is one (a boolean, or fields
   * with {@code =}), so {@code --sbom .} leaves the context alone; {@code --sbom=VALUE} always
   * takes VALUE.
   */
  static final class OptionalValue implements CommandLine.IParameterConsumer {
    @Override
    public void consumeParameters(
        Stack<String> args,
        CommandLine.Model.ArgSpec argSpec,
        CommandLine.Model.CommandSpec commandSpec) {
      String value = "true";
      if (!args.isEmpty()) {
        String next = args.peek();
        if (TRUE.contains(next)
            || FALSE.contains(next)
            || (next.contains("=") && !next.startsWith("-"))) {
          value = args.pop();
        }
      }
      argSpec.setValue(value);
    }
  }
}
