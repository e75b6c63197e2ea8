package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.layercache.model.ImageConfig;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An instruction that only changes the config (ENV, LABEL, CMD, USER, EXPOSE, ...): no layer, one
 * history entry with {@code empty_layer}.
 *
 * @param kind the key kind
 * @param canonical the expanded instruction as it enters the key
 * @param createdBy the history text
 * @param change what it does to the config
 */
public record MetadataStep(
    String kind, String canonical, String createdBy, UnaryOperator<ImageConfig> change)
    implements Step<Step.Nothing> {
  public MetadataStep {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(canonical, "canonical");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(change, "change");
  }

  @Override
  public Nothing prepare(KeyBuilder key, StageState state) {
    key.put("instruction", canonical);
    return Nothing.INSTANCE;
  }

  @Override
  public boolean recordsHistory() {
    return !kind.equals("onbuild");
  }

  @Override
  public ImageConfig apply(ImageConfig config) {
    return change.apply(config);
  }
}
