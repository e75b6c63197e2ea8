package dev.jbuild.cli;

import dev.jbuild.builder.progress.Progress;
import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.checks.CheckOptions;
import dev.jbuild.grammar.checks.Comments;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.PlatformSpec;
import dev.jbuild.grammar.graph.UnknownTargetException;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code jbuild build --call check|outline|targets} (and {@code --check}): evaluates the Dockerfile
 * without building (no runner, nothing written to the store), and the build's own use of the
 * checks: {@code # check=error=true} stops the build before it starts, warnings are printed after
 * it.
 */
final class Calls {
  private Calls() {}

  /** {@code jbuild build --call ...}: the command's own options, no runner. */
  static int run(BuildCommand cmd, CallOptions.CallFunc fn) throws IOException {
    Map<String, String> env = cmd.root.env();
    Map<String, String> args;
    try {
      args = PlanOptions.parseBuildArgs(cmd.buildArgs, env);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
    Platform platform =
        cmd.platforms.isEmpty()
            ? Platform.host()
            : RegistryCli.parsePlatform(cmd.platforms.get(0).split(",", -1)[0].strip());
    Set<String> named =
        cmd.buildContexts.isEmpty()
            ? Set.of()
            : BuildContextSpecs.parse(cmd.buildContexts).keySet();
    PrintWriter out = cmd.spec.commandLine().getOut();
    try (Store store = Store.open(cmd.root.storeRoot());
        var _ = store.lockShared()) {
      BuildCommand.Inputs inputs =
          BuildCommand.Inputs.read(
              cmd.context, cmd.file, store, cmd.root.stdin(), cmd.root.isClientCall());
      return run(store, inputs, fn, args, Optional.ofNullable(cmd.target), platform, named, out);
    } catch (NoSuchFileException e) {
      throw new UserException(ExitCodes.NOT_FOUND, "no such file or directory: " + e.getFile());
    }
  }

  /** Runs a call function; the exit code is buildx's (1 when check finds a violation). */
  static int run(
      Store store,
      BuildCommand.Inputs inputs,
      CallOptions.CallFunc fn,
      Map<String, String> args,
      Optional<String> target,
      Platform platform,
      Set<String> namedContexts,
      PrintWriter out)
      throws IOException {
    BuildChecks.Request req = request(inputs, args, target, platform, namedContexts);
    try {
      switch (fn.name()) {
        case "check" -> {
          BuildChecks checks = BuildChecks.run(store, req, target.isEmpty());
          out.print(
              fn.json()
                  ? CallOutput.checkJson(
                      checks.warnings(), inputs.dockerfileName(), inputs.dockerfileText())
                  : CallOutput.checkText(checks.warnings(), inputs.dockerfileText()));
          out.flush();
          return checks.warnings().isEmpty() || fn.ignoreStatus() ? ExitCodes.OK : ExitCodes.FAILED;
        }
        case "outline" -> {
          BuildPlan plan = plan(req);
          Comments docs = new Comments(plan.dockerfile(), inputs.dockerfileText());
          out.print(CallOutput.outline(Outline.of(plan, docs), fn.json(), inputs.dockerfileText()));
        }
        default -> {
          BuildPlan plan = plan(req);
          Comments docs = new Comments(plan.dockerfile(), inputs.dockerfileText());
          out.print(CallOutput.targets(plan, docs, fn.json(), inputs.dockerfileText()));
        }
      }
      out.flush();
      return ExitCodes.OK;
    } catch (DockerfileException e) {
      throw new UserException(ExitCodes.DOCKERFILE, e.render());
    } catch (UnknownTargetException e) {
      throw new UserException(ExitCodes.NOT_FOUND, e.getMessage());
    } catch (NoSuchFileException e) {
      throw new UserException(ExitCodes.NOT_FOUND, "no such file or directory: " + e.getFile());
    }
  }

  static BuildChecks.Request request(
      BuildCommand.Inputs inputs,
      Map<String, String> args,
      Optional<String> target,
      Platform platform,
      Set<String> namedContexts) {
    return new BuildChecks.Request(
        inputs.dockerfileName(),
        inputs.dockerfileText(),
        inputs.context(),
        inputs.dockerfilePath(),
        args,
        target,
        platform,
        namedContexts);
  }

  private static BuildPlan plan(BuildChecks.Request req) {
    Dockerfile df = Dockerfiles.parse(req.dockerfileName(), req.dockerfileText());
    return BuildGraph.plan(
        df,
        PlanOptions.defaults()
            .withBuildArgs(req.buildArgs())
            .withTarget(req.target().orElse(null))
            .withTargetPlatform(PlatformSpec.parse(req.platform().toString()))
            .withBuildPlatform(PlatformSpec.host())
            .withNamedContexts(req.namedContexts()));
  }

  /**
   * Before a build: the check options (a bad {@code # check=} is an error), and with {@code
   * error=true} the checks themselves, failing as BuildKit does ("lint violation found for rules:
   * ...") before anything is built.
   */
  static CheckOptions beforeBuild(Store store, BuildChecks.Request req, PrintWriter err)
      throws IOException {
    CheckOptions options;
    try {
      options = BuildChecks.options(req);
      if (!options.error() || options.skipAll()) {
        return options;
      }
      BuildChecks checks = BuildChecks.run(store, req, false);
      Optional<String> failure = options.failure(checks.warnings());
      if (failure.isPresent()) {
        CallOutput.afterBuild(err, checks.warnings());
        throw new UserException(ExitCodes.FAILED, failure.get());
      }
      return options;
    } catch (DockerfileException e) {
      throw new UserException(ExitCodes.DOCKERFILE, e.render());
    }
  }

  /** After a build: the warnings, as buildx prints them (not with quiet or rawjson progress). */
  static void afterBuild(
      Store store,
      BuildChecks.Request req,
      CheckOptions options,
      Progress.Mode mode,
      PrintWriter err) {
    if (options.skipAll() || mode == Progress.Mode.QUIET || mode == Progress.Mode.RAWJSON) {
      return;
    }
    try {
      CallOutput.afterBuild(err, BuildChecks.run(store, req, false).warnings());
    } catch (IOException | RuntimeException e) {
      err.println("warning: build checks failed: " + e.getMessage());
      err.flush();
    }
  }
}
