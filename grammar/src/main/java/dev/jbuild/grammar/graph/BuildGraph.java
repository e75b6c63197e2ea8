package dev.jbuild.grammar.graph;

import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.Messages;
import dev.jbuild.grammar.SourceRange;
import dev.jbuild.grammar.StageDefinition;
import dev.jbuild.grammar.Syntax;
import dev.jbuild.grammar.instructions.ArgDeclaration;
import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.instructions.RunMount;
import dev.jbuild.grammar.shell.Env;
import dev.jbuild.grammar.shell.ExpansionException;
import dev.jbuild.grammar.shell.WordExpander;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds a {@link BuildPlan}: evaluates the global ARGs, expands FROM lines, resolves stage
 * references and prunes what the target does not need, with BuildKit's rules:
 *
 * <ul>
 *   <li>FROM names an earlier stage only by its exact (lower-case) name; a later or unknown name is
 *       an image reference, so {@code FROM node AS node} works. {@code scratch} is the empty base.
 *   <li>{@code COPY --from}: all digits (optionally signed) = a stage index, which must exist
 *       ("invalid stage index N"); otherwise a stage name (case-insensitive; when names repeat the
 *       last stage with that name wins, as in BuildKit); otherwise {@code scratch}; otherwise an
 *       image reference. jbuild expands {@code --from} with the global ARGs (BuildKit takes it
 *       literally, so this accepts more).
 *   <li>{@code RUN --mount from=}: a stage name, else an image reference (no index lookup, no
 *       variables: BuildKit's rules).
 *   <li>A stage referring to itself, or a cycle, is "circular dependency detected on stage: X"; a
 *       needed stage referring to a later stage is BuildKit's "cannot copy from stage ..., it needs
 *       to be defined before current stage ..." (a stage can only depend on earlier ones). Both
 *       name file:line:col of the offending instruction.
 *   <li>An unknown {@code --target} throws {@link UnknownTargetException}.
 * </ul>
 */
public final class BuildGraph {
  private static final Pattern INDEX = Pattern.compile("[+-]?[0-9]+");

  private BuildGraph() {}

  public static BuildPlan plan(Dockerfile dockerfile, PlanOptions options) {
    Syntax.enforce(dockerfile, options.buildArgs());
    Expander lex = new Expander(WordExpander.of(dockerfile.escape()), new ExpansionBudget());
    Map<String, String> meta =
        new LinkedHashMap<>(
            PredefinedArgs.platform(options.targetPlatform(), options.buildPlatform()));
    for (ArgInstruction arg : dockerfile.globalArgs()) {
      for (ArgDeclaration d : arg.args()) {
        String value = options.buildArgs().get(d.name());
        if (value == null && d.defaultValue().isPresent()) {
          value = expand(lex, d.defaultValue().get(), meta, arg);
        }
        if (value != null) {
          meta.put(d.name(), value);
        }
      }
    }

    List<StageDefinition> defs = dockerfile.stages();
    Map<String, Integer> byName = new HashMap<>();
    List<String> bases = new ArrayList<>();
    List<SourceRef> baseRefs = new ArrayList<>();
    List<Optional<PlatformSpec>> platforms = new ArrayList<>();
    for (StageDefinition def : defs) {
      var from = def.from();
      String base = expand(lex, from.image(), meta, from);
      if (base.isEmpty()) {
        throw error(from, Messages.blankBaseName(from.image()));
      }
      Optional<PlatformSpec> platform = Optional.empty();
      if (from.platform().isPresent()) {
        String p = expand(lex, from.platform().get(), meta, from);
        if (p.isEmpty()) {
          throw error(from, Messages.emptyPlatform(from.platform().get()));
        }
        try {
          platform = Optional.of(PlatformSpec.parse(p));
        } catch (IllegalArgumentException e) {
          throw error(from, Messages.invalidPlatform(p, e.getMessage()));
        }
      }
      Integer stage = options.overridden(base) ? null : byName.get(base);
      SourceRef ref =
          stage != null
              ? new SourceRef.StageRef(stage)
              : base.equals("scratch") ? new SourceRef.Scratch() : new SourceRef.ImageRef(base);
      bases.add(base);
      baseRefs.add(ref);
      platforms.add(platform);
      if (from.stageName().isPresent()) {
        byName.put(from.stageName().get(), def.index());
      }
    }

    int target = defs.size() - 1;
    if (options.target().isPresent()) {
      Integer t = byName.get(options.target().get().toLowerCase(Locale.ROOT));
      if (t == null) {
        throw new UnknownTargetException(
            Messages.unknownTarget(options.target().get(), byName.keySet()));
      }
      target = t;
    }

    List<List<Stage.Dependency>> deps = new ArrayList<>();
    for (StageDefinition def : defs) {
      List<Stage.Dependency> list = new ArrayList<>();
      List<Instruction> body = def.instructions();
      for (int i = 0; i < body.size(); i++) {
        Instruction ins = body.get(i);
        if (ins instanceof CopyInstruction copy && copy.from().isPresent()) {
          String from = expand(lex, copy.from().get(), meta, copy);
          list.add(
              new Stage.Dependency(
                  i,
                  -1,
                  from,
                  options.overridden(from)
                      ? new SourceRef.ImageRef(from)
                      : resolveCopyFrom(from, byName, defs, copy)));
        } else if (ins instanceof RunInstruction run) {
          for (int m = 0; m < run.mounts().size(); m++) {
            RunMount mount = run.mounts().get(m);
            if (mount.from().isPresent()) {
              String from = mount.from().get();
              Integer s =
                  options.overridden(from) ? null : byName.get(from.toLowerCase(Locale.ROOT));
              SourceRef ref =
                  s != null
                      ? new SourceRef.StageRef(s)
                      : from.equals("scratch")
                          ? new SourceRef.Scratch()
                          : new SourceRef.ImageRef(from);
              list.add(new Stage.Dependency(i, m, from, ref));
            }
          }
        }
      }
      deps.add(list);
    }

    checkCycles(defs, deps);

    List<Stage> all = new ArrayList<>(defs.size());
    for (StageDefinition def : defs) {
      int i = def.index();
      TreeSet<Integer> on = new TreeSet<>();
      if (baseRefs.get(i) instanceof SourceRef.StageRef s) {
        on.add(s.index());
      }
      for (Stage.Dependency d : deps.get(i)) {
        if (d.ref() instanceof SourceRef.StageRef s) {
          on.add(s.index());
        }
      }
      all.add(
          new Stage(
              i,
              def.name(),
              def.from(),
              bases.get(i),
              baseRefs.get(i),
              platforms.get(i),
              def.instructions(),
              deps.get(i),
              List.copyOf(on)));
    }

    Set<Integer> needed = new TreeSet<>();
    collect(all, target, needed);
    List<Stage> stages = new ArrayList<>();
    for (int i : needed) {
      Stage s = all.get(i);
      for (Stage.Dependency d : s.dependencies()) {
        if (d.ref() instanceof SourceRef.StageRef ref && ref.index() > i) {
          Instruction ins = s.instructions().get(d.instruction());
          throw error(
              ins,
              d.mount() < 0
                  ? Messages.copyFromLaterStage(d.written(), s.displayName())
                  : Messages.mountFromLaterStage(d.written(), s.displayName()));
        }
      }
      stages.add(s);
    }
    return new BuildPlan(dockerfile, options, meta, all, target, stages, lex.budget);
  }

  /** The plan's word expander with its expansion budget. */
  private record Expander(WordExpander words, ExpansionBudget budget) {}

  private static SourceRef resolveCopyFrom(
      String from, Map<String, Integer> byName, List<StageDefinition> defs, Instruction copy) {
    if (INDEX.matcher(from).matches()) {
      int index;
      try {
        index = Integer.parseInt(from);
      } catch (NumberFormatException e) {
        index = Integer.MAX_VALUE;
      }
      if (index < 0 || index >= defs.size()) {
        throw error(copy, Messages.invalidStageIndex(index));
      }
      return new SourceRef.StageRef(index);
    }
    Integer s = byName.get(from.toLowerCase(Locale.ROOT));
    if (s != null) {
      return new SourceRef.StageRef(s);
    }
    return from.equals("scratch") ? new SourceRef.Scratch() : new SourceRef.ImageRef(from);
  }

  /**
   * BuildKit's validateCircularDependency over COPY/mount edges: a depth-first search with an
   * explicit stack (a chain of 10,000 stages must not overflow the thread's stack). The error names
   * the first edge of the cycle's path, from the stage where the search started.
   */
  private static void checkCycles(List<StageDefinition> defs, List<List<Stage.Dependency>> deps) {
    int n = defs.size();
    boolean[] visited = new boolean[n];
    boolean[] onPath = new boolean[n];
    int[] nextEdge = new int[n];
    for (StageDefinition def : defs) {
      int root = def.index();
      if (visited[root]) {
        continue;
      }
      ArrayDeque<Integer> path = new ArrayDeque<>();
      List<Instruction> trail = new ArrayList<>();
      visited[root] = true;
      onPath[root] = true;
      path.push(root);
      while (!path.isEmpty()) {
        int stage = path.peek();
        List<Stage.Dependency> edges = deps.get(stage);
        if (nextEdge[stage] == edges.size()) {
          path.pop();
          onPath[stage] = false;
          if (!path.isEmpty()) {
            trail.remove(trail.size() - 1);
          }
          continue;
        }
        Stage.Dependency d = edges.get(nextEdge[stage]++);
        if (!(d.ref() instanceof SourceRef.StageRef ref)) {
          continue;
        }
        Instruction edge = defs.get(stage).instructions().get(d.instruction());
        if (onPath[ref.index()]) {
          trail.add(edge);
          throw error(trail.get(0), Messages.circularDependency(def.displayName()));
        }
        if (!visited[ref.index()]) {
          visited[ref.index()] = true;
          onPath[ref.index()] = true;
          trail.add(edge);
          path.push(ref.index());
        }
      }
    }
  }

  /** {@code stage} and every stage it needs, transitively (iterative: chains can be long). */
  private static void collect(List<Stage> all, int stage, Set<Integer> out) {
    ArrayDeque<Integer> todo = new ArrayDeque<>();
    todo.push(stage);
    while (!todo.isEmpty()) {
      int s = todo.pop();
      if (out.add(s)) {
        for (int d : all.get(s).dependsOn()) {
          todo.push(d);
        }
      }
    }
  }

  private static String expand(
      Expander lex, String word, Map<String, String> env, Instruction where) {
    String out;
    try {
      out = lex.words().expand(word, Env.of(env));
    } catch (ExpansionException e) {
      throw error(where, e.getMessage());
    }
    if (out != word) {
      String problem = lex.budget().charge(out.length());
      if (problem != null) {
        throw error(where, problem);
      }
    }
    return out;
  }

  static DockerfileException error(Instruction where, String message) {
    SourceRange r = where.range();
    return DockerfileException.at(r, message, " ".repeat(r.startColumn() - 1) + where.text());
  }
}
