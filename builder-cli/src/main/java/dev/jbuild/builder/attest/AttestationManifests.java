package dev.jbuild.builder.attest;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BuildKit's attestation storage: an image manifest per attested image, listed in the image index
 * after the images with platform {@code unknown/unknown} and the annotations {@code
 * vnd.docker.reference.type=attestation-manifest} and {@code vnd.docker.reference.digest=<the image
 * manifest's digest>}; its config is an empty image config of platform unknown/unknown, its layers
 * the in-toto statements ({@code application/vnd.in-toto+json}, each annotated {@code
 * in-toto.io/predicate-type}).
 */
public final class AttestationManifests {
  private AttestationManifests() {}

  public static final String REFERENCE_TYPE = "vnd.docker.reference.type";
  public static final String REFERENCE_DIGEST = "vnd.docker.reference.digest";
  public static final String ATTESTATION_MANIFEST = "attestation-manifest";
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  public static final String PREDICATE_TYPE = "in-toto.io/predicate-type";
  static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v0.1";

  /** At most this many bytes of one statement are read back (inspect). */
  static final int MAX_STATEMENT = 64 << 20;

  /** The platform BuildKit gives attestation manifests, so runtimes never pick them. */
  public static final Platform UNKNOWN = new Platform("unknown", "unknown", null);

  /** One predicate to attach. */
  record Predicate(String type, JsonObject body) {}

  /** An in-toto statement about the image manifest {@code subject}, named by {@code names}. */
  static JsonObject statement(List<String> names, Digest subject, Predicate p) {
    List<Json> subjects = new ArrayList<>();
    for (String n : names.isEmpty() ? List.of("_") : names) {
      subjects.add(
          JsonObject.builder()
              .put("name", n)
              .put("digest", JsonObject.builder().put(subject.algorithm(), subject.hex()).build())
              .build());
    }
    return JsonObject.builder()
        .put("_type", STATEMENT_TYPE)
        .put("predicateType", p.type())
        .put("subject", new JsonArray(subjects))
        .put("predicate", p.body())
        .build();
  }

  /**
   * Stores the attestation manifest of the image manifest {@code image} and returns its index entry
   * (platform unknown/unknown, the reference annotations).
   */
  static Descriptor write(Store store, Descriptor image, List<String> names, List<Predicate> ps)
      throws IOException {
    List<Descriptor> layers = new ArrayList<>();
    List<Json> diffIds = new ArrayList<>();
    for (Predicate p : ps) {
      byte[] bytes =
          statement(names, image.digest(), p).toString().getBytes(StandardCharsets.UTF_8);
      Descriptor d =
          store.blobs().put(bytes).toDescriptor(IN_TOTO).withAnnotation(PREDICATE_TYPE, p.type());
      layers.add(d);
      diffIds.add(Json.of(d.digest().toString()));
    }
    JsonObject config =
        JsonObject.builder()
            .put("architecture", "unknown")
            .put("os", "unknown")
            .put("config", JsonObject.EMPTY)
            .put(
                "rootfs",
                JsonObject.builder()
                    .put("type", "layers")
                    .put("diff_ids", new JsonArray(diffIds))
                    .build())
            .build();
    Descriptor configDesc =
        store
            .blobs()
            .put(config.toString().getBytes(StandardCharsets.UTF_8))
            .toDescriptor(MediaTypes.OCI_CONFIG);
    ImageManifest m = ImageManifest.of(configDesc, layers);
    return store
        .images()
        .putManifest(m)
        .withPlatform(UNKNOWN)
        .withAnnotation(REFERENCE_DIGEST, image.digest().toString())
        .withAnnotation(REFERENCE_TYPE, ATTESTATION_MANIFEST);
  }

  /** Whether an index entry is an attestation manifest. */
  public static boolean isAttestation(Descriptor d) {
    return d.annotations() != null
        && ATTESTATION_MANIFEST.equals(d.annotations().get(REFERENCE_TYPE));
  }

  /**
   * The predicates attached to the image {@code manifest} in the index {@code index}, by predicate
   * type (the first statement of a type wins); statements the store lacks or cannot parse are left
   * out.
   */
  public static Map<String, Json> predicates(Store store, Digest index, Digest manifest)
      throws IOException {
    Map<String, Json> out = new LinkedHashMap<>();
    ImageIndex idx = store.images().index(index);
    for (Descriptor d : idx.manifests()) {
      if (!isAttestation(d)
          || !manifest.toString().equals(d.annotations().get(REFERENCE_DIGEST))
          || !store.blobs().has(d.digest())) {
        continue;
      }
      ImageManifest m = store.images().manifest(d.digest());
      for (Descriptor l : m.layers()) {
        if (!IN_TOTO.equals(l.mediaType())
            || l.size() > MAX_STATEMENT
            || !store.blobs().has(l.digest())) {
          continue;
        }
        try {
          JsonObject st = Json.parseObject(store.blobs().read(l.digest()));
          String type = st.string("predicateType", null);
          if (type != null && st.has("predicate")) {
            out.putIfAbsent(type, st.get("predicate"));
          }
        } catch (IllegalArgumentException e) {
          // not a statement
        }
      }
    }
    return out;
  }

  public static String provenanceType() {
    return Provenance.PREDICATE_TYPE;
  }

  public static String sbomType() {
    return Spdx.PREDICATE_TYPE;
  }
}
