package dev.jbuild.builder.exec;

import dev.jbuild.builder.BuildFailure;
import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.cache.MissExplainer;
import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Step;
import dev.jbuild.builder.steps.StepFactory;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.graph.StageScope;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.instructions.RunMount;
import dev.jbuild.layercache.model.ContainerConfig;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.runner.Network;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds one stage: resolves its base, replays the base's ONBUILD triggers, then walks its
 * instructions, expanding each with the stage scope and running it through the {@link
 * StepExecutor}.
 */
public final class StageBuilder {
  private final BuildPlan plan;
  private final Stage stage;
  private final BuildServices services;
  private final StepExecutor executor;
  private final StepFactory factory;
  private final ImageResolver images;
  private final AtomicInteger ids;
  private final boolean pull;
  private final String platformLabel;
  private final boolean platformExplicit;

  public StageBuilder(
      BuildPlan plan,
      Stage stage,
      BuildServices services,
      StepExecutor executor,
      ImageResolver images,
      AtomicInteger ids,
      boolean pull) {
    this(plan, stage, services, executor, images, ids, pull, "", false);
  }

  /**
   * @param platformLabel shown before the stage in step labels and kept apart in the miss
   *     explainer's positions (the target platform in a multi-platform build, else empty)
   * @param platformExplicit whether a platform was asked for (--platform, or FROM --platform): a
   *     base image of another platform is then an error, else a warning
   */
  public StageBuilder(
      BuildPlan plan,
      Stage stage,
      BuildServices services,
      StepExecutor executor,
      ImageResolver images,
      AtomicInteger ids,
      boolean pull,
      String platformLabel,
      boolean platformExplicit) {
    this.platformLabel = platformLabel;
    this.platformExplicit = platformExplicit || stage.platform().isPresent();
    this.plan = plan;
    this.stage = stage;
    this.services = services;
    this.executor = executor;
    this.factory = new StepFactory(services);
    this.images = images;
    this.ids = ids;
    this.pull = pull;
  }

  private String label(int k) {
    int total = stage.instructions().size() + 1;
    String prefix = platformLabel.isEmpty() ? "" : platformLabel + " ";
    return plan.stages().size() > 1
        ? "[" + prefix + stage.displayName() + " " + k + "/" + total + "]"
        : "[" + prefix + k + "/" + total + "]";
  }

  /** The final scopes of the stages of this build, by index (waiting for the stage to finish). */
  @FunctionalInterface
  public interface StageScopes {
    StageScope finalScope(int stageIndex) throws StepFailure, InterruptedException;
  }

  private StageScopes baseScopes;

  /**
   * Where a stage built FROM another stage finds that stage's final ARG and ENV scope (BuildKit's
   * dispatchState.init: the base stage's build args and env carry over). Without it, such a stage
   * starts from the base's config env alone.
   */
  public StageBuilder inheritingScopes(StageScopes scopes) {
    this.baseScopes = scopes;
    return this;
  }

  private boolean ignoreCache;

  private boolean readByOthers;

  /**
   * Another stage reads this one although the plan does not say so (a stage the plan pruned, built
   * for an ONBUILD trigger that names it): its last layer is kept for them.
   */
  public StageBuilder readByOthers(boolean read) {
    this.readByOthers = read;
    return this;
  }

  /**
   * {@code --no-cache-filter} names this stage: its RUN steps are not taken from the cache
   * (BuildKit's IgnoreCache on the stage's RUN ops); the steps after a re-run one run as after any
   * miss, and other stages keep their cache.
   */
  public StageBuilder ignoringCache(boolean ignore) {
    this.ignoreCache = ignore;
    return this;
  }

  /** Whether this stage asked the runner to start the network ahead (once is enough). */
  private boolean networkHinted;

  public StageResult build() throws BuildFailure, StepFailure, InterruptedException {
    BaseImage base;
    try {
      base = base();
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      int line = stage.from().range().startLine();
      throw failure(new Step(0, label(1), stage.from().text()), line, line, e);
    }
    StageState state = new StageState(base.config(), base.layers(), base.key(), false);
    prefetchIfTarget(state);
    ContainerConfig cc = base.config().configOrEmpty();
    StageScope scope =
        stage.baseRef() instanceof SourceRef.StageRef ref && baseScopes != null
            ? baseScopes.finalScope(ref.index())
            : plan.scope(stage, cc.env() == null ? List.of() : cc.env());
    StepFactory.StageFlags flags = new StepFactory.StageFlags();

    List<String> triggers = cc.onBuild();
    if (triggers != null && !triggers.isEmpty()) {
      state = state.withConfig(state.config().withConfig(c -> c.withOnBuild(null)));
      for (int t = 0; t < triggers.size(); t++) {
        Instruction raw =
            Dockerfiles.parseTrigger(triggers.get(t), "ONBUILD trigger of " + stage.base());
        Instruction in = scope.expand(raw);
        Optional<SourceRef> from =
            in instanceof CopyInstruction c ? c.from().map(this::byName) : Optional.empty();
        List<Optional<SourceRef>> mounts = mountsByName(in);
        var step = factory.create(in, scope, state, flags, from, mounts);
        scope = scope.apply(raw);
        Step shown = new Step(ids.incrementAndGet(), label(1), "ONBUILD " + raw.text());
        try {
          state = executor.run(step, state, shown, position("onbuild" + t), true);
        } catch (InterruptedException e) {
          throw e;
        } catch (Exception e) {
          int line = stage.from().range().startLine();
          throw failure(shown, line, line, e);
        }
      }
    }

    List<Instruction> instructions = stage.instructions();
    for (int i = 0; i < instructions.size(); i++) {
      Instruction raw = instructions.get(i);
      Instruction in = scope.expand(raw);
      List<Optional<SourceRef>> mounts = new ArrayList<>();
      if (in instanceof RunInstruction r) {
        for (int m = 0; m < r.mounts().size(); m++) {
          mounts.add(stage.mountSource(i, m));
        }
      }
      var step = factory.create(in, scope, state, flags, stage.copySource(i), mounts);
      scope = scope.apply(raw);
      Step shown = new Step(ids.incrementAndGet(), label(i + 2), raw.text());
      try {
        boolean later = i < instructions.size() - 1 || usedByOthers();
        // a miss before a RUN on the private network: that RUN will run too (its key chains on
        // this step's), so the runner starts its network while this step executes
        Runnable onMiss =
            !networkHinted && runsOnPrivateNetwork(i + 1)
                ? () -> {
                  networkHinted = true;
                  WritePrelink.start();
                  services.runner().expect(services.store(), Network.PRIVATE);
                }
                : WritePrelink::start;
        state =
            executor.run(
                step,
                state,
                shown,
                position(Integer.toString(i)),
                later,
                onMiss,
                ignoreCache && in instanceof RunInstruction);
        prefetchIfTarget(state);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw failure(shown, raw.range().startLine(), raw.range().endLine(), e);
      }
    }
    return new StageResult(stage.index(), stage.name(), state.complete(), scope);
  }

  /**
   * The target stage's layers all go into the image, which the store holds whole: those a cache hit
   * or a lazily resolved base left remote start downloading now, while the other stages run, rather
   * than when the image is written.
   */
  private void prefetchIfTarget(StageState state) {
    if (stage.index() == plan.targetIndex()) {
      try {
        services.store().remote().prefetch(state.layers().stream().map(l -> l.blob()).toList());
      } catch (IOException e) {
        // only a head start: writing the image fetches them and reports what fails
      }
    }
  }

  private static BuildFailure failure(Step shown, int line, int endLine, Exception e) {
    if (e instanceof BuildFailure b) {
      return b;
    }
    List<String> last = e instanceof StepFailure f ? f.lastLines() : List.of();
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new BuildFailure(shown.title(), line, endLine, msg, last, e);
  }

  /** True when another stage of the build reads this one (FROM, COPY --from, mount from=). */
  private boolean usedByOthers() {
    if (readByOthers) {
      return true;
    }
    for (Stage s : plan.stages()) {
      if (s.index() != stage.index() && s.dependsOn().contains(stage.index())) {
        return true;
      }
    }
    return false;
  }

  private String position(String where) {
    return stagePosition(platformLabel, stage.index()) + "/" + where;
  }

  /**
   * The part of a step's position that names its stage (what {@link StepExecutor#keysOfStage}
   * groups keys by).
   */
  public static String stagePosition(String platformLabel, int stageIndex) {
    String p = MissExplainer.position(stageIndex, "");
    p = p.substring(0, p.length() - 1);
    return platformLabel.isEmpty() ? p : platformLabel + "\0" + p;
  }

  private BaseImage base() throws IOException, StepFailure, InterruptedException {
    // instanceof, not a pattern switch: its bootstrap spins a class on every run (README, Start-up)
    SourceRef ref = stage.baseRef();
    if (ref instanceof SourceRef.StageRef s) {
      BaseImage b = services.sources().resolve(s);
      Digest key = new KeyBuilder("stage").put("stage", b.key().toString()).digest();
      return new BaseImage(b.config(), b.layers(), key, Optional.empty());
    }
    if (!(ref instanceof SourceRef.ImageRef r)) {
      return StoreImages.scratch(services.platform());
    }
    Step shown = new Step(ids.incrementAndGet(), label(1), "FROM " + r.reference());
    Progress progress = executor.progress();
    if (runsOnPrivateNetwork() && !images.pullsLazily()) {
      // a pull means the stage's RUN steps will run: the runner starts their network meanwhile
      // (not a lazy pull, of a build importing a cache: its steps are likely all cached)
      progress =
          new PullStartHint(
              progress,
              shown,
              () -> {
                WritePrelink.start();
                services.runner().expect(services.store(), Network.PRIVATE);
              });
    }
    BaseImage b = images.resolve(r.reference(), services.platform(), pull, progress, shown);
    checkPlatform(r.reference(), b);
    return b;
  }

  /** Whether a RUN step of this stage may use the build's private network. */
  private boolean runsOnPrivateNetwork() {
    return runsOnPrivateNetwork(0);
  }

  /** Whether a RUN step of this stage from instruction {@code from} on may use the network. */
  private boolean runsOnPrivateNetwork(int from) {
    if (services.network() != Network.PRIVATE) {
      return false;
    }
    List<Instruction> all = stage.instructions();
    for (Instruction in : all.subList(Math.min(from, all.size()), all.size())) {
      if (in instanceof RunInstruction r
          && !r.network().map(n -> n.equals("none") || n.equals("host")).orElse(false)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A base image must be of the stage's platform (as BuildKit's resolver, which picks the
   * platform's manifest and refuses an image without it); a single-platform image of another
   * platform is used, with a warning, only when no platform was asked for (as docker build).
   */
  private void checkPlatform(String reference, BaseImage b) throws StepFailure {
    dev.jbuild.layercache.model.Platform has;
    try {
      has = b.config().platform();
    } catch (RuntimeException e) {
      return; // a config without os or architecture: nothing to compare
    }
    dev.jbuild.layercache.model.Platform want = services.platform().normalize();
    dev.jbuild.layercache.model.Platform h = has.normalize();
    boolean same =
        h.os().equals(want.os())
            && h.architecture().equals(want.architecture())
            && (want.variant() == null
                || h.variant() == null
                || want.variant().equals(h.variant()));
    if (same) {
      return;
    }
    if (platformExplicit) {
      throw dev.jbuild.builder.errors.BuildErrors.wrongBasePlatform(reference, want, has);
    }
    executor
        .progress()
        .message(
            "warning: image "
                + reference
                + " is for "
                + has
                + ", not for the build's platform "
                + want
                + " (no --platform given: using it)");
  }

  /** An ONBUILD trigger's --from: a stage by index or name (as BuildKit), else an image. */
  private SourceRef byName(String from) {
    if (from.equalsIgnoreCase("scratch")) {
      return new SourceRef.Scratch();
    }
    if (from.chars().allMatch(Character::isDigit) && !from.isEmpty()) {
      int i = Integer.parseInt(from);
      if (i < stage.index()) {
        return new SourceRef.StageRef(i);
      }
    }
    String lower = from.toLowerCase(Locale.ROOT);
    SourceRef found = null;
    for (Stage s : plan.allStages()) {
      if (s.index() < stage.index() && s.name().map(lower::equals).orElse(false)) {
        found = new SourceRef.StageRef(s.index());
      }
    }
    return found != null ? found : new SourceRef.ImageRef(from);
  }

  private List<Optional<SourceRef>> mountsByName(Instruction in) {
    List<Optional<SourceRef>> out = new ArrayList<>();
    if (in instanceof RunInstruction r) {
      for (RunMount m : r.mounts()) {
        out.add(m.from().map(this::byName));
      }
    }
    return out;
  }
}
