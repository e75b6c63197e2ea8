package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An image index: OCI ({@code application/vnd.oci.image.index.v1+json}, also the layout's {@code
 * index.json}) or a Docker manifest list, with conversions.
 */
public record ImageIndex(
    int schemaVersion,
    String mediaType,
    String artifactType,
    List<Descriptor> manifests,
    Descriptor subject,
    Map<String, String> annotations,
    JsonObject extra) {

  private static final Set<String> KNOWN =
      Set.of("schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations");

  /**
   * The most entries an image index from outside (a registry, an archive, a pull of every platform)
   * may list: real indexes have a few dozen (platforms plus attestations).
   */
  public static final int MAX_MANIFESTS = 1024;

  /** The deepest nesting of indexes followed (an index of indexes is depth 2). */
  public static final int MAX_DEPTH = 4;

  /**
   * Checks this index (read from {@code where}, at nesting {@code depth}, 1 for the top) against
   * {@link #MAX_MANIFESTS} and {@link #MAX_DEPTH}; the message names {@code where}.
   */
  public ImageIndex checkBounds(String where, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          where + ": image indexes nested more than " + MAX_DEPTH + " deep; jbuild refuses it");
    }
    if (manifests.size() > MAX_MANIFESTS) {
      throw new IllegalArgumentException(
          where
              + ": the image index lists "
              + manifests.size()
              + " manifests; jbuild accepts at most "
              + MAX_MANIFESTS);
    }
    return this;
  }

  /** The platforms of the entries that have one, as {@code linux/amd64}, in order, once each. */
  public List<String> platformNames() {
    return manifests.stream()
        .filter(d -> d.platform() != null)
        .map(d -> d.platform().toString())
        .distinct()
        .toList();
  }

  public ImageIndex {
    manifests = manifests == null ? List.of() : List.copyOf(manifests);
    annotations = Descriptors.copyOf(annotations);
    extra = extra == null ? JsonObject.EMPTY : extra;
    if (mediaType != null && MediaTypes.isManifest(mediaType)) {
      throw new IllegalArgumentException("an index cannot have media type " + mediaType);
    }
  }

  /** A new OCI index. */
  public static ImageIndex of(List<Descriptor> manifests) {
    return new ImageIndex(2, MediaTypes.OCI_INDEX, null, manifests, null, null, null);
  }

  public static ImageIndex parse(byte[] bytes) {
    return fromJson(Json.parseObject(bytes));
  }

  public static ImageIndex fromJson(JsonObject o) {
    int version = Descriptors.schemaVersion(o, "index");
    String mt = o.string("mediaType");
    if (mt != null && !MediaTypes.isIndex(mt)) {
      throw new IllegalArgumentException("not an image index: mediaType " + mt);
    }
    List<Descriptor> manifests = Descriptors.list(o, "manifests");
    if (manifests == null) {
      throw new IllegalArgumentException("index has no \"manifests\" array");
    }
    return new ImageIndex(
        version,
        mt,
        o.string("artifactType"),
        manifests,
        Descriptors.one(o, "subject"),
        o.stringMap("annotations"),
        o.without(KNOWN));
  }

  /**
   * The media type of a manifest-or-index document: its {@code mediaType}, else guessed from its
   * members ({@code manifests} means an index, {@code config} an image manifest).
   */
  public static String detectMediaType(JsonObject doc) {
    String mt = doc.string("mediaType");
    if (mt != null) {
      return mt;
    }
    if (doc.has("manifests")) {
      return MediaTypes.OCI_INDEX;
    }
    Long v = doc.longValue("schemaVersion");
    if (v != null && v == 1) {
      return MediaTypes.DOCKER_MANIFEST_V1;
    }
    return MediaTypes.OCI_MANIFEST;
  }

  public String effectiveMediaType() {
    return mediaType != null ? mediaType : MediaTypes.OCI_INDEX;
  }

  /**
   * The manifest for a platform: an exact match (os, architecture, variant after normalisation) or,
   * when the wanted platform has no variant, the first one with the same os and architecture.
   */
  public Optional<Descriptor> select(Platform wanted) {
    for (Descriptor d : manifests) {
      if (d.platform() != null && d.platform().matches(wanted)) {
        return Optional.of(d);
      }
    }
    Platform w = wanted.normalize();
    if (w.variant() == null) {
      for (Descriptor d : manifests) {
        Platform p = d.platform() == null ? null : d.platform().normalize();
        if (p != null && p.os().equals(w.os()) && p.architecture().equals(w.architecture())) {
          return Optional.of(d);
        }
      }
    }
    return Optional.empty();
  }

  public ImageIndex toOci() {
    return convert(MediaTypes.OCI_INDEX, true);
  }

  public ImageIndex toDocker() {
    return convert(MediaTypes.DOCKER_MANIFEST_LIST, false);
  }

  private ImageIndex convert(String newType, boolean oci) {
    List<Descriptor> list = Descriptors.inFamily(manifests, oci);
    return new ImageIndex(schemaVersion, newType, artifactType, list, subject, annotations, extra);
  }

  public ImageIndex withManifests(List<Descriptor> newManifests) {
    return new ImageIndex(
        schemaVersion, mediaType, artifactType, newManifests, subject, annotations, extra);
  }

  public ImageIndex withAddedManifest(Descriptor d) {
    List<Descriptor> list = new ArrayList<>(manifests);
    list.add(d);
    return withManifests(list);
  }

  public JsonObject toJson() {
    JsonObject.Builder b = Descriptors.startJson(schemaVersion, mediaType, artifactType);
    b.put("manifests", Descriptors.toJson(manifests));
    return Descriptors.endJson(b, subject, annotations, extra);
  }

  public byte[] toBytes() {
    return toJson().toBytes();
  }
}
