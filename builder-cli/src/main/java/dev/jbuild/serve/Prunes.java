package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.PruneOptions;
import dev.jbuild.layercache.store.PruneReport;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /images/prune} and {@code POST /build/prune}: the store's garbage collection, as
 * {@code jbuild prune} runs it (under the store's exclusive lock: it waits for running builds). The
 * store's collection always drops dangling images and unreachable blobs; image prune keeps every
 * build cache record, build prune drops the records (all of them with {@code all}, else those
 * unused for 7 days, or {@code filters={"until":["24h"]}}).
 */
final class Prunes {
  private Prunes() {}

  static void images(ServeContext context, ApiCall call) throws IOException, ApiException {
    Filters f = Filters.parse(call.query("filters"));
    f.allowOnly("dangling");
    for (String v : f.values("dangling")) {
      if (v.equalsIgnoreCase("false") || v.equals("0")) {
        throw ApiException.notImplemented(
            "pruning images that have names (dangling=false, image prune -a) is not supported:"
                + " remove them by name");
      }
    }
    PruneReport r =
        prune(context, PruneOptions.defaults().withKeepCache(Duration.ofDays(365 * 100)), false);
    List<Json> deleted = new ArrayList<>();
    for (Descriptor d : r.removedImages()) {
      deleted.add(JsonObject.builder().put("Deleted", d.digest().toString()).build());
      context.events().publish("image", "delete", d.digest().toString(), Map.of());
    }
    call.json(
        200,
        JsonObject.builder()
            .put("ImagesDeleted", deleted.isEmpty() ? JsonNull.INSTANCE : new JsonArray(deleted))
            .put("SpaceReclaimed", r.totalBytes())
            .build());
  }

  static void buildCache(ServeContext context, ApiCall call) throws IOException, ApiException {
    Filters f = Filters.parse(call.query("filters"));
    f.allowOnly("until");
    String keepStorage = call.query("keep-storage");
    if (keepStorage != null && !keepStorage.isEmpty() && !keepStorage.equals("0")) {
      throw ApiException.notImplemented(
          "keep-storage is not supported: use filters until=DURATION");
    }
    PruneOptions options = PruneOptions.defaults().withAllCache(call.flag("all"));
    for (String until : f.values("until")) {
      try {
        options = options.withKeepCache(goDuration(until));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("invalid until filter: " + until);
      }
    }
    PruneReport r = prune(context, options, call.flag("all"));
    List<Json> deleted = new ArrayList<>();
    r.removedCacheKeys().forEach(k -> deleted.add(new JsonString(k)));
    call.json(
        200,
        JsonObject.builder()
            .put("CachesDeleted", deleted.isEmpty() ? JsonNull.INSTANCE : new JsonArray(deleted))
            .put("SpaceReclaimed", r.totalBytes())
            .build());
  }

  /** Go's durations as docker's filters give them: {@code 24h}, {@code 30m}, {@code 1h30m}. */
  static Duration goDuration(String s) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(h|m|s|ms)").matcher(s);
    Duration d = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        throw new IllegalArgumentException(s);
      }
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
              });
      end = m.end();
    }
    if (end != s.length() || end == 0) {
      throw new IllegalArgumentException(s);
    }
    return d;
  }

  private static PruneReport prune(ServeContext context, PruneOptions options, boolean all)
      throws IOException {
    try (Store store = Store.open(context.storeRoot());
        var _ = store.lockExclusive()) {
      PruneReport r = store.gc().prune(options);
      dev.jbuild.builder.cache.MissExplainer.prune(store);
      dev.jbuild.builder.copy.TreeIndexes.prune(store);
      if (all) {
        new dev.jbuild.builder.run.CacheMounts(store.root()).removeAll();
      }
      return r;
    }
  }
}
