package dev.jbuild.grammar.dump;

import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.graph.StageScope;
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
import dev.jbuild.grammar.instructions.RunInvocation;
import dev.jbuild.grammar.instructions.RunMount;
import dev.jbuild.grammar.instructions.ShellInstruction;
import dev.jbuild.grammar.instructions.StopsignalInstruction;
import dev.jbuild.grammar.instructions.UserInstruction;
import dev.jbuild.grammar.instructions.VolumeInstruction;
import dev.jbuild.grammar.instructions.WorkdirInstruction;
import dev.jbuild.grammar.json.JsonWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code jbuild parse} output: the plan's stages with every instruction expanded, as a JSON
 * tree (see grammar/README.md for the fields) or as text.
 */
public final class PlanDump {
  private PlanDump() {}

  /** Which stages to print. */
  public enum Scope {
    /** Every stage of the Dockerfile. */
    ALL,
    /** The stages the target needs. */
    TARGET
  }

  /** The canonical pretty JSON (stable key order). */
  public static String json(BuildPlan plan, Scope scope) {
    return JsonWriter.pretty(tree(plan, scope));
  }

  /**
   * The JSON tree: directives, globalArgs, target, stages (and pruned for {@link Scope#TARGET}).
   */
  public static Map<String, Object> tree(BuildPlan plan, Scope scope) {
    List<Stage> stages = scope == Scope.ALL ? plan.allStages() : plan.stages();
    Map<Integer, ExpandedStage> walked = ExpandedStage.walk(plan, stages);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("file", plan.dockerfile().fileName());
    root.put("directives", new LinkedHashMap<>(plan.dockerfile().directives().values()));
    List<Object> globals = new ArrayList<>();
    for (ArgInstruction a : plan.dockerfile().globalArgs()) {
      Map<String, Object> m = header(a);
      List<Object> args = new ArrayList<>();
      for (ArgDeclaration d : a.args()) {
        Map<String, Object> am = new LinkedHashMap<>();
        am.put("name", d.name());
        d.defaultValue().ifPresent(v -> am.put("default", v));
        am.put("value", plan.globalArgs().get(d.name()));
        args.add(am);
      }
      m.put("args", args);
      globals.add(m);
    }
    root.put("globalArgs", globals);
    root.put("target", plan.targetIndex());
    List<Object> out = new ArrayList<>();
    for (Stage s : stages) {
      out.add(stage(plan, s, walked.get(s.index())));
    }
    root.put("stages", out);
    if (scope == Scope.TARGET && !plan.pruned().isEmpty()) {
      root.put("pruned", plan.pruned());
    }
    return root;
  }

  private static Map<String, Object> stage(BuildPlan plan, Stage s, ExpandedStage e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", s.index());
    m.put("name", s.name().orElse(null));
    m.put("from", instruction(s.from(), null, null, null, -1));
    m.put("base", s.base());
    m.put("baseKind", s.baseKind().name().toLowerCase(Locale.ROOT));
    if (s.baseRef() instanceof SourceRef.StageRef r) {
      m.put("baseStage", r.index());
    }
    s.platform().ifPresent(p -> m.put("platform", p.toString()));
    m.put("dependsOn", s.dependsOn());
    List<Object> list = new ArrayList<>();
    for (int i = 0; i < s.instructions().size(); i++) {
      StageScope after = i + 1 < e.scopes().size() ? e.scopes().get(i + 1) : e.finalScope();
      list.add(instruction(e.expanded().get(i), s, e.shells().get(i), after, i));
    }
    m.put("instructions", list);
    return m;
  }

  private static Map<String, Object> header(Instruction i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("instruction", i.keyword().name());
    m.put("line", i.range().startLine());
    if (i.range().endLine() != i.range().startLine()) {
      m.put("endLine", i.range().endLine());
    }
    return m;
  }

  /**
   * One instruction; {@code stage}, {@code shell} and {@code after} give the context of stage
   * instructions (null for FROM and ONBUILD triggers).
   */
  private static Map<String, Object> instruction(
      Instruction ins, Stage stage, List<String> shell, StageScope after, int index) {
    Map<String, Object> m = header(ins);
    switch (ins) {
      case FromInstruction f -> {
        m.put("image", f.image());
        f.platform().ifPresent(p -> m.put("platform", p));
        f.stageName().ifPresent(n -> m.put("as", n));
      }
      case ArgInstruction a -> {
        List<Object> args = new ArrayList<>();
        for (ArgDeclaration d : a.args()) {
          Map<String, Object> am = new LinkedHashMap<>();
          am.put("name", d.name());
          d.defaultValue().ifPresent(v -> am.put("default", v));
          am.put("value", after == null ? null : after.args().get(d.name()));
          args.add(am);
        }
        m.put("args", args);
      }
      case RunInstruction r -> {
        command(m, r.command());
        if (!r.mounts().isEmpty()) {
          List<Object> mounts = new ArrayList<>();
          for (int k = 0; k < r.mounts().size(); k++) {
            mounts.add(mount(r.mounts().get(k), stage, index, k));
          }
          m.put("mounts", mounts);
        }
        r.network().ifPresent(v -> m.put("network", v));
        r.security().ifPresent(v -> m.put("security", v));
        if (!r.heredocs().isEmpty()) {
          m.put("heredocs", heredocs(r.heredocs()));
        }
        if (shell != null) {
          RunInvocation inv = r.invocation(shell);
          m.put("argv", inv.argv());
          if (!inv.files().isEmpty()) {
            List<Object> files = new ArrayList<>();
            for (RunInvocation.InlineFile f : inv.files()) {
              Map<String, Object> fm = new LinkedHashMap<>();
              fm.put("path", f.path());
              fm.put("mode", String.format("%04o", f.mode()));
              fm.put("content", f.content());
              files.add(fm);
            }
            m.put("files", files);
          }
        }
      }
      case CmdInstruction c -> command(m, c.command());
      case EntrypointInstruction c -> command(m, c.command());
      case ShellInstruction s -> m.put("shell", s.shell());
      case LabelInstruction l -> m.put("labels", pairs(l.labels()));
      case EnvInstruction e -> m.put("env", pairs(e.variables()));
      case MaintainerInstruction mt -> m.put("maintainer", mt.maintainer());
      case ExposeInstruction x -> {
        m.put("ports", x.ports());
        if (x.ports().stream().noneMatch(p -> p.indexOf('$') >= 0)) {
          m.put("exposed", x.exposedPorts());
        }
      }
      case FileInstruction f -> files(m, f, stage, index);
      case VolumeInstruction v -> m.put("volumes", v.volumes());
      case UserInstruction u -> m.put("user", u.user());
      case WorkdirInstruction w -> m.put("workdir", w.path());
      case StopsignalInstruction s -> m.put("signal", s.signal());
      case OnbuildInstruction o -> {
        m.put("expression", o.expression());
        m.put("trigger", instruction(o.trigger(), null, null, null, -1));
      }
      case HealthcheckInstruction h -> {
        m.put("test", h.test());
        duration(m, "interval", h.interval());
        duration(m, "timeout", h.timeout());
        duration(m, "startPeriod", h.startPeriod());
        duration(m, "startInterval", h.startInterval());
        if (h.retries() > 0) {
          m.put("retries", h.retries());
        }
      }
    }
    return m;
  }

  private static void duration(Map<String, Object> m, String key, Duration d) {
    if (!d.isZero()) {
      m.put(key, GoDuration.format(d));
    }
  }

  private static void command(Map<String, Object> m, Command c) {
    switch (c) {
      case Command.ShellForm s -> {
        m.put("form", "shell");
        m.put("command", s.text());
      }
      case Command.ExecForm e -> {
        m.put("form", "exec");
        m.put("command", e.args());
      }
    }
  }

  private static List<Object> pairs(List<KeyValue> kvs) {
    List<Object> out = new ArrayList<>();
    for (KeyValue kv : kvs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", kv.key());
      m.put("value", kv.value());
      out.add(m);
    }
    return out;
  }

  private static List<Object> heredocs(List<Heredoc> docs) {
    List<Object> out = new ArrayList<>();
    for (Heredoc h : docs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", h.name());
      m.put("expand", h.expand());
      if (h.chomp()) {
        m.put("chomp", true);
      }
      if (h.fd() != 0) {
        m.put("fd", h.fd());
      }
      m.put("content", h.body());
      out.add(m);
    }
    return out;
  }

  private static void files(Map<String, Object> m, FileInstruction f, Stage stage, int index) {
    m.put("sources", f.sources());
    if (!f.heredocs().isEmpty()) {
      m.put("heredocs", heredocs(f.heredocs()));
    }
    m.put("destination", f.destination());
    if (f instanceof CopyInstruction c) {
      c.from().ifPresent(v -> m.put("from", v));
      if (stage != null && index >= 0) {
        stage.copySource(index).ifPresent(ref -> ref(m, "fromRef", ref));
      }
    }
    f.chown().ifPresent(v -> m.put("chown", v));
    f.chmod().ifPresent(v -> m.put("chmod", v));
    if (f.link()) {
      m.put("link", true);
    }
    if (f instanceof CopyInstruction c && c.parents()) {
      m.put("parents", true);
    }
    if (!f.excludes().isEmpty()) {
      m.put("exclude", f.excludes());
    }
    if (f instanceof AddInstruction a) {
      a.checksum().ifPresent(v -> m.put("checksum", v));
      if (a.keepGitDir()) {
        m.put("keepGitDir", true);
      }
      a.unpack().ifPresent(v -> m.put("unpack", v));
    }
  }

  private static void ref(Map<String, Object> m, String key, SourceRef ref) {
    Map<String, Object> r = new LinkedHashMap<>();
    switch (ref) {
      case SourceRef.StageRef s -> r.put("stage", s.index());
      case SourceRef.Scratch s -> r.put("scratch", true);
      case SourceRef.ImageRef i -> r.put("image", i.reference());
    }
    m.put(key, r);
  }

  private static Map<String, Object> mount(RunMount mt, Stage stage, int index, int k) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", mt.type().id());
    mt.from().ifPresent(v -> m.put("from", v));
    if (stage != null && index >= 0) {
      Optional<SourceRef> ref = stage.mountSource(index, k);
      ref.ifPresent(r -> ref(m, "fromRef", r));
    }
    mt.source().ifPresent(v -> m.put("source", v));
    mt.target().ifPresent(v -> m.put("target", v));
    m.put("readonly", mt.readOnly());
    mt.id().ifPresent(v -> m.put("id", v));
    mt.sharing().ifPresent(v -> m.put("sharing", v.name().toLowerCase(Locale.ROOT)));
    mt.mode().ifPresent(v -> m.put("mode", String.format("%04o", v)));
    mt.uid().ifPresent(v -> m.put("uid", v));
    mt.gid().ifPresent(v -> m.put("gid", v));
    if (mt.required()) {
      m.put("required", true);
    }
    mt.size().ifPresent(v -> m.put("size", v));
    mt.env().ifPresent(v -> m.put("env", v));
    return m;
  }
}
