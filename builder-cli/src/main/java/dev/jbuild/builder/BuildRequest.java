package dev.jbuild.builder;

import dev.jbuild.builder.publish.Publication;
import dev.jbuild.builder.run.Secrets;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.runner.Network;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a build needs to know.
 *
 * @param context the build context directory; empty when the Dockerfile came alone (stdin)
 * @param dockerfileName how messages name the Dockerfile (the path as the user gave it)
 * @param dockerfileText the Dockerfile
 * @param dockerfilePath where the Dockerfile is on disk (for {@code <name>.dockerignore}), if it is
 * @param buildArgs {@code --build-arg} values
 * @param target the stage to build; empty = the last one
 * @param tags names for the result
 * @param labels {@code --label} values, added to the image's labels
 * @param noCache ignore cached steps (they are still recorded)
 * @param pull re-resolve base images in registries even when the store has them
 * @param network the network of RUN steps
 * @param secrets {@code --secret} values
 * @param sshAgents {@code --ssh} agent sockets by id
 * @param platforms the target platforms (more than one: one image each, under an image index)
 * @param platformGiven whether --platform was given (else the target is this machine's and a base
 *     image of another single platform is used with a warning)
 * @param sourceDateEpoch SOURCE_DATE_EPOCH, or null
 * @param runtime the OCI runtime
 * @param allowHostNetwork whether RUN --network=host may use the host's network (BuildKit's {@code
 *     network.host} entitlement: {@code --allow network.host} or {@code --network host})
 * @param publication what happens besides the store: cache import, ID file, exports, push, cache
 *     export
 * @param annotations {@code --annotation} values, written into the manifests and the index
 * @param namedContexts {@code --build-context} values by name (as given: lower case)
 * @param runSettings the sandbox settings of every RUN; {@code insecure} = the security.insecure
 *     entitlement ({@code --allow security.insecure})
 * @param noCacheFilter {@code --no-cache-filter}: the stages (names, lower case) whose RUN steps
 *     are not taken from the cache (BuildKit's IgnoreCache on their RUN ops)
 * @param attestations what the images' attestation manifests hold ({@code --attest}, {@code
 *     --provenance}, {@code --sbom}); with any, a single image is stored under an index too
 */
public record BuildRequest(
    Optional<Path> context,
    String dockerfileName,
    String dockerfileText,
    Optional<Path> dockerfilePath,
    Map<String, String> buildArgs,
    Optional<String> target,
    List<String> tags,
    Map<String, String> labels,
    boolean noCache,
    boolean pull,
    Network network,
    Secrets secrets,
    Map<String, Path> sshAgents,
    List<Platform> platforms,
    boolean platformGiven,
    Instant sourceDateEpoch,
    Path runtime,
    boolean allowHostNetwork,
    Publication publication,
    Annotations annotations,
    Map<String, dev.jbuild.builder.core.NamedContext> namedContexts,
    dev.jbuild.runner.RunSettings runSettings,
    java.util.Set<String> noCacheFilter,
    dev.jbuild.builder.attest.Attestations attestations) {
  public BuildRequest {
    runSettings = runSettings == null ? dev.jbuild.runner.RunSettings.DEFAULT : runSettings;
    noCacheFilter =
        noCacheFilter == null ? java.util.Set.of() : java.util.Set.copyOf(noCacheFilter);
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(dockerfileName, "dockerfileName");
    Objects.requireNonNull(dockerfileText, "dockerfileText");
    Objects.requireNonNull(dockerfilePath, "dockerfilePath");
    buildArgs = Map.copyOf(buildArgs);
    Objects.requireNonNull(target, "target");
    tags = List.copyOf(tags);
    labels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
    network = network == null ? Network.PRIVATE : network;
    secrets = secrets == null ? Secrets.none() : secrets;
    sshAgents = Map.copyOf(sshAgents);
    platforms = List.copyOf(new java.util.LinkedHashSet<>(platforms));
    if (platforms.isEmpty()) {
      throw new IllegalArgumentException("a build needs a platform");
    }
    runtime = runtime == null ? Path.of("runc") : runtime;
    allowHostNetwork |= network == Network.HOST;
    publication = publication == null ? Publication.none() : publication;
    annotations = annotations == null ? Annotations.none() : annotations;
    namedContexts = namedContexts == null ? Map.of() : Map.copyOf(namedContexts);
    attestations =
        attestations == null ? dev.jbuild.builder.attest.Attestations.none() : attestations;
  }

  /**
   * Whether {@code --no-cache-filter} names {@code stageName} (case-insensitively, as BuildKit).
   */
  public boolean noCacheFor(Optional<String> stageName) {
    return stageName.isPresent()
        && noCacheFilter.contains(stageName.get().toLowerCase(java.util.Locale.ROOT));
  }

  /** The first target platform (the only one of a single-platform build). */
  public Platform platform() {
    return platforms.getFirst();
  }
}
