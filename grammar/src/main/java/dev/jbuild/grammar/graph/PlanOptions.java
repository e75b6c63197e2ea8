package dev.jbuild.grammar.graph;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a build plan depends on besides the Dockerfile.
 *
 * @param buildArgs {@code --build-arg} values (only declared ARGs use them, except the proxy ones)
 * @param target the stage to build; empty = the last stage
 * @param targetPlatform the platform the image is for (TARGETPLATFORM, TARGETOS, ...)
 * @param buildPlatform the platform building it (BUILDPLATFORM, BUILDOS, ...)
 * @param namedContexts the names of {@code --build-context}s: a stage of such a name is replaced by
 *     the context (buildx's rule), so FROM, {@code COPY --from} and {@code RUN --mount from=}
 *     naming it resolve to an {@link SourceRef.ImageRef} of the name, which the builder resolves to
 *     the context
 */
public record PlanOptions(
    Map<String, String> buildArgs,
    Optional<String> target,
    PlatformSpec targetPlatform,
    PlatformSpec buildPlatform,
    java.util.Set<String> namedContexts) {
  public PlanOptions {
    if (buildArgs == null
        || target == null
        || targetPlatform == null
        || buildPlatform == null
        || namedContexts == null) {
      throw new IllegalArgumentException("plan options must not be null");
    }
    buildArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    namedContexts = java.util.Set.copyOf(namedContexts);
  }

  /** Options without named contexts. */
  public PlanOptions(
      Map<String, String> buildArgs,
      Optional<String> target,
      PlatformSpec targetPlatform,
      PlatformSpec buildPlatform) {
    this(buildArgs, target, targetPlatform, buildPlatform, java.util.Set.of());
  }

  public PlanOptions withNamedContexts(java.util.Set<String> names) {
    return new PlanOptions(buildArgs, target, targetPlatform, buildPlatform, names);
  }

  /** Whether {@code name} (a stage name as written) is replaced by a named context. */
  public boolean overridden(String name) {
    return namedContexts.contains(name.toLowerCase(java.util.Locale.ROOT));
  }

  /** No build args, the last stage, host platform for both. */
  public static PlanOptions defaults() {
    return new PlanOptions(Map.of(), Optional.empty(), PlatformSpec.host(), PlatformSpec.host());
  }

  public PlanOptions withBuildArgs(Map<String, String> args) {
    return new PlanOptions(args, target, targetPlatform, buildPlatform, namedContexts);
  }

  public PlanOptions withTarget(String stage) {
    return new PlanOptions(
        buildArgs, Optional.ofNullable(stage), targetPlatform, buildPlatform, namedContexts);
  }

  public PlanOptions withTargetPlatform(PlatformSpec platform) {
    return new PlanOptions(buildArgs, target, platform, buildPlatform, namedContexts);
  }

  public PlanOptions withBuildPlatform(PlatformSpec platform) {
    return new PlanOptions(buildArgs, target, targetPlatform, platform, namedContexts);
  }

  /**
   * Parses {@code K=V} build-arg strings; {@code K} alone takes the value from {@code environment}
   * (as docker build does) and is skipped when the environment lacks it.
   */
  public static Map<String, String> parseBuildArgs(
      Iterable<String> specs, Map<String, String> environment) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String s : specs) {
      int eq = s.indexOf('=');
      if (eq == 0) {
        throw new IllegalArgumentException("invalid build-arg \"" + s + "\": empty name");
      }
      if (eq < 0) {
        String v = environment.get(s);
        if (v != null) {
          out.put(s, v);
        }
      } else {
        out.put(s.substring(0, eq), s.substring(eq + 1));
      }
    }
    return out;
  }
}
