package dev.jbuild.builder.publish;

import java.util.Map;
import java.util.Objects;

/**
 * One {@code --output}: the image as an OCI or docker-archive tar ({@code oci}, {@code docker}), or
 * its filesystem as a directory ({@code local}) or a tar ({@code tar}), as buildx's exporters of
 * those names.
 *
 * @param type oci, docker, local or tar
 * @param dest where it goes; "-" is stdout (tar types only)
 * @param attrs the other fields ({@code name} names the image in an archive)
 */
public record Export(Type type, String dest, Map<String, String> attrs) {
  /** The exporters. */
  public enum Type {
    OCI,
    DOCKER,
    LOCAL,
    TAR
  }

  public Export {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(dest, "dest");
    attrs = Map.copyOf(attrs);
  }
}
