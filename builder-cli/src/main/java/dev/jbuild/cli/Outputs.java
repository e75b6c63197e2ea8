package dev.jbuild.cli;

import dev.jbuild.builder.publish.Export;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code build --output} values into the engine's {@link Export}s (which write them): the
 * image as an OCI or docker-archive tar, or its filesystem as a directory (type=local) or a tar
 * (type=tar), as buildx's exporters of those names.
 */
final class Outputs {
  private Outputs() {}

  static List<Export> parse(List<String> values) {
    List<Export> out = new ArrayList<>();
    for (String v : values) {
      if (!v.contains("=")) {
        out.add(new Export(Export.Type.LOCAL, v, Map.of()));
        continue;
      }
      Map<String, String> attrs = new LinkedHashMap<>();
      for (String f : v.split(",")) {
        int eq = f.indexOf('=');
        if (eq <= 0) {
          throw new UserException(
              ExitCodes.USAGE, "invalid --output \"" + v + "\": expected key=value fields");
        }
        attrs.put(f.substring(0, eq).trim().toLowerCase(Locale.ROOT), f.substring(eq + 1).trim());
      }
      String type = attrs.remove("type");
      String dest = attrs.remove("dest");
      if (type == null) {
        throw new UserException(
            ExitCodes.USAGE, "invalid --output \"" + v + "\": type is required");
      }
      switch (type) {
        case "oci", "docker", "local", "tar" -> {}
        case "image", "registry" -> {
          throw new UserException(
              ExitCodes.USAGE,
              "--output type=" + type + ": the image always goes to the store; use -t and --push");
        }
        default ->
            throw new UserException(
                ExitCodes.USAGE,
                "invalid --output type \"" + type + "\": expected oci, docker, local or tar");
      }
      if (dest == null || dest.isEmpty()) {
        throw new UserException(ExitCodes.USAGE, "--output type=" + type + " needs dest=PATH");
      }
      if (type.equals("local") && dest.equals("-")) {
        throw new UserException(ExitCodes.USAGE, "--output type=local needs a directory, not -");
      }
      out.add(new Export(Export.Type.valueOf(type.toUpperCase(Locale.ROOT)), dest, attrs));
    }
    return out;
  }
}
