package dev.jbuild.cli;

import dev.jbuild.builder.BuildFailure;
import dev.jbuild.builder.BuildRequest;
import dev.jbuild.builder.BuildResult;
import dev.jbuild.builder.Builder;
import dev.jbuild.builder.exec.RegistryImages;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.publish.CacheImport;
import dev.jbuild.builder.publish.Publication;
import dev.jbuild.builder.publish.PublishFailure;
import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.graph.UnknownTargetException;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.Runner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A build for the daemon's {@code POST /build}: the same engine call as {@code jbuild build} (the
 * Builder, the store's shared cache, the registries), from a context directory the daemon extracted
 * and docker's parameters. The Dockerfile is looked up inside the context only.
 */
public final class DaemonBuild {
  private DaemonBuild() {}

  /** docker's build parameters, already decoded. */
  public record Request(
      Path context,
      String dockerfile,
      List<String> tags,
      Map<String, String> buildArgs,
      String target,
      boolean noCache,
      boolean pull,
      Map<String, String> labels,
      List<String> platforms,
      List<String> cacheFrom,
      String networkMode,
      List<String> extraHosts,
      String shmSize,
      List<String> ulimits,
      CredentialStore auth) {}

  /** What the build made. */
  public record Result(String id, List<String> tags) {}

  public static Result build(
      Store store, Request r, Map<String, String> env, Progress progress, PrintWriter log)
      throws IOException, InterruptedException {
    for (String t : r.tags()) {
      RegistryCli.parseReference(t);
    }
    String mode = r.networkMode();
    Network net =
        NetworkOptions.parseBuildNetwork(
            mode == null || mode.isEmpty() || mode.equals("bridge") ? "default" : mode);
    boolean allowHostNetwork = NetworkOptions.allowsHostNetwork(List.of(), net);
    dev.jbuild.runner.RunSettings runSettings =
        RunSettingsSpecs.parse(false, r.extraHosts(), r.ulimits(), r.shmSize());
    List<Platform> platforms = new ArrayList<>();
    for (String p : r.platforms()) {
      platforms.add(RegistryCli.parsePlatform(p));
    }
    boolean platformGiven = !platforms.isEmpty();
    if (platforms.isEmpty()) {
      platforms.add(Platform.host());
    }
    List<CacheImport> from = new ArrayList<>();
    for (String c : r.cacheFrom()) {
      // an image of this store is cache already (the store's cache is shared by every build)
      if (new ImageFinder(store).tryFind(c).isEmpty()) {
        from.addAll(CacheSpecs.imports(List.of(c)));
      }
    }
    Publication publication =
        new Publication(
            from, Optional.empty(), List.of(), List.of(), List.of(), false, Optional.empty());
    Path ctx = r.context();
    String name = r.dockerfile();
    if (name == null || name.isEmpty()) {
      boolean containerfile =
          !Files.exists(ctx.resolve("Dockerfile"), LinkOption.NOFOLLOW_LINKS)
              && Files.exists(ctx.resolve("Containerfile"), LinkOption.NOFOLLOW_LINKS);
      name = containerfile ? "Containerfile" : "Dockerfile";
    }
    String text;
    try {
      text = DockerfileSource.fromContext(ctx, name, name);
    } catch (UserException e) {
      throw e;
    }
    Instant epoch = sourceDateEpoch(r.buildArgs(), env);
    BuildRequest req =
        new BuildRequest(
            Optional.of(ctx),
            name,
            text,
            Optional.of(ctx.resolve(name)),
            r.buildArgs(),
            Optional.ofNullable(r.target() == null || r.target().isEmpty() ? null : r.target()),
            r.tags(),
            r.labels(),
            r.noCache(),
            r.pull(),
            net,
            null,
            Map.of(),
            platforms,
            platformGiven,
            epoch,
            null,
            allowHostNetwork,
            publication,
            null,
            Map.of(),
            runSettings,
            java.util.Set.of(),
            null);
    try (var _ = store.lockShared();
        Registries registries = registries(env, r.auth(), log)) {
      Runner runner = Runner.create();
      Builder builder =
          new Builder(
              store, runner, new RegistryImages(store, registries), registries, Clock.systemUTC());
      BuildResult result;
      try (runner) {
        result = builder.build(req, progress, log);
      } catch (PublishFailure e) {
        throw RegistryCli.userError(e.getCause());
      } catch (DockerfileException e) {
        throw new UserException(ExitCodes.DOCKERFILE, e.render());
      } catch (UnknownTargetException e) {
        throw new UserException(ExitCodes.NOT_FOUND, e.getMessage());
      } catch (dev.jbuild.builder.errors.StepFailure f) {
        throw new UserException(ExitCodes.FAILED, f.getMessage(), f);
      } catch (BuildFailure f) {
        String msg = Failures.render(f, name, text);
        throw new UserException(
            ExitCodes.FAILED, msg.startsWith("jbuild: ") ? msg.substring(8) : msg, f);
      }
      return new Result(result.id().toString(), result.tags());
    } catch (NoSuchFileException e) {
      throw new UserException(ExitCodes.NOT_FOUND, "no such file or directory: " + e.getFile());
    }
  }

  private static Registries registries(
      Map<String, String> env, CredentialStore auth, PrintWriter log) {
    Registries own = RegistryCli.registries(env, log);
    if (auth == null) {
      return own;
    }
    return new Registries(own.config(), auth.orElse(own.credentials()));
  }

  private static Instant sourceDateEpoch(Map<String, String> args, Map<String, String> env) {
    String v = args.getOrDefault("SOURCE_DATE_EPOCH", env.get("SOURCE_DATE_EPOCH"));
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return LayerWriterOptions.parseSourceDateEpoch(v);
    } catch (IllegalArgumentException e) {
      throw new UserException(
          ExitCodes.USAGE, "invalid SOURCE_DATE_EPOCH \"" + v + "\": " + e.getMessage());
    }
  }
}
