package dev.jbuild.serve;

import dev.jbuild.cli.DaemonImages;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;

/**
 * {@code GET /system/df}: the images (as {@code /images/json} lists them) and the layers' total
 * size. Containers and volumes are the container areas'; build cache records are not itemised.
 */
final class SystemDf {
  private SystemDf() {}

  static void serve(ServeContext context, ApiCall call) throws IOException {
    try (Store store = Store.open(context.storeRoot())) {
      JsonArray images = DaemonImages.list(store, null, java.util.List.of(), java.util.List.of());
      long total = 0;
      for (var e : images.elements()) {
        Long s = ((JsonObject) e).longValue("Size");
        total += s == null ? 0 : s;
      }
      call.json(
          200,
          JsonObject.builder()
              .put("LayersSize", total)
              .put("Images", images)
              .put("Containers", JsonArray.EMPTY)
              .put("Volumes", JsonArray.EMPTY)
              .put("BuildCache", JsonArray.EMPTY)
              .build());
    }
  }
}
