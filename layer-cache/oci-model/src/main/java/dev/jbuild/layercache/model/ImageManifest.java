package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An image manifest: OCI ({@code application/vnd.oci.image.manifest.v1+json}) or Docker schema 2
 * ({@code application/vnd.docker.distribution.manifest.v2+json}), with {@link #toOci()} and {@link
 * #toDocker()} conversions. {@code mediaType} may be null (it is optional in OCI manifests).
 */
public record ImageManifest(
    int schemaVersion,
    String mediaType,
    String artifactType,
    Descriptor config,
    List<Descriptor> layers,
    Descriptor subject,
    Map<String, String> annotations,
    JsonObject extra) {

  private static final Set<String> KNOWN =
      Set.of(
          "schemaVersion",
          "mediaType",
          "artifactType",
          "config",
          "layers",
          "subject",
          "annotations");

  public ImageManifest {
    Objects.requireNonNull(config, "config");
    layers = layers == null ? List.of() : List.copyOf(layers);
    annotations = Descriptors.copyOf(annotations);
    extra = extra == null ? JsonObject.EMPTY : extra;
    if (mediaType != null && MediaTypes.isIndex(mediaType)) {
      throw new IllegalArgumentException("an image manifest cannot have media type " + mediaType);
    }
  }

  /** A new OCI manifest. */
  public static ImageManifest of(Descriptor config, List<Descriptor> layers) {
    return new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, layers, null, null, null);
  }

  public static ImageManifest parse(byte[] bytes) {
    return fromJson(Json.parseObject(bytes));
  }

  public static ImageManifest fromJson(JsonObject o) {
    int version = Descriptors.schemaVersion(o, "manifest");
    String mt = o.string("mediaType");
    if (mt != null && !MediaTypes.isManifest(mt)) {
      throw new IllegalArgumentException("not an image manifest: mediaType " + mt);
    }
    Descriptor config = Descriptors.one(o, "config");
    if (config == null) {
      throw new IllegalArgumentException("manifest has no config descriptor");
    }
    List<Descriptor> layers = Descriptors.list(o, "layers");
    return new ImageManifest(
        version,
        mt,
        o.string("artifactType"),
        config,
        layers,
        Descriptors.one(o, "subject"),
        o.stringMap("annotations"),
        o.without(KNOWN));
  }

  /** The media type to serve this manifest with (OCI when the document does not say). */
  public String effectiveMediaType() {
    return mediaType != null ? mediaType : MediaTypes.OCI_MANIFEST;
  }

  public boolean isDocker() {
    return MediaTypes.DOCKER_MANIFEST.equals(mediaType);
  }

  /** The same image with OCI media types (config and layer bytes are unchanged). */
  public ImageManifest toOci() {
    return convert(MediaTypes.OCI_MANIFEST, true);
  }

  /** The same image with Docker schema 2 media types. */
  public ImageManifest toDocker() {
    return convert(MediaTypes.DOCKER_MANIFEST, false);
  }

  private ImageManifest convert(String newType, boolean oci) {
    List<Descriptor> newLayers = Descriptors.inFamily(layers, oci);
    Descriptor newConfig = Descriptors.inFamily(config, oci);
    return new ImageManifest(
        schemaVersion, newType, artifactType, newConfig, newLayers, subject, annotations, extra);
  }

  public ImageManifest withConfig(Descriptor newConfig) {
    return new ImageManifest(
        schemaVersion, mediaType, artifactType, newConfig, layers, subject, annotations, extra);
  }

  public ImageManifest withLayers(List<Descriptor> newLayers) {
    return new ImageManifest(
        schemaVersion, mediaType, artifactType, config, newLayers, subject, annotations, extra);
  }

  public ImageManifest withAnnotation(String key, String value) {
    Map<String, String> copy = Descriptors.with(annotations, key, value);
    return new ImageManifest(
        schemaVersion, mediaType, artifactType, config, layers, subject, copy, extra);
  }

  /** Sum of config and layer sizes (the compressed size of the image). */
  public long contentSize() {
    long total = config.size();
    for (Descriptor l : layers) {
      total += l.size();
    }
    return total;
  }

  public JsonObject toJson() {
    JsonObject.Builder b = Descriptors.startJson(schemaVersion, mediaType, artifactType);
    b.put("config", config.toJson());
    b.put("layers", Descriptors.toJson(layers));
    return Descriptors.endJson(b, subject, annotations, extra);
  }

  /** The compact JSON (what is stored and pushed; its sha256 is the manifest digest). */
  public byte[] toBytes() {
    return toJson().toBytes();
  }
}
