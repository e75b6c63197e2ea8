package dev.jbuild.builder.steps;

import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.graph.StageScope;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.CmdInstruction;
import dev.jbuild.grammar.instructions.Command;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.EntrypointInstruction;
import dev.jbuild.grammar.instructions.EnvInstruction;
import dev.jbuild.grammar.instructions.ExposeInstruction;
import dev.jbuild.grammar.instructions.FromInstruction;
import dev.jbuild.grammar.instructions.HealthcheckInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.KeyValue;
import dev.jbuild.grammar.instructions.LabelInstruction;
import dev.jbuild.grammar.instructions.MaintainerInstruction;
import dev.jbuild.grammar.instructions.OnbuildInstruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.instructions.ShellInstruction;
import dev.jbuild.grammar.instructions.StopsignalInstruction;
import dev.jbuild.grammar.instructions.UserInstruction;
import dev.jbuild.grammar.instructions.VolumeInstruction;
import dev.jbuild.grammar.instructions.WorkdirInstruction;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.ContainerConfig;
import dev.jbuild.layercache.model.HealthConfig;
import dev.jbuild.layercache.model.ImageConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Turns an expanded instruction into its {@link Step}, with Docker's effect on the config and the
 * history text BuildKit writes for it.
 */
public final class StepFactory {
  private final BuildServices services;

  /** Per-stage memory the config semantics need (an ENTRYPOINT resets an inherited CMD). */
  public static final class StageFlags {
    boolean cmdSet;
  }

  public StepFactory(BuildServices services) {
    this.services = services;
  }

  /**
   * The step for {@code in}.
   *
   * @param scope the stage scope before the instruction (for RUN's environment)
   * @param copyFrom where COPY --from reads, when it has one
   * @param mountFrom for each RUN mount, where its from= points, when it has one
   */
  public Step<?> create(
      Instruction in,
      StageScope scope,
      StageState state,
      StageFlags flags,
      Optional<SourceRef> copyFrom,
      List<Optional<SourceRef>> mountFrom)
      throws StepFailure {
    ContainerConfig cc = state.config().configOrEmpty();
    List<String> shell =
        cc.shell() == null || cc.shell().isEmpty() ? Command.DEFAULT_SHELL : cc.shell();
    return switch (in) {
      case RunInstruction r -> {
        List<String> runEnv = scope.runEnv();
        Map<String, String> proxies = scope.proxyEnv();
        List<String> keyEnv =
            runEnv.stream()
                .filter(
                    e -> !proxies.containsKey(e.contains("=") ? e.substring(0, e.indexOf('=')) : e))
                .toList();
        List<String> argv = r.argv(shell);
        yield new RunStep(
            r,
            shell,
            runEnv,
            keyEnv,
            cc.user(),
            cc.workingDir(),
            mountFrom,
            scope.runCreatedBy(argv),
            services);
      }
      case CopyInstruction c -> new CopyStep(c, cc.workingDir(), copyFrom, services);
      case AddInstruction a -> new CopyStep(a, cc.workingDir(), Optional.empty(), services);
      case WorkdirInstruction w ->
          new WorkdirStep(WorkdirStep.resolve(cc.workingDir(), w.path()), cc.user(), services);
      case ArgInstruction a ->
          meta(
              "arg",
              "ARG " + a.args().stream().map(Object::toString).collect(Collectors.joining(" ")),
              c -> c);
      case EnvInstruction e ->
          meta(
              "env",
              "ENV " + pairs(e.variables()),
              c -> {
                ImageConfig out = c;
                for (KeyValue kv : e.variables()) {
                  out = out.withEnv(kv.key(), kv.value());
                }
                return out;
              });
      case LabelInstruction l ->
          meta(
              "label",
              "LABEL " + pairs(l.labels()),
              c -> {
                ImageConfig out = c;
                for (KeyValue kv : l.labels()) {
                  out = out.withLabel(kv.key(), kv.value());
                }
                return sorted(out, "Labels");
              });
      case MaintainerInstruction m ->
          meta("maintainer", "MAINTAINER " + m.maintainer(), c -> c.withAuthor(m.maintainer()));
      case ExposeInstruction x -> {
        List<String> ports = x.exposedPorts();
        yield meta(
            "expose",
            "EXPOSE " + String.join(" ", ports),
            c -> {
              ImageConfig out = c;
              for (String p : ports) {
                out = out.withExposedPort(p);
              }
              return sorted(out, "ExposedPorts");
            });
      }
      case VolumeInstruction v ->
          meta(
              "volume",
              "VOLUME " + HistoryText.plainList(v.volumes()),
              c -> {
                ImageConfig out = c;
                for (String p : v.volumes()) {
                  out = out.withVolume(p);
                }
                return sorted(out, "Volumes");
              });
      case UserInstruction u -> meta("user", "USER " + u.user(), c -> c.withUser(u.user()));
      case CmdInstruction c -> {
        List<String> argv = c.command().argv(shell);
        flags.cmdSet = true;
        yield meta(
            "cmd",
            "CMD " + HistoryText.quotedList(argv),
            cfg -> cfg.withCmd(argv).withArgsEscaped(true));
      }
      case EntrypointInstruction e -> {
        List<String> argv = e.command().argv(shell);
        boolean resetCmd = !flags.cmdSet;
        yield meta(
            "entrypoint",
            "ENTRYPOINT " + HistoryText.quotedList(argv),
            cfg -> {
              // As docker build: ENTRYPOINT leaves ArgsEscaped alone (only CMD sets it) and drops
              // an inherited Cmd unless this stage set one.
              ImageConfig out = cfg.withEntrypoint(argv);
              return resetCmd ? out.withConfig(x -> x.without("Cmd")) : out;
            });
      }
      case ShellInstruction s ->
          meta("shell", "SHELL " + HistoryText.quotedList(s.shell()), c -> c.withShell(s.shell()));
      case StopsignalInstruction s ->
          meta("stopsignal", "STOPSIGNAL " + s.signal(), c -> c.withStopSignal(s.signal()));
      case HealthcheckInstruction h ->
          meta("healthcheck", healthText(h), c -> c.withHealthcheck(health(h)));
      case OnbuildInstruction o ->
          meta(
              "onbuild",
              "ONBUILD " + o.expression(),
              c -> c.withConfig(x -> x.withAddedOnBuild(o.expression())));
      case FromInstruction f -> throw BuildErrors.notAStep("FROM");
    };
  }

  /**
   * Labels, ExposedPorts and Volumes are maps in Docker's config, which Go writes with sorted keys:
   * keep them sorted so the config reads (and hashes) the same as docker build's.
   */
  public static ImageConfig sorted(ImageConfig config, String member) {
    return config.withConfig(
        c -> {
          if (!(c.json().get(member) instanceof JsonObject m)) {
            return c;
          }
          JsonObject.Builder b = JsonObject.builder();
          new java.util.TreeMap<>(m.members()).forEach(b::put);
          return c.with(member, b.build());
        });
  }

  private static MetadataStep meta(String kind, String text, UnaryOperator<ImageConfig> change) {
    return new MetadataStep(kind, text, text, change);
  }

  private static String pairs(List<KeyValue> kvs) {
    List<String> out = new ArrayList<>();
    for (KeyValue kv : kvs) {
      out.add(kv.key() + "=" + kv.value());
    }
    return String.join(" ", out);
  }

  static HealthConfig health(HealthcheckInstruction h) {
    if (h.isNone()) {
      return HealthConfig.none();
    }
    return HealthConfig.of(
        h.test(),
        nonZero(h.interval()),
        nonZero(h.timeout()),
        nonZero(h.startPeriod()),
        nonZero(h.startInterval()),
        h.retries() == 0 ? null : h.retries());
  }

  private static Duration nonZero(Duration d) {
    return d == null || d.isZero() ? null : d;
  }

  private static String healthText(HealthcheckInstruction h) {
    if (h.isNone()) {
      return "HEALTHCHECK NONE";
    }
    StringBuilder b = new StringBuilder("HEALTHCHECK");
    appendDuration(b, "interval", h.interval());
    appendDuration(b, "timeout", h.timeout());
    appendDuration(b, "start-period", h.startPeriod());
    appendDuration(b, "start-interval", h.startInterval());
    if (h.retries() != 0) {
      b.append(" --retries=").append(h.retries());
    }
    return b.append(' ').append(HistoryText.quotedList(h.test())).toString();
  }

  private static void appendDuration(StringBuilder b, String name, Duration d) {
    if (d != null && !d.isZero()) {
      b.append(" --").append(name).append('=').append(d.toMillis()).append("ms");
    }
  }
}
