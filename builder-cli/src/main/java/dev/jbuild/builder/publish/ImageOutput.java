package dev.jbuild.builder.publish;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.registry.ConsoleProgress;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.registry.Pusher;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code -o type=image} and {@code -o type=registry} (image with {@code push=true}), as buildx's
 * image exporter: the image is named in the store under {@code name=} (comma-separated names; else
 * the {@code -t} names), with its layers compressed as {@code compression=} says when an output
 * field asks for it ({@link LayerCompression}), and pushed to each name when {@code push=true}.
 */
final class ImageOutput {
  private ImageOutput() {}

  static void write(
      Store store,
      Registries registries,
      PrintWriter log,
      Descriptor target,
      List<String> tags,
      Export spec,
      boolean quiet)
      throws IOException, PublishFailure {
    List<String> names = new ArrayList<>();
    String name = spec.attrs().get("name");
    if (name != null) {
      for (String n : name.split(",")) {
        if (!n.isBlank()) {
          names.add(n.strip());
        }
      }
    } else {
      names.addAll(tags);
    }
    boolean rewrite =
        spec.attrs().containsKey("compression")
            || spec.attrs().containsKey("force-compression")
            || spec.attrs().containsKey("oci-mediatypes");
    LayerCompression compression = LayerCompression.of(spec.attrs(), Compression.GZIP);
    Descriptor image = rewrite ? compression.apply(store, target.withAnnotations(null)) : target;
    for (String n : names) {
      if (rewrite || !tags.contains(n)) {
        store.images().tag(n, image.withAnnotations(null));
      }
    }
    if (!"true".equals(spec.attrs().get("push"))) {
      return;
    }
    PushOptions options = PushOptions.defaults();
    if (spec.attrs().containsKey("compression")) {
      options = options.withCompression(compression.compression()).withLevel(compression.level());
    }
    Progress progress = quiet ? Progress.none() : new ConsoleProgress(log, false);
    for (String n : names) {
      ImageReference ref = ImageReference.parse(n);
      try {
        var r =
            new Pusher(store, registries, progress).push(image.withAnnotations(null), ref, options);
        if (!quiet) {
          log.println("pushed " + ref + "@" + r.digest());
        }
      } catch (IOException e) {
        throw new PublishFailure(e);
      }
    }
  }
}
