package dev.jbuild.builder.exec;

import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Step;
import dev.jbuild.layercache.model.Platform;
import java.io.IOException;

/** Finds the image a FROM or --from names: in the store, or pulled from its registry. */
public interface ImageResolver {
  /**
   * Resolves {@code reference} for {@code platform}.
   *
   * @param pull re-resolve in the registry even when the store has the name
   * @param shown the progress step to report on (cached when the store had it)
   */
  BaseImage resolve(
      String reference, Platform platform, boolean pull, Progress progress, Step shown)
      throws IOException, StepFailure, InterruptedException;

  /**
   * True when a pull fetches no layers ({@link RegistryImages} in a build importing a cache): it
   * then says nothing about the stage's RUN steps running, which are likely cached.
   */
  default boolean pullsLazily() {
    return false;
  }
}
