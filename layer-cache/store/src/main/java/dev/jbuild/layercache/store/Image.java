package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageManifest;
import java.util.Objects;

/**
 * An image in the store: its manifest (descriptor and document) and its config. The image ID is the
 * config digest, as Docker shows it.
 */
public record Image(Descriptor manifestDescriptor, ImageManifest manifest, ImageConfig config) {
  public Image {
    Objects.requireNonNull(manifestDescriptor, "manifestDescriptor");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(config, "config");
  }

  /** The image ID (config digest). */
  public Digest id() {
    return manifest.config().digest();
  }

  public Digest manifestDigest() {
    return manifestDescriptor.digest();
  }

  /** The platform: the index entry's when the image came from an index, else its config's. */
  public dev.jbuild.layercache.model.Platform platform() {
    return manifestDescriptor.platform() != null
        ? manifestDescriptor.platform()
        : config.platform();
  }

  /** Sum of config and layer blob sizes. */
  public long size() {
    return manifest.contentSize();
  }
}
