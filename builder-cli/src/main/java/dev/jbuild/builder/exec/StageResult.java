package dev.jbuild.builder.exec;

import dev.jbuild.builder.core.StageState;
import java.util.Optional;

/**
 * A finished stage: what later stages see through FROM, COPY --from and RUN --mount from=.
 *
 * @param index the stage's position in the Dockerfile
 * @param name its name, if it has one
 * @param state its final config, layers and key
 */
public record StageResult(int index, Optional<String> name, StageState state) {}
