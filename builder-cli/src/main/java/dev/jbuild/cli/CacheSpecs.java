package dev.jbuild.cli;

import dev.jbuild.builder.BuildResult;
import dev.jbuild.layercache.archive.RegistryCache;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.registry.ConsoleProgress;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.registry.Pusher;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code --cache-from}/{@code --cache-to type=registry,ref=R} and {@code --push}. */
final class CacheSpecs {
  private CacheSpecs() {}

  record Spec(ImageReference ref) {}

  static List<Spec> parse(List<String> values, String option) {
    List<Spec> out = new ArrayList<>();
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
      out.add(new Spec(RegistryCli.parseReference(ref)));
    }
    return out;
  }

  static void importFrom(Store store, Registries registries, Spec spec, PrintWriter err) {
    try {
      int n = new RegistryCache(store, registries, Progress.none()).importFrom(spec.ref());
      err.println("importing cache from " + spec.ref() + ": " + n + " new steps");
    } catch (IOException e) {
      // a missing cache is normal on the first CI run: warn and build
      err.println(
          "jbuild: warning: cannot import cache from " + spec.ref() + ": " + e.getMessage());
    }
  }

  static void exportTo(
      Store store, Registries registries, Spec spec, List<String> keys, PrintWriter err)
      throws IOException {
    Map<String, CacheRecord> records = new LinkedHashMap<>();
    for (String k : keys) {
      Optional<CacheRecord> r = store.cache().get(k);
      r.ifPresent(rec -> records.put(k, rec));
    }
    try {
      var digest =
          new RegistryCache(store, registries, Progress.none())
              .export(records, spec.ref(), PushOptions.defaults());
      err.println("exported " + records.size() + " cached steps to " + spec.ref() + "@" + digest);
    } catch (IOException e) {
      throw RegistryCli.userError(e);
    }
  }

  static void push(
      Store store, Registries registries, BuildResult result, String tag, PrintWriter err) {
    ImageReference target = RegistryCli.parseReference(tag);
    Progress progress = err == null ? Progress.none() : new ConsoleProgress(err, false);
    try {
      var r =
          new Pusher(store, registries, progress)
              .push(
                  result.image().manifestDescriptor().withAnnotations(null),
                  target,
                  PushOptions.defaults());
      if (err != null) {
        err.println("pushed " + target + "@" + r.digest());
      }
    } catch (IOException e) {
      throw RegistryCli.userError(e);
    }
  }
}
