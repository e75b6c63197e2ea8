package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;

/** A pull as most tests make one: default options, no progress output. */
final class Pulls {
  private Pulls() {}

  /** Pulls {@code ref} for {@code platform} ({@code os/arch}) into {@code store}. */
  static Descriptor pull(Store store, Registries registries, String ref, String platform)
      throws IOException {
    return new Puller(store, registries, Progress.none())
        .pull(ImageReference.parse(ref), Platform.parse(platform), PullOptions.defaults());
  }
}
