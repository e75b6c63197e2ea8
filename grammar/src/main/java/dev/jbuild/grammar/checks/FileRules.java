package dev.jbuild.grammar.checks;

import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.SourceRange;
import dev.jbuild.grammar.StageDefinition;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlatformSpec;
import dev.jbuild.grammar.graph.PredefinedArgs;
import dev.jbuild.grammar.instructions.ArgDeclaration;
import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.FileInstruction;
import dev.jbuild.grammar.instructions.FromInstruction;
import dev.jbuild.grammar.instructions.Heredoc;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.MaintainerInstruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.shell.Env;
import dev.jbuild.grammar.shell.WordExpander;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rules BuildKit runs while parsing and while resolving FROM lines, on every stage whatever the
 * target: StageNameCasing, FromAsCasing, MaintainerDeprecated, DuplicateStageName,
 * ReservedStageName, ConsistentInstructionCasing, NoEmptyContinuation, UndefinedArgInFrom,
 * RedundantTargetPlatform, FromPlatformFlagConstDisallowed, InvalidDefaultArgInFrom.
 */
final class FileRules {
  private final BuildPlan plan;
  private final Dockerfile df;
  private final List<String> lines;
  private final List<Warning> out;

  FileRules(BuildPlan plan, String text, List<Warning> out) {
    this.plan = plan;
    this.df = plan.dockerfile();
    this.lines = text.lines().toList();
    this.out = out;
  }

  void run() {
    for (ArgInstruction a : df.globalArgs()) {
      emptyContinuation(a);
    }
    Set<String> names = new HashSet<>();
    for (StageDefinition s : df.stages()) {
      from(s.from());
      emptyContinuation(s.from());
      if (s.name().isPresent()) {
        String n = s.name().get();
        if (n.equals("context") || n.equals("scratch")) {
          add(
              Rule.RESERVED_STAGE_NAME,
              "Stage name should not use the same name as reserved stage \"" + n + "\"",
              s.from().range());
        }
        if (!names.add(n)) {
          add(
              Rule.DUPLICATE_STAGE_NAME,
              "Duplicate stage name \"" + n + "\", stage names should be unique",
              s.from().range());
        }
      }
      for (Instruction i : s.instructions()) {
        if (i instanceof MaintainerInstruction) {
          add(
              Rule.MAINTAINER_DEPRECATED,
              "Maintainer instruction is deprecated in favor of using label",
              i.range());
        }
        emptyContinuation(i);
      }
    }
    casing();
    fromArgs();
    defaultArgs();
  }

  private void add(Rule rule, String message, SourceRange range) {
    out.add(new Warning(rule, message, range));
  }

  private void from(FromInstruction from) {
    FromWords w = FromWords.of(from.text());
    if (w.args().size() != 3) {
      return;
    }
    String name = w.args().get(2);
    if (!name.equals(name.toLowerCase(Locale.ROOT))) {
      add(Rule.STAGE_NAME_CASING, "Stage name '" + name + "' should be lowercase", from.range());
    }
    String kw = w.keyword();
    String as = w.args().get(1);
    boolean lower = kw.equals(kw.toLowerCase(Locale.ROOT));
    boolean upper = kw.equals(kw.toUpperCase(Locale.ROOT));
    if ((lower && !as.equals(as.toLowerCase(Locale.ROOT)))
        || (!lower && upper && !as.equals(as.toUpperCase(Locale.ROOT)))) {
      add(
          Rule.FROM_AS_CASING,
          "'" + as + "' and '" + kw + "' keywords' casing do not match",
          from.range());
    }
  }

  /** BuildKit's parser: a whitespace-only line inside a continuation; reported at its last line. */
  private void emptyContinuation(Instruction i) {
    SourceRange r = i.range();
    if (r.endLine() == r.startLine() || hasHeredoc(i)) {
      return;
    }
    for (int line = r.startLine() + 1; line <= r.endLine() && line <= lines.size(); line++) {
      if (lines.get(line - 1).isBlank()) {
        add(
            Rule.NO_EMPTY_CONTINUATION,
            "Empty continuation line",
            SourceRange.at(r.file(), r.endLine(), 1));
        return;
      }
    }
  }

  private static boolean hasHeredoc(Instruction i) {
    List<Heredoc> h = List.of();
    if (i instanceof RunInstruction run) {
      h = run.heredocs();
    } else if (i instanceof FileInstruction f) {
      h = f.heredocs();
    }
    return !h.isEmpty();
  }

  /** ConsistentInstructionCasing over every stage's FROM and instructions (not global ARGs). */
  private void casing() {
    int lower = 0;
    int upper = 0;
    for (StageDefinition s : df.stages()) {
      for (int k = -1; k < s.instructions().size(); k++) {
        String kw = Words.first(k < 0 ? s.from().text() : s.instructions().get(k).text());
        if (kw.equals(kw.toLowerCase(Locale.ROOT))) {
          lower++;
        } else if (kw.equals(kw.toUpperCase(Locale.ROOT))) {
          upper++;
        }
      }
    }
    boolean majorityLower = lower > upper;
    for (StageDefinition s : df.stages()) {
      for (int k = -1; k < s.instructions().size(); k++) {
        Instruction i = k < 0 ? s.from() : s.instructions().get(k);
        String kw = Words.first(i.text());
        String correct = null;
        if (majorityLower && !kw.equals(kw.toLowerCase(Locale.ROOT))) {
          correct = "lowercase";
        } else if (!majorityLower && !kw.equals(kw.toUpperCase(Locale.ROOT))) {
          correct = "uppercase";
        }
        if (correct != null) {
          add(
              Rule.CONSISTENT_INSTRUCTION_CASING,
              "Command '"
                  + kw
                  + "' should match the case of the command majority ("
                  + correct
                  + ")",
              i.range());
        }
      }
    }
  }

  /** UndefinedArgInFrom, RedundantTargetPlatform, FromPlatformFlagConstDisallowed. */
  private void fromArgs() {
    Set<String> known = new LinkedHashSet<>();
    for (ArgInstruction a : df.globalArgs()) {
      for (ArgDeclaration d : a.args()) {
        known.add(d.name());
      }
    }
    known.addAll(plan.globalArgs().keySet());
    known.addAll(PredefinedArgs.PLATFORM);
    Env global = Env.of(plan.globalArgs());
    WordExpander lexer = WordExpander.of(df.escape());
    for (StageDefinition s : df.stages()) {
      FromInstruction from = s.from();
      undeclared(VarRefs.of(from.image(), df.escape()), known, from.range());
      if (from.platform().isEmpty()) {
        continue;
      }
      String p = from.platform().get();
      Set<String> refs = VarRefs.of(p, df.escape());
      undeclared(refs, known, from.range());
      String result;
      try {
        result = lexer.expand(p, global);
      } catch (RuntimeException e) {
        continue;
      }
      if (refs.size() == 1
          && refs.contains("TARGETPLATFORM")
          && result.equals(plan.globalArgs().get("TARGETPLATFORM"))) {
        add(
            Rule.REDUNDANT_TARGET_PLATFORM,
            "Setting platform to predefined "
                + p
                + " in FROM is redundant as this is the default behavior",
            from.range());
      }
      if (refs.isEmpty()) {
        constPlatform(s, result);
      }
    }
  }

  private void undeclared(Set<String> refs, Set<String> known, SourceRange at) {
    for (String r : refs) {
      if (plan.globalArgs().get(r) != null || known.contains(r)) {
        continue;
      }
      String suggest = Suggest.search(r, known);
      add(
          Rule.UNDEFINED_ARG_IN_FROM,
          "FROM argument '"
              + r
              + "' is not declared"
              + (suggest.isEmpty() ? "" : " (did you mean " + suggest + "?)"),
          at);
    }
  }

  private void constPlatform(StageDefinition s, String platform) {
    PlatformSpec spec;
    try {
      spec = PlatformSpec.parse(platform);
    } catch (IllegalArgumentException e) {
      return;
    }
    String name = s.name().orElse("");
    if (name.contains(spec.os()) || name.contains(spec.architecture())) {
      return;
    }
    add(
        Rule.FROM_PLATFORM_FLAG_CONST_DISALLOWED,
        "FROM --platform flag should not use constant value \"" + platform + "\"",
        s.from().range());
  }

  /** InvalidDefaultArgInFrom: FROM expanded with the global ARGs' defaults, no build args. */
  private void defaultArgs() {
    WordExpander lexer = WordExpander.of(df.escape());
    Map<String, String> env = new HashMap<>();
    for (String p : PredefinedArgs.PLATFORM) {
      String v = plan.globalArgs().get(p);
      if (v != null) {
        env.put(p, v);
      }
    }
    try {
      for (ArgInstruction a : df.globalArgs()) {
        for (ArgDeclaration d : a.args()) {
          if (d.defaultValue().isPresent()) {
            env.put(d.name(), lexer.expand(d.defaultValue().get(), Env.of(env)));
          }
        }
      }
    } catch (RuntimeException e) {
      return;
    }
    for (StageDefinition s : df.stages()) {
      String base;
      try {
        base = lexer.expand(s.from().image(), Env.of(env));
      } catch (RuntimeException e) {
        return;
      }
      if (!ImageNames.valid(base)) {
        add(
            Rule.INVALID_DEFAULT_ARG_IN_FROM,
            "Default value for ARG "
                + s.from().image()
                + " results in empty or invalid base image name",
            s.from().range());
      }
    }
  }
}
