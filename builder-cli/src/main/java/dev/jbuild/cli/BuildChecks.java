package dev.jbuild.cli;

import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.checks.BaseEnv;
import dev.jbuild.grammar.checks.CheckOptions;
import dev.jbuild.grammar.checks.Checks;
import dev.jbuild.grammar.checks.Rule;
import dev.jbuild.grammar.checks.Warning;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.PlatformSpec;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.ignore.Dockerignore;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The build checks of one build, as the CLI runs them: the grammar's rules ({@link Checks}) with
 * the base images' Env from the store (an image not in the store is not guessed at: UndefinedVar
 * skips its stages), the context's .dockerignore (CopyIgnoredFile), and InvalidBaseImagePlatform
 * (the stored base image's platform against the stage's), filtered by {@code # check=} / {@code
 * BUILDKIT_DOCKERFILE_CHECK}.
 *
 * @param options the check options in effect
 * @param warnings the violations of rules not skipped, by line
 * @param plan the plan they were computed on
 */
record BuildChecks(CheckOptions options, List<Warning> warnings, BuildPlan plan, String text) {

  /** The inputs of a check run. */
  record Request(
      String dockerfileName,
      String dockerfileText,
      Optional<Path> context,
      Optional<Path> dockerfilePath,
      Map<String, String> buildArgs,
      Optional<String> target,
      Platform platform,
      Set<String> namedContexts) {}

  /** The options only (parses the Dockerfile; cheap). */
  static CheckOptions options(Request req) {
    Dockerfile df = Dockerfiles.parse(req.dockerfileName(), req.dockerfileText());
    return CheckOptions.of(df, req.buildArgs());
  }

  /**
   * Runs the checks.
   *
   * @param allStages every stage (--check without --target), else only those the target needs
   */
  static BuildChecks run(Store store, Request req, boolean allStages) throws IOException {
    Dockerfile df = Dockerfiles.parse(req.dockerfileName(), req.dockerfileText());
    CheckOptions options = CheckOptions.of(df, req.buildArgs());
    PlatformSpec target = PlatformSpec.parse(req.platform().toString());
    BuildPlan plan =
        BuildGraph.plan(
            df,
            PlanOptions.defaults()
                .withBuildArgs(req.buildArgs())
                .withTarget(req.target().orElse(null))
                .withTargetPlatform(target)
                .withBuildPlatform(PlatformSpec.host())
                .withNamedContexts(req.namedContexts()));
    if (options.skipAll()) {
      return new BuildChecks(options, List.of(), plan, req.dockerfileText());
    }
    Map<String, ImageConfig> configs = new HashMap<>();
    List<Warning> all = new ArrayList<>();
    for (Stage s : allStages ? plan.allStages() : plan.stages()) {
      if (s.baseKind() != Stage.BaseKind.IMAGE || req.namedContexts().contains(s.base())) {
        continue;
      }
      Platform expected =
          s.platform().isPresent() ? Platform.parse(s.platform().get().toString()) : req.platform();
      ImageConfig c = stored(store, s.base(), expected);
      if (c == null) {
        continue;
      }
      configs.put(s.base(), c);
      Platform actual = c.platform();
      if (actual != null
          && (!actual.os().equals(expected.os())
              || !actual.architecture().equals(expected.architecture()))) {
        all.add(
            new Warning(
                Rule.INVALID_BASE_IMAGE_PLATFORM,
                "Base image "
                    + s.base()
                    + " was pulled with platform \""
                    + actual.normalize()
                    + "\", expected \""
                    + expected.normalize()
                    + "\" for current build",
                s.from().range()));
      }
    }
    Optional<Dockerignore> ignore = Optional.empty();
    if (req.context().isPresent()) {
      Path ctx = req.context().get();
      ignore =
          Optional.of(
              Dockerignore.forContext(
                  ctx, req.dockerfilePath().orElse(ctx.resolve(req.dockerfileName()))));
    }
    all.addAll(Checks.run(plan, req.dockerfileText(), allStages, new StoredEnv(configs), ignore));
    List<Warning> sorted = new ArrayList<>(all);
    Checks.sortByLine(sorted);
    return new BuildChecks(options, options.filter(sorted), plan, req.dockerfileText());
  }

  /** The config of a stored image for {@code platform}, or null (not stored, unreadable). */
  private static ImageConfig stored(Store store, String reference, Platform platform) {
    try {
      Optional<Descriptor> d = store.images().resolve(reference);
      if (d.isEmpty()) {
        return null;
      }
      return store.images().image(d.get(), platform).config();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Base image Env from the configs found in the store. */
  private record StoredEnv(Map<String, ImageConfig> configs) implements BaseEnv {
    @Override
    public Optional<List<String>> of(String reference) {
      ImageConfig c = configs.get(reference);
      if (c == null) {
        return Optional.empty();
      }
      var cc = c.config();
      List<String> env = cc == null ? null : cc.env();
      return Optional.of(env == null ? List.of() : env);
    }
  }
}
