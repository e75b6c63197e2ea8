package dev.jbuild.grammar.dump;

import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.ArgDeclaration;
import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.CmdInstruction;
import dev.jbuild.grammar.instructions.Command;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.EntrypointInstruction;
import dev.jbuild.grammar.instructions.EnvInstruction;
import dev.jbuild.grammar.instructions.ExposeInstruction;
import dev.jbuild.grammar.instructions.FileInstruction;
import dev.jbuild.grammar.instructions.FromInstruction;
import dev.jbuild.grammar.instructions.GoDuration;
import dev.jbuild.grammar.instructions.HealthcheckInstruction;
import dev.jbuild.grammar.instructions.Heredoc;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.KeyValue;
import dev.jbuild.grammar.instructions.LabelInstruction;
import dev.jbuild.grammar.instructions.MaintainerInstruction;
import dev.jbuild.grammar.instructions.OnbuildInstruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.instructions.RunMount;
import dev.jbuild.grammar.instructions.ShellInstruction;
import dev.jbuild.grammar.instructions.StopsignalInstruction;
import dev.jbuild.grammar.instructions.UserInstruction;
import dev.jbuild.grammar.instructions.VolumeInstruction;
import dev.jbuild.grammar.instructions.WorkdirInstruction;
import dev.jbuild.grammar.json.JsonWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The text form of {@code jbuild parse}: one header line per stage, then one line per instruction
 * in Dockerfile syntax after expansion (RUN shows the argv it executes).
 */
public final class PlanText {
  private PlanText() {}

  public static String text(BuildPlan plan, PlanDump.Scope scope) {
    List<Stage> stages = scope == PlanDump.Scope.ALL ? plan.allStages() : plan.stages();
    Map<Integer, ExpandedStage> walked = ExpandedStage.walk(plan, stages);
    StringBuilder sb = new StringBuilder();
    var directives = plan.dockerfile().directives().values();
    if (!directives.isEmpty()) {
      StringJoiner j = new StringJoiner(", ", "directives: ", "\n");
      directives.forEach((k, v) -> j.add(k + "=" + v));
      sb.append(j);
    }
    for (ArgInstruction a : plan.dockerfile().globalArgs()) {
      sb.append(String.format("%4d  ", a.range().startLine()));
      StringJoiner j = new StringJoiner(" ", "ARG ", "");
      for (ArgDeclaration d : a.args()) {
        String v = plan.globalArgs().get(d.name());
        j.add(v == null ? d.name() : d.name() + "=" + quote(v));
      }
      sb.append(j).append("   (global)\n");
    }
    for (Stage s : stages) {
      sb.append('\n').append("stage ").append(s.index());
      s.name().ifPresent(n -> sb.append(" \"").append(n).append('"'));
      sb.append(": FROM ").append(s.base());
      switch (s.baseRef()) {
        case SourceRef.StageRef r -> sb.append(" (stage ").append(r.index()).append(')');
        case SourceRef.Scratch r -> sb.append(" (scratch)");
        case SourceRef.ImageRef r -> sb.append(" (image)");
      }
      s.platform().ifPresent(p -> sb.append(" platform=").append(p));
      if (!s.dependsOn().isEmpty()) {
        sb.append(", depends on ").append(s.dependsOn());
      }
      if (s.index() == plan.targetIndex()) {
        sb.append(", target");
      }
      sb.append('\n');
      ExpandedStage e = walked.get(s.index());
      for (int i = 0; i < e.expanded().size(); i++) {
        Instruction ins = e.expanded().get(i);
        var after = i + 1 < e.scopes().size() ? e.scopes().get(i + 1) : e.finalScope();
        String line =
            ins instanceof ArgInstruction a ? arg(a, after.args()) : render(ins, e.shells().get(i));
        sb.append(String.format("%4d  ", ins.range().startLine())).append(line).append('\n');
      }
    }
    if (scope == PlanDump.Scope.TARGET && !plan.pruned().isEmpty()) {
      sb.append("\npruned stages: ").append(plan.pruned()).append('\n');
    }
    return sb.toString();
  }

  private static String arg(ArgInstruction a, Map<String, String> values) {
    StringJoiner j = new StringJoiner(" ", "ARG ", "");
    for (ArgDeclaration d : a.args()) {
      String v = values.get(d.name());
      j.add(v == null ? d.name() : d.name() + "=" + quote(v));
    }
    return j.toString();
  }

  /** One expanded instruction in Dockerfile syntax; {@code shell} is the SHELL in effect. */
  static String render(Instruction ins, List<String> shell) {
    return switch (ins) {
      case FromInstruction f -> f.text();
      case RunInstruction r -> {
        StringBuilder sb = new StringBuilder("RUN ");
        for (RunMount m : r.mounts()) {
          sb.append("--mount=").append(m.spec()).append(' ');
        }
        r.network().ifPresent(v -> sb.append("--network=").append(v).append(' '));
        r.security().ifPresent(v -> sb.append("--security=").append(v).append(' '));
        sb.append(JsonWriter.compact(r.argv(shell)));
        yield sb.toString();
      }
      case CmdInstruction c -> "CMD " + command(c.command());
      case EntrypointInstruction c -> "ENTRYPOINT " + command(c.command());
      case ShellInstruction s -> "SHELL " + JsonWriter.compact(s.shell());
      case LabelInstruction l -> "LABEL " + pairs(l.labels());
      case EnvInstruction e -> "ENV " + pairs(e.variables());
      case MaintainerInstruction m -> "MAINTAINER " + m.maintainer();
      case ExposeInstruction x -> "EXPOSE " + String.join(" ", x.ports());
      case FileInstruction f -> files(f);
      case VolumeInstruction v -> "VOLUME " + JsonWriter.compact(v.volumes());
      case UserInstruction u -> "USER " + u.user();
      case WorkdirInstruction w -> "WORKDIR " + w.path();
      case StopsignalInstruction s -> "STOPSIGNAL " + s.signal();
      case OnbuildInstruction o -> "ONBUILD " + o.expression();
      case ArgInstruction a -> a.text();
      case HealthcheckInstruction h -> {
        if (h.isNone()) {
          yield "HEALTHCHECK NONE";
        }
        StringBuilder sb = new StringBuilder("HEALTHCHECK ");
        flag(sb, "interval", h.interval());
        flag(sb, "timeout", h.timeout());
        flag(sb, "start-period", h.startPeriod());
        flag(sb, "start-interval", h.startInterval());
        if (h.retries() > 0) {
          sb.append("--retries=").append(h.retries()).append(' ');
        }
        yield sb.append("CMD ").append(command(h.command().orElseThrow())).toString();
      }
    };
  }

  private static void flag(StringBuilder sb, String name, Duration d) {
    if (!d.isZero()) {
      sb.append("--").append(name).append('=').append(GoDuration.format(d)).append(' ');
    }
  }

  private static String command(Command c) {
    return switch (c) {
      case Command.ShellForm s -> s.text();
      case Command.ExecForm e -> JsonWriter.compact(e.args());
    };
  }

  private static String pairs(List<KeyValue> kvs) {
    StringJoiner j = new StringJoiner(" ");
    for (KeyValue kv : kvs) {
      j.add(quote(kv.key()) + "=" + quote(kv.value()));
    }
    return j.toString();
  }

  private static String files(FileInstruction f) {
    StringBuilder sb = new StringBuilder(f.keyword().name()).append(' ');
    if (f instanceof CopyInstruction c) {
      c.from().ifPresent(v -> sb.append("--from=").append(v).append(' '));
    }
    f.chown().ifPresent(v -> sb.append("--chown=").append(v).append(' '));
    f.chmod().ifPresent(v -> sb.append("--chmod=").append(v).append(' '));
    if (f.link()) {
      sb.append("--link ");
    }
    if (f instanceof CopyInstruction c && c.parents()) {
      sb.append("--parents ");
    }
    for (String e : f.excludes()) {
      sb.append("--exclude=").append(e).append(' ');
    }
    if (f instanceof AddInstruction a) {
      a.checksum().ifPresent(v -> sb.append("--checksum=").append(v).append(' '));
      if (a.keepGitDir()) {
        sb.append("--keep-git-dir ");
      }
      a.unpack().ifPresent(v -> sb.append("--unpack=").append(v).append(' '));
    }
    for (String s : f.sources()) {
      sb.append(quote(s)).append(' ');
    }
    for (Heredoc h : f.heredocs()) {
      sb.append("<<").append(h.name()).append(' ');
    }
    return sb.append(quote(f.destination())).toString();
  }

  private static String quote(String s) {
    boolean plain = !s.isEmpty();
    for (int i = 0; i < s.length() && plain; i++) {
      char c = s.charAt(i);
      plain = c > ' ' && c != '"' && c != '\'' && c != '\\' && c != '$' && c != '`';
    }
    if (plain) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    JsonWriter.string(sb, s);
    return sb.toString();
  }
}
