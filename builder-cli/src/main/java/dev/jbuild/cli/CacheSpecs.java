package dev.jbuild.cli;

import dev.jbuild.layercache.model.ImageReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code --cache-from}/{@code --cache-to type=registry,ref=R} into the references the
 * engine's {@link dev.jbuild.builder.publish.Publisher} imports from and exports to.
 */
final class CacheSpecs {
  private CacheSpecs() {}

  static List<ImageReference> parse(List<String> values, String option) {
    List<ImageReference> out = new ArrayList<>();
    for (String v : values) {
      Map<String, String> attrs = new LinkedHashMap<>();
      for (String f : v.split(",")) {
        int eq = f.indexOf('=');
        if (eq <= 0) {
          throw new UserException(
              ExitCodes.USAGE, "invalid " + option + " \"" + v + "\": expected key=value fields");
        }
        attrs.put(f.substring(0, eq).trim().toLowerCase(Locale.ROOT), f.substring(eq + 1).trim());
      }
      String type = attrs.getOrDefault("type", "registry");
      if (!type.equals("registry")) {
        throw new UserException(
            ExitCodes.USAGE, option + " type=" + type + " is not supported (only type=registry)");
      }
      String ref = attrs.get("ref");
      if (ref == null) {
        throw new UserException(ExitCodes.USAGE, option + " needs ref=REFERENCE");
      }
      out.add(RegistryCli.parseReference(ref));
    }
    return out;
  }
}
