package dev.jbuild.builder.exec;

import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.NamedContext;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.layercache.archive.OciLayoutDir;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * The image of a {@code --build-context NAME=oci-layout://DIR[:TAG][@DIGEST]}: picked in the
 * layout's index.json as buildx picks it (by digest, else by tag, else the only entry), resolved to
 * the stage's platform when it is an index, and copied into the store (config and layers verified,
 * the manifest with its own bytes). Its key is its manifest digest, as a pulled base's.
 */
public final class OciLayoutImages {
  private final Store store;

  public OciLayoutImages(Store store) {
    this.store = store;
  }

  public BaseImage load(String name, NamedContext.OciLayout layout, Platform platform)
      throws IOException, StepFailure {
    try (OciLayoutDir dir = OciLayoutDir.open(layout.dir())) {
      Descriptor top;
      if (layout.digest() != null) {
        top = dir.describe(layout.digest());
      } else {
        java.util.Optional<Descriptor> tagged = dir.find(layout.tag());
        if (tagged.isEmpty()) {
          List<String> tags = dir.tags();
          throw BuildErrors.ociLayoutContext(
              name,
              layout,
              layout.dir()
                  + "/index.json names no image tagged "
                  + layout.tag()
                  + (tags.isEmpty() ? "" : " (it has: " + String.join(", ", tags) + ")"));
        }
        top = tagged.get();
      }
      Descriptor manifest = dir.importImage(store, top, platform);
      return StoreImages.load(store, manifest, platform);
    } catch (NoSuchFileException e) {
      throw BuildErrors.ociLayoutContext(
          name,
          layout,
          e.getFile() + (e.getReason() == null ? " does not exist" : ": " + e.getReason()));
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      String own = "oci-layout " + layout.dir() + ": ";
      throw BuildErrors.ociLayoutContext(
          name, layout, m.startsWith(own) ? m.substring(own.length()) : m);
    }
  }
}
