package dev.jbuild.testing;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks every invariant of images in an OCI image layout (a jbuild store is one): {@code
 * oci-layout}, {@code index.json}, and for each image its manifest, config and layers — blobs
 * present with the descriptor's size and digest, media types of the right kind, schemaVersion 2, a
 * config that parses with os, architecture and rootfs type "layers", as many diff IDs as layers and
 * each layer blob decompressing to its diff ID, history entries that are not {@code empty_layer}
 * matching the layers, and index platforms matching the configs.
 *
 * <p>Usage in tests: {@code ImageValidator.validate(store, "app:1")}, {@code
 * ImageValidator.validateLayout(dir)}; failures throw {@link AssertionError} listing every problem.
 * {@link #problems} returns them instead.
 */
public final class ImageValidator {
  private final Path root;
  private final List<String> problems = new ArrayList<>();

  private ImageValidator(Path root) {
    this.root = root;
  }

  /** Validates the image a store knows as {@code name}. */
  public static void validate(Store store, String name) {
    Descriptor d;
    try {
      d =
          store
              .images()
              .resolve(name)
              .orElseThrow(() -> new AssertionError("no image named " + name + " in the store"));
    } catch (IOException e) {
      throw new AssertionError("cannot read the store's index: " + e, e);
    }
    fail(validateDescriptor(store.root(), d, name));
  }

  /** Validates one descriptor (manifest or index) of the layout at {@code layoutDir}. */
  public static List<String> validateDescriptor(Path layoutDir, Descriptor d, String what) {
    ImageValidator v = new ImageValidator(layoutDir);
    v.checkLayoutFiles();
    v.descriptor(d, what, null);
    return v.problems;
  }

  /** Validates the layout and every image its index.json names. */
  public static void validateLayout(Path layoutDir) {
    fail(problems(layoutDir));
  }

  /** Validates the image with ref name {@code refName} (exact, or normalised) in the layout. */
  public static void validateLayout(Path layoutDir, String refName) {
    ImageValidator v = new ImageValidator(layoutDir);
    ImageIndex index = v.checkLayoutFiles();
    if (index == null) {
      fail(v.problems);
      return;
    }
    Descriptor found = null;
    for (Descriptor d : index.manifests()) {
      if (refName.equals(d.refName()) || sameName(refName, d.refName())) {
        found = d;
        break;
      }
    }
    if (found == null) {
      v.problem("index.json has no entry named " + refName);
    } else {
      v.descriptor(found, refName, null);
    }
    fail(v.problems);
  }

  /** Every problem of the layout and its images (empty when valid). */
  public static List<String> problems(Path layoutDir) {
    ImageValidator v = new ImageValidator(layoutDir);
    ImageIndex index = v.checkLayoutFiles();
    if (index != null) {
      int i = 0;
      for (Descriptor d : index.manifests()) {
        v.descriptor(d, "index.json manifests[" + i++ + "]", null);
      }
    }
    return v.problems;
  }

  private static void fail(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new AssertionError(
          "invalid image (" + problems.size() + " problems):\n  " + String.join("\n  ", problems));
    }
  }

  private static boolean sameName(String a, String b) {
    if (b == null) {
      return false;
    }
    try {
      return ImageReference.parse(a).equals(ImageReference.parse(b));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void problem(String p) {
    problems.add(p);
  }

  private ImageIndex checkLayoutFiles() {
    try {
      JsonObject layout = Json.parseObject(Files.readAllBytes(root.resolve("oci-layout")));
      if (layout.string("imageLayoutVersion") == null) {
        problem("oci-layout has no imageLayoutVersion");
      }
    } catch (IOException | IllegalArgumentException e) {
      problem("oci-layout: " + e.getMessage());
    }
    try {
      ImageIndex idx = ImageIndex.parse(Files.readAllBytes(root.resolve("index.json")));
      if (idx.mediaType() != null && !MediaTypes.OCI_INDEX.equals(idx.mediaType())) {
        problem("index.json has media type " + idx.mediaType());
      }
      return idx;
    } catch (IOException | IllegalArgumentException e) {
      problem("index.json: " + e.getMessage());
      return null;
    }
  }

  /** Reads and verifies a blob against its descriptor; null (with a problem) when it fails. */
  private byte[] smallBlob(Descriptor d, String what) {
    if (!checkBlob(d, what)) {
      return null;
    }
    try {
      return Files.readAllBytes(blobPath(d.digest()));
    } catch (IOException e) {
      problem(what + ": " + e.getMessage());
      return null;
    }
  }

  private Path blobPath(Digest d) {
    return root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
  }

  /** Size and digest of a blob file against its descriptor. */
  private boolean checkBlob(Descriptor d, String what) {
    Path p = blobPath(d.digest());
    if (!Files.isRegularFile(p)) {
      problem(what + ": blob " + d.digest() + " is missing");
      return false;
    }
    try {
      long size = Files.size(p);
      if (size != d.size()) {
        problem(
            what + ": blob " + d.digest() + " has " + size + " bytes, descriptor says " + d.size());
        return false;
      }
      Digest actual = hash(Files.newInputStream(p), d.digest());
      if (!actual.equals(d.digest())) {
        problem(what + ": blob " + d.digest() + " hashes to " + actual);
        return false;
      }
    } catch (IOException e) {
      problem(what + ": " + e.getMessage());
      return false;
    }
    return true;
  }

  private void descriptor(Descriptor d, String what, Platform expected) {
    String mt = d.mediaType();
    if (MediaTypes.isIndex(mt)) {
      byte[] bytes = smallBlob(d, what);
      if (bytes == null) {
        return;
      }
      ImageIndex idx;
      try {
        idx = ImageIndex.parse(bytes);
      } catch (IllegalArgumentException e) {
        problem(what + ": index " + d.digest() + ": " + e.getMessage());
        return;
      }
      if (idx.mediaType() != null && !idx.mediaType().equals(mt)) {
        problem(what + ": descriptor says " + mt + ", index says " + idx.mediaType());
      }
      int i = 0;
      int present = 0;
      for (Descriptor m : idx.manifests()) {
        String child = what + " -> manifests[" + i++ + "]";
        if (!Files.isRegularFile(blobPath(m.digest()))) {
          continue; // other platforms need not be stored
        }
        present++;
        if (m.annotations() != null
            && "attestation-manifest".equals(m.annotations().get("vnd.docker.reference.type"))) {
          attestation(m, child, idx);
          continue;
        }
        descriptor(m, child, m.platform());
      }
      if (present == 0) {
        problem(what + ": no manifest of index " + d.digest() + " is present");
      }
    } else if (MediaTypes.isManifest(mt)) {
      manifest(d, what, expected);
    } else {
      problem(what + ": " + d.digest() + " has media type " + mt + ", not a manifest or index");
    }
  }

  /**
   * A BuildKit attestation manifest: platform unknown/unknown, its reference digest one of the
   * index's manifests, its layers in-toto statements whose predicate type is their annotation's and
   * whose subject is that manifest.
   */
  private void attestation(Descriptor d, String what, ImageIndex index) {
    String ref = d.annotations().get("vnd.docker.reference.digest");
    if (index.manifests().stream().noneMatch(o -> o.digest().toString().equals(ref))) {
      problem(what + ": refers to " + ref + ", which the index does not list");
    }
    if (d.platform() == null || !d.platform().toString().equals("unknown/unknown")) {
      problem(what + ": attestation platform " + d.platform() + ", not unknown/unknown");
    }
    byte[] bytes = smallBlob(d, what);
    if (bytes == null) {
      return;
    }
    ImageManifest m;
    try {
      m = ImageManifest.parse(bytes);
    } catch (IllegalArgumentException e) {
      problem(what + ": attestation manifest " + d.digest() + ": " + e.getMessage());
      return;
    }
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor l = m.layers().get(i);
      String lw = what + " (attestation) layers[" + i + "]";
      if (!"application/vnd.in-toto+json".equals(l.mediaType())) {
        problem(lw + ": media type " + l.mediaType());
        continue;
      }
      byte[] st = smallBlob(l, lw);
      if (st == null) {
        continue;
      }
      try {
        JsonObject o = Json.parseObject(st);
        String type =
            l.annotations() == null ? null : l.annotations().get("in-toto.io/predicate-type");
        if (type == null || !type.equals(o.string("predicateType"))) {
          problem(lw + ": predicate type " + o.string("predicateType") + ", annotation " + type);
        }
        JsonObject subject = (JsonObject) o.array("subject").get(0);
        if (!("sha256:" + subject.object("digest").string("sha256")).equals(ref)) {
          problem(lw + ": subject " + subject + " is not " + ref);
        }
      } catch (RuntimeException e) {
        problem(lw + ": not an in-toto statement: " + e.getMessage());
      }
    }
  }

  private void manifest(Descriptor d, String what, Platform expected) {
    byte[] bytes = smallBlob(d, what);
    if (bytes == null) {
      return;
    }
    ImageManifest m;
    try {
      m = ImageManifest.parse(bytes);
    } catch (IllegalArgumentException e) {
      problem(what + ": manifest " + d.digest() + ": " + e.getMessage());
      return;
    }
    String w = what + " (manifest " + d.digest().shortHex() + ")";
    if (m.mediaType() != null && !m.mediaType().equals(d.mediaType())) {
      problem(w + ": descriptor says " + d.mediaType() + ", manifest says " + m.mediaType());
    }
    boolean docker = MediaTypes.DOCKER_MANIFEST.equals(m.effectiveMediaType());
    if (!MediaTypes.isConfig(m.config().mediaType())) {
      problem(w + ": config media type " + m.config().mediaType());
    } else if (docker != MediaTypes.DOCKER_CONFIG.equals(m.config().mediaType())) {
      problem(
          w + ": config media type " + m.config().mediaType() + " in a " + m.effectiveMediaType());
    }
    byte[] configBytes = smallBlob(m.config(), w + " config");
    ImageConfig config = null;
    if (configBytes != null) {
      try {
        config = ImageConfig.parse(configBytes);
      } catch (IllegalArgumentException e) {
        problem(w + ": config " + m.config().digest() + ": " + e.getMessage());
      }
    }
    List<Descriptor> layers = m.layers();
    for (int i = 0; i < layers.size(); i++) {
      Descriptor l = layers.get(i);
      if (!MediaTypes.isLayer(l.mediaType())) {
        problem(w + ": layers[" + i + "] has media type " + l.mediaType());
      } else if (docker != l.mediaType().startsWith("application/vnd.docker.")) {
        problem(
            w
                + ": layers["
                + i
                + "] media type "
                + l.mediaType()
                + " in a "
                + m.effectiveMediaType());
      }
    }
    if (config == null) {
      return;
    }
    if (config.os() == null || config.architecture() == null) {
      problem(w + ": config has no os or architecture");
    } else if (expected != null && !expected.matches(config.platform())) {
      problem(w + ": index says " + expected + ", config says " + config.platform());
    }
    if (!"layers".equals(config.rootfs().type())) {
      problem(w + ": rootfs.type is " + config.rootfs().type());
    }
    List<Digest> diffIds = config.diffIds();
    if (diffIds.size() != layers.size()) {
      problem(w + ": " + layers.size() + " layers but " + diffIds.size() + " diff_ids");
    }
    List<History> history = config.history();
    if (history != null) {
      long nonEmpty = history.stream().filter(h -> !h.isEmptyLayer()).count();
      if (nonEmpty != layers.size()) {
        problem(
            w + ": " + layers.size() + " layers but " + nonEmpty + " non-empty history entries");
      }
    }
    for (int i = 0; i < layers.size(); i++) {
      Descriptor l = layers.get(i);
      String lw = w + " layers[" + i + "]";
      if (MediaTypes.isNonDistributable(l.mediaType())
          && !Files.isRegularFile(blobPath(l.digest()))) {
        continue; // foreign layers may live elsewhere
      }
      if (!checkBlob(l, lw) || i >= diffIds.size() || !MediaTypes.isLayer(l.mediaType())) {
        continue;
      }
      try (InputStream raw = Files.newInputStream(blobPath(l.digest()))) {
        MediaTypes.LayerCompression declared = MediaTypes.layerCompression(l.mediaType());
        byte[] head = new byte[Compression.MAGIC_LENGTH];
        int n;
        try (InputStream h = Files.newInputStream(blobPath(l.digest()))) {
          n = h.readNBytes(head, 0, head.length);
        }
        Compression actual = Compression.detect(head, n);
        if (!actual.name().equals(declared.name())) {
          problem(lw + ": media type " + l.mediaType() + " but the blob is " + actual);
          continue;
        }
        InputStream in =
            declared == MediaTypes.LayerCompression.NONE ? raw : Compression.decompressing(raw);
        Digest diffId = hash(in, diffIds.get(i));
        if (!diffId.equals(diffIds.get(i))) {
          problem(
              lw
                  + ": uncompressed content hashes to "
                  + diffId
                  + ", diff_ids["
                  + i
                  + "] is "
                  + diffIds.get(i));
        }
      } catch (IOException | RuntimeException e) {
        problem(lw + ": cannot decompress " + l.digest() + ": " + e.getMessage());
      }
    }
  }

  private static Digest hash(InputStream in, Digest like) throws IOException {
    try (in) {
      MessageDigest md = like.newMessageDigest();
      byte[] buf = new byte[256 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return new Digest(like.algorithm(), HexFormat.of().formatHex(md.digest()));
    }
  }
}
