package dev.jbuild.builder.publish;

import dev.jbuild.builder.attest.AttestationManifests;
import dev.jbuild.layercache.archive.LocalExport;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The attestations of a {@code -o type=local} or {@code type=tar} output, written as BuildKit's
 * local and tar exporters write them: one in-toto statement file per attestation at the root of the
 * output ({@code provenance.json}, {@code sbom.spdx.json}; with {@code attestation-prefix=P},
 * {@code P} before the name), whose subjects are the output's regular files (path and sha256), not
 * the image manifest. A multi-platform output has them in each platform's directory. Only a build
 * that asked for attestations has any (its target is an index holding attestation manifests). The
 * files replace whatever the image put at those names (a symlink there is removed, never followed)
 * and are written 0600, as BuildKit writes them.
 */
final class ExportedAttestations {
  static final String PROVENANCE_FILE = "provenance.json";
  static final String SBOM_FILE = "sbom.spdx.json";
  static final String PREFIX_KEY = "attestation-prefix";

  private ExportedAttestations() {}

  /** Writes the statements of {@code target}'s images into {@code dir} (as written by export). */
  static void write(Store store, Descriptor target, Path dir, String prefix) throws IOException {
    Descriptor plain = target.withAnnotations(null);
    if (!MediaTypes.isIndex(plain.mediaType())) {
      return;
    }
    List<Image> images = store.images().images(plain);
    for (Image image : images) {
      Map<String, Json> predicates =
          AttestationManifests.predicates(store, plain.digest(), image.manifestDigest());
      if (predicates.isEmpty()) {
        continue;
      }
      Path out =
          images.size() == 1 ? dir : dir.resolve(LocalExport.directoryName(image.platform()));
      List<Json> subjects = subjects(out);
      for (var e : predicates.entrySet()) {
        String name = fileName(e.getKey());
        if (name == null) {
          continue;
        }
        JsonObject statement =
            JsonObject.builder()
                .put("_type", "https://in-toto.io/Statement/v0.1")
                .put("predicateType", e.getKey())
                .put("subject", new JsonArray(subjects))
                .put("predicate", e.getValue())
                .build();
        writeFile(out, (prefix == null ? "" : prefix) + name, statement.toPrettyString("  "));
      }
    }
  }

  /** BuildKit's file name of an attestation of this predicate type, or null. */
  static String fileName(String predicateType) {
    if (predicateType.equals(AttestationManifests.provenanceType())) {
      return PROVENANCE_FILE;
    }
    if (predicateType.equals(AttestationManifests.sbomType())) {
      return SBOM_FILE;
    }
    return null;
  }

  /** Every regular file below {@code dir}, in path order: its path and sha256. */
  private static List<Json> subjects(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) { // does not follow symlinks
      files =
          walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
              .sorted((a, b) -> rel(dir, a).compareTo(rel(dir, b)))
              .toList();
    }
    List<Json> out = new ArrayList<>();
    for (Path f : files) {
      out.add(
          JsonObject.builder()
              .put("name", rel(dir, f))
              .put("digest", JsonObject.builder().put("sha256", sha256(f).hex()).build())
              .build());
    }
    return out;
  }

  private static String rel(Path dir, Path p) {
    return dir.relativize(p).toString();
  }

  private static Digest sha256(Path f) throws IOException {
    MessageDigest md = Digest.newSha256();
    try (InputStream in = Files.newInputStream(f)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return new Digest(Digest.SHA256, HexFormat.of().formatHex(md.digest()));
  }

  private static void writeFile(Path dir, String name, String text) throws IOException {
    if (name.contains("/") || name.equals(".") || name.equals("..") || name.isEmpty()) {
      throw new IOException("invalid attestation file name " + name);
    }
    Path target = dir.resolve(name);
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          "cannot write the attestation " + target + ": the image has a directory there");
    }
    Files.deleteIfExists(target); // a file or a symlink of the image: removed, never followed
    try (OutputStream o =
        Files.newOutputStream(
            Files.createFile(
                target,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
            StandardOpenOption.WRITE)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (FileAlreadyExistsException e) {
      throw new IOException("cannot write the attestation " + target + ": it appeared meanwhile");
    }
  }
}
