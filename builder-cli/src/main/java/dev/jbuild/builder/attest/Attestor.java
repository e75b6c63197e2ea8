package dev.jbuild.builder.attest;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes and stores the attestations of a build's images ({@link Attestations}): for each platform's
 * image its SLSA provenance and SBOM as in-toto statements in one attestation manifest ({@link
 * AttestationManifests}), whose index entries the builder lists in the image index after the
 * images.
 */
public final class Attestor {
  /**
   * What the build knows that provenance reports.
   *
   * @param plans the plan of each platform, in the order of the images
   * @param context the build context, if the build had one
   * @param sourceDateEpoch SOURCE_DATE_EPOCH, or null (the SBOM's creation time then)
   */
  public record Build(
      String dockerfileName,
      String dockerfileText,
      Map<String, String> buildArgs,
      Map<String, String> labels,
      Optional<String> target,
      List<BuildPlan> plans,
      Optional<BuildContext> context,
      Materials materials,
      Instant started,
      Instant finished,
      Instant sourceDateEpoch) {}

  private final Store store;
  private final Attestations what;
  private final ImageFiles.Limits limits;

  public Attestor(Store store, Attestations what) {
    this(store, what, ImageFiles.Limits.defaults());
  }

  Attestor(Store store, Attestations what, ImageFiles.Limits limits) {
    this.store = store;
    this.what = what;
    this.limits = limits;
  }

  /**
   * Stores the attestation manifest of each image and returns their index entries, in the order of
   * {@code images}.
   *
   * @param layers each image's layers (blob and diff ID), base first
   * @param tags the build's names (the statements' subjects)
   */
  public List<Descriptor> attach(
      List<Image> images,
      List<List<CacheRecord.Layer>> layers,
      List<Platform> platforms,
      List<String> tags,
      Build build)
      throws IOException {
    Optional<Digest> context = Optional.empty();
    if (what.provenance().isPresent() && build.context().isPresent()) {
      context = Optional.of(contextDigest(build.context().get()));
    }
    List<Descriptor> out = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      Image image = images.get(i);
      Platform p = platforms.get(i);
      List<String> names = new ArrayList<>();
      for (String t : tags) {
        names.add(Provenance.imagePurl(t, p));
      }
      List<AttestationManifests.Predicate> predicates = new ArrayList<>();
      if (what.sbom()) {
        PackageScan.Result r = PackageScan.scan(store, layers.get(i), limits);
        Instant created =
            build.sourceDateEpoch() != null ? build.sourceDateEpoch() : build.finished();
        String name = tags.isEmpty() ? "image" : tags.getFirst();
        JsonObject doc =
            Spdx.document(name, image.manifestDigest(), r.packages(), r.notes(), created);
        predicates.add(new AttestationManifests.Predicate(Spdx.PREDICATE_TYPE, doc));
      }
      if (what.provenance().isPresent()) {
        Provenance.Input in =
            new Provenance.Input(
                what.provenance().get(),
                build.dockerfileName(),
                build.dockerfileText(),
                build.buildArgs(),
                build.labels(),
                build.target(),
                p,
                build.materials().of(p, platforms),
                context,
                build.plans().get(i),
                // SOURCE_DATE_EPOCH: both times, so two builds give one attestation and index
                build.sourceDateEpoch() != null ? build.sourceDateEpoch() : build.started(),
                build.sourceDateEpoch() != null ? build.sourceDateEpoch() : build.finished());
        predicates.add(
            new AttestationManifests.Predicate(
                Provenance.PREDICATE_TYPE, Provenance.predicate(in)));
      }
      out.add(AttestationManifests.write(store, image.manifestDescriptor(), names, predicates));
    }
    return out;
  }

  /**
   * A digest of the context as the build saw it: every file .dockerignore lets through, in
   * canonical order, by path, type, mode and content hash (memoised: a rebuild reads no file).
   */
  static Digest contextDigest(BuildContext ctx) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ContextFile root = new ContextFile("", ctx.root(), Posix.lstat(ctx.root()));
    for (Iterator<ContextFile> it = ctx.walk(root, IgnoreFilter.NONE); it.hasNext(); ) {
      ContextFile f = it.next();
      String content;
      if (f.stat().isRegularFile()) {
        content = ctx.contentHash(f).toString();
      } else if (f.stat().isSymlink()) {
        content = "link:" + java.nio.file.Files.readSymbolicLink(f.path());
      } else {
        content = f.stat().isDirectory() ? "dir" : "other";
      }
      String line = f.rel() + "\0" + Integer.toOctalString(f.stat().mode()) + "\0" + content + "\n";
      md.update(line.getBytes(StandardCharsets.UTF_8));
    }
    return new Digest("sha256", java.util.HexFormat.of().formatHex(md.digest()));
  }
}
