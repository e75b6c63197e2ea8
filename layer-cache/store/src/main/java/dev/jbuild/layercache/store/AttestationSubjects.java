package dev.jbuild.layercache.store;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps BuildKit attestation manifests pointing at their image when a push or an export rewrites
 * the image's manifest (its layers compressed on the way, so its digest changes): the attestation
 * manifest's {@code vnd.docker.reference.digest} annotation and the subjects of its in-toto
 * statements are moved to the new digest, in new blobs (the stored ones are left as they are).
 */
public final class AttestationSubjects {
  private AttestationSubjects() {}

  static final String REFERENCE_DIGEST = "vnd.docker.reference.digest";
  static final String IN_TOTO = "application/vnd.in-toto+json";

  /** At most this many bytes of one statement are rewritten. */
  static final int MAX_STATEMENT = 64 << 20;

  /**
   * The attestation entry {@code attestation} of an index moved to the image's new manifest digest
   * when {@code moved} (old image manifest digest -> new) names its image; else {@code attestation}
   * itself.
   */
  public static Descriptor follow(Store store, Descriptor attestation, Map<Digest, Digest> moved)
      throws IOException {
    String ref =
        attestation.annotations() == null ? null : attestation.annotations().get(REFERENCE_DIGEST);
    Digest from;
    try {
      from = ref == null ? null : Digest.parse(ref);
    } catch (IllegalArgumentException e) {
      return attestation;
    }
    Digest to = from == null ? null : moved.get(from);
    if (to == null || to.equals(from)) {
      return attestation;
    }
    ImageManifest m = store.images().manifest(attestation.digest());
    List<Descriptor> layers = new ArrayList<>();
    List<Json> diffIds = new ArrayList<>();
    for (Descriptor l : m.layers()) {
      Descriptor out = l;
      if (IN_TOTO.equals(l.mediaType()) && l.size() <= MAX_STATEMENT) {
        try {
          JsonObject st = Json.parseObject(store.blobs().read(l.digest()));
          JsonObject moves = resubject(st, from, to);
          if (moves != st) {
            out =
                store
                    .blobs()
                    .put(moves.toString().getBytes(StandardCharsets.UTF_8))
                    .toDescriptor(l.mediaType())
                    .withAnnotations(l.annotations());
          }
        } catch (IllegalArgumentException e) {
          // not a statement: kept as it is
        }
      }
      layers.add(out);
      diffIds.add(Json.of(out.digest().toString()));
    }
    Descriptor config = m.config();
    try {
      JsonObject c = Json.parseObject(store.blobs().read(config.digest()));
      JsonObject rootfs = c.object("rootfs");
      if (rootfs != null) {
        c = c.with("rootfs", rootfs.with("diff_ids", new JsonArray(diffIds)));
        config =
            store
                .blobs()
                .put(c.toString().getBytes(StandardCharsets.UTF_8))
                .toDescriptor(config.mediaType());
      }
    } catch (IllegalArgumentException e) {
      // an unreadable config is kept
    }
    ImageManifest out = m.withConfig(config).withLayers(layers);
    return store
        .images()
        .putManifest(out)
        .withPlatform(attestation.platform())
        .withAnnotations(attestation.annotations())
        .withAnnotation(REFERENCE_DIGEST, to.toString());
  }

  /** The statement with every subject digest {@code from} replaced by {@code to}. */
  private static JsonObject resubject(JsonObject st, Digest from, Digest to) {
    if (!(st.get("subject") instanceof JsonArray subjects)) {
      return st;
    }
    List<Json> out = new ArrayList<>();
    boolean changed = false;
    for (Json s : subjects.elements()) {
      if (s instanceof JsonObject o
          && o.get("digest") instanceof JsonObject d
          && from.hex().equals(d.string(from.algorithm(), null))) {
        out.add(o.with("digest", d.with(from.algorithm(), to.hex())));
        changed = true;
      } else {
        out.add(s);
      }
    }
    return changed ? st.with("subject", new JsonArray(out)) : st;
  }
}
