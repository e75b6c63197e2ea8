package dev.jbuild.builder.attest;

import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.exec.ImageResolver;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Step;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link ImageResolver} that remembers every image the build resolved (FROM, {@code COPY
 * --from}, {@code RUN --mount from=}), for provenance's materials: the reference as written, the
 * platform, the manifest digest.
 */
public final class Materials implements ImageResolver {
  /** One resolved image. */
  public record Material(String reference, Platform platform, Digest manifest) {}

  private final ImageResolver inner;
  private final List<Material> seen = new CopyOnWriteArrayList<>();

  public Materials(ImageResolver inner) {
    this.inner = inner;
  }

  @Override
  public boolean pullsLazily() {
    return inner.pullsLazily();
  }

  @Override
  public BaseImage resolve(
      String reference, Platform platform, boolean pull, Progress progress, Step shown)
      throws IOException, StepFailure, InterruptedException {
    BaseImage b = inner.resolve(reference, platform, pull, progress, shown);
    b.manifest().ifPresent(m -> seen.add(new Material(reference, platform, m)));
    return b;
  }

  /**
   * The images resolved for {@code target}, and those resolved for a platform that is none of the
   * build's targets (a {@code FROM --platform=$BUILDPLATFORM} stage), once each, in order.
   */
  public List<Material> of(Platform target, List<Platform> targets) {
    List<Material> out = new ArrayList<>();
    for (Material m : seen) {
      boolean mine = m.platform().equals(target) || !targets.contains(m.platform());
      if (mine && !out.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }
}
