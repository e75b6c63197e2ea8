package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An OCI content descriptor. {@code urls}, {@code annotations}, {@code platform} and {@code
 * artifactType} are null when absent; members this type does not know (e.g. {@code data}) are kept
 * in {@code extra}.
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    Platform platform,
    String artifactType,
    JsonObject extra) {

  private static final Set<String> KNOWN =
      Set.of("mediaType", "digest", "size", "urls", "annotations", "platform", "artifactType");

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + digest);
    }
    urls = urls == null ? null : List.copyOf(urls);
    annotations = Descriptors.copyOf(annotations);
    extra = extra == null ? JsonObject.EMPTY : extra;
  }

  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, null, null, null, null, null);
  }

  /** The annotation's value, or null. */
  public String annotation(String key) {
    return annotations == null ? null : annotations.get(key);
  }

  /** The tag name of an index.json entry (org.opencontainers.image.ref.name), or null. */
  public String refName() {
    return annotation(MediaTypes.ANNOTATION_REF_NAME);
  }

  public Descriptor withMediaType(String newMediaType) {
    return new Descriptor(
        newMediaType, digest, size, urls, annotations, platform, artifactType, extra);
  }

  public Descriptor withAnnotations(Map<String, String> newAnnotations) {
    return new Descriptor(
        mediaType, digest, size, urls, newAnnotations, platform, artifactType, extra);
  }

  /** A copy with one annotation set (others kept in order). */
  public Descriptor withAnnotation(String key, String value) {
    return withAnnotations(Descriptors.with(annotations, key, value));
  }

  /** A copy without the annotation (annotations become absent when none are left). */
  public Descriptor withoutAnnotation(String key) {
    if (annotations == null || !annotations.containsKey(key)) {
      return this;
    }
    Map<String, String> copy = new LinkedHashMap<>(annotations);
    copy.remove(key);
    return withAnnotations(copy.isEmpty() ? null : copy);
  }

  public Descriptor withPlatform(Platform newPlatform) {
    return new Descriptor(
        mediaType, digest, size, urls, annotations, newPlatform, artifactType, extra);
  }

  public Descriptor withUrls(List<String> newUrls) {
    return new Descriptor(
        mediaType, digest, size, newUrls, annotations, platform, artifactType, extra);
  }

  /** Same content: media type, digest and size (annotations and platform ignored). */
  public boolean sameContent(Descriptor other) {
    return mediaType.equals(other.mediaType) && digest.equals(other.digest) && size == other.size;
  }

  public static Descriptor fromJson(JsonObject o) {
    String mediaType = o.string("mediaType");
    String digest = o.string("digest");
    Long size = o.longValue("size");
    if (mediaType == null || digest == null || size == null) {
      throw new IllegalArgumentException(
          "descriptor needs \"mediaType\", \"digest\" and \"size\": " + o);
    }
    JsonObject platform = o.object("platform");
    return new Descriptor(
        mediaType,
        Digest.parse(digest),
        size,
        o.strings("urls"),
        o.stringMap("annotations"),
        platform == null ? null : Platform.fromJson(platform),
        o.string("artifactType"),
        o.without(KNOWN));
  }

  public JsonObject toJson() {
    JsonObject.Builder b =
        JsonObject.builder()
            .put("mediaType", mediaType)
            .put("digest", digest.toString())
            .put("size", size);
    if (urls != null) {
      b.put("urls", Json.ofStrings(urls));
    }
    if (annotations != null) {
      b.put("annotations", Json.ofStringMap(annotations));
    }
    if (platform != null) {
      b.put("platform", platform.toJson());
    }
    b.putIfNotNull("artifactType", artifactType);
    return b.putAllAbsent(extra).build();
  }

  @Override
  public String toString() {
    return toJson().toString();
  }
}
