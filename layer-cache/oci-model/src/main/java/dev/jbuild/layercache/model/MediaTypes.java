package dev.jbuild.layercache.model;

import java.util.Map;

/** OCI and Docker media types, and conversions between the two families. */
public final class MediaTypes {
  private MediaTypes() {}

  public static final String OCI_LAYOUT_VERSION = "1.0.0";

  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  public static final String OCI_LAYER_NONDIST =
      "application/vnd.oci.image.layer.nondistributable.v1.tar";
  public static final String OCI_LAYER_NONDIST_GZIP =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
  public static final String OCI_LAYER_NONDIST_ZSTD =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_MANIFEST_V1 =
      "application/vnd.docker.distribution.manifest.v1+json";
  public static final String DOCKER_MANIFEST_V1_SIGNED =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
  public static final String DOCKER_LAYER_GZIP =
      "application/vnd.docker.image.rootfs.diff.tar.gzip";
  public static final String DOCKER_LAYER_ZSTD =
      "application/vnd.docker.image.rootfs.diff.tar.zstd";
  public static final String DOCKER_LAYER_FOREIGN =
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

  /** The annotation that names a tag in an OCI layout's index.json. */
  public static final String ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";

  /** containerd's annotation carrying the full normalised image name. */
  public static final String ANNOTATION_CONTAINERD_NAME = "io.containerd.image.name";

  public static final String ANNOTATION_CREATED = "org.opencontainers.image.created";

  /** Layer compression as told by a media type. */
  public enum LayerCompression {
    NONE,
    GZIP,
    ZSTD
  }

  private static final Map<String, String> DOCKER_TO_OCI =
      Map.of(
          DOCKER_MANIFEST, OCI_MANIFEST,
          DOCKER_MANIFEST_LIST, OCI_INDEX,
          DOCKER_CONFIG, OCI_CONFIG,
          DOCKER_LAYER, OCI_LAYER,
          DOCKER_LAYER_GZIP, OCI_LAYER_GZIP,
          DOCKER_LAYER_ZSTD, OCI_LAYER_ZSTD,
          DOCKER_LAYER_FOREIGN, OCI_LAYER_NONDIST_GZIP);

  private static final Map<String, String> OCI_TO_DOCKER =
      Map.of(
          OCI_MANIFEST, DOCKER_MANIFEST,
          OCI_INDEX, DOCKER_MANIFEST_LIST,
          OCI_CONFIG, DOCKER_CONFIG,
          OCI_LAYER, DOCKER_LAYER,
          OCI_LAYER_GZIP, DOCKER_LAYER_GZIP,
          OCI_LAYER_ZSTD, DOCKER_LAYER_ZSTD,
          OCI_LAYER_NONDIST_GZIP, DOCKER_LAYER_FOREIGN);

  /** An image manifest (OCI or Docker schema 2). */
  public static boolean isManifest(String mediaType) {
    return OCI_MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
  }

  /** An index / manifest list. */
  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
  }

  /** Docker's legacy schema 1 (not supported, but recognised for a clear error). */
  public static boolean isSchema1(String mediaType) {
    return DOCKER_MANIFEST_V1.equals(mediaType) || DOCKER_MANIFEST_V1_SIGNED.equals(mediaType);
  }

  public static boolean isConfig(String mediaType) {
    return OCI_CONFIG.equals(mediaType) || DOCKER_CONFIG.equals(mediaType);
  }

  /** Any layer type, OCI or Docker, distributable or not. */
  public static boolean isLayer(String mediaType) {
    return mediaType != null
        && (mediaType.startsWith("application/vnd.oci.image.layer.")
            || mediaType.startsWith("application/vnd.docker.image.rootfs."));
  }

  /** Non-distributable ("foreign") layers, which pushes skip. */
  public static boolean isNonDistributable(String mediaType) {
    return mediaType != null
        && (mediaType.startsWith(OCI_LAYER_NONDIST) || mediaType.equals(DOCKER_LAYER_FOREIGN));
  }

  /** The compression of a layer media type; throws for a type that is not a layer. */
  public static LayerCompression layerCompression(String mediaType) {
    if (!isLayer(mediaType)) {
      throw new IllegalArgumentException("not a layer media type: " + mediaType);
    }
    if (mediaType.endsWith("+gzip") || mediaType.endsWith(".gzip")) {
      return LayerCompression.GZIP;
    }
    if (mediaType.endsWith("+zstd") || mediaType.endsWith(".zstd")) {
      return LayerCompression.ZSTD;
    }
    return LayerCompression.NONE;
  }

  /** The OCI layer type for a compression. */
  public static String ociLayer(LayerCompression compression) {
    return switch (compression) {
      case NONE -> OCI_LAYER;
      case GZIP -> OCI_LAYER_GZIP;
      case ZSTD -> OCI_LAYER_ZSTD;
    };
  }

  /** The Docker layer type for a compression. */
  public static String dockerLayer(LayerCompression compression) {
    return switch (compression) {
      case NONE -> DOCKER_LAYER;
      case GZIP -> DOCKER_LAYER_GZIP;
      case ZSTD -> DOCKER_LAYER_ZSTD;
    };
  }

  /** The OCI equivalent of a Docker type; other types unchanged. */
  public static String toOci(String mediaType) {
    return mediaType == null ? null : DOCKER_TO_OCI.getOrDefault(mediaType, mediaType);
  }

  /** The Docker equivalent of an OCI type; other types unchanged. */
  public static String toDocker(String mediaType) {
    return mediaType == null ? null : OCI_TO_DOCKER.getOrDefault(mediaType, mediaType);
  }
}
