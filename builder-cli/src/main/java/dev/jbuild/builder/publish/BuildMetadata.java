package dev.jbuild.builder.publish;

import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --metadata-file}: the JSON docker buildx writes after a build, with BuildKit's image
 * exporter keys: {@code containerimage.digest} (the manifest's digest, or the index's for a
 * multi-platform image; the pushed one after {@code --push}), {@code containerimage.descriptor}
 * (its media type, digest and size), {@code containerimage.config.digest} (a single image only, as
 * BuildKit) and {@code image.name} (the tags, comma-joined, when there are any). Keys sorted as Go
 * writes a map; the file is replaced whole.
 */
public final class BuildMetadata {
  private BuildMetadata() {}

  /** The document for the image {@code image} (config digest null for an index). */
  public static JsonObject of(Descriptor image, Digest config, List<String> tags) {
    JsonObject.Builder b = JsonObject.builder();
    if (config != null) {
      b.put("containerimage.config.digest", config.toString());
    }
    b.put(
        "containerimage.descriptor",
        JsonObject.builder()
            .put("mediaType", image.mediaType())
            .put("digest", image.digest().toString())
            .put("size", image.size())
            .build());
    b.put("containerimage.digest", image.digest().toString());
    if (!tags.isEmpty()) {
      b.put("image.name", String.join(",", tags));
    }
    return b.build();
  }

  public static void write(Path file, Descriptor image, Digest config, List<String> tags)
      throws IOException {
    byte[] json = (of(image, config, tags).toString() + "\n").getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(file, json, AtomicFiles.Options.DEFAULT.withMode(0666));
  }
}
