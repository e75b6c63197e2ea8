package dev.jbuild.builder.publish;

import java.util.Map;
import java.util.Objects;

/**
 * One {@code --output}, as buildx's exporters of those names: the image as an OCI or docker-archive
 * tar ({@code oci}, {@code docker}; a {@code docker} output without a destination is {@code
 * --load}: the archive goes to the docker daemon), its filesystem as a directory ({@code local}) or
 * a tar ({@code tar}), the image named in the store and pushed ({@code image}, {@code registry} =
 * image with {@code push=true}), or nothing but the cache ({@code cacheonly}).
 *
 * @param type the exporter
 * @param dest where it goes; "-" is stdout (tar types only); empty for image, registry, cacheonly
 *     and a docker output loaded into the daemon
 * @param attrs the other fields, checked by the CLI ({@code name}, {@code compression}, {@code
 *     compression-level}, {@code force-compression}, {@code oci-mediatypes}, {@code push}, {@code
 *     platform}, {@code rewrite-timestamp})
 */
public record Export(Type type, String dest, Map<String, String> attrs) {
  /** The exporters. */
  public enum Type {
    OCI,
    DOCKER,
    LOCAL,
    TAR,
    IMAGE,
    CACHEONLY
  }

  /** The prefix of the output fields that carry {@code index-descriptor} annotations. */
  public static final String INDEX_DESCRIPTOR_PREFIX = "annotation-index-descriptor.";

  public Export {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(dest, "dest");
    attrs = Map.copyOf(attrs);
  }

  /** {@code --load}: a docker archive sent to the docker daemon. */
  public boolean loadsIntoDocker() {
    return type == Type.DOCKER && dest.isEmpty();
  }

  /** Whether the output's bytes go to stdout. */
  public boolean toStdout() {
    return dest.equals("-");
  }
}
