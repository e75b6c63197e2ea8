package dev.jbuild.cli;

import dev.jbuild.grammar.SourceRange;
import dev.jbuild.grammar.checks.Comments;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.graph.StageScope;
import dev.jbuild.grammar.instructions.ArgDeclaration;
import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.instructions.RunMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --call outline} from the stage graph (BuildKit's dockerfile2llb outline): the target, its
 * description, the build args it uses (the global ARGs its stages' FROM lines use and every ARG its
 * stages declare, a stage's declaration winning over the global one), the secrets and SSH agents
 * its RUN mounts ask for; each sorted by line.
 */
record Outline(
    String name, String description, List<Arg> args, List<Mount> secrets, List<Mount> ssh) {

  record Arg(String name, String value, String description, SourceRange at) {}

  record Mount(String name, boolean required, SourceRange at) {}

  static Outline of(BuildPlan plan, Comments docs) {
    Stage target = plan.target();
    Map<String, Arg> args = new LinkedHashMap<>();
    Map<String, Mount> secrets = new LinkedHashMap<>();
    Map<String, Mount> ssh = new LinkedHashMap<>();
    Map<String, ArgInstruction> globals = new LinkedHashMap<>();
    for (ArgInstruction a : plan.dockerfile().globalArgs()) {
      for (ArgDeclaration d : a.args()) {
        globals.put(d.name(), a);
      }
    }
    char escape = plan.dockerfile().escape();
    for (Stage s : plan.stages()) {
      Set<String> used =
          dev.jbuild.grammar.checks.VarRefs.of(
              s.from().image() + " " + s.from().platform().orElse(""), escape);
      for (String name : used) {
        ArgInstruction a = globals.get(name);
        if (a != null && !args.containsKey(name)) {
          String v = plan.globalArgs().get(name);
          args.put(
              name,
              new Arg(name, v == null ? "" : v, docs.of(a.range().startLine(), name), a.range()));
        }
      }
      StageScope scope = plan.scope(s, List.of());
      for (Instruction i : s.instructions()) {
        scope = scope.apply(i);
        if (i instanceof ArgInstruction a) {
          for (ArgDeclaration d : a.args()) {
            String v = scope.lookup(d.name());
            args.put(
                d.name(),
                new Arg(
                    d.name(),
                    v == null ? "" : v,
                    docs.of(a.range().startLine(), d.name()),
                    a.range()));
          }
        } else if (i instanceof RunInstruction r) {
          for (RunMount m : r.mounts()) {
            if (m.type() == RunMount.Type.SECRET) {
              secrets.putIfAbsent(
                  m.effectiveId(), new Mount(m.effectiveId(), m.required(), r.range()));
            } else if (m.type() == RunMount.Type.SSH) {
              ssh.putIfAbsent(m.effectiveId(), new Mount(m.effectiveId(), m.required(), r.range()));
            }
          }
        }
      }
    }
    List<Arg> argList = new ArrayList<>(args.values());
    argList.sort((x, y) -> Integer.compare(x.at().startLine(), y.at().startLine()));
    List<Mount> secretList = new ArrayList<>(secrets.values());
    secretList.sort((x, y) -> Integer.compare(x.at().startLine(), y.at().startLine()));
    List<Mount> sshList = new ArrayList<>(ssh.values());
    sshList.sort((x, y) -> Integer.compare(x.at().startLine(), y.at().startLine()));
    String name = target.name().orElse("");
    return new Outline(
        name, docs.of(target.from().range().startLine(), name), argList, secretList, sshList);
  }
}
