package dev.jbuild.builder.core;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.run.CacheMounts;
import dev.jbuild.builder.run.Secrets;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunSettings;
import dev.jbuild.runner.Runner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the steps of one build share.
 *
 * @param store the store layers, records and images go to
 * @param runner runs RUN steps
 * @param context the build context (empty when the Dockerfile came alone on stdin)
 * @param secrets the build's --secret values
 * @param cacheMounts RUN --mount=type=cache directories
 * @param sshAgents --ssh sockets by id
 * @param network the network RUN steps get unless they say otherwise
 * @param allowHostNetwork whether RUN --network=host is granted (BuildKit's network.host)
 * @param runtime the OCI runtime binary
 * @param platform the platform of the stage's steps (FROM --platform, else the build's target)
 * @param sourceDateEpoch SOURCE_DATE_EPOCH, or null
 * @param clock the time of new history entries when SOURCE_DATE_EPOCH is unset
 * @param sources resolves COPY --from and RUN --mount from= to a stage or an image
 * @param runSettings the sandbox settings of every RUN (--add-host, --ulimit, --shm-size); their
 *     {@code insecure} is the security.insecure entitlement: a step runs insecure only when it asks
 *     ({@code RUN --security=insecure})
 */
public record BuildServices(
    Store store,
    Runner runner,
    Optional<BuildContext> context,
    Secrets secrets,
    CacheMounts cacheMounts,
    Map<String, Path> sshAgents,
    Network network,
    boolean allowHostNetwork,
    Path runtime,
    Platform platform,
    Instant sourceDateEpoch,
    Clock clock,
    SourceResolver sources,
    RunSettings runSettings) {

  public BuildServices {
    runSettings = runSettings == null ? RunSettings.DEFAULT : runSettings;
  }

  /** Services with Docker's default sandbox settings (no entitlement, no extra host or limit). */
  public BuildServices(
      Store store,
      Runner runner,
      Optional<BuildContext> context,
      Secrets secrets,
      CacheMounts cacheMounts,
      Map<String, Path> sshAgents,
      Network network,
      boolean allowHostNetwork,
      Path runtime,
      Platform platform,
      Instant sourceDateEpoch,
      Clock clock,
      SourceResolver sources) {
    this(
        store,
        runner,
        context,
        secrets,
        cacheMounts,
        sshAgents,
        network,
        allowHostNetwork,
        runtime,
        platform,
        sourceDateEpoch,
        clock,
        sources,
        null);
  }

  /** These services for a stage of {@code stagePlatform}, resolving sources with {@code r}. */
  public BuildServices withPlatform(Platform stagePlatform, SourceResolver r) {
    return new BuildServices(
        store,
        runner,
        context,
        secrets,
        cacheMounts,
        sshAgents,
        network,
        allowHostNetwork,
        runtime,
        stagePlatform,
        sourceDateEpoch,
        clock,
        r,
        runSettings);
  }

  /** These services reading {@code other} as the build context (a named context's stage). */
  public BuildServices withContext(BuildContext other) {
    return new BuildServices(
        store,
        runner,
        Optional.of(other),
        secrets,
        cacheMounts,
        sshAgents,
        network,
        allowHostNetwork,
        runtime,
        platform,
        sourceDateEpoch,
        clock,
        sources,
        runSettings);
  }

  /** The time stamped on what this build creates. */
  public Instant now() {
    return sourceDateEpoch != null ? sourceDateEpoch : clock.instant();
  }

  /** Resolves a {@code --from} value. */
  @FunctionalInterface
  public interface SourceResolver {
    /** The stage (waiting for it to finish), image or scratch that {@code ref} names. */
    BaseImage resolve(dev.jbuild.grammar.graph.SourceRef ref)
        throws IOException, StepFailure, InterruptedException;
  }

  /** The build context, or a clear error for a step that needs one. */
  public BuildContext requireContext(String what) throws StepFailure {
    return context.orElseThrow(() -> BuildErrors.needsContext(what));
  }
}
