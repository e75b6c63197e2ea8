package dev.jbuild.grammar.dump;

import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.graph.StageScope;
import dev.jbuild.grammar.instructions.Command;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.ShellInstruction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stage walked the way a build walks it, without images: each instruction expanded with the scope
 * before it. A stage built on an earlier stage starts from that stage's final env and SHELL; a
 * stage on an image starts from an empty env and /bin/sh -c (the image's own ENV is unknown here,
 * so variables it would define expand as unset).
 *
 * @param scopes the scope before each instruction
 * @param shells the SHELL in effect before each instruction
 */
record ExpandedStage(
    Stage stage,
    List<Instruction> expanded,
    List<StageScope> scopes,
    List<List<String>> shells,
    StageScope finalScope,
    List<String> finalShell) {

  static Map<Integer, ExpandedStage> walk(BuildPlan plan, List<Stage> stages) {
    Map<Integer, ExpandedStage> done = new HashMap<>();
    for (Stage s : stages) {
      walk(plan, s, done);
    }
    return done;
  }

  /**
   * Walks {@code stage} after the chain of stages it is based on (iteratively: chains are long).
   */
  private static ExpandedStage walk(BuildPlan plan, Stage stage, Map<Integer, ExpandedStage> done) {
    ArrayDeque<Stage> chain = new ArrayDeque<>();
    Stage s = stage;
    while (!done.containsKey(s.index())) {
      chain.push(s);
      if (s.baseRef() instanceof SourceRef.StageRef ref && ref.index() < s.index()) {
        s = plan.allStages().get(ref.index());
      } else {
        break;
      }
    }
    while (!chain.isEmpty()) {
      walkOne(plan, chain.pop(), done);
    }
    return done.get(stage.index());
  }

  private static ExpandedStage walkOne(
      BuildPlan plan, Stage stage, Map<Integer, ExpandedStage> done) {
    List<String> shell = Command.DEFAULT_SHELL;
    StageScope scope;
    if (stage.baseRef() instanceof SourceRef.StageRef ref && ref.index() < stage.index()) {
      // BuildKit's dispatchState.init: the base stage's build args and env carry over
      ExpandedStage base = done.get(ref.index());
      scope = base.finalScope();
      shell = base.finalShell();
    } else {
      scope = plan.scope(stage, List.of());
    }
    List<Instruction> expanded = new ArrayList<>();
    List<StageScope> scopes = new ArrayList<>();
    List<List<String>> shells = new ArrayList<>();
    for (Instruction i : stage.instructions()) {
      scopes.add(scope);
      shells.add(shell);
      expanded.add(scope.expand(i));
      scope = scope.apply(i);
      if (i instanceof ShellInstruction sh) {
        shell = sh.shell();
      }
    }
    ExpandedStage e = new ExpandedStage(stage, expanded, scopes, shells, scope, shell);
    done.put(stage.index(), e);
    return e;
  }
}
