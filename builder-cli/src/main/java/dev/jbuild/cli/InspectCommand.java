package dev.jbuild.cli;

import dev.jbuild.builder.attest.AttestationManifests;
import dev.jbuild.cli.template.GoTemplate;
import dev.jbuild.cli.template.TemplateException;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild inspect}: JSON close to {@code docker image inspect}, plus the manifest. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show images as JSON (like docker image inspect, plus the manifest digest).",
      "--format takes a Go template as docker inspect does: '{{.Id}}', '{{json .Config.Env}}',",
      "'{{index .Config.Labels \"k\"}}', '{{range .Config.Env}}{{println .}}{{end}}'."
    })
public final class InspectCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "TEMPLATE",
      description =
          "A Go template (the docker inspect subset: fields, json, index, len, join, range, if,"
              + " with, printf...), e.g. '{{.Config.Env}}' prints [A=1 B=2] as docker does.")
  String format;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description =
          "For a multi-platform image (an index): show its image for this platform instead of"
              + " the index.")
  String platform;

  @Option(
      names = "--type",
      paramLabel = "image|container",
      description = "Only images or only containers (default: an image, else a container).")
  String type;

  @Parameters(arity = "1..*", paramLabel = "IMAGE|CONTAINER")
  List<String> images;

  @Override
  public Integer call() throws Exception {
    if (type != null && !type.equals("image") && !type.equals("container")) {
      throw new UserException(ExitCodes.USAGE, "--type must be image or container");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Json> results = new ArrayList<>();
    int exit = ExitCodes.OK;
    try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
      ImageFinder finder = new ImageFinder(store);
      Platform wanted = platform == null ? null : RegistryCli.parsePlatform(platform);
      dev.jbuild.runner.container.Containers containers = null;
      for (String name : images) {
        try {
          if ("container".equals(type)) {
            throw new UserException(ExitCodes.NOT_FOUND, "no such container: " + name);
          }
          ImageFinder.Found f = finder.find(name);
          ImageIndex index = f.isIndex() ? store.images().index(f.entry().digest()) : null;
          boolean attested =
              index != null
                  && index.manifests().stream().anyMatch(AttestationManifests::isAttestation);
          // an image with its attestations (one image in an index, as buildx stores it) is shown
          // as that image
          if (index != null && wanted == null && !(attested && f.platforms().size() == 1)) {
            JsonObject d = describeIndex(f, index);
            if (wantsAttestations()) {
              d = withAttestations(store, f, d, true);
            }
            results.add(d);
          } else {
            Image chosen = f.imageFor(wanted, name);
            ImageFinder.Found one =
                new ImageFinder.Found(f.entry(), chosen, f.tags(), f.platforms());
            JsonObject d = describe(one, chosen);
            if (wantsAttestations()) {
              d = withAttestations(store, one, d, false);
            }
            results.add(d);
          }
        } catch (UserException e) {
          if (!"image".equals(type) && e.exitCode() == ExitCodes.NOT_FOUND) {
            try {
              if (containers == null) {
                containers = dev.jbuild.runner.container.Containers.open(store, null);
              }
              results.add(containers.inspect(name));
              continue;
            } catch (dev.jbuild.runner.RunnerException notAContainer) {
              // report the first error
            }
          }
          err.println(
              "jbuild: "
                  + ("container".equals(type) ? "no such container: " + name : e.getMessage()));
          exit = e.exitCode();
        }
      }
    }
    if (format != null) {
      for (Json r : results) {
        out.println(render(format, (JsonObject) r));
      }
    } else {
      out.println(new JsonArray(results).toPrettyString());
    }
    out.flush();
    err.flush();
    return exit;
  }

  /** Whether the template reads .SBOM or .Provenance (kept out of the plain JSON: they are big). */
  private boolean wantsAttestations() {
    return format != null && (format.contains("SBOM") || format.contains("Provenance"));
  }

  /**
   * {@code SBOM} and {@code Provenance} as buildx imagetools shows them: {@code {"SPDX": document}}
   * and {@code {"SLSA": predicate}} for one image, a map by platform of those for several; null
   * when the image has none.
   */
  static JsonObject withAttestations(
      Store store, ImageFinder.Found f, JsonObject doc, boolean byPlatform)
      throws java.io.IOException {
    if (!f.isIndex()) {
      return doc.with("SBOM", JsonNull.INSTANCE).with("Provenance", JsonNull.INSTANCE);
    }
    JsonObject.Builder sboms = JsonObject.builder();
    JsonObject.Builder provs = JsonObject.builder();
    boolean anySbom = false;
    boolean anyProv = false;
    List<Image> images = byPlatform ? f.platforms() : List.of(f.image());
    for (Image i : images) {
      var ps = AttestationManifests.predicates(store, f.entry().digest(), i.manifestDigest());
      String key = i.platform() == null ? i.manifestDigest().toString() : i.platform().toString();
      Json sbom = ps.get(AttestationManifests.sbomType());
      Json prov = ps.get(AttestationManifests.provenanceType());
      if (sbom != null) {
        sboms.put(key, JsonObject.builder().put("SPDX", sbom).build());
        anySbom = true;
      }
      if (prov != null) {
        provs.put(key, JsonObject.builder().put("SLSA", prov).build());
        anyProv = true;
      }
    }
    JsonObject s = sboms.build();
    JsonObject p = provs.build();
    if (!byPlatform) {
      s = anySbom ? s.object(s.keys().iterator().next()) : null;
      p = anyProv ? p.object(p.keys().iterator().next()) : null;
    }
    return doc.with("SBOM", anySbom ? s : JsonNull.INSTANCE)
        .with("Provenance", anyProv ? p : JsonNull.INSTANCE);
  }

  static JsonObject describe(ImageFinder.Found f) {
    return describe(f, f.image());
  }

  /**
   * A multi-platform image: its digest as Id, names, the platforms of its images in the store, the
   * index document itself, and one summary per image (what {@code --platform} would show).
   */
  static JsonObject describeIndex(ImageFinder.Found f, ImageIndex index) {
    List<Json> repoTags = new ArrayList<>();
    Set<String> repoDigests = new LinkedHashSet<>();
    for (String t : f.tags()) {
      repoTags.add(new JsonString(ImageFinder.familiar(t)));
      try {
        repoDigests.add(ImageReference.parse(t).familiarName() + "@" + f.entry().digest());
      } catch (IllegalArgumentException e) {
        // no repository digest for a ref name that is not a Docker reference
      }
    }
    List<Json> images = new ArrayList<>();
    for (Image i : f.platforms()) {
      images.add(
          JsonObject.builder()
              .put("Platform", i.platform() == null ? "" : i.platform().toString())
              .put("Digest", i.manifestDigest().toString())
              .put("Id", i.id().toString())
              .put("Created", i.config().created() == null ? "" : i.config().created())
              .put("Size", i.size())
              .build());
    }
    return JsonObject.builder()
        .put("Id", f.entry().digest().toString())
        .put("RepoTags", new JsonArray(repoTags))
        .put("RepoDigests", new JsonArray(repoDigests.stream().<Json>map(JsonString::new).toList()))
        .put("MediaType", f.entry().mediaType())
        .put("Platforms", Json.ofStrings(f.platformNames()))
        .put("Size", f.size())
        .put("Images", new JsonArray(images))
        .put("Index", index.toJson())
        .build();
  }

  static JsonObject describe(ImageFinder.Found f, Image image) {
    ImageConfig c = image.config();
    List<Json> repoTags = new ArrayList<>();
    Set<String> repoDigests = new LinkedHashSet<>();
    for (String t : f.tags()) {
      repoTags.add(new JsonString(ImageFinder.familiar(t)));
      try {
        repoDigests.add(ImageReference.parse(t).familiarName() + "@" + f.entry().digest());
      } catch (IllegalArgumentException e) {
        // a ref name that is not a Docker reference has no repository digest
      }
    }
    List<Json> diffIds = new ArrayList<>();
    for (Digest d : c.diffIds()) {
      diffIds.add(new JsonString(d.toString()));
    }
    JsonObject.Builder b =
        JsonObject.builder()
            .put("Id", image.id().toString())
            .put("RepoTags", new JsonArray(repoTags))
            .put(
                "RepoDigests",
                new JsonArray(repoDigests.stream().<Json>map(JsonString::new).toList()))
            .put("Parent", "")
            .put("Comment", lastComment(c))
            .put("Created", c.created() == null ? "" : c.created())
            .put("Author", c.author() == null ? "" : c.author())
            .put("Config", c.config() == null ? JsonNull.INSTANCE : c.config().json())
            .put("Architecture", c.architecture() == null ? "" : c.architecture())
            .putIfNotNull("Variant", c.variant())
            .put("Os", c.os() == null ? "" : c.os())
            .putIfNotNull("OsVersion", c.osVersion())
            .put("Size", image.size())
            .put(
                "RootFS",
                JsonObject.builder()
                    .put("Type", "layers")
                    .put("Layers", new JsonArray(diffIds))
                    .build())
            .put(
                "Metadata",
                JsonObject.builder()
                    .put("ManifestDigest", image.manifestDigest().toString())
                    .put("ManifestMediaType", image.manifestDescriptor().mediaType())
                    .put("ManifestSize", image.manifestDescriptor().size())
                    .build())
            .put("Manifest", image.manifest().toJson());
    return b.build();
  }

  private static String lastComment(ImageConfig c) {
    var h = c.historyOrEmpty();
    return h.isEmpty() || h.getLast().comment() == null ? "" : h.getLast().comment();
  }

  /** Runs a docker-style Go template ({@link GoTemplate}) over an image description. */
  static String render(String template, JsonObject doc) {
    try {
      return GoTemplate.parse(template).execute(doc);
    } catch (TemplateException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
  }
}
