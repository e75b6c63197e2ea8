package dev.jbuild.builder.attest;

import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.Platform;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The SLSA provenance v0.2 predicate BuildKit writes by default, with its field names and values
 * where jbuild has the same facts: {@code buildType} BuildKit's, {@code invocation} with the
 * Dockerfile frontend's parameters, {@code materials} the images the build resolved (a {@code
 * pkg:docker} purl of the reference as written, with its manifest digest) and the build context (a
 * digest of its visible files), {@code metadata} with the start and finish times and completeness.
 * Both modes record the target in {@code invocation.parameters.args}; {@code mode=max} adds the
 * build arguments ({@code build-arg:K}) and labels ({@code label:K}), which {@code mode=min} leaves
 * out (then {@code completeness.parameters} is false, as BuildKit's {@code scrubMinRequest} says),
 * the Dockerfile itself (BuildKit's {@code source.infos}) and {@code buildConfig}: each stage
 * built, with its base and its instructions.
 */
final class Provenance {
  private Provenance() {}

  static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v0.2";
  static final String BUILD_TYPE = "https://mobyproject.org/buildkit@v1";

  /** What one platform's provenance says. */
  record Input(
      Attestations.Mode mode,
      String dockerfileName,
      String dockerfileText,
      Map<String, String> buildArgs,
      Map<String, String> labels,
      Optional<String> target,
      Platform platform,
      List<Materials.Material> images,
      Optional<Digest> context,
      BuildPlan plan,
      Instant started,
      Instant finished) {}

  static JsonObject predicate(Input in) {
    boolean max = in.mode() == Attestations.Mode.MAX;
    List<Json> materials = new ArrayList<>();
    for (Materials.Material m : in.images()) {
      materials.add(
          JsonObject.builder()
              .put("uri", imagePurl(m.reference(), m.platform()))
              .put("digest", digest(m.manifest()))
              .build());
    }
    in.context()
        .ifPresent(
            d ->
                materials.add(
                    JsonObject.builder().put("uri", "context").put("digest", digest(d)).build()));
    JsonObject.Builder params =
        JsonObject.builder()
            .put("frontend", "dockerfile.v0")
            .put(
                "locals",
                JsonArray.of(
                    JsonObject.builder().put("name", "context").build(),
                    JsonObject.builder().put("name", "dockerfile").build()));
    // the frontend's arguments as BuildKit records them: the Dockerfile's name is the config
    // source's entry point, not an argument; mode=min leaves out the build arguments and labels
    // (and then says the parameters are incomplete), mode=max keeps them
    Map<String, String> args = new TreeMap<>();
    in.target().ifPresent(t -> args.put("target", t));
    boolean scrubbed = !in.buildArgs().isEmpty() || !in.labels().isEmpty();
    if (max) {
      in.buildArgs().forEach((k, v) -> args.put("build-arg:" + k, v));
      in.labels().forEach((k, v) -> args.put("label:" + k, v));
    }
    if (!args.isEmpty()) {
      JsonObject.Builder a = JsonObject.builder();
      args.forEach(a::put);
      params.put("args", a.build());
    }
    JsonObject invocation =
        JsonObject.builder()
            .put(
                "configSource", JsonObject.builder().put("entryPoint", in.dockerfileName()).build())
            .put("parameters", params.build())
            .put(
                "environment",
                JsonObject.builder().put("platform", in.platform().toString()).build())
            .build();
    JsonObject.Builder metadata =
        JsonObject.builder()
            .put("buildStartedOn", time(in.started()))
            .put("buildFinishedOn", time(in.finished()))
            .put(
                "completeness",
                JsonObject.builder()
                    .put("parameters", max || !scrubbed)
                    .put("environment", true)
                    .put("materials", false)
                    .build())
            .put("reproducible", false);
    if (max) {
      metadata.put(
          BUILD_TYPE + "#metadata",
          JsonObject.builder()
              .put(
                  "source",
                  JsonObject.builder()
                      .put(
                          "infos",
                          JsonArray.of(
                              JsonObject.builder()
                                  .put("filename", in.dockerfileName())
                                  .put("language", "Dockerfile")
                                  .put(
                                      "data",
                                      Base64.getEncoder()
                                          .encodeToString(
                                              in.dockerfileText().getBytes(StandardCharsets.UTF_8)))
                                  .build()))
                      .build())
              .build());
    }
    JsonObject.Builder out =
        JsonObject.builder()
            .put("builder", JsonObject.builder().put("id", "").build())
            .put("buildType", BUILD_TYPE)
            .put("materials", new JsonArray(materials))
            .put("invocation", invocation)
            .put("metadata", metadata.build());
    if (max) {
      out.put("buildConfig", buildConfig(in.plan()));
    }
    return out.build();
  }

  /** Each stage the target needed, with its base and instructions as written. */
  private static JsonObject buildConfig(BuildPlan plan) {
    List<Json> stages = new ArrayList<>();
    for (Stage s : plan.stages()) {
      List<String> steps = new ArrayList<>();
      for (Instruction i : s.instructions()) {
        steps.add(i.text());
      }
      stages.add(
          JsonObject.builder()
              .put("id", "stage" + s.index())
              .putIfNotNull("name", s.name().orElse(null))
              .put("base", s.base())
              .put("steps", Json.ofStrings(steps))
              .build());
    }
    return JsonObject.builder().put("stages", new JsonArray(stages)).build();
  }

  /**
   * BuildKit's material URI of an image: {@code pkg:docker/debian@bookworm?platform=linux%2Famd64}.
   */
  static String imagePurl(String reference, Platform platform) {
    String name = reference;
    String version = null;
    try {
      ImageReference r = ImageReference.parse(reference);
      name = r.familiarName();
      version = r.tag() != null ? r.tag() : r.digest() != null ? r.digest().toString() : "latest";
    } catch (IllegalArgumentException e) {
      // a name the resolver found in the store under another spelling: kept as written
    }
    int slash = name.lastIndexOf('/');
    String ns = slash < 0 ? null : name.substring(0, slash);
    String n = slash < 0 ? name : name.substring(slash + 1);
    return new Pkg(
            "docker", ns, n, version, Pkg.qualifier("platform", platform.toString()), null, null)
        .purl();
  }

  private static JsonObject digest(Digest d) {
    return JsonObject.builder().put(d.algorithm(), d.hex()).build();
  }

  private static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
