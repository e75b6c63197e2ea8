package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.model.Descriptor;
import java.util.Objects;

/**
 * An image to export or an image loaded: its manifest descriptor (as in the store) and the name it
 * goes by ({@code app:1}, {@code docker.io/library/debian:latest}), or null for an untagged image.
 */
public record TaggedImage(String name, Descriptor manifest) {
  public TaggedImage {
    Objects.requireNonNull(manifest, "manifest");
  }
}
