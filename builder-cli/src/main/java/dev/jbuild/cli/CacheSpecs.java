package dev.jbuild.cli;

import dev.jbuild.builder.publish.CacheExport;
import dev.jbuild.builder.publish.CacheImport;
import dev.jbuild.layercache.compress.Compression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code --cache-from} and {@code --cache-to} as docker buildx does: a value is a CSV record
 * (a field may be double-quoted); when no field has a {@code =}, each field is a registry reference
 * ({@code type=registry,ref=FIELD}), else the fields are {@code key=value} (keys case-insensitive)
 * with a required {@code type}. Every key and value jbuild does not support is a usage error (exit
 * 2), never ignored.
 */
final class CacheSpecs {
  private static final Set<String> BOOLEAN_TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
  private static final Set<String> BOOLEAN_FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

  private CacheSpecs() {}

  /** {@code --cache-from} values. */
  static List<CacheImport> imports(List<String> values) {
    if (values.isEmpty()) {
      return List.of(); // no class of the parser loaded for a build without caches
    }
    List<CacheImport> out = new ArrayList<>();
    for (Spec s : Spec.parseAll("--cache-from", values)) {
      out.add(
          switch (s.type) {
            case "registry" -> {
              s.only("ref");
              yield new CacheImport.Registry(RegistryCli.parseReference(s.required("ref")));
            }
            case "local" -> {
              s.only("src");
              yield new CacheImport.Local(Path.of(s.required("src")));
            }
            default -> throw s.unsupportedType("registry, local");
          });
    }
    return out;
  }

  /** {@code --cache-to} values. */
  static List<CacheExport> exports(List<String> values) {
    if (values.isEmpty()) {
      return List.of();
    }
    List<CacheExport> out = new ArrayList<>();
    for (Spec s : Spec.parseAll("--cache-to", values)) {
      out.add(
          switch (s.type) {
            case "registry" -> {
              s.only(
                  "ref",
                  "mode",
                  "image-manifest",
                  "oci-mediatypes",
                  "compression",
                  "compression-level",
                  "ignore-error");
              boolean imageManifest = s.bool("image-manifest", true);
              boolean oci = s.bool("oci-mediatypes", true);
              if (imageManifest && !oci) {
                throw s.invalid("image-manifest=true needs oci-mediatypes=true");
              }
              yield new CacheExport.Registry(
                  RegistryCli.parseReference(s.required("ref")),
                  s.mode(),
                  imageManifest,
                  oci,
                  s.layers(),
                  s.bool("ignore-error", false));
            }
            case "local" -> {
              s.only(
                  "dest",
                  "mode",
                  "image-manifest",
                  "oci-mediatypes",
                  "compression",
                  "compression-level",
                  "ignore-error");
              if (!s.bool("oci-mediatypes", true)) {
                throw s.invalid("an OCI layout holds OCI media types only (oci-mediatypes=false)");
              }
              yield new CacheExport.Local(
                  Path.of(s.required("dest")),
                  s.mode(),
                  s.bool("image-manifest", true),
                  s.layers(),
                  s.bool("ignore-error", false));
            }
            case "inline" -> {
              s.only();
              yield new CacheExport.Inline();
            }
            default -> throw s.unsupportedType("registry, inline, local");
          });
    }
    return out;
  }

  /** One option value: its type and its other fields. */
  private static final class Spec {
    final String option;
    final String value;
    final String type;
    final Map<String, String> attrs;

    private Spec(String option, String value, String type, Map<String, String> attrs) {
      this.option = option;
      this.value = value;
      this.type = type;
      this.attrs = attrs;
    }

    /**
     * Every value's entries: a value whose CSV fields have no {@code =} is one registry reference
     * per field (buildx's "ref only" form), else one entry.
     */
    static List<Spec> parseAll(String option, List<String> values) {
      List<Spec> out = new ArrayList<>();
      for (String value : values) {
        List<String> fields = fields(option, value);
        if (fields.stream().noneMatch(f -> f.contains("="))) {
          for (String ref : fields) {
            if (ref.isBlank()) {
              throw new UserException(
                  ExitCodes.USAGE, "invalid " + option + " \"" + value + "\": empty reference");
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("ref", ref);
            out.add(new Spec(option, value, "registry", attrs));
          }
        } else {
          out.add(parse(option, value, fields));
        }
      }
      return out;
    }

    private static Spec parse(String option, String value, List<String> fields) {
      Map<String, String> attrs = new LinkedHashMap<>();
      String type = null;
      for (String f : fields) {
        int eq = f.indexOf('=');
        if (eq <= 0) {
          throw new UserException(
              ExitCodes.USAGE,
              "invalid " + option + " \"" + value + "\": field \"" + f + "\" is not key=value");
        }
        String key = f.substring(0, eq).strip().toLowerCase(Locale.ROOT);
        String v = f.substring(eq + 1);
        if (key.equals("type")) {
          type = v;
        } else if (attrs.put(key, v) != null) {
          throw new UserException(
              ExitCodes.USAGE, "invalid " + option + " \"" + value + "\": " + key + " given twice");
        }
      }
      if (type == null || type.isEmpty()) {
        throw new UserException(
            ExitCodes.USAGE, "invalid " + option + " \"" + value + "\": type required");
      }
      return new Spec(option, value, type, attrs);
    }

    /** The fields of a CSV record (Go's encoding/csv: a field may be quoted, "" is a quote). */
    static List<String> fields(String option, String value) {
      List<String> out = new ArrayList<>();
      StringBuilder f = new StringBuilder();
      int i = 0;
      int n = value.length();
      while (true) {
        f.setLength(0);
        if (i < n && value.charAt(i) == '"') {
          i++;
          while (true) {
            if (i >= n) {
              throw new UserException(
                  ExitCodes.USAGE, "invalid " + option + " \"" + value + "\": unterminated quote");
            }
            char c = value.charAt(i++);
            if (c == '"') {
              if (i < n && value.charAt(i) == '"') {
                f.append('"');
                i++;
              } else {
                break;
              }
            } else {
              f.append(c);
            }
          }
          if (i < n && value.charAt(i) != ',') {
            throw new UserException(
                ExitCodes.USAGE,
                "invalid " + option + " \"" + value + "\": extraneous text after a quoted field");
          }
        } else {
          while (i < n && value.charAt(i) != ',') {
            f.append(value.charAt(i++));
          }
        }
        out.add(f.toString());
        if (i >= n) {
          return out;
        }
        i++; // the comma
      }
    }

    UserException invalid(String detail) {
      return new UserException(
          ExitCodes.USAGE, "invalid " + option + " \"" + value + "\": " + detail);
    }

    UserException unsupportedType(String supported) {
      return new UserException(
          ExitCodes.USAGE,
          option + " type=" + type + " is not supported (supported: " + supported + ")");
    }

    /** Refuses any key but {@code allowed}. */
    void only(String... allowed) {
      Set<String> ok = Set.of(allowed);
      for (String k : attrs.keySet()) {
        if (!ok.contains(k)) {
          throw new UserException(
              ExitCodes.USAGE,
              option
                  + " type="
                  + type
                  + ": unsupported key \""
                  + k
                  + "\""
                  + (allowed.length == 0
                      ? " (it takes none)"
                      : " (supported: " + String.join(", ", allowed) + ")"));
        }
      }
    }

    String required(String key) {
      String v = attrs.get(key);
      if (v == null || v.isEmpty()) {
        throw new UserException(ExitCodes.USAGE, option + " type=" + type + " needs " + key + "=");
      }
      return v;
    }

    /** A boolean as Go's strconv.ParseBool reads it. */
    boolean bool(String key, boolean dflt) {
      String v = attrs.get(key);
      if (v == null) {
        return dflt;
      }
      if (BOOLEAN_TRUE.contains(v)) {
        return true;
      }
      if (BOOLEAN_FALSE.contains(v)) {
        return false;
      }
      throw invalid(key + "=" + v + " is not a boolean (true or false)");
    }

    CacheExport.Mode mode() {
      String v = attrs.getOrDefault("mode", "min");
      return switch (v) {
        case "min" -> CacheExport.Mode.MIN;
        case "max" -> CacheExport.Mode.MAX;
        default -> throw invalid("mode=" + v + " is not supported (min or max)");
      };
    }

    CacheExport.Layers layers() {
      String c = attrs.getOrDefault("compression", "gzip");
      Compression compression =
          switch (c) {
            case "gzip" -> Compression.GZIP;
            case "zstd" -> Compression.ZSTD;
            case "uncompressed" -> Compression.NONE;
            default ->
                throw invalid("compression=" + c + " is not supported (gzip, zstd, uncompressed)");
          };
      String l = attrs.get("compression-level");
      if (l == null) {
        return new CacheExport.Layers(compression, -1);
      }
      int max = compression == Compression.ZSTD ? 22 : 9;
      int level;
      try {
        level = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        throw invalid("compression-level=" + l + " is not a number");
      }
      if (compression == Compression.NONE) {
        throw invalid("compression-level needs compression=gzip or zstd");
      }
      if (level < 0 || level > max) {
        throw invalid("compression-level=" + l + " is out of range for " + c + " (0-" + max + ")");
      }
      return new CacheExport.Layers(compression, level);
    }
  }
}
