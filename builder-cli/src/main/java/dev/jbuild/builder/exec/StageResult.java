package dev.jbuild.builder.exec;

import dev.jbuild.builder.core.StageState;
import dev.jbuild.grammar.graph.StageScope;
import java.util.Optional;

/**
 * A finished stage: what later stages see through FROM, COPY --from and RUN --mount from=.
 *
 * @param index the stage's position in the Dockerfile
 * @param name its name, if it has one
 * @param state its final config, layers and key
 * @param scope its ARG and ENV scope after its last instruction: a stage built FROM this one starts
 *     from it (BuildKit's dispatchState.init copies the base stage's build args and env)
 */
public record StageResult(int index, Optional<String> name, StageState state, StageScope scope) {}
