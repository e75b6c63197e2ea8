package dev.jbuild.cli;

import dev.jbuild.builder.publish.Export;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code build --output} values (buildx's CSV: {@code type=T,key=value,...}, a value may be
 * quoted) and {@code --load} into the engine's {@link Export}s. Every key an exporter does not
 * take, and every value it does not know, is a usage error: nothing is accepted and ignored.
 */
final class Outputs {
  private Outputs() {}

  private static final Set<String> COMPRESSION_KEYS =
      Set.of("compression", "compression-level", "force-compression");

  /** The keys each type takes besides {@code type}. */
  private static final Map<String, Set<String>> KEYS =
      Map.of(
          "local", Set.of("dest", "attestation-prefix"),
          "tar", Set.of("dest", "compression", "compression-level", "attestation-prefix"),
          "oci",
              Set.of(
                  "dest",
                  "name",
                  "compression",
                  "compression-level",
                  "force-compression",
                  "oci-mediatypes",
                  "rewrite-timestamp"),
          "docker", Set.of("dest", "name", "platform", "compression", "rewrite-timestamp"),
          "image",
              Set.of(
                  "name",
                  "push",
                  "compression",
                  "compression-level",
                  "force-compression",
                  "oci-mediatypes",
                  "rewrite-timestamp"),
          "cacheonly", Set.of());

  static List<Export> parse(List<String> values) {
    List<Export> out = new ArrayList<>();
    for (String v : values) {
      out.add(parseOne(v));
    }
    return out;
  }

  /**
   * The outputs of a build with {@code --load} added (a docker output into the daemon), checked
   * together: at most one writes to stdout, and then {@code -q} (which prints the ID there) is
   * refused; an image output that pushes needs a name ({@code name=} or {@code -t}).
   */
  static List<Export> check(
      List<Export> exports, boolean load, List<String> tags, boolean quiet, boolean epoch) {
    List<Export> all = new ArrayList<>(exports);
    if (load) {
      all.add(new Export(Export.Type.DOCKER, "", Map.of()));
    }
    long toStdout = all.stream().filter(Export::toStdout).count();
    if (toStdout > 1) {
      throw usage("only one --output can write to stdout (dest=-)");
    }
    if (toStdout == 1 && quiet) {
      throw usage("-q prints the image ID on stdout: it cannot be used with --output dest=-");
    }
    for (Export e : all) {
      String names = e.attrs().get("name");
      if (names != null) {
        for (String n : names.split(",", -1)) {
          if (n.isBlank() || (e.type() != Export.Type.IMAGE && names.contains(","))) {
            throw usage("--output name=" + names + ": expected one name (image: a comma list)");
          }
          RegistryCli.parseReference(n.strip());
        }
      }
      if (e.type() == Export.Type.IMAGE
          && "true".equals(e.attrs().get("push"))
          && !e.attrs().containsKey("name")
          && tags.isEmpty()) {
        throw usage("--output type=registry (or push=true) needs name=REF or -t NAME");
      }
      if ("true".equals(e.attrs().get("rewrite-timestamp")) && !epoch) {
        throw usage(
            "--output rewrite-timestamp=true needs SOURCE_DATE_EPOCH (--build-arg or environment):"
                + " jbuild clamps the timestamps of the layers it writes to it");
      }
    }
    return all;
  }

  private static Export parseOne(String v) {
    if (!v.contains("=")) {
      if (v.isEmpty()) {
        throw usage("invalid --output \"\": expected PATH or type=TYPE,...");
      }
      return new Export(v.equals("-") ? Export.Type.TAR : Export.Type.LOCAL, v, Map.of());
    }
    Map<String, String> attrs = new LinkedHashMap<>();
    for (String f : fields(v)) {
      int eq = f.indexOf('=');
      if (eq <= 0) {
        throw usage("invalid --output \"" + v + "\": expected key=value fields, got \"" + f + "\"");
      }
      String key = f.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      if (attrs.put(key, f.substring(eq + 1).trim()) != null) {
        throw usage("invalid --output \"" + v + "\": " + key + " given twice");
      }
    }
    String type = attrs.remove("type");
    if (type == null) {
      throw usage("invalid --output \"" + v + "\": type is required");
    }
    if (type.equals("registry")) {
      String push = attrs.put("push", "true");
      if (push != null && !push.equals("true")) {
        throw usage("--output type=registry always pushes: push=" + push + " contradicts it");
      }
      type = "image";
    }
    Set<String> allowed = KEYS.get(type);
    if (allowed == null) {
      throw usage(
          "invalid --output type \""
              + type
              + "\": expected local, tar, oci, docker, image, registry or cacheonly");
    }
    for (String key : attrs.keySet()) {
      if (!allowed.contains(key) && !(key.equals("push") && type.equals("image"))) {
        throw usage(
            "--output type="
                + type
                + " does not take "
                + key
                + "= (it takes "
                + (allowed.isEmpty() ? "nothing" : String.join(", ", sorted(allowed)))
                + ")");
      }
    }
    String dest = attrs.remove("dest");
    switch (type) {
      case "local", "tar", "oci" -> {
        if (dest == null || dest.isEmpty()) {
          throw usage("--output type=" + type + " needs dest=PATH (or dest=- for stdout)");
        }
        if (type.equals("local") && dest.equals("-")) {
          throw usage("--output type=local needs a directory, not -");
        }
      }
      case "docker" -> {
        if (dest != null && dest.isEmpty()) {
          throw usage("--output type=docker: dest= is empty");
        }
        // no dest: loaded into the docker daemon, as buildx's docker exporter
      }
      default -> {}
    }
    checkValues(type, attrs);
    return new Export(
        Export.Type.valueOf(type.toUpperCase(Locale.ROOT)), dest == null ? "" : dest, attrs);
  }

  private static void checkValues(String type, Map<String, String> attrs) {
    for (String b : List.of("push", "force-compression", "oci-mediatypes", "rewrite-timestamp")) {
      String val = attrs.get(b);
      if (val != null && !val.equals("true") && !val.equals("false")) {
        throw usage("--output " + b + "=" + val + ": expected true or false");
      }
    }
    String c = attrs.get("compression");
    if (c != null && !Set.of("gzip", "zstd", "uncompressed").contains(c)) {
      throw usage("--output compression=" + c + ": expected gzip, zstd or uncompressed");
    }
    if (type.equals("docker") && c != null && !c.equals("uncompressed")) {
      throw usage(
          "--output type=docker writes docker load's archive, whose layers are uncompressed:"
              + " compression="
              + c
              + " is not supported (use type=oci)");
    }
    if (type.equals("oci") && "false".equals(attrs.get("oci-mediatypes"))) {
      throw usage("--output type=oci writes an OCI layout: oci-mediatypes=false is not supported");
    }
    String level = attrs.get("compression-level");
    if (level != null) {
      String algo = c == null ? (type.equals("tar") ? null : "gzip") : c;
      if (algo == null || algo.equals("uncompressed")) {
        throw usage("--output compression-level=" + level + " needs compression=gzip|zstd");
      }
      int max = algo.equals("gzip") ? 9 : 22;
      int n;
      try {
        n = Integer.parseInt(level);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0 || n > max) {
        throw usage(
            "--output compression-level=" + level + ": expected 0 to " + max + " for " + algo);
      }
    }
    if (attrs.keySet().stream().anyMatch(COMPRESSION_KEYS::contains)
        && "true".equals(attrs.get("force-compression"))
        && c == null) {
      // force-compression alone forces buildx's default, gzip
      attrs.put("compression", "gzip");
    }
  }

  /** buildx's CSV fields: comma-separated, a field or value may be double-quoted. */
  static List<String> fields(String v) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch == '"') {
        if (quoted && i + 1 < v.length() && v.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (ch == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    if (quoted) {
      throw usage("invalid --output \"" + v + "\": unterminated quote");
    }
    out.add(cur.toString());
    return out;
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }

  private static UserException usage(String message) {
    return new UserException(ExitCodes.USAGE, message);
  }
}
